namespace SentryBrain.Signals.Technical;

/// <summary>One MACD reading: the MACD line, its signal line and the histogram (line − signal).</summary>
public readonly record struct MacdResult(double? Macd, double? Signal, double? Histogram);

/// <summary>
/// MACD (default 12/26/9): line = EMA(fast) − EMA(slow), both SMA-seeded (<see cref="Ema"/>), first at index
/// slow − 1 (25); signal = EMA(signal) of the line, seeded with the SMA of its first <c>signal</c> values, so first at
/// index slow + signal − 2 (33); histogram = line − signal, null until the signal exists. (The reference brain seeded
/// the signal from undefined values and got an all-zero signal line; that bug is not copied, BEHAVIOR.md §3.4.)
/// O(1) per value, allocation-free. A struct: keep it in a field and do not copy it while in use.
/// </summary>
public struct Macd
{
    private Ema _fast;
    private Ema _slow;
    private Ema _signal;
    private MacdResult? _value;

    /// <summary>MACD 12/26/9.</summary>
    public Macd()
        : this(12, 26, 9)
    {
    }

    public Macd(int fastPeriod, int slowPeriod, int signalPeriod)
    {
        Validate(fastPeriod, slowPeriod, signalPeriod);
        _fast = new Ema(fastPeriod);
        _slow = new Ema(slowPeriod);
        _signal = new Ema(signalPeriod);
        _value = null;
    }

    /// <summary>The reading after the last value: null until the MACD line exists (and right after a skipped value).</summary>
    public readonly MacdResult? Value => _value;

    public void Add(double close)
    {
        if (_signal.Period == 0)
        {
            throw new InvalidOperationException("Macd must be created with new Macd() or new Macd(fast, slow, signal).");
        }

        if (!double.IsFinite(close))
        {
            _value = null;
            return;
        }

        _fast.Add(close);
        _slow.Add(close);
        if (_fast.Value is not { } fast || _slow.Value is not { } slow)
        {
            _value = null;
            return;
        }

        var line = fast - slow;
        _signal.Add(line);
        _value = _signal.Value is { } signal ? new MacdResult(line, signal, line - signal) : new MacdResult(line, null, null);
    }

    /// <summary>MACD of every close, aligned with the input; all three fields are null where undefined.</summary>
    public static MacdResult[] Series(ReadOnlySpan<double> closes, int fastPeriod = 12, int slowPeriod = 26, int signalPeriod = 9)
    {
        Validate(fastPeriod, slowPeriod, signalPeriod);
        var fast = Ema.Series(closes, fastPeriod);
        var slow = Ema.Series(closes, slowPeriod);
        var line = new double[closes.Length];
        for (var i = 0; i < line.Length; i++)
        {
            line[i] = fast[i] is { } f && slow[i] is { } s ? f - s : double.NaN; // NaN: skipped by the signal EMA
        }

        var signal = Ema.Series(line, signalPeriod);
        var result = new MacdResult[closes.Length];
        for (var i = 0; i < result.Length; i++)
        {
            if (double.IsNaN(line[i]))
            {
                continue;
            }

            result[i] = signal[i] is { } g ? new MacdResult(line[i], g, line[i] - g) : new MacdResult(line[i], null, null);
        }

        return result;
    }

    private static void Validate(int fastPeriod, int slowPeriod, int signalPeriod)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fastPeriod, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(slowPeriod, fastPeriod);
        ArgumentOutOfRangeException.ThrowIfLessThan(signalPeriod, 1);
    }
}
