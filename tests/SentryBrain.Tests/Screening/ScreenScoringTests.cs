using SentryBrain.Market;
using SentryBrain.Market.Bars;
using SentryBrain.Screening;

namespace SentryBrain.Tests.Screening;

/// <summary>
/// The screen's scoring (BEHAVIOR.md §8.3) on hand-worked series. Every expected value is written out as arithmetic
/// here (or computed by a naive loop in this file), never taken from the code under test.
/// </summary>
public class ScreenScoringTests
{
    /// <summary>Criteria with the price and volume floors off, so a test only meets the rule it is about.</summary>
    private static readonly ScreenCriteria NoFloors = new(MinVolume: 0, MinPrice: 0);

    /// <summary>
    /// 22 closes from 100 whose first 20 returns alternate +1 %, −1 % (mean 0, population std
    /// sqrt(20 · 0.01² / 20) = 0.01) and whose last return is <paramref name="lastReturn"/>.
    /// </summary>
    private static double[] OnePercentCloses(double lastReturn)
    {
        var closes = new double[22];
        closes[0] = 100;
        for (var i = 1; i <= 20; i++)
        {
            closes[i] = closes[i - 1] * (i % 2 == 1 ? 1.01 : 0.99);
        }

        closes[21] = closes[20] * (1 + lastReturn);
        return closes;
    }

    /// <summary>
    /// 22 closes exact in binary: 1024, then ×1.25 and ×0.75 alternately (returns exactly +0.25, −0.25: mean 0,
    /// population std sqrt(20 · 0.0625 / 20) = 0.25 with no rounding), then ×<paramref name="lastFactor"/>. The
    /// closes need at most 15¹⁰ · 7 ≈ 4·10¹² in the mantissa, so every division and subtraction is exact.
    /// </summary>
    private static double[] ExactCloses(double lastFactor)
    {
        var closes = new double[22];
        closes[0] = 1024;
        for (var i = 1; i <= 20; i++)
        {
            closes[i] = closes[i - 1] * (i % 2 == 1 ? 1.25 : 0.75);
        }

        closes[21] = closes[20] * lastFactor;
        return closes;
    }

    /// <summary><paramref name="count"/> volumes: the first <paramref name="count"/> − 1 at <paramref name="flat"/>, the last at <paramref name="last"/>.</summary>
    private static double[] Volumes(double flat, double last, int count = 22)
    {
        var volumes = new double[count];
        Array.Fill(volumes, flat);
        volumes[^1] = last;
        return volumes;
    }

    [Fact]
    public void Z_OfAlternatingOnePercentReturns_ThenPlusThreePercent_IsThree()
    {
        var s = ScreenScoring.Score("ACME", OnePercentCloses(0.03), Volumes(1_000_000, 1_000_000), NoFloors);

        // Z = (0.03 − 0) / 0.01 = 3; ratio = 1,000,000 / 1,000,000 = 1; score = |Z| + 2 · max(0, 1 − 1) = 3.
        Assert.Equal(ScreenStatus.Qualified, s.Status);
        Assert.Equal(3.0, s.Z!.Value, 1e-9);
        Assert.Equal(1.0, s.VolumeRatio);
        Assert.Equal(1_000_000, s.AverageVolume);
        Assert.Equal(3.0, s.Score, 1e-9);
        Assert.Equal(22, s.Bars);
        Assert.Equal("|Z|=3.00 vol=1.00x", s.Reason);
    }

    [Fact]
    public void Z_IsSigned_AndTheReasonShowsItsMagnitude()
    {
        var s = ScreenScoring.Score("ACME", OnePercentCloses(-0.0231), Volumes(1_000_000, 1_420_000), NoFloors);

        // Z = −0.0231 / 0.01 = −2.31; ratio = 1,420,000 / 1,000,000 = 1.42; score = 2.31 + 2 · 0.42 = 3.15.
        Assert.Equal(-2.31, s.Z!.Value, 1e-9);
        Assert.Equal(1.42, s.VolumeRatio!.Value, 1e-12);
        Assert.Equal(3.15, s.Score, 1e-9);
        Assert.Equal("|Z|=2.31 vol=1.42x", s.Reason);
    }

    [Fact]
    public void VolumeAverage_UsesExactlyTheWindowBeforeTheLastDay()
    {
        // 22 volumes: [0] is outside the 20-day window (days 1..20), [21] is the spike day.
        var volumes = Volumes(1_000_000, 1_500_000);
        volumes[0] = 99_000_000;
        volumes[1] = 3_000_000;

        var s = ScreenScoring.Score("ACME", ExactCloses(1.0), volumes, NoFloors);

        // average = (3,000,000 + 19 · 1,000,000) / 20 = 22,000,000 / 20 = 1,100,000; ratio = 1,500,000 / 1,100,000.
        Assert.Equal(1_100_000, s.AverageVolume!.Value, 1e-6);
        Assert.Equal(1_500_000.0 / 1_100_000.0, s.VolumeRatio!.Value, 1e-12);
    }

    [Fact]
    public void SpikeDay_IsExcludedFromItsOwnAverage()
    {
        var s = ScreenScoring.Score("ACME", ExactCloses(1.0), Volumes(2_000_000, 3_000_000), NoFloors);

        // Ours: 3,000,000 / mean(20 × 2,000,000) = 1.50 exactly.
        // The reference averaged the last 20 days including the spike: (19 · 2,000,000 + 3,000,000) / 20 = 2,050,000,
        // and 3,000,000 / 2,050,000 = 1.4634… (BEHAVIOR.md §12 item 32).
        const double reference = 3_000_000.0 / ((19 * 2_000_000.0 + 3_000_000.0) / 20);
        Assert.Equal(1.5, s.VolumeRatio);
        Assert.Equal(2_000_000, s.AverageVolume);
        Assert.NotEqual(reference, s.VolumeRatio!.Value, 1e-3);

        // Z = (0 − 0) / 0.25 = 0 (exact closes, last return 0); score = 0 + 2 · (1.5 − 1) = 1.
        Assert.Equal(0.0, s.Z);
        Assert.Equal(1.0, s.Score);
        Assert.Equal(ScreenStatus.Qualified, s.Status);
        Assert.Equal("|Z|=0.00 vol=1.50x", s.Reason);
    }

    [Theory]
    [InlineData(1.5, 2.0)] // return +0.5: Z = 0.5 / 0.25 = 2
    [InlineData(0.5, -2.0)] // return −0.5: Z = −0.5 / 0.25 = −2
    public void AbsZExactlyAtTheThreshold_DoesNotQualify(double lastFactor, double expectedZ)
    {
        var s = ScreenScoring.Score("ACME", ExactCloses(lastFactor), Volumes(1_000_000, 1_000_000), NoFloors with { ZThreshold = 2.0 });

        Assert.Equal(expectedZ, s.Z); // exact: the closes are exact in binary
        Assert.Equal(ScreenStatus.NotQualified, s.Status); // the rule is |Z| > 2.0
        Assert.Equal(2.0, s.Score); // still scored and ranked: 2 + 2 · max(0, 1 − 1)
    }

    [Fact]
    public void AbsZAboveTheThreshold_Qualifies()
    {
        // return +0.75: Z = 0.75 / 0.25 = 3 > 2; a threshold just under 2 lets Z = 2 through.
        Assert.Equal(ScreenStatus.Qualified, ScreenScoring.Score("ACME", ExactCloses(1.75), Volumes(1, 1), NoFloors).Status);
        Assert.Equal(3.0, ScreenScoring.Score("ACME", ExactCloses(1.75), Volumes(1, 1), NoFloors).Z);
        Assert.Equal(ScreenStatus.Qualified,
            ScreenScoring.Score("ACME", ExactCloses(1.5), Volumes(1, 1), NoFloors with { ZThreshold = 1.999 }).Status);
    }

    [Theory]
    [InlineData(15, 1_150_000)] // 1,150,000 / 1,000,000 = 1.15 = 1 + 15 %
    [InlineData(14, 1_140_000)] // 1 + 14 / 100.0 rounds to 1.1400000000000001: the threshold must be (100 + 14) / 100
    [InlineData(39, 1_390_000)]
    [InlineData(64, 1_640_000)]
    [InlineData(0, 1_000_000)]
    public void VolumeRatioExactlyAtTheSpike_Qualifies(double pct, double lastVolume)
    {
        var criteria = NoFloors with { VolumeSpikePct = pct };
        var s = ScreenScoring.Score("ACME", ExactCloses(1.0), Volumes(1_000_000, lastVolume), criteria);

        Assert.Equal(ScreenStatus.Qualified, s.Status); // the rule is ratio ≥ 1 + pct / 100
        Assert.Equal(0.0, s.Z);
    }

    [Fact]
    public void VolumeRatioJustBelowTheSpike_AndSmallZ_DoesNotQualify()
    {
        var s = ScreenScoring.Score("ACME", ExactCloses(1.0), Volumes(1_000_000, 1_149_999), NoFloors);

        Assert.Equal(ScreenStatus.NotQualified, s.Status);
        Assert.Equal(2 * (1.149999 - 1), s.Score, 1e-12); // 0 + 2 · 0.149999
        Assert.Equal("|Z|=0.00 vol=1.15x", s.Reason); // rounded for display only
    }

    [Theory]
    [InlineData(21, 20, 20, 22)] // the Z needs 20 + 2 closes
    [InlineData(0, 20, 20, 22)]
    [InlineData(22, 20, 30, 31)] // the average needs 30 + 1 volumes
    [InlineData(11, 10, 5, 12)]
    public void TooLittleHistory_IsReported_NotScored(int bars, int zPeriod, int window, int needs)
    {
        var closes = Enumerable.Range(0, bars).Select(i => 100.0 + (i % 3)).ToArray();
        var volumes = Enumerable.Repeat(5_000_000.0, bars).ToArray();
        var criteria = new ScreenCriteria(ZPeriod: zPeriod, VolumeWindow: window);

        var s = ScreenScoring.Score("ACME", closes, volumes, criteria);

        Assert.Equal(ScreenStatus.TooLittleHistory, s.Status);
        Assert.Null(s.Z);
        Assert.Null(s.VolumeRatio);
        Assert.Equal(0, s.Score);
        Assert.Equal(bars, s.Bars);
        Assert.Equal($"too little history: {bars} daily bars, needs {needs}", s.Reason);
        Assert.Empty(ScreenScoring.Rank([s]));
    }

    [Fact]
    public void OneBarMoreThanNeeded_IsScored()
    {
        var closes = new double[23];
        Array.Copy(ExactCloses(1.75), 0, closes, 1, 22);
        closes[0] = 1000; // outside both windows
        var s = ScreenScoring.Score("ACME", closes, Volumes(1_000_000, 1_000_000, 23), NoFloors);

        Assert.Equal(ScreenStatus.Qualified, s.Status);
        Assert.Equal(3.0, s.Z); // 0.75 / 0.25, the 1000 is not in the window
    }

    [Fact]
    public void LastCloseBelowTheMinimumPrice_IsFiltered_WithAReason()
    {
        var closes = ExactCloses(1.0);
        var scale = 4.99 / closes[^1];
        var cheap = closes.Select(c => c * scale).ToArray();
        var criteria = new ScreenCriteria(MinVolume: 0, MinPrice: 5);

        var s = ScreenScoring.Score("PENNY", cheap, Volumes(1_000_000, 3_000_000), criteria);

        Assert.Equal(ScreenStatus.Filtered, s.Status);
        Assert.Null(s.Z);
        Assert.Equal(0, s.Score);
        Assert.Equal("last close 4.99 below the minimum price 5", s.Reason);

        // Exactly at the minimum passes (≥).
        var atFloor = closes.Select(c => c * (5 / closes[^1])).ToArray();
        atFloor[^1] = 5;
        Assert.Equal(ScreenStatus.Qualified, ScreenScoring.Score("FIVE", atFloor, Volumes(1_000_000, 3_000_000), criteria).Status);
    }

    [Fact]
    public void AverageVolumeBelowTheMinimum_IsFiltered_WithAReason()
    {
        var criteria = new ScreenCriteria(MinVolume: 2_000_000, MinPrice: 0);

        var s = ScreenScoring.Score("THIN", ExactCloses(1.75), Volumes(1_999_999, 2_500_000), criteria);

        Assert.Equal(ScreenStatus.Filtered, s.Status);
        Assert.Equal(1_999_999, s.AverageVolume);
        Assert.Equal("volume 2,500,000 (average 1,999,999) below the minimum 2,000,000", s.Reason);
    }

    [Fact]
    public void LastVolumeBelowTheMinimum_IsFiltered_AndBothAtTheMinimumPass()
    {
        var criteria = new ScreenCriteria(MinVolume: 2_000_000, MinPrice: 0);

        var low = ScreenScoring.Score("THIN", ExactCloses(1.75), Volumes(2_000_000, 1_999_999), criteria);
        var at = ScreenScoring.Score("OK", ExactCloses(1.75), Volumes(2_000_000, 2_000_000), criteria);

        Assert.Equal(ScreenStatus.Filtered, low.Status);
        Assert.Equal("volume 1,999,999 (average 2,000,000) below the minimum 2,000,000", low.Reason);
        Assert.Equal(ScreenStatus.Qualified, at.Status);
    }

    [Fact]
    public void DefaultCriteria_AreTheReadmeRule()
    {
        var d = new ScreenCriteria();

        Assert.Equal(2.0, d.ZThreshold);
        Assert.Equal(1.15, d.SpikeRatio);
        Assert.Equal(2_000_000, d.MinVolume);
        Assert.Equal(5, d.MinPrice);
        Assert.Equal(22, d.MinBars); // max(20 + 2, 20 + 1)
    }

    [Fact]
    public void Ofi_IsAddedToTheScoreAsItsMagnitude_AndShownInTheReason()
    {
        var s = ScreenScoring.Score("ACME", ExactCloses(1.75), Volumes(1_000_000, 1_500_000), NoFloors, ofi: -0.4);
        var nan = ScreenScoring.Score("ACME", ExactCloses(1.75), Volumes(1_000_000, 1_500_000), NoFloors, ofi: double.NaN);

        // |Z| + 2 · (1.5 − 1) + |−0.4| = 3 + 1 + 0.4
        Assert.Equal(4.4, s.Score, 1e-12);
        Assert.Equal("|Z|=3.00 vol=1.50x ofi=-0.40", s.Reason);
        Assert.Equal(4.0, nan.Score);
        Assert.Equal("|Z|=3.00 vol=1.50x", nan.Reason);
    }

    [Fact]
    public void ConstantWindow_HasNoZ_ButIsStillScoredOnVolume()
    {
        var closes = Enumerable.Repeat(50.0, 21).Append(60.0).ToArray(); // 20 returns of 0: std 0

        var s = ScreenScoring.Score("FLAT", closes, Volumes(1_000_000, 2_000_000), NoFloors);

        Assert.Null(s.Z);
        Assert.Equal(ScreenStatus.Qualified, s.Status); // ratio 2 ≥ 1.15
        Assert.Equal(2.0, s.Score); // 0 + 2 · (2 − 1)
        Assert.Equal("|Z|=n/a vol=2.00x", s.Reason);
    }

    private static ScreenScore Scored(string symbol, ScreenStatus status, double score) =>
        new(symbol, status, 0, 1, 1, 10, 1, null, score, 22, null, string.Empty);

    [Fact]
    public void Rank_PutsQualifiedFirst_ThenScoreDescending_ThenSymbolOrdinal_AndDropsTheUnscored()
    {
        ScreenScore[] scores =
        [
            Scored("LOW", ScreenStatus.Qualified, 2.5),
            Scored("NQBIG", ScreenStatus.NotQualified, 9),
            Scored("MSFT", ScreenStatus.Qualified, 4),
            Scored("AAPL", ScreenStatus.Qualified, 4),
            Scored("Aapl", ScreenStatus.Qualified, 4), // ordinal: upper case sorts before lower case
            Scored("NQ", ScreenStatus.NotQualified, 1),
            Scored("FILT", ScreenStatus.Filtered, 100),
            Scored("SHORT", ScreenStatus.TooLittleHistory, 100),
        ];

        var ranked = ScreenScoring.Rank(scores);

        Assert.Equal(["AAPL", "Aapl", "MSFT", "LOW", "NQBIG", "NQ"], ranked.Select(s => s.Symbol));
        Assert.Equal(ranked.Select(s => s.Symbol), ScreenScoring.Rank(scores.Reverse()).Select(s => s.Symbol));
    }

    [Fact]
    public void Select_TakesTheBestQualified_WithoutFallback()
    {
        var ranked = ScreenScoring.Rank(
        [
            Scored("A", ScreenStatus.Qualified, 5),
            Scored("B", ScreenStatus.Qualified, 4),
            Scored("C", ScreenStatus.Qualified, 3),
            Scored("D", ScreenStatus.NotQualified, 2),
        ]);

        var (two, fallback) = ScreenScoring.Select(ranked, 2, fallbackTop: true);
        var (ten, _) = ScreenScoring.Select(ranked, 10, fallbackTop: true);

        Assert.False(fallback);
        Assert.Equal(["A", "B"], two.Select(s => s.Symbol));
        Assert.Equal(["A", "B", "C"], ten.Select(s => s.Symbol)); // never pads with names that did not qualify
    }

    [Fact]
    public void Select_WhenNothingQualifies_IsEmpty_OrTheBestScored_WithFallbackTop()
    {
        var ranked = ScreenScoring.Rank(
        [
            Scored("X", ScreenStatus.NotQualified, 1),
            Scored("Y", ScreenStatus.NotQualified, 1.5),
            Scored("Z", ScreenStatus.NotQualified, 0.5),
        ]);

        var (none, noFallback) = ScreenScoring.Select(ranked, 2, fallbackTop: false);
        var (top, fallback) = ScreenScoring.Select(ranked, 2, fallbackTop: true);

        Assert.Empty(none);
        Assert.False(noFallback);
        Assert.True(fallback);
        Assert.Equal(["Y", "X"], top.Select(s => s.Symbol));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScreenScoring.Select(ranked, 0, fallbackTop: true));
    }

    [Fact]
    public void Builder_DropsBarsOnOrAfterTheAsOfDate_AndOutOfOrderOrRepeatedDates()
    {
        var asOf = new DateOnly(2026, 3, 10);
        var columns = new ScreenColumns.Builder(asOf)
            .Symbol("AAA")
            .Add(new(2026, 3, 5), 10, 100)
            .Add(new(2026, 3, 6), 11, 110)
            .Add(new(2026, 3, 6), 99, 990) // repeated date
            .Add(new(2026, 3, 4), 98, 980) // out of order
            .Add(new(2026, 3, 9), 12, 120)
            .Add(new(2026, 3, 10), 97, 970) // the as-of day itself: look-ahead
            .Add(new(2026, 3, 11), 96, 960)
            .Add(new(2026, 3, 7), 95, 950) // before the as-of date, but older than the last kept bar (3-9)
            .Symbol("EMPTY")
            .Add(new(2026, 3, 10), 1, 1)
            .Symbol("BBB")
            .Add(new(2026, 1, 2), 20, 200)
            .Build();

        Assert.Equal(["AAA", "EMPTY", "BBB"], columns.Symbols);
        Assert.Equal([0, 3, 3, 4], columns.Offsets);
        Assert.Equal([10.0, 11, 12], columns.ClosesOf(0).ToArray());
        Assert.Equal([100.0, 110, 120], columns.VolumesOf(0).ToArray());
        Assert.Equal(new DateOnly(2026, 3, 9), columns.LastDateOf(0));
        Assert.Equal(0, columns.ClosesOf(1).Length);
        Assert.Null(columns.LastDateOf(1));
        Assert.Equal([20.0], columns.ClosesOf(2).ToArray());
        Assert.Equal(new DateOnly(2026, 1, 2), columns.LastDateOf(2));
    }

    [Fact]
    public void Builder_NeedsASymbolFirst_AndAnEmptyBuildHasNoSymbols()
    {
        var builder = new ScreenColumns.Builder(new DateOnly(2026, 3, 10));
        Assert.Throws<InvalidOperationException>(() => builder.Add(new(2026, 3, 5), 1, 1));
        Assert.Equal(0, builder.Build().Count);
    }

    [Fact]
    public void ScoreAll_EqualsScoreOverEachSymbolsArrays()
    {
        var random = new Random(12);
        var asOf = new DateOnly(2026, 6, 1);
        var builder = new ScreenColumns.Builder(asOf);
        var expected = new List<(string Symbol, double[] Closes, double[] Volumes, DateOnly? Last)>();
        var ofi = new Dictionary<string, double>();
        for (var s = 0; s < 60; s++)
        {
            var symbol = $"S{s:00}";
            var bars = random.Next(0, 40); // some with too little history
            var closes = new double[bars];
            var volumes = new double[bars];
            var price = random.NextDouble() * 30;
            builder.Symbol(symbol);
            for (var i = 0; i < bars; i++)
            {
                price *= 1 + ((random.NextDouble() - 0.5) * 0.1);
                closes[i] = price;
                volumes[i] = Math.Round(random.NextDouble() * 6_000_000);
                builder.Add(asOf.AddDays(i - bars), closes[i], volumes[i]);
            }

            if (s % 4 == 0)
            {
                ofi[symbol] = (random.NextDouble() * 2) - 1;
            }

            expected.Add((symbol, closes, volumes, bars > 0 ? asOf.AddDays(-1) : null));
        }

        var criteria = new ScreenCriteria(MinVolume: 1_000_000);
        var all = ScreenScoring.ScoreAll(builder.Build(), criteria, ofi);

        Assert.Equal(60, all.Length);
        for (var s = 0; s < expected.Count; s++)
        {
            var (symbol, closes, volumes, last) = expected[s];
            double? skew = ofi.TryGetValue(symbol, out var o) ? o : null;
            Assert.Equal(ScreenScoring.Score(symbol, closes, volumes, criteria, skew, last), all[s]);
        }

        Assert.Contains(all, s => s.Status == ScreenStatus.TooLittleHistory);
        Assert.Contains(all, s => s.Status is ScreenStatus.Qualified or ScreenStatus.NotQualified);
    }

    [Theory]
    [InlineData(22, 20, 1)]
    [InlineData(35, 20, 2)]
    [InlineData(35, 20, 3)]
    [InlineData(300, 20, 4)] // longer than the live daily ring (260 closes)
    [InlineData(35, 10, 5)]
    public void Z_EqualsTheLiveIndicatorsZScore_AtTheLastClose(int days, int period, int seed)
    {
        // One definition: warm the live indicators with every daily bar but the last, then ask ZScore(last close).
        var random = new Random(seed);
        var bars = new DailyBar[days];
        var price = 80.0;
        var date = new DateOnly(2025, 1, 2);
        for (var i = 0; i < days; i++)
        {
            price *= 1 + ((random.NextDouble() - 0.5) * 0.06);
            bars[i] = new DailyBar(date.AddDays(i), price, price * 1.01, price * 0.99, price, 3_000_000);
        }

        var live = new LiveIndicators(new LiveIndicatorOptions(ZScorePeriod: period));
        live.WarmUp(bars[..^1]);
        var liveZ = live.ZScore(bars[^1].Close);

        var closes = bars.Select(b => b.Close).ToArray();
        var volumes = bars.Select(b => b.Volume).ToArray();
        var screenZ = ScreenScoring.Score("ACME", closes, volumes, NoFloors with { ZPeriod = period }).Z;

        Assert.NotNull(liveZ);
        Assert.NotNull(screenZ);

        // The live ring sums its returns in storage order, the screen in date order: equal to rounding.
        Assert.Equal(liveZ.Value, screenZ.Value, Math.Max(1e-12, Math.Abs(liveZ.Value) * 1e-12));
    }

    [Fact]
    public void Z_OfAFlatHistory_IsNullLiveAndInTheScreen()
    {
        // 21 closes of 50 (20 returns of exactly 0: std 0), then 51.
        var closes = Enumerable.Repeat(50.0, 21).Append(51.0).ToArray();
        var bars = closes.Select((c, i) => new DailyBar(new DateOnly(2025, 1, 2).AddDays(i), c, c, c, c, 1)).ToArray();
        var live = new LiveIndicators(new LiveIndicatorOptions());
        live.WarmUp(bars[..^1]);

        Assert.Null(live.ZScore(closes[^1]));
        Assert.Null(ScreenScoring.Score("FLAT", closes, Volumes(1, 1), NoFloors).Z);
    }

    [Fact]
    public void Z_OfTheHandWorkedSeries_EqualsTheLiveIndicatorsZScore()
    {
        var closes = OnePercentCloses(0.03);
        var bars = closes.Select((c, i) => new DailyBar(new DateOnly(2025, 1, 2).AddDays(i), c, c, c, c, 1)).ToArray();
        var live = new LiveIndicators(new LiveIndicatorOptions());
        live.WarmUp(bars[..^1]);

        Assert.Equal(3.0, live.ZScore(closes[^1])!.Value, 1e-9);
        Assert.Equal(live.ZScore(closes[^1])!.Value, ScreenScoring.Score("ACME", closes, Volumes(1, 1), NoFloors).Z!.Value, 1e-12);
    }
}
