using SentryBrain.Signals;
using SentryBrain.Tests.Signals.Patterns;

namespace SentryBrain.Tests.Signals;

public sealed class TechnicalScoreTests
{
    private const int Precision = 9;

    // Closed forms used below.
    //
    // Constant c then one last close c + d ("jump"): every EMA equals c until the jump, then
    // EMA12 = c + (2/13)·d and EMA26 = c + (2/27)·d, so MACD = d·(2/13 − 2/27) = 28·d/351. The previous MACD and
    // signal were 0, so signal = 0.2·MACD and histogram h = 0.8·28·d/351 (the reference, whose signal line was 0,
    // would use 28·d/351). MACD score = clamp(h / (0.02 · mean(last 30)), ±1).
    // Wilder RSI of the same series: all earlier changes are 0, the last is +d ⇒ average loss 0, gain > 0 ⇒ RSI 100
    // ⇒ RSI score −0.5 − 30/60 = −1 (a drop gives RSI 0 ⇒ 0.5 + 30/60 = +1).
    private static double[] Jump(int count, double d) => Series.Concat(Series.Flat(100, count - 1), [100 + d]);

    private static double JumpMacdScore(double d)
    {
        var h = 0.8 * 28 * d / 351;
        var mean = ((29 * 100) + 100 + d) / 30;
        return Math.Clamp(h / (0.02 * mean), -1, 1);
    }

    /// <summary>
    /// 15 closes: seven rises of 1 then seven falls of 0.5, then flat. Wilder RSI(14): the first value averages the
    /// first 14 changes, gain 7/14 = 0.5, loss 3.5/14 = 0.25 ⇒ RSI = 100 − 100/(1 + 2) = 66.67 ⇒ score (50 − 66.67)/50
    /// = −1/3. Flat closes after that scale both averages by 13/14, so the RSI and the score stay the same.
    /// </summary>
    private static double[] SevenUpSevenDown(int count)
        => Series.Concat(Series.Line(100, 1, 8), Series.Line(106.5, -0.5, 7), Series.Flat(103.5, count - 15));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(14)]
    public void FewerThan15Values_IsNull(int count)
    {
        Assert.Null(TechnicalScore.Compute(Series.Line(100, 1, count)));
    }

    [Theory]
    [InlineData(15)]
    [InlineData(20)]
    [InlineData(34)]
    public void From15To34Values_OnlyTheRsi(int count)
    {
        Assert.Equal(-1.0 / 3, TechnicalScore.Compute(SevenUpSevenDown(count))!.Value, Precision);
        // A jump at 34 values already has a histogram value (index 33), but the MACD needs 35 ⇒ RSI score −1 alone.
        Assert.Equal(-1.0, TechnicalScore.Compute(Jump(count, 10))!.Value, Precision);
    }

    [Theory]
    // 35 closes, +10: h = 224/351 = 0.6382, mean(last 30) = 3010/30 = 100.33 ⇒ MACD 0.6382/2.0067 = 0.3180;
    // score = (−1 + 0.3180)/2 = −0.3410.
    [InlineData(35, 10)]
    // −10: RSI score +1, h = −0.6382, mean 2990/30 = 99.67 ⇒ MACD −0.3202; score = (1 − 0.3202)/2 = 0.3399.
    [InlineData(35, -10)]
    // 45 closes: the patterns are allowed but all 0 (no extrema, no pole), so they are left out ⇒ same two parts.
    [InlineData(45, 10)]
    [InlineData(100, -10)]
    public void From35Values_RsiAndMacd(int count, double d)
    {
        var rsiScore = d > 0 ? -1.0 : 1.0;
        var expected = (rsiScore + JumpMacdScore(d)) / 2;
        Assert.Equal(expected, TechnicalScore.Compute(Jump(count, d))!.Value, Precision);
    }

    [Fact]
    public void UseMacdFalse_LeavesOnlyTheRsi()
    {
        var options = new TechnicalScoreOptions(UseMacd: false);
        Assert.Equal(-1.0, TechnicalScore.Compute(Jump(35, 10), options)!.Value, Precision);
    }

    [Fact]
    public void MacdOfALine_IsZero_AndStillCounts()
    {
        // On a line every SMA-seeded EMA(N) is c − b·(N − 1)/2, so MACD = 7·b is constant, the signal equals it and
        // the histogram is 0 ⇒ MACD score 0, which (unlike a pattern) is still a component: RSI 100 ⇒ (−1 + 0)/2.
        Assert.Equal(0, TechnicalScore.MacdScore(Series.Line(100, 1, 35)), Precision);
        Assert.Equal(-0.5, TechnicalScore.Compute(Series.Line(100, 1, 35))!.Value, Precision);
    }

    [Fact]
    public void MacdScore_UsesTheRealSignalLine()
    {
        // +10 jump: 0.8·(28·10/351)/(0.02·100.33) = 0.3180, not the reference's 28·10/351/2.0067 = 0.3975.
        Assert.Equal(0.8 * 280 / 351 / (0.02 * 3010 / 30), TechnicalScore.MacdScore(Jump(35, 10)), Precision);
        // Fewer than 34 closes: no histogram ⇒ 0.
        Assert.Equal(0, TechnicalScore.MacdScore(Jump(33, 10)));
    }

    [Fact]
    public void MacdComponent_IsClamped()
    {
        // +50: h = 0.8·28·50/351 = 3.191, mean = 3050/30 = 101.67 ⇒ 3.191/2.033 = 1.569 ⇒ clamped to 1;
        // score (−1 + 1)/2 = 0 (unclamped it would be 0.28).
        Assert.Equal(1.0, TechnicalScore.MacdScore(Jump(35, 50)), Precision);
        Assert.Equal(0.0, TechnicalScore.Compute(Jump(35, 50))!.Value, Precision);
    }

    /// <summary>
    /// The −0.6 double top of the pattern tests: 95 → 105 (8) → 100 (16) → 106 (24) → 97 (39). With the RSI period
    /// set to n − 1 Wilder's RSI is its seed, the plain mean of all changes: gains 10 + 6 = 16, losses 5 + 9 = 14 ⇒
    /// RSI = 100·16/30 = 53.33 ⇒ score (50 − 53.33)/50 = −1/15. The inverse H&amp;S has one trough (0) and the flag no
    /// pole (the largest 5-bar move ending at least 3 bars before the last close is 102.25 → 106 = 3.7 %, whose flag
    /// high 106 is above 97) ⇒ both left out.
    /// </summary>
    private static double[] DoubleTop() => Series.Path((0, 95), (8, 105), (16, 100), (24, 106), (39, 97));

    [Fact]
    public void From40Values_NonZeroPatternsJoin()
    {
        var options = new TechnicalScoreOptions(UseMacd: false, RsiPeriod: 39);
        // (−1/15 − 0.6)/2 = −1/3.
        Assert.Equal(-1.0 / 3, TechnicalScore.Compute(DoubleTop(), options)!.Value, Precision);
        // Patterns off ⇒ −1/15.
        Assert.Equal(-1.0 / 15, TechnicalScore.Compute(DoubleTop(), options with { UsePatterns = false })!.Value, Precision);
    }

    [Fact]
    public void At39Values_NoPatterns()
    {
        // Dropping the first close (95; the series starts at 96.25): gains 8.75 + 6 = 14.75, losses 14, RSI(38) =
        // 100·14.75/28.75 = 51.30 ⇒ score −0.0261, and the double top (still there) is not looked at.
        var closes = DoubleTop()[1..];
        var options = new TechnicalScoreOptions(UseMacd: false, RsiPeriod: 38);
        Assert.Equal((50 - (100 * 14.75 / 28.75)) / 50, TechnicalScore.Compute(closes, options)!.Value, Precision);
    }

    [Fact]
    public void RsiPeriodLongerThanTheSeries_AndNoOtherPart_IsNull()
    {
        Assert.Null(TechnicalScore.Compute(Series.Line(100, 1, 20), new TechnicalScoreOptions(RsiPeriod: 30)));
    }

    [Fact]
    public void NonFiniteValue_IsNull()
    {
        var closes = Jump(40, 10);
        closes[10] = double.PositiveInfinity;
        Assert.Null(TechnicalScore.Compute(closes));
    }

    [Fact]
    public void Results_AreAlwaysBounded()
    {
        var random = new Random(7);
        for (var run = 0; run < 200; run++)
        {
            var closes = new double[15 + random.Next(120)];
            var price = 100.0;
            for (var i = 0; i < closes.Length; i++)
            {
                price = Math.Max(0.5, price * (1 + ((random.NextDouble() - 0.5) * 0.2)));
                closes[i] = price;
            }

            var score = TechnicalScore.Compute(closes);
            Assert.NotNull(score);
            Assert.InRange(score.Value, -1, 1);
        }
    }

    // ---------------------------------------------------------------- momentum (checklist item 3)

    [Fact]
    public void MacdHistogramTurnedUp_NegativeThenPositive()
    {
        // 38 × 100, then 99, then 101 (d = −1 then +2 from 99).
        // At 99: MACD1 = −28/351 = −0.0798, signal = 0.2·MACD1, h = 0.8·MACD1 = −0.0638 < 0.
        // At 101: EMA12 = (11/13)(100 − 2/13) + (2/13)·101 = 100 − 22/169 + 2/13, EMA26 = 100 − 50/729 + 2/27,
        // MACD2 = −22/169 + 50/729 + 2/13 − 2/27 = 0.0182; signal = 0.8·0.2·MACD1 + 0.2·MACD2;
        // h = 0.8·MACD2 − 0.16·MACD1 = 0.0145 + 0.0128 = 0.0273 > 0 ⇒ turned up.
        Assert.True(Momentum.MacdHistogramTurnedUp(Series.Concat(Series.Flat(100, 38), [99, 101])));
        // Staying at 99: MACD2 = −22/169 + 50/729 − 28/351 = −0.1414; h = 0.8·(−0.1414) + 0.0128 = −0.1003 < 0 ⇒ no.
        Assert.False(Momentum.MacdHistogramTurnedUp(Series.Concat(Series.Flat(100, 38), [99, 99])));
        // A jump from a flat line: h > 0 but the previous histogram values are all 0, none negative ⇒ no.
        Assert.False(Momentum.MacdHistogramTurnedUp(Jump(40, 10)));
        // 34 closes: a single histogram value ⇒ no.
        Assert.False(Momentum.MacdHistogramTurnedUp(Series.Concat(Series.Flat(100, 32), [99, 101])));
    }

    /// <summary>
    /// 40 closes: 120 → 100 (index 20, a trough after 20 straight falls of 1) → 107 (27) → <paramref name="secondLow"/>
    /// (33) → 104 (39). Troughs in the last 30 (indices 10–39): 20 and 33. Wilder RSI at 20: the average gain is 0
    /// ⇒ RSI 0. At 33 the seven rises 100 → 107 left a positive average gain ⇒ RSI &gt; 0 (≈ 23.8).
    /// </summary>
    private static double[] Divergence(double secondLow)
        => Series.Path((0, 120), (20, 100), (27, 107), (33, secondLow), (39, 104));

    [Theory]
    // Price lower low (99.5 < 100), RSI higher low (> 0 vs 0) ⇒ divergence.
    [InlineData(99.5, true)]
    // Price higher low (100.5 > 100) ⇒ no divergence.
    [InlineData(100.5, false)]
    // Equal lows are not lower ⇒ no.
    [InlineData(100, false)]
    public void BullishDivergence_LowerPriceLow_HigherRsiLow(double secondLow, bool expected)
    {
        Assert.Equal(expected, Momentum.BullishDivergence(Divergence(secondLow)));
    }

    [Fact]
    public void BullishDivergence_RsiLowerLow_IsNoDivergence()
    {
        // 100 → 114 (14 rises of 1) → 111 (17) → 118 (21) → 110 (33) → 113 (39). Troughs 17 and 33: price lower low
        // (110 < 111). RSI at 14 is 100 (gain 1, loss 0); three falls of 1 give gain (13/14)³ = 2197/2744 and loss
        // (1/14)(13/14 + 1) + … = 547/2744 ⇒ RSI(17) = 100·2197/2744 = 80.07. After four rises of 1.75 and twelve
        // falls of 0.67 the RSI at 33 is about 48.6 < 80.07 ⇒ the RSI made a lower low too ⇒ no divergence.
        var closes = Series.Path((0, 100), (14, 114), (17, 111), (21, 118), (33, 110), (39, 113));
        Assert.False(Momentum.BullishDivergence(closes));
    }

    [Fact]
    public void BullishDivergence_NeedsTwoTroughs()
    {
        Assert.False(Momentum.BullishDivergence(Series.Line(140, -1, 40)));
        Assert.False(Momentum.BullishDivergence([]));
    }

    [Fact]
    public void MomentumIsOk_NullUnder20Values_ElseEitherSignal()
    {
        Assert.Null(Momentum.IsOk(Series.Line(100, 1, 19)));
        Assert.True(Momentum.IsOk(Divergence(99.5)));
        Assert.True(Momentum.IsOk(Series.Concat(Series.Flat(100, 38), [99, 101])));
        // Flat: no troughs (flat points are neither), histogram exactly 0 ⇒ false.
        Assert.False(Momentum.IsOk(Series.Flat(100, 40)));
    }

    // ---------------------------------------------------------------- prob_gain (§3.9)

    [Theory]
    // All missing ⇒ 0.5.
    [InlineData(null, null, null, 0.5)]
    // r = 0.6·(1.01/2) + 0.4·(1.02/2) = 0.303 + 0.204 = 0.507.
    [InlineData(0.01, 0.02, null, 0.507)]
    // Same with vol 0.3 (not high) ⇒ 0.507; vol 0.5 is not > 0.5 ⇒ 0.507.
    [InlineData(0.01, 0.02, 0.3, 0.507)]
    [InlineData(0.01, 0.02, 0.5, 0.507)]
    // vol 0.6 > 0.5 ⇒ 0.507·0.7 = 0.3549.
    [InlineData(0.01, 0.02, 0.6, 0.3549)]
    // Only r1 = 0.5: 0.6·1.5/2 = 0.45 (no renormalisation, as in the reference).
    [InlineData(0.5, null, null, 0.45)]
    // Only r1 = 0: 0.6·1/2 = 0.3.
    [InlineData(0.0, null, null, 0.3)]
    // Only r5 = −0.5: 0.4·0.5/2 = 0.1.
    [InlineData(null, -0.5, null, 0.1)]
    // r1 = −1 (and r5 = −3, clamped to −1): both terms 0 ⇒ r == 0 ⇒ 0.5.
    [InlineData(-1.0, null, null, 0.5)]
    [InlineData(-1.0, -3.0, null, 0.5)]
    // r == 0 ⇒ 0.5, then high vol ⇒ 0.35.
    [InlineData(-1.0, -1.0, 0.9, 0.35)]
    // Only vol, high: r == 0 ⇒ 0.5 ⇒ 0.35; only vol, low ⇒ 0.5.
    [InlineData(null, null, 0.8, 0.35)]
    [InlineData(null, null, 0.2, 0.5)]
    // Returns beyond ±1 are clamped: 0.6·1 + 0.4·1 = 1.
    [InlineData(2.0, 5.0, null, 1.0)]
    public void ProbGain_FollowsTheReference(double? r1, double? r5, double? vol, double expected)
    {
        Assert.Equal(expected, ProbGain.Compute(r1, r5, vol), Precision);
    }

    [Fact]
    public void ProbGain_NonFiniteInputs_CountAsMissing()
    {
        Assert.Equal(0.5, ProbGain.Compute(double.NaN, null, double.PositiveInfinity), Precision);
        // r1 missing, r5 = 0.02 ⇒ 0.4·1.02/2 = 0.204.
        Assert.Equal(0.204, ProbGain.Compute(double.NaN, 0.02, null), Precision);
    }

    /// <summary>
    /// The shared-pass form the live feed uses equals the two separate functions, bit for bit, on random walks with
    /// troughs, flat stretches, non-finite closes and every length around the thresholds (15, 20, 35, 40), for the
    /// default options and for ones that switch parts off or use another RSI period.
    /// </summary>
    [Fact]
    public void ComputeWithMomentum_EqualsTheSeparateFunctions()
    {
        var rng = new Random(11);
        TechnicalScoreOptions[] optionSets =
        [
            TechnicalScoreOptions.Default,
            new(UseMacd: false),
            new(UsePatterns: false, PatternLookback: 20),
            new(RsiPeriod: 9),
        ];
        var compared = 0;
        var divergences = 0;
        var turns = 0;
        for (var k = 0; k < 3000; k++)
        {
            var length = k < 130 ? k : rng.Next(0, 130);
            var closes = new double[length];
            var price = 100.0;
            for (var i = 0; i < length; i++)
            {
                price += rng.Next(4) == 0 ? 0 : Math.Round((rng.NextDouble() - 0.5) * 2, 2);
                closes[i] = price;
            }

            if (length > 0 && rng.Next(10) == 0)
            {
                closes[rng.Next(length)] = rng.Next(2) == 0 ? double.NaN : double.PositiveInfinity;
            }

            foreach (var options in optionSets)
            {
                var (score, momentum) = TechnicalScore.ComputeWithMomentum(closes, options);
                var expectedScore = TechnicalScore.Compute(closes, options);
                var expectedMomentum = Momentum.IsOk(closes);
                Assert.Equal(expectedScore.HasValue, score.HasValue);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expectedScore ?? 0), BitConverter.DoubleToInt64Bits(score ?? 0));
                Assert.Equal(expectedMomentum, momentum);
                compared++;
            }

            divergences += Momentum.BullishDivergence(closes) ? 1 : 0;
            turns += Momentum.MacdHistogramTurnedUp(closes) ? 1 : 0;
        }

        // The walks must exercise both momentum signals, or the comparison proves little.
        Assert.True(divergences > 50 && turns > 50, $"{divergences} divergences, {turns} MACD turns in {compared / optionSets.Length} series");
    }
}
