using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Journal;
using SentryBrain.Market;
using SentryBrain.Market.Bars;
using SentryBrain.Rules;
using SentryBrain.Signals;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Strategy;

namespace SentryBrain.Engine;

/// <summary>
/// The consumer loop: events in, journal out. The clock is event time (the latest <c>ts</c> seen), so the
/// same input always gives the same journal. Per event the work is O(1) in the number of symbols.
/// With a broker (embedded paper, later Alpaca) the broker is the source of truth for positions and orders;
/// without one (<c>TRADE_PAPER=false</c>) decisions are journaled only and positions come from the feed.
/// </summary>
public sealed class BrainEngine
{
    private const int PruneCheckEveryEvents = 4096;
    private const int CorrelationDays = 21;
    private const int MaxRoundTrips = 500;
    private const string RoundTripsKey = "round_trips";
    private static readonly TimeSpan PruneInterval = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WatchlistRefreshInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SpyRefreshInterval = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan StaleSweepInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    private readonly BrainConfig _config;
    private readonly ConsensusParameters _parameters;
    private readonly GreenLightParameters _greenLight;
    private readonly PositionExitParameters _exitParameters;
    private readonly LiveIndicatorOptions _indicatorOptions;
    private readonly IDailyBarSource? _barSource;
    private PositionBook? _book;
    private readonly List<double> _roundTrips = [];
    private readonly Dictionary<string, double> _sellEntryAvg = new(StringComparer.Ordinal);
    private bool _spyBelow200ma;
    private bool _spyKnown;
    private DateTime _spyCheckedAt = DateTime.MinValue;
    private readonly Func<DateTime, IBroker?> _brokerFactory;
    private IBroker? _broker;
    private readonly JournalWriter _journal;
    private readonly ILogger _logger;
    private readonly EventParser _parser;
    private readonly EventClock _clock;
    private readonly OutlierScreen _outliers;
    private readonly Dictionary<string, SymbolState> _states = new(StringComparer.Ordinal);
    private readonly SymbolCap _cap;
    private readonly Dictionary<string, FeedPosition> _feedPositions = new(StringComparer.Ordinal);
    private readonly HashSet<(string Symbol, string Side)> _feedOpenOrders = [];
    private readonly KillSwitch _killSwitch;
    private readonly DailyCap _dailyCap;
    private readonly Drawdown _drawdown;
    private double _persistedPeakEquity;
    private DateTime _noNewBuysUtc = DateTime.MaxValue;
    private TimeSpan _easternOffset;
    private DateTime _sessionCheckedAt = DateTime.MinValue;
    private bool _marketRegular;
    private readonly ActiveSymbols? _watchlist;
    private readonly Func<string, double?> _markPrice;
    private readonly List<string> _pruneScratch = [];
    private readonly List<BrokerOrder> _staleScratch = [];
    private readonly Dictionary<string, DateTime> _cancelRequested = new(StringComparer.Ordinal);
    private readonly HashSet<string> _repriceOnCancel = new(StringComparer.Ordinal);
    private DateTime _lastStaleSweep = DateTime.MinValue;

    private DateTime _now;
    private DateTime _firstTs;
    private DateOnly _tradingDate;
    private DateTime _tradingDateStartUtc = DateTime.MaxValue;
    private DateTime _tradingDateEndUtc = DateTime.MinValue;
    private DateTime _equityTs = DateTime.MinValue;
    private RiskSnapshot? _pendingRisk;
    private double _equity;
    private DateTime _lastPrune;
    private DateTime _lastWatchlistRefresh;
    private long _lines;
    private long _events;
    private long _rejected;
    private long _unknown;
    private long _decisions;
    private long _evaluations;
    private long _orders;
    private long _fills;
    private long _late;
    private readonly TimeSpan _lateTolerance;

    public BrainEngine(BrainConfig config, IBroker? broker, JournalWriter journal, ILogger logger)
        : this(config, _ => broker, journal, logger)
    {
    }

    public BrainEngine(BrainConfig config, IBroker? broker, JournalWriter journal, ILogger logger, TimeProvider time)
        : this(config, _ => broker, journal, logger, time: time)
    {
    }

    /// <summary>
    /// The broker is created when the first event arrives, with that event's time, so the caller can check the
    /// ledger against the stream (a replay of the past must not continue a ledger that is already ahead of it).
    /// <paramref name="time"/> is the wall clock, used only to reject events from the future (default: the system clock).
    /// </summary>
    public BrainEngine(BrainConfig config, Func<DateTime, IBroker?> brokerFactory, JournalWriter journal, ILogger logger, IDailyBarSource? barSource = null, TimeProvider? time = null)
    {
        _config = config;
        _parser = new EventParser(newsMaxSymbols: config.NewsMaxSymbols);
        _lateTolerance = TimeSpan.FromSeconds(config.LateEventToleranceSec);
        _parameters = ConsensusParameters.From(config);
        _greenLight = GreenLightParameters.From(config);
        _exitParameters = PositionExitParameters.From(config);
        _indicatorOptions = LiveIndicatorOptions.From(config);
        _barSource = barSource ?? (config.BarsCsvDir.Length > 0
            ? new CsvFolderBarSource(config.BarsCsvDir, error => logger.LogWarning("Bar history unusable: {Error}", error))
            : null);
        _brokerFactory = brokerFactory;
        _clock = new EventClock(time ?? TimeProvider.System, TimeSpan.FromSeconds(config.FutureTsToleranceSec), TimeSpan.FromSeconds(config.ClockJumpConfirmSec), config.ClockJumpConfirmEvents);
        _journal = journal;
        _logger = logger;
        _killSwitch = new KillSwitch(
            config.KillSwitchSentimentThreshold,
            config.KillSwitchReturnThreshold,
            config.KillSwitch,
            config.KillSwitchRearmMin > 0 ? TimeSpan.FromMinutes(config.KillSwitchRearmMin) : null);
        _dailyCap = new DailyCap(config.DailyCapEnabled, config.DailyCapPct, config.DailyLossCapPct, config.DailyCapSoftTrailingPct);
        _drawdown = new Drawdown(config.DrawdownHaltEnabled, config.MaxDrawdownPct);
        if (config.OpportunityEngineEnabled && config.ActiveSymbolsFile.Length > 0)
        {
            _watchlist = new ActiveSymbols(config.ActiveSymbolsFile);
            if (_watchlist.Refresh() is { } error)
            {
                _logger.LogWarning("Cannot read ACTIVE_SYMBOLS_FILE {Path}: {Error}", config.ActiveSymbolsFile, error);
            }
        }

        _cap = new SymbolCap(config.MaxSymbols, _states, IsHeld, PruneIdle);
        _markPrice = symbol => _states.TryGetValue(symbol, out var s) && s.MarkPrice > 0 ? s.MarkPrice : null;
        _outliers = new OutlierScreen(config.Outliers, logger, symbol => PositionOf(symbol).AvgEntry);
    }

    public long Evaluations => _evaluations;

    public IBroker? Broker => _broker;

    public int TrackedSymbols => _states.Count;

    public DateTime Now => _now;

    public KillSwitch KillSwitch => _killSwitch;

    public DailyCap DailyCap => _dailyCap;

    /// <summary>Account-wide rules shared with other brains (Redis when scaled out); null = this brain alone.</summary>
    public ISharedAccountLimits? SharedLimits { get; set; }

    /// <summary>Notional all brains together may buy per trading date through <see cref="SharedLimits"/> (0 = no limit).</summary>
    public double AccountDailyBuyLimit { get; set; }

    /// <summary>Called after a rejected line is journaled, with its number and reason (the Redis consumer dead-letters the entry).</summary>
    public Action<long, string>? LineRejected { get; set; }

    /// <summary>Where the current line came from, appended to error lines (the Redis consumer names the entry id); null for stdin.</summary>
    public Func<string>? LineContext { get; set; }

    /// <summary>Called when the current line is held back by the clock rule (<see cref="EventClock"/>): a token for where it came from.</summary>
    public Func<object?>? HeldLineOrigin { get; set; }

    /// <summary>While <see cref="LineRejected"/> runs for a line held back earlier: its <see cref="HeldLineOrigin"/> token (else null).</summary>
    public object? RejectedLineOrigin { get; private set; }

    /// <summary>Handles one input line (1-based numbering is kept by the engine).</summary>
    public void ProcessLine(ReadOnlySpan<byte> line)
    {
        _lines++;
        if (line.IsEmpty || line.Trim((byte)' ').IsEmpty)
        {
            Reject("empty line");
            return;
        }

        var evt = _parser.Parse(line, out var error);
        if (evt is null)
        {
            Reject(error ?? "unreadable");
            return;
        }

        Process(evt);
    }

    /// <summary>Journals an unexpected failure while processing the current line (already counted as an event).</summary>
    public void ReportInternalError(Exception ex) => _journal.Error(_lines, "internal error: " + ex.GetType().Name + ": " + ex.Message);

    /// <summary>Counts a line that never reached the parser (too long).</summary>
    public void RejectTooLong()
    {
        _lines++;
        Reject($"line longer than {LineReader.DefaultMaxLineBytes} bytes");
    }

    /// <summary>Handles one event, after the clock rule (<see cref="EventClock"/>) has checked its time.</summary>
    public void Process(MarketEvent evt)
    {
        var verdict = _clock.Offer(evt, _lines, LineContext, HeldLineOrigin);
        ApplyClockDecisions();
        if (verdict == EventClock.Verdict.Accept)
        {
            Apply(evt);
        }
        else if (verdict == EventClock.Verdict.Reject)
        {
            Reject(_clock.Reason);
        }
    }

    /// <summary>
    /// A market event further behind the clock than LATE_EVENT_TOLERANCE_SEC (a re-sent or duplicated stream, a
    /// quote delayed for minutes) describes a market that is gone: acting on it would stop out or fill at a price that
    /// no longer exists. Positions and orders lines are broker hints, not prices, and always count.
    /// </summary>
    private bool IsStale(MarketEvent evt)
        => evt is TradeEvent or QuoteEvent or NewsEvent or VolatilityEvent && _now - evt.Ts > _lateTolerance;

    /// <summary>Held events the clock has just decided: the rejected ones get their error lines, the released ones are processed in order.</summary>
    private void ApplyClockDecisions()
    {
        for (var i = 0; i < _clock.Rejected.Count; i++)
        {
            RejectHeld(_clock.Rejected[i].Held, _clock.Rejected[i].Reason);
        }

        for (var i = 0; i < _clock.Released.Count; i++)
        {
            Apply(_clock.Released[i].Event);
        }
    }

    private void Apply(MarketEvent evt)
    {
        _events++;
        Advance(evt.Ts);
        if (_cap.Refused(evt, _now) is { } untracked)
        {
            _events--; // a rejected line, so that events + rejected = lines
            Reject(_cap.Reason(untracked));
            return;
        }

        if (IsStale(evt))
        {
            _late++;
            return;
        }

        switch (evt)
        {
            case TradeEvent trade:
                OnTrade(trade);
                break;
            case QuoteEvent quote:
                OnQuote(quote);
                break;
            case NewsEvent news:
                OnNews(news);
                break;
            case VolatilityEvent vol:
                State(vol.Symbol).OnVolatility(vol);
                break;
            case PositionsEvent positions:
                OnPositions(positions);
                break;
            case OrdersEvent orders:
                OnOrders(orders);
                break;
            default:
                _unknown++;
                break;
        }

        if (_broker is not null)
        {
            SweepStaleOrders(); // after the event, so a re-sent exit meets the latest quote
        }

        if (_events % PruneCheckEveryEvents == 0)
        {
            Prune();
        }
    }

    public RunSummary Finish()
    {
        _clock.Finish();
        ApplyClockDecisions();

        if (_broker is not null && _events > 0)
        {
            Journal(_broker.Settle(_now, SettleTimeout), null); // requests still in flight at a remote broker
        }

        if (_events > 0)
        {
            PersistRisk(); // a clean stop stores the exact equity peak (during the run it is written in 0.1 % steps)
        }

        var elapsed = _events > 0 ? (_now - _firstTs).TotalSeconds : 0;
        if (_late > 0)
        {
            _logger.LogWarning("Skipped {Late} trade, quote, news or volatility events more than {Tolerance} s behind the stream clock (LATE_EVENT_TOLERANCE_SEC)", _late, _config.LateEventToleranceSec);
        }

        var summary = new RunSummary(_lines, _events, _rejected, _unknown, _decisions, _orders, _fills, elapsed) { Outliers = _outliers.Held, Late = _late };
        _outliers.LogSummary();
        _journal.Summary(summary);
        _journal.Flush();
        return summary;
    }

    private void Reject(string error)
    {
        _rejected++;
        _journal.Error(_lines, LineContext is null ? error : error + " (" + LineContext() + ")");
        LineRejected?.Invoke(_lines, error);
    }

    private void RejectHeld(EventClock.HeldEvent held, string error)
    {
        _rejected++;
        _journal.Error(held.Line, held.Context is null ? error : error + " (" + held.Context + ")");
        RejectedLineOrigin = held.Origin;
        try
        {
            LineRejected?.Invoke(held.Line, error);
        }
        finally
        {
            RejectedLineOrigin = null;
        }
    }

    private void Advance(DateTime ts)
    {
        if (_events == 1)
        {
            _firstTs = ts;
            try
            {
                _broker = _brokerFactory(ts);
                foreach (var note in _broker?.StartupReconciliation ?? [])
                {
                    _journal.Reconcile(ts, note);
                }

                _book = new PositionBook(_broker as IStateStore);
                if (_broker is not null)
                {
                    _book.Reconcile(symbol => _broker.PositionOf(symbol)?.Qty ?? 0);
                }

                if (_broker is IStateStore store)
                {
                    foreach (var part in (store.Load(RoundTripsKey) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (double.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var r))
                        {
                            _roundTrips.Add(r);
                        }
                    }

                    var text = store.Load(RiskSnapshot.StateKey);
                    _pendingRisk = RiskSnapshot.FromJson(text);
                    if (text is not null && _pendingRisk is null)
                    {
                        _logger.LogWarning("Stored risk state is unreadable; starting with fresh daily-cap and kill-switch state");
                    }
                }
            }
            catch (Exception ex) when (ex is not BrokerStartException)
            {
                throw new BrokerStartException($"The broker could not be started: {ex.Message}", ex);
            }
        }

        if (ts <= _now)
        {
            return; // late event: the clock never runs backwards
        }

        _now = ts;
        if (ts >= _tradingDateEndUtc || ts < _tradingDateStartUtc)
        {
            var date = NewYorkTime.TradingDate(ts);
            _tradingDateStartUtc = NewYorkTime.ToUtc(date, TimeOnly.MinValue);
            _tradingDateEndUtc = NewYorkTime.ToUtc(date.AddDays(1), TimeOnly.MinValue);
            OnTradingDate(date);
        }


        if (_broker is not null)
        {
            Journal(_broker.OnClock(ts), null); // expiries, and whatever a remote broker reported since the last event
        }

        if (_killSwitch.Expire(ts))
        {
            _logger.LogInformation("Kill switch re-armed after {Minutes} minutes", _config.KillSwitchRearmMin);
            PersistRisk();
        }

        // Every 15 minutes once known; every minute until SPY has a price and 200 daily closes.
        if (_config.Spy200maRegimeEnabled && ts - _spyCheckedAt >= (_spyKnown ? SpyRefreshInterval : TimeSpan.FromMinutes(1)))
        {
            _spyCheckedAt = ts;
            RefreshSpyRegime();
        }

        if (_watchlist is not null && ts - _lastWatchlistRefresh >= WatchlistRefreshInterval)
        {
            _lastWatchlistRefresh = ts;
            if (_watchlist.Refresh() is { } error)
            {
                _logger.LogWarning("Cannot read ACTIVE_SYMBOLS_FILE {Path}: {Error}", _watchlist.Path, error);
            }
        }
    }

    /// <summary>The calendar's session for the current event time, looked up once per clock tick.</summary>
    private bool MarketIsRegular()
    {
        if (_sessionCheckedAt != _now)
        {
            _sessionCheckedAt = _now;
            _marketRegular = NyseCalendar.SessionAt(_now) == MarketSession.Regular;
        }

        return _marketRegular;
    }

    /// <summary>SPY below its 200-day SMA (daily closes, warmed up from the bar source): stricter Z and smaller size.</summary>
    private void RefreshSpyRegime()
    {
        var before = _spyBelow200ma;
        var sma = _states.TryGetValue("SPY", out var spy) && spy.MarkPrice > 0 ? spy.Indicators?.DailySma(200) : null;
        _spyKnown = sma is not null;
        _spyBelow200ma = sma is { } average && spy!.MarkPrice < average;
        if (before != _spyBelow200ma)
        {
            _logger.LogInformation("SPY 200-day regime: {State}", _spyBelow200ma ? "below (stricter entries, smaller size)" : "above");
        }
    }

    private void OnTradingDate(DateOnly date)
    {
        if (date == _tradingDate)
        {
            return;
        }

        if (_tradingDate != default)
        {
            _killSwitch.Rearm();
            _logger.LogInformation("New trading date {Date}: automatic kill-switch trips re-armed", date);
        }

        _tradingDate = date;
        foreach (var state in _states.Values)
        {
            state.Indicators?.RollDay(date);
        }

        var noon = NewYorkTime.ToUtc(date, new TimeOnly(12, 0));
        _easternOffset = NewYorkTime.ToEastern(noon) - noon;
        _noNewBuysUtc = _config.NoNewBuysAfterEt is { } cutoff ? NewYorkTime.ToUtc(date, cutoff) : DateTime.MaxValue;
        if (_pendingRisk is { } snapshot)
        {
            _persistedPeakEquity = snapshot.PeakEquity;
        }

        if (_pendingRisk is { } restored && restored.RestoreInto(date, _dailyCap, _killSwitch, _drawdown))
        {
            _logger.LogInformation(
                "Restored today's risk state: daily cap {Cap} (baseline {Baseline:0.00}), market kill switch {Market}, {Symbols} symbols halted",
                restored.DailyCap, restored.Baseline, restored.MarketKilled, restored.KilledSymbols.Length);
        }

        _pendingRisk = null;
    }

    /// <summary>Writes the risk latches so that a restart the same day keeps them. Called only when they change.</summary>
    private void PersistRisk()
    {
        PublishAccountHalt();
        if (_broker is IStateStore store)
        {
            store.Save(RiskSnapshot.StateKey, RiskSnapshot.Capture(_tradingDate, _dailyCap, _killSwitch, _drawdown).ToJson());
            _persistedPeakEquity = _drawdown.PeakEquity;
        }
    }

    private SymbolState State(string symbol)
    {
        if (!_states.TryGetValue(symbol, out var state))
        {
            LiveIndicators? indicators = null;
            if (_config.StrategyMode == StrategyMode.GreenLight)
            {
                indicators = new LiveIndicators(_indicatorOptions);
                if (_barSource?.Load(symbol, _tradingDate) is { Count: > 0 } history)
                {
                    indicators.WarmUp(history);
                }

                indicators.RollDay(_tradingDate);
            }

            // Only the trend filter reads the price history, and no engine rule reads closed bars: keep no more.
            var prices = _config.TrendFilterEnabled ? Math.Min(_config.TrendSmaPeriod, SymbolState.PriceHistoryLength) : 0;
            state = new SymbolState(symbol, _config.RsiPeriod, indicators, prices, barHistory: 0);
            _states[symbol] = state;
        }

        return state;
    }

    private void OnTrade(TradeEvent trade)
    {
        var state = State(trade.Symbol);
        if (!_outliers.Admit(state, trade))
        {
            return;
        }

        state.OnTrade(trade);
        state.Indicators?.OnTrade(_tradingDate, trade.Price, trade.Size);
        CheckReturns(trade.Symbol, trade.Return1m, trade.Return5m);
        Evaluate(state, force: false);
    }

    private void OnQuote(QuoteEvent quote)
    {
        var state = State(quote.Symbol);
        if (!_outliers.Admit(state, quote))
        {
            return;
        }

        state.OnQuote(quote);
        state.Indicators?.OnQuote(quote.Bid, quote.Ask);
        state.CloseBarIfDue(quote.Ts);
        CheckReturns(quote.Symbol, quote.Return1m, quote.Return5m);
        if (_broker is not null)
        {
            Journal(_broker.OnQuote(quote.Symbol, quote.Bid, quote.Ask, quote.BidSize, quote.AskSize, _now), "filled");
        }

        Evaluate(state, force: false);
    }

    private void CheckReturns(string symbol, double return1m, double return5m)
    {
        if (_killSwitch.OnReturns(symbol, return1m, return5m, _now))
        {
            PersistRisk();
            _logger.LogWarning("Kill switch (market-wide) tripped by {Reason}; new buys halted until the next trading date", _killSwitch.MarketReason);
        }
    }

    private void OnNews(NewsEvent news)
    {
        var score = NewsSentiment.Score(news.Headline, news.Summary);
        if (_killSwitch.OnNews(score, news.Symbols, _now))
        {
            PersistRisk();
            _logger.LogWarning("Kill switch tripped for {Symbols} by news {Id} scoring {Score:0.###}: {Headline}", string.Join(",", news.Symbols), news.Id, score, news.Headline);
        }

        var untracked = 0;
        foreach (var symbol in news.Symbols)
        {
            if (!_cap.CanTrack(symbol, _now))
            {
                untracked++;
                continue;
            }

            var state = State(symbol);
            state.OnNews(news.Ts, score);
            Evaluate(state, force: true);
        }

        if (untracked > 0)
        {
            _logger.LogWarning("News {Id} (line {Line}): {Count} of its symbols not tracked (MAX_SYMBOLS={Max})", news.Id, _lines, untracked, _cap.MaxSymbols);
        }
    }

    private void OnPositions(PositionsEvent positions)
    {
        if (_broker is not null)
        {
            _broker.OnFeedUpdate(); // the broker is the source of truth; the feed's view may lag our own fills
            return;
        }

        _feedPositions.Clear();
        foreach (var p in positions.Positions)
        {
            _feedPositions[p.Symbol] = p;
        }
    }

    private void OnOrders(OrdersEvent orders)
    {
        if (_broker is not null)
        {
            _broker.OnFeedUpdate();
            return;
        }

        _feedOpenOrders.Clear();
        foreach (var o in orders.Orders)
        {
            _feedOpenOrders.Add((o.Symbol, o.Side.ToLowerInvariant()));
        }
    }

    private (long Qty, double AvgEntry) PositionOf(string symbol)
    {
        if (_broker is not null)
        {
            var p = _broker.PositionOf(symbol);
            return p is null ? (0, 0) : (p.Qty, p.AvgEntryPrice);
        }

        if (_feedPositions.TryGetValue(symbol, out var feed) && feed.Qty != 0)
        {
            var qty = (long)Math.Truncate(feed.Qty);
            return (qty, qty != 0 ? Math.Abs(feed.CostBasis / feed.Qty) : 0);
        }

        return (0, 0);
    }

    private bool IsHeld(string symbol) => PositionOf(symbol).Qty != 0 || HasOpenOrder(symbol, OrderSide.Buy) || HasOpenOrder(symbol, OrderSide.Sell);

    private bool HasOpenOrder(string symbol, OrderSide side)
        => _broker is not null ? _broker.HasOpenOrder(symbol, side) : _feedOpenOrders.Contains((symbol, side.Wire()));

    private double Equity() => _broker?.Equity(_markPrice) ?? _config.PaperStartingCash;

    private DailyCapState UpdateDailyCap()
    {
        var (date, before, halted) = (_dailyCap.Date, _dailyCap.State, _drawdown.Halted);
        var equity = RecentEquity();
        var state = _dailyCap.Update(_tradingDate, equity);
        _drawdown.Update(equity, out _);
        // Persist a new baseline, a latch, a drawdown halt, or an equity peak 0.1 % above the stored one
        // (a rising peak would otherwise mean a write every second).
        if (date != _dailyCap.Date || before != state || halted != _drawdown.Halted || _drawdown.PeakEquity > _persistedPeakEquity * 1.001)
        {
            PersistRisk();
        }

        return state;
    }

    /// <summary>Equity for the daily-cap check, recomputed at most once per event-time second (O(positions) each time).</summary>
    private double RecentEquity()
    {
        if (_now - _equityTs >= TimeSpan.FromSeconds(1))
        {
            _equity = Equity();
            _equityTs = _now;
        }

        return _equity;
    }

    private void Evaluate(SymbolState state, bool force)
    {
        var (heldQty, avgEntry) = PositionOf(state.Symbol);
        if (heldQty <= 0 && !force && _config.StrategyIntervalSec > 0
            && state.LastEntryEvaluationTs is { } last && (_now - last).TotalSeconds < _config.StrategyIntervalSec)
        {
            return;
        }

        if (heldQty <= 0)
        {
            state.LastEntryEvaluationTs = _now;
        }

        _evaluations++;
        // Updated for held symbols too: the daily-target flatten must fire even when only held symbols stream.
        var capState = UpdateDailyCap();
        // The feed's session is clock-only; the NYSE calendar knows weekends, holidays and early closes.
        var regular = state.Session == Session.Regular && MarketIsRegular();
        var hasOpenBuy = HasOpenOrder(state.Symbol, OrderSide.Buy);
        var hasOpenSell = HasOpenOrder(state.Symbol, OrderSide.Sell);
        var inCooldown = state.LastOrderTs is { } lastOrder && (_now - lastOrder).TotalSeconds < _config.OrderCooldownSec;
        var entryAllowed = _watchlist?.Symbols is not { } list || list.Contains(state.Symbol);
        int? scaleOutLevel = null;
        Decision decision;
        if (_config.StrategyMode == StrategyMode.GreenLight)
        {
            (decision, scaleOutLevel) = DecideGreenLight(state, heldQty, avgEntry, capState, regular, hasOpenBuy, hasOpenSell, inCooldown, entryAllowed);
        }
        else
        {
            var input = new ConsensusInput(
                RegularSession: regular,
                ExitPrice: state.ExitPrice,
                EntryPrice: state.EntryPrice,
                HeldQty: heldQty,
                AvgEntryPrice: avgEntry,
                HasOpenBuy: hasOpenBuy,
                HasOpenSell: hasOpenSell,
                News: state.FreshNews(_now, _config.NewsMaxAgeSec),
                Return1m: state.Return1m,
                Return5m: state.Return5m,
                Rsi: state.Rsi,
                KillSwitchReason: _killSwitch.ReasonFor(state.Symbol),
                DailyCap: capState,
                InCooldown: inCooldown,
                EntryAllowed: entryAllowed,
                DrawdownHalted: _drawdown.Halted,
                NoNewBuysWindow: _now >= _noNewBuysUtc);
            decision = ConsensusStrategy.Decide(input, _parameters);
        }

        if (decision.Action == TradeAction.Buy)
        {
            decision = Size(state, decision, heldQty);
        }

        if (decision.Action == TradeAction.Buy && SharedLimits is not null)
        {
            decision = ApplySharedLimits(state, decision);
        }

        if (decision.Action == TradeAction.Hold)
        {
            if (decision.Reason == state.LastJournaledHold)
            {
                return;
            }

            state.LastJournaledHold = decision.Reason;
        }
        else
        {
            state.LastJournaledHold = null;
        }

        _decisions++;
        _journal.Decision(_now, state.Symbol, decision);
        if (decision.Action != TradeAction.Hold && _broker is not null)
        {
            Submit(state, decision);
            RememberExitProgress(state.Symbol, decision, scaleOutLevel);
        }
    }

    /// <summary>
    /// Green Light: for a long, the positions-driven exits first (daily-target flatten, close losers, health check,
    /// scale-out levels), then the ordered evaluation of BEHAVIOR §4 with live ATR, VWAP, Z, structure and OFI.
    /// </summary>
    private (Decision Decision, int? ScaleOutLevel) DecideGreenLight(
        SymbolState state, long heldQty, double avgEntry, DailyCapState capState, bool regular, bool hasOpenBuy, bool hasOpenSell, bool inCooldown, bool entryAllowed)
    {
        var indicators = state.Indicators!;
        var price = heldQty > 0 ? state.ExitPrice : state.EntryPrice;
        var memory = heldQty > 0 ? _book?.Get(state.Symbol) : null;
        if (heldQty > 0 && GreenLightStrategy.PnlPct(heldQty, avgEntry, price) is { } pnl)
        {
            _book?.OnPnl(state.Symbol, pnl, _now);
            memory = _book?.Get(state.Symbol);
        }

        // New York wall time from a per-date offset: DST never changes during a trading session.
        var eastern = DateTime.SpecifyKind(_now + _easternOffset, DateTimeKind.Unspecified);
        var vwapDistance = indicators.VwapDistancePct(price, _tradingDate);
        if (heldQty > 0 && !hasOpenSell)
        {
            var exitInput = new PositionExitInput(heldQty, avgEntry, price, memory?.ScaleOutLevelsDone ?? 0, eastern, capState);
            if (PositionExits.Evaluate(exitInput, _exitParameters) is { } exit)
            {
                return (exit.Decision, exit.ScaleOutLevel);
            }
        }

        var input = new GreenLightInput(
            RegularSession: regular,
            HeldQty: heldQty,
            AvgEntryPrice: avgEntry,
            CurrentPrice: price,
            PeakPnlPct: memory?.PeakPnlPct,
            DaysHeld: memory is null ? 0 : (int)Math.Floor((_now - memory.EntryTs).TotalDays),
            ScaledAtVwap: memory?.ScaledAtVwap ?? false,
            InHealthCheckWindow: PositionExits.IsHealthCheckWindow(eastern, _exitParameters),
            AtrStopPct: null,
            // VWAP is an exit target only for positions bought below it (see PositionMemory.VwapTarget).
            VwapDistancePct: heldQty > 0 && memory?.VwapTarget != true ? null : vwapDistance,
            AtrPct: indicators.AtrPct(price),
            ZScore: indicators.ZScore(price),
            AtrPercentile: indicators.AtrPercentile,
            StructureOk: indicators.StructureOk ?? TrendOk(state),
            TechnicalScore: indicators.TechnicalScore,
            MomentumOk: indicators.MomentumOk,
            Ofi: _config.UseOfi ? indicators.Ofi : null,
            Rsi: state.Rsi,
            ProbGain: ProbGain.Compute(state.Return1m, state.Return5m, state.Volatility > 0 ? state.Volatility : null),
            KillSwitchReason: _killSwitch.ReasonFor(state.Symbol),
            DailyCap: capState,
            DrawdownHalted: _drawdown.Halted,
            NoNewBuysWindow: _now >= _noNewBuysUtc,
            HasOpenBuy: hasOpenBuy,
            HasOpenSell: hasOpenSell,
            InCooldown: inCooldown,
            EntryAllowed: entryAllowed,
            SpyBelow200ma: _spyBelow200ma);
        var decision = GreenLightStrategy.Decide(input, _greenLight);
        if (decision.Action == TradeAction.Buy)
        {
            state.EntryVwapDistancePct = vwapDistance;
        }

        return (decision, null);
    }

    /// <summary>The reference's live trend filter (TREND_FILTER_ENABLED): price above the SMA of recent prices; null when off or unknown.</summary>
    private bool? TrendOk(SymbolState state)
    {
        if (!_config.TrendFilterEnabled || state.PriceCount < _config.TrendSmaPeriod)
        {
            return null;
        }

        var n = Math.Min(_config.TrendSmaPeriod, state.PriceCount);
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            sum += state.PriceAt(i);
        }

        return state.PriceAt(0) > sum / n;
    }

    /// <summary>Marks scale-outs done (even if the order failed, so a level is never retried in a loop).</summary>
    private void RememberExitProgress(string symbol, Decision decision, int? scaleOutLevel)
    {
        if (_book?.Get(symbol) is not { } memory)
        {
            return;
        }

        if (scaleOutLevel is { } level)
        {
            memory.ScaleOutLevelsDone = PositionExits.MarkDone(memory.ScaleOutLevelsDone, level);
            _book.Save();
        }
        else if (decision.Reason == "scale_out_50_at_vwap")
        {
            memory.ScaledAtVwap = true;
            _book.Save();
        }
    }

    /// <summary>
    /// Shares to buy, sized as the backtester sizes them (<see cref="OrderPlanning.SizedBuyQty"/>), and never more
    /// than cash pays for.
    /// </summary>
    private Decision Size(SymbolState state, Decision decision, long heldQty)
    {
        var equity = Equity();
        var price = state.EntryPrice;
        var correlated = _config.CorrelationCheckEnabled && IsCorrelatedWithHolding(state);
        var qty = OrderPlanning.SizedBuyQty(_config, equity, price, heldQty, state.Indicators?.Atr, _roundTrips, correlated, _spyBelow200ma);
        var affordable = _broker is null ? qty : OrderPlanning.AffordableQty(_broker.Cash, BuyLimit(state) ?? price);
        return qty <= 0 ? decision with { Action = TradeAction.Hold, Reason = "size_below_one_share" }
            : affordable <= 0 ? decision with { Action = TradeAction.Hold, Reason = "insufficient_cash" }
            : decision with { Qty = Math.Min(qty, affordable) };
    }

    private void Submit(SymbolState state, Decision decision)
    {
        var side = decision.Action == TradeAction.Buy ? OrderSide.Buy : OrderSide.Sell;
        var limit = side == OrderSide.Buy ? BuyLimit(state) : null;
        var request = new OrderRequest(
            OrderPlanning.ClientOrderId(_now, state.Symbol, side),
            state.Symbol,
            side,
            decision.Qty,
            limit is null ? OrderType.Market : OrderType.Limit,
            limit,
            decision.Reason);
        if (side == OrderSide.Sell)
        {
            _sellEntryAvg[state.Symbol] = PositionOf(state.Symbol).AvgEntry;
        }

        Send(request, state);
    }

    /// <summary>Submits, journals and applies immediate fills; a duplicate is logged and not sent again.</summary>
    private void Send(OrderRequest request, SymbolState? state)
    {
        var result = _broker!.Submit(request, _now);
        if (result.Duplicate)
        {
            _logger.LogWarning("Order {Id} already exists at the broker ({Status}); not sent again", request.ClientOrderId, result.Order.Status.Wire());
            return;
        }

        _orders++;
        _journal.Order(_now, result.Order, _broker.Name, request.Reason);
        if (state is not null)
        {
            // A rejected attempt also starts the cooldown, so a persistent rejection is not resent on every event.
            state.LastOrderTs = _now;
        }

        if (result.Order.Status == OrderStatus.Rejected)
        {
            _logger.LogWarning("Order {Id} rejected: {Why}", request.ClientOrderId, result.Order.RejectReason);
        }
        else if (request.Side == OrderSide.Buy && state is not null)
        {
            state.LastEntryTs = _now;
        }

        foreach (var fill in result.Fills)
        {
            OnFill(fill);
        }
    }

    /// <summary>
    /// Cancels limit orders open longer than ORDER_STALE_SEC (a buy limit the market ran away from should not fill
    /// minutes later at a stale price). A stale exit (sell limit) is re-sent at market once the cancel is confirmed,
    /// because an exit must fill. Runs at most once per second of event time; open orders are few.
    /// </summary>
    private void SweepStaleOrders()
    {
        if (_config.OrderStaleSec <= 0 || _now - _lastStaleSweep < StaleSweepInterval)
        {
            return;
        }

        _lastStaleSweep = _now;
        var open = _broker!.OpenOrders;
        if (open.Count == 0)
        {
            return;
        }

        var stale = TimeSpan.FromSeconds(_config.OrderStaleSec);
        _staleScratch.Clear();
        foreach (var order in open)
        {
            // A cancel that got no answer is asked again after another stale period.
            if (order.Type == OrderType.Limit && _now - order.CreatedAt >= stale
                && (!_cancelRequested.TryGetValue(order.ClientOrderId, out var asked) || _now - asked >= stale))
            {
                _staleScratch.Add(order);
            }
        }

        foreach (var order in _staleScratch)
        {
            _cancelRequested[order.ClientOrderId] = _now;
            if (order.Side == OrderSide.Sell)
            {
                _repriceOnCancel.Add(order.ClientOrderId);
            }

            _logger.LogInformation("Order {Id} ({Side} {Symbol}) open for over {Stale} s: canceling", order.ClientOrderId, order.Side.Wire(), order.Symbol, _config.OrderStaleSec);
            Journal(_broker.Cancel(order.ClientOrderId, _now), "stale");
        }
    }

    /// <summary>A stale exit whose cancel is confirmed: the unfilled rest (at most what is still held) goes out at market.</summary>
    private void Reprice(BrokerOrder canceled)
    {
        var held = PositionOf(canceled.Symbol).Qty;
        var qty = Math.Min(canceled.Qty - canceled.FilledQty, held);
        if (qty <= 0)
        {
            return;
        }

        var request = new OrderRequest(
            OrderPlanning.RepriceClientOrderId(canceled.ClientOrderId),
            canceled.Symbol,
            OrderSide.Sell,
            qty,
            OrderType.Market,
            null,
            "exit_reprice");
        _logger.LogInformation("Exit {Id} canceled unfilled after {Stale} s: re-sending {Qty} {Symbol} at market as {New}", canceled.ClientOrderId, _config.OrderStaleSec, qty, canceled.Symbol, request.ClientOrderId);
        Send(request, _states.GetValueOrDefault(canceled.Symbol));
    }

    /// <summary>Whether 21-day daily-return correlation with any held symbol is at least CORRELATION_THRESHOLD.</summary>
    private bool IsCorrelatedWithHolding(SymbolState candidate)
    {
        if (_broker is null || candidate.Indicators is not { } mine)
        {
            return false;
        }

        Span<double> a = stackalloc double[CorrelationDays];
        Span<double> b = stackalloc double[CorrelationDays];
        var na = mine.DailyReturns(a);
        foreach (var position in _broker.Positions)
        {
            if (position.Symbol == candidate.Symbol || !_states.TryGetValue(position.Symbol, out var held) || held.Indicators is not { } theirs)
            {
                continue;
            }

            var nb = theirs.DailyReturns(b);
            var n = Math.Min(na, nb);
            if (SizingAdjustments.Correlation(a[(na - n)..na], b[(nb - n)..nb]) >= _config.CorrelationThreshold)
            {
                return true;
            }
        }

        return false;
    }

    private void OnFill(Fill fill)
    {
        _fills++;
        if (fill.Side == OrderSide.Sell && _sellEntryAvg.TryGetValue(fill.Symbol, out var entry) && entry > 0)
        {
            _roundTrips.Add((fill.Price - entry) / entry * 100);
            if (_roundTrips.Count > MaxRoundTrips)
            {
                _roundTrips.RemoveAt(0);
            }

            (_broker as IStateStore)?.Save(RoundTripsKey, string.Join(',', _roundTrips.Select(r => r.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        }

        _journal.Fill(fill);
        var entryBelowVwap = _states.TryGetValue(fill.Symbol, out var state) && state.EntryVwapDistancePct < 0;
        _book?.OnFill(fill, _broker?.PositionOf(fill.Symbol)?.Qty ?? 0, entryBelowVwap);
    }

    /// <summary>The marketable limit for a buy, or null for a market order (limits off, or no quote yet).</summary>
    private double? BuyLimit(SymbolState state)
        => _config.UseLimitOrders && state.Ask > 0 ? OrderPlanning.MarketableBuyLimit(state.Ask, _config.LimitOrderOffsetBps) : null;

    /// <param name="reason">The journal reason for changed orders; null = the new status (expired, canceled, rejected…).</param>
    private void Journal(BrokerUpdate update, string? reason)
    {
        if (update.IsEmpty)
        {
            return;
        }

        List<BrokerOrder>? reprice = null;
        foreach (var order in update.ChangedOrders)
        {
            if (order.Status != OrderStatus.Filled)
            {
                _orders++;
                var why = order.Status == OrderStatus.Canceled && _cancelRequested.ContainsKey(order.ClientOrderId) ? "stale" : reason ?? order.Status.Wire();
                _journal.Order(_now, order, _broker!.Name, why);
            }

            if (!order.Status.IsOpen())
            {
                _cancelRequested.Remove(order.ClientOrderId);
                if (_repriceOnCancel.Remove(order.ClientOrderId) && order.Status is OrderStatus.Canceled or OrderStatus.Expired)
                {
                    (reprice ??= []).Add(order);
                }
            }
        }

        foreach (var fill in update.Fills)
        {
            OnFill(fill);
        }

        // After the fills, so the position is current when the rest of an exit is re-sent.
        foreach (var order in reprice ?? [])
        {
            Reprice(order);
        }
    }

    /// <summary>A buy passes only when no brain halted the account today and the day's shared buy budget still covers it.</summary>
    private Decision ApplySharedLimits(SymbolState state, Decision decision)
    {
        if (SharedLimits!.HaltReason(_tradingDate) is { } halt)
        {
            return decision with { Action = TradeAction.Hold, Reason = "account_halted: " + halt };
        }

        var notional = decision.Qty * (BuyLimit(state) ?? state.EntryPrice);
        return AccountDailyBuyLimit > 0 && !SharedLimits.TryReserveBuy(_tradingDate, notional, AccountDailyBuyLimit)
            ? decision with { Action = TradeAction.Hold, Reason = "account_daily_buy_limit" }
            : decision;
    }

    /// <summary>Shares this brain's buy halts (daily cap, drawdown, market kill switch) with every brain on the account.</summary>
    private void PublishAccountHalt()
    {
        if (SharedLimits is null || _tradingDate == default)
        {
            return;
        }

        var reason = _dailyCap.State != DailyCapState.Open ? "daily_cap_" + _dailyCap.State
            : _drawdown.Halted ? "drawdown"
            : _killSwitch.MarketReason is { } kill ? "kill_switch: " + kill
            : null;
        if (reason is not null)
        {
            SharedLimits.Halt(_tradingDate, reason);
        }
    }

    /// <summary>Forgets symbols that are idle (or off the watchlist), not held and without open orders.</summary>
    private void Prune()
    {
        if (_now - _lastPrune < PruneInterval)
        {
            return;
        }

        PruneIdle();
    }

    private void PruneIdle()
    {
        _lastPrune = _now;
        var idleBefore = _now.AddSeconds(-_config.SymbolStateTtlSec);
        var watch = _watchlist?.Symbols;
        _pruneScratch.Clear();
        foreach (var (symbol, state) in _states)
        {
            var stale = state.LastEventTs < idleBefore || (watch is not null && !watch.Contains(symbol));
            if (stale && !IsHeld(symbol))
            {
                _pruneScratch.Add(symbol);
            }
        }

        foreach (var symbol in _pruneScratch)
        {
            _states.Remove(symbol);
        }

        if (_pruneScratch.Count > 0)
        {
            _logger.LogDebug("Pruned {Count} idle symbols; tracking {Tracked}", _pruneScratch.Count, _states.Count);
        }
    }
}

/// <summary>The broker could not be opened: the run must stop rather than go on without orders.</summary>
public sealed class BrokerStartException(string message, Exception? inner = null) : Exception(message, inner);
