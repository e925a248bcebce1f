using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SentryBrain.Tests.Execution.Alpaca;

/// <summary>One request the fake saw (before auth and fault injection).</summary>
public sealed record FakeAlpacaRequest(string Method, string Path, string Query, string? ClientOrderId, string? Body)
{
    /// <summary>When the request arrived (wall clock: only ever compared with other requests).</summary>
    public DateTime At { get; init; } = DateTime.UtcNow;
}

/// <summary>
/// In-process Alpaca trading API on 127.0.0.1 (random port). Speaks the wire shapes of ALPACA.md with its own
/// hand-written JSON (money as strings), independent of the client's serializer. Not thread-heavy: one lock.
/// </summary>
public sealed class FakeAlpacaServer : IAsyncDisposable
{
    public const string KeyId = "fake-key-id";
    public const string SecretKey = "fake-secret-key-s3cr3t";

    private readonly object _gate = new();
    private readonly WebApplication _app;
    private readonly List<FakeAlpacaRequest> _log = [];
    private readonly List<JsonObject> _orders = [];
    private readonly Dictionary<string, decimal> _prices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _assets = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _calendar = [];
    private JsonObject _account = new();
    private readonly JsonObject _clock;
    private int _failCount;
    private int _failStatus;
    private int? _failRetryAfterSeconds;
    private int _delayCount;
    private TimeSpan _delay;
    private bool _dropNext;
    private int _nextOrderNumber;

    private FakeAlpacaServer(WebApplication app)
    {
        _app = app;
        SetAccount(cash: 100_000m, equity: 100_000m, buyingPower: 200_000m);
        _clock = new JsonObject
        {
            ["timestamp"] = "2026-11-25T10:15:30.123456789-05:00",
            ["is_open"] = true,
            ["next_open"] = "2026-11-27T09:30:00-05:00",
            ["next_close"] = "2026-11-25T16:00:00-05:00",
        };
        _calendar.Add(CalendarDay("2026-11-25", "09:30", "16:00"));
        _calendar.Add(CalendarDay("2026-11-27", "09:30", "13:00"));
        AddAsset("AAPL", "Apple Inc. Common Stock");
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The trade-updates WebSocket at <c>/stream</c> (see FakeTradeStream.cs).</summary>
    public FakeTradeStream TradeStream { get; } = new();

    /// <summary>Snapshot of every request seen so far.</summary>
    public IReadOnlyList<FakeAlpacaRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>Number of orders stored (any status).</summary>
    public int OrderCount
    {
        get
        {
            lock (_gate)
            {
                return _orders.Count;
            }
        }
    }

    public static async Task<FakeAlpacaServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeAlpacaServer(app);
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address);
        return server;
    }

    public void SetAccount(decimal cash, decimal equity, decimal buyingPower)
    {
        lock (_gate)
        {
            _account = new JsonObject
            {
                ["id"] = "904837e3-3b76-47ec-b432-046db621571b",
                ["account_number"] = "PA3FAKE0001",
                ["status"] = "ACTIVE",
                ["currency"] = "USD",
                ["cash"] = Money(cash),
                ["equity"] = Money(equity),
                ["last_equity"] = Money(equity),
                ["buying_power"] = Money(buyingPower),
                ["portfolio_value"] = Money(equity),
                ["multiplier"] = "2",
                ["shorting_enabled"] = true,
                ["trading_blocked"] = false,
                ["transfers_blocked"] = false,
                ["account_blocked"] = false,
                ["trade_suspended_by_user"] = false,
                ["created_at"] = "2024-01-02T15:04:05.123456Z",
            };
        }
    }

    /// <summary>Market orders for this symbol fill immediately at this price.</summary>
    public void SetPrice(string symbol, decimal price)
    {
        lock (_gate)
        {
            _prices[symbol] = price;
        }
    }

    public void SetPosition(string symbol, decimal qty, decimal avgEntryPrice, decimal currentPrice)
    {
        lock (_gate)
        {
            _positions[symbol] = Position(symbol, qty, avgEntryPrice, currentPrice);
        }
    }

    /// <summary>The market reaches an open order: <paramref name="qty"/> more shares fill at <paramref name="price"/>.</summary>
    public void FillOpen(string clientOrderId, decimal qty, decimal price)
    {
        lock (_gate)
        {
            var order = _orders.Single(o => Str(o, "client_order_id") == clientOrderId);
            var before = ParseMoney(Str(order, "filled_qty")!);
            var beforeAvg = Str(order, "filled_avg_price") is { } avg ? ParseMoney(avg) : 0m;
            var filled = before + qty;
            order["filled_qty"] = Money(filled);
            order["filled_avg_price"] = Money(((before * beforeAvg) + (qty * price)) / filled);
            order["status"] = filled >= ParseMoney(Str(order, "qty")!) ? "filled" : "partially_filled";
            var symbol = Str(order, "symbol")!;
            var signed = Str(order, "side") == "buy" ? qty : -qty;
            var held = _positions.TryGetValue(symbol, out var position) ? ParseMoney(Str(position, "qty")!) : 0m;
            _positions[symbol] = Position(symbol, held + signed, price, price);
        }
    }

    public void AddAsset(string symbol, string name) => AddAsset(symbol, name, "active", tradable: true);

    /// <summary>An asset of any status (<c>active</c>, <c>inactive</c>), tradability and class (<c>us_equity</c>, <c>crypto</c>, …).</summary>
    public void AddAsset(string symbol, string name, string status, bool tradable, string assetClass = "us_equity")
    {
        lock (_gate)
        {
            _assets[symbol] = new JsonObject
            {
                ["id"] = "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
                ["class"] = assetClass,
                ["exchange"] = assetClass == "crypto" ? "CRYPTO" : "NASDAQ",
                ["symbol"] = symbol,
                ["name"] = name,
                ["status"] = status,
                ["tradable"] = tradable,
                ["marginable"] = true,
                ["shortable"] = true,
                ["easy_to_borrow"] = true,
                ["fractionable"] = true,
                ["margin_requirement_long"] = "30",
                ["margin_requirement_short"] = "100",
                ["attributes"] = new JsonArray("has_options"),
            };
        }
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> without being handled.</summary>
    public void FailNext(int count, int status, int? retryAfterSeconds = null)
    {
        lock (_gate)
        {
            (_failCount, _failStatus, _failRetryAfterSeconds) = (count, status, retryAfterSeconds);
        }
    }

    /// <summary>The next <paramref name="count"/> requests are handled (an order IS stored) but answered after <paramref name="delay"/>.</summary>
    public void DelayNext(int count, TimeSpan delay)
    {
        lock (_gate)
        {
            (_delayCount, _delay) = (count, delay);
        }
    }

    /// <summary>The next request is handled (an order IS stored), then the connection is aborted without an answer.</summary>
    public void AcceptThenDropNext()
    {
        lock (_gate)
        {
            _dropNext = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        if (ctx.WebSockets.IsWebSocketRequest && ctx.Request.Path == "/stream")
        {
            await TradeStream.HandleAsync(ctx);
            return;
        }

        var method = ctx.Request.Method;
        var path = ctx.Request.Path.Value ?? "/";
        string? body = null;
        if (ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(ctx.Request.Body);
            body = await reader.ReadToEndAsync(ctx.RequestAborted);
        }

        var clientOrderId = ctx.Request.Query["client_order_id"].FirstOrDefault() ?? TryClientOrderId(body);
        int? failStatus = null;
        int? retryAfter = null;
        TimeSpan? delay = null;
        var drop = false;
        lock (_gate)
        {
            _log.Add(new FakeAlpacaRequest(method, path, ctx.Request.QueryString.Value ?? string.Empty, clientOrderId, body));
            if (_failCount > 0)
            {
                _failCount--;
                (failStatus, retryAfter) = (_failStatus, _failRetryAfterSeconds);
            }
            else if (_delayCount > 0)
            {
                _delayCount--;
                delay = _delay;
            }
            else if (_dropNext)
            {
                _dropNext = false;
                drop = true;
            }
        }

        if (failStatus is { } injected)
        {
            if (retryAfter is { } seconds)
            {
                ctx.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            await WriteAsync(ctx, injected, Error(injected * 100_000, "injected failure"));
            return;
        }

        var (status, json) = ctx.Request.Headers["APCA-API-KEY-ID"] == KeyId && ctx.Request.Headers["APCA-API-SECRET-KEY"] == SecretKey
            ? Handle(method, path, ctx.Request.Query, body)
            : (401, Error(40110000, "request is not authorized"));

        if (delay is { } wait)
        {
            try
            {
                await Task.Delay(wait, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up
            }
        }

        if (drop)
        {
            ctx.Abort();
            return;
        }

        await WriteAsync(ctx, status, json);
    }

    private (int Status, JsonNode? Json) Handle(string method, string path, IQueryCollection query, string? body)
    {
        var segments = path.Trim('/').Split('/');
        lock (_gate)
        {
            return (method, segments) switch
            {
                ("GET", ["v2", "account"]) => (200, _account.DeepClone()),
                ("GET", ["v2", "clock"]) => (200, _clock.DeepClone()),
                ("GET", ["v2", "calendar"]) => (200, Calendar(query["start"].ToString(), query["end"].ToString())),
                ("GET", ["v2", "positions"]) => (200, new JsonArray([.. _positions.Values.Select(p => p.DeepClone())])),
                ("DELETE", ["v2", "positions", var symbol]) => ClosePosition(symbol),
                ("GET", ["v2", "assets"]) => (200, ListAssets(query["status"].ToString(), query["asset_class"].ToString())),
                ("GET", ["v2", "assets", var symbol]) => _assets.TryGetValue(symbol, out var asset)
                    ? (200, asset.DeepClone())
                    : (404, Error(40410000, "asset not found for " + symbol)),
                ("POST", ["v2", "orders"]) => SubmitOrder(body),
                ("GET", ["v2", "orders"]) => (200, new JsonArray([.. _orders.Where(IsOpen).Select(o => o.DeepClone())])),
                ("GET", ["v2", "orders:by_client_order_id"]) => FindOrder(o => Str(o, "client_order_id") == query["client_order_id"].ToString()),
                ("GET", ["v2", "orders", var id]) => FindOrder(o => Str(o, "id") == id),
                ("DELETE", ["v2", "orders"]) => (207, new JsonArray([.. _orders.Where(IsOpen).ToList().Select(CancelAllItem)])),
                ("DELETE", ["v2", "orders", var id]) => CancelOrder(id),
                _ => (404, Error(40410000, "endpoint not found")),
            };
        }
    }

    private (int, JsonNode?) SubmitOrder(string? body)
    {
        JsonObject request;
        string symbol, side, type, tif, clientOrderId;
        decimal qty;
        try
        {
            request = JsonNode.Parse(body ?? "")!.AsObject();
            symbol = request["symbol"]!.GetValue<string>();
            qty = ParseMoney(request["qty"]!.GetValue<string>()); // strings on the wire: a JSON number is rejected
            side = request["side"]!.GetValue<string>();
            type = request["type"]!.GetValue<string>();
            tif = request["time_in_force"]!.GetValue<string>();
            clientOrderId = request["client_order_id"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            return (422, Error(42210000, "invalid order request"));
        }

        if (qty <= 0)
        {
            return (422, Error(42210000, "qty must be > 0"));
        }

        if (_orders.Any(o => Str(o, "client_order_id") == clientOrderId))
        {
            return (422, Error(40010001, "client_order_id must be unique"));
        }

        var now = Now();
        var order = new JsonObject
        {
            ["id"] = string.Create(CultureInfo.InvariantCulture, $"00000000-0000-4000-8000-{++_nextOrderNumber:D12}"),
            ["client_order_id"] = clientOrderId,
            ["created_at"] = now,
            ["updated_at"] = now,
            ["submitted_at"] = now,
            ["filled_at"] = null,
            ["asset_class"] = "us_equity",
            ["symbol"] = symbol,
            ["notional"] = null,
            ["qty"] = Money(qty),
            ["filled_qty"] = "0",
            ["filled_avg_price"] = null,
            ["order_class"] = request["order_class"]?.GetValue<string>() ?? "simple",
            ["type"] = type,
            ["side"] = side,
            ["time_in_force"] = tif,
            ["limit_price"] = request["limit_price"]?.GetValue<string>(),
            ["stop_price"] = request["stop_price"]?.GetValue<string>(),
            ["status"] = "new",
            ["extended_hours"] = request["extended_hours"]?.GetValue<bool>() ?? false,
            ["legs"] = null,
        };
        if (type == "market" && _prices.TryGetValue(symbol, out var price))
        {
            order["status"] = "filled";
            order["filled_qty"] = Money(qty);
            order["filled_avg_price"] = Money(price);
            order["filled_at"] = now;
            var signed = side == "buy" ? qty : -qty;
            var held = _positions.TryGetValue(symbol, out var position) ? ParseMoney(Str(position, "qty")!) : 0m;
            if (held + signed == 0)
            {
                _positions.Remove(symbol);
            }
            else
            {
                _positions[symbol] = Position(symbol, held + signed, price, price);
            }
        }

        _orders.Add(order);
        return (200, order.DeepClone());
    }

    private (int, JsonNode?) FindOrder(Func<JsonObject, bool> match)
    {
        var order = _orders.FirstOrDefault(match);
        return order is null ? (404, Error(40410000, "order not found")) : (200, order.DeepClone());
    }

    private (int, JsonNode?) CancelOrder(string id)
    {
        var order = _orders.FirstOrDefault(o => Str(o, "id") == id);
        if (order is null)
        {
            return (404, Error(40410000, "order not found"));
        }

        if (!IsOpen(order))
        {
            return (422, Error(42210000, "order is not cancelable"));
        }

        order["status"] = "canceled";
        order["canceled_at"] = Now();
        return (204, null);
    }

    private JsonNode CancelAllItem(JsonObject order)
    {
        order["status"] = "canceled";
        return new JsonObject { ["id"] = Str(order, "id"), ["status"] = 200 };
    }

    private (int, JsonNode?) ClosePosition(string symbol)
    {
        if (!_positions.TryGetValue(symbol, out var position))
        {
            return (404, Error(40410000, "position does not exist"));
        }

        var qty = ParseMoney(Str(position, "qty")!);
        var side = qty > 0 ? "sell" : "buy";
        var body = new JsonObject
        {
            ["symbol"] = symbol,
            ["qty"] = Money(Math.Abs(qty)),
            ["side"] = side,
            ["type"] = "market",
            ["time_in_force"] = "day",
        };
        var (status, order) = SubmitOrder(body.ToJsonString());
        _positions.Remove(symbol);
        return (status, order);
    }

    /// <summary>
    /// <c>GET /v2/assets</c> like Alpaca: every status unless <c>status</c> is given, <c>us_equity</c> unless
    /// <c>asset_class</c> is given; in the order added (Alpaca does not sort them either).
    /// </summary>
    private JsonArray ListAssets(string status, string assetClass) =>
        [.. _assets.Values
            .Where(a => status.Length == 0 || Str(a, "status") == status)
            .Where(a => Str(a, "class") == (assetClass.Length == 0 ? "us_equity" : assetClass))
            .Select(a => a.DeepClone())];

    private JsonArray Calendar(string start, string end) =>
        [.. _calendar
            .Where(d => string.CompareOrdinal(Str(d, "date"), start) >= 0 && string.CompareOrdinal(Str(d, "date"), end) <= 0)
            .Select(d => d.DeepClone())];

    private static JsonObject CalendarDay(string date, string open, string close) => new()
    {
        ["date"] = date,
        ["open"] = open,
        ["close"] = close,
        ["session_open"] = "0400",
        ["session_close"] = "2000",
        ["settlement_date"] = date,
    };

    private static JsonObject Position(string symbol, decimal qty, decimal avgEntryPrice, decimal currentPrice) => new()
    {
        ["asset_id"] = "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
        ["symbol"] = symbol,
        ["exchange"] = "NASDAQ",
        ["asset_class"] = "us_equity",
        ["asset_marginable"] = true,
        ["qty"] = Money(qty),
        ["qty_available"] = Money(qty),
        ["side"] = qty >= 0 ? "long" : "short",
        ["avg_entry_price"] = Money(avgEntryPrice),
        ["market_value"] = Money(qty * currentPrice),
        ["cost_basis"] = Money(qty * avgEntryPrice),
        ["unrealized_pl"] = Money(qty * (currentPrice - avgEntryPrice)),
        ["unrealized_plpc"] = Money(avgEntryPrice == 0 ? 0 : Math.Round((currentPrice - avgEntryPrice) / avgEntryPrice, 6)),
        ["unrealized_intraday_pl"] = "0",
        ["unrealized_intraday_plpc"] = "0",
        ["current_price"] = Money(currentPrice),
        ["lastday_price"] = Money(avgEntryPrice),
        ["change_today"] = "0",
    };

    private static bool IsOpen(JsonObject order) => Str(order, "status") is "new" or "accepted" or "partially_filled" or "pending_new";

    private static string? Str(JsonObject o, string name) => o[name]?.GetValue<string>();

    private static string Money(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static decimal ParseMoney(string value) => decimal.Parse(value, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Error(int code, string message) => new() { ["code"] = code, ["message"] = message };

    private static string? TryClientOrderId(string? body)
    {
        try
        {
            return body is null ? null : JsonNode.Parse(body)?["client_order_id"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static async Task WriteAsync(HttpContext ctx, int status, JsonNode? json)
    {
        ctx.Response.StatusCode = status;
        if (json is not null)
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(json.ToJsonString(), ctx.RequestAborted);
        }
    }
}
