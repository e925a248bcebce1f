using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine.News;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Journal;
using SentryBrain.Learning;
using SentryBrain.Market;
using SentryBrain.Market.Bars;
using SentryBrain.Rules;
using SentryBrain.Signals;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Strategy;

namespace SentryBrain.Engine;

/// <summary>
/// The event loop: events in, journal out. Per event it routes (<see cref="Apply"/>), updates the symbol's state
/// (<see cref="SymbolRegistry"/>), gathers the <see cref="EntryGates"/>, asks the decision policy
/// (<see cref="IDecisionPolicy"/>: the same implementations the backtester calls), hands a buy to the sizer
/// (<see cref="BuySizer"/>) and the pre-trade gates and an order to the <see cref="OrderDesk"/>, and journals; the risk
/// latches are the <see cref="RiskGuard"/>'s. Its replaceable parts are passed in (<see cref="EngineParts"/>). The
/// clock is event time (the latest <c>ts</c> seen), so the same input always gives the same journal. Per event the work
/// is O(1) in the number of symbols. With a broker (embedded paper or Alpaca) the broker is the source of truth for
/// positions and orders; without one (<c>TRADE_PAPER=false</c>) decisions are journaled only and positions come from
/// the feed (<see cref="Holdings"/>). Lines in, the clock rule and rejections are in BrainEngine.Intake.cs;
/// following the active list and pruning per-symbol state in BrainEngine.Watchlist.cs; news (point-in-time, deduplicated,
/// scored on or off the loop by <see cref="News.NewsIntake"/>) in BrainEngine.News.cs.
/// </summary>
public sealed partial class BrainEngine
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    private readonly BrainConfig _config;
    private readonly IDecisionPolicy _policy;
    private readonly LiveMarketFeatures _features;
    private readonly EngineParts _parts;
    private readonly IEngineListener[] _listeners;
    private readonly Func<DateTime, IBroker?> _openBroker;
    private readonly JournalWriter _journal;
    private readonly ILogger _logger;
    private readonly EventParser _parser;
    private readonly EventClock _clock;
    private readonly OutlierScreen _outliers;
    private readonly RiskGuard _risk;
    private readonly Holdings _holdings = new();
    private readonly SymbolRegistry _symbols;
    private readonly SpyRegime _spy;
    private readonly BuySizer _sizer;
    private readonly Func<string, double?> _markPrice;
    private readonly Func<string, SymbolState?> _findSymbol;
    private readonly TimeSpan _lateTolerance;
    private readonly NewsIntake _news;
    private OrderDesk? _desk;
    private PositionBook? _book;
    private RoundTripRecorder? _roundTrips;
    private IPreTradeGate[] _gates;
    private SharedAccountGate? _accountGate;
    private double _accountDailyBuyLimit;

    private DateTime _now;
    private DateTime _firstTs;
    private DateOnly _tradingDate;
    private DateTime _tradingDateStartUtc = DateTime.MaxValue;
    private DateTime _tradingDateEndUtc = DateTime.MinValue;
    private TimeSpan _easternOffset;
    private DateTime _sessionCheckedAt = DateTime.MinValue;
    private bool _marketRegular;
    private DateTime _equityTs = DateTime.MinValue;
    private double _equity;
    private long _lines;
    private long _events;
    private long _rejected;
    private long _unknown;
    private long _decisions;
    private long _evaluations;
    private long _late;

    public BrainEngine(BrainConfig config, IBroker? broker, JournalWriter journal, ILogger logger)
        : this(config, _ => broker, journal, logger)
    {
    }

    public BrainEngine(BrainConfig config, IBroker? broker, JournalWriter journal, ILogger logger, TimeProvider time)
        : this(config, _ => broker, journal, logger, time: time)
    {
    }

    /// <summary>With the configured parts (<see cref="EngineParts.FromConfig"/>), the bar source replaced when given.</summary>
    public BrainEngine(BrainConfig config, Func<DateTime, IBroker?> openBroker, JournalWriter journal, ILogger logger, IDailyBarSource? barSource = null, TimeProvider? time = null)
        : this(config, openBroker, journal, logger, WithBars(EngineParts.FromConfig(config, logger), barSource), time)
    {
    }

    /// <summary>
    /// <paramref name="openBroker"/> opens and starts the broker (and reconciles it) when the first event arrives,
    /// with that event's time, so it can check its ledger against the stream (a replay of the past must not
    /// continue a ledger that is already ahead of it); null = decisions only. Its state store
    /// (<see cref="IBroker.State"/>) keeps the risk latches, position memory and round trips.
    /// <paramref name="time"/> is the wall clock, used only to reject events from the future (default: the system clock).
    /// </summary>
    public BrainEngine(BrainConfig config, Func<DateTime, IBroker?> openBroker, JournalWriter journal, ILogger logger, EngineParts parts, TimeProvider? time = null)
    {
        _config = config;
        _parts = parts;
        _parser = new EventParser(newsMaxSymbols: config.NewsMaxSymbols);
        _lateTolerance = TimeSpan.FromSeconds(config.LateEventToleranceSec);
        _policy = parts.Policy ?? DecisionPolicies.Create(config);
        _features = new LiveMarketFeatures(config);
        _openBroker = openBroker;
        _clock = new EventClock(time ?? TimeProvider.System, TimeSpan.FromSeconds(config.FutureTsToleranceSec), TimeSpan.FromSeconds(config.ClockJumpConfirmSec), config.ClockJumpConfirmEvents);
        _journal = journal;
        _logger = logger;
        _risk = new RiskGuard(config, logger);
        // Consensus reads only the symbol state; every other policy reads the live indicators (and their daily history).
        _symbols = new SymbolRegistry(config, _policy is not ConsensusPolicy, parts.BarSource, parts.Watchlist, _holdings.IsHeld, logger);
        _spy = new SpyRegime(config.Spy200maRegimeEnabled, logger);
        _sizer = new BuySizer(config, parts.SizeMultiplier);
        _gates = [.. parts.PreTradeGates];
        _listeners = [.. new object[] { parts.SizeMultiplier }.Concat(parts.PreTradeGates).Concat(parts.FillObservers).Concat(parts.Listeners).OfType<IEngineListener>().Distinct()];
        _markPrice = _symbols.MarkPrice;
        _findSymbol = _symbols.Find;
        _outliers = new OutlierScreen(config.Outliers, logger, symbol => _holdings.PositionOf(symbol).AvgEntry);
        _news = new NewsIntake(config.Sentiment, config.NewsMaxAgeSec, parts.Sentiment, parts.WaitForSentiment, time ?? TimeProvider.System, logger, ApplyNews);
    }

    private static EngineParts WithBars(EngineParts parts, IDailyBarSource? bars) => bars is null ? parts : parts with { BarSource = bars };

    public long Evaluations => _evaluations;

    public IBroker? Broker => _holdings.Broker;

    public int TrackedSymbols => _symbols.Count;

    public DateTime Now => _now;

    public KillSwitch KillSwitch => _risk.KillSwitch;

    public DailyCap DailyCap => _risk.DailyCap;

    public RiskGuard Risk => _risk;

    /// <summary>Account-wide rules shared with other brains (Redis when scaled out); null = this brain alone.</summary>
    public ISharedAccountLimits? SharedLimits
    {
        get => _risk.SharedLimits;
        set
        {
            _risk.SharedLimits = value;
            UseAccountGate();
        }
    }

    /// <summary>Notional all brains together may buy per trading date through <see cref="SharedLimits"/> (0 = no limit).</summary>
    public double AccountDailyBuyLimit
    {
        get => _accountDailyBuyLimit;
        set
        {
            _accountDailyBuyLimit = value;
            UseAccountGate();
        }
    }

    /// <summary>The shared account gate runs after the configured gates, because it reserves budget.</summary>
    private void UseAccountGate()
    {
        _accountGate = _risk.SharedLimits is { } limits ? new SharedAccountGate(limits, _accountDailyBuyLimit) : null;
        _gates = _accountGate is null ? [.. _parts.PreTradeGates] : [.. _parts.PreTradeGates, _accountGate];
    }

    private void Apply(MarketEvent evt)
    {
        _news.BeforeEvent();
        _events++;
        if (_events == 1)
        {
            Start(evt.Ts);
        }

        Advance(evt.Ts);
        _news.OnClock(_now);
        if (_symbols.Cap.Refused(evt, _now) is { } untracked)
        {
            _events--; // a rejected line, so that events + rejected = lines
            Reject(_symbols.Cap.Reason(untracked));
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
                _symbols.Get(vol.Symbol).OnVolatility(vol);
                break;
            case PositionsEvent positions:
                _holdings.OnPositions(positions);
                break;
            case OrdersEvent orders:
                _holdings.OnOrders(orders);
                break;
            default:
                _unknown++;
                break;
        }

        _desk?.SweepStaleOrders(_now); // after the event, so a re-sent exit meets the latest quote
        MaybePrune();
    }

    public RunSummary Finish()
    {
        _clock.Finish();
        ApplyClockDecisions();
        _news.Finish(_now);

        if (_desk is not null && _events > 0)
        {
            _desk.Apply(_desk.Broker.Settle(_now, SettleTimeout), null, _now); // requests still in flight at a remote broker
        }

        if (_events > 0)
        {
            _risk.Persist(); // a clean stop stores the exact equity peak (during the run it is written in 0.1 % steps)
        }

        var elapsed = _events > 0 ? (_now - _firstTs).TotalSeconds : 0;
        if (_late > 0)
        {
            _logger.LogWarning("Skipped {Late} trade, quote, news or volatility events more than {Tolerance} s behind the stream clock (LATE_EVENT_TOLERANCE_SEC)", _late, _config.LateEventToleranceSec);
        }

        var summary = new RunSummary(_lines, _events, _rejected, _unknown, _decisions, _desk?.Orders ?? 0, _desk?.Fills ?? 0, elapsed) { Outliers = _outliers.Held, Late = _late };
        _outliers.LogSummary();
        _journal.Summary(summary);
        _journal.Flush();
        return summary;
    }

    /// <summary>
    /// The first event: the broker is opened (and started and reconciled by its opener) with that event's time,
    /// its start-up reconciliation is journaled, and the state kept in its store is loaded.
    /// </summary>
    private void Start(DateTime firstTs)
    {
        _firstTs = firstTs;
        try
        {
            var broker = _openBroker(firstTs);
            _holdings.Broker = broker;
            foreach (var note in broker?.StartupReconciliation ?? [])
            {
                _journal.Reconcile(firstTs, note);
            }

            var store = broker?.State;
            foreach (var listener in _listeners)
            {
                listener.Attach(store);
            }

            _book = new PositionBook(store);
            _risk.Load(store);
            if (broker is not null)
            {
                _book.Reconcile(symbol => broker.PositionOf(symbol)?.Qty ?? 0);
                _roundTrips = new RoundTripRecorder(store);
                _desk = new OrderDesk(broker, _config, _journal, _logger, _book, [_roundTrips, .. _parts.FillObservers], _findSymbol);
            }
        }
        catch (Exception ex) when (ex is not BrokerStartException)
        {
            throw new BrokerStartException($"The broker could not be started: {ex.Message}", ex);
        }
    }

    private void Advance(DateTime ts)
    {
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
            if (date != _tradingDate)
            {
                _tradingDate = date;
                var noon = NewYorkTime.ToUtc(date, new TimeOnly(12, 0));
                _easternOffset = NewYorkTime.ToEastern(noon) - noon;
                _risk.OnTradingDate(date);
            }
        }

        _symbols.OnClock(ts, _tradingDate);
        if (_desk is not null)
        {
            _desk.Apply(_desk.Broker.OnClock(ts), null, ts); // expiries, and whatever a remote broker reported since the last event
        }

        _risk.OnClock(ts);
        _spy.OnClock(ts, _findSymbol);
        FollowWatchlist(ts);
        foreach (var listener in _listeners)
        {
            listener.OnClock(ts, _tradingDate, _journal);
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

    private void OnTrade(TradeEvent trade)
    {
        var state = _symbols.Get(trade.Symbol);
        if (!_outliers.Admit(state, trade))
        {
            return;
        }

        state.OnTrade(trade);
        state.Indicators?.OnTrade(_tradingDate, trade.Price, trade.Size);
        _risk.OnReturns(trade.Symbol, trade.Return1m, trade.Return5m, _now);
        Evaluate(state, force: false);
    }

    private void OnQuote(QuoteEvent quote)
    {
        var state = _symbols.Get(quote.Symbol);
        if (!_outliers.Admit(state, quote))
        {
            return;
        }

        state.OnQuote(quote);
        state.Indicators?.OnQuote(quote.Bid, quote.Ask);
        state.CloseBarIfDue(quote.Ts);
        _risk.OnReturns(quote.Symbol, quote.Return1m, quote.Return5m, _now);
        _desk?.Apply(_desk.Broker.OnQuote(quote.Symbol, quote.Bid, quote.Ask, quote.BidSize, quote.AskSize, _now), "filled", _now);
        Evaluate(state, force: false);
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

    private double Equity() => _holdings.Broker?.Equity(_markPrice) ?? _config.PaperStartingCash;

    private void Evaluate(SymbolState state, bool force)
    {
        var (heldQty, avgEntry) = _holdings.PositionOf(state.Symbol);
        if (heldQty <= 0 && !force && _config.StrategyIntervalSec > 0
            && state.LastEntryEvaluationTs is { } last && (_now - last).TotalSeconds < _config.StrategyIntervalSec)
        {
            return;
        }

        if (heldQty <= 0)
        {
            state.LastEntryEvaluationTs = _now;
        }
        else if (_listeners.Length > 0 && state.ExitPrice > 0)
        {
            foreach (var listener in _listeners)
            {
                listener.OnHeldPrice(state.Symbol, state.ExitPrice, _now);
            }
        }

        _evaluations++;
        // Updated for held symbols too: the daily-target flatten must fire even when only held symbols stream.
        var capState = _risk.UpdateEquity(RecentEquity());
        // The feed's session is clock-only; the NYSE calendar knows weekends, holidays and early closes.
        var regular = state.Session == FeedSession.Regular && MarketIsRegular();
        var hasOpenBuy = _holdings.HasOpenOrder(state.Symbol, OrderSide.Buy);
        var hasOpenSell = _holdings.HasOpenOrder(state.Symbol, OrderSide.Sell);
        var inCooldown = state.LastOrderTs is { } lastOrder && (_now - lastOrder).TotalSeconds < _config.OrderCooldownSec;
        var entryAllowed = _parts.Watchlist?.Active is not { } list || list.Contains(state.Symbol);
        var gates = new EntryGates(regular, entryAllowed, _risk.KillReason(state.Symbol), capState, _risk.DrawdownHalted, _risk.NoNewBuys(_now), hasOpenBuy, hasOpenSell, inCooldown, _spy.Below200ma);
        var market = _features.Bind(state, _now, _tradingDate);
        // New York wall time from a per-date offset: DST never changes during a trading session.
        var eastern = DateTime.SpecifyKind(_now + _easternOffset, DateTimeKind.Unspecified);
        var (decision, scaleOutLevel) = _policy.Decide(new DecisionContext(state.Symbol, _now, eastern, Position(state.Symbol, heldQty, avgEntry, market), gates, market));
        decision = LearningSignals.Enrich(decision, market);
        if (_news.Market(_now) is { } marketNews)
        {
            decision = decision with { Signals = decision.Signals with { NewsMarket = marketNews } };
        }

        if (decision.Action == TradeAction.Buy)
        {
            // Whether this entry is below VWAP decides, at its fill, if VWAP becomes an exit target.
            state.EntryVwapDistancePct = market.VwapDistancePct(market.EntryPrice);
        }

        if (decision.Action == TradeAction.Buy)
        {
            decision = SizeAndGate(state, decision, heldQty);
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
        if (decision.Action != TradeAction.Hold && _desk is not null)
        {
            _desk.Submit(state, decision, _now);
            _desk.RememberExitProgress(state.Symbol, decision, scaleOutLevel);
        }
    }

    /// <summary>A buy is sized (<see cref="BuySizer"/>), then offered to the pre-trade gates; the first refusal becomes the hold reason.</summary>
    private Decision SizeAndGate(SymbolState state, Decision decision, long heldQty)
    {
        var limit = OrderDesk.BuyLimit(_config, state);
        decision = _sizer.Size(state, decision, heldQty, Equity(), _holdings.Broker, _roundTrips?.Returns ?? [], _spy.Below200ma, limit, _symbols);
        if (decision.Action != TradeAction.Buy)
        {
            return decision;
        }

        var check = new PreTradeCheck(state.Symbol, _now, _tradingDate, decision.Qty, limit ?? state.EntryPrice, decision.Signals);
        foreach (var gate in _gates)
        {
            if (gate.Check(check) is { } reason)
            {
                return decision with { Action = TradeAction.Hold, Reason = reason };
            }
        }

        return decision;
    }

    /// <summary>
    /// The position and what the engine remembers about it (<see cref="PositionBook"/>): the peak P&amp;L is raised to
    /// the current one at the exit price first, so the policy sees it including now.
    /// </summary>
    private HeldPosition Position(string symbol, long heldQty, double avgEntry, IMarketFeatures market)
    {
        if (heldQty <= 0)
        {
            return new HeldPosition(heldQty, avgEntry, null, 0, false, 0, false);
        }

        if (GreenLightStrategy.PnlPct(heldQty, avgEntry, market.ExitPrice) is { } pnl)
        {
            _book?.OnPnl(symbol, pnl, _now);
        }

        var memory = _book?.Get(symbol);
        return memory is null
            ? new HeldPosition(heldQty, avgEntry, null, 0, false, 0, false)
            : new HeldPosition(heldQty, avgEntry, memory.PeakPnlPct, (int)Math.Floor((_now - memory.EntryTs).TotalDays), memory.ScaledAtVwap, memory.ScaleOutLevelsDone, memory.VwapTarget);
    }
}

/// <summary>The broker could not be opened: the run must stop rather than go on without orders.</summary>
public sealed class BrokerStartException(string message, Exception? inner = null) : Exception(message, inner);
