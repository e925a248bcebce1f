using SentryBrain.Config;
using SentryBrain.Market;
using SentryBrain.Rules;
using SentryBrain.Signals;
using SentryBrain.Signals.Technical;
using SentryBrain.Signals.Technical.Patterns;
using SentryBrain.Strategy;

namespace SentryBrain.Backtesting;

/// <summary>
/// Daily-bar indicators shared by the live strategies in a backtest, built from the same primitives as
/// <see cref="LiveIndicators"/> and with the live engine's timing: at the close of day t the daily indicators (ATR,
/// ATR percentile, RSI, structure, the technical score of the closes) are those of the <b>completed</b> days
/// through t−1, exactly what the live brain holds during day t, while the current price (day t's close) gives the
/// Z-score of today's return (<see cref="ZScore"/>) and the 1- and 5-day returns (<see cref="Observe"/>); the bar joins the history after
/// the decision (<see cref="Add"/>). So a backtest decision equals the live decision at that day's last print, and
/// nothing after day t is ever read. Closes live in a mirrored ring, so the newest N closes are always one
/// contiguous span: no copying, no allocation per bar. With <c>closesOnly</c> (the crossover's feed) only the
/// closes and the 1- and 5-day returns are kept: the other indicators stay unknown and cost nothing.
/// </summary>
public sealed class DailyIndicators
{
    public const int History = LiveIndicators.DailyHistory;
    public const int TechnicalWindow = LiveIndicators.IntradayHistory;
    public const int VolatilityWindow = 30;

    private readonly double[] _closes = new double[2 * History];
    private readonly double[] _returns;
    private readonly double[] _volReturns = new double[VolatilityWindow];
    private readonly AtrPercentile _atrPercentile;
    private readonly int _structureSpan;
    private Atr _atr;
    private WilderRsi _rsi;
    private int _head;
    private int _count;
    private int _returnHead;
    private int _returnCount;
    private int _volHead;
    private int _volCount;
    private double _returnMean;
    private double _returnStd;
    private readonly bool _closesOnly;

    public DailyIndicators(BrainConfig config, bool closesOnly = false)
    {
        _closesOnly = closesOnly;
        _atr = new Atr(config.AtrPeriod);
        _atrPercentile = new AtrPercentile(config.AtrPercentileLookback);
        _rsi = new WilderRsi(config.RsiPeriod);
        _returns = new double[config.ZScorePeriod];
        // Structure looks at the EMA over period + 10 closes and at patterns over the last 40: a longer span gives the same answer.
        _structureSpan = Math.Min(History, Math.Max(config.StructureEmaPeriod + Structure.EmaExtraBars, 40));
    }

    public double? Return1d { get; private set; }

    public double? Return5d { get; private set; }

    /// <summary>Annualized volatility of the last 30 completed daily returns (population standard deviation · √252).</summary>
    public double? Volatility { get; private set; }

    public double? Atr => _atr.Value;

    public double? AtrPercentile => _atrPercentile.Value;

    public double? Rsi => _rsi.Value;

    public int Count => _count;

    /// <summary>The newest <paramref name="n"/> closes (at most <see cref="History"/>), oldest first.</summary>
    public ReadOnlySpan<double> Closes(int n)
    {
        n = Math.Min(n, _count);
        return _closes.AsSpan(_head + History - n, n);
    }

    /// <summary>Today's price against the completed days: the 1- and 5-day returns.</summary>
    public void Observe(double price)
    {
        var previous = _count > 0 ? _closes[_head + History - 1] : double.NaN;
        Return1d = previous > 0 ? (price / previous) - 1 : null;
        var fiveAgo = _count >= 5 ? _closes[_head + History - 5] : double.NaN;
        Return5d = fiveAgo > 0 ? (price / fiveAgo) - 1 : null;
    }

    /// <summary>Z-score of the return from the last completed close to <paramref name="price"/> against the completed days' returns (null while warming up).</summary>
    public double? ZScore(double price)
    {
        // As LiveIndicators.ZScore: ((price / last close) − 1 − mean) / sd of the previous daily returns.
        var previous = _count > 0 ? _closes[_head + History - 1] : double.NaN;
        return previous > 0 && _returnCount == _returns.Length ? ReturnsZScore.Standardize((price / previous) - 1, _returnMean, _returnStd) : null;
    }

    /// <summary>Day t's completed bar joins the history (after the decision at its close).</summary>
    public void Add(double high, double low, double close)
    {
        var previous = _count > 0 ? _closes[_head + History - 1] : double.NaN;
        if (!_closesOnly)
        {
            if (previous > 0)
            {
                AddReturn((close / previous) - 1);
            }

            _atr.Add(high, low, close);
            if (_atr.Value is { } atr)
            {
                _atrPercentile.Add(atr);
            }

            _rsi.Add(close);
        }

        _closes[_head] = close;
        _closes[_head + History] = close;
        _head = _head + 1 == History ? 0 : _head + 1;
        _count = Math.Min(_count + 1, History);
    }

    /// <summary>Structure on the completed days' closes (<see cref="Structure.IsOk"/>, as live).</summary>
    public bool? StructureOk(int emaPeriod) => Structure.IsOk(Closes(_structureSpan), emaPeriod);

    /// <summary>Technical score of the last <see cref="TechnicalWindow"/> completed daily closes (live: of the last 120 closed one-minute bars).</summary>
    public double? TechnicalScore(TechnicalScoreOptions options) => Signals.TechnicalScore.Compute(Closes(TechnicalWindow), options);

    public bool? MomentumOk() => Momentum.IsOk(Closes(TechnicalWindow));

    public double? Sma(int period)
    {
        if (period <= 0 || _count < period)
        {
            return null;
        }

        var sum = 0.0;
        foreach (var c in Closes(period))
        {
            sum += c;
        }

        return sum / period;
    }

    private void AddReturn(double r)
    {
        _returns[_returnHead] = r;
        _returnHead = (_returnHead + 1) % _returns.Length;
        _returnCount = Math.Min(_returnCount + 1, _returns.Length);
        if (_returnCount == _returns.Length)
        {
            (_returnMean, _returnStd) = ReturnsZScore.PopulationMeanStd(_returns);
        }

        _volReturns[_volHead] = r;
        _volHead = (_volHead + 1) % VolatilityWindow;
        _volCount = Math.Min(_volCount + 1, VolatilityWindow);
        Volatility = _volCount == VolatilityWindow ? ReturnsZScore.PopulationMeanStd(_volReturns).Std * Math.Sqrt(252) : null;
    }

}
