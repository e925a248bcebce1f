using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// <see cref="IBroker"/> over Alpaca (paper by default; live only with <c>ALPACA_LIVE=true</c>), with the order
/// manager off the consumer's hot path.
/// </summary>
/// <remarks>
/// <para>The consumer thread never waits for Alpaca. <see cref="Submit"/> records the intent durably (SQLite) and
/// tracks the order as <c>new</c> at once, so the open-order guard blocks a second buy; the POST runs in the
/// background through the <see cref="IdempotentOrderSubmitter"/> (never sent twice). Cancels, polls of open orders
/// and account refreshes run in the background too. Their results queue up and are applied on the consumer thread
/// at the next <see cref="OnClock"/>, which reports fills and order changes like the paper broker does.</para>
/// <para>Requests for one order run one after another (a cancel waits for its submission); requests for different
/// orders run concurrently, so under a rate limit the <see cref="RequestRateLimiter"/> decides who goes first:
/// cancels, then submissions, then account reads.</para>
/// <para>At start (<see cref="Open"/>): unacknowledged intents are looked up by <c>client_order_id</c>, and open
/// orders and positions are reconciled with the brain's last known view; the broker's truth is adopted and every
/// difference is reported in <see cref="StartupReconciliation"/>.</para>
/// </remarks>
public sealed class AlpacaBroker : IBroker, IStateStore
{
    /// <summary>The ledger itself keeps the engine's state, in the same database as the orders.</summary>
    public IStateStore State => this;

    /// <summary>State key of the last known positions (symbol → qty), compared with Alpaca's at the next start.</summary>
    public const string PositionsStateKey = "alpaca.positions";

    private static readonly TimeSpan StartupCallTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(10);
    private const int MaxAttempts = ReadRetryPolicy.DefaultMaxAttempts + 2;

    private readonly AlpacaTradingClient _client;
    private readonly RequestRateLimiter _limiter;
    private readonly ReadRetryPolicy _readPolicy;
    private readonly SqliteOrderIntentStore _intents;
    private readonly IdempotentOrderSubmitter _submitter;
    private readonly SqliteStateStore _state;
    private readonly ILogger _logger;
    private readonly TimeSpan _pollInterval;
    private readonly CancellationTokenSource _stop = new();

    // Consumer-thread state.
    private readonly Dictionary<string, BrokerOrder> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BrokerOrder> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BrokerPosition> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _lastAsk = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _orderChains = new(StringComparer.Ordinal);
    private readonly List<ReconciliationNote> _startupNotes = [];
    private DateTime _lastPoll = DateTime.MinValue;
    private TradeUpdatesStream? _stream;
    private Task? _streamRun;
    private int _streamSessions;
    private bool _pollRequested;
    private long _appliedAccountVersion = -1;
    private double _cash;

    // Shared with background work.
    private readonly ConcurrentQueue<WorkResult> _results = new();
    private readonly ConcurrentDictionary<string, string> _alpacaIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _submitting = new(StringComparer.Ordinal);
    private long _accountVersion;
    private int _inFlight;
    private int _pollInFlight;

    private AlpacaBroker(AlpacaTradingClient client, RequestRateLimiter limiter, string statePath, ILogger logger, TimeSpan pollInterval)
    {
        _client = client;
        _limiter = limiter;
        _readPolicy = new ReadRetryPolicy();
        _intents = new SqliteOrderIntentStore(statePath);
        _submitter = new IdempotentOrderSubmitter(client, _intents, _limiter, _readPolicy);
        _state = new SqliteStateStore(statePath);
        _logger = logger;
        _pollInterval = pollInterval;
    }

    public string Name => "alpaca";

    /// <summary>Alpaca's cash less what open buys may still spend (Alpaca deducts it only when they fill).</summary>
    public double Cash
    {
        get
        {
            var reserved = 0.0;
            foreach (var order in _open.Values)
            {
                if (order.Side == OrderSide.Buy)
                {
                    var price = order.LimitPrice ?? _lastAsk.GetValueOrDefault(order.Symbol);
                    reserved += (order.Qty - order.FilledQty) * price;
                }
            }

            return _cash - reserved;
        }
    }

    public IReadOnlyCollection<BrokerPosition> Positions => _positions.Values;

    public IReadOnlyCollection<BrokerOrder> OpenOrders => _open.Values;

    public IReadOnlyList<ReconciliationNote> StartupReconciliation => _startupNotes;

    /// <summary>Requests still running in the background.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Connects, recovers unacknowledged intents and reconciles open orders and positions with Alpaca (adopting
    /// Alpaca's truth). Start-up is the one place that waits for Alpaca, bounded by a timeout.
    /// </summary>
    /// <param name="tradeUpdates">Also listen to the trade-updates WebSocket (<c>ALPACA_TRADE_UPDATES</c>): order changes
    /// arrive as they happen; polling goes on as the safety net and catches up after every reconnect.</param>
    public static AlpacaBroker Open(
        AlpacaOptions options,
        string statePath,
        ILogger logger,
        TimeSpan? pollInterval = null,
        int requestsPerMinute = RequestRateLimiter.DefaultRequestsPerMinute,
        bool tradeUpdates = false)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(statePath)) is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
        }

        var limiter = new RequestRateLimiter(requestsPerMinute);
        var broker = new AlpacaBroker(new AlpacaTradingClient(options, limiter: limiter), limiter, statePath, logger, pollInterval ?? TimeSpan.FromSeconds(2));
        try
        {
            broker.Start();
        }
        catch
        {
            broker.Dispose();
            throw;
        }

        if (tradeUpdates)
        {
            broker._stream = new TradeUpdatesStream(options, broker.OnStreamUpdateAsync, logger);
            broker._streamRun = broker._stream.RunAsync(broker._stop.Token);
        }

        logger.LogInformation(
            "Alpaca broker at {Url}{Live}: cash {Cash:0.00}, {Positions} positions, {Open} open orders{Stream}",
            Config.Urls.Redact(options.TradingBaseUrl.ToString()), options.IsLive ? " (LIVE, real money)" : " (paper)", broker._cash, broker._positions.Count, broker._open.Count, tradeUpdates ? ", trade updates streaming" : string.Empty);
        return broker;
    }

    public SubmitResult Submit(OrderRequest request, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_orders.TryGetValue(request.ClientOrderId, out var known))
        {
            return new SubmitResult(known, true);
        }

        // A decision replayed after a restart: Alpaca already has this order, so it is not sent again.
        if (_intents.AcknowledgedOrder(request.ClientOrderId) is { } acknowledged)
        {
            var existing = Map(acknowledged, null);
            Track(existing);
            return new SubmitResult(existing, true);
        }

        var alpaca = ToAlpaca(request);
        _intents.RecordIntent(alpaca); // durable before anything is sent
        var pending = new BrokerOrder(request.ClientOrderId, request.Symbol, request.Side, request.Qty, request.Type, request.LimitPrice, OrderStatus.New, 0, 0, now);
        Track(pending);
        _submitting[request.ClientOrderId] = true;
        Schedule(request.ClientOrderId, () => SubmitInBackgroundAsync(alpaca));
        return new SubmitResult(pending, false);
    }

    public BrokerUpdate Cancel(string clientOrderId, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        if (_open.TryGetValue(clientOrderId, out var open))
        {
            Schedule(clientOrderId, () => CancelInBackgroundAsync(clientOrderId, open.FilledQty));
        }

        return BrokerUpdate.None;
    }

    public BrokerUpdate OnQuote(string symbol, double bid, double ask, long bidSize, long askSize, DateTime now)
    {
        if (ask > 0 && _open.Count > 0)
        {
            _lastAsk[symbol] = ask;
        }

        return BrokerUpdate.None;
    }

    /// <summary>
    /// Applies what background work learned since the last call, and starts a poll of open orders when one is due
    /// (every poll interval of event time while orders are open, or at once after a feed hint).
    /// </summary>
    public BrokerUpdate OnClock(DateTime now)
    {
        if (_lastPoll == DateTime.MinValue)
        {
            _lastPoll = now; // the start-up reconciliation just read every open order
        }

        if (_stream is { Sessions: var sessions } && sessions != _streamSessions)
        {
            _streamSessions = sessions;
            _pollRequested = sessions > 1; // (re)connected: Alpaca does not replay what was missed meanwhile
        }

        if ((_pollRequested || now - _lastPoll >= _pollInterval) && _open.Count > 0 && Volatile.Read(ref _pollInFlight) == 0)
        {
            _lastPoll = now;
            _pollRequested = false;
            StartPoll();
        }

        return _results.IsEmpty ? BrokerUpdate.None : Drain(now);
    }

    /// <summary>The feed's <c>orders</c>/<c>positions</c> events say something changed at Alpaca: poll at the next tick.</summary>
    public void OnFeedUpdate() => _pollRequested = true;

    /// <summary>
    /// A trade-updates stream event: the order's new state is applied at the next <see cref="OnClock"/> (after a fill,
    /// with fresh cash and positions), without waiting for the next poll.
    /// </summary>
    private async ValueTask OnStreamUpdateAsync(TradeUpdate update)
    {
        var order = update.Order;
        _alpacaIds[order.ClientOrderId] = order.Id;
        _intents.RecordAcknowledged(order.ClientOrderId, order); // updates only an order this brain sent
        var filled = update.Event is "fill" or "partial_fill";
        var account = filled ? await TryReadAccountAsync(_stop.Token).ConfigureAwait(false) : null;
        _results.Enqueue(new WorkResult([order], account, []));
    }

    public BrokerUpdate Settle(DateTime now, TimeSpan timeout)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        WaitIdle(waited, timeout);
        if (_open.Count > 0 && Volatile.Read(ref _pollInFlight) == 0)
        {
            StartPoll();
            WaitIdle(waited, timeout);
        }

        return _results.IsEmpty ? BrokerUpdate.None : Drain(now);
    }

    public BrokerOrder? FindOrder(string clientOrderId) => _orders.GetValueOrDefault(clientOrderId);

    public BrokerPosition? PositionOf(string symbol) => _positions.GetValueOrDefault(symbol);

    public bool HasOpenOrder(string symbol, OrderSide side)
    {
        foreach (var order in _open.Values)
        {
            if (order.Symbol == symbol && order.Side == side)
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
        // Let submissions in flight finish (their outcome is recorded); whatever is cut short is recovered at the next start.
        WaitIdle(System.Diagnostics.Stopwatch.StartNew(), DisposeWait);
        _stop.Cancel();
        if (_stream is not null)
        {
            _streamRun?.Wait(DisposeWait);
            _stream.DisposeAsync().AsTask().Wait(DisposeWait);
        }

        _client.Dispose();
        _limiter.Dispose();
        _state.Dispose();
        _stop.Dispose();
    }

    private void Start()
    {
        var recovery = RunStartup(_submitter.RecoverAsync(_stop.Token));
        foreach (var unsent in recovery.Unsent)
        {
            _logger.LogWarning("Order intent {Id} ({Side} {Qty} {Symbol}) never reached Alpaca; not resent", unsent.ClientOrderId, unsent.Side, unsent.Qty, unsent.Symbol);
        }

        var localOpen = _intents.LastKnownOpenOrders();
        var localPositions = LoadPositionSnapshot();
        var brokerOpen = RunStartup(CallAsync(RequestPriority.Account, _client.ListOpenOrdersAsync));
        var account = RunStartup(ReadAccountAsync(_stop.Token));
        var brokerPositions = account.AlpacaPositions;

        var result = Reconciliation.Reconcile(
            localOpen.Select(o => new LocalOpenOrder(o.ClientOrderId, o.Symbol, o.Side, o.Qty ?? 0)).ToList(),
            localPositions,
            brokerOpen,
            brokerPositions);
        foreach (var order in result.AdoptedOrders)
        {
            _startupNotes.Add(new ReconciliationNote("order_adopted", order.Symbol, order.ClientOrderId, order.Side, null, order.Qty, order.Status));
        }

        foreach (var missing in result.MissingAtBroker)
        {
            // Open here, not open there: learn what became of it (filled, canceled…) and record that.
            var final = RunStartup(ReadOrderAsync(missing.ClientOrderId, RequestPriority.Account));
            if (final is not null)
            {
                _intents.RecordAcknowledged(final.ClientOrderId, final);
            }

            _startupNotes.Add(new ReconciliationNote("order_missing", missing.Symbol, missing.ClientOrderId, missing.Side, missing.Qty, final?.Qty, final?.Status ?? "not_found"));
        }

        foreach (var difference in result.AdoptedPositions)
        {
            _startupNotes.Add(new ReconciliationNote("position_adopted", difference.Symbol, null, null, difference.LocalQty, difference.BrokerQty, null));
        }

        foreach (var order in brokerOpen)
        {
            _alpacaIds[order.ClientOrderId] = order.Id;
            _intents.RecordAdopted(order);
            Track(Map(order, null));
        }

        ApplyAccount(account);
        foreach (var note in _startupNotes)
        {
            _logger.LogWarning(
                "Reconciliation: {Item} {Symbol} {Id} (local {Local}, Alpaca {Broker}, {Status}); Alpaca's state adopted",
                note.Item, note.Symbol, note.ClientOrderId ?? "-", note.LocalQty, note.BrokerQty, note.Status ?? "-");
        }
    }

    /// <summary>Runs <paramref name="work"/> after the previous request for the same order; counts it in flight.</summary>
    private void Schedule(string clientOrderId, Func<Task> work)
    {
        Interlocked.Increment(ref _inFlight);
        if (_orderChains.Count >= 256)
        {
            // Weeks of orders must not pile up here: finished chains are dropped (a new request starts a new one).
            foreach (var id in _orderChains.Where(c => c.Value.IsCompleted).Select(c => c.Key).ToList())
            {
                _orderChains.Remove(id);
            }
        }

        var previous = _orderChains.GetValueOrDefault(clientOrderId) ?? Task.CompletedTask;
        _orderChains[clientOrderId] = previous.ContinueWith(
            async _ =>
            {
                try
                {
                    await work().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    // shutting down: the intent store keeps what the next start needs
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "Background Alpaca request for order {Id} failed", clientOrderId);
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default).Unwrap();
    }

    private async Task SubmitInBackgroundAsync(AlpacaOrderRequest request)
    {
        try
        {
            await SubmitOnceAsync(request).ConfigureAwait(false);
        }
        finally
        {
            _submitting.TryRemove(request.ClientOrderId, out _);
        }
    }

    private async Task SubmitOnceAsync(AlpacaOrderRequest request)
    {
        AlpacaOrder order;
        try
        {
            order = await _submitter.SubmitAsync(request, _stop.Token).ConfigureAwait(false);
        }
        catch (AlpacaApiException ex) when (!ex.OutcomeUnknown)
        {
            // 403 insufficient buying power, 422 invalid, a 429 storm that never ended: a journaled rejection.
            _results.Enqueue(new WorkResult([], null, [new Rejection(request.ClientOrderId, ex.Message)]));
            return;
        }
        catch (AlpacaApiException ex)
        {
            // Unknown even after the lookups: the order stays open here, so no second buy follows; polls by
            // client_order_id learn what Alpaca did.
            _logger.LogWarning("Order {Id}: outcome unknown ({Why}); will reconcile by client_order_id", request.ClientOrderId, ex.Message);
            return;
        }

        _alpacaIds[order.ClientOrderId] = order.Id;
        var account = order.FilledQty > 0 ? await TryReadAccountAsync(_stop.Token).ConfigureAwait(false) : null;
        _results.Enqueue(new WorkResult([order], account, []));
    }

    private async Task CancelInBackgroundAsync(string clientOrderId, long filledBefore)
    {
        // The Alpaca id is known from the submission's answer or a poll, so the DELETE is the first request and
        // queues at cancel priority at once; only an order never seen needs a lookup first.
        if (!_alpacaIds.TryGetValue(clientOrderId, out var alpacaId))
        {
            var order = await ReadOrderAsync(clientOrderId, RequestPriority.Cancel).ConfigureAwait(false);
            if (order is null)
            {
                return;
            }

            alpacaId = order.Id;
        }

        try
        {
            // DELETE is idempotent: retrying it can never cancel twice.
            await CallAsync(
                RequestPriority.Cancel,
                async ct =>
                {
                    await _client.CancelOrderAsync(alpacaId, ct).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
        }
        catch (AlpacaApiException ex) when (ex.StatusCode is 404 or 422)
        {
            // Already filled or canceled meanwhile: the read below tells which.
            _logger.LogInformation("Cancel of {Id} not needed: {Why}", clientOrderId, ex.Message);
        }

        var after = await ReadOrderAsync(clientOrderId, RequestPriority.Cancel).ConfigureAwait(false);
        if (after is not null)
        {
            var account = after.FilledQty > filledBefore ? await TryReadAccountAsync(_stop.Token).ConfigureAwait(false) : null;
            _results.Enqueue(new WorkResult([after], account, []));
        }
    }

    private void StartPoll()
    {
        var snapshot = _open.Values.ToList();
        Interlocked.Exchange(ref _pollInFlight, 1);
        Interlocked.Increment(ref _inFlight);
        _ = Task.Run(async () =>
        {
            try
            {
                await PollAsync(snapshot).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                _logger.LogWarning("Polling Alpaca orders failed: {Why}", ex.Message);
            }
            finally
            {
                Interlocked.Exchange(ref _pollInFlight, 0);
                Interlocked.Decrement(ref _inFlight);
            }
        });
    }

    /// <summary>
    /// One request lists Alpaca's open orders (so a poll costs the same however many orders are open); an order that
    /// left that list is read once by client_order_id to learn its final state.
    /// </summary>
    private async Task PollAsync(List<BrokerOrder> open)
    {
        var listed = new Dictionary<string, AlpacaOrder>(StringComparer.Ordinal);
        foreach (var order in await CallAsync(RequestPriority.Account, _client.ListOpenOrdersAsync).ConfigureAwait(false))
        {
            listed[order.ClientOrderId] = order;
        }

        var orders = new List<AlpacaOrder>();
        var rejections = new List<Rejection>();
        var filledMore = false;
        foreach (var before in open)
        {
            if (!listed.TryGetValue(before.ClientOrderId, out var current))
            {
                try
                {
                    current = await ReadOrderAsync(before.ClientOrderId, RequestPriority.Account).ConfigureAwait(false);
                }
                catch (AlpacaApiException ex)
                {
                    _logger.LogWarning("Reading order {Id} failed: {Why}", before.ClientOrderId, ex.Message);
                    continue;
                }
            }

            if (current is null)
            {
                // Alpaca has no such order. Only an order whose submission has finished can be judged: its
                // lookups already confirmed it absent, so it will never exist.
                if (_intents.AcknowledgedOrder(before.ClientOrderId) is null && !IsSubmitting(before.ClientOrderId))
                {
                    rejections.Add(new Rejection(before.ClientOrderId, "Alpaca has no order with this client_order_id"));
                }

                continue;
            }

            _alpacaIds[current.ClientOrderId] = current.Id;
            if (StatusOf(current.Status) != before.Status || current.FilledQty != before.FilledQty)
            {
                orders.Add(current);
                _intents.RecordAcknowledged(current.ClientOrderId, current);
                filledMore |= current.FilledQty > before.FilledQty;
            }
        }

        var account = filledMore ? await TryReadAccountAsync(_stop.Token).ConfigureAwait(false) : null;
        if (orders.Count > 0 || rejections.Count > 0 || account is not null)
        {
            _results.Enqueue(new WorkResult(orders, account, rejections));
        }
    }

    private bool IsSubmitting(string clientOrderId) => _submitting.ContainsKey(clientOrderId);

    private Task<AlpacaOrder?> ReadOrderAsync(string clientOrderId, RequestPriority priority)
        => CallAsync(priority, ct => _client.GetOrderByClientOrderIdAsync(clientOrderId, ct));

    /// <summary>
    /// One idempotent request at <paramref name="priority"/>, retried while transient. After a 429 the request goes
    /// straight back into the limiter's queue (the limiter holds everyone until Retry-After), so it keeps its
    /// priority: a cancel is never overtaken by submissions that waited less. Other transient failures back off
    /// (capped, jittered) before queueing again.
    /// </summary>
    private async Task<T> CallAsync<T>(RequestPriority priority, Func<CancellationToken, Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            await _limiter.AcquireAsync(priority, _stop.Token).ConfigureAwait(false);
            try
            {
                return await call(_stop.Token).ConfigureAwait(false);
            }
            catch (AlpacaApiException ex) when (ReadRetryPolicy.IsTransient(ex) && attempt + 1 < MaxAttempts)
            {
                if (ex.StatusCode == 429)
                {
                    _limiter.OnResponse(null, null, ex.RetryAfter ?? IdempotentOrderSubmitter.DefaultThrottleWait);
                }
                else
                {
                    await Task.Delay(ReadRetryPolicy.ComputeDelay(attempt, Random.Shared.NextDouble(), ex.RetryAfter), _stop.Token).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task<AccountSnapshot?> TryReadAccountAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAccountAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AlpacaApiException ex)
        {
            _logger.LogWarning("Reading the Alpaca account failed: {Why}", ex.Message);
            return null;
        }
    }

    /// <summary>Cash and positions, stamped with a version taken before the reads so an older snapshot never overwrites a newer one.</summary>
    private async Task<AccountSnapshot> ReadAccountAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var version = Interlocked.Increment(ref _accountVersion);
        var account = await CallAsync(RequestPriority.Account, _client.GetAccountAsync).ConfigureAwait(false);
        var positions = await CallAsync(RequestPriority.Account, _client.ListPositionsAsync).ConfigureAwait(false);
        return new AccountSnapshot(version, account.Cash, positions);
    }

    private BrokerUpdate Drain(DateTime now)
    {
        List<Fill>? fills = null;
        List<BrokerOrder>? changed = null;
        while (_results.TryDequeue(out var result))
        {
            if (result.Account is { } account && account.Version > _appliedAccountVersion)
            {
                ApplyAccount(account);
            }

            foreach (var order in result.Orders)
            {
                Apply(order, now, ref fills, ref changed);
            }

            foreach (var rejection in result.Rejections)
            {
                if (_open.TryGetValue(rejection.ClientOrderId, out var open))
                {
                    var rejected = open with { Status = OrderStatus.Rejected, RejectReason = rejection.Reason };
                    Track(rejected);
                    (changed ??= []).Add(rejected);
                }
            }
        }

        return fills is null && changed is null ? BrokerUpdate.None : new BrokerUpdate(fills ?? [], changed ?? []);
    }

    private void Apply(AlpacaOrder order, DateTime now, ref List<Fill>? fills, ref List<BrokerOrder>? changed)
    {
        var before = _orders.GetValueOrDefault(order.ClientOrderId);
        var after = Map(order, before);
        if (before is not null && after.Status == before.Status && after.FilledQty == before.FilledQty)
        {
            return;
        }

        var beforeQty = before?.FilledQty ?? 0;
        if (after.FilledQty > beforeQty)
        {
            // The price of this fill alone: total filled value now less what was filled before, per new share.
            var beforeValue = beforeQty * (before?.FilledAvgPrice ?? 0);
            var delta = after.FilledQty - beforeQty;
            var price = ((after.FilledQty * after.FilledAvgPrice) - beforeValue) / delta;
            (fills ??= []).Add(new Fill(now, after.ClientOrderId, after.Symbol, after.Side, delta, Math.Round(price, 6)));
        }

        Track(after);
        (changed ??= []).Add(after);
    }

    private void ApplyAccount(AccountSnapshot account)
    {
        _appliedAccountVersion = account.Version;
        _cash = (double)account.Cash;
        _positions.Clear();
        foreach (var p in account.AlpacaPositions)
        {
            var qty = (long)decimal.Truncate(p.Side.Equals("short", StringComparison.OrdinalIgnoreCase) ? -Math.Abs(p.Qty) : p.Qty);
            _positions[p.Symbol] = new BrokerPosition(p.Symbol, qty, (double)p.AvgEntryPrice);
        }

        SavePositionSnapshot();
    }

    private void SavePositionSnapshot()
    {
        var snapshot = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var p in _positions.Values)
        {
            snapshot[p.Symbol] = p.Qty;
        }

        _state.Save(PositionsStateKey, JsonSerializer.Serialize(snapshot, AlpacaStateJsonContext.Default.SortedDictionaryStringDecimal));
    }

    private Dictionary<string, decimal> LoadPositionSnapshot()
    {
        if (_state.Load(PositionsStateKey) is not { } json)
        {
            return new Dictionary<string, decimal>(StringComparer.Ordinal);
        }

        try
        {
            var saved = JsonSerializer.Deserialize(json, AlpacaStateJsonContext.Default.SortedDictionaryStringDecimal);
            return saved is null ? new Dictionary<string, decimal>(StringComparer.Ordinal) : new Dictionary<string, decimal>(saved, StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            _logger.LogWarning("The saved position snapshot is unreadable; Alpaca's positions are adopted without comparison");
            return new Dictionary<string, decimal>(StringComparer.Ordinal);
        }
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
            if (_orderChains.TryGetValue(order.ClientOrderId, out var chain) && chain.IsCompleted)
            {
                _orderChains.Remove(order.ClientOrderId);
            }
        }
    }

    /// <summary>Waits (bounded, elapsed time only: no clock is read) until no background request is running.</summary>
    private void WaitIdle(System.Diagnostics.Stopwatch waited, TimeSpan limit)
    {
        while (Volatile.Read(ref _inFlight) > 0 && waited.Elapsed < limit)
        {
            Thread.Sleep(5);
        }
    }

    private static AlpacaOrderRequest ToAlpaca(OrderRequest request) => new(
        request.ClientOrderId,
        request.Symbol,
        request.Qty,
        request.Side.Wire(),
        request.Type.Wire(),
        "day",
        LimitPrice: request.LimitPrice is { } limit ? decimal.Round((decimal)limit, limit >= 1 ? 2 : 4) : null);

    /// <summary>Alpaca's order in the brain's vocabulary; a known order keeps its local creation time (event time).</summary>
    private static BrokerOrder Map(AlpacaOrder o, BrokerOrder? known) => new(
        o.ClientOrderId,
        o.Symbol,
        o.Side.Equals("sell", StringComparison.OrdinalIgnoreCase) ? OrderSide.Sell : OrderSide.Buy,
        (long)decimal.Truncate(o.Qty ?? known?.Qty ?? 0),
        o.Type.Equals("market", StringComparison.OrdinalIgnoreCase) ? OrderType.Market : OrderType.Limit,
        o.LimitPrice is { } l ? (double)l : null,
        StatusOf(o.Status),
        (long)decimal.Truncate(o.FilledQty),
        o.FilledAvgPrice is { } avg ? (double)avg : 0,
        known?.CreatedAt ?? o.CreatedAt ?? DateTime.MinValue,
        o.Status == "rejected" ? "rejected by Alpaca" : null);

    /// <summary>Alpaca's status vocabulary; the pending and accepted states are still open.</summary>
    internal static OrderStatus StatusOf(string status) => status switch
    {
        "filled" => OrderStatus.Filled,
        "partially_filled" => OrderStatus.PartiallyFilled,
        "canceled" or "replaced" => OrderStatus.Canceled,
        "expired" or "done_for_day" => OrderStatus.Expired,
        "rejected" or "suspended" or "stopped" => OrderStatus.Rejected,
        _ => OrderStatus.New,
    };

    /// <summary>Waits for a start-up call, bounded so a hung network never stalls the start forever.</summary>
    private static T RunStartup<T>(Task<T> task)
    {
        if (!task.Wait(StartupCallTimeout))
        {
            throw new AlpacaApiException(null, null, string.Create(CultureInfo.InvariantCulture, $"Alpaca call did not finish within {StartupCallTimeout.TotalSeconds} s"));
        }

        return task.GetAwaiter().GetResult();
    }

    private sealed record AccountSnapshot(long Version, decimal Cash, IReadOnlyList<AlpacaPosition> AlpacaPositions);

    private sealed record Rejection(string ClientOrderId, string Reason);

    private sealed record WorkResult(IReadOnlyList<AlpacaOrder> Orders, AccountSnapshot? Account, IReadOnlyList<Rejection> Rejections);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(SortedDictionary<string, decimal>))]
internal sealed partial class AlpacaStateJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
