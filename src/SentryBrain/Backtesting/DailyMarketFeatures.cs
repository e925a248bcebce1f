using SentryBrain.Config;
using SentryBrain.Signals;
using SentryBrain.Signals.Technical;
using SentryBrain.Strategy;

namespace SentryBrain.Backtesting;

/// <summary>
/// The backtest's data feed for one symbol: <see cref="IMarketFeatures"/> over <see cref="DailyIndicators"/> at the
/// close of each daily bar. The simulation calls <see cref="Observe"/> with the close before the decision and
/// <see cref="Add"/> with the bar after it, so the policy sees the completed days plus today's close, as the live
/// engine sees the daily history plus the last print.
/// </summary>
/// <remarks>
/// What a daily bar cannot give is unknown (null), which the policies treat exactly as live: OFI (needs trades
/// against quotes), session VWAP (needs intraday bars), and news unless the run replays recorded news
/// (<see cref="ObserveNews"/>, <c>backtest --news</c>). The technical score and momentum are of the last 120
/// completed daily closes (live: 1-minute bars); RSI is of the daily closes; prob_gain uses the 1- and 5-day returns
/// and the 30-day volatility (as the reference backtest did). Structure falls back to the trend filter (price above
/// the SMA of <c>TREND_SMA_PERIOD</c> daily closes) while unknown. Signals are not precomputed: structure and the
/// technical score cost a computation each, so policies ask for them only when they matter.
/// For the crossover (<see cref="ICrossoverFeatures"/>) the feed keeps the running SMAs and Wilder RSI of every
/// close including today's, exactly as the reference implementation; with <c>crossoverOnly</c> nothing else is
/// kept but the closes (the other members are unknown).
/// </remarks>
public sealed class DailyMarketFeatures : IMarketFeatures, ICrossoverFeatures
{
    private readonly BrainConfig _config;
    private readonly DailyIndicators _indicators;
    private readonly TechnicalScoreOptions _technical;
    private readonly SmaCrossParameters? _crossover;
    private readonly Sma? _fast;
    private readonly Sma? _slow;
    private WilderRsi _crossRsi;
    private double? _previousFast;
    private double? _previousSlow;
    private CrossoverValues _crossValues;
    private double _price;

    /// <summary>Creates the feed of one symbol for one run.</summary>
    /// <param name="config">Indicator periods, the trend filter and the technical score options.</param>
    /// <param name="crossover">Keep the crossover indicators for these periods (sma_cross); null = none.</param>
    /// <param name="crossoverOnly">Keep only the closes and the crossover (the other indicators stay unknown and cost nothing).</param>
    public DailyMarketFeatures(BrainConfig config, SmaCrossParameters? crossover = null, bool crossoverOnly = false)
    {
        _config = config;
        _indicators = new DailyIndicators(config, closesOnly: crossoverOnly);
        _technical = new TechnicalScoreOptions(config.UseMacd, config.UsePatterns, config.PatternLookback, config.RsiPeriod);
        _crossover = crossover;
        if (crossover is not null)
        {
            _fast = new Sma(crossover.Fast);
            _slow = new Sma(crossover.Slow);
            _crossRsi = new WilderRsi(crossover.RsiPeriod);
        }
    }

    /// <summary>Daily ATR of the completed days (risk sizing reads it after <see cref="Add"/>).</summary>
    public double? Atr => _indicators.Atr;

    /// <summary>Today's close, before the decision.</summary>
    /// <param name="close">Day t's close.</param>
    public void Observe(double close)
    {
        _price = close;
        _indicators.Observe(close);
        if (_fast is not null && _slow is not null)
        {
            _fast.Add(close);
            _slow.Add(close);
            _crossRsi.Add(close);
            var (fast, slow) = (_fast.Value, _slow.Value);
            _crossValues = new CrossoverValues(fast, slow, _previousFast, _previousSlow, _crossRsi.Value);
            _previousFast = fast;
            _previousSlow = slow;
        }
    }

    /// <summary>Today's news source at the close, before the decision (the simulation's point-in-time news book).</summary>
    /// <param name="news">The symbol's fresh decayed news score; null when none is a source.</param>
    public void ObserveNews(double? news) => News = news;

    /// <summary>Day t's completed bar joins the history, after the decision.</summary>
    /// <param name="high">Day t's high.</param>
    /// <param name="low">Day t's low.</param>
    /// <param name="close">Day t's close.</param>
    public void Add(double high, double low, double close) => _indicators.Add(high, low, close);

    /// <inheritdoc/>
    public CrossoverValues? Crossover(SmaCrossParameters parameters) => parameters == _crossover ? _crossValues : null;

    /// <inheritdoc/>
    public double EntryPrice => _price;

    /// <inheritdoc/>
    public double ExitPrice => _price;

    /// <inheritdoc/>
    public bool SignalsPrecomputed => false;

    /// <inheritdoc/>
    public double? ZScore(double price) => _indicators.ZScore(price);

    /// <inheritdoc/>
    public double? AtrPct(double price) => _indicators.Atr is { } atr && price > 0 ? atr / price * 100 : null;

    /// <inheritdoc/>
    public double? VwapDistancePct(double price) => null;

    /// <inheritdoc/>
    public double? AtrPercentile => _indicators.AtrPercentile;

    /// <inheritdoc/>
    public double? Ofi => null;

    /// <inheritdoc/>
    public double? Rsi => _indicators.Rsi;

    /// <inheritdoc/>
    public double ProbGain => Signals.ProbGain.Compute(_indicators.Return1d, _indicators.Return5d, _indicators.Volatility);

    /// <summary>
    /// The symbol's recorded news at today's close (<c>backtest --news</c>): decayed, fresh and unused by a buy, as set by
    /// <see cref="ObserveNews"/>; null without news, as before.
    /// </summary>
    public double? News { get; private set; }

    /// <inheritdoc/>
    public double Return1 => _indicators.Return1d ?? 0;

    /// <inheritdoc/>
    public double Return5 => _indicators.Return5d ?? 0;

    /// <inheritdoc/>
    public bool? StructureOk()
    {
        var structure = _indicators.StructureOk(_config.StructureEmaPeriod);
        if (structure is null && _config.TrendFilterEnabled && _indicators.Sma(_config.TrendSmaPeriod) is { } sma)
        {
            structure = _price > sma;
        }

        return structure;
    }

    /// <inheritdoc/>
    public double? TechnicalScore() => _indicators.TechnicalScore(_technical);

    /// <inheritdoc/>
    public bool? MomentumOk() => _indicators.MomentumOk();

    /// <inheritdoc/>
    public int DailyCloseCount => _indicators.Count;

    /// <inheritdoc/>
    public ReadOnlySpan<double> DailyCloses(int n) => _indicators.Closes(n);
}
