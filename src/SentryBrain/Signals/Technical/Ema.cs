namespace SentryBrain.Signals.Technical;

/// <summary>
/// Exponential moving average, α = 2/(period + 1), seeded with the simple mean of the first <c>period</c> values:
/// the first value is at index period − 1, then ema += α·(x − ema). O(1) per value, allocation-free.
/// A struct: keep it in a field and do not copy it while in use.
/// </summary>
public struct Ema
{
    private readonly int _period;
    private readonly double _alpha;
    private double _ema;
    private int _count;
    private bool _skipped;

    public Ema(int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        _period = period;
        _alpha = 2.0 / (period + 1);
        _ema = 0;
        _count = 0;
        _skipped = false;
    }

    public readonly int Period => _period;

    /// <summary>The EMA after the last value; null during warm-up or right after a skipped (non-finite) value.</summary>
    public readonly double? Value => _skipped || _count < _period || _period == 0 ? null : _ema;

    public void Add(double value)
    {
        if (_period == 0)
        {
            throw new InvalidOperationException("Ema must be created with new Ema(period).");
        }

        if (!double.IsFinite(value))
        {
            _skipped = true;
            return;
        }

        _skipped = false;
        if (_count < _period)
        {
            _ema += value; // running sum until the seed
            if (++_count == _period)
            {
                _ema /= _period;
            }

            return;
        }

        _ema += _alpha * (value - _ema);
    }

    /// <summary>EMA of every value, aligned with the input (null during warm-up and at non-finite inputs).</summary>
    public static double?[] Series(ReadOnlySpan<double> values, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var (x, positions) = SeriesInput.Compact(values);
        var result = new double?[x.Length];
        if (x.Length >= period)
        {
            var alpha = 2.0 / (period + 1);
            var sum = 0.0;
            for (var i = 0; i < period; i++)
            {
                sum += x[i];
            }

            var ema = sum / period;
            result[period - 1] = ema;
            for (var i = period; i < x.Length; i++)
            {
                ema += alpha * (x[i] - ema);
                result[i] = ema;
            }
        }

        return SeriesInput.Scatter(result, positions, values.Length);
    }
}
