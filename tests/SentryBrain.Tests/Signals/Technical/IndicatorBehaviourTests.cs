using SentryBrain.Market.Bars;
using SentryBrain.Signals.Technical;
using SentryBrain.Tests.TestKit;
using static SentryBrain.Tests.Signals.Technical.IndicatorAssert;

namespace SentryBrain.Tests.Signals.Technical;

public class IndicatorBehaviourTests
{
    public static TheoryData<string> Samples => new() { SampleFiles.Aapl, SampleFiles.Sp500 };

    private static DailyBar[] Load(string name) => name == SampleFiles.Aapl ? SampleFiles.AaplDaily : SampleFiles.Sp500Daily;

    [Theory]
    [MemberData(nameof(Samples))]
    public void SeriesAndStreaming_AreBitIdentical_OnSampleFile(string file)
    {
        var bars = Load(file);
        var closes = GoldenData.Closes(bars);
        Identical(Sma.Series(closes, 20), StreamSma(closes, 20), "SMA(20)");
        Identical(Ema.Series(closes, 20), StreamEma(closes, 20), "EMA(20)");
        Identical(WilderRsi.Series(closes, 14), StreamRsi(closes, 14), "RSI(14)");
        var macdSeries = Macd.Series(closes);
        var macdStream = StreamMacd(closes);
        Identical(MacdLines(macdSeries), MacdLines(macdStream), "MACD line");
        Identical(MacdSignals(macdSeries), MacdSignals(macdStream), "MACD signal");
        Identical(MacdHistograms(macdSeries), MacdHistograms(macdStream), "MACD histogram");
        Identical(Atr.Series(bars, 14), StreamAtr(bars, 14), "ATR(14)");
        Identical(AtrPercentile.Series(Atr.Series(bars, 14), 60), StreamAtrPercentile(bars, 14, 60), "ATR percentile(60)");
        Identical(RollingVwap.Series(bars, 20), StreamVwap(bars, 20), "VWAP(20)");
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void ReturnsZScore_StreamingRunningSums_MatchTwoPassSeries_Within1e9(string file)
    {
        // The streaming form keeps a sliding Welford mean/M2 (O(1) per close); the series form is the two-pass
        // definition. They agree to rounding, not bit for bit.
        var closes = GoldenData.Closes(Load(file));
        var series = ReturnsZScore.Series(closes, 20);
        Matches(series, StreamZScore(closes, 20), 1e-9, "z-score(20)");
        Assert.Equal(closes.Length - 21, series.Count(v => v is not null));
    }

    [Fact]
    public void ReturnsZScore_DoesNotDrift_OverAMillionUpdates()
    {
        // A geometric random walk with a deterministic generator; compare the last 1,000 values with the series form.
        var random = new Random(7);
        var closes = new double[1_000_000];
        var price = 100.0;
        for (var i = 0; i < closes.Length; i++)
        {
            price *= 1 + ((random.NextDouble() - 0.5) * 0.04);
            closes[i] = price;
        }

        var z = new ReturnsZScore(20);
        var stream = new double?[closes.Length];
        for (var i = 0; i < closes.Length; i++)
        {
            z.Add(closes[i]);
            stream[i] = z.Value;
        }

        var tail = closes.AsSpan(closes.Length - 1_021);
        Matches(ReturnsZScore.Series(tail, 20)[21..], stream[^1_000..], 1e-9, "z-score tail");
    }

    [Fact]
    public void WarmUp_IsNull_NeverZero_UntilTheDocumentedIndex()
    {
        var bars = SampleFiles.AaplDaily;
        var closes = GoldenData.Closes(bars);
        AssertFirstDefinedAt(19, Sma.Series(closes, 20), "SMA(20)");
        AssertFirstDefinedAt(19, Ema.Series(closes, 20), "EMA(20)");
        AssertFirstDefinedAt(14, WilderRsi.Series(closes, 14), "RSI(14)");
        var macd = Macd.Series(closes);
        AssertFirstDefinedAt(25, MacdLines(macd), "MACD line");
        AssertFirstDefinedAt(33, MacdSignals(macd), "MACD signal");
        AssertFirstDefinedAt(33, MacdHistograms(macd), "MACD histogram");
        var atr = Atr.Series(bars, 14);
        AssertFirstDefinedAt(14, atr, "ATR(14)");
        AssertFirstDefinedAt(74, AtrPercentile.Series(atr, 60), "ATR percentile(60)");
        AssertFirstDefinedAt(21, ReturnsZScore.Series(closes, 20), "z-score(20)");
        AssertFirstDefinedAt(19, RollingVwap.Series(bars, 20), "VWAP(20)");
    }

    [Fact]
    public void NoValues_ReturnsEmpty_AndStreamingValueIsNull()
    {
        Assert.Empty(Sma.Series([], 5));
        Assert.Empty(Ema.Series([], 5));
        Assert.Empty(WilderRsi.Series([], 14));
        Assert.Empty(Macd.Series([]));
        Assert.Empty(Atr.Series([], 14));
        Assert.Empty(AtrPercentile.Series([], 60));
        Assert.Empty(ReturnsZScore.Series([], 20));
        Assert.Empty(RollingVwap.Series([], 20));

        Assert.Null(new Sma(5).Value);
        Assert.Null(new Ema(5).Value);
        Assert.Null(new WilderRsi(14).Value);
        Assert.Null(new Macd().Value);
        Assert.Null(new Atr(14).Value);
        Assert.Null(new AtrPercentile(60).Value);
        Assert.Null(new ReturnsZScore(20).Value);
        Assert.Null(new RollingVwap(20).Value);
    }

    [Fact]
    public void TooFewValues_GiveOnlyNulls()
    {
        var closes = GoldenData.Closes(GoldenData.HandBars);
        Assert.All(WilderRsi.Series(closes.AsSpan(0, 14), 14), v => Assert.Null(v));
        Assert.All(Atr.Series(GoldenData.HandBars.AsSpan(0, 14), 14), v => Assert.Null(v));
        Assert.All(Macd.Series(closes.AsSpan(0, 33)), r => Assert.Null(r.Signal));
    }

    [Fact]
    public void BadValues_DoNotThrow_AreNullThemselves_AndAreSkipped()
    {
        // A NaN, an infinity and a bad bar inserted into the hand series: those positions are null, and every other
        // position equals the result on the clean series (the bad values are skipped, not treated as 0).
        var clean = GoldenData.HandBars;
        int[] badAt = [3, 17, 30];
        var dirty = new List<DailyBar>(clean);
        dirty.Insert(badAt[0], clean[2] with { Close = double.NaN });
        dirty.Insert(badAt[1], clean[15] with { High = double.PositiveInfinity, Close = double.PositiveInfinity });
        dirty.Insert(badAt[2], clean[27] with { Low = double.NaN, Close = double.NegativeInfinity, Volume = double.NaN });
        var bars = dirty.ToArray();
        var closes = GoldenData.Closes(bars);
        var cleanCloses = GoldenData.Closes(clean);

        Check(Sma.Series(cleanCloses, 5), Sma.Series(closes, 5), StreamSma(closes, 5), "SMA");
        Check(Ema.Series(cleanCloses, 5), Ema.Series(closes, 5), StreamEma(closes, 5), "EMA");
        Check(WilderRsi.Series(cleanCloses, 14), WilderRsi.Series(closes, 14), StreamRsi(closes, 14), "RSI");
        Check(MacdLines(Macd.Series(cleanCloses)), MacdLines(Macd.Series(closes)), MacdLines(StreamMacd(closes)), "MACD line");
        Check(MacdSignals(Macd.Series(cleanCloses)), MacdSignals(Macd.Series(closes)), MacdSignals(StreamMacd(closes)), "MACD signal");
        Check(Atr.Series(clean, 3), Atr.Series(bars, 3), StreamAtr(bars, 3), "ATR");
        Check(AtrPercentile.Series(Atr.Series(clean, 3), 10), AtrPercentile.Series(Atr.Series(bars, 3), 10), StreamAtrPercentile(bars, 3, 10), "ATR percentile");
        Check(ReturnsZScore.Series(cleanCloses, 5), ReturnsZScore.Series(closes, 5), StreamZScore(closes, 5), "z-score");
        Check(RollingVwap.Series(clean, 5), RollingVwap.Series(bars, 5), StreamVwap(bars, 5), "VWAP");

        void Check(double?[] onClean, double?[] series, double?[] stream, string label)
        {
            Assert.Equal(bars.Length, series.Length);
            var k = 0;
            for (var i = 0; i < bars.Length; i++)
            {
                if (badAt.Contains(i))
                {
                    Assert.True(series[i] is null && stream[i] is null, $"{label}[{i}]: a bad value must give null");
                    continue;
                }

                Assert.True(Nullable.Equals(onClean[k], series[i]), $"{label}[{i}]: series {series[i]} ≠ clean {onClean[k]}");
                Assert.True(label == "z-score" ? Near(onClean[k], stream[i]) : Nullable.Equals(onClean[k], stream[i]), $"{label}[{i}]: stream {stream[i]} ≠ clean {onClean[k]}");
                k++;
            }
        }

        static bool Near(double? a, double? b) => a is null ? b is null : b is { } y && Math.Abs(a.Value - y) < 1e-9;
    }

    [Fact]
    public void AllBadValues_GiveOnlyNulls()
    {
        double[] closes = [double.NaN, double.PositiveInfinity, double.NaN, double.NegativeInfinity];
        Assert.All(Sma.Series(closes, 1), v => Assert.Null(v));
        Assert.All(Ema.Series(closes, 1), v => Assert.Null(v));
        Assert.All(WilderRsi.Series(closes, 1), v => Assert.Null(v));
        Assert.All(ReturnsZScore.Series(closes, 1), v => Assert.Null(v));
        Assert.All(StreamSma(closes, 1), v => Assert.Null(v));
        Assert.All(StreamRsi(closes, 1), v => Assert.Null(v));
        Assert.All(StreamZScore(closes, 1), v => Assert.Null(v));
    }

    [Fact]
    public void ConstantPrices_RsiIs50_ZScoreIsNull_AtrIsZero_PercentileIs0_VwapIsThePrice()
    {
        var bars = Enumerable.Range(0, 100).Select(i => new DailyBar(new DateOnly(2024, 1, 1).AddDays(i), 10, 10, 10, 10, 500)).ToArray();
        var closes = GoldenData.Closes(bars);
        Assert.All(WilderRsi.Series(closes, 14)[14..], v => Assert.Equal(50, v));
        Assert.All(StreamRsi(closes, 14)[14..], v => Assert.Equal(50, v));
        Assert.All(ReturnsZScore.Series(closes, 20), v => Assert.Null(v));
        Assert.All(StreamZScore(closes, 20), v => Assert.Null(v));
        Assert.All(Atr.Series(bars, 14)[14..], v => Assert.Equal(0, v));
        Assert.All(AtrPercentile.Series(Atr.Series(bars, 14), 60)[74..], v => Assert.Equal(0, v)); // ties are not "below"
        Assert.All(StreamAtrPercentile(bars, 14, 60)[74..], v => Assert.Equal(0, v));
        Assert.All(RollingVwap.Series(bars, 20)[19..], v => Assert.Equal(10, v));
    }

    [Fact]
    public void ZScore_IsNull_WhenTheWindowBecomesConstant_AfterVaryingReturns()
    {
        // Varying returns, then 25 unchanged closes: once the whole 20-return window is 0 the z-score is undefined.
        double[] closes = [.. GoldenData.Closes(GoldenData.HandBars), .. Enumerable.Repeat(12.0, 25)];
        var series = ReturnsZScore.Series(closes, 20);
        var stream = StreamZScore(closes, 20);
        var lastVarying = GoldenData.HandBars.Length; // the return of this close (12.00 after 12.00) is 0
        Assert.NotNull(series[lastVarying + 19]); // window still holds one non-zero return
        Assert.All(series[(lastVarying + 20)..], v => Assert.Null(v));
        Assert.All(stream[(lastVarying + 20)..], v => Assert.Null(v));
    }

    [Fact]
    public void Rsi_WithOnlyGains_Is100_AndWithOnlyLosses_Is0()
    {
        var up = Enumerable.Range(1, 30).Select(i => (double)i).ToArray();
        var down = up.Reverse().ToArray();
        Assert.All(WilderRsi.Series(up, 14)[14..], v => Assert.Equal(100, v));
        Assert.All(StreamRsi(down, 14)[14..], v => Assert.Equal(0, v));
    }

    [Fact]
    public void Vwap_WithZeroVolume_IsTheClose()
    {
        var bars = GoldenData.HandBars.Select(b => b with { Volume = 0 }).ToArray();
        var series = RollingVwap.Series(bars, 5);
        var stream = StreamVwap(bars, 5);
        for (var i = 4; i < bars.Length; i++)
        {
            Assert.Equal(bars[i].Close, series[i]);
            Assert.Equal(bars[i].Close, stream[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Results_AreAlwaysBounded(string file)
    {
        var bars = Load(file);
        var closes = GoldenData.Closes(bars);
        Assert.All(WilderRsi.Series(closes, 14), v => Assert.True(v is null or >= 0 and <= 100));
        Assert.All(AtrPercentile.Series(Atr.Series(bars, 14), 60), v => Assert.True(v is null or >= 0 and <= 100));
        Assert.All(Atr.Series(bars, 14), v => Assert.True(v is null or >= 0));
        var vwap = RollingVwap.Series(bars, 20);
        for (var i = 19; i < bars.Length; i++)
        {
            var low = bars[(i - 19)..(i + 1)].Min(b => b.Low);
            var high = bars[(i - 19)..(i + 1)].Max(b => b.High);
            Assert.True(vwap[i] >= low - 1e-9 && vwap[i] <= high + 1e-9, $"VWAP[{i}] {vwap[i]} outside [{low}, {high}]");
        }
    }

    [Fact]
    public void Constructors_RejectBadPeriods()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sma(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ema(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WilderRsi(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Macd(12, 12, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Atr(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AtrPercentile(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReturnsZScore(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RollingVwap(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sma.Series([1.0], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Macd.Series([1.0], 26, 12, 9));
    }

    [Fact]
    public void ParameterlessStructConstructors_UseTheDefaultPeriods()
    {
        // `new Macd()` on a struct must not silently become default(Macd): it is MACD 12/26/9, and `new Atr()` is ATR 14.
        var closes = GoldenData.Closes(GoldenData.HandBars);
        var macd = new Macd();
        var atr = new Atr();
        var lines = new double?[closes.Length];
        var atrs = new double?[closes.Length];
        for (var i = 0; i < closes.Length; i++)
        {
            macd.Add(closes[i]);
            atr.Add(GoldenData.HandBars[i].High, GoldenData.HandBars[i].Low, closes[i]);
            lines[i] = macd.Value?.Macd;
            atrs[i] = atr.Value;
        }

        Identical(MacdLines(Macd.Series(closes, 12, 26, 9)), lines, "new Macd()");
        Identical(Atr.Series(GoldenData.HandBars, 14), atrs, "new Atr()");
    }

    [Fact]
    public void DefaultStructs_RefuseToRun_InsteadOfComputingGarbage()
    {
        Assert.Throws<InvalidOperationException>(() => default(Ema).Add(1));
        Assert.Throws<InvalidOperationException>(() => default(WilderRsi).Add(1));
        Assert.Throws<InvalidOperationException>(() => default(Macd).Add(1));
        Assert.Throws<InvalidOperationException>(() => default(Atr).Add(2, 1, 1.5));
        Assert.Null(default(Ema).Value);
        Assert.Null(default(Macd).Value);
    }

    [Fact]
    public void StreamingAdd_AllocatesNothing_InSteadyState()
    {
        var bars = SampleFiles.Sp500Daily;
        var sma = new Sma(20);
        var ema = new Ema(20);
        var rsi = new WilderRsi(14);
        var macd = new Macd();
        var atr = new Atr(14);
        var percentile = new AtrPercentile(60);
        var z = new ReturnsZScore(20);
        var vwap = new RollingVwap(20);
        var report = new IndicatorReport();
        var sink = 0.0;

        void Update(in DailyBar b)
        {
            sma.Add(b.Close);
            ema.Add(b.Close);
            rsi.Add(b.Close);
            macd.Add(b.Close);
            atr.Add(b.High, b.Low, b.Close);
            percentile.Add(atr.Value ?? double.NaN);
            z.Add(b.Close);
            vwap.Add(b.High, b.Low, b.Close, b.Volume);
            var row = report.Add(b);
            sink += (sma.Value ?? 0) + (ema.Value ?? 0) + (rsi.Value ?? 0) + (macd.Value?.Histogram ?? 0) + (percentile.Value ?? 0)
                + (z.Value ?? 0) + (vwap.Value ?? 0) + (row.Vwap20 ?? 0);
        }

        for (var i = 0; i < 200; i++)
        {
            Update(bars[i]); // warm-up: JIT and every indicator past its warm-up
        }

        SteadyState.AssertAllocatesNothing(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                Update(bars[200 + (i % 4_800)]);
            }
        });
        Assert.True(double.IsFinite(sink));
    }

    private static void AssertFirstDefinedAt(int index, IReadOnlyList<double?> values, string label)
    {
        for (var i = 0; i < index; i++)
        {
            Assert.True(values[i] is null, $"{label}[{i}] should be null during warm-up, got {values[i]}");
        }

        Assert.True(values[index] is not null, $"{label}[{index}] should be the first defined value");
    }
}
