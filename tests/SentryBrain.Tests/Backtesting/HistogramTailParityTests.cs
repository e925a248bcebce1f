using SentryBrain.Signals;
using SentryBrain.Signals.Technical;

namespace SentryBrain.Tests.Backtesting;

/// <summary>The unrolled MACD histogram tail (hot path of every entry check) equals <see cref="Macd"/> exactly.</summary>
public class HistogramTailParityTests
{
    [Theory]
    [InlineData(20, 6)]
    [InlineData(34, 6)]
    [InlineData(35, 5)]
    [InlineData(120, 5)]
    [InlineData(120, 6)]
    [InlineData(300, 1)]
    [InlineData(50, 0)]
    public void HistogramTail_EqualsMacdSeries_BitForBit(int length, int tail)
    {
        var random = new Random(length * 31 + tail);
        var closes = new double[length];
        var price = 100.0;
        for (var i = 0; i < length; i++)
        {
            price *= 1 + ((random.NextDouble() - 0.5) * 0.04);
            closes[i] = i % 37 == 36 ? double.NaN : price; // non-finite values are skipped, as by Macd
        }

        var expected = Macd.Series(closes).Where(r => r.Histogram is not null).Select(r => r.Histogram!.Value).ToArray();
        var destination = new double[tail];
        var written = TechnicalScore.HistogramTail(closes, destination);

        var want = expected.Length <= tail ? expected : expected[^tail..];
        Assert.Equal(want.Length, written);
        Assert.Equal(want, destination[..written]);
    }
}
