using SentryBrain.Signals.Technical;

namespace SentryBrain.Tests.Signals.Technical;

/// <summary>
/// The screener's two measures as properties over many seeded random series: <see cref="ReturnsZScore.OfLatest"/>
/// against the series form, and <see cref="VolumeSpike.OfLatest"/> against a naive loop written here.
/// (Seeded <see cref="Random"/> rather than CsCheck, which the test project does not reference.)
/// </summary>
public class VolumeSpikeAndLatestZTests
{
    private const int Cases = 2_000;

    private static double[] RandomWalk(Random random, int length)
    {
        var closes = new double[length];
        var price = Math.Exp((random.NextDouble() * 12) - 4); // 0.02 .. 3,000
        var step = random.NextDouble() * 0.2;
        for (var i = 0; i < length; i++)
        {
            // A few flat days and a few large moves besides the usual noise.
            var u = random.NextDouble();
            price *= u < 0.05 ? 1 : u < 0.08 ? 1 + ((random.NextDouble() - 0.5) * 0.8) : 1 + ((random.NextDouble() - 0.5) * step);
            closes[i] = price;
        }

        return closes;
    }

    [Fact]
    public void OfLatest_EqualsTheLastValueOfTheSeries_ForRandomPositiveCloses()
    {
        var random = new Random(20_260_312);
        var defined = 0;
        for (var c = 0; c < Cases; c++)
        {
            var period = random.Next(1, 41);
            var closes = RandomWalk(random, period + 2 + random.Next(0, 60));

            var latest = ReturnsZScore.OfLatest(closes, period);
            var series = ReturnsZScore.Series(closes, period)[^1];

            Assert.True(latest.HasValue == series.HasValue, $"case {c}: period {period}, OfLatest {latest}, Series {series}");
            if (latest is { } z)
            {
                defined++;
                Assert.True(Math.Abs(z - series!.Value) <= 1e-9 * Math.Max(1, Math.Abs(z)), $"case {c}: {z} vs {series}");
            }
        }

        Assert.True(defined > Cases * 9 / 10, $"only {defined} of {Cases} cases had a value");
    }

    [Fact]
    public void OfLatest_EqualsANaiveTwoPassZ()
    {
        var random = new Random(5);
        for (var c = 0; c < Cases; c++)
        {
            var period = random.Next(2, 30);
            var closes = RandomWalk(random, period + 2 + random.Next(0, 10));

            // Naive: the period returns before the last, their mean and population std, then (r − mean) / std.
            var n = closes.Length;
            var window = Enumerable.Range(n - 1 - period, period).Select(i => (closes[i] / closes[i - 1]) - 1).ToArray();
            var mean = window.Sum() / period;
            var std = Math.Sqrt(window.Sum(r => (r - mean) * (r - mean)) / period);
            var last = (closes[^1] / closes[^2]) - 1;
            double? naive = window.All(r => r == window[0]) ? null : (last - mean) / std;

            var z = ReturnsZScore.OfLatest(closes, period);
            Assert.Equal(naive.HasValue, z.HasValue);
            if (naive is { } expected)
            {
                Assert.True(Math.Abs(expected - z!.Value) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"case {c}: {expected} vs {z}");
            }
        }
    }

    [Fact]
    public void OfLatest_IsNull_WithTooFewCloses_ABadCloseInTheWindow_OrAConstantWindow()
    {
        double[] closes = [10, 11, 10, 11, 10, 12]; // 6 closes: enough for period 4, not for 5
        Assert.NotNull(ReturnsZScore.OfLatest(closes, 4));
        Assert.Null(ReturnsZScore.OfLatest(closes, 5));
        Assert.Null(ReturnsZScore.OfLatest([], 1));

        foreach (var bad in new[] { 0, -1, double.NaN, double.PositiveInfinity })
        {
            var withBad = closes.ToArray();
            withBad[3] = bad;
            Assert.Null(ReturnsZScore.OfLatest(withBad, 4));
            withBad = closes.ToArray();
            withBad[0] = bad; // outside the period + 2 tail of period 3: ignored
            Assert.NotNull(ReturnsZScore.OfLatest(withBad, 3));
        }

        Assert.Null(ReturnsZScore.OfLatest([5, 5, 5, 5, 5, 9], 4)); // four returns of 0: std 0
        Assert.Throws<ArgumentOutOfRangeException>(() => ReturnsZScore.OfLatest(closes, 0));
    }

    [Fact]
    public void OfLatest_HandWorked()
    {
        // closes 100, 110, 99, 108.9, 98.01, then 107.811: returns +0.1, −0.1, +0.1, −0.1 (mean 0, std 0.1), last +0.1.
        double[] closes = [100, 110, 99, 108.9, 98.01, 107.811];
        Assert.Equal(1.0, ReturnsZScore.OfLatest(closes, 4)!.Value, 1e-9); // (0.1 − 0) / 0.1

        // Period 3 on the last 5 closes: window −0.1, +0.1, −0.1, mean −1/30; deviations −1/15, 2/15, −1/15;
        // variance (1/225 + 4/225 + 1/225) / 3 = 2/225, std √2/15; Z = (0.1 + 1/30) / (√2/15) = (2/15) · 15/√2 = √2.
        Assert.Equal(Math.Sqrt(2), ReturnsZScore.OfLatest(closes, 3)!.Value, 1e-9);
    }

    [Theory]
    [InlineData(0.03, 0.0, 0.01, 3.0)]
    [InlineData(-0.02, 0.01, 0.01, -3.0)]
    [InlineData(0.0, 0.0, 0.5, 0.0)]
    public void Standardize_IsReturnMinusMeanOverStd(double r, double mean, double std, double expected) =>
        Assert.Equal(expected, ReturnsZScore.Standardize(r, mean, std)!.Value, 1e-12);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.01)]
    [InlineData(double.NaN)]
    public void Standardize_IsNull_WhenStdIsNotPositive(double std) =>
        Assert.Null(ReturnsZScore.Standardize(0.01, 0, std));

    [Fact]
    public void PopulationMeanStd_DividesByN()
    {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 40 / 8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32; 32 / 8 = 4; std 2.
        var (mean, std) = ReturnsZScore.PopulationMeanStd([2, 4, 4, 4, 5, 5, 7, 9]);
        Assert.Equal(5.0, mean);
        Assert.Equal(2.0, std);
    }

    [Fact]
    public void VolumeSpike_EqualsTheLastOverANaiveMeanOfTheWindowBefore()
    {
        var random = new Random(31);
        for (var c = 0; c < Cases; c++)
        {
            var window = random.Next(1, 41);
            var volumes = new double[window + 1 + random.Next(0, 20)];
            for (var i = 0; i < volumes.Length; i++)
            {
                volumes[i] = random.Next(4) == 0 ? Math.Round(random.NextDouble() * 50_000_000) : random.NextDouble() * 1e6;
            }

            var sum = 0.0;
            for (var i = volumes.Length - 1 - window; i < volumes.Length - 1; i++)
            {
                sum += volumes[i];
            }

            var average = sum / window;
            var spike = VolumeSpike.OfLatest(volumes, window);

            Assert.NotNull(spike);
            Assert.Equal(average, spike.Value.Average, Math.Abs(average) * 1e-12);
            Assert.Equal(volumes[^1] / average, spike.Value.Ratio, Math.Abs(volumes[^1] / average) * 1e-12);
        }
    }

    [Fact]
    public void VolumeSpike_HandWorked_SpikeDayExcluded()
    {
        // 2,000,000 for 20 days, then 3,000,000: 3 / 2 = 1.5 (the reference's own-day-included average gave 1.463…).
        var volumes = Enumerable.Repeat(2_000_000.0, 20).Append(3_000_000).ToArray();
        Assert.Equal((2_000_000.0, 1.5), VolumeSpike.OfLatest(volumes, 20));

        // Window 3 of [9, 1, 2, 3, 12]: mean(1, 2, 3) = 2; 12 / 2 = 6; the 9 is outside.
        Assert.Equal((2.0, 6.0), VolumeSpike.OfLatest([9, 1, 2, 3, 12], 3));
    }

    [Fact]
    public void VolumeSpike_IsNull_WithTooFewVolumes_BadValues_OrAZeroAverage()
    {
        Assert.Null(VolumeSpike.OfLatest([1, 2, 3], 3));
        Assert.NotNull(VolumeSpike.OfLatest([1, 2, 3, 4], 3));
        Assert.Null(VolumeSpike.OfLatest([0, 0, 0, 4], 3));
        Assert.Null(VolumeSpike.OfLatest([1, -2, 3, 4], 3));
        Assert.Null(VolumeSpike.OfLatest([1, double.NaN, 3, 4], 3));
        Assert.Null(VolumeSpike.OfLatest([1, double.PositiveInfinity, 3, 4], 3));
        Assert.Null(VolumeSpike.OfLatest([1, 2, 3, -4], 3));
        Assert.Null(VolumeSpike.OfLatest([1, 2, 3, double.NaN], 3));
        Assert.Null(VolumeSpike.OfLatest([1, 2, 3, double.PositiveInfinity], 3));
        Assert.Equal((2.0, 0.0), VolumeSpike.OfLatest([double.NaN, 1, 2, 3, 0], 3)); // the NaN is outside the window
        Assert.Throws<ArgumentOutOfRangeException>(() => VolumeSpike.OfLatest([1, 2], 0));
    }
}
