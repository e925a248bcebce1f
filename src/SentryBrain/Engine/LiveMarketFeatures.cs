using SentryBrain.Config;
using SentryBrain.Market;
using SentryBrain.Signals;
using SentryBrain.Strategy;

namespace SentryBrain.Engine;

/// <summary>
/// The live data feed as a policy sees it: <see cref="IMarketFeatures"/> over one <see cref="SymbolState"/> and its
/// <see cref="LiveIndicators"/>, reproducing exactly what the engine's inline input assembly computed (entry price
/// the ask, exit price the bid; ATR, Z and structure from the daily history; VWAP of the trading date's session; the
/// technical score and momentum of 1-minute bars; RSI, returns, volatility and news of the symbol state).
/// </summary>
/// <remarks>
/// One instance per engine (per thread), re-pointed with <see cref="Bind"/> before each decision: no allocation per
/// call. Valid only until the next <see cref="Bind"/>. Structure falls back to the trend filter (price above the SMA of
/// the last <c>TREND_SMA_PERIOD</c> prices) while the daily structure is unknown; OFI is null when
/// <c>USE_OFI=false</c>; news is the symbol's decayed sentiment while its newest item is fresh and unused by an entry
/// (<see cref="SymbolState.FreshNews"/>). Without live indicators
/// (a state created for the consensus strategy) the indicator members are null and there are no daily closes.
/// </remarks>
public sealed class LiveMarketFeatures : IMarketFeatures
{
    private readonly bool _useOfi;
    private readonly double _newsMaxAgeSec;
    private readonly double _newsHalfLifeMin;
    private readonly bool _trendFilterEnabled;
    private readonly int _trendSmaPeriod;
    private SymbolState? _state;
    private LiveIndicators? _indicators;
    private DateTime _now;
    private DateOnly _tradingDate;

    /// <summary>Creates the adapter; <see cref="Bind"/> it to a symbol before use.</summary>
    /// <param name="config">Reads <c>USE_OFI</c>, <c>NEWS_MAX_AGE_SEC</c>, <c>NEWS_HALF_LIFE_MIN</c>, <c>TREND_FILTER_ENABLED</c>, <c>TREND_SMA_PERIOD</c>.</param>
    public LiveMarketFeatures(BrainConfig config)
    {
        _useOfi = config.UseOfi;
        _newsMaxAgeSec = config.NewsMaxAgeSec;
        _newsHalfLifeMin = config.Sentiment.NewsHalfLifeMin;
        _trendFilterEnabled = config.TrendFilterEnabled;
        _trendSmaPeriod = config.TrendSmaPeriod;
    }

    /// <summary>Points the adapter at <paramref name="state"/> for one decision.</summary>
    /// <param name="state">The symbol's state (and its indicators, when any).</param>
    /// <param name="now">Event time, UTC (news freshness).</param>
    /// <param name="tradingDate">The New York trading date (session VWAP of that date only).</param>
    /// <returns>This instance.</returns>
    public LiveMarketFeatures Bind(SymbolState state, DateTime now, DateOnly tradingDate)
    {
        _state = state;
        _indicators = state.Indicators;
        _now = now;
        _tradingDate = tradingDate;
        return this;
    }

    private SymbolState State => _state ?? throw new InvalidOperationException("LiveMarketFeatures used before Bind");

    /// <inheritdoc/>
    public double EntryPrice => State.EntryPrice;

    /// <inheritdoc/>
    public double ExitPrice => State.ExitPrice;

    /// <inheritdoc/>
    public bool SignalsPrecomputed => true;

    /// <inheritdoc/>
    public double? ZScore(double price) => _indicators?.ZScore(price);

    /// <inheritdoc/>
    public double? AtrPct(double price) => _indicators?.AtrPct(price);

    /// <inheritdoc/>
    public double? VwapDistancePct(double price) => _indicators?.VwapDistancePct(price, _tradingDate);

    /// <inheritdoc/>
    public double? AtrPercentile => _indicators?.AtrPercentile;

    /// <inheritdoc/>
    public double? Ofi => _useOfi ? _indicators?.Ofi : null;

    /// <inheritdoc/>
    public double? Rsi => State.Rsi;

    /// <inheritdoc/>
    public double ProbGain
    {
        get
        {
            var state = State;
            return Signals.ProbGain.Compute(state.Return1m, state.Return5m, state.Volatility > 0 ? state.Volatility : null);
        }
    }

    /// <inheritdoc/>
    public double? News => State.FreshNews(_now, _newsMaxAgeSec, _newsHalfLifeMin);

    /// <inheritdoc/>
    public double Return1 => State.Return1m;

    /// <inheritdoc/>
    public double Return5 => State.Return5m;

    /// <inheritdoc/>
    public bool? StructureOk() => _indicators?.StructureOk ?? TrendOk(State);

    /// <inheritdoc/>
    public double? TechnicalScore() => _indicators?.TechnicalScore;

    /// <inheritdoc/>
    public bool? MomentumOk() => _indicators?.MomentumOk;

    /// <inheritdoc/>
    public int DailyCloseCount => _indicators?.DailyBars ?? 0;

    /// <inheritdoc/>
    public ReadOnlySpan<double> DailyCloses(int n) => _indicators is { } indicators ? indicators.DailyCloses(n) : [];

    /// <summary>The reference's live trend filter (TREND_FILTER_ENABLED): price above the SMA of recent prices; null when off or unknown.</summary>
    private bool? TrendOk(SymbolState state)
    {
        if (!_trendFilterEnabled || state.PriceCount < _trendSmaPeriod)
        {
            return null;
        }

        var n = Math.Min(_trendSmaPeriod, state.PriceCount);
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            sum += state.PriceAt(i);
        }

        return state.PriceAt(0) > sum / n;
    }
}
