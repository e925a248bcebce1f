using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SentryBrain.Tests.Execution.Alpaca;

/// <summary>How the fake writes a message on the socket.</summary>
public enum FakeFrames
{
    Text,
    Binary,

    /// <summary>One binary message split into three frames (cuts may fall inside a UTF-8 character).</summary>
    FragmentedBinary,

    /// <summary>One text message split into three frames.</summary>
    FragmentedText,
}

/// <summary>
/// The fake Alpaca's trade-updates WebSocket (<c>/stream</c>): checks the <c>authenticate</c> message against the
/// fake keys, answers <c>authorization</c> (text frame) and <c>listening</c> (binary frame, as Alpaca may), then lets
/// tests push events to every listening connection, drop connections, or refuse every authentication.
/// </summary>
public sealed class FakeTradeStream
{
    private readonly ConcurrentDictionary<int, Connection> _listeners = new();
    private int _connections;
    private int _nextId;

    /// <summary>WebSocket connections accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>Connections authorized and listening to trade_updates right now.</summary>
    public int ListenerCount => _listeners.Count;

    /// <summary>Answer <c>unauthorized</c> to every authentication, whatever the keys.</summary>
    public bool RejectAuth { get; set; }

    /// <summary>Take the authenticate message and never answer it (a hung server).</summary>
    public bool SilentAuth { get; set; }

    /// <summary>Text of the authenticate messages received (tests check the shape; they hold the fake secret).</summary>
    public ConcurrentQueue<string> AuthMessages { get; } = new();

    /// <summary>A trade_updates message with an Order whose money fields are strings, as Alpaca sends them.</summary>
    public static string OrderEvent(
        string evt,
        string orderId,
        string symbol,
        decimal qty,
        decimal filledQty,
        string status,
        decimal? price = null,
        decimal? positionQty = null,
        string clientOrderId = "sb-test-1",
        string timestamp = "2026-11-25T15:30:01.123456789Z")
    {
        var data = new JsonObject
        {
            ["event"] = evt,
            ["timestamp"] = timestamp,
            ["execution_id"] = "6e7f3a1c-0000-4000-8000-000000000001",
            ["order"] = new JsonObject
            {
                ["id"] = orderId,
                ["client_order_id"] = clientOrderId,
                ["created_at"] = "2026-11-25T15:30:00.000001Z",
                ["updated_at"] = timestamp,
                ["submitted_at"] = "2026-11-25T15:30:00.000001Z",
                ["filled_at"] = filledQty > 0 ? timestamp : null,
                ["asset_class"] = "us_equity",
                ["symbol"] = symbol,
                ["qty"] = Money(qty),
                ["filled_qty"] = Money(filledQty),
                ["filled_avg_price"] = filledQty > 0 && price is { } p ? Money(p) : null,
                ["order_class"] = "simple",
                ["type"] = "limit",
                ["side"] = "buy",
                ["time_in_force"] = "day",
                ["limit_price"] = "187.5",
                ["stop_price"] = null,
                ["status"] = status,
            },
        };
        if (price is { } px)
        {
            data["price"] = Money(px);
            data["qty"] = Money(filledQty);
        }

        if (positionQty is { } pos)
        {
            data["position_qty"] = Money(pos);
        }

        return new JsonObject { ["stream"] = "trade_updates", ["data"] = data }.ToJsonString();
    }

    /// <summary>Sends <paramref name="json"/> to every listening connection.</summary>
    public async Task PushAsync(string json, FakeFrames frames = FakeFrames.Text)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        foreach (var connection in _listeners.Values)
        {
            await connection.SendAsync(bytes, frames);
        }
    }

    /// <summary>Aborts every connection without a close handshake (a network drop).</summary>
    public void DropConnections()
    {
        foreach (var connection in _listeners.Values)
        {
            connection.Context.Abort();
        }
    }

    /// <summary>Closes every connection with a close frame carrying <paramref name="description"/>.</summary>
    public async Task CloseConnectionsAsync(string description)
    {
        foreach (var connection in _listeners.Values)
        {
            await connection.SendLock.WaitAsync();
            try
            {
                await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, description, CancellationToken.None);
            }
            finally
            {
                connection.SendLock.Release();
            }
        }
    }

    /// <summary>Serves one WebSocket request until the client leaves or the connection is dropped.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref _connections);
        var connection = new Connection(socket, context);
        var id = Interlocked.Increment(ref _nextId);
        var aborted = context.RequestAborted;
        try
        {
            var auth = await ReceiveAsync(socket, aborted);
            if (auth is null)
            {
                return;
            }

            AuthMessages.Enqueue(auth);
            if (SilentAuth)
            {
                while (await ReceiveAsync(socket, aborted) is not null)
                {
                }

                return;
            }

            if (RejectAuth || !IsValidAuth(auth))
            {
                await connection.SendAsync("""{"stream":"authorization","data":{"action":"authenticate","status":"unauthorized"}}"""u8.ToArray(), FakeFrames.Text);
                await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "unauthorized", aborted);
                return;
            }

            await connection.SendAsync("""{"stream":"authorization","data":{"status":"authorized","action":"authenticate"}}"""u8.ToArray(), FakeFrames.Text);
            var listen = await ReceiveAsync(socket, aborted);
            if (listen is null || !IsListen(listen))
            {
                return;
            }

            // Registered before the ack, so a client that sees "listening" can already be pushed to or dropped.
            _listeners[id] = connection;
            await connection.SendAsync("""{"stream":"listening","data":{"streams":["trade_updates"]}}"""u8.ToArray(), FakeFrames.Binary);

            // Hold the connection until the client closes it or a test drops it.
            while (await ReceiveAsync(socket, aborted) is not null)
            {
            }
        }
        catch (Exception)
        {
            // the client went away or the test dropped the connection (Kestrel's abort exceptions vary)
        }
        finally
        {
            _listeners.TryRemove(id, out _);
        }
    }

    private static bool IsValidAuth(string text)
    {
        try
        {
            var root = JsonNode.Parse(text)!.AsObject();
            return root["action"]?.GetValue<string>() == "authenticate"
                && root["data"]?["key_id"]?.GetValue<string>() == FakeAlpacaServer.KeyId
                && root["data"]?["secret_key"]?.GetValue<string>() == FakeAlpacaServer.SecretKey;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException)
        {
            return false;
        }
    }

    private static bool IsListen(string text)
    {
        try
        {
            var root = JsonNode.Parse(text)!.AsObject();
            return root["action"]?.GetValue<string>() == "listen"
                && root["data"]?["streams"]?.AsArray().Any(s => s?.GetValue<string>() == "trade_updates") == true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException)
        {
            return false;
        }
    }

    /// <summary>One whole client message as text, or null once the client closed.</summary>
    private static async Task<string?> ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.ToArray());
            }
        }
    }

    private static string Money(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class Connection(WebSocket socket, HttpContext context)
    {
        public WebSocket Socket { get; } = socket;

        public HttpContext Context { get; } = context;

        public SemaphoreSlim SendLock { get; } = new(1, 1);

        public async Task SendAsync(byte[] bytes, FakeFrames frames)
        {
            var type = frames is FakeFrames.Text or FakeFrames.FragmentedText ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
            var fragmented = frames is FakeFrames.FragmentedBinary or FakeFrames.FragmentedText;
            await SendLock.WaitAsync();
            try
            {
                if (!fragmented || bytes.Length < 3)
                {
                    await Socket.SendAsync(bytes, type, endOfMessage: true, CancellationToken.None);
                    return;
                }

                // Three frames; the first cut is one byte into the message so a multi-byte character can be split.
                var first = 1;
                var second = bytes.Length / 2;
                await Socket.SendAsync(bytes.AsMemory(0, first), type, endOfMessage: false, CancellationToken.None);
                await Socket.SendAsync(bytes.AsMemory(first, second - first), type, endOfMessage: false, CancellationToken.None);
                await Socket.SendAsync(bytes.AsMemory(second), type, endOfMessage: true, CancellationToken.None);
            }
            finally
            {
                SendLock.Release();
            }
        }
    }
}
