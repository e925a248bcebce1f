using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Journal;
using SentryBrain.Market;
using SentryBrain.Rules;
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
    private static readonly TimeSpan PruneInterval = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WatchlistRefreshInterval = TimeSpan.FromSeconds(5);

    private readonly BrainConfig _config;
    private readonly ConsensusParameters _parameters;
    private readonly Func<DateTime, IBroker?> _brokerFactory;
    private IBroker? _broker;
    private readonly JournalWriter _journal;
    private readonly ILogger _logger;
    private readonly EventParser _parser = new();
    private readonly Dictionary<string, SymbolState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FeedPosition> _feedPositions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _feedOpenOrders = new(StringComparer.Ordinal);
    private readonly KillSwitch _killSwitch;
    private readonly DailyCap _dailyCap;
    private readonly Drawdown _drawdown;
    private double _persistedPeakEquity;
    private DateTime _noNewBuysUtc = DateTime.MaxValue;
    private readonly ActiveSymbols? _watchlist;
    private readonly Func<string, double?> _markPrice;
    private readonly List<string> _pruneScratch = [];

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

    public BrainEngine(BrainConfig config, IBroker? broker, JournalWriter journal, ILogger logger)
        : this(config, _ => broker, journal, logger)
    {
    }

    /// <summary>
    /// The broker is created when the first event arrives, with that event's time, so the caller can check the
    /// ledger against the stream (a replay of the past must not continue a ledger that is already ahead of it).
    /// </summary>
    public BrainEngine(BrainConfig config, Func<DateTime, IBroker?> brokerFactory, JournalWriter journal, ILogger logger)
    {
        _config = config;
        _parameters = ConsensusParameters.From(config);
        _brokerFactory = brokerFactory;
        _journal = journal;
        _logger = logger;
        _killSwitch = new KillSwitch(config.KillSwitchSentimentThreshold, config.KillSwitchReturnThreshold, config.KillSwitch);
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

        _markPrice = symbol => _states.TryGetValue(symbol, out var s) && s.MarkPrice > 0 ? s.MarkPrice : null;
    }

    public long Evaluations => _evaluations;

    public IBroker? Broker => _broker;

    public int TrackedSymbols => _states.Count;

    public DateTime Now => _now;

    public KillSwitch KillSwitch => _killSwitch;

    public DailyCap DailyCap => _dailyCap;

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

    public void Process(MarketEvent evt)
    {
        _events++;
        Advance(evt.Ts);
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

        if (_events % PruneCheckEveryEvents == 0)
        {
            Prune();
        }
    }

    public RunSummary Finish()
    {
        var elapsed = _events > 0 ? (_now - _firstTs).TotalSeconds : 0;
        var summary = new RunSummary(_lines, _events, _rejected, _unknown, _decisions, _orders, _fills, elapsed);
        _journal.Summary(summary);
        _journal.Flush();
        return summary;
    }

    private void Reject(string error)
    {
        _rejected++;
        _journal.Error(_lines, error);
    }

    private void Advance(DateTime ts)
    {
        if (_events == 1)
        {
            _firstTs = ts;
            try
            {
                _broker = _brokerFactory(ts);
                if (_broker is IStateStore store)
                {
                    var text = store.Load(RiskSnapshot.StateKey);
                    _pendingRisk = RiskSnapshot.FromJson(text);
                    if (text is not null && _pendingRisk is null)
                    {
                        _logger.LogWarning("Stored risk state is unreadable; starting with fresh daily-cap and kill-switch state");
                    }
                }
            }
            catch (Exception ex)
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
            Journal(_broker.OnClock(ts), "expired");
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
            state = new SymbolState(symbol, _config.RsiPeriod);
            _states[symbol] = state;
        }

        return state;
    }

    private void OnTrade(TradeEvent trade)
    {
        var state = State(trade.Symbol);
        state.OnTrade(trade);
        CheckReturns(trade.Symbol, trade.Return1m, trade.Return5m);
        Evaluate(state, force: false);
    }

    private void OnQuote(QuoteEvent quote)
    {
        var state = State(quote.Symbol);
        state.OnQuote(quote);
        state.CloseBarIfDue(quote.Ts);
        CheckReturns(quote.Symbol, quote.Return1m, quote.Return5m);
        if (_broker is not null)
        {
            Journal(_broker.OnQuote(quote.Symbol, quote.Bid, quote.Ask, _now), "filled");
        }

        Evaluate(state, force: false);
    }

    private void CheckReturns(string symbol, double return1m, double return5m)
    {
        if (_killSwitch.OnReturns(symbol, return1m, return5m))
        {
            PersistRisk();
            _logger.LogWarning("Kill switch (market-wide) tripped by {Reason}; new buys halted until the next trading date", _killSwitch.MarketReason);
        }
    }

    private void OnNews(NewsEvent news)
    {
        var score = NewsSentiment.Score(news.Headline, news.Summary);
        if (_killSwitch.OnNews(score, news.Symbols))
        {
            PersistRisk();
            _logger.LogWarning("Kill switch tripped for {Symbols} by news {Id} scoring {Score:0.###}: {Headline}", string.Join(",", news.Symbols), news.Id, score, news.Headline);
        }

        foreach (var symbol in news.Symbols)
        {
            var state = State(symbol);
            state.OnNews(news.Ts, score);
            Evaluate(state, force: true);
        }
    }

    private void OnPositions(PositionsEvent positions)
    {
        if (_broker is not null)
        {
            return; // the broker is the source of truth; the feed's view may lag our own fills
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
            return;
        }

        _feedOpenOrders.Clear();
        foreach (var o in orders.Orders)
        {
            _feedOpenOrders.Add(o.Symbol + ":" + o.Side);
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

    private bool HasOpenOrder(string symbol, OrderSide side)
        => _broker is not null ? _broker.HasOpenOrder(symbol, side) : _feedOpenOrders.Contains(symbol + ":" + side.Wire());

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
        var capState = heldQty > 0 ? _dailyCap.State : UpdateDailyCap();
        var input = new ConsensusInput(
            // The feed's session is clock-only; the NYSE calendar knows weekends, holidays and early closes.
            RegularSession: state.Session == Session.Regular && NyseCalendar.SessionAt(_now) == MarketSession.Regular,
            ExitPrice: state.ExitPrice,
            EntryPrice: state.EntryPrice,
            HeldQty: heldQty,
            AvgEntryPrice: avgEntry,
            HasOpenBuy: HasOpenOrder(state.Symbol, OrderSide.Buy),
            HasOpenSell: HasOpenOrder(state.Symbol, OrderSide.Sell),
            News: state.FreshNews(_now, _config.NewsMaxAgeSec),
            Return1m: state.Return1m,
            Return5m: state.Return5m,
            Rsi: state.Rsi,
            KillSwitchReason: _killSwitch.ReasonFor(state.Symbol),
            DailyCap: capState,
            InCooldown: state.LastOrderTs is { } lastOrder && (_now - lastOrder).TotalSeconds < _config.OrderCooldownSec,
            EntryAllowed: _watchlist?.Symbols is not { } list || list.Contains(state.Symbol),
            DrawdownHalted: _drawdown.Halted,
            NoNewBuysWindow: _now >= _noNewBuysUtc);
        var decision = ConsensusStrategy.Decide(input, _parameters);
        if (decision.Action == TradeAction.Buy)
        {
            var qty = OrderPlanning.BuyQty(Equity(), state.EntryPrice, heldQty, _config.PositionSizePct, _config.MaxPositionPct, _config.StrategyMaxQty);
            var affordable = _broker is null ? qty : OrderPlanning.AffordableQty(_broker.Cash, BuyLimit(state) ?? state.EntryPrice);
            decision = qty <= 0 ? decision with { Action = TradeAction.Hold, Reason = "size_below_one_share" }
                : affordable <= 0 ? decision with { Action = TradeAction.Hold, Reason = "insufficient_cash" }
                : decision with { Qty = Math.Min(qty, affordable) };
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
        }
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
        var result = _broker!.Submit(request, _now);
        if (result.Duplicate)
        {
            _logger.LogWarning("Order {Id} already exists at the broker ({Status}); not sent again", request.ClientOrderId, result.Order.Status.Wire());
            return;
        }

        _orders++;
        _journal.Order(_now, result.Order, _broker.Name, decision.Reason);
        // A rejected attempt also starts the cooldown, so a persistent rejection is not resent on every event.
        state.LastOrderTs = _now;
        if (result.Order.Status == OrderStatus.Rejected)
        {
            _logger.LogWarning("Order {Id} rejected: {Why}", request.ClientOrderId, result.Order.RejectReason);
        }
        else if (side == OrderSide.Buy)
        {
            state.LastEntryTs = _now;
        }

        foreach (var fill in result.Fills)
        {
            _fills++;
            _journal.Fill(fill);
        }
    }

    /// <summary>The marketable limit for a buy, or null for a market order (limits off, or no quote yet).</summary>
    private double? BuyLimit(SymbolState state)
        => _config.UseLimitOrders && state.Ask > 0 ? OrderPlanning.MarketableBuyLimit(state.Ask, _config.LimitOrderOffsetBps) : null;

    private void Journal(BrokerUpdate update, string reason)
    {
        if (update.IsEmpty)
        {
            return;
        }

        foreach (var order in update.ChangedOrders)
        {
            if (order.Status != OrderStatus.Filled)
            {
                _orders++;
                _journal.Order(_now, order, _broker!.Name, reason);
            }
        }

        foreach (var fill in update.Fills)
        {
            _fills++;
            _journal.Fill(fill);
        }
    }

    /// <summary>Forgets symbols that are idle (or off the watchlist), not held and without open orders.</summary>
    private void Prune()
    {
        if (_now - _lastPrune < PruneInterval)
        {
            return;
        }

        _lastPrune = _now;
        var idleBefore = _now.AddSeconds(-_config.SymbolStateTtlSec);
        var watch = _watchlist?.Symbols;
        _pruneScratch.Clear();
        foreach (var (symbol, state) in _states)
        {
            var stale = state.LastEventTs < idleBefore || (watch is not null && !watch.Contains(symbol));
            if (stale && PositionOf(symbol).Qty == 0 && !HasOpenOrder(symbol, OrderSide.Buy) && !HasOpenOrder(symbol, OrderSide.Sell))
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
public sealed class BrokerStartException(string message, Exception inner) : Exception(message, inner);
