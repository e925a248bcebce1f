using System.Globalization;
using Microsoft.Extensions.Logging;

namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// <see cref="IBroker"/> over Alpaca (paper by default; live only with <c>ALPACA_LIVE=true</c>). Orders go through
/// the <see cref="IdempotentOrderSubmitter"/> (intent stored before the POST, never sent twice); their state, fills,
/// cash and positions come from polling Alpaca every <c>pollInterval</c> of event time. This first version calls
/// Alpaca synchronously from the consumer loop; the order manager of issue 4 moves that off the hot path.
/// </summary>
public sealed class AlpacaBroker : IBroker, IStateStore
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly AlpacaTradingClient _client;
    private readonly RequestRateLimiter _limiter;
    private readonly IdempotentOrderSubmitter _submitter;
    private readonly SqliteStateStore _state;
    private readonly ILogger _logger;
    private readonly TimeSpan _pollInterval;
    private readonly Dictionary<string, BrokerOrder> _orders = new(StringComparer.Ordinal);

    // Open orders only: the per-event checks scan this small set, not the whole (growing) order history.
    private readonly Dictionary<string, BrokerOrder> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BrokerPosition> _positions = new(StringComparer.Ordinal);
    private DateTime _lastPoll = DateTime.MinValue;
    private double _cash;

    private AlpacaBroker(AlpacaTradingClient client, string statePath, ILogger logger, TimeSpan pollInterval)
    {
        _client = client;
        _limiter = new RequestRateLimiter();
        _submitter = new IdempotentOrderSubmitter(client, new SqliteOrderIntentStore(statePath), _limiter, new ReadRetryPolicy());
        _state = new SqliteStateStore(statePath);
        _logger = logger;
        _pollInterval = pollInterval;
    }

    public string Name => "alpaca";

    public double Cash => _cash;

    public IReadOnlyCollection<BrokerPosition> Positions => _positions.Values;

    public IReadOnlyCollection<BrokerOrder> OpenOrders => _open.Values;

    /// <summary>Connects, recovers unacknowledged intents, and adopts the broker's open orders and positions.</summary>
    public static AlpacaBroker Open(AlpacaOptions options, string statePath, ILogger logger, TimeSpan? pollInterval = null)
    {
        var broker = new AlpacaBroker(new AlpacaTradingClient(options), statePath, logger, pollInterval ?? TimeSpan.FromSeconds(2));
        var recovery = Run(broker._submitter.RecoverAsync(CancellationToken.None));
        foreach (var unsent in recovery.Unsent)
        {
            logger.LogWarning("Order intent {Id} ({Side} {Qty} {Symbol}) never reached Alpaca; not resent", unsent.ClientOrderId, unsent.Side, unsent.Qty, unsent.Symbol);
        }

        foreach (var order in Run(broker._client.ListOpenOrdersAsync(CancellationToken.None)))
        {
            broker.Track(Map(order));
        }

        broker.RefreshAccount();
        logger.LogInformation(
            "Alpaca broker at {Url}{Live}: cash {Cash:0.00}, {Positions} positions, {Open} open orders adopted",
            options.TradingBaseUrl, options.IsLive ? " (LIVE, real money)" : " (paper)", broker._cash, broker._positions.Count, broker._orders.Count);
        return broker;
    }

    public SubmitResult Submit(OrderRequest request, DateTime now)
    {
        if (_orders.TryGetValue(request.ClientOrderId, out var known))
        {
            return new SubmitResult(known, true);
        }

        var alpaca = new AlpacaOrderRequest(
            request.ClientOrderId,
            request.Symbol,
            request.Qty,
            request.Side.Wire(),
            request.Type.Wire(),
            "day",
            LimitPrice: request.LimitPrice is { } limit ? decimal.Round((decimal)limit, limit >= 1 ? 2 : 4) : null);
        BrokerOrder order;
        try
        {
            order = Map(Run(_submitter.SubmitAsync(alpaca, CancellationToken.None)));
        }
        catch (AlpacaApiException ex) when (!ex.OutcomeUnknown)
        {
            // 403 insufficient buying power, 422 invalid: a journaled rejection, never a crash.
            order = new BrokerOrder(request.ClientOrderId, request.Symbol, request.Side, request.Qty, request.Type, request.LimitPrice, OrderStatus.Rejected, 0, 0, now, ex.Message);
        }
        catch (AlpacaApiException ex)
        {
            // Unknown outcome even after the lookups: keep it open locally so the open-order guard blocks a second
            // buy; the next poll (by client_order_id) learns what Alpaca did.
            _logger.LogWarning("Order {Id}: outcome unknown ({Why}); will reconcile by client_order_id", request.ClientOrderId, ex.Message);
            order = new BrokerOrder(request.ClientOrderId, request.Symbol, request.Side, request.Qty, request.Type, request.LimitPrice, OrderStatus.New, 0, 0, now);
        }

        Track(order);
        if (order.FilledQty <= 0)
        {
            return new SubmitResult(order, false);
        }

        // Filled (or partly) in the answer itself: report the fill now and refresh cash and positions.
        RefreshAccount();
        return new SubmitResult(order, false, [new Fill(now, order.ClientOrderId, order.Symbol, order.Side, order.FilledQty, order.FilledAvgPrice)]);
    }

    public BrokerUpdate OnQuote(string symbol, double bid, double ask, DateTime now) => BrokerUpdate.None;

    /// <summary>Polls open orders (fills, cancels, expiries) and, after a change, the account and positions.</summary>
    public BrokerUpdate OnClock(DateTime now)
    {
        if (now - _lastPoll < _pollInterval || _open.Count == 0)
        {
            return BrokerUpdate.None;
        }

        _lastPoll = now;
        var fills = new List<Fill>();
        var changed = new List<BrokerOrder>();
        foreach (var before in _open.Values.ToList())
        {
            AlpacaOrder? current;
            try
            {
                current = Run(_client.GetOrderByClientOrderIdAsync(before.ClientOrderId, CancellationToken.None));
            }
            catch (AlpacaApiException ex)
            {
                _logger.LogWarning("Polling order {Id} failed: {Why}", before.ClientOrderId, ex.Message);
                continue;
            }

            if (current is null)
            {
                continue;
            }

            var after = Map(current);
            if (after.FilledQty > before.FilledQty)
            {
                fills.Add(new Fill(now, after.ClientOrderId, after.Symbol, after.Side, after.FilledQty - before.FilledQty, after.FilledAvgPrice));
            }

            if (after.Status != before.Status || after.FilledQty != before.FilledQty)
            {
                changed.Add(after);
                Track(after);
            }
        }

        if (changed.Count > 0)
        {
            RefreshAccount();
        }

        return changed.Count == 0 ? BrokerUpdate.None : new BrokerUpdate(fills, changed);
    }

    public BrokerOrder? FindOrder(string clientOrderId) => _orders.GetValueOrDefault(clientOrderId);

    public BrokerPosition? PositionOf(string symbol) => _positions.GetValueOrDefault(symbol);

    public bool HasOpenOrder(string symbol, OrderSide side)
    {
        foreach (var order in _open.Values)
        {
            if (order.Symbol == symbol && order.Side == side && order.Status.IsOpen())
            {
                return true;
            }
        }

        return false;
    }

    public double Equity(Func<string, double?> markPrice)
    {
        var equity = _cash;
        foreach (var p in _positions.Values)
        {
            equity += p.Qty * (markPrice(p.Symbol) ?? p.AvgEntryPrice);
        }

        return equity;
    }

    public string? Load(string key) => _state.Load(key);

    public void Save(string key, string value) => _state.Save(key, value);

    public void Dispose()
    {
        _client.Dispose();
        _limiter.Dispose();
        _state.Dispose();
    }

    private void Track(BrokerOrder order)
    {
        _orders[order.ClientOrderId] = order;
        if (order.Status.IsOpen())
        {
            _open[order.ClientOrderId] = order;
        }
        else
        {
            _open.Remove(order.ClientOrderId);
        }
    }

    private void RefreshAccount()
    {
        _cash = (double)Run(_client.GetAccountAsync(CancellationToken.None)).Cash;
        _positions.Clear();
        foreach (var p in Run(_client.ListPositionsAsync(CancellationToken.None)))
        {
            var qty = (long)decimal.Truncate(p.Side.Equals("short", StringComparison.OrdinalIgnoreCase) ? -Math.Abs(p.Qty) : p.Qty);
            _positions[p.Symbol] = new BrokerPosition(p.Symbol, qty, (double)p.AvgEntryPrice);
        }
    }

    private static BrokerOrder Map(AlpacaOrder o) => new(
        o.ClientOrderId,
        o.Symbol,
        o.Side.Equals("sell", StringComparison.OrdinalIgnoreCase) ? OrderSide.Sell : OrderSide.Buy,
        (long)decimal.Truncate(o.Qty ?? 0),
        o.Type.Equals("market", StringComparison.OrdinalIgnoreCase) ? OrderType.Market : OrderType.Limit,
        o.LimitPrice is { } l ? (double)l : null,
        o.Status switch
        {
            "filled" => OrderStatus.Filled,
            "partially_filled" => OrderStatus.PartiallyFilled,
            "canceled" or "done_for_day" or "replaced" => OrderStatus.Canceled,
            "expired" => OrderStatus.Expired,
            "rejected" or "suspended" or "stopped" => OrderStatus.Rejected,
            _ => OrderStatus.New,
        },
        (long)decimal.Truncate(o.FilledQty),
        o.FilledAvgPrice is { } avg ? (double)avg : 0,
        o.CreatedAt ?? DateTime.MinValue,
        o.Status == "rejected" ? "rejected by Alpaca" : null);

    /// <summary>Waits for an Alpaca call on the consumer thread, bounded so a hung network never stalls it forever.</summary>
    private static T Run<T>(Task<T> task)
    {
        if (!task.Wait(CallTimeout))
        {
            throw new AlpacaApiException(null, null, string.Create(CultureInfo.InvariantCulture, $"Alpaca call did not finish within {CallTimeout.TotalSeconds} s"));
        }

        return task.GetAwaiter().GetResult();
    }
}
