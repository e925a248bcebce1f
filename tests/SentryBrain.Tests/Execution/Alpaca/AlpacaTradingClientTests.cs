using System.Text.Json;
using SentryBrain.Execution.Alpaca;
using Xunit.Abstractions;

namespace SentryBrain.Tests.Execution.Alpaca;

public sealed class AlpacaTradingClientTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FakeAlpacaServer _server = null!;
    private AlpacaTradingClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeAlpacaServer.StartAsync();
        _client = NewClient(FakeAlpacaServer.KeyId, FakeAlpacaServer.SecretKey, TimeSpan.FromSeconds(5));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Account_RoundTripsDecimalStrings()
    {
        _server.SetAccount(cash: 1234.56m, equity: 2345.67m, buyingPower: 4691.34m);

        var account = await _client.GetAccountAsync(CancellationToken.None);

        Assert.Equal(1234.56m, account.Cash);
        Assert.Equal(2345.67m, account.Equity);
        Assert.Equal(4691.34m, account.BuyingPower);
        Assert.Equal(2m, account.Multiplier);
        Assert.Equal("ACTIVE", account.Status);
        Assert.Null(account.PatternDayTrader);
        Assert.Equal(new DateTime(2024, 1, 2, 15, 4, 5, DateTimeKind.Utc).AddTicks(1234560), account.CreatedAt);
        Assert.Equal(DateTimeKind.Utc, account.CreatedAt!.Value.Kind);
    }

    [Fact]
    public async Task SubmitOrder_SendsStringsAndBracket_AndRoundTrips()
    {
        var request = new AlpacaOrderRequest(
            "brain-0001", "AAPL", 10m, "buy", "limit", "day", LimitPrice: 190.5m,
            OrderClass: "bracket", TakeProfitLimitPrice: 200m, StopLossStopPrice: 185m, StopLossLimitPrice: 184.5m);

        var order = await _client.SubmitOrderAsync(request, CancellationToken.None);

        Assert.Equal("brain-0001", order.ClientOrderId);
        Assert.Equal("new", order.Status);
        Assert.Equal(10m, order.Qty);
        Assert.Equal(0m, order.FilledQty);
        Assert.Equal(190.5m, order.LimitPrice);
        Assert.Null(order.FilledAvgPrice);
        Assert.Equal(DateTimeKind.Utc, order.CreatedAt!.Value.Kind);

        var post = Assert.Single(_server.Requests, r => r.Method == "POST");
        Assert.Equal("/v2/orders", post.Path);
        Assert.Equal("brain-0001", post.ClientOrderId);
        using var body = JsonDocument.Parse(post.Body!);
        var root = body.RootElement;
        Assert.Equal(JsonValueKind.String, root.GetProperty("qty").ValueKind);
        Assert.Equal("10", root.GetProperty("qty").GetString());
        Assert.Equal("190.5", root.GetProperty("limit_price").GetString());
        Assert.Equal("day", root.GetProperty("time_in_force").GetString());
        Assert.Equal("brain-0001", root.GetProperty("client_order_id").GetString());
        Assert.Equal("bracket", root.GetProperty("order_class").GetString());
        Assert.Equal("200", root.GetProperty("take_profit").GetProperty("limit_price").GetString());
        Assert.Equal("185", root.GetProperty("stop_loss").GetProperty("stop_price").GetString());
        Assert.Equal("184.5", root.GetProperty("stop_loss").GetProperty("limit_price").GetString());
        Assert.False(root.TryGetProperty("stop_price", out _));
        Assert.False(root.TryGetProperty("extended_hours", out _));
    }

    [Fact]
    public async Task MarketOrder_FillsAtSetPrice_AndShowsAsPosition_ThenClosePosition()
    {
        _server.SetPrice("AAPL", 1234.56m);

        var order = await _client.SubmitOrderAsync(Market("m-1", 3m), CancellationToken.None);

        Assert.Equal("filled", order.Status);
        Assert.Equal(3m, order.FilledQty);
        Assert.Equal(1234.56m, order.FilledAvgPrice);
        Assert.NotNull(order.FilledAt);
        var position = Assert.Single(await _client.ListPositionsAsync(CancellationToken.None));
        Assert.Equal("AAPL", position.Symbol);
        Assert.Equal(3m, position.Qty);
        Assert.Equal(1234.56m, position.AvgEntryPrice);
        Assert.Equal("long", position.Side);

        var close = await _client.ClosePositionAsync("AAPL", CancellationToken.None);

        Assert.Equal("sell", close.Side);
        Assert.Equal(3m, close.Qty);
        Assert.Empty(await _client.ListPositionsAsync(CancellationToken.None));
        Assert.Contains(_server.Requests, r => r.Method == "DELETE" && r.Path == "/v2/positions/AAPL");
    }

    [Fact]
    public async Task GetOrder_ByIdAndClientOrderId_NullWhenMissing()
    {
        var placed = await _client.SubmitOrderAsync(Limit("c-1"), CancellationToken.None);

        var byId = await _client.GetOrderAsync(placed.Id, CancellationToken.None);
        var byClientId = await _client.GetOrderByClientOrderIdAsync("c-1", CancellationToken.None);

        Assert.Equal(placed, byId);
        Assert.Equal(placed, byClientId);
        Assert.Null(await _client.GetOrderAsync("no-such-order", CancellationToken.None));
        Assert.Null(await _client.GetOrderByClientOrderIdAsync("no-such-client-id", CancellationToken.None));
        Assert.Contains(_server.Requests, r => r.Path == "/v2/orders:by_client_order_id" && r.ClientOrderId == "c-1");
    }

    [Fact]
    public async Task OpenOrders_Cancel_And_CancelAll()
    {
        var a = await _client.SubmitOrderAsync(Limit("o-1"), CancellationToken.None);
        await _client.SubmitOrderAsync(Limit("o-2"), CancellationToken.None);
        await _client.SubmitOrderAsync(Limit("o-3"), CancellationToken.None);

        Assert.Equal(3, (await _client.ListOpenOrdersAsync(CancellationToken.None)).Count);
        Assert.Contains(_server.Requests, r => r.Method == "GET" && r.Path == "/v2/orders" && r.Query == "?status=open&limit=500");

        await _client.CancelOrderAsync(a.Id, CancellationToken.None);
        Assert.Equal("canceled", (await _client.GetOrderAsync(a.Id, CancellationToken.None))!.Status);

        var notCancelable = await Assert.ThrowsAsync<AlpacaApiException>(() => _client.CancelOrderAsync(a.Id, CancellationToken.None));
        Assert.Equal(422, notCancelable.StatusCode);
        Assert.False(notCancelable.OutcomeUnknown);

        var results = await _client.CancelAllOrdersAsync(CancellationToken.None);
        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal(200, r.Status));
        Assert.Empty(await _client.ListOpenOrdersAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Clock_Calendar_Asset()
    {
        var clock = await _client.GetClockAsync(CancellationToken.None);
        Assert.True(clock.IsOpen);
        Assert.Equal(TimeSpan.FromHours(-5), clock.Timestamp.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 15, 15, 30, TimeSpan.Zero).AddTicks(1234568), clock.Timestamp.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 21, 0, 0, TimeSpan.Zero), clock.NextClose.ToUniversalTime());

        var days = await _client.GetCalendarAsync(new DateOnly(2026, 11, 24), new DateOnly(2026, 11, 30), CancellationToken.None);
        Assert.Equal(2, days.Count);
        Assert.Equal(new DateOnly(2026, 11, 27), days[1].Date);
        Assert.Equal(new TimeOnly(13, 0), days[1].CloseEt);
        Assert.Equal(new TimeOnly(9, 30), days[0].OpenEt);
        Assert.Equal("0400", days[0].SessionOpen);
        Assert.Contains(_server.Requests, r => r.Path == "/v2/calendar" && r.Query == "?start=2026-11-24&end=2026-11-30");

        var asset = await _client.GetAssetAsync("AAPL", CancellationToken.None);
        Assert.NotNull(asset);
        Assert.Equal("us_equity", asset.Class);
        Assert.True(asset.Tradable);
        Assert.Equal(30m, asset.MarginRequirementLong);
        Assert.Equal(["has_options"], asset.Attributes!);
        Assert.Null(await _client.GetAssetAsync("NOPE", CancellationToken.None));
    }

    [Fact]
    public async Task WrongKeys_Give401_WithoutLeakingTheSecret()
    {
        const string wrongSecret = "wrong-secret-Zq81x";
        using var client = NewClient("wrong-key-id", wrongSecret, TimeSpan.FromSeconds(5));

        var ex = await Assert.ThrowsAsync<AlpacaApiException>(() => client.GetAccountAsync(CancellationToken.None));

        output.WriteLine(ex.Message);
        Assert.Equal(401, ex.StatusCode);
        Assert.Equal(40110000, ex.Code);
        Assert.False(ex.OutcomeUnknown);
        Assert.Contains("request is not authorized", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongSecret, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-key-id", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DuplicateClientOrderId_Gives422_Code40010001()
    {
        await _client.SubmitOrderAsync(Limit("dup-1"), CancellationToken.None);

        var ex = await Assert.ThrowsAsync<AlpacaApiException>(() => _client.SubmitOrderAsync(Limit("dup-1"), CancellationToken.None));

        output.WriteLine(ex.Message);
        Assert.Equal(422, ex.StatusCode);
        Assert.Equal(40010001, ex.Code);
        Assert.Contains("client_order_id must be unique", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.OrderCount);
    }

    [Fact]
    public async Task RateLimited_Gives429_WithRetryAfter()
    {
        _server.FailNext(1, 429, retryAfterSeconds: 2);

        var ex = await Assert.ThrowsAsync<AlpacaApiException>(() => _client.GetAccountAsync(CancellationToken.None));

        output.WriteLine(ex.Message);
        Assert.Equal(429, ex.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), ex.RetryAfter);
        Assert.False(ex.OutcomeUnknown);
        await _client.GetAccountAsync(CancellationToken.None); // only one failure was injected
    }

    [Fact]
    public async Task ServerError_IsOutcomeUnknown_AndNotRetried()
    {
        _server.FailNext(1, 503);

        var ex = await Assert.ThrowsAsync<AlpacaApiException>(() => _client.SubmitOrderAsync(Limit("s-1"), CancellationToken.None));

        output.WriteLine(ex.Message);
        Assert.Equal(503, ex.StatusCode);
        Assert.True(ex.OutcomeUnknown);
        Assert.Single(_server.Requests, r => r.Method == "POST");
        Assert.Equal(0, _server.OrderCount);
    }

    [Fact]
    public async Task SlowResponse_PastTimeout_IsOutcomeUnknown()
    {
        using var client = NewClient(FakeAlpacaServer.KeyId, FakeAlpacaServer.SecretKey, TimeSpan.FromMilliseconds(200));
        _server.DelayNext(1, TimeSpan.FromSeconds(3));

        var ex = await Assert.ThrowsAsync<AlpacaApiException>(() => client.SubmitOrderAsync(Limit("t-1"), CancellationToken.None));

        output.WriteLine(ex.Message);
        Assert.Null(ex.StatusCode);
        Assert.True(ex.OutcomeUnknown);
        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeAlpacaServer.SecretKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerCancellation_IsNotWrapped()
    {
        _server.DelayNext(1, TimeSpan.FromSeconds(3));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.GetAccountAsync(cts.Token));
    }

    [Fact]
    public async Task AcceptThenDrop_IsOutcomeUnknown_AndTheOrderCanBeFoundByClientOrderId()
    {
        await _client.GetAccountAsync(CancellationToken.None); // warm a pooled connection first
        _server.AcceptThenDropNext();

        var ex = await Assert.ThrowsAsync<AlpacaApiException>(() => _client.SubmitOrderAsync(Limit("drop-1"), CancellationToken.None));

        output.WriteLine(ex.Message);
        Assert.Null(ex.StatusCode);
        Assert.True(ex.OutcomeUnknown);
        Assert.DoesNotContain(FakeAlpacaServer.SecretKey, ex.ToString(), StringComparison.Ordinal);
        var found = await _client.GetOrderByClientOrderIdAsync("drop-1", CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal("drop-1", found.ClientOrderId);
        Assert.Equal(1, _server.OrderCount);
        Assert.Single(_server.Requests, r => r.Method == "POST"); // the handler did not silently resend the POST
    }

    [Fact]
    public void Options_FromConfig_FallbacksAndDefaults()
    {
        var env = new Dictionary<string, string>
        {
            ["ALPACA_API_KEY_ID"] = "k-fallback",
            ["ALPACA_API_SECRET_KEY"] = "s-fallback",
        };

        var options = AlpacaOptions.FromConfig(env);

        Assert.Equal("k-fallback", options.KeyId);
        Assert.Equal("s-fallback", options.SecretKey);
        Assert.Equal(AlpacaOptions.PaperTradingUrl, options.TradingBaseUrl);
        Assert.DoesNotContain("s-fallback", options.ToString(), StringComparison.Ordinal);

        env["APCA_API_KEY_ID"] = "k-primary";
        env["APCA_API_SECRET_KEY"] = "s-primary";
        env["APCA_API_BASE_URL"] = "https://api.alpaca.markets/v2/";
        Assert.Contains("ALPACA_LIVE", Assert.Throws<InvalidOperationException>(() => AlpacaOptions.FromConfig(env)).Message, StringComparison.Ordinal);
        env["ALPACA_LIVE"] = "true"; // live only with the explicit opt-in
        var live = AlpacaOptions.FromConfig(env, TimeSpan.FromSeconds(3));
        Assert.Equal("k-primary", live.KeyId);
        Assert.Equal(new Uri("https://api.alpaca.markets"), live.TradingBaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(3), live.Timeout);

        Assert.Throws<InvalidOperationException>(() => AlpacaOptions.FromConfig(new Dictionary<string, string>()));
    }

    private AlpacaTradingClient NewClient(string key, string secret, TimeSpan timeout) =>
        new(new AlpacaOptions(key, secret, _server.BaseUrl, timeout));

    private static AlpacaOrderRequest Limit(string clientOrderId) =>
        new(clientOrderId, "AAPL", 5m, "buy", "limit", "day", LimitPrice: 101.25m);

    private static AlpacaOrderRequest Market(string clientOrderId, decimal qty) =>
        new(clientOrderId, "AAPL", qty, "buy", "market", "day");
}
