using SentryBrain.Market.Bars;

namespace SentryBrain.Signals.Technical;

/// <summary>
/// Bad-input policy shared by every indicator: a non-finite value (or a bar with a non-finite field) is skipped.
/// It does not move the indicator's state, its own output is null, and the next good value continues as if the bad
/// one had never arrived. Series forms compact the good values, compute, and scatter the results back.
/// </summary>
internal static class SeriesInput
{
    public static bool IsGoodBar(double high, double low, double close) =>
        double.IsFinite(high) && double.IsFinite(low) && double.IsFinite(close);

    public static bool IsGoodBar(double high, double low, double close, double volume) =>
        IsGoodBar(high, low, close) && double.IsFinite(volume) && volume >= 0;

    /// <summary>The finite values, in order, with their positions in the input.</summary>
    public static (double[] Values, int[] Positions) Compact(ReadOnlySpan<double> values)
    {
        var count = 0;
        foreach (var v in values)
        {
            if (double.IsFinite(v))
            {
                count++;
            }
        }

        var kept = new double[count];
        var positions = new int[count];
        var k = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (double.IsFinite(values[i]))
            {
                kept[k] = values[i];
                positions[k++] = i;
            }
        }

        return (kept, positions);
    }

    /// <summary>The bars whose high, low, close (and volume, when <paramref name="needVolume"/>) are usable.</summary>
    public static (DailyBar[] Bars, int[] Positions) Compact(ReadOnlySpan<DailyBar> bars, bool needVolume)
    {
        var kept = new List<DailyBar>(bars.Length);
        var positions = new List<int>(bars.Length);
        for (var i = 0; i < bars.Length; i++)
        {
            var b = bars[i];
            if (needVolume ? IsGoodBar(b.High, b.Low, b.Close, b.Volume) : IsGoodBar(b.High, b.Low, b.Close))
            {
                kept.Add(b);
                positions.Add(i);
            }
        }

        return (kept.ToArray(), positions.ToArray());
    }

    /// <summary>Places compacted results back at their input positions; skipped positions stay null.</summary>
    public static T?[] Scatter<T>(T?[] compacted, int[] positions, int length)
        where T : struct
    {
        if (compacted.Length == length)
        {
            return compacted;
        }

        var result = new T?[length];
        for (var k = 0; k < compacted.Length; k++)
        {
            result[positions[k]] = compacted[k];
        }

        return result;
    }
}
