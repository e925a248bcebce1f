using SentryBrain.Market.Bars;

namespace SentryBrain.Signals.Technical;

/// <summary>
/// Average true range with Wilder's smoothing. The first bar has no previous close, so it has no true range here;
/// TRᵢ = max(H − L, |H − Cᵢ₋₁|, |L − Cᵢ₋₁|) for i ≥ 1. The first ATR is at index <c>period</c>, the mean of
/// TR₁..TR_period; then ATR = (ATR·(n − 1) + TR)/n. (ChartSchool counts H − L of the first bar as TR₀ and starts one
/// bar earlier; BEHAVIOR.md §3.7's reference used an EMA instead of Wilder's smoothing. Neither is copied.)
/// O(1) per bar, allocation-free. A struct: keep it in a field and do not copy it while in use.
/// </summary>
public struct Atr
{
    private readonly int _period;
    private double _previousClose;
    private bool _hasPrevious;
    private double _atr;
    private int _ranges;
    private bool _skipped;

    /// <summary>ATR with Wilder's 14-bar period.</summary>
    public Atr()
        : this(14)
    {
    }

    public Atr(int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        _period = period;
        _previousClose = 0;
        _hasPrevious = false;
        _atr = 0;
        _ranges = 0;
        _skipped = false;
    }

    public readonly int Period => _period;

    /// <summary>The ATR after the last bar; null during warm-up or right after a skipped bar (a non-finite field).</summary>
    public readonly double? Value => _skipped || _ranges < _period || _period == 0 ? null : _atr;

    public void Add(double high, double low, double close)
    {
        if (_period == 0)
        {
            throw new InvalidOperationException("Atr must be created with new Atr(period).");
        }

        if (!SeriesInput.IsGoodBar(high, low, close))
        {
            _skipped = true;
            return;
        }

        _skipped = false;
        if (!_hasPrevious)
        {
            _previousClose = close;
            _hasPrevious = true;
            return;
        }

        var tr = TrueRange(high, low, _previousClose);
        _previousClose = close;
        if (_ranges < _period)
        {
            _atr += tr; // running sum until the seed
            if (++_ranges == _period)
            {
                _atr /= _period;
            }

            return;
        }

        _atr = ((_atr * (_period - 1)) + tr) / _period;
    }

    /// <summary>max(H − L, |H − previous close|, |L − previous close|).</summary>
    public static double TrueRange(double high, double low, double previousClose) =>
        Math.Max(high - low, Math.Max(Math.Abs(high - previousClose), Math.Abs(low - previousClose)));

    /// <summary>ATR of every bar, aligned with the input (null during warm-up and at bars with a non-finite field).</summary>
    public static double?[] Series(ReadOnlySpan<DailyBar> bars, int period = 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var (b, positions) = SeriesInput.Compact(bars, needVolume: false);
        var result = new double?[b.Length];
        if (b.Length > period)
        {
            var sum = 0.0;
            for (var i = 1; i <= period; i++)
            {
                sum += TrueRange(b[i].High, b[i].Low, b[i - 1].Close);
            }

            var atr = sum / period;
            result[period] = atr;
            for (var i = period + 1; i < b.Length; i++)
            {
                atr = ((atr * (period - 1)) + TrueRange(b[i].High, b[i].Low, b[i - 1].Close)) / period;
                result[i] = atr;
            }
        }

        return SeriesInput.Scatter(result, positions, bars.Length);
    }
}
