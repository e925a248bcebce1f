namespace SentryBrain.Signals.Technical;

/// <summary>
/// Streaming RSI with Wilder's smoothing, O(1) per value and allocation-free. The first value is defined
/// after <c>period</c> changes (period + 1 inputs): average gain and loss start as simple means of the
/// first <c>period</c> changes, then avg = (avg·(n − 1) + x)/n. Undefined values are null, never 0.
/// </summary>
public struct WilderRsi
{
    private readonly int _period;
    private double _previous;
    private double _avgGain;
    private double _avgLoss;
    private int _count;

    public WilderRsi(int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        _period = period;
        _previous = double.NaN;
        _avgGain = 0;
        _avgLoss = 0;
        _count = 0;
        Value = null;
    }

    public double? Value { get; private set; }

    public void Add(double close)
    {
        if (double.IsNaN(_previous))
        {
            _previous = close;
            return;
        }

        var change = close - _previous;
        _previous = close;
        var gain = change > 0 ? change : 0;
        var loss = change < 0 ? -change : 0;
        _count++;
        if (_count <= _period)
        {
            _avgGain += gain / _period;
            _avgLoss += loss / _period;
            if (_count < _period)
            {
                return;
            }
        }
        else
        {
            _avgGain = ((_avgGain * (_period - 1)) + gain) / _period;
            _avgLoss = ((_avgLoss * (_period - 1)) + loss) / _period;
        }

        Value = Compute(_avgGain, _avgLoss);
    }

    public static double Compute(double avgGain, double avgLoss)
    {
        if (avgLoss == 0)
        {
            return avgGain == 0 ? 50 : 100;
        }

        return 100 - (100 / (1 + (avgGain / avgLoss)));
    }
}
