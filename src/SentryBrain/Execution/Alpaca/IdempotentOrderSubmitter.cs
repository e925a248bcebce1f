using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SentryBrain.Storage;

namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// Submits orders so that one intent never becomes two orders at Alpaca.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>The intent is recorded in the <see cref="IOrderIntentStore"/> before any request.</item>
/// <item>A Submit token is taken from the <see cref="RequestRateLimiter"/> before every POST (and every lookup).</item>
/// <item>The order is POSTed once; on success the acknowledgement is recorded.</item>
/// <item>Outcome unknown (timeout, dropped connection, 5xx): never a blind re-POST. The order is looked up by
/// client_order_id (the lookup is a read, retried by the <see cref="ReadRetryPolicy"/>): found ⇒ recorded and
/// returned; confirmed absent ⇒ POSTed again, at most <see cref="MaxResends"/> more times.</item>
/// <item>422 with code 40010001 (duplicate client_order_id) ⇒ the existing order is looked up and returned.</item>
/// <item>429 (rate limited: Alpaca did not take the order) ⇒ the limiter is held for Retry-After and the POST waits
/// for its next Submit token, up to <see cref="MaxThrottledRetries"/> times; meanwhile cancels go first.</item>
/// <item>Any other 4xx (403 insufficient buying power, 422 invalid…) is rethrown without retry; the intent
/// stays unacknowledged in the store.</item>
/// </list>
/// <para>A resend reuses the same client_order_id, so even if a lookup missed an order still in flight at Alpaca,
/// the resend is answered with the duplicate 422 and resolves to the one existing order. If the lookup itself keeps
/// failing (after the read retries), its error is thrown and the intent stays unacknowledged for
/// <see cref="RecoverAsync"/>. Rate-limit headers are fed to the limiter by the HTTP client, not here.</para>
/// </remarks>
public sealed class IdempotentOrderSubmitter
{
    public const int DefaultMaxResends = 2;

    /// <summary>429 answers a submission waits out (each for its Retry-After) before the 429 is rethrown.</summary>
    public const int MaxThrottledRetries = 30;

    /// <summary>Hold after a 429 that carries no Retry-After.</summary>
    public static readonly TimeSpan DefaultThrottleWait = TimeSpan.FromSeconds(1);

    /// <summary>Alpaca's error code for "client_order_id must be unique".</summary>
    public const int DuplicateClientOrderIdCode = 40010001;

    private readonly IAlpacaOrderApi _api;
    private readonly IOrderIntentStore _store;
    private readonly RequestRateLimiter _limiter;
    private readonly ReadRetryPolicy _readPolicy;

    /// <param name="maxResends">POSTs allowed after the first, each only once a lookup confirmed the order absent.</param>
    public IdempotentOrderSubmitter(
        IAlpacaOrderApi api,
        IOrderIntentStore store,
        RequestRateLimiter limiter,
        ReadRetryPolicy readPolicy,
        int maxResends = DefaultMaxResends)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(readPolicy);
        ArgumentOutOfRangeException.ThrowIfNegative(maxResends);
        _api = api;
        _store = store;
        _limiter = limiter;
        _readPolicy = readPolicy;
        MaxResends = maxResends;
    }

    /// <summary>POSTs allowed after the first one, each only after a lookup confirmed the order absent.</summary>
    public int MaxResends { get; }

    public async Task<AlpacaOrder> SubmitAsync(AlpacaOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.ClientOrderId, nameof(request));

        _store.RecordIntent(request);
        var resends = 0;
        var throttled = 0;
        while (true)
        {
            await _limiter.AcquireAsync(RequestPriority.Submit, cancellationToken).ConfigureAwait(false);
            try
            {
                var order = await _api.SubmitOrderAsync(request, cancellationToken).ConfigureAwait(false);
                _store.RecordAcknowledged(request.ClientOrderId, order);
                return order;
            }
            catch (AlpacaApiException ex) when (ex.StatusCode == 422 && ex.Code == DuplicateClientOrderIdCode)
            {
                var existing = await LookupAsync(request.ClientOrderId, cancellationToken).ConfigureAwait(false);
                if (existing is null)
                {
                    throw;
                }

                _store.RecordAcknowledged(request.ClientOrderId, existing);
                return existing;
            }
            catch (AlpacaApiException ex) when (ex.StatusCode == 429 && throttled < MaxThrottledRetries)
            {
                // 429: Alpaca did not take the order, so sending it again is safe; the limiter holds every request
                // (cancels first) until Retry-After has passed.
                throttled++;
                _limiter.OnResponse(null, null, ex.RetryAfter is { } wait && wait > TimeSpan.Zero ? wait : DefaultThrottleWait);
            }
            catch (AlpacaApiException ex) when (ex.OutcomeUnknown)
            {
                var existing = await LookupAsync(request.ClientOrderId, cancellationToken).ConfigureAwait(false);
                if (existing is not null)
                {
                    _store.RecordAcknowledged(request.ClientOrderId, existing);
                    return existing;
                }

                if (resends >= MaxResends)
                {
                    throw;
                }

                resends++;
            }
        }
    }

    /// <summary>
    /// After a restart: looks up every unacknowledged intent by client_order_id. Found ⇒ acknowledged. Absent ⇒
    /// left unsent and reported in <see cref="OrderRecoveryResult.Unsent"/>; it is never resent automatically.
    /// </summary>
    public async Task<OrderRecoveryResult> RecoverAsync(CancellationToken cancellationToken = default)
    {
        var acknowledged = new List<AlpacaOrder>();
        var unsent = new List<AlpacaOrderRequest>();
        foreach (var intent in _store.Unacknowledged())
        {
            var existing = await LookupAsync(intent.ClientOrderId, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                unsent.Add(intent);
            }
            else
            {
                _store.RecordAcknowledged(intent.ClientOrderId, existing);
                acknowledged.Add(existing);
            }
        }

        return new OrderRecoveryResult(acknowledged, unsent);
    }

    private async Task<AlpacaOrder?> LookupAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        return await _readPolicy.ExecuteReadAsync(
            async ct =>
            {
                await _limiter.AcquireAsync(RequestPriority.Submit, ct).ConfigureAwait(false);
                return await _api.GetOrderByClientOrderIdAsync(clientOrderId, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>What <see cref="IdempotentOrderSubmitter.RecoverAsync"/> found.</summary>
/// <param name="Acknowledged">Intents Alpaca has: now acknowledged in the store.</param>
/// <param name="Unsent">Intents Alpaca never received: still unacknowledged; the caller decides (never auto-resent).</param>
public sealed record OrderRecoveryResult(IReadOnlyList<AlpacaOrder> Acknowledged, IReadOnlyList<AlpacaOrderRequest> Unsent);

/// <summary>Durable record of order intents, written before the POST and acknowledged after Alpaca answers.</summary>
public interface IOrderIntentStore
{
    /// <summary>Records an intent (idempotent: a second record of the same client_order_id changes nothing).</summary>
    void RecordIntent(AlpacaOrderRequest request);

    /// <summary>Marks the intent as known to Alpaca, with its order.</summary>
    void RecordAcknowledged(string clientOrderId, AlpacaOrder order);

    /// <summary>Intents not yet acknowledged, oldest first.</summary>
    IReadOnlyList<AlpacaOrderRequest> Unacknowledged();
}

/// <summary>Intent store in memory (tests, backtests). Thread-safe.</summary>
public sealed class InMemoryOrderIntentStore : IOrderIntentStore
{
    private readonly object _gate = new();
    private readonly List<AlpacaOrderRequest> _intents = [];
    private readonly Dictionary<string, AlpacaOrder> _acknowledged = new(StringComparer.Ordinal);

    public void RecordIntent(AlpacaOrderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            if (!_intents.Exists(i => string.Equals(i.ClientOrderId, request.ClientOrderId, StringComparison.Ordinal)))
            {
                _intents.Add(request);
            }
        }
    }

    public void RecordAcknowledged(string clientOrderId, AlpacaOrder order)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        ArgumentNullException.ThrowIfNull(order);
        lock (_gate)
        {
            _acknowledged[clientOrderId] = order;
        }
    }

    public IReadOnlyList<AlpacaOrderRequest> Unacknowledged()
    {
        lock (_gate)
        {
            return _intents.Where(i => !_acknowledged.ContainsKey(i.ClientOrderId)).ToList();
        }
    }

    /// <summary>The acknowledged order for a client_order_id, or null.</summary>
    public AlpacaOrder? AcknowledgedOrder(string clientOrderId)
    {
        lock (_gate)
        {
            return _acknowledged.GetValueOrDefault(clientOrderId);
        }
    }
}

/// <summary>
/// Intent store in SQLite (table <c>order_intents</c>): one transaction per write, so an intent recorded before a
/// crash is still there after a restart.
/// </summary>
public sealed class SqliteOrderIntentStore : IOrderIntentStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string SchemaSql =
        """
        CREATE TABLE IF NOT EXISTS order_intents (
            seq             INTEGER PRIMARY KEY AUTOINCREMENT,
            client_order_id TEXT NOT NULL UNIQUE,
            request_json    TEXT NOT NULL,
            recorded_at     TEXT NOT NULL,
            acknowledged_at TEXT NULL,
            order_id        TEXT NULL,
            order_json      TEXT NULL
        );
        """;

    private readonly string _path;
    private readonly TimeProvider _time;

    public SqliteOrderIntentStore(string path, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _time = timeProvider ?? TimeProvider.System;

        using var connection = Open();
        SqliteDatabase.EnsureSchema(connection, SchemaSql);
    }

    public void RecordIntent(AlpacaOrderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Write(
            """
            INSERT INTO order_intents (client_order_id, request_json, recorded_at)
            VALUES ($id, $request, $at)
            ON CONFLICT (client_order_id) DO NOTHING;
            """,
            command =>
            {
                command.Parameters.AddWithValue("$id", request.ClientOrderId);
                command.Parameters.AddWithValue("$request", JsonSerializer.Serialize(request, Json));
                command.Parameters.AddWithValue("$at", Now());
            });
    }

    public void RecordAcknowledged(string clientOrderId, AlpacaOrder order)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        ArgumentNullException.ThrowIfNull(order);
        Write(
            """
            UPDATE order_intents
            SET acknowledged_at = $at, order_id = $orderId, order_json = $order
            WHERE client_order_id = $id;
            """,
            command =>
            {
                command.Parameters.AddWithValue("$id", clientOrderId);
                command.Parameters.AddWithValue("$orderId", order.Id);
                command.Parameters.AddWithValue("$order", JsonSerializer.Serialize(order, Json));
                command.Parameters.AddWithValue("$at", Now());
            });
    }

    public IReadOnlyList<AlpacaOrderRequest> Unacknowledged()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT request_json FROM order_intents WHERE acknowledged_at IS NULL ORDER BY seq;";
        using var reader = command.ExecuteReader();
        var result = new List<AlpacaOrderRequest>();
        while (reader.Read())
        {
            result.Add(JsonSerializer.Deserialize<AlpacaOrderRequest>(reader.GetString(0), Json)
                ?? throw new InvalidDataException("Empty order intent in order_intents."));
        }

        return result;
    }

    /// <summary>The acknowledged order for a client_order_id, or null.</summary>
    public AlpacaOrder? AcknowledgedOrder(string clientOrderId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT order_json FROM order_intents WHERE client_order_id = $id AND order_json IS NOT NULL;";
        command.Parameters.AddWithValue("$id", clientOrderId);
        return command.ExecuteScalar() is string json ? JsonSerializer.Deserialize<AlpacaOrder>(json, Json) : null;
    }

    /// <summary>
    /// Records an order this brain did not send (adopted from Alpaca at start-up) as acknowledged, so the next start
    /// knows it and does not report it as new again.
    /// </summary>
    public void RecordAdopted(AlpacaOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var request = new AlpacaOrderRequest(order.ClientOrderId, order.Symbol, order.Qty ?? 0, order.Side, order.Type, order.TimeInForce, order.LimitPrice, order.StopPrice);
        Write(
            """
            INSERT INTO order_intents (client_order_id, request_json, recorded_at, acknowledged_at, order_id, order_json)
            VALUES ($id, $request, $at, $at, $orderId, $order)
            ON CONFLICT (client_order_id) DO UPDATE SET acknowledged_at = $at, order_id = $orderId, order_json = $order;
            """,
            command =>
            {
                command.Parameters.AddWithValue("$id", order.ClientOrderId);
                command.Parameters.AddWithValue("$request", JsonSerializer.Serialize(request, Json));
                command.Parameters.AddWithValue("$orderId", order.Id);
                command.Parameters.AddWithValue("$order", JsonSerializer.Serialize(order, Json));
                command.Parameters.AddWithValue("$at", Now());
            });
    }

    /// <summary>
    /// Acknowledged orders whose last recorded state is still open: the brain's own view of its open orders, which
    /// start-up reconciliation compares with the broker's.
    /// </summary>
    public IReadOnlyList<AlpacaOrder> LastKnownOpenOrders()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT order_json FROM order_intents
            WHERE order_json IS NOT NULL
              AND json_extract(order_json, '$.status') NOT IN ('filled', 'canceled', 'expired', 'rejected', 'replaced', 'done_for_day', 'stopped', 'suspended')
            ORDER BY seq;
            """;
        using var reader = command.ExecuteReader();
        var result = new List<AlpacaOrder>();
        while (reader.Read())
        {
            if (JsonSerializer.Deserialize<AlpacaOrder>(reader.GetString(0), Json) is { } order)
            {
                result.Add(order);
            }
        }

        return result;
    }

    private string Now() => _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private void Write(string sql, Action<SqliteCommand> bind)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        bind(command);
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    // A connection per call, journal left at SQLite's default (synchronous FULL): an intent is on disk before the POST.
    private SqliteConnection Open() => SqliteDatabase.OpenDatabase(_path, SqliteJournal.Default);
}
