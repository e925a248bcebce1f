using System.Globalization;
using System.Numerics;

namespace SentryBrain.Learning;

/// <summary>The thresholds and limits rule mining works with (from <c>RULE_MIN_SUPPORT</c>, <c>RULE_MAX_SUCCESS_RATE</c>).</summary>
/// <param name="MinSupport">Trades a region must hold in sample.</param>
/// <param name="MaxSuccessRate">A region must succeed less often than this, in and out of sample.</param>
/// <param name="MaxRules">Rules proposed at most (the best, non-overlapping).</param>
public sealed record RuleMiningSettings(int MinSupport, double MaxSuccessRate, int MaxRules = 5)
{
    /// <summary>Wilson bound z in sample: with hundreds of thousands of candidate regions only a clearly bad one passes.</summary>
    public const double InSampleZ = 3.0;

    /// <summary>Wilson bound z out of sample (about 1 % one-sided for each of the few regions checked).</summary>
    public const double OutOfSampleZ = 2.33;

    /// <summary>Two regions whose shared trades are at least this share of the smaller one are the same finding.</summary>
    public const double MaxOverlap = 0.5;

    /// <summary>Out-of-sample trades a region must hold: half the in-sample minimum, at least 5.</summary>
    public int MinSupportOutOfSample => Math.Max(5, MinSupport / 2);
}

/// <summary>A region found in sample, with its evidence in the later rows; <see cref="Holds"/> says whether it passed there.</summary>
public sealed record MinedRule(IReadOnlyList<RuleCondition> Conditions, int Support, int Successes, int SupportOutOfSample, int SuccessesOutOfSample, bool Holds, string Verdict)
{
    public double SuccessRate => Support == 0 ? 0 : (double)Successes / Support;

    public double SuccessRateOutOfSample => SupportOutOfSample == 0 ? 0 : (double)SuccessesOutOfSample / SupportOutOfSample;

    /// <summary><c>atr_percentile_ge_85_and_ofi_lt_0</c>.</summary>
    public string Name => string.Join("_and_", Conditions.Select(c => c.Feature + (c.Op == RuleCondition.AtLeast ? "_ge_" : "_lt_") + RuleMiner.Format(c.Threshold)));

    public string Condition => string.Join(" and ", Conditions);
}

/// <summary>What mining found: the rules that held out of sample, and the in-sample best ones that did not.</summary>
public sealed record MiningResult(IReadOnlyList<MinedRule> Rules, IReadOnlyList<MinedRule> Rejected, int Conditions, long RegionsTested, int InSampleRows, int OutOfSampleRows, double BaseRate, double BaseRateOutOfSample);

/// <summary>
/// Mines blocking rules over every feature of a <see cref="FeatureMatrix"/>: conditions <c>feature &gt;= t</c> and
/// <c>feature &lt; t</c> at the distinct in-sample quantiles of each feature in 2.5 % steps (rounded to about a
/// hundredth of the feature's range; 0.5 for a 0/1 feature), alone and in pairs over two different features. Each
/// condition is a bitset of the in-sample rows it holds on, so a pair is an AND and a popcount.
/// A region is a candidate when, in sample (the earlier rows), it holds ≥ <see cref="RuleMiningSettings.MinSupport"/>
/// trades, succeeds less often than <see cref="RuleMiningSettings.MaxSuccessRate"/>, and the Wilson upper bound of
/// its success rate (z = 3) is below the in-sample base rate; a pair also has to be more clearly bad than each of its
/// conditions alone. Candidates are ranked by their binomial z against the base rate; going down that list, a region
/// sharing half or more of its trades with one already chosen is dropped, and so is one whose trades outside the
/// regions already chosen would not pass on their own, until <see cref="RuleMiningSettings.MaxRules"/>
/// are chosen. Only then are the later rows looked at: a chosen region is proposed only if it holds
/// ≥ <see cref="RuleMiningSettings.MinSupportOutOfSample"/> of them, succeeds less often than the limit, and its Wilson
/// upper bound (z = 2.33) is below their base rate. An unknown value (NaN) is in no region, as at buy time.
/// </summary>
public static class RuleMiner
{
    public const double QuantileStep = 0.025;

    public static MiningResult Mine(FeatureMatrix matrix, int inSampleRows, RuleMiningSettings settings)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(settings);
        var n = inSampleRows;
        var oosRows = matrix.Rows - n;
        var successes = Bits(n, row => matrix.Labels[row]);
        var baseRate = n == 0 ? 0 : (double)Count(successes) / n;
        var baseOos = oosRows == 0 ? 0 : (double)matrix.Labels.Skip(n).Count(l => l) / oosRows;
        var conditions = Conditions(matrix, n);
        if (n == 0 || baseRate == 0)
        {
            return new MiningResult([], [], conditions.Count, 0, n, oosRows, baseRate, baseOos);
        }

        // Singles first: their scores are what a pair has to beat.
        var candidates = new List<Candidate>();
        var single = new double[conditions.Count];
        var and = new ulong[successes.Length];
        long tested = 0;
        for (var i = 0; i < conditions.Count; i++)
        {
            var c = conditions[i];
            var k = CountAnd(c.Bits, successes);
            single[i] = Score(c.Support, k, baseRate);
            tested++;
            if (c.Support >= settings.MinSupport && Passes(c.Support, k, baseRate, settings))
            {
                candidates.Add(new Candidate(i, -1, c.Support, k, single[i]));
            }
        }

        for (var i = 0; i < conditions.Count; i++)
        {
            var a = conditions[i];
            if (a.Support < settings.MinSupport)
            {
                continue;
            }

            for (var j = i + 1; j < conditions.Count; j++)
            {
                var b = conditions[j];
                if (b.Column == a.Column || b.Support < settings.MinSupport)
                {
                    continue;
                }

                tested++;
                var support = And(a.Bits, b.Bits, and);
                if (support < settings.MinSupport)
                {
                    continue;
                }

                var k = CountAnd(and, successes);
                var score = Score(support, k, baseRate);
                if (score > single[i] && score > single[j] && Passes(support, k, baseRate, settings))
                {
                    candidates.Add(new Candidate(i, j, support, k, score));
                }
            }
        }

        candidates.Sort((x, y) => y.Score.CompareTo(x.Score) is var s && s != 0 ? s : (x.A, x.B).CompareTo((y.A, y.B)));
        var chosen = new List<(Candidate Candidate, ulong[] Rows)>();
        var covered = new ulong[successes.Length];
        foreach (var candidate in candidates)
        {
            var rows = RowsOf(conditions, candidate);
            var overlaps = chosen.Any(c => (double)CountAnd(c.Rows, rows) / Math.Min(c.Candidate.Support, candidate.Support) >= RuleMiningSettings.MaxOverlap);
            if (overlaps)
            {
                continue;
            }

            // What it adds to the regions already chosen must be bad on its own (a slice of a chosen region plus
            // ordinary trades is not a second finding).
            var (rest, restSuccesses) = Residual(rows, covered, successes);
            if (rest < settings.MinSupport || !Passes(rest, restSuccesses, baseRate, settings))
            {
                continue;
            }

            chosen.Add((candidate, rows));
            for (var w = 0; w < covered.Length; w++)
            {
                covered[w] |= rows[w];
            }

            if (chosen.Count == settings.MaxRules)
            {
                break;
            }
        }

        var rules = new List<MinedRule>();
        var rejected = new List<MinedRule>();
        foreach (var (candidate, _) in chosen)
        {
            var conds = candidate.B < 0
                ? new[] { conditions[candidate.A].Condition }
                : new[] { conditions[candidate.A].Condition, conditions[candidate.B].Condition }.OrderBy(c => c.Feature, StringComparer.Ordinal).ToArray();
            var (nOos, kOos) = OutOfSample(matrix, n, conds);
            var verdict = Check(nOos, kOos, baseOos, settings);
            var rule = new MinedRule(conds, candidate.Support, candidate.Successes, nOos, kOos, verdict is null, verdict ?? "holds out of sample");
            (verdict is null ? rules : rejected).Add(rule);
        }

        return new MiningResult(rules, rejected, conditions.Count, tested, n, oosRows, baseRate, baseOos);
    }

    /// <summary>A threshold as names and condition texts show it: up to 4 decimals, no trailing zeros, invariant.</summary>
    public static string Format(double threshold) => threshold.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>Upper Wilson score bound of a success rate k/n at <paramref name="z"/>.</summary>
    public static double WilsonUpper(int n, int k, double z)
    {
        if (n == 0)
        {
            return 1;
        }

        var p = (double)k / n;
        var z2 = z * z;
        return (p + (z2 / (2 * n)) + (z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4.0 * n * n))))) / (1 + (z2 / n));
    }

    /// <summary>The candidate thresholds of one column's in-sample values (ascending, distinct).</summary>
    public static IReadOnlyList<double> Thresholds(ReadOnlySpan<float> values)
    {
        var known = new List<float>(values.Length);
        foreach (var v in values)
        {
            if (!float.IsNaN(v))
            {
                known.Add(v);
            }
        }

        if (known.Count == 0)
        {
            return [];
        }

        if (known.TrueForAll(v => v is 0 or 1))
        {
            return known.Contains(0) && known.Contains(1) ? [0.5] : [];
        }

        known.Sort();
        var min = known[0];
        var max = known[^1];
        var range = (double)max - min;
        if (!(range > 0))
        {
            return [];
        }

        var exponent = (int)Math.Round(Math.Log10(range / 100));
        var step = Math.Pow(10, exponent);
        var digits = Math.Clamp(-exponent, 0, 10);
        var result = new SortedSet<double>();
        for (var q = QuantileStep; q < 1 - (QuantileStep / 2); q += QuantileStep)
        {
            var value = known[(int)Math.Round(q * (known.Count - 1))];
            var snapped = Math.Round(Math.Round(value / step) * step, digits);

            // At or below the minimum, "≥ t" is every known row and "< t" none: no region.
            if (snapped > min && snapped <= max)
            {
                result.Add(snapped);
            }
        }

        return [.. result];
    }

    private static string? Check(int n, int k, double baseRate, RuleMiningSettings settings)
    {
        if (n < settings.MinSupportOutOfSample)
        {
            return string.Create(CultureInfo.InvariantCulture, $"only {n} later trades (needs {settings.MinSupportOutOfSample})");
        }

        var rate = (double)k / n;
        if (rate >= settings.MaxSuccessRate)
        {
            return string.Create(CultureInfo.InvariantCulture, $"later trades succeed {rate:P0} (limit {settings.MaxSuccessRate:P0})");
        }

        var upper = WilsonUpper(n, k, RuleMiningSettings.OutOfSampleZ);
        return upper < baseRate
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"later trades not clearly worse than their base rate {baseRate:P0} (bound {upper:P0})");
    }

    private static bool Passes(int n, int k, double baseRate, RuleMiningSettings settings)
        => (double)k / n < settings.MaxSuccessRate && WilsonUpper(n, k, RuleMiningSettings.InSampleZ) < baseRate;

    /// <summary>Binomial z of k successes in n against the base rate: how many standard deviations too few.</summary>
    private static double Score(int n, int k, double p0)
        => n == 0 || p0 is <= 0 or >= 1 ? 0 : ((p0 * n) - k) / Math.Sqrt(n * p0 * (1 - p0));

    private static (int N, int K) OutOfSample(FeatureMatrix matrix, int from, IReadOnlyList<RuleCondition> conditions)
    {
        var columns = conditions.Select(c => matrix.Raw[IndexOf(matrix, c.Feature)]).ToArray();
        int n = 0, k = 0;
        for (var row = from; row < matrix.Rows; row++)
        {
            var all = true;
            for (var c = 0; c < columns.Length && all; c++)
            {
                var v = columns[c][row];
                all = !float.IsNaN(v) && conditions[c].Holds(v);
            }

            if (all)
            {
                n++;
                k += matrix.Labels[row] ? 1 : 0;
            }
        }

        return (n, k);
    }

    private static int IndexOf(FeatureMatrix matrix, string feature)
    {
        for (var i = 0; i < matrix.Columns; i++)
        {
            if (matrix.Names[i] == feature)
            {
                return i;
            }
        }

        throw new ArgumentException($"no column {feature}", nameof(feature));
    }

    private static List<Cond> Conditions(FeatureMatrix matrix, int n)
    {
        var list = new List<Cond>();
        for (var c = 0; c < matrix.Columns; c++)
        {
            var column = matrix.Raw[c];
            foreach (var t in Thresholds(column.AsSpan(0, n)))
            {
                var ge = new RuleCondition(matrix.Names[c], RuleCondition.AtLeast, t);
                var lt = new RuleCondition(matrix.Names[c], RuleCondition.Below, t);
                var geBits = Bits(n, row => !float.IsNaN(column[row]) && column[row] >= t);
                var ltBits = Bits(n, row => !float.IsNaN(column[row]) && column[row] < t);
                list.Add(new Cond(c, ge, geBits, Count(geBits)));
                list.Add(new Cond(c, lt, ltBits, Count(ltBits)));
            }
        }

        return list;
    }

    private static ulong[] RowsOf(List<Cond> conditions, Candidate candidate)
    {
        var a = conditions[candidate.A].Bits;
        if (candidate.B < 0)
        {
            return a;
        }

        var rows = new ulong[a.Length];
        And(a, conditions[candidate.B].Bits, rows);
        return rows;
    }

    private static ulong[] Bits(int n, Func<int, bool> member)
    {
        var bits = new ulong[(n + 63) / 64];
        for (var row = 0; row < n; row++)
        {
            if (member(row))
            {
                bits[row >> 6] |= 1UL << (row & 63);
            }
        }

        return bits;
    }

    private static int Count(ulong[] bits)
    {
        var count = 0;
        foreach (var word in bits)
        {
            count += BitOperations.PopCount(word);
        }

        return count;
    }

    private static int CountAnd(ulong[] a, ulong[] b)
    {
        var count = 0;
        for (var i = 0; i < a.Length; i++)
        {
            count += BitOperations.PopCount(a[i] & b[i]);
        }

        return count;
    }

    private static (int N, int K) Residual(ulong[] rows, ulong[] covered, ulong[] successes)
    {
        int n = 0, k = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            var word = rows[i] & ~covered[i];
            n += BitOperations.PopCount(word);
            k += BitOperations.PopCount(word & successes[i]);
        }

        return (n, k);
    }

    private static int And(ulong[] a, ulong[] b, ulong[] into)
    {
        var count = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var word = a[i] & b[i];
            into[i] = word;
            count += BitOperations.PopCount(word);
        }

        return count;
    }

    private sealed record Cond(int Column, RuleCondition Condition, ulong[] Bits, int Support);

    private readonly record struct Candidate(int A, int B, int Support, int Successes, double Score);
}
