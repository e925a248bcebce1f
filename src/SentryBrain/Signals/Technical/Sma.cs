namespace SentryBrain.Signals.Technical;

/// <summary>
/// Simple moving average of the last <c>period</c> values; the first value is at index period − 1. Streaming form:
/// O(1) per value (running sum over a ring buffer), no allocation after construction. The sum is kept as
/// <c>(sum + new) − old</c>, in the same order in both forms, so series and streaming agree bit for bit.
/// </summary>
public sealed class Sma
{
    private readonly double[] _window;
    private int _next;
    private int _count;
    private double _sum;
    private bool _skipped;

    public Sma(int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        _window = new double[period];
    }

    public int Period => _window.Length;

    /// <summary>The average after the last value; null during warm-up or right after a skipped (non-finite) value.</summary>
    public double? Value => _skipped || _count < _window.Length ? null : _sum / _window.Length;

    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            _skipped = true;
            return;
        }

        _skipped = false;
        if (_count < _window.Length)
        {
            _sum += value;
            _count++;
        }
        else
        {
            _sum = _sum + value - _window[_next];
        }

        _window[_next] = value;
        _next = _next + 1 == _window.Length ? 0 : _next + 1;
    }

    /// <summary>SMA of every value, aligned with the input (null during warm-up and at non-finite inputs).</summary>
    public static double?[] Series(ReadOnlySpan<double> values, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var (x, positions) = SeriesInput.Compact(values);
        var result = new double?[x.Length];
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            sum = i < period ? sum + x[i] : sum + x[i] - x[i - period];
            if (i >= period - 1)
            {
                result[i] = sum / period;
            }
        }

        return SeriesInput.Scatter(result, positions, values.Length);
    }
}
