using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// One <c>trade_updates</c> event: what happened (<c>new</c>, <c>fill</c>, <c>partial_fill</c>, <c>canceled</c>, …),
/// when, the order as Alpaca now sees it, and for fills the execution price, quantity and the resulting position.
/// </summary>
public sealed record TradeUpdate(string Event, DateTime? Timestamp, AlpacaOrder Order, decimal? Price, decimal? Qty, decimal? PositionQty);

/// <summary>Wire shape of a trade update's <c>data</c>; validated before it becomes a <see cref="TradeUpdate"/>.</summary>
internal sealed record TradeUpdateWire(
    string? Event,
    DateTime? Timestamp,
    AlpacaOrder? Order,
    decimal? Price,
    decimal? Qty,
    decimal? PositionQty,
    string? ExecutionId);

/// <summary>
/// Client of Alpaca's trade-updates WebSocket (<c>wss://…/stream</c>): authenticates, listens to
/// <c>trade_updates</c> and hands every event to a callback, in order, one at a time.
/// </summary>
/// <remarks>
/// <para>Frames may be text or binary (both carry UTF-8 JSON) and a message may span several frames: messages are
/// reassembled before parsing. A message that is not JSON or not a usable event is logged and skipped.</para>
/// <para>A dropped connection (or one that fails to connect or to authorize within <see cref="AlpacaOptions.Timeout"/>)
/// is retried after a capped, jittered back-off (<see cref="ReconnectDelay"/>), timed by the injected
/// <see cref="TimeProvider"/>. An <c>unauthorized</c> answer (or a 401/403 on the upgrade) is final: it is logged once
/// and <see cref="RunAsync"/> returns with <see cref="AuthorizationRejected"/> set; retrying bad keys only earns bans.</para>
/// <para>Events missed while disconnected are not replayed by Alpaca: the order manager must poll REST after a
/// reconnect (watch <see cref="Sessions"/>).</para>
/// <para>The key and the secret are only ever written to the socket; every logged text is redacted.</para>
/// </remarks>
public sealed class TradeUpdatesStream : IAsyncDisposable
{
    /// <summary>Back-off before the first reconnect, before jitter.</summary>
    public static readonly TimeSpan BaseReconnectDelay = TimeSpan.FromSeconds(1);

    /// <summary>Cap on the reconnect back-off, applied before the ±20 % jitter.</summary>
    public static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);

    /// <summary>A message larger than this is skipped (Alpaca's events are a few KiB).</summary>
    public const int MaxMessageBytes = 1 << 20;

    private const int ReceiveChunkBytes = 16 * 1024;
    private const int MaxLoggedChars = 200;

    private static readonly byte[] ListenMessage = """{"action":"listen","data":{"streams":["trade_updates"]}}"""u8.ToArray();

    private readonly AlpacaOptions _options;
    private readonly Func<TradeUpdate, ValueTask> _onUpdate;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Uri _streamUrl;
    private readonly CancellationTokenSource _disposed = new();
    private readonly object _randomGate = new();
    private readonly Random _random;
    private Task? _running;
    private int _started;
    private volatile bool _connected;
    private volatile bool _rejected;
    private int _sessions;
    private long _nextReconnectTicks = -1;

    /// <param name="options">Keys and the trading base URL (the stream URL is derived from it); its timeout bounds connect + authorize.</param>
    /// <param name="onUpdate">Called for every event, in arrival order; the next message is read only after it completes. Its exceptions are logged, never fatal.</param>
    /// <param name="logger">Receives connection and skip notices; never the key or the secret.</param>
    /// <param name="time">Clock for back-off delays and the handshake timeout (a fake one in tests).</param>
    /// <param name="streamUrl">Overrides the derived <c>ws(s)://host/stream</c>.</param>
    /// <param name="random">Source of jitter (seeded in tests).</param>
    public TradeUpdatesStream(
        AlpacaOptions options,
        Func<TradeUpdate, ValueTask> onUpdate,
        ILogger logger,
        TimeProvider? time = null,
        Uri? streamUrl = null,
        Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeyId, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.SecretKey, nameof(options));
        ArgumentNullException.ThrowIfNull(onUpdate);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Timeout must be positive.");
        }

        _options = options;
        _onUpdate = onUpdate;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _random = random ?? Random.Shared;
        _streamUrl = streamUrl ?? StreamUrlFor(options.TradingBaseUrl);
        if (_streamUrl.Scheme != "ws" && _streamUrl.Scheme != "wss")
        {
            throw new ArgumentException("The stream URL must be ws:// or wss://.", nameof(streamUrl));
        }
    }

    /// <summary>True while authorized and listening to <c>trade_updates</c>.</summary>
    public bool Connected => _connected;

    /// <summary>Alpaca refused the keys: <see cref="RunAsync"/> has stopped for good.</summary>
    public bool AuthorizationRejected => _rejected;

    /// <summary>Authorized sessions so far; a rise after the first means a reconnect, when REST should be polled for missed events.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>When the next connection attempt is due while backing off, else null.</summary>
    public DateTimeOffset? NextReconnectAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _nextReconnectTicks);
            return ticks < 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>The stream URL for a trading base URL: https→wss, http→ws, path <c>/stream</c>.</summary>
    public static Uri StreamUrlFor(Uri tradingBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(tradingBaseUrl);
        var scheme = tradingBaseUrl.Scheme switch
        {
            "https" => "wss",
            "http" => "ws",
            _ => throw new ArgumentException("The trading base URL must be http(s).", nameof(tradingBaseUrl)),
        };
        var builder = new UriBuilder(tradingBaseUrl)
        {
            Scheme = scheme,
            Port = tradingBaseUrl.IsDefaultPort ? -1 : tradingBaseUrl.Port,
            Path = tradingBaseUrl.AbsolutePath.TrimEnd('/') + "/stream",
            Query = string.Empty,
            Fragment = string.Empty,
        };
        return builder.Uri;
    }

    /// <summary>
    /// Delay before reconnect number <paramref name="attempt"/> (0 = first): min(1 s × 2^attempt, 30 s) times a
    /// jitter factor 0.8 + 0.4 × <paramref name="unitRandom"/>, so it lies in [0.8 s, 36 s).
    /// </summary>
    public static TimeSpan ReconnectDelay(int attempt, double unitRandom)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        if (double.IsNaN(unitRandom) || unitRandom < 0 || unitRandom >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(unitRandom), unitRandom, "Must be in [0, 1).");
        }

        // 1 s × 2^5 = 32 s already exceeds the cap. Whole milliseconds, as in ReadRetryPolicy.ComputeDelay.
        var capMs = (long)MaxReconnectDelay.TotalMilliseconds;
        var backoffMs = attempt >= 5 ? capMs : Math.Min((long)BaseReconnectDelay.TotalMilliseconds << attempt, capMs);
        var lowMs = backoffMs * 8 / 10;
        var spanMs = backoffMs * 4 / 10;
        return TimeSpan.FromMilliseconds(lowMs + Math.Min(spanMs - 1, (long)Math.Floor(unitRandom * spanMs)));
    }

    /// <summary>
    /// Connects and keeps the stream alive until <paramref name="ct"/> is cancelled (then returns normally), the
    /// object is disposed, or Alpaca rejects the keys (<see cref="AuthorizationRejected"/>). Only one run at a time.
    /// </summary>
    public Task RunAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The trade-updates stream runs once; create a new one to run again.");
        }

        var task = RunCoreAsync(ct);
        Volatile.Write(ref _running, task);
        return task;

        async Task RunCoreAsync(CancellationToken outer)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(outer, _disposed.Token);
            var token = linked.Token;
            var attempt = 0;
            try
            {
                while (!token.IsCancellationRequested)
                {
                    var end = await RunSessionAsync(token);
                    _connected = false;
                    if (end == SessionEnd.Rejected)
                    {
                        _rejected = true;
                        return;
                    }

                    if (end == SessionEnd.Stopped || token.IsCancellationRequested)
                    {
                        return;
                    }

                    // A session that got authorized was healthy: start the back-off over.
                    attempt = end == SessionEnd.DroppedAfterAuth ? 0 : attempt;
                    var delay = ReconnectDelay(Math.Min(attempt, 16), NextUnit());
                    attempt++;
                    var at = _time.GetUtcNow() + delay;
                    _logger.LogWarning(
                        "Alpaca trade-updates stream disconnected; reconnect attempt {Attempt} in {DelayMs} ms.",
                        attempt,
                        (long)delay.TotalMilliseconds);
                    Interlocked.Exchange(ref _nextReconnectTicks, at.UtcTicks);
                    try
                    {
                        await Task.Delay(delay, _time, token);
                    }
                    finally
                    {
                        Interlocked.Exchange(ref _nextReconnectTicks, -1);
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // stopping is the normal way out
            }
            finally
            {
                _connected = false;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync();
        if (Volatile.Read(ref _running) is { } running)
        {
            try
            {
                await running;
            }
            catch (Exception ex)
            {
                _logger.LogDebug("Trade-updates stream ended with {Error} while disposing.", Describe(ex));
            }
        }

        _disposed.Dispose();
    }

    private enum SessionEnd
    {
        Stopped,
        Rejected,
        DroppedBeforeAuth,
        DroppedAfterAuth,
    }

    private enum MessageOutcome
    {
        Continue,
        Authorized,
        Rejected,
    }

    private async Task<SessionEnd> RunSessionAsync(CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(15); // a silent dead peer surfaces as a drop
        using var handshakeTimeout = new CancellationTokenSource(_options.Timeout, _time);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct, handshakeTimeout.Token);
        var authorized = false;
        var buffer = new ArrayBufferWriter<byte>(ReceiveChunkBytes);
        try
        {
            try
            {
                await socket.ConnectAsync(_streamUrl, handshake.Token);
            }
            catch (WebSocketException) when (socket.HttpStatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                LogRejected(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)socket.HttpStatusCode} on connect"));
                return SessionEnd.Rejected;
            }

            _logger.LogDebug("Alpaca trade-updates stream connected to {Url}; authenticating.", _streamUrl);
            await SendAsync(socket, AuthenticateMessage(), handshake.Token);
            while (true)
            {
                var token = authorized ? ct : handshake.Token;
                if (!await ReceiveMessageAsync(socket, buffer, token))
                {
                    _logger.LogWarning(
                        "Alpaca trade-updates stream closed by the server ({Status} {Description}).",
                        socket.CloseStatus?.ToString() ?? "no status",
                        Redact(socket.CloseStatusDescription ?? string.Empty));
                    await CloseQuietlyAsync(socket);
                    return authorized ? SessionEnd.DroppedAfterAuth : SessionEnd.DroppedBeforeAuth;
                }

                if (buffer.WrittenCount > MaxMessageBytes)
                {
                    _logger.LogWarning("Skipped a trade-updates message of {Bytes} bytes (over {Max}).", buffer.WrittenCount, MaxMessageBytes);
                    continue;
                }

                switch (await HandleMessageAsync(buffer.WrittenMemory, authorized, ct))
                {
                    case MessageOutcome.Authorized when !authorized:
                        authorized = true;
                        handshakeTimeout.CancelAfter(Timeout.InfiniteTimeSpan); // from here on only drops end the session
                        Interlocked.Increment(ref _sessions);
                        await SendAsync(socket, ListenMessage, ct);
                        break;
                    case MessageOutcome.Rejected:
                        await CloseQuietlyAsync(socket);
                        return SessionEnd.Rejected;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await CloseQuietlyAsync(socket);
            return SessionEnd.Stopped;
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning(
                "Alpaca trade-updates stream did not connect and authorize within {TimeoutMs} ms.",
                (long)_options.Timeout.TotalMilliseconds);
            return SessionEnd.DroppedBeforeAuth;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or ObjectDisposedException)
        {
            _logger.LogWarning("Alpaca trade-updates stream connection lost: {Error}", Describe(ex));
            return authorized ? SessionEnd.DroppedAfterAuth : SessionEnd.DroppedBeforeAuth;
        }
        catch (Exception ex)
        {
            // Anything else is a bug or a surprise from the socket: the stream must outlive it, so reconnect.
            _logger.LogError("Alpaca trade-updates stream failed unexpectedly, reconnecting: {Error}", Describe(ex));
            return SessionEnd.DroppedBeforeAuth;
        }
        finally
        {
            _connected = false;
        }
    }

    /// <summary>
    /// Reads one whole message (text or binary, any number of frames) into <paramref name="buffer"/>; false when the
    /// server closed. Bytes past <see cref="MaxMessageBytes"/> are read and dropped so the stream stays in step.
    /// </summary>
    private static async Task<bool> ReceiveMessageAsync(ClientWebSocket socket, ArrayBufferWriter<byte> buffer, CancellationToken ct)
    {
        buffer.ResetWrittenCount();
        var overflow = false;
        byte[]? scratch = null;
        while (true)
        {
            Memory<byte> target = overflow ? (scratch ??= new byte[ReceiveChunkBytes]) : buffer.GetMemory(ReceiveChunkBytes);
            var result = await socket.ReceiveAsync(target, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }

            if (!overflow)
            {
                buffer.Advance(result.Count);
                overflow = buffer.WrittenCount > MaxMessageBytes;
            }

            if (result.EndOfMessage)
            {
                return true;
            }
        }
    }

    private async Task<MessageOutcome> HandleMessageAsync(ReadOnlyMemory<byte> message, bool authorized, CancellationToken ct)
    {
        string? stream;
        JsonElement data;
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                LogSkipped("not a JSON object", message);
                return MessageOutcome.Continue;
            }

            stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            data = root.TryGetProperty("data", out var d) ? d.Clone() : default;
        }
        catch (JsonException)
        {
            LogSkipped("not JSON", message);
            return MessageOutcome.Continue;
        }

        switch (stream)
        {
            case "authorization":
                var status = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.String
                    ? st.GetString()
                    : null;
                if (status == "authorized")
                {
                    _logger.LogInformation("Alpaca trade-updates stream authorized; listening to trade_updates.");
                    return MessageOutcome.Authorized;
                }

                LogRejected(status ?? "no status");
                return MessageOutcome.Rejected;

            case "listening":
                var listening = data.ValueKind == JsonValueKind.Object
                    && data.TryGetProperty("streams", out var streams)
                    && streams.ValueKind == JsonValueKind.Array
                    && streams.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String && e.GetString() == "trade_updates");
                _connected = authorized && listening;
                if (!listening)
                {
                    LogSkipped("listening without trade_updates", message);
                }

                return MessageOutcome.Continue;

            case "trade_updates":
                if (!authorized)
                {
                    LogSkipped("event before authorization", message);
                    return MessageOutcome.Continue;
                }

                _connected = true;
                await DeliverAsync(data, message, ct);
                return MessageOutcome.Continue;

            default:
                LogSkipped("unknown stream", message);
                return MessageOutcome.Continue;
        }
    }

    private async Task DeliverAsync(JsonElement data, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        TradeUpdateWire? wire;
        try
        {
            wire = data.ValueKind == JsonValueKind.Object ? data.Deserialize(AlpacaJsonContext.Default.TradeUpdateWire) : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or OverflowException)
        {
            LogSkipped("unreadable event", message);
            return;
        }

        if (wire is not { Event: { Length: > 0 } name, Order: { } order }
            || string.IsNullOrEmpty(order.Id)
            || string.IsNullOrEmpty(order.Symbol)
            || string.IsNullOrEmpty(order.Status))
        {
            LogSkipped("event without event name or order", message);
            return;
        }

        var update = new TradeUpdate(name, wire.Timestamp, order, wire.Price, wire.Qty, wire.PositionQty);
        try
        {
            await _onUpdate(update);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The handler's bug must not cost the other events: log and go on.
            _logger.LogError(
                "Trade-update handler failed on {Event} of order {OrderId}: {Error}",
                name,
                order.Id,
                Describe(ex));
        }
    }

    private byte[] AuthenticateMessage()
    {
        var output = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("action", "authenticate");
            writer.WriteStartObject("data");
            writer.WriteString("key_id", _options.KeyId);
            writer.WriteString("secret_key", _options.SecretKey);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    private static async Task SendAsync(ClientWebSocket socket, byte[] message, CancellationToken ct)
    {
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            if (!ReferenceEquals(message, ListenMessage))
            {
                CryptographicOperations.ZeroMemory(message); // the auth bytes hold the secret
            }
        }
    }

    private async Task CloseQuietlyAsync(ClientWebSocket socket)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the connection is going away anyway
        }
    }

    private void LogRejected(string status)
    {
        _logger.LogError(
            "Alpaca trade-updates stream: authorization refused ({Status}); check APCA_API_KEY_ID/APCA_API_SECRET_KEY. Not reconnecting.",
            Redact(status));
    }

    private void LogSkipped(string reason, ReadOnlyMemory<byte> message)
    {
        // Invalid UTF-8 becomes U+FFFD: a garbage frame is still logged, never thrown on.
        var text = Encoding.UTF8.GetString(message.Span[..Math.Min(message.Length, MaxLoggedChars * 4)]);
        if (text.Length > MaxLoggedChars)
        {
            text = text[..MaxLoggedChars] + "…";
        }

        _logger.LogWarning("Skipped a trade-updates message ({Reason}): {Message}", reason, Redact(text));
    }

    private string Describe(Exception ex) => Redact(ex.GetType().Name + ": " + ex.Message);

    private string Redact(string text) => AlpacaHttp.Redact(text, _options.KeyId, _options.SecretKey);

    private double NextUnit()
    {
        lock (_randomGate)
        {
            return _random.NextDouble();
        }
    }
}
