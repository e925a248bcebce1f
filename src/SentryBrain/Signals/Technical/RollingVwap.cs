using SentryBrain.Market.Bars;

namespace SentryBrain.Signals.Technical;

/// <summary>
/// Rolling volume-weighted average price over the last <c>period</c> bars (BEHAVIOR.md §3.7): typical price
/// tp = (H + L + C)/3, VWAP = Σ(tp·v)/Σv; when Σv ≤ 0 the value is the current close. The first value is at index
/// period − 1. Bars with a non-finite field or a negative volume are skipped. Streaming form: O(1) per bar (running
/// sums over a ring buffer), no allocation after construction; the sums are kept as <c>(sum + new) − old</c> in both
/// forms, so series and streaming agree bit for bit.
/// </summary>
public sealed class RollingVwap
{
    private readonly double[] _priceVolume;
    private readonly double[] _volume;
    private int _next;
    private int _count;
    private double _sumPriceVolume;
    private double _sumVolume;
    private double? _value;

    public RollingVwap(int period = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        _priceVolume = new double[period];
        _volume = new double[period];
    }

    public int Period => _volume.Length;

    /// <summary>The VWAP after the last bar; null during warm-up or right after a skipped bar.</summary>
    public double? Value => _value;

    public void Add(double high, double low, double close, double volume)
    {
        if (!SeriesInput.IsGoodBar(high, low, close, volume))
        {
            _value = null;
            return;
        }

        var pv = TypicalPrice(high, low, close) * volume;
        if (_count < _volume.Length)
        {
            _sumPriceVolume += pv;
            _sumVolume += volume;
            _count++;
        }
        else
        {
            _sumPriceVolume = _sumPriceVolume + pv - _priceVolume[_next];
            _sumVolume = _sumVolume + volume - _volume[_next];
        }

        _priceVolume[_next] = pv;
        _volume[_next] = volume;
        _next = _next + 1 == _volume.Length ? 0 : _next + 1;
        _value = _count < _volume.Length ? null : _sumVolume > 0 ? _sumPriceVolume / _sumVolume : close;
    }

    /// <summary>(high + low + close) / 3.</summary>
    public static double TypicalPrice(double high, double low, double close) => (high + low + close) / 3;

    /// <summary>VWAP of every bar, aligned with the input (null during warm-up and at skipped bars).</summary>
    public static double?[] Series(ReadOnlySpan<DailyBar> bars, int period = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var (b, positions) = SeriesInput.Compact(bars, needVolume: true);
        var pv = new double[b.Length];
        for (var i = 0; i < b.Length; i++)
        {
            pv[i] = TypicalPrice(b[i].High, b[i].Low, b[i].Close) * b[i].Volume;
        }

        var result = new double?[b.Length];
        double sumPv = 0, sumV = 0;
        for (var i = 0; i < b.Length; i++)
        {
            if (i < period)
            {
                sumPv += pv[i];
                sumV += b[i].Volume;
            }
            else
            {
                sumPv = sumPv + pv[i] - pv[i - period];
                sumV = sumV + b[i].Volume - b[i - period].Volume;
            }

            if (i >= period - 1)
            {
                result[i] = sumV > 0 ? sumPv / sumV : b[i].Close;
            }
        }

        return SeriesInput.Scatter(result, positions, bars.Length);
    }
}
