using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace SentryBrain.Signals.Technical;

/// <summary>
/// RSI with Wilder's smoothing. Changes start at the second value; the first RSI is at index <c>period</c>
/// (after <c>period</c> changes), where the average gain and loss are the simple means of the first <c>period</c>
/// changes; after that avg = (avg·(n − 1) + x)/n. RSI = 100 − 100/(1 + avgGain/avgLoss); avgLoss = 0 gives 100,
/// or 50 when avgGain is 0 too. Undefined values are null, never 0. O(1) per value and allocation-free.
/// A struct: keep it in a field and do not copy it while in use.
/// </summary>
public struct WilderRsi
{
    private readonly int _period;
    private double _previous;
    private bool _hasPrevious;
    private double _avgGain;
    private double _avgLoss;
    private int _changes;
    private bool _skipped;

    public WilderRsi(int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        _period = period;
        _previous = 0;
        _hasPrevious = false;
        _avgGain = 0;
        _avgLoss = 0;
        _changes = 0;
        _skipped = false;
    }

    public readonly int Period => _period;

    /// <summary>The RSI after the last value; null during warm-up or right after a skipped (non-finite) value.</summary>
    public readonly double? Value => _skipped || _changes < _period || _period == 0 ? null : Compute(_avgGain, _avgLoss);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // the series loops of the technical score run it per close
    public void Add(double close)
    {
        if (_period == 0)
        {
            ThrowNotCreated();
        }

        if (!double.IsFinite(close))
        {
            _skipped = true;
            return;
        }

        _skipped = false;
        if (!_hasPrevious)
        {
            _previous = close;
            _hasPrevious = true;
            return;
        }

        var change = close - _previous;
        _previous = close;
        var gain = change > 0 ? change : 0;
        var loss = change < 0 ? -change : 0;
        if (_changes < _period)
        {
            _avgGain += gain; // running sums until the seed
            _avgLoss += loss;
            if (++_changes == _period)
            {
                _avgGain /= _period;
                _avgLoss /= _period;
            }

            return;
        }

        _avgGain = ((_avgGain * (_period - 1)) + gain) / _period;
        _avgLoss = ((_avgLoss * (_period - 1)) + loss) / _period;
    }

    [DoesNotReturn]
    private static void ThrowNotCreated() => throw new InvalidOperationException("WilderRsi must be created with new WilderRsi(period).");

    /// <summary>RSI from Wilder averages: 100 when there are no losses (50 when there are no gains either).</summary>
    public static double Compute(double avgGain, double avgLoss)
    {
        if (avgLoss == 0)
        {
            return avgGain == 0 ? 50 : 100;
        }

        return 100 - (100 / (1 + (avgGain / avgLoss)));
    }

    /// <summary>RSI of every close, aligned with the input (null during warm-up and at non-finite inputs).</summary>
    public static double?[] Series(ReadOnlySpan<double> closes, int period = 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var (x, positions) = SeriesInput.Compact(closes);
        var result = new double?[x.Length];
        if (x.Length > period)
        {
            double gainSum = 0, lossSum = 0;
            for (var i = 1; i <= period; i++)
            {
                var change = x[i] - x[i - 1];
                gainSum += change > 0 ? change : 0;
                lossSum += change < 0 ? -change : 0;
            }

            var avgGain = gainSum / period;
            var avgLoss = lossSum / period;
            result[period] = Compute(avgGain, avgLoss);
            for (var i = period + 1; i < x.Length; i++)
            {
                var change = x[i] - x[i - 1];
                avgGain = ((avgGain * (period - 1)) + (change > 0 ? change : 0)) / period;
                avgLoss = ((avgLoss * (period - 1)) + (change < 0 ? -change : 0)) / period;
                result[i] = Compute(avgGain, avgLoss);
            }
        }

        return SeriesInput.Scatter(result, positions, closes.Length);
    }
}
