using SentryBrain.Signals.Technical;
using SentryBrain.Signals.Technical.Patterns;

namespace SentryBrain.Signals;

/// <summary>Settings of <see cref="TechnicalScore.Compute(ReadOnlySpan{double}, TechnicalScoreOptions)"/>.</summary>
/// <param name="UseMacd"><c>USE_MACD</c>: add the MACD component (needs ≥ 35 values).</param>
/// <param name="UsePatterns"><c>USE_PATTERNS</c>: add the chart-pattern components (needs ≥ 40 values).</param>
/// <param name="PatternLookback"><c>PATTERN_LOOKBACK</c>: lookback of the double top and inverse H&amp;S; the flag
/// window is min(lookback, 30).</param>
/// <param name="RsiPeriod">Wilder RSI period.</param>
public sealed record TechnicalScoreOptions(
    bool UseMacd = true,
    bool UsePatterns = true,
    int PatternLookback = 40,
    int RsiPeriod = 14)
{
    /// <summary>The reference defaults: MACD and patterns on, lookback 40, RSI 14.</summary>
    public static TechnicalScoreOptions Default { get; } = new();
}

/// <summary>
/// Technical score ∈ [−1, 1] of a close (or tick) series (BEHAVIOR §3.8): the mean of its components, clamped.
/// <list type="bullet">
/// <item>RSI: <see cref="ConsensusSignals.RsiScore"/> of Wilder's RSI (<see cref="WilderRsi"/>) over the whole series
/// (always present once defined).</item>
/// <item>MACD, when <see cref="TechnicalScoreOptions.UseMacd"/> and ≥ 35 values: <see cref="MacdScore"/>, included even
/// when 0.</item>
/// <item>Patterns, when <see cref="TechnicalScoreOptions.UsePatterns"/> and ≥ 40 values: double top, inverse head and
/// shoulders, flag (<see cref="ChartPatterns"/>), each only when non-zero.</item>
/// </list>
/// Deviations from the reference: (1) the RSI is Wilder's, not the simple mean of the last 14 changes (§12.12);
/// (2) the MACD has a real signal line (the reference's signal line was all zeros, so its "histogram" was the MACD
/// line); (3) null, not a number, when a value is not finite or no component is defined (an RSI period longer than
/// the series).
/// </summary>
public static class TechnicalScore
{
    /// <summary>Fewer values ⇒ null.</summary>
    public const int MinValues = 15;

    /// <summary>Values needed for the MACD component.</summary>
    public const int MinValuesForMacd = 35;

    /// <summary>Values needed for the pattern components.</summary>
    public const int MinValuesForPatterns = 40;

    /// <summary>The flag window is min(<see cref="TechnicalScoreOptions.PatternLookback"/>, this).</summary>
    public const int MaxFlagWindow = 30;

    /// <summary>Double-top peak tolerance in percent.</summary>
    public const double DoubleTopTolerancePct = 2;

    /// <summary>Inverse head-and-shoulders shoulder tolerance in percent.</summary>
    public const double HeadAndShouldersTolerancePct = 3;

    /// <summary>MACD scale: a histogram of this fraction of the mean price scores ±1.</summary>
    public const double MacdFullScoreFraction = 0.02;

    /// <summary>Closes averaged for the MACD scale.</summary>
    public const int MacdScaleBars = 30;

    /// <summary>Histogram values searched (from the newest) for the last non-zero one.</summary>
    public const int MacdHistogramBars = 5;

    /// <summary>The score with <see cref="TechnicalScoreOptions.Default"/>.</summary>
    public static double? Compute(ReadOnlySpan<double> closes) => Compute(closes, TechnicalScoreOptions.Default);

    /// <summary>The score, or null with fewer than 15 values (see the type remarks).</summary>
    public static double? Compute(ReadOnlySpan<double> closes, TechnicalScoreOptions options)
    {
        Validate(options);
        if (closes.Length < MinValues)
        {
            return null;
        }

        var rsi = new WilderRsi(options.RsiPeriod);
        foreach (var close in closes)
        {
            if (!double.IsFinite(close))
            {
                return null;
            }

            rsi.Add(close);
        }

        Span<double> tail = stackalloc double[MacdHistogramBars];
        var defined = options.UseMacd && closes.Length >= MinValuesForMacd ? HistogramTail(closes, tail) : 0;
        return Combine(closes, options, rsi.Value, tail[..defined]);
    }

    /// <summary>
    /// The technical score and <see cref="Momentum.IsOk"/> of one series, each equal to calling its own function, with
    /// the RSI and the MACD run once for both (the live feed refreshes both after every 1-minute bar).
    /// </summary>
    public static (double? Score, bool? MomentumOk) ComputeWithMomentum(ReadOnlySpan<double> closes, TechnicalScoreOptions options)
    {
        Validate(options);
        if (options.RsiPeriod != Momentum.RsiPeriod)
        {
            return (Compute(closes, options), Momentum.IsOk(closes));
        }

        // One Wilder pass over every close, as both run it: the score's final value (all finite) and the divergence's
        // values at its two troughs (non-finite closes skipped, as WilderRsi does).
        var hasTroughs = Momentum.Troughs(closes, out var t1, out var t2);
        var rsi = new WilderRsi(Momentum.RsiPeriod);
        double? rsi1 = null, rsi2 = null;
        var allFinite = true;
        for (var i = 0; i < closes.Length; i++)
        {
            allFinite &= double.IsFinite(closes[i]);
            rsi.Add(closes[i]);
            if (hasTroughs && i == t1)
            {
                rsi1 = rsi.Value;
            }

            if (hasTroughs && i == t2)
            {
                rsi2 = rsi.Value;
            }
        }

        // One MACD pass: momentum looks at six histogram values, the score at the newest five of them.
        Span<double> histogram = stackalloc double[Momentum.HistogramLookback + 1];
        var defined = HistogramTail(closes, histogram);
        var tail = histogram[..defined];
        double? score = null;
        if (closes.Length >= MinValues && allFinite)
        {
            var macd = options.UseMacd && closes.Length >= MinValuesForMacd ? tail[Math.Max(0, defined - MacdHistogramBars)..] : [];
            score = Combine(closes, options, rsi.Value, macd);
        }

        bool? momentum = closes.Length < Momentum.MinValues
            ? null
            : (hasTroughs && Momentum.IsDivergence(closes, t1, t2, rsi1, rsi2)) || Momentum.TurnedUp(closes, tail);
        return (score, momentum);
    }

    private static void Validate(TechnicalScoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RsiPeriod, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PatternLookback, 1);
    }

    /// <summary>The mean of the components (see the type remarks) from the RSI value and the newest MACD histogram values (empty: no MACD component).</summary>
    private static double? Combine(ReadOnlySpan<double> closes, TechnicalScoreOptions options, double? rsi, ReadOnlySpan<double> macdTail)
    {
        var sum = 0.0;
        var count = 0;
        if (rsi is { } r)
        {
            sum += ConsensusSignals.RsiScore(r);
            count++;
        }

        if (options.UseMacd && closes.Length >= MinValuesForMacd)
        {
            sum += MacdScore(macdTail, closes);
            count++;
        }

        if (options.UsePatterns && closes.Length >= MinValuesForPatterns)
        {
            var lookback = options.PatternLookback;
            AddIfNonZero(ChartPatterns.DoubleTop(closes, lookback, DoubleTopTolerancePct), ref sum, ref count);
            AddIfNonZero(ChartPatterns.InverseHeadAndShoulders(closes, lookback, HeadAndShouldersTolerancePct), ref sum, ref count);
            AddIfNonZero(ChartPatterns.Flag(closes, Math.Min(lookback, MaxFlagWindow)), ref sum, ref count);
        }

        return count == 0 ? null : ConsensusSignals.Clamp(sum / count);
    }

    /// <summary>
    /// MACD score (§3.4 with a real signal line): h = the newest non-zero value among the last 5 defined histogram
    /// values of <see cref="Macd"/> 12/26/9 (first defined at index 33; none ⇒ 0); score = clamp(h / (0.02 · mean of
    /// the last 30 closes), ±1); 0 when that mean is not positive.
    /// </summary>
    public static double MacdScore(ReadOnlySpan<double> closes)
    {
        Span<double> histogram = stackalloc double[MacdHistogramBars];
        var defined = HistogramTail(closes, histogram);
        return MacdScore(histogram[..defined], closes);
    }

    /// <summary><see cref="MacdScore(ReadOnlySpan{double})"/> from the newest (up to 5) defined histogram values, oldest first.</summary>
    private static double MacdScore(ReadOnlySpan<double> histogram, ReadOnlySpan<double> closes)
    {
        var h = 0.0;
        for (var k = histogram.Length - 1; k >= 0; k--)
        {
            if (histogram[k] != 0)
            {
                h = histogram[k];
                break;
            }
        }

        var scale = closes.Length < MacdScaleBars ? closes : closes[^MacdScaleBars..];
        var mean = 0.0;
        foreach (var close in scale)
        {
            mean += close;
        }

        mean = scale.IsEmpty ? 0 : mean / scale.Length;
        if (h == 0 || !(mean > 0))
        {
            return 0;
        }

        return ConsensusSignals.Clamp(h / (MacdFullScoreFraction * mean));
    }

    /// <summary>
    /// Writes the last (up to destination.Length) defined histogram values of MACD 12/26/9 (<see cref="Macd"/>),
    /// oldest first, to the start of <paramref name="destination"/> and returns how many were written (0 with fewer
    /// than 34 finite closes). Keeps only the newest values in <paramref name="destination"/>; allocation-free.
    /// </summary>
    internal static int HistogramTail(ReadOnlySpan<double> closes, Span<double> destination)
    {
        // The arithmetic of Macd 12/26/9 (SMA-seeded Ema, non-finite closes skipped), unrolled into locals: this runs
        // on every entry check, and the struct-and-nullable version cost about 35 ns per close. Equality with Macd
        // is pinned by TechnicalScoreTests and the backtest regressions.
        const int Fast = 12, Slow = 26, Signal = 9;
        const double AlphaFast = 2.0 / (Fast + 1), AlphaSlow = 2.0 / (Slow + 1), AlphaSignal = 2.0 / (Signal + 1);
        double fast = 0, slow = 0, signal = 0;
        int n = 0, lines = 0, total = 0;
        var length = destination.Length;
        foreach (var close in closes)
        {
            if (!double.IsFinite(close))
            {
                continue;
            }

            n++;
            if (n <= Fast)
            {
                fast += close;
                if (n == Fast)
                {
                    fast /= Fast;
                }
            }
            else
            {
                fast += AlphaFast * (close - fast);
            }

            if (n <= Slow)
            {
                slow += close;
                if (n == Slow)
                {
                    slow /= Slow;
                }
            }
            else
            {
                slow += AlphaSlow * (close - slow);
            }

            if (n < Slow)
            {
                continue;
            }

            var line = fast - slow;
            lines++;
            if (lines <= Signal)
            {
                signal += line;
                if (lines == Signal)
                {
                    signal /= Signal;
                }
                else
                {
                    continue;
                }
            }
            else
            {
                signal += AlphaSignal * (line - signal);
            }

            if (length > 0)
            {
                destination[total % length] = line - signal; // a ring, put in order below
            }

            total++;
        }

        var written = Math.Min(total, length);
        if (total > length && length > 0)
        {
            Span<double> ordered = stackalloc double[length];
            for (var k = 0; k < length; k++)
            {
                ordered[k] = destination[(total - length + k) % length];
            }

            ordered.CopyTo(destination);
        }

        return written;
    }

    private static void AddIfNonZero(double score, ref double sum, ref int count)
    {
        if (score != 0)
        {
            sum += score;
            count++;
        }
    }
}

/// <summary>
/// Momentum confirmations of the Green Light checklist item (3) (BEHAVIOR §4): an RSI bullish divergence or a MACD
/// histogram that just turned up.
/// </summary>
public static class Momentum
{
    /// <summary>Fewer values ⇒ <see cref="IsOk"/> is null (the checklist item is skipped).</summary>
    public const int MinValues = 20;

    /// <summary>Closes searched for the two troughs of a divergence.</summary>
    public const int DivergenceLookback = 30;

    /// <summary>RSI period of the divergence.</summary>
    public const int RsiPeriod = 14;

    /// <summary>Histogram values before the newest one searched for a negative value.</summary>
    public const int HistogramLookback = 5;

    /// <summary>
    /// Null with fewer than 20 values; otherwise <see cref="BullishDivergence"/> ∨ <see cref="MacdHistogramTurnedUp"/>.
    /// </summary>
    public static bool? IsOk(ReadOnlySpan<double> closes)
        => closes.Length < MinValues ? null : BullishDivergence(closes) || MacdHistogramTurnedUp(closes);

    /// <summary>
    /// RSI bullish divergence. Values used: Wilder RSI(14) is run over the WHOLE series (so its value at an index
    /// depends on all earlier closes, not on a restart at the window); the troughs are the distinct window-2 troughs
    /// (<see cref="Extrema.FindDistinct"/>) of the last 30 closes (all when fewer). With the last two troughs t1 &lt; t2:
    /// close[t2] &lt; close[t1] (lower low in price) ∧ RSI[t2] &gt; RSI[t1] (higher low in RSI). False when there are
    /// fewer than two troughs or the RSI is undefined at either (an index before 14).
    /// </summary>
    public static bool BullishDivergence(ReadOnlySpan<double> closes)
    {
        if (!Troughs(closes, out var t1, out var t2))
        {
            return false;
        }

        var rsi = new WilderRsi(RsiPeriod);
        double? rsi1 = null;
        for (var i = 0; i <= t2; i++)
        {
            rsi.Add(closes[i]);
            if (i == t1)
            {
                rsi1 = rsi.Value;
            }
        }

        return IsDivergence(closes, t1, t2, rsi1, rsi.Value);
    }

    /// <summary>The last two distinct troughs of the last 30 closes, as indexes into <paramref name="closes"/>; false when there are fewer than two.</summary>
    internal static bool Troughs(ReadOnlySpan<double> closes, out int t1, out int t2)
    {
        t1 = t2 = -1;
        var windowLength = Math.Min(closes.Length, DivergenceLookback);
        if (windowLength < (2 * Extrema.Window) + 1)
        {
            return false;
        }

        var offset = closes.Length - windowLength;
        Span<int> troughs = stackalloc int[DivergenceLookback];
        var count = Extrema.FindDistinct(closes[offset..], peaks: false, troughs);
        if (count < 2)
        {
            return false;
        }

        t1 = troughs[count - 2] + offset;
        t2 = troughs[count - 1] + offset;
        return true;
    }

    /// <summary>Lower low in price and higher low in RSI at the troughs <paramref name="t1"/> &lt; <paramref name="t2"/>.</summary>
    internal static bool IsDivergence(ReadOnlySpan<double> closes, int t1, int t2, double? rsi1, double? rsi2)
        => closes[t2] < closes[t1] && rsi1 is { } a && rsi2 is { } b && b > a;

    /// <summary>
    /// MACD histogram turn (<see cref="Macd"/> 12/26/9 with a real signal line, histogram first defined at index 33):
    /// the newest histogram value is &gt; 0 and at least one of the up to 5 defined values just before it is &lt; 0.
    /// False with fewer than 35 closes (two defined histogram values are needed) or when the newest value is undefined
    /// (a non-finite last close).
    /// </summary>
    public static bool MacdHistogramTurnedUp(ReadOnlySpan<double> closes)
    {
        Span<double> histogram = stackalloc double[HistogramLookback + 1];
        var count = TechnicalScore.HistogramTail(closes, histogram);
        return TurnedUp(closes, histogram[..count]);
    }

    /// <summary><see cref="MacdHistogramTurnedUp"/> from the newest (up to 6) defined histogram values, oldest first.</summary>
    internal static bool TurnedUp(ReadOnlySpan<double> closes, ReadOnlySpan<double> histogram)
    {
        if (closes.IsEmpty || !double.IsFinite(closes[^1]))
        {
            return false;
        }

        var count = histogram.Length;
        if (count < 2 || !(histogram[count - 1] > 0))
        {
            return false;
        }

        for (var k = 0; k < count - 1; k++)
        {
            if (histogram[k] < 0)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// prob_gain ∈ [0, 1] (BEHAVIOR §3.9), reproduced as the reference computes it: all inputs missing ⇒ 0.5;
/// r = 0.6·(clamp(r1m) + 1)/2 [if r1m] + 0.4·(clamp(r5m) + 1)/2 [if r5m] (clamp ±1); r = 0 ⇒ 0.5;
/// annualized volatility &gt; 0.5 ⇒ r·0.7; clamp to [0, 1]. Known quirks kept on purpose (the Green Light threshold
/// 0.12 was tuned to them): a single return counts only with its weight (r1m = 0 alone gives 0.3), and returns of
/// −100 % give r = 0, which reads as "unknown" (0.5). Non-finite inputs count as missing.
/// </summary>
public static class ProbGain
{
    /// <summary>Neutral probability.</summary>
    public const double Neutral = 0.5;

    /// <summary>Volatility above this is "high".</summary>
    public const double HighVolatility = 0.5;

    /// <summary>Multiplier applied under high volatility.</summary>
    public const double HighVolatilityFactor = 0.7;

    public static double Compute(double? return1m, double? return5m, double? annualizedVol)
    {
        var r1 = Finite(return1m);
        var r5 = Finite(return5m);
        var vol = Finite(annualizedVol);
        if (r1 is null && r5 is null && vol is null)
        {
            return Neutral;
        }

        var r = 0.0;
        if (r1 is { } a)
        {
            r += 0.6 * (ConsensusSignals.Clamp(a) + 1) / 2;
        }

        if (r5 is { } b)
        {
            r += 0.4 * (ConsensusSignals.Clamp(b) + 1) / 2;
        }

        if (r == 0)
        {
            r = Neutral;
        }

        if (vol > HighVolatility)
        {
            r *= HighVolatilityFactor;
        }

        return Math.Clamp(r, 0, 1);
    }

    private static double? Finite(double? x) => x is { } v && double.IsFinite(v) ? v : null;
}
