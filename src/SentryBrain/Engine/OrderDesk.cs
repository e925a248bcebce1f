using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Execution;
using SentryBrain.Journal;
using SentryBrain.Market;
using SentryBrain.Strategy;

namespace SentryBrain.Engine;

/// <summary>
/// The order lifecycle against one broker: turns decisions into orders (idempotent client order ids), journals
/// every order and fill, applies broker updates (fills, expiries, cancels), cancels limit orders open longer than
/// <c>ORDER_STALE_SEC</c> and re-sends a stale exit at market once its cancel is confirmed, updates the position
/// memory the engine owns (<see cref="PositionBook"/>: entry time, VWAP target, scale-outs done) and tells the fill
/// observers (<see cref="IFillObserver"/>). Works in event time (<c>now</c> arguments).
/// </summary>
public sealed class OrderDesk
{
    private static readonly TimeSpan StaleSweepInterval = TimeSpan.FromSeconds(1);

    private readonly IBroker _broker;
    private readonly BrainConfig _config;
    private readonly JournalWriter _journal;
    private readonly ILogger _logger;
    private readonly PositionBook _book;
    private readonly IReadOnlyList<IFillObserver> _observers;
    private readonly Func<string, SymbolState?> _symbol;
    private readonly Dictionary<string, double> _sellEntryAvg = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _cancelRequested = new(StringComparer.Ordinal);
    private readonly HashSet<string> _repriceOnCancel = new(StringComparer.Ordinal);
    private readonly List<BrokerOrder> _staleScratch = [];
    private DateTime _lastStaleSweep = DateTime.MinValue;

    /// <param name="symbol">The engine's state of a tracked symbol (cooldown and entry times are set on it), or null.</param>
    public OrderDesk(IBroker broker, BrainConfig config, JournalWriter journal, ILogger logger, PositionBook book, IReadOnlyList<IFillObserver> observers, Func<string, SymbolState?> symbol)
    {
        _broker = broker;
        _config = config;
        _journal = journal;
        _logger = logger;
        _book = book;
        _observers = observers;
        _symbol = symbol;
    }

    public IBroker Broker => _broker;

    /// <summary>Orders journaled (submissions and status changes other than fills).</summary>
    public long Orders { get; private set; }

    public long Fills { get; private set; }

    /// <summary>The marketable limit for a buy, or null for a market order (limits off, or no quote yet).</summary>
    public static double? BuyLimit(BrainConfig config, SymbolState state)
        => config.UseLimitOrders && state.Ask > 0 ? OrderPlanning.MarketableBuyLimit(state.Ask, config.LimitOrderOffsetBps) : null;

    /// <summary>Sends a buy or sell decision for the symbol (a buy as a marketable limit when limits are on).</summary>
    public void Submit(SymbolState state, in Decision decision, DateTime now)
    {
        var side = decision.Action == TradeAction.Buy ? OrderSide.Buy : OrderSide.Sell;
        var limit = side == OrderSide.Buy ? BuyLimit(_config, state) : null;
        var request = new OrderRequest(
            OrderPlanning.ClientOrderId(now, state.Symbol, side),
            state.Symbol,
            side,
            decision.Qty,
            limit is null ? OrderType.Market : OrderType.Limit,
            limit,
            decision.Reason);
        if (side == OrderSide.Sell)
        {
            _sellEntryAvg[state.Symbol] = _broker.PositionOf(state.Symbol)?.AvgEntryPrice ?? 0;
        }

        foreach (var observer in _observers)
        {
            observer.OnSubmitted(request, decision, now);
        }

        Send(request, state, now);
    }

    /// <summary>Submits, journals and applies immediate fills; a duplicate is logged and not sent again.</summary>
    private void Send(OrderRequest request, SymbolState? state, DateTime now)
    {
        var result = _broker.Submit(request, now);
        if (result.Duplicate)
        {
            _logger.LogWarning("Order {Id} already exists at the broker ({Status}); not sent again", request.ClientOrderId, result.Order.Status.Wire());
            return;
        }

        Orders++;
        _journal.Order(now, result.Order, _broker.Name, request.Reason);
        if (state is not null)
        {
            // A rejected attempt also starts the cooldown, so a persistent rejection is not resent on every event.
            state.LastOrderTs = now;
        }

        if (result.Order.Status == OrderStatus.Rejected)
        {
            _logger.LogWarning("Order {Id} rejected: {Why}", request.ClientOrderId, result.Order.RejectReason);
        }
        else if (request.Side == OrderSide.Buy && state is not null)
        {
            state.LastEntryTs = now;
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
    public void SweepStaleOrders(DateTime now)
    {
        if (_config.OrderStaleSec <= 0 || now - _lastStaleSweep < StaleSweepInterval)
        {
            return;
        }

        _lastStaleSweep = now;
        var open = _broker.OpenOrders;
        if (open.Count == 0)
        {
            return;
        }

        var stale = TimeSpan.FromSeconds(_config.OrderStaleSec);
        _staleScratch.Clear();
        foreach (var order in open)
        {
            // A cancel that got no answer is asked again after another stale period.
            if (order.Type == OrderType.Limit && now - order.CreatedAt >= stale
                && (!_cancelRequested.TryGetValue(order.ClientOrderId, out var asked) || now - asked >= stale))
            {
                _staleScratch.Add(order);
            }
        }

        foreach (var order in _staleScratch)
        {
            _cancelRequested[order.ClientOrderId] = now;
            if (order.Side == OrderSide.Sell)
            {
                _repriceOnCancel.Add(order.ClientOrderId);
            }

            _logger.LogInformation("Order {Id} ({Side} {Symbol}) open for over {Stale} s: canceling", order.ClientOrderId, order.Side.Wire(), order.Symbol, _config.OrderStaleSec);
            Apply(_broker.Cancel(order.ClientOrderId, now), "stale", now);
        }
    }

    /// <summary>
    /// Applies what changed at the broker: journals each changed order (<paramref name="reason"/>, or its new status
    /// when null; a confirmed stale cancel says <c>stale</c>), then the fills, then re-sends confirmed stale exits.
    /// </summary>
    public void Apply(BrokerUpdate update, string? reason, DateTime now)
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
                Orders++;
                var why = order.Status == OrderStatus.Canceled && _cancelRequested.ContainsKey(order.ClientOrderId) ? "stale" : reason ?? order.Status.Wire();
                _journal.Order(now, order, _broker.Name, why);
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
            Reprice(order, now);
        }
    }

    /// <summary>
    /// Forgets the remembered entry price of sells (<c>_sellEntryAvg</c>, per symbol) of symbols no longer held
    /// (<paramref name="isHeld"/>: a position or an open order). Cancels asked for and exits to re-price are kept per
    /// open order and leave when the broker reports the order closed.
    /// </summary>
    public void Forget(Func<string, bool> isHeld)
    {
        if (_sellEntryAvg.Count == 0)
        {
            return;
        }

        foreach (var symbol in _sellEntryAvg.Keys.Where(s => !isHeld(s)).ToList())
        {
            _sellEntryAvg.Remove(symbol);
        }
    }

    /// <summary>Entries per table (diagnostics): sell entry prices per symbol, cancels asked and exits to re-price per order.</summary>
    internal (int SellEntryAvg, int CancelRequested, int RepriceOnCancel) Counts => (_sellEntryAvg.Count, _cancelRequested.Count, _repriceOnCancel.Count);

    /// <summary>Marks scale-outs done (even if the order failed, so a level is never retried in a loop).</summary>
    public void RememberExitProgress(string symbol, in Decision decision, int? scaleOutLevel)
    {
        if (_book.Get(symbol) is not { } memory)
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

    /// <summary>A stale exit whose cancel is confirmed: the unfilled rest (at most what is still held) goes out at market.</summary>
    private void Reprice(BrokerOrder canceled, DateTime now)
    {
        var held = _broker.PositionOf(canceled.Symbol)?.Qty ?? 0;
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
        Send(request, _symbol(canceled.Symbol), now);
    }

    private void OnFill(Fill fill)
    {
        Fills++;
        _journal.Fill(fill);
        var qtyAfter = _broker.PositionOf(fill.Symbol)?.Qty ?? 0;
        var entryBelowVwap = _symbol(fill.Symbol)?.EntryVwapDistancePct < 0;
        _book.OnFill(fill, qtyAfter, entryBelowVwap);
        var context = new FillContext(qtyAfter, fill.Side == OrderSide.Sell ? _sellEntryAvg.GetValueOrDefault(fill.Symbol) : 0);
        foreach (var observer in _observers)
        {
            observer.OnFill(fill, context);
        }
    }
}
