namespace SentryBrain.Signals.Technical;

/// <summary>
/// Where the current ATR sits among the ATRs before it: <c>100 · k / lookback</c>, where k is how many of the
/// previous <c>lookback</c> ATR values (not counting the current one) are strictly below the current value. Ties
/// count as not below, so a flat ATR reads 0 and a new high reads 100; the result is a multiple of 100/lookback
/// in [0, 100]. Null until <c>lookback</c> ATR values exist before the current one: fed from a 14-bar
/// <see cref="Atr"/> (first value at bar 14) with lookback 60, the first percentile is at bar 74.
/// The input is the ATR series itself (undefined ATRs are not added). Streaming form: a ring buffer of the last
/// <c>lookback</c> values and one pass over it per value, so O(lookback) per update (60 comparisons by default)
/// with no allocation after the first value (the ring is allocated then, so an unused instance costs no ring).
/// </summary>
public sealed class AtrPercentile
{
    private readonly int _lookback;
    private double[]? _previous;
    private int _next;
    private int _count;
    private double? _value;

    public AtrPercentile(int lookback = 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 1);
        _lookback = lookback;
    }

    public int Lookback => _lookback;

    /// <summary>The percentile of the last ATR value; null during warm-up or right after a skipped (non-finite) value.</summary>
    public double? Value => _value;

    public void Add(double atr)
    {
        if (!double.IsFinite(atr))
        {
            _value = null;
            return;
        }

        _previous ??= new double[_lookback];
        if (_count == _lookback)
        {
            var below = 0;
            foreach (var p in _previous)
            {
                if (p < atr)
                {
                    below++;
                }
            }

            _value = 100.0 * below / _lookback;
        }
        else
        {
            _value = null;
            _count++;
        }

        _previous[_next] = atr;
        _next = _next + 1 == _lookback ? 0 : _next + 1;
    }

    /// <summary>
    /// Percentile of every ATR value, aligned with the input; null entries (ATR warm-up) and non-finite values are
    /// skipped and give null.
    /// </summary>
    public static double?[] Series(ReadOnlySpan<double?> atr, int lookback = 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 1);
        var values = new double[atr.Length];
        for (var i = 0; i < atr.Length; i++)
        {
            values[i] = atr[i] ?? double.NaN;
        }

        var (x, positions) = SeriesInput.Compact(values);
        var result = new double?[x.Length];
        for (var i = lookback; i < x.Length; i++)
        {
            var below = 0;
            for (var j = i - lookback; j < i; j++)
            {
                if (x[j] < x[i])
                {
                    below++;
                }
            }

            result[i] = 100.0 * below / lookback;
        }

        return SeriesInput.Scatter(result, positions, atr.Length);
    }
}
