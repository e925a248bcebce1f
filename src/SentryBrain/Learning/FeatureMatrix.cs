namespace SentryBrain.Learning;

/// <summary>
/// The optimizer's training table: one row per exit, in time order (by <c>ts</c>, file order among equal times),
/// one column per <see cref="RuleFeatures"/> feature that is known on at least one row. <see cref="Raw"/> keeps
/// unknown values as NaN (rules never match them, as at buy time); <see cref="Imputed"/> replaces them by the
/// column's median for the forest. Columns with no known value at all are left out and named in
/// <see cref="DroppedColumns"/>.
/// </summary>
public sealed class FeatureMatrix
{
    private FeatureMatrix(IReadOnlyList<string> names, float[][] raw, float[][] imputed, bool[] labels, DateTime[] times, IReadOnlyList<string> dropped)
    {
        Names = names;
        Raw = raw;
        Imputed = imputed;
        Labels = labels;
        Times = times;
        DroppedColumns = dropped;
    }

    /// <summary>Feature name of each column.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Column-major values, NaN = unknown.</summary>
    public float[][] Raw { get; }

    /// <summary>Column-major values, unknown = the column median.</summary>
    public float[][] Imputed { get; }

    /// <summary>True = success (<see cref="TradeLabels"/>).</summary>
    public bool[] Labels { get; }

    public DateTime[] Times { get; }

    public IReadOnlyList<string> DroppedColumns { get; }

    public int Rows => Labels.Length;

    public int Columns => Names.Count;

    public int Successes => Labels.Count(l => l);

    public static FeatureMatrix FromExits(IEnumerable<ExperienceRecord> records)
    {
        var exits = records.Where(r => r.Action == "exit").Select((r, i) => (r, i)).OrderBy(p => p.r.Ts).ThenBy(p => p.i).Select(p => p.r).ToArray();
        var names = new List<string>();
        var raw = new List<float[]>();
        var imputed = new List<float[]>();
        var dropped = new List<string>();
        for (var f = 0; f < RuleFeatures.Names.Count; f++)
        {
            var column = new float[exits.Length];
            var known = new List<float>(exits.Length);
            for (var row = 0; row < exits.Length; row++)
            {
                var value = RuleFeatures.FromRecord(exits[row], f) is { } v && double.IsFinite(v) ? (float)v : float.NaN;
                column[row] = value;
                if (!float.IsNaN(value))
                {
                    known.Add(value);
                }
            }

            if (known.Count == 0)
            {
                dropped.Add(RuleFeatures.Names[f]);
                continue;
            }

            var median = Median(known);
            var filled = new float[column.Length];
            for (var row = 0; row < column.Length; row++)
            {
                filled[row] = float.IsNaN(column[row]) ? median : column[row];
            }

            names.Add(RuleFeatures.Names[f]);
            raw.Add(column);
            imputed.Add(filled);
        }

        var labels = exits.Select(TradeLabels.IsSuccess).ToArray();
        var times = exits.Select(e => e.Ts).ToArray();
        return new FeatureMatrix(names, [.. raw], [.. imputed], labels, times, dropped);
    }

    /// <summary>The median of <paramref name="values"/> (mean of the middle two for an even count); sorts the list.</summary>
    internal static float Median(List<float> values)
    {
        values.Sort();
        var n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2;
    }
}
