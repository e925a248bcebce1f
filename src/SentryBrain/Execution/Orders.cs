namespace SentryBrain.Execution;

public enum OrderSide : byte
{
    Buy = 0,
    Sell = 1,
}

public enum OrderType : byte
{
    Market = 0,
    Limit = 1,
}

/// <summary>Alpaca's order status vocabulary, the subset the brain acts on.</summary>
public enum OrderStatus : byte
{
    New = 0,
    PartiallyFilled = 1,
    Filled = 2,
    Canceled = 3,
    Expired = 4,
    Rejected = 5,
}

public static class OrderVocabulary
{
    public static string Wire(this OrderSide side) => side == OrderSide.Buy ? "buy" : "sell";

    public static string Wire(this OrderType type) => type == OrderType.Market ? "market" : "limit";

    public static string Wire(this OrderStatus status) => status switch
    {
        OrderStatus.New => "new",
        OrderStatus.PartiallyFilled => "partially_filled",
        OrderStatus.Filled => "filled",
        OrderStatus.Canceled => "canceled",
        OrderStatus.Expired => "expired",
        _ => "rejected",
    };

    public static bool IsOpen(this OrderStatus status) => status is OrderStatus.New or OrderStatus.PartiallyFilled;
}

/// <summary>What the brain asks a broker to do. Time in force is always DAY.</summary>
public sealed record OrderRequest(
    string ClientOrderId,
    string Symbol,
    OrderSide Side,
    long Qty,
    OrderType Type,
    double? LimitPrice,
    string Reason);

/// <summary>The broker's view of an order after submission or an update.</summary>
public sealed record BrokerOrder(
    string ClientOrderId,
    string Symbol,
    OrderSide Side,
    long Qty,
    OrderType Type,
    double? LimitPrice,
    OrderStatus Status,
    long FilledQty,
    double FilledAvgPrice,
    DateTime CreatedAt,
    string? RejectReason = null);

public sealed record Fill(
    DateTime Ts,
    string ClientOrderId,
    string Symbol,
    OrderSide Side,
    long Qty,
    double Price);

public sealed record BrokerPosition(string Symbol, long Qty, double AvgEntryPrice);

/// <summary>
/// One difference between the brain's own records and the broker's at start-up; the broker's truth was adopted.
/// <paramref name="Item"/> is <c>order_adopted</c> (open at the broker, unknown here), <c>order_missing</c> (open here,
/// not open at the broker; <paramref name="Status"/> is its state there, or <c>not_found</c>) or <c>position_adopted</c>.
/// </summary>
public sealed record ReconciliationNote(
    string Item,
    string Symbol,
    string? ClientOrderId,
    string? Side,
    decimal? LocalQty,
    decimal? BrokerQty,
    string? Status);

/// <summary>Result of a submission: the order as the broker holds it, whether this call created it, and any immediate fills.</summary>
public sealed record SubmitResult(BrokerOrder Order, bool Duplicate, IReadOnlyList<Fill> Fills)
{
    public SubmitResult(BrokerOrder order, bool duplicate)
        : this(order, duplicate, [])
    {
    }
}

/// <summary>Anything that changed at the broker while processing a market update.</summary>
public sealed record BrokerUpdate(IReadOnlyList<Fill> Fills, IReadOnlyList<BrokerOrder> ChangedOrders)
{
    public static readonly BrokerUpdate None = new([], []);

    public bool IsEmpty => Fills.Count == 0 && ChangedOrders.Count == 0;
}

/// <summary>
/// The seam between the brain and whoever executes orders (embedded paper broker, Alpaca).
/// Time is always passed in: brokers never read the wall clock, so replays are deterministic.
/// </summary>
public interface IBroker : IDisposable
{
    string Name { get; }

    /// <summary>Submits an order. Resubmitting the same client_order_id returns the existing order (Duplicate = true) and never creates a second one.</summary>
    SubmitResult Submit(OrderRequest request, DateTime now);

    /// <summary>
    /// Feeds the latest quote for a symbol with its sizes; returns fills and order changes it caused. A side with size 0
    /// shows no liquidity: a simulated broker fills nothing against it.
    /// </summary>
    BrokerUpdate OnQuote(string symbol, double bid, double ask, long bidSize, long askSize, DateTime now);

    /// <summary>
    /// Advances the broker's clock to event time <paramref name="now"/>: expires DAY orders whose session ended and
    /// reports whatever changed at the broker since the last call (fills, cancels, expiries).
    /// </summary>
    BrokerUpdate OnClock(DateTime now);

    /// <summary>
    /// Asks the broker to cancel an open order. A broker that cancels at once reports the canceled order (and any
    /// fill that came first) in the returned update; a remote broker reports it later through <see cref="OnClock"/>.
    /// Cancelling an order that is no longer open does nothing.
    /// </summary>
    BrokerUpdate Cancel(string clientOrderId, DateTime now);

    /// <summary>
    /// At the end of a run: waits up to <paramref name="timeout"/> for requests still in flight and returns what they
    /// changed. Brokers that work synchronously have nothing to wait for.
    /// </summary>
    BrokerUpdate Settle(DateTime now, TimeSpan timeout) => BrokerUpdate.None;

    /// <summary>The feed's <c>orders</c>/<c>positions</c> events hint that something changed at the broker (a remote broker polls sooner).</summary>
    void OnFeedUpdate()
    {
    }

    /// <summary>What start-up reconciliation with the broker found (empty for the embedded broker, which is its own truth).</summary>
    IReadOnlyList<ReconciliationNote> StartupReconciliation => [];

    /// <summary>
    /// Where state that must survive a restart together with this broker's ledger is kept (risk latches, position
    /// memory, round trips); null = nowhere (nothing survives).
    /// </summary>
    IStateStore? State => null;

    double Cash { get; }

    IReadOnlyCollection<BrokerPosition> Positions { get; }

    IReadOnlyCollection<BrokerOrder> OpenOrders { get; }

    BrokerOrder? FindOrder(string clientOrderId);

    /// <summary>The position in <paramref name="symbol"/>, or null when flat. O(1): called per event.</summary>
    BrokerPosition? PositionOf(string symbol);

    /// <summary>Whether an open (new or partially filled) order on that side exists for the symbol. O(1): called per event.</summary>
    bool HasOpenOrder(string symbol, OrderSide side);

    /// <summary>Equity = cash + Σ qty × mark. Marks come from the caller's latest prices.</summary>
    double Equity(Func<string, double?> markPrice);
}

/// <summary>
/// Small named values that must survive a restart together with the ledger (risk latches and their baselines).
/// Writes are durable when <see cref="Save"/> returns.
/// </summary>
public interface IStateStore
{
    string? Load(string key);

    void Save(string key, string value);

    /// <summary>Whether saved values outlive the process (false for an in-memory ledger: tests, benchmarks).</summary>
    bool Durable => true;
}
