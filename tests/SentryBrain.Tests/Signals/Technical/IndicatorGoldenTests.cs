using SentryBrain.Market.Bars;
using SentryBrain.Signals.Technical;
using static SentryBrain.Tests.Signals.Technical.IndicatorAssert;

namespace SentryBrain.Tests.Signals.Technical;

/// <summary>
/// Every test drives BOTH the series function and the streaming form and checks both against numbers worked out
/// outside this code base (see <see cref="GoldenData"/> for the sources).
/// </summary>
public class IndicatorGoldenTests
{
    /// <summary>Expected values are exact rationals rounded once to double; our float arithmetic is far closer than this.</summary>
    private const double HandTolerance = 1e-9;

    private static readonly double[] HandCloses = GoldenData.Closes(GoldenData.HandBars);

    [Fact]
    public void Sma_HandSeries_MatchesIndependentReference()
    {
        Matches(Hand.Sma5, Sma.Series(HandCloses, 5), HandTolerance, "Sma.Series");
        Matches(Hand.Sma5, StreamSma(HandCloses, 5), HandTolerance, "Sma stream");
    }

    [Fact]
    public void Ema_HandSeries_MatchesIndependentReference()
    {
        Matches(Hand.Ema5, Ema.Series(HandCloses, 5), HandTolerance, "Ema.Series");
        Matches(Hand.Ema5, StreamEma(HandCloses, 5), HandTolerance, "Ema stream");
    }

    [Fact]
    public void Rsi_HandSeries_MatchesIndependentReference()
    {
        Matches(Hand.Rsi14, WilderRsi.Series(HandCloses, 14), HandTolerance, "WilderRsi.Series");
        Matches(Hand.Rsi14, StreamRsi(HandCloses, 14), HandTolerance, "WilderRsi stream");
    }

    [Fact]
    public void Macd_HandSeries_MatchesIndependentReference()
    {
        var series = Macd.Series(HandCloses);
        var stream = StreamMacd(HandCloses);
        foreach (var (label, results) in new[] { ("Macd.Series", series), ("Macd stream", stream) })
        {
            Matches(Hand.MacdLine, MacdLines(results), HandTolerance, label + " line");
            Matches(Hand.MacdSignal, MacdSignals(results), HandTolerance, label + " signal");
            Matches(Hand.MacdHist, MacdHistograms(results), HandTolerance, label + " histogram");
        }
    }

    [Fact]
    public void Atr_HandSeries_MatchesIndependentReference()
    {
        Matches(Hand.Atr14, Atr.Series(GoldenData.HandBars, 14), HandTolerance, "Atr.Series(14)");
        Matches(Hand.Atr14, StreamAtr(GoldenData.HandBars, 14), HandTolerance, "Atr stream(14)");
        Matches(Hand.Atr3, Atr.Series(GoldenData.HandBars, 3), HandTolerance, "Atr.Series(3)");
        Matches(Hand.Atr3, StreamAtr(GoldenData.HandBars, 3), HandTolerance, "Atr stream(3)");
    }

    [Fact]
    public void AtrPercentile_HandSeries_MatchesIndependentReference()
    {
        Matches(Hand.Atr3Pct10, AtrPercentile.Series(Atr.Series(GoldenData.HandBars, 3), 10), 0, "AtrPercentile.Series");
        Matches(Hand.Atr3Pct10, StreamAtrPercentile(GoldenData.HandBars, 3, 10), 0, "AtrPercentile stream");
    }

    [Fact]
    public void ReturnsZScore_HandSeries_MatchesIndependentReference()
    {
        Matches(Hand.Z20, ReturnsZScore.Series(HandCloses, 20), HandTolerance, "ReturnsZScore.Series(20)");
        Matches(Hand.Z20, StreamZScore(HandCloses, 20), HandTolerance, "ReturnsZScore stream(20)");
        Matches(Hand.Z5, ReturnsZScore.Series(HandCloses, 5), HandTolerance, "ReturnsZScore.Series(5)");
        Matches(Hand.Z5, StreamZScore(HandCloses, 5), HandTolerance, "ReturnsZScore stream(5)");
    }

    [Fact]
    public void RollingVwap_HandSeries_MatchesIndependentReference()
    {
        Matches(Hand.Vwap20, RollingVwap.Series(GoldenData.HandBars, 20), HandTolerance, "RollingVwap.Series(20)");
        Matches(Hand.Vwap20, StreamVwap(GoldenData.HandBars, 20), HandTolerance, "RollingVwap stream(20)");
        Matches(Hand.Vwap5, RollingVwap.Series(GoldenData.HandBars, 5), HandTolerance, "RollingVwap.Series(5)");
        Matches(Hand.Vwap5, StreamVwap(GoldenData.HandBars, 5), HandTolerance, "RollingVwap stream(5)");
    }

    [Fact]
    public void Rsi_StockChartsWorkedExample_MatchesPublishedTable()
    {
        Matches(StockChartsRsi.Rsi14, WilderRsi.Series(StockChartsRsi.Closes, 14), StockChartsRsi.Tolerance, "WilderRsi.Series");
        Matches(StockChartsRsi.Rsi14, StreamRsi(StockChartsRsi.Closes, 14), StockChartsRsi.Tolerance, "WilderRsi stream");
    }

    [Fact]
    public void TrueRange_StockChartsWorkedExample_MatchesPublishedColumn()
    {
        for (var i = 1; i < StockChartsAtr.Close.Length; i++)
        {
            var tr = Atr.TrueRange(StockChartsAtr.High[i], StockChartsAtr.Low[i], StockChartsAtr.Close[i - 1]);
            Assert.True(Math.Abs(tr - StockChartsAtr.TrueRange[i]) < 1e-9, $"TR[{i}]: expected {StockChartsAtr.TrueRange[i]}, got {tr}");
        }
    }

    [Fact]
    public void Atr_StockChartsWorkedExample_MatchesPublishedTable_ShiftedByOneBar()
    {
        // One extra bar in front whose close (48.16) lies inside the first published bar's range [47.79, 48.70]:
        // that bar's true range is then its H − L, as in the spreadsheet, and our index k + 1 is its index k.
        var first = StockChartsAtr.Close[0];
        var bars = new List<DailyBar> { new(new DateOnly(2010, 4, 30), first, first, first, first, 0) };
        for (var i = 0; i < StockChartsAtr.Close.Length; i++)
        {
            bars.Add(new DailyBar(new DateOnly(2010, 5, 3).AddDays(i), StockChartsAtr.Close[i], StockChartsAtr.High[i], StockChartsAtr.Low[i], StockChartsAtr.Close[i], 0));
        }

        double?[] expected = [null, .. StockChartsAtr.Atr14];
        Matches(expected, Atr.Series(bars.ToArray(), 14), StockChartsAtr.Tolerance, "Atr.Series");
        Matches(expected, StreamAtr(bars, 14), StockChartsAtr.Tolerance, "Atr stream");
    }

    [Fact]
    public void SmaAndEma_StockChartsWorkedExample_MatchPublishedTwoDecimalTable()
    {
        var closes = StockChartsMovingAverages.Closes;
        var tolerance = StockChartsMovingAverages.Tolerance;
        Matches(StockChartsMovingAverages.Sma10, Sma.Series(closes, 10), tolerance, "Sma.Series");
        Matches(StockChartsMovingAverages.Sma10, StreamSma(closes, 10), tolerance, "Sma stream");
        Matches(StockChartsMovingAverages.Ema10, Ema.Series(closes, 10), tolerance, "Ema.Series");
        Matches(StockChartsMovingAverages.Ema10, StreamEma(closes, 10), tolerance, "Ema stream");
    }

    [Fact]
    public void Macd_SkenderDefaultQuotes_MatchesPublishedValues()
    {
        var closes = SkenderMacd.Closes;
        Assert.Equal(502, closes.Length);
        var series = Macd.Series(closes);
        var stream = StreamMacd(closes);
        var fast = Ema.Series(closes, 12);
        var slow = Ema.Series(closes, 26);
        var fastStream = StreamEma(closes, 12);
        var slowStream = StreamEma(closes, 26);
        foreach (var (label, results) in new[] { ("Macd.Series", series), ("Macd stream", stream) })
        {
            Assert.Equal(477, results.Count(r => r.Macd is not null));
            Assert.Equal(469, results.Count(r => r.Signal is not null));
            Assert.Equal(469, results.Count(r => r.Histogram is not null));
            foreach (var p in SkenderMacd.Points)
            {
                AssertNear(p.Macd, results[p.Index].Macd, $"{label} macd[{p.Index}]");
                AssertNear(p.Signal, results[p.Index].Signal, $"{label} signal[{p.Index}]");
                AssertNear(p.Histogram, results[p.Index].Histogram, $"{label} histogram[{p.Index}]");
            }
        }

        foreach (var p in SkenderMacd.Points)
        {
            AssertNear(p.FastEma, fast[p.Index], $"Ema.Series(12)[{p.Index}]");
            AssertNear(p.FastEma, fastStream[p.Index], $"Ema stream(12)[{p.Index}]");
            AssertNear(p.SlowEma, slow[p.Index], $"Ema.Series(26)[{p.Index}]");
            AssertNear(p.SlowEma, slowStream[p.Index], $"Ema stream(26)[{p.Index}]");
        }
    }

    private static void AssertNear(double expected, double? actual, string label) =>
        Assert.True(actual is { } a && Math.Abs(a - expected) <= SkenderMacd.Tolerance, $"{label}: expected {expected}, got {actual}");
}
