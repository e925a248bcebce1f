namespace SentryBrain.Signals.Technical.Patterns;

/// <summary>
/// Higher-timeframe structure filter (BEHAVIOR §3.7, "HTF structure"): the last close is above its EMA and no
/// bearish pattern (double top, head and shoulders top) has been confirmed.
/// </summary>
public static class Structure
{
    /// <summary>Extra closes, beyond the EMA period, over which the EMA runs (the reference: EMA50 over the last 60).</summary>
    public const int EmaExtraBars = 10;

    /// <summary>
    /// ok = last close &gt; EMA ∧ <see cref="ChartPatterns.DoubleTop"/> = 0 ∧ <see cref="ChartPatterns.BearishHeadAndShoulders"/>
    /// = 0 (default parameters: lookback 40, tolerances 2 % and 3 %). The EMA runs over the last
    /// <paramref name="emaPeriod"/> + 10 closes (60 by default), seeded with the simple mean of the first
    /// <paramref name="emaPeriod"/> of them, then α = 2/(period + 1).
    /// <para>
    /// Deviation: with fewer than <paramref name="emaPeriod"/> closes the reference answered false ("not ok"), which
    /// blocks entries on missing data; here the answer is null (unknown) so the caller decides, like every other
    /// warming-up indicator. Null as well when any close used by the EMA is not finite.
    /// </para>
    /// </summary>
    public static bool? IsOk(ReadOnlySpan<double> closes, int emaPeriod = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(emaPeriod, 1);
        if (closes.Length < emaPeriod)
        {
            return null;
        }

        var ema = Ema(closes.Length <= emaPeriod + EmaExtraBars ? closes : closes[^(emaPeriod + EmaExtraBars)..], emaPeriod);
        if (!double.IsFinite(ema))
        {
            return null;
        }

        return closes[^1] > ema
            && ChartPatterns.DoubleTop(closes) == 0
            && ChartPatterns.BearishHeadAndShoulders(closes) == 0;
    }

    /// <summary>EMA of the whole span, seeded with the SMA of its first <paramref name="period"/> values.</summary>
    internal static double Ema(ReadOnlySpan<double> values, int period)
    {
        var sum = 0.0;
        for (var i = 0; i < period; i++)
        {
            sum += values[i];
        }

        var ema = sum / period;
        var alpha = 2.0 / (period + 1);
        for (var i = period; i < values.Length; i++)
        {
            ema = (alpha * values[i]) + ((1 - alpha) * ema);
        }

        return ema;
    }
}
