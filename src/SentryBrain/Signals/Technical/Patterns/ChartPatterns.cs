namespace SentryBrain.Signals.Technical.Patterns;

/// <summary>
/// Chart patterns on closes (BEHAVIOR §3.5). Each detector looks at the last <c>lookback</c> (or <c>window</c>)
/// closes, or all of them when fewer, and returns a score in [−1, 1]: negative for a confirmed bearish pattern,
/// positive for a bullish one, 0 when the pattern is absent or not yet confirmed by the last close. Extrema come from
/// <see cref="Extrema.FindDistinct"/> (plateaus count once; the reference counted every tied bar, see
/// <see cref="Extrema"/>). Percentage tests are done multiplicatively (|b − a|·100 ≤ tol·a) so that a boundary case
/// such as 100 → 102 at a 2 % tolerance is inside, as the definition intends, whatever the rounding of a division.
/// Allocation-free for windows up to 256 values; never throws on bad prices (non-positive or NaN levels score 0).
/// </summary>
public static class ChartPatterns
{
    /// <summary>A neckline or trough break of this many percent scores ±1 (linear below).</summary>
    public const double BreakFullScorePct = 5;

    /// <summary>Flag pole length in bars (changes).</summary>
    public const int FlagPoleBars = 5;

    /// <summary>Minimum absolute pole move in percent.</summary>
    public const double FlagPoleMinPct = 3;

    /// <summary>Shortest flag in bars.</summary>
    public const int FlagMinBars = 3;

    /// <summary>Longest flag in bars.</summary>
    public const int FlagMaxBars = 15;

    /// <summary>A flag break of this many percent scores ±1 (linear below).</summary>
    public const double FlagBreakFullScorePct = 3;

    private const int MaxStackWindow = 256;

    /// <summary>
    /// Double top (bearish). In the last <paramref name="lookback"/> closes: at least two peaks and one trough; the
    /// last two peaks P1, P2 satisfy |P2 − P1|/P1·100 ≤ <paramref name="tolerancePct"/>; T = the lowest trough
    /// strictly between them (none ⇒ 0); when the last close is below T the score is −min(1, ((T − last)/T·100)/5),
    /// otherwise 0.
    /// </summary>
    /// <example>Peaks 105 and 106, trough 100 between, last 97: break 3 % ⇒ −min(1, 3/5) = −0.6.</example>
    public static double DoubleTop(ReadOnlySpan<double> closes, int lookback = 40, double tolerancePct = 2)
    {
        ValidateLookback(lookback, tolerancePct);
        var w = Tail(closes, lookback);
        if (w.Length < (2 * Extrema.Window) + 1)
        {
            return 0;
        }

        Span<int> peaks = w.Length <= MaxStackWindow ? stackalloc int[w.Length] : new int[w.Length];
        Span<int> troughs = w.Length <= MaxStackWindow ? stackalloc int[w.Length] : new int[w.Length];
        var peakCount = Extrema.FindDistinct(w, peaks: true, peaks);
        var troughCount = Extrema.FindDistinct(w, peaks: false, troughs);
        if (peakCount < 2 || troughCount < 1)
        {
            return 0;
        }

        var p1 = peaks[peakCount - 2];
        var p2 = peaks[peakCount - 1];
        if (!WithinTolerance(w[p1], w[p2], tolerancePct))
        {
            return 0;
        }

        var support = double.PositiveInfinity;
        for (var k = 0; k < troughCount; k++)
        {
            var t = troughs[k];
            if (t > p1 && t < p2 && w[t] < support)
            {
                support = w[t];
            }
        }

        var last = w[^1];
        if (double.IsPositiveInfinity(support) || !(support > 0) || !(last < support))
        {
            return 0;
        }

        return -BreakScore(support - last, support, BreakFullScorePct);
    }

    /// <summary>
    /// Inverse head and shoulders (bullish). In the last <paramref name="lookback"/> closes: at least three troughs;
    /// the last three are the left shoulder L, head H and right shoulder R; H is strictly below both shoulders;
    /// |R − L|/L·100 ≤ <paramref name="tolerancePct"/>; the neckline is the highest peak strictly between L and R;
    /// when the last close is above it the score is +min(1, ((last − neckline)/neckline·100)/5), otherwise 0.
    /// <para>
    /// Deviation: the reference asked for "≥ 2 peaks between the shoulders", which also accepted two reaction highs
    /// on the same side of the head (no rally between head and right shoulder, so no neckline there). Here at least
    /// one peak must lie between L and H and at least one between H and R (which implies ≥ 2); the neckline is still
    /// the highest of all peaks between the shoulders.
    /// </para>
    /// </summary>
    /// <example>Shoulders 96 and 97, head 90, reaction highs 99 and 100, last 103: break 3 % ⇒ min(1, 3/5) = 0.6.</example>
    public static double InverseHeadAndShoulders(ReadOnlySpan<double> closes, int lookback = 40, double tolerancePct = 3)
        => HeadAndShoulders(closes, lookback, tolerancePct, inverse: true);

    /// <summary>
    /// Head and shoulders top (bearish; the reference used it only in the structure filter): the mirror of
    /// <see cref="InverseHeadAndShoulders"/> on peaks. The last three peaks are L, H, R with H strictly above both
    /// shoulders, |R − L|/L·100 ≤ <paramref name="tolerancePct"/>; the neckline is the lowest trough strictly between
    /// L and R (at least one trough on each side of the head, the same deviation as the inverse pattern); a last close
    /// below it scores −min(1, ((neckline − last)/neckline·100)/5).
    /// </summary>
    public static double BearishHeadAndShoulders(ReadOnlySpan<double> closes, int lookback = 40, double tolerancePct = 3)
        => HeadAndShoulders(closes, lookback, tolerancePct, inverse: false);

    /// <summary>
    /// Bull or bear flag: a 5-bar pole of at least 3 %, a flag of 3–15 bars, and the last close breaking out of the
    /// flag range in the pole's direction. Bull: last &gt; flag high ⇒ min(1, ((last − high)/high·100)/3); bear: last &lt;
    /// flag low ⇒ −min(1, ((low − last)/low·100)/3). Over the flag lengths the strongest score of each direction is
    /// kept (as in the reference); if both directions fire the larger magnitude wins (equal magnitudes ⇒ 0).
    /// <para>
    /// Deviation: the reference fixed the pole at the first 5 bars of the 30-bar window (w[0] → w[5]) and the flag at
    /// w[5 .. 5 + f), so the "breakout" compared the last close with bars 20–25 bars old and ignored everything in
    /// between. Here the pattern is anchored at the end, as a flag is read: for each flag length f the flag is the f
    /// closes just before the last one (c[n−1−f .. n−2]) and the pole is the 5 bars ending at the flag's first close
    /// (c[n−6−f] → c[n−1−f]; the pole's last close is also the flag's first, as in the reference). Pole, flag and
    /// breakout bar must fit in the last <paramref name="window"/> closes; 30 (the default) always fits all lengths.
    /// </para>
    /// </summary>
    /// <example>Pole 100 → 105 (5 %), flag high 105, last 106.575: break 1.5 % ⇒ min(1, 1.5/3) = 0.5.</example>
    public static double Flag(ReadOnlySpan<double> closes, int window = 30)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var w = Tail(closes, window);
        var n = w.Length;
        if (n < FlagPoleBars + FlagMinBars + 1)
        {
            return 0;
        }

        var last = w[n - 1];
        var bull = 0.0;
        var bear = 0.0;
        for (var f = FlagMinBars; f <= FlagMaxBars && FlagPoleBars + f + 1 <= n; f++)
        {
            var flagStart = n - 1 - f;
            var poleStart = flagStart - FlagPoleBars;
            var p0 = w[poleStart];
            var p1 = w[flagStart];
            if (!(p0 > 0))
            {
                continue;
            }

            var flag = w.Slice(flagStart, f);
            if ((p1 - p0) * 100 >= FlagPoleMinPct * p0)
            {
                var high = Max(flag);
                if (high > 0 && last > high)
                {
                    bull = Math.Max(bull, BreakScore(last - high, high, FlagBreakFullScorePct));
                }
            }
            else if ((p0 - p1) * 100 >= FlagPoleMinPct * p0)
            {
                var low = Min(flag);
                if (low > 0 && last < low)
                {
                    bear = Math.Min(bear, -BreakScore(low - last, low, FlagBreakFullScorePct));
                }
            }
        }

        if (bull > -bear)
        {
            return bull;
        }

        return -bear > bull ? bear : 0;
    }

    private static double HeadAndShoulders(ReadOnlySpan<double> closes, int lookback, double tolerancePct, bool inverse)
    {
        ValidateLookback(lookback, tolerancePct);
        var w = Tail(closes, lookback);
        if (w.Length < (2 * Extrema.Window) + 1)
        {
            return 0;
        }

        // Shoulders and head are troughs for the inverse pattern and peaks for the top; the neckline comes from the
        // other kind. "Beyond" means lower for troughs and higher for peaks.
        Span<int> pivots = w.Length <= MaxStackWindow ? stackalloc int[w.Length] : new int[w.Length];
        Span<int> reactions = w.Length <= MaxStackWindow ? stackalloc int[w.Length] : new int[w.Length];
        var pivotCount = Extrema.FindDistinct(w, peaks: !inverse, pivots);
        var reactionCount = Extrema.FindDistinct(w, peaks: inverse, reactions);
        if (pivotCount < 3 || reactionCount < 2)
        {
            return 0;
        }

        var left = pivots[pivotCount - 3];
        var head = pivots[pivotCount - 2];
        var right = pivots[pivotCount - 1];
        var headBeyond = inverse
            ? w[head] < w[left] && w[head] < w[right]
            : w[head] > w[left] && w[head] > w[right];
        if (!headBeyond || !WithinTolerance(w[left], w[right], tolerancePct))
        {
            return 0;
        }

        var neckline = inverse ? double.NegativeInfinity : double.PositiveInfinity;
        var beforeHead = false;
        var afterHead = false;
        for (var k = 0; k < reactionCount; k++)
        {
            var r = reactions[k];
            if (r <= left || r >= right)
            {
                continue;
            }

            beforeHead |= r < head;
            afterHead |= r > head;
            neckline = inverse ? Math.Max(neckline, w[r]) : Math.Min(neckline, w[r]);
        }

        if (!beforeHead || !afterHead || !(neckline > 0) || double.IsInfinity(neckline))
        {
            return 0;
        }

        var last = w[^1];
        if (inverse)
        {
            return last > neckline ? BreakScore(last - neckline, neckline, BreakFullScorePct) : 0;
        }

        return last < neckline ? -BreakScore(neckline - last, neckline, BreakFullScorePct) : 0;
    }

    /// <summary>min(1, (distance/level·100)/fullScorePct) for a positive distance beyond a positive level.</summary>
    private static double BreakScore(double distance, double level, double fullScorePct)
        => Math.Min(1.0, distance / level * 100 / fullScorePct);

    /// <summary>|b − a|/a·100 ≤ tol, evaluated as |b − a|·100 ≤ tol·a; false for a non-positive or NaN a.</summary>
    private static bool WithinTolerance(double a, double b, double tolerancePct)
        => a > 0 && Math.Abs(b - a) * 100 <= tolerancePct * a;

    private static ReadOnlySpan<double> Tail(ReadOnlySpan<double> values, int count)
        => values.Length <= count ? values : values[^count..];

    private static double Max(ReadOnlySpan<double> values)
    {
        var max = double.NegativeInfinity;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    private static double Min(ReadOnlySpan<double> values)
    {
        var min = double.PositiveInfinity;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
        }

        return min;
    }

    private static void ValidateLookback(int lookback, double tolerancePct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerancePct);
    }
}
