using System.Globalization;
using SentryBrain.Market.Bars;
using SentryBrain.Signals.Technical;

namespace SentryBrain.Tests.Signals.Technical;

/// <summary>Drives the streaming forms over a whole input and compares series element by element.</summary>
internal static class IndicatorAssert
{
    /// <summary>Null where expected is null, otherwise within <paramref name="tolerance"/>; lengths must match.</summary>
    public static void Matches(IReadOnlyList<double?> expected, IReadOnlyList<double?> actual, double tolerance, string label)
    {
        Assert.True(expected.Count == actual.Count, $"{label}: expected {expected.Count} values, got {actual.Count}");
        for (var i = 0; i < expected.Count; i++)
        {
            if (expected[i] is not { } e)
            {
                Assert.True(actual[i] is null, $"{label}[{i}]: expected null (undefined), got {Format(actual[i])}");
                continue;
            }

            Assert.True(actual[i] is { } a && Math.Abs(a - e) <= tolerance, $"{label}[{i}]: expected {Format(e)} ± {tolerance}, got {Format(actual[i])}");
        }
    }

    /// <summary>Same nulls and bit-identical numbers.</summary>
    public static void Identical(IReadOnlyList<double?> expected, IReadOnlyList<double?> actual, string label)
    {
        Assert.True(expected.Count == actual.Count, $"{label}: expected {expected.Count} values, got {actual.Count}");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(Nullable.Equals(expected[i], actual[i]), $"{label}[{i}]: series {Format(expected[i])} ≠ streaming {Format(actual[i])}");
        }
    }

    public static double?[] Stream(IReadOnlyList<double> values, Func<double, double?> add) => values.Select(add).ToArray();

    public static double?[] Stream(IReadOnlyList<DailyBar> bars, Func<DailyBar, double?> add) => bars.Select(add).ToArray();

    public static double?[] StreamSma(IReadOnlyList<double> values, int period)
    {
        var sma = new Sma(period);
        return Stream(values, v =>
        {
            sma.Add(v);
            return sma.Value;
        });
    }

    public static double?[] StreamEma(IReadOnlyList<double> values, int period)
    {
        var ema = new Ema(period);
        return Stream(values, v =>
        {
            ema.Add(v);
            return ema.Value;
        });
    }

    public static double?[] StreamRsi(IReadOnlyList<double> values, int period)
    {
        var rsi = new WilderRsi(period);
        return Stream(values, v =>
        {
            rsi.Add(v);
            return rsi.Value;
        });
    }

    public static MacdResult[] StreamMacd(IReadOnlyList<double> values, int fast = 12, int slow = 26, int signal = 9)
    {
        var macd = new Macd(fast, slow, signal);
        return values.Select(v =>
        {
            macd.Add(v);
            return macd.Value ?? default;
        }).ToArray();
    }

    public static double?[] StreamAtr(IReadOnlyList<DailyBar> bars, int period)
    {
        var atr = new Atr(period);
        return Stream(bars, b =>
        {
            atr.Add(b.High, b.Low, b.Close);
            return atr.Value;
        });
    }

    /// <summary>ATR percentile fed from a streaming ATR: undefined ATRs are not added (and give null).</summary>
    public static double?[] StreamAtrPercentile(IReadOnlyList<DailyBar> bars, int atrPeriod, int lookback)
    {
        var atr = new Atr(atrPeriod);
        var percentile = new AtrPercentile(lookback);
        return Stream(bars, b =>
        {
            atr.Add(b.High, b.Low, b.Close);
            if (atr.Value is not { } a)
            {
                return null;
            }

            percentile.Add(a);
            return percentile.Value;
        });
    }

    public static double?[] StreamZScore(IReadOnlyList<double> values, int period)
    {
        var z = new ReturnsZScore(period);
        return Stream(values, v =>
        {
            z.Add(v);
            return z.Value;
        });
    }

    public static double?[] StreamVwap(IReadOnlyList<DailyBar> bars, int period)
    {
        var vwap = new RollingVwap(period);
        return Stream(bars, b =>
        {
            vwap.Add(b.High, b.Low, b.Close, b.Volume);
            return vwap.Value;
        });
    }

    public static double?[] MacdLines(IEnumerable<MacdResult> results) => results.Select(r => r.Macd).ToArray();

    public static double?[] MacdSignals(IEnumerable<MacdResult> results) => results.Select(r => r.Signal).ToArray();

    public static double?[] MacdHistograms(IEnumerable<MacdResult> results) => results.Select(r => r.Histogram).ToArray();

    private static string Format(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "null";
}
