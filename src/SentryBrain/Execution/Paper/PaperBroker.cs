using System.Collections.ObjectModel;
using System.Globalization;
using System.Runtime.InteropServices;
using SentryBrain.Market;

namespace SentryBrain.Execution.Paper;

/// <summary>
/// Embedded paper broker with a SQLite ledger (<see cref="PaperLedger"/>). Every state change (order insert, fill with
/// its cash and position update, cancel, expiry) is one SQLite transaction, written before the in-memory mirror is
/// touched, so neither a crash nor a failed write can leave a half-applied fill. All reads are served from the mirror.
/// Rules: full fills only; market orders fill at the ask (buy) or bid (sell) of the latest quote; limit buys fill when
/// ask &lt;= limit at the ask, limit sells when bid &gt;= limit at the bid; a quote side with size 0 makes no market
/// (nothing fills against it; orders wait for a quote that shows size); no shorting (shares promised to open sells are
/// not available again); an order the account cannot cover is rejected; DAY orders expire at the NYSE close (16:00 New
/// York time, 13:00 on early-close days) of the session they can trade in. Not thread-safe: drive it from the brain's
/// single event loop. Never reads the wall clock.
/// The same database is the engine's state store (<see cref="State"/>: risk latches, position memory, round trips),
/// and remembers the last event time (<see cref="LastEventTs"/>), so an opener can tell a replay of the past from a
/// restart.
/// </summary>
public sealed class PaperBroker : IBroker, IStateStore
{
    private readonly PaperLedger _ledger;
    private readonly Dictionary<string, BrokerOrder> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OpenOrder> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SymbolBook> _openBySymbol = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BrokerPosition> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Quote> _quotes = new(StringComparer.Ordinal);
    private double _cash;
    private long _lastSeq;
    private DateTime _nextExpiry = DateTime.MaxValue;
    private DateTime? _lastEventTs;
    private DateTime? _persistedEventTs;
    private BrokerPosition[]? _positionsSorted;
    private ReadOnlyCollection<BrokerPosition>? _positionsView;
    private ReadOnlyCollection<BrokerOrder>? _openView;
    private bool _disposed;
    private bool _inMemory;

    private PaperBroker(PaperLedger ledger, LedgerState state)
    {
        _ledger = ledger;
        _cash = state.Cash;
        StartingCash = state.StartingCash;
        _lastEventTs = state.LastEventTs;
        _persistedEventTs = state.LastEventTs;

        foreach (var position in state.Positions)
        {
            _positions[position.Symbol] = position;
        }

        foreach (var (seq, order) in state.Orders)
        {
            _orders[order.ClientOrderId] = order;
            _lastSeq = Math.Max(_lastSeq, seq);
            if (order.Status.IsOpen())
            {
                AddOpen(new OpenOrder(order, ExpiryFor(order.CreatedAt), seq));
            }
        }
    }

    public static readonly TimeSpan EventTimePersistInterval = TimeSpan.FromMinutes(1);

    public string Name => "paper";

    public double Cash => _cash;

    /// <summary>The starting cash recorded when the ledger was created (a later Open's argument does not change it).</summary>
    public double StartingCash { get; }

    /// <summary>Latest event time seen through <see cref="MarkEventTime"/> (restored from the ledger at open).</summary>
    public DateTime? LastEventTs => _lastEventTs;

    /// <summary>Positions ordered by symbol (ordinal). Snapshot, rebuilt only after a change.</summary>
    public IReadOnlyCollection<BrokerPosition> Positions
    {
        get
        {
            EnsurePositionsView();
            return _positionsView!;
        }
    }

    /// <summary>Open orders in submission order. Snapshot, rebuilt only after a change.</summary>
    public IReadOnlyCollection<BrokerOrder> OpenOrders
    {
        get
        {
            if (_openView is null)
            {
                var open = new OpenOrder[_open.Count];
                _open.Values.CopyTo(open, 0);
                Array.Sort(open, static (a, b) => a.Seq.CompareTo(b.Seq));
                _openView = Array.AsReadOnly(Array.ConvertAll(open, static o => o.Order));
            }

            return _openView;
        }
    }

    /// <summary>
    /// Opens (or creates, with <paramref name="startingCash"/>) the ledger at <paramref name="dbPath"/> and loads the
    /// mirror. ":memory:" gives a throwaway ledger for tests. The connection stays open until <see cref="Dispose"/>.
    /// </summary>
    public static PaperBroker Open(string dbPath, double startingCash)
    {
        if (!double.IsFinite(startingCash) || startingCash < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(startingCash), startingCash, "Starting cash must be a finite, non-negative amount.");
        }

        var ledger = PaperLedger.Open(dbPath);
        try
        {
            return new PaperBroker(ledger, ledger.Load(startingCash)) { _inMemory = dbPath == PaperLedger.MemoryPath };
        }
        catch
        {
            ledger.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Renames an existing ledger (and its -wal/-shm companions) to <c>&lt;dbPath&gt;.&lt;suffix&gt;.bak</c> so the next
    /// <see cref="Open"/> starts fresh. The ledger must not be open. Missing files are skipped.
    /// </summary>
    public static void Archive(string dbPath, string suffix) => PaperLedger.Archive(dbPath, suffix);

    public SubmitResult Submit(OrderRequest request, DateTime now)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.ClientOrderId, nameof(request));
        ArgumentException.ThrowIfNullOrEmpty(request.Symbol, nameof(request));
        now = AsUtc(now);

        if (_orders.TryGetValue(request.ClientOrderId, out var existing))
        {
            return new SubmitResult(existing, Duplicate: true, Fills: []);
        }

        var order = new BrokerOrder(
            request.ClientOrderId,
            request.Symbol,
            request.Side,
            request.Qty,
            request.Type,
            request.LimitPrice,
            OrderStatus.New,
            FilledQty: 0,
            FilledAvgPrice: 0,
            CreatedAt: now);
        var reason = request.Reason ?? string.Empty;

        var rejectReason = Validate(request);
        if (rejectReason is not null)
        {
            order = order with { Status = OrderStatus.Rejected, RejectReason = rejectReason };
            using (var tx = _ledger.BeginTransaction())
            {
                _ledger.InsertOrder(tx, order, reason, now);
                tx.Commit();
            }

            _orders[order.ClientOrderId] = order;
            return new SubmitResult(order, Duplicate: false, Fills: []);
        }

        if (!_quotes.TryGetValue(request.Symbol, out var quote) || !TryMatch(order, quote, out var price))
        {
            using (var tx = _ledger.BeginTransaction())
            {
                _ledger.InsertOrder(tx, order, reason, now);
                tx.Commit();
            }

            _orders[order.ClientOrderId] = order;
            AddOpen(new OpenOrder(order, ExpiryFor(now), ++_lastSeq));
            return new SubmitResult(order, Duplicate: false, Fills: []);
        }

        // Marketable on arrival: insert and fill in one transaction.
        var cash = _cash;
        var (posQty, posAvg) = WorkingPosition(request.Symbol);
        var executed = Execute(order, price, now, ref cash, ref posQty, ref posAvg, out var fill);
        using (var tx = _ledger.BeginTransaction())
        {
            _ledger.InsertOrder(tx, executed, reason, now);
            if (fill is not null)
            {
                _ledger.InsertFill(tx, fill);
                _ledger.UpdateAccount(tx, cash, _lastEventTs);
                _ledger.SetPosition(tx, request.Symbol, posQty, posAvg);
            }

            tx.Commit();
        }

        _orders[executed.ClientOrderId] = executed;
        if (fill is null)
        {
            return new SubmitResult(executed, Duplicate: false, Fills: []);
        }

        ApplyCashAndPosition(cash, request.Symbol, posQty, posAvg);
        return new SubmitResult(executed, Duplicate: false, Fills: [fill]);
    }

    /// <summary>A quote whose sizes are not known: both sides are taken to show liquidity.</summary>
    public BrokerUpdate OnQuote(string symbol, double bid, double ask, DateTime now)
        => OnQuote(symbol, bid, ask, long.MaxValue, long.MaxValue, now);

    /// <summary>
    /// Records the quote and fills whatever it makes marketable: buys against the ask only when ask size &gt; 0, sells
    /// against the bid only when bid size &gt; 0. A symbol without open orders costs two dictionary look-ups and
    /// allocates nothing.
    /// </summary>
    public BrokerUpdate OnQuote(string symbol, double bid, double ask, long bidSize, long askSize, DateTime now)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var quote = new Quote(bid, ask, bidSize > 0, askSize > 0);
        CollectionsMarshal.GetValueRefOrAddDefault(_quotes, symbol, out _) = quote;
        if (!_openBySymbol.TryGetValue(symbol, out var book) || book.Orders.Count == 0)
        {
            return BrokerUpdate.None;
        }

        return Match(symbol, book.Orders, quote, AsUtc(now));
    }

    /// <summary>Advances the broker's clock: records the event time and expires DAY orders that are due.</summary>
    public BrokerUpdate OnClock(DateTime now)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        now = AsUtc(now);
        if (_lastEventTs is not { } last || now > last)
        {
            MarkEventTime(now);
        }

        return now < _nextExpiry ? BrokerUpdate.None : ExpireDue(now);
    }

    /// <summary>Cancels an open order at once (what is already filled stays filled).</summary>
    public BrokerUpdate Cancel(string clientOrderId, DateTime now)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(clientOrderId);
        if (!_open.TryGetValue(clientOrderId, out var open))
        {
            return BrokerUpdate.None;
        }

        var canceled = open.Order with { Status = OrderStatus.Canceled };
        using (var tx = _ledger.BeginTransaction())
        {
            _ledger.UpdateOrder(tx, canceled, AsUtc(now));
            tx.Commit();
        }

        RemoveOpen(open);
        _orders[clientOrderId] = canceled;
        return new BrokerUpdate([], [canceled]);
    }

    public BrokerOrder? FindOrder(string clientOrderId)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        return _orders.GetValueOrDefault(clientOrderId);
    }

    public BrokerPosition? PositionOf(string symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return _positions.GetValueOrDefault(symbol);
    }

    public bool HasOpenOrder(string symbol, OrderSide side)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return _openBySymbol.TryGetValue(symbol, out var book)
            && (side == OrderSide.Buy ? book.OpenBuys : book.OpenSells) > 0;
    }

    public double Equity(Func<string, double?> markPrice)
    {
        ArgumentNullException.ThrowIfNull(markPrice);
        EnsurePositionsView();
        var equity = _cash;
        foreach (var position in _positionsSorted!)
        {
            equity += position.Qty * (markPrice(position.Symbol) ?? position.AvgEntryPrice);
        }

        return equity;
    }

    /// <summary>
    /// Remembers the latest event time. Always kept in memory; written to SQLite with every fill, when it moved by at
    /// least <see cref="EventTimePersistInterval"/> from the last written value (either direction, so a rewind is
    /// recorded too), and on dispose. The interval keeps the hot path free of disk writes.
    /// </summary>
    public void MarkEventTime(DateTime ts)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ts = AsUtc(ts);
        _lastEventTs = ts;
        if (_persistedEventTs is { } persisted && Math.Abs(ts.Ticks - persisted.Ticks) < EventTimePersistInterval.Ticks)
        {
            return;
        }

        _ledger.UpdateLastEventTs(ts);
        _persistedEventTs = ts;
    }

    /// <summary>The ledger itself keeps the engine's state, in the same database as the orders.</summary>
    public IStateStore State => this;

    /// <summary>An in-memory ledger (<c>:memory:</c>) forgets everything when disposed.</summary>
    public bool Durable => !_inMemory;

    public string? Load(string key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _ledger.LoadState(key);
    }

    public void Save(string key, string value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _ledger.SaveState(key, value);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (_lastEventTs is { } ts && _persistedEventTs != ts)
            {
                _ledger.UpdateLastEventTs(ts);
                _persistedEventTs = ts;
            }
        }
        finally
        {
            _ledger.Dispose();
        }
    }

    /// <summary>DAY expiry: the NYSE close (16:00 ET, 13:00 on early-close days) of the session the order can trade in.</summary>
    internal static DateTime ExpiryFor(DateTime createdUtc)
    {
        // The close of the session the order can still trade in: today's (regular or early) close when today is a
        // trading day and it has not passed, else the next trading day's close (weekends, holidays, after hours).
        var date = NewYorkTime.TradingDate(createdUtc);
        if (NyseCalendar.IsTradingDay(date) && createdUtc < NyseCalendar.CloseUtc(date))
        {
            return NyseCalendar.CloseUtc(date);
        }

        return NyseCalendar.CloseUtc(NyseCalendar.NextTradingDay(date));
    }

    private BrokerUpdate Match(string symbol, List<OpenOrder> open, Quote quote, DateTime now)
    {
        // A quote past the session end must not fill orders that OnClock has not expired yet.
        BrokerUpdate? expired = null;
        if (now >= _nextExpiry)
        {
            expired = ExpireDue(now);
            if (open.Count == 0)
            {
                return expired;
            }
        }

        var cash = _cash;
        var (posQty, posAvg) = WorkingPosition(symbol);
        List<(OpenOrder Open, BrokerOrder Updated)>? changes = null;
        List<Fill>? fills = null;
        foreach (var candidate in open)
        {
            if (!TryMatch(candidate.Order, quote, out var price))
            {
                continue;
            }

            var updated = Execute(candidate.Order, price, now, ref cash, ref posQty, ref posAvg, out var fill);
            (changes ??= []).Add((candidate, updated));
            if (fill is not null)
            {
                (fills ??= []).Add(fill);
            }
        }

        if (changes is null)
        {
            return expired ?? BrokerUpdate.None;
        }

        using (var tx = _ledger.BeginTransaction())
        {
            foreach (var (_, updated) in changes)
            {
                _ledger.UpdateOrder(tx, updated, now);
            }

            if (fills is not null)
            {
                foreach (var fill in fills)
                {
                    _ledger.InsertFill(tx, fill);
                }

                _ledger.UpdateAccount(tx, cash, _lastEventTs);
                _ledger.SetPosition(tx, symbol, posQty, posAvg);
            }

            tx.Commit();
        }

        if (fills is not null)
        {
            ApplyCashAndPosition(cash, symbol, posQty, posAvg);
        }

        var changed = new List<BrokerOrder>((expired?.ChangedOrders.Count ?? 0) + changes.Count);
        if (expired is not null)
        {
            changed.AddRange(expired.ChangedOrders);
        }

        foreach (var (openOrder, updated) in changes)
        {
            RemoveOpen(openOrder);
            _orders[updated.ClientOrderId] = updated;
            changed.Add(updated);
        }

        return new BrokerUpdate(fills is null ? [] : fills, changed);
    }

    private BrokerUpdate ExpireDue(DateTime now)
    {
        List<OpenOrder>? due = null;
        var next = DateTime.MaxValue;
        foreach (var open in _open.Values)
        {
            if (open.ExpiresAt <= now)
            {
                (due ??= []).Add(open);
            }
            else if (open.ExpiresAt < next)
            {
                next = open.ExpiresAt;
            }
        }

        if (due is null)
        {
            _nextExpiry = next;
            return BrokerUpdate.None;
        }

        due.Sort(static (a, b) => a.Seq.CompareTo(b.Seq));
        var expired = new List<BrokerOrder>(due.Count);
        foreach (var open in due)
        {
            expired.Add(open.Order with { Status = OrderStatus.Expired });
        }

        using (var tx = _ledger.BeginTransaction())
        {
            foreach (var order in expired)
            {
                _ledger.UpdateOrder(tx, order, now);
            }

            tx.Commit();
        }

        for (var i = 0; i < due.Count; i++)
        {
            RemoveOpen(due[i]);
            _orders[expired[i].ClientOrderId] = expired[i];
        }

        _nextExpiry = next;
        return new BrokerUpdate([], expired);
    }

    private string? Validate(OrderRequest request)
    {
        if (!Enum.IsDefined(request.Side))
        {
            return "unknown order side";
        }

        if (!Enum.IsDefined(request.Type))
        {
            return "unknown order type";
        }

        if (request.Qty <= 0)
        {
            return "qty must be positive";
        }

        if (request.Type == OrderType.Limit && !(request.LimitPrice is { } limit && IsPrice(limit)))
        {
            return "limit order requires a positive limit price";
        }

        if (request.Side == OrderSide.Sell)
        {
            // Shares already promised to open sells are not available again: two sells can never short together.
            var held = _positions.TryGetValue(request.Symbol, out var position) ? position.Qty : 0;
            var available = held - PendingSellQty(request.Symbol);
            return request.Qty > available
                ? string.Create(CultureInfo.InvariantCulture, $"insufficient position: sell {request.Qty} > available {available} (no shorting in paper mode)")
                : null;
        }

        double? referencePrice = request.Type == OrderType.Limit
            ? request.LimitPrice
            : _quotes.TryGetValue(request.Symbol, out var quote) && IsPrice(quote.Ask) ? quote.Ask : null;
        if (referencePrice is { } reference && request.Qty * reference > _cash)
        {
            return string.Create(CultureInfo.InvariantCulture, $"insufficient cash: cost {request.Qty * reference} > cash {_cash}");
        }

        return null;
    }

    private long PendingSellQty(string symbol) =>
        _openBySymbol.TryGetValue(symbol, out var book) ? book.PendingSellQty : 0;

    private static bool TryMatch(BrokerOrder order, Quote quote, out double price)
    {
        if (order.Side == OrderSide.Buy)
        {
            price = quote.Ask;
            return quote.AskShown && IsPrice(price) && (order.Type == OrderType.Market || price <= order.LimitPrice.GetValueOrDefault());
        }

        price = quote.Bid;
        return quote.BidShown && IsPrice(price) && (order.Type == OrderType.Market || price >= order.LimitPrice.GetValueOrDefault());
    }

    /// <summary>
    /// Fills the rest of <paramref name="order"/> at <paramref name="price"/> against the working cash/position, or
    /// rejects it when the account can no longer cover it (a market buy accepted before any quote was known).
    /// </summary>
    private static BrokerOrder Execute(BrokerOrder order, double price, DateTime now, ref double cash, ref long posQty, ref double posAvg, out Fill? fill)
    {
        var qty = order.Qty - order.FilledQty;
        var notional = qty * price;
        if (order.Side == OrderSide.Buy)
        {
            if (notional > cash)
            {
                fill = null;
                return order with
                {
                    Status = OrderStatus.Rejected,
                    RejectReason = string.Create(CultureInfo.InvariantCulture, $"insufficient cash at fill: cost {notional} > cash {cash}"),
                };
            }

            var newQty = posQty + qty;
            posAvg = ((posQty * posAvg) + notional) / newQty;
            posQty = newQty;
            cash = RoundMoney(cash - notional);
        }
        else
        {
            if (qty > posQty)
            {
                fill = null;
                return order with
                {
                    Status = OrderStatus.Rejected,
                    RejectReason = string.Create(CultureInfo.InvariantCulture, $"insufficient position at fill: sell {qty} > held {posQty}"),
                };
            }

            posQty -= qty;
            if (posQty == 0)
            {
                posAvg = 0;
            }

            cash = RoundMoney(cash + notional);
        }

        fill = new Fill(now, order.ClientOrderId, order.Symbol, order.Side, qty, price);
        var filledAvg = order.FilledQty == 0
            ? price
            : ((order.FilledQty * order.FilledAvgPrice) + notional) / order.Qty;
        return order with { Status = OrderStatus.Filled, FilledQty = order.Qty, FilledAvgPrice = filledAvg };
    }

    // Prices are in cents and quantities whole, so exact cash is a multiple of 0.0001 at worst: rounding there
    // stops binary floating-point drift from accumulating over weeks of fills.
    private static double RoundMoney(double amount) => Math.Round(amount, 4, MidpointRounding.ToEven);

    private (long Qty, double Avg) WorkingPosition(string symbol) =>
        _positions.TryGetValue(symbol, out var position) ? (position.Qty, position.AvgEntryPrice) : (0, 0);

    private void ApplyCashAndPosition(double cash, string symbol, long qty, double avg)
    {
        _cash = cash;
        if (qty == 0)
        {
            _positions.Remove(symbol);
        }
        else
        {
            _positions[symbol] = new BrokerPosition(symbol, qty, avg);
        }

        _positionsSorted = null;
        _positionsView = null;
    }

    private void EnsurePositionsView()
    {
        if (_positionsSorted is not null)
        {
            return;
        }

        var sorted = new BrokerPosition[_positions.Count];
        _positions.Values.CopyTo(sorted, 0);
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Symbol, b.Symbol));
        _positionsSorted = sorted;
        _positionsView = Array.AsReadOnly(sorted);
    }

    private void AddOpen(OpenOrder open)
    {
        _open.Add(open.Order.ClientOrderId, open);
        ref var book = ref CollectionsMarshal.GetValueRefOrAddDefault(_openBySymbol, open.Order.Symbol, out _);
        (book ??= new SymbolBook()).Add(open);
        if (open.ExpiresAt < _nextExpiry)
        {
            _nextExpiry = open.ExpiresAt;
        }

        _openView = null;
    }

    private void RemoveOpen(OpenOrder open)
    {
        _open.Remove(open.Order.ClientOrderId);
        if (_openBySymbol.TryGetValue(open.Order.Symbol, out var book))
        {
            book.Remove(open);
        }

        // _nextExpiry stays a lower bound; the next expiry sweep recomputes it.
        _openView = null;
    }

    private static bool IsPrice(double value) => value > 0 && double.IsFinite(value);

    private static DateTime AsUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    /// <summary>The latest quote; a side not shown (size 0) fills nothing.</summary>
    private readonly record struct Quote(double Bid, double Ask, bool BidShown, bool AskShown);

    private sealed class OpenOrder(BrokerOrder order, DateTime expiresAt, long seq)
    {
        public BrokerOrder Order { get; } = order;

        public DateTime ExpiresAt { get; } = expiresAt;

        public long Seq { get; } = seq;

        public long RemainingQty => Order.Qty - Order.FilledQty;
    }

    /// <summary>One symbol's open orders in submission order, with per-side counters for O(1) queries.</summary>
    private sealed class SymbolBook
    {
        public List<OpenOrder> Orders { get; } = [];

        public int OpenBuys { get; private set; }

        public int OpenSells { get; private set; }

        /// <summary>Unfilled quantity of open sells: shares already promised and not available to a new sell.</summary>
        public long PendingSellQty { get; private set; }

        public void Add(OpenOrder open)
        {
            Orders.Add(open);
            if (open.Order.Side == OrderSide.Buy)
            {
                OpenBuys++;
            }
            else
            {
                OpenSells++;
                PendingSellQty += open.RemainingQty;
            }
        }

        public void Remove(OpenOrder open)
        {
            if (!Orders.Remove(open))
            {
                return;
            }

            if (open.Order.Side == OrderSide.Buy)
            {
                OpenBuys--;
            }
            else
            {
                OpenSells--;
                PendingSellQty -= open.RemainingQty;
            }
        }
    }
}
