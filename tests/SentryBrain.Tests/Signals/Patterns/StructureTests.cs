using SentryBrain.Signals.Technical.Patterns;

namespace SentryBrain.Tests.Signals.Patterns;

public sealed class StructureTests
{
    // A line c_i = a + b·i has an SMA-seeded EMA(N) of exactly c_i − b·(N − 1)/2: the SMA of N points of a line lags
    // its last point by b·(N − 1)/2, and that lag is the fixed point of e ← α·c + (1 − α)·e with α = 2/(N + 1).
    // For N = 50 the EMA is 24.5·b below (b > 0) or above (b < 0) the last close.

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(49)]
    public void FewerThan50Closes_IsUnknown(int count)
    {
        Assert.Null(Structure.IsOk(Series.Line(100, 1, count)));
    }

    [Theory]
    // Rising line: EMA50 = last − 24.5 < last; no extrema, so no patterns ⇒ ok. 50 closes: the EMA is the SMA.
    [InlineData(50, 1, true)]
    [InlineData(60, 1, true)]
    [InlineData(200, 0.5, true)]
    // Falling line: EMA50 = last + 24.5 > last ⇒ not ok.
    [InlineData(60, -1, false)]
    [InlineData(50, -1, false)]
    public void Trend_IsTheCloseAgainstItsEma(int count, double step, bool expected)
    {
        Assert.Equal(expected, Structure.IsOk(Series.Line(300, step, count)));
    }

    [Fact]
    public void FlatSeries_IsNotAboveItsEma()
    {
        // EMA of 100s is 100; 100 > 100 is false.
        Assert.False(Structure.IsOk(Series.Flat(100, 60)));
    }

    /// <summary>
    /// 20 closes 50, 51, …, 69 and then a 40-close pattern ending at <paramref name="last"/>. The EMA50 seed is the
    /// mean of the first 50 (1190 from the ramp plus the pattern's first 30: 85.11 for the double top, 85.47 for the top), then
    /// 10 more steps give it (49/51)^10 ≈ 0.670 of its weight, so EMA ≤ 0.670·85.5 + 0.330·103 ≈ 91.3 &lt; 97 ≤ last:
    /// the close is above the EMA and only the pattern decides.
    /// </summary>
    private static double[] AfterRamp(double[] pattern) => Series.Concat(Series.Line(50, 1, 20), pattern);

    [Theory]
    // Double top (peaks 105, 106, trough 100): last 97 breaks the trough ⇒ not ok; last 101 does not ⇒ ok.
    [InlineData(97, false)]
    [InlineData(101, true)]
    public void DoubleTop_BreaksTheStructure(double last, bool expected)
    {
        var closes = AfterRamp(Series.Path((0, 95), (8, 105), (16, 100), (24, 106), (39, last)));
        Assert.Equal(expected, Structure.IsOk(closes));
    }

    [Theory]
    // Head and shoulders top (shoulders 104, 103, head 110, neckline min(101, 100) = 100): last 97 breaks it ⇒ not
    // ok; last 101 does not ⇒ ok (and 110/103 are too far apart for a double top).
    [InlineData(97, false)]
    [InlineData(101, true)]
    public void HeadAndShouldersTop_BreaksTheStructure(double last, bool expected)
    {
        var closes = AfterRamp(Series.Path((0, 96), (6, 104), (12, 101), (18, 110), (24, 100), (30, 103), (39, last)));
        Assert.Equal(expected, Structure.IsOk(closes));
    }

    [Fact]
    public void NonFiniteClose_IsUnknown()
    {
        var closes = Series.Line(100, 1, 60);
        closes[55] = double.NaN;
        Assert.Null(Structure.IsOk(closes));
    }
}
