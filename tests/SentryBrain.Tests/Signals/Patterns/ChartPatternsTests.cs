using SentryBrain.Signals.Technical.Patterns;

namespace SentryBrain.Tests.Signals.Patterns;

public sealed class ChartPatternsTests
{
    private const int Precision = 9;

    // ---------------------------------------------------------------- double top

    /// <summary>
    /// 40 closes: 95 → peak P1 = 105 at 8 → trough T = 100 at 16 → peak P2 at 24 → straight line to the last close at
    /// 39. Every segment is monotone, so the only extrema are 8, 16 and 24.
    /// </summary>
    private static double[] DoubleTopSeries(double secondPeak, double last)
        => Series.Path((0, 95), (8, 105), (16, 100), (24, secondPeak), (39, last));

    [Theory]
    // P2 106: |106 − 105|/105 = 0.95 % ≤ 2 %. last 97: break (100 − 97)/100 = 3 % ⇒ −min(1, 3/5) = −0.6.
    [InlineData(106, 97, -0.6)]
    // last 99: break 1 % ⇒ −0.2.
    [InlineData(106, 99, -0.2)]
    // last 94: break 6 % ⇒ −min(1, 1.2) = −1.
    [InlineData(106, 94, -1.0)]
    // A lower second peak, 103.5: |103.5 − 105|/105 = 1.43 % ⇒ still a double top; last 97 ⇒ −0.6.
    [InlineData(103.5, 97, -0.6)]
    // Near miss: P2 = 107.625 is 2.5 % above P1 (2.625/105) > 2 % ⇒ 0 although the trough is broken.
    [InlineData(107.625, 97, 0)]
    // Near miss: P2 = 102.375 is 2.5 % below P1 ⇒ 0.
    [InlineData(102.375, 97, 0)]
    // Near miss: support not broken, last 100.5 > T ⇒ 0; last = T exactly is not below it ⇒ 0.
    [InlineData(106, 100.5, 0)]
    [InlineData(106, 100, 0)]
    public void DoubleTop_ScoresTheBreakOfTheTroughBetweenTheLastTwoPeaks(double secondPeak, double last, double expected)
    {
        Assert.Equal(expected, ChartPatterns.DoubleTop(DoubleTopSeries(secondPeak, last)), Precision);
    }

    [Fact]
    public void DoubleTop_ToleranceBoundary_IsInside()
    {
        // P1 100 at 8, T 95 at 16, P2 102 at 24: exactly 2 % apart ⇒ inside. last 93.1: (95 − 93.1)/95 = 2 % ⇒ −0.4.
        var closes = Series.Path((0, 90), (8, 100), (16, 95), (24, 102), (39, 93.1));
        Assert.Equal(-0.4, ChartPatterns.DoubleTop(closes), Precision);
        // At a 1.9 % tolerance the same peaks are too far apart.
        Assert.Equal(0, ChartPatterns.DoubleTop(closes, tolerancePct: 1.9));
    }

    [Fact]
    public void DoubleTop_OnlyLooksAtTheLookback()
    {
        // 20 older closes with a far higher peak (130) in front of the −0.6 double top: outside the last 40 ⇒ same −0.6.
        var closes = Series.Concat(Series.Path((0, 110), (10, 130), (19, 96)), DoubleTopSeries(106, 97));
        Assert.Equal(60, closes.Length);
        Assert.Equal(-0.6, ChartPatterns.DoubleTop(closes), Precision);
    }

    [Fact]
    public void DoubleTop_PlateauSecondPeak_CountsOnce()
    {
        // P2 is a two-bar plateau 106, 106 at 24–25, then a line to 97 at 39. Raw extrema have peaks 8, 24, 25, so the
        // reference's "last two peaks" were 24 and 25 with no trough between ⇒ 0. The plateau counts once here:
        // peaks 8 and 24, T = 100 ⇒ break 3 % ⇒ −0.6.
        var closes = Series.Path((0, 95), (8, 105), (16, 100), (24, 106), (25, 106), (39, 97));
        Assert.Equal([8, 24, 25], Extrema.Peaks(closes));
        Assert.Equal(-0.6, ChartPatterns.DoubleTop(closes), Precision);
    }

    [Fact]
    public void DoubleTop_WithoutTwoPeaksOrATrough_IsZero()
    {
        Assert.Equal(0, ChartPatterns.DoubleTop(Series.Line(100, 1, 40)));
        Assert.Equal(0, ChartPatterns.DoubleTop(Series.Line(140, -1, 40)));
        Assert.Equal(0, ChartPatterns.DoubleTop([]));
        Assert.Equal(0, ChartPatterns.DoubleTop([100, 101, 100]));
    }

    // ---------------------------------------------------------------- inverse head and shoulders

    /// <summary>
    /// 40 closes: 104 → L = 96 at 6 → 99 at 12 → H at 18 → 100 at 24 → R at 30 → last at 39. Troughs 6, 18, 30; peaks
    /// 12 and 24 (one on each side of the head), so the neckline is max(99, 100) = 100.
    /// </summary>
    private static double[] InverseSeries(double head, double right, double last)
        => Series.Path((0, 104), (6, 96), (12, 99), (18, head), (24, 100), (30, right), (39, last));

    [Theory]
    // Head 90 < 96, 97; |97 − 96|/96 = 1.04 % ≤ 3 %; last 103: break (103 − 100)/100 = 3 % ⇒ min(1, 3/5) = 0.6.
    [InlineData(90, 97, 103, 0.6)]
    // last 101: break 1 % ⇒ 0.2.
    [InlineData(90, 97, 101, 0.2)]
    // last 106: break 6 % ⇒ min(1, 1.2) = 1.
    [InlineData(90, 97, 106, 1.0)]
    // Near miss: neckline not broken (99.5 < 100, and 100 is not above 100) ⇒ 0.
    [InlineData(90, 97, 99.5, 0)]
    [InlineData(90, 97, 100, 0)]
    // Near miss: the head 96.5 is not the lowest trough (L = 96 is lower) ⇒ 0.
    [InlineData(96.5, 97, 103, 0)]
    // Near miss: the head equals the left shoulder (not strictly lower) ⇒ 0.
    [InlineData(96, 97, 103, 0)]
    // Near miss: shoulders 96 and 99 differ by 3/96 = 3.125 % > 3 % ⇒ 0.
    [InlineData(90, 99, 103, 0)]
    public void InverseHeadAndShoulders_ScoresTheNecklineBreak(double head, double right, double last, double expected)
    {
        Assert.Equal(expected, ChartPatterns.InverseHeadAndShoulders(InverseSeries(head, right, last)), Precision);
    }

    [Fact]
    public void InverseHeadAndShoulders_BothReactionHighsBeforeTheHead_IsNotThePattern()
    {
        // Troughs L = 96 at 5, H = 90 at 15, R = 97 at 20; peaks 99 at 7 and 99.5 at 10, both BEFORE the head: 98.5 at
        // 8 is not a trough (97.5 at 6 is lower) and the rally 90 → 98 → 97 between H and R has no peak (98 at 19 is
        // topped by 99 at 21). The reference saw "≥ 2 peaks between the shoulders", neckline 99.5, last 103 ⇒
        // (3.5/99.5 · 100)/5 = 0.70; a neckline needs a reaction high on each side of the head, so here 0.
        var closes = Series.Path(
            (0, 104), (5, 96), (6, 97.5), (7, 99), (8, 98.5), (9, 98.8), (10, 99.5), (15, 90), (18, 97.8), (19, 98),
            (20, 97), (21, 99), (22, 100), (39, 103));
        Assert.Equal(40, closes.Length);
        Assert.Equal([5, 15, 20], Extrema.DistinctTroughs(closes));
        Assert.Equal([7, 10], Extrema.DistinctPeaks(closes));
        Assert.Equal(0, ChartPatterns.InverseHeadAndShoulders(closes));
    }

    [Fact]
    public void InverseHeadAndShoulders_TooFewTroughs_IsZero()
    {
        // Only the double-top shape: one trough.
        Assert.Equal(0, ChartPatterns.InverseHeadAndShoulders(DoubleTopSeries(106, 110)));
    }

    // ---------------------------------------------------------------- bearish head and shoulders

    /// <summary>
    /// 40 closes: 96 → L = 104 at 6 → 101 at 12 → H at 18 → 100 at 24 → R = 103 at 30 → last at 39. Peaks 6, 18, 30;
    /// troughs 12 and 24, so the neckline is min(101, 100) = 100.
    /// </summary>
    private static double[] TopSeries(double head, double last)
        => Series.Path((0, 96), (6, 104), (12, 101), (18, head), (24, 100), (30, 103), (39, last));

    [Theory]
    // Head 110 > 104, 103; |103 − 104|/104 = 0.96 %; last 97: break (100 − 97)/100 = 3 % ⇒ −min(1, 3/5) = −0.6.
    [InlineData(110, 97, -0.6)]
    // last 99: break 1 % ⇒ −0.2.
    [InlineData(110, 99, -0.2)]
    // last 92: break 8 % ⇒ −1.
    [InlineData(110, 92, -1.0)]
    // Near miss: neckline held (100 is not below 100) ⇒ 0.
    [InlineData(110, 100, 0)]
    // Near miss: the head 103.5 is below the left shoulder 104 ⇒ 0.
    [InlineData(103.5, 97, 0)]
    public void BearishHeadAndShoulders_ScoresTheNecklineBreak(double head, double last, double expected)
    {
        Assert.Equal(expected, ChartPatterns.BearishHeadAndShoulders(TopSeries(head, last)), Precision);
    }

    // ---------------------------------------------------------------- flag

    /// <summary>
    /// 30 closes: 19 × 100, a pole 101, 102, 103, 104, 105 (indices 19–23), a flag 104, 104.5, 104, 104.5, 105
    /// (24–28) and the last close. Flag length f uses the flag c[29 − f .. 28] and the pole c[24 − f] → c[29 − f]:
    /// f = 3: 103 → 104 (0.97 %), f = 4: 102 → 104.5 (2.45 %), f = 5: 101 → 104 (2.97 %) are no poles;
    /// f = 6: 100 → 105 (5 %), f = 7: 100 → 104 (4 %), f = 8: 100 → 103 (3 %) are, all with a flag high of 105;
    /// f ≥ 9: ≤ 2 % (no pole). So the score is min(1, ((last − 105)/105 · 100)/3).
    /// </summary>
    private static double[] BullFlag(double last)
        => Series.Concat(Series.Flat(100, 19), [101, 102, 103, 104, 105], [104, 104.5, 104, 104.5, 105], [last]);

    [Theory]
    // (106.575 − 105)/105 = 1.5 % ⇒ 0.5.
    [InlineData(106.575, 0.5)]
    // 3.15/105 = 3 % ⇒ 1.
    [InlineData(108.15, 1.0)]
    // 4/105 = 3.8 % ⇒ min(1, 1.27) = 1.
    [InlineData(109, 1.0)]
    // Near miss: at the flag high, or inside the flag ⇒ 0.
    [InlineData(105, 0)]
    [InlineData(104.9, 0)]
    public void Flag_Bull_ScoresTheBreakAboveTheFlagHigh(double last, double expected)
    {
        Assert.Equal(expected, ChartPatterns.Flag(BullFlag(last)), Precision);
    }

    [Fact]
    public void Flag_PoleOf2Point9Percent_IsNoFlag_ButThreePercentIs()
    {
        // 2.9 %: pole 100 → 102.9 in steps of 0.58 (indices 18–23), flag 102.4, 102.6, 102.4, 102.6, 102.9, last 104.
        // The largest 5-bar move ending at a flag start is 100 → 102.9 = 2.9 % < 3 % ⇒ 0.
        var nearMiss = Series.Concat(
            Series.Flat(100, 19), [100.58, 101.16, 101.74, 102.32, 102.9], [102.4, 102.6, 102.4, 102.6, 102.9], [104]);
        Assert.Equal(0, ChartPatterns.Flag(nearMiss));

        // 3 %: pole 100 → 103 in steps of 0.6, same flag. Only f = 6 has a pole (100 → 103; f = 5: 100.6 → 102.4 is
        // 1.8 %, f = 7: 100 → 102.4 is 2.4 %); its flag c[23..28] has high 103 ⇒ ((104 − 103)/103 · 100)/3 = 100/309.
        var flag = Series.Concat(
            Series.Flat(100, 19), [100.6, 101.2, 101.8, 102.4, 103], [102.4, 102.6, 102.4, 102.6, 102.9], [104]);
        Assert.Equal(100.0 / 309, ChartPatterns.Flag(flag), Precision);
    }

    [Fact]
    public void Flag_Bear_ScoresTheBreakBelowTheFlagLow()
    {
        // 19 × 100, pole 99, 98, 97, 96, 95, flag 96, 95.5, 96, 95.5, 95, last 93.575. Poles: f = 5: 99 → 96
        // (−3.03 %), f = 6: 100 → 95 (−5 %), f = 7: 100 → 96 (−4 %), f = 8: 100 → 97 (−3 %); f = 3, 4 move −1.03 %
        // and −2.55 %. Every valid flag has low 95 ⇒ −min(1, ((95 − 93.575)/95 · 100)/3) = −min(1, 1.5/3) = −0.5.
        var closes = Series.Concat(Series.Flat(100, 19), [99, 98, 97, 96, 95], [96, 95.5, 96, 95.5, 95], [93.575]);
        Assert.Equal(-0.5, ChartPatterns.Flag(closes), Precision);
        // Near miss: last 95.2 stays inside the flag ⇒ 0.
        closes[^1] = 95.2;
        Assert.Equal(0, ChartPatterns.Flag(closes));
    }

    [Fact]
    public void Flag_PoleAtTheWindowStartFollowedByAFlatMonth_IsNoFlag()
    {
        // Deviation from the reference, which fixed the pole at w[0] → w[5] (100 → 106, 6 %) and the flag at w[5..7]
        // (high 106), so this last close 107.06 scored min(1, (1.06/106 · 100)/3) = 1/3 although 21 flat bars separate
        // the "pole" from the "breakout". Anchored at the end, every pole here starts at index ≥ 9 in the flat 103s ⇒ 0.
        var closes = Series.Concat([100, 101.2, 102.4, 103.6, 104.8, 106, 105, 104], Series.Flat(103, 21), [107.06]);
        Assert.Equal(30, closes.Length);
        Assert.Equal(0, ChartPatterns.Flag(closes));
    }

    [Fact]
    public void Flag_UsesOnlyTheWindow()
    {
        // The bull flag needs 9 closes (pole 5 + flag 3 + breakout 1) at least; the valid flags here need 12 (f = 6).
        Assert.Equal(0, ChartPatterns.Flag(BullFlag(106.575), window: 8));
        Assert.Equal(0, ChartPatterns.Flag(BullFlag(106.575), window: 11));
        Assert.Equal(0.5, ChartPatterns.Flag(BullFlag(106.575), window: 12), Precision);
    }

    [Fact]
    public void Patterns_BadInput_DoNotThrow_AndScoreZero()
    {
        var withNaN = BullFlag(106.575);
        withNaN[^1] = double.NaN;
        Assert.Equal(0, ChartPatterns.Flag(withNaN));
        Assert.Equal(0, ChartPatterns.DoubleTop(Series.Flat(0, 40)));
        Assert.Equal(0, ChartPatterns.InverseHeadAndShoulders(Series.Flat(-5, 40)));
        Assert.Equal(0, ChartPatterns.BearishHeadAndShoulders([]));
        Assert.Equal(0, ChartPatterns.Flag([]));
    }
}
