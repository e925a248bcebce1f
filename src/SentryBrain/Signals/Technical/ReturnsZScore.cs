namespace SentryBrain.Signals.Technical;

/// <summary>
/// Z-score of the latest one-bar return against the returns before it (BEHAVIOR.md §3.7): rᵢ = Cᵢ/Cᵢ₋₁ − 1 and
/// zᵢ = (rᵢ − mean(rᵢ₋ₙ..rᵢ₋₁)) / popstd(rᵢ₋ₙ..rᵢ₋₁), the window excluding the current return. The first value is at
/// index n + 1 (21 for n = 20). When the window's standard deviation is zero (all n returns equal, or a computed
/// variance ≤ 0) the value is null. Closes that are not finite or not positive are skipped.
/// <para>
/// The streaming form is O(1) per close and allocation-free: a ring buffer of the last n returns with a sliding
/// Welford update of the mean and of M2 = Σ(r − mean)², which avoids the cancellation of Σr² − (Σr)²/n; every
/// <see cref="ResyncInterval"/> updates the mean and M2 are recomputed exactly from the buffer (amortised O(n/1024))
/// so rounding cannot drift. An all-equal window is detected exactly from the run length of equal returns. The
/// series form uses the two-pass definition, so the two agree to rounding (within 1e-9), not bit for bit.
/// </para>
/// </summary>
public sealed class ReturnsZScore
{
    /// <summary>Updates between exact recomputations of the window's mean and M2.</summary>
    public const int ResyncInterval = 1024;

    private readonly double[] _returns;
    private int _next;
    private int _count;
    private double _mean;
    private double _m2;
    private double _previousClose;
    private bool _hasPrevious;
    private double _lastReturn;
    private int _equalRun;
    private int _sinceResync;
    private double? _value;

    public ReturnsZScore(int period = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        _returns = new double[period];
    }

    public int Period => _returns.Length;

    /// <summary>The z-score of the last close's return; null during warm-up, for a constant window, or after a skipped close.</summary>
    public double? Value => _value;

    public void Add(double close)
    {
        if (!IsGoodPrice(close))
        {
            _value = null;
            return;
        }

        if (!_hasPrevious)
        {
            _previousClose = close;
            _hasPrevious = true;
            _value = null;
            return;
        }

        var r = (close / _previousClose) - 1;
        _previousClose = close;
        var n = _returns.Length;
        if (_count == n)
        {
            var variance = _m2 / n;
            _value = _equalRun >= n || variance <= 0 ? null : (r - _mean) / Math.Sqrt(variance);
        }
        else
        {
            _value = null;
        }

        Push(r);
    }

    private void Push(double r)
    {
        var n = _returns.Length;
        if (_count < n)
        {
            _count++;
            var delta = r - _mean;
            _mean += delta / _count;
            _m2 += delta * (r - _mean);
        }
        else
        {
            var old = _returns[_next];
            var mean = _mean + ((r - old) / n);
            _m2 += (r - old) * (r - mean + old - _mean);
            _mean = mean;
            if (_m2 < 0)
            {
                _m2 = 0;
            }
        }

        _equalRun = _count > 1 && r == _lastReturn ? _equalRun + 1 : 1;
        _lastReturn = r;
        _returns[_next] = r;
        _next = _next + 1 == n ? 0 : _next + 1;

        if (++_sinceResync >= ResyncInterval && _count == n)
        {
            _sinceResync = 0;
            (_mean, _m2) = MeanAndM2(_returns);
        }
    }

    private static (double Mean, double M2) MeanAndM2(ReadOnlySpan<double> window)
    {
        var sum = 0.0;
        foreach (var x in window)
        {
            sum += x;
        }

        var mean = sum / window.Length;
        var m2 = 0.0;
        foreach (var x in window)
        {
            var d = x - mean;
            m2 += d * d;
        }

        return (mean, m2);
    }

    private static bool IsGoodPrice(double close) => double.IsFinite(close) && close > 0;

    /// <summary>
    /// Z-score of every close's return by the two-pass definition, aligned with the input (null during warm-up, for a
    /// constant window, and at skipped closes).
    /// </summary>
    public static double?[] Series(ReadOnlySpan<double> closes, int period = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var cleaned = new double[closes.Length];
        for (var i = 0; i < closes.Length; i++)
        {
            cleaned[i] = IsGoodPrice(closes[i]) ? closes[i] : double.NaN;
        }

        var (c, positions) = SeriesInput.Compact(cleaned);
        var returns = new double[Math.Max(c.Length - 1, 0)];
        for (var i = 1; i < c.Length; i++)
        {
            returns[i - 1] = (c[i] / c[i - 1]) - 1; // return of close i sits at returns[i - 1]
        }

        var result = new double?[c.Length];
        for (var i = period + 1; i < c.Length; i++)
        {
            var window = returns.AsSpan(i - 1 - period, period);
            if (IsConstant(window))
            {
                continue;
            }

            var (mean, m2) = MeanAndM2(window);
            var variance = m2 / period;
            if (variance > 0)
            {
                result[i] = (returns[i - 1] - mean) / Math.Sqrt(variance);
            }
        }

        return SeriesInput.Scatter(result, positions, closes.Length);
    }

    private static bool IsConstant(ReadOnlySpan<double> window)
    {
        foreach (var x in window)
        {
            if (x != window[0])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The one definition of a return's Z shared by the live indicators, the backtest's daily indicators and the
    /// screener: (r − mean) / std of the window of returns before it (population std); null when std is not positive.
    /// </summary>
    public static double? Standardize(double r, double mean, double std) => std > 0 ? (r - mean) / std : null;

    /// <summary>
    /// Z of the last close's return against the <paramref name="period"/> returns before it (the screener's Z of
    /// BEHAVIOR.md §8.3, through <see cref="PopulationMeanStd"/> and <see cref="Standardize"/> like the live value).
    /// Needs <paramref name="period"/> + 2 closes, all finite and positive; null otherwise or for a constant window.
    /// </summary>
    public static double? OfLatest(ReadOnlySpan<double> closes, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        if (closes.Length < period + 2)
        {
            return null;
        }

        var tail = closes[^(period + 2)..];
        foreach (var c in tail)
        {
            if (!IsGoodPrice(c))
            {
                return null;
            }
        }

        Span<double> window = period <= 256 ? stackalloc double[period] : new double[period];
        for (var i = 0; i < period; i++)
        {
            window[i] = (tail[i + 1] / tail[i]) - 1;
        }

        if (IsConstant(window))
        {
            return null;
        }

        var (mean, std) = PopulationMeanStd(window);
        var last = (tail[^1] / tail[^2]) - 1;
        return Standardize(last, mean, std);
    }

    /// <summary>Mean and population standard deviation of <paramref name="values"/> (two passes: exact and cheap for a window).</summary>
    public static (double Mean, double Std) PopulationMeanStd(ReadOnlySpan<double> values)
    {
        var mean = 0.0;
        foreach (var x in values)
        {
            mean += x;
        }

        mean /= values.Length;
        var variance = 0.0;
        foreach (var x in values)
        {
            variance += (x - mean) * (x - mean);
        }

        return (mean, Math.Sqrt(variance / values.Length));
    }
}
