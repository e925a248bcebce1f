using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Execution.Alpaca;

namespace SentryBrain.Tests.Execution.Alpaca;

/// <summary>The Alpaca order manager against the fake server: off the hot path, priorities under 429s, cancels, rejections, reconciliation.</summary>
public sealed class OrderManagerTests() : FakeAlpacaWorkspace("sb-orders-", ("ACME", 100.00m), ("MSFT", 400.00m))
{
    private static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    private AlpacaOptions Options() => new(FakeAlpacaServer.KeyId, FakeAlpacaServer.SecretKey, Server.BaseUrl, TimeSpan.FromSeconds(10));

    private AlpacaBroker OpenBroker() => AlpacaBroker.Open(Options(), Path.Combine(Dir, "alpaca.db"), NullLogger.Instance, TimeSpan.FromHours(1));

    private static OrderRequest Market(string id, string symbol, OrderSide side, long qty) => new(id, symbol, side, qty, OrderType.Market, null, "test");

    private static OrderRequest Limit(string id, string symbol, long qty, double limit) => new(id, symbol, OrderSide.Buy, qty, OrderType.Limit, limit, "test");

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "timed out waiting for " + what);
            Thread.Sleep(5);
        }
    }

    /// <summary>Waits for the background work to finish and applies its results, as the next event would.</summary>
    private static BrokerUpdate Settle(AlpacaBroker broker, DateTime now)
    {
        WaitUntil(() => broker.InFlight == 0, "background requests to finish");
        return broker.OnClock(now);
    }

    private int Posts(string clientOrderId) => Server.Requests.Count(r => r.Method == "POST" && r.Path == "/v2/orders" && r.ClientOrderId == clientOrderId);

    [Fact]
    public void Submit_ReturnsAtOnceWhileAlpacaIsSlow_AndTheFillArrivesAtALaterClock()
    {
        using var broker = OpenBroker();
        Server.DelayNext(1, TimeSpan.FromSeconds(3));

        var result = broker.Submit(Market("sb-slow", "ACME", OrderSide.Buy, 2), T0);

        // The consumer got its answer while the POST is still waiting on Alpaca: the order is pending and guarded.
        Assert.Equal(OrderStatus.New, result.Order.Status);
        Assert.Empty(result.Fills);
        Assert.Equal(1, broker.InFlight);
        Assert.True(broker.HasOpenOrder("ACME", OrderSide.Buy));

        var update = Settle(broker, T0.AddSeconds(5));
        var fill = Assert.Single(update.Fills);
        Assert.Equal(("sb-slow", 2L, 100.00), (fill.ClientOrderId, fill.Qty, fill.Price));
        Assert.Equal(T0.AddSeconds(5), fill.Ts);
        Assert.Equal(2, broker.PositionOf("ACME")!.Qty);
        Assert.False(broker.HasOpenOrder("ACME", OrderSide.Buy));
        Assert.Equal(1, Posts("sb-slow"));
    }

    [Fact]
    public void RateLimitStorm_DelaysSubmits_ButTheCancelGoesOutFirst()
    {
        using var broker = OpenBroker();
        broker.Submit(Limit("sb-resting", "ACME", 1, 1.00), T0);
        Settle(broker, T0);
        Assert.Equal(1, Posts("sb-resting")); // resting at Alpaca (its limit is far below the market)

        // Three 429s (Retry-After 1 s) hit whatever comes next: the two submissions, then the cancel's first request.
        Server.FailNext(3, 429, retryAfterSeconds: 1);
        var stormStart = Server.Requests.Count;
        broker.Submit(Market("sb-new-1", "ACME", OrderSide.Buy, 1), T0.AddSeconds(1));
        broker.Submit(Market("sb-new-2", "MSFT", OrderSide.Buy, 1), T0.AddSeconds(1));
        WaitUntil(() => Server.Requests.Count > stormStart, "the first 429");
        broker.Cancel("sb-resting", T0.AddSeconds(1));
        var update = Settle(broker, T0.AddSeconds(10));

        var afterStorm = Server.Requests.Skip(stormStart + 3).ToList(); // all answered normally
        var trace = string.Join("; ", Server.Requests.Skip(stormStart).Select(r => $"{r.At:ss.fff} {r.Method} {r.Path} {r.ClientOrderId}"));
        var delete = afterStorm.FindIndex(r => r.Method == "DELETE");
        var posts = afterStorm.Select((r, i) => (r, i)).Where(x => x.r.Method == "POST").Select(x => x.i).ToList();
        Assert.True(delete >= 0, "the cancel never went out");
        Assert.True(2 == posts.Count, trace);
        Assert.All(posts, i => Assert.True(delete < i, $"a submission (request {i}) went out before the cancel (request {delete}): {trace}"));

        // Submissions were held for the server's Retry-After, not rejected, and each reached Alpaca once.
        var first429 = Server.Requests[stormStart].At;
        Assert.All(posts, i => Assert.True(afterStorm[i].At >= first429.AddSeconds(1), "a submission ignored Retry-After"));
        Assert.Single(afterStorm, r => r.Method == "POST" && r.ClientOrderId == "sb-new-1");
        Assert.Single(afterStorm, r => r.Method == "POST" && r.ClientOrderId == "sb-new-2");
        Assert.Equal(OrderStatus.Canceled, broker.FindOrder("sb-resting")!.Status);
        Assert.Equal(OrderStatus.Filled, broker.FindOrder("sb-new-1")!.Status);
        Assert.Equal(OrderStatus.Filled, broker.FindOrder("sb-new-2")!.Status);
        Assert.Equal(2, update.Fills.Count);
    }

    [Fact]
    public void Cancel_OfARestingOrder_IsReportedAsCanceled_AndFreesTheGuard()
    {
        using var broker = OpenBroker();
        broker.Submit(Limit("sb-limit", "ACME", 3, 1.00), T0);
        Settle(broker, T0);
        Assert.True(broker.HasOpenOrder("ACME", OrderSide.Buy));
        Assert.Equal(100_000 - 3, broker.Cash, 6); // the open buy's cost is reserved

        Assert.True(broker.Cancel("sb-limit", T0.AddSeconds(60)).IsEmpty); // reported later, not waited for
        var update = Settle(broker, T0.AddSeconds(61));

        var canceled = Assert.Single(update.ChangedOrders);
        Assert.Equal(("sb-limit", OrderStatus.Canceled), (canceled.ClientOrderId, canceled.Status));
        Assert.Equal(T0, canceled.CreatedAt); // event time of the decision, not Alpaca's wall clock
        Assert.False(broker.HasOpenOrder("ACME", OrderSide.Buy));
        Assert.Equal(100_000, broker.Cash, 6);
        Assert.Single(Server.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public void PartialFills_AreReportedEachAtItsOwnPrice_AndAFeedHintPollsAtOnce()
    {
        using var broker = OpenBroker(); // polls every hour of event time unless told otherwise
        broker.Submit(Limit("sb-part", "ACME", 5, 11.00), T0);
        Settle(broker, T0);

        Server.FillOpen("sb-part", 2, 10.00m);
        Assert.True(Settle(broker, T0.AddSeconds(30)).IsEmpty); // not polled yet: the interval has not passed
        broker.OnFeedUpdate();                                     // the feed's orders event: something changed
        broker.OnClock(T0.AddSeconds(31));
        var first = Settle(broker, T0.AddSeconds(32));
        Assert.Equal(("sb-part", 2L, 10.00), (Assert.Single(first.Fills).ClientOrderId, first.Fills[0].Qty, first.Fills[0].Price));
        Assert.Equal(OrderStatus.PartiallyFilled, Assert.Single(first.ChangedOrders).Status);
        Assert.True(broker.HasOpenOrder("ACME", OrderSide.Buy));

        // 3 more at 11: Alpaca reports the average (2·10 + 3·11)/5 = 10.6; this fill alone is (5·10.6 − 2·10)/3 = 11.
        Server.FillOpen("sb-part", 3, 11.00m);
        broker.OnFeedUpdate();
        broker.OnClock(T0.AddSeconds(40));
        var second = Settle(broker, T0.AddSeconds(41));
        Assert.Equal((3L, 11.00), (Assert.Single(second.Fills).Qty, second.Fills[0].Price));
        Assert.Equal(OrderStatus.Filled, Assert.Single(second.ChangedOrders).Status);
        Assert.Equal(5, broker.PositionOf("ACME")!.Qty);
        Assert.False(broker.HasOpenOrder("ACME", OrderSide.Buy));
    }

    [Fact]
    public async Task TradeUpdatesStream_ReportsAFillWithoutWaitingForAPoll()
    {
        using var broker = AlpacaBroker.Open(Options(), Path.Combine(Dir, "alpaca.db"), NullLogger.Instance, TimeSpan.FromHours(1), tradeUpdates: true);
        WaitUntil(() => Server.TradeStream.ListenerCount == 1, "the trade-updates stream to listen");
        broker.Submit(Limit("sb-stream", "ACME", 2, 11.00), T0);
        Settle(broker, T0);
        var listsBefore = Server.Requests.Count(r => r.Method == "GET" && r.Path == "/v2/orders");

        Server.FillOpen("sb-stream", 2, 10.50m);
        using (var client = new AlpacaTradingClient(Options()))
        {
            var id = (await client.GetOrderByClientOrderIdAsync("sb-stream", CancellationToken.None))!.Id;
            await Server.TradeStream.PushAsync(FakeTradeStream.OrderEvent("fill", id, "ACME", 2, 2, "filled", price: 10.50m, positionQty: 2, clientOrderId: "sb-stream"));
        }

        BrokerUpdate update = BrokerUpdate.None;
        WaitUntil(() => !(update = broker.OnClock(T0.AddSeconds(1))).IsEmpty, "the streamed fill");
        Assert.Equal(("sb-stream", 2L, 10.50), (Assert.Single(update.Fills).ClientOrderId, update.Fills[0].Qty, update.Fills[0].Price));
        Assert.Equal(OrderStatus.Filled, broker.FindOrder("sb-stream")!.Status);
        Assert.Equal(2, broker.PositionOf("ACME")!.Qty); // cash and positions were read with the fill
        Assert.Equal(listsBefore, Server.Requests.Count(r => r.Method == "GET" && r.Path == "/v2/orders")); // no poll was needed
    }

    [Fact]
    public void InsufficientBuyingPower_BecomesARejectedOrder_NotACrash()
    {
        using var broker = OpenBroker();
        Server.FailNext(1, 403);

        broker.Submit(Market("sb-poor", "ACME", OrderSide.Buy, 5), T0);
        var update = Settle(broker, T0.AddSeconds(1));

        var rejected = Assert.Single(update.ChangedOrders);
        Assert.Equal(OrderStatus.Rejected, rejected.Status);
        Assert.Contains("403", rejected.RejectReason, StringComparison.Ordinal);
        Assert.False(broker.HasOpenOrder("ACME", OrderSide.Buy));
        Assert.Null(broker.PositionOf("ACME"));
    }

    [Fact]
    public async Task Restart_ReconcilesWithAlpaca_AndJournalsEveryDifference()
    {
        // Session 1: the brain holds 5 ACME and has a resting BOLT limit buy; its view is saved.
        using (var broker = OpenBroker())
        {
            broker.Submit(Market("sb-acme", "ACME", OrderSide.Buy, 5), T0);
            broker.Submit(Limit("sb-bolt", "BOLT", 4, 1.00), T0);
            Settle(broker, T0);
            Assert.Equal(5, broker.PositionOf("ACME")!.Qty);
        }

        // While it is down: someone cancels the BOLT order, sells 2 ACME, buys 7 MSFT and leaves a MSFT limit open.
        using (var client = new AlpacaTradingClient(Options()))
        {
            var bolt = await client.GetOrderByClientOrderIdAsync("sb-bolt", CancellationToken.None);
            await client.CancelOrderAsync(bolt!.Id, CancellationToken.None);
            await client.SubmitOrderAsync(new AlpacaOrderRequest("manual-sell", "ACME", 2, "sell", "market", "day"), CancellationToken.None);
            await client.SubmitOrderAsync(new AlpacaOrderRequest("manual-msft", "MSFT", 7, "buy", "market", "day"), CancellationToken.None);
            await client.SubmitOrderAsync(new AlpacaOrderRequest("manual-limit", "MSFT", 1, "buy", "limit", "day", LimitPrice: 300m), CancellationToken.None);
        }

        // Session 2 through consume: the journal opens with what differed, and Alpaca's state is adopted.
        var config = AlpacaConfig();
        var input = new MemoryStream(Encoding.UTF8.GetBytes(
            """{"type":"quote","ts":"2026-03-02T15:10:00Z","payload":{"symbol":"ACME","bid":99.99,"ask":100.01,"bid_size":5,"ask_size":5,"session":"regular"}}""" + "\n"));
        var output = new MemoryStream();
        var result = ConsumeRunner.Run(input, output, config, NullLogger.Instance);
        using var second = (AlpacaBroker)result.Broker!;

        var reconcile = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("kind").GetString() == "reconcile")
            .Select(l => (
                Item: l.GetProperty("item").GetString(),
                Symbol: l.GetProperty("symbol").GetString(),
                Id: l.TryGetProperty("client_order_id", out var id) ? id.GetString() : null,
                Local: l.TryGetProperty("local_qty", out var local) ? local.GetDecimal() : (decimal?)null,
                Broker: l.TryGetProperty("broker_qty", out var b) ? b.GetDecimal() : (decimal?)null,
                Status: l.TryGetProperty("status", out var s) ? s.GetString() : null))
            .ToList();
        Assert.Equal(
            [
                ("order_adopted", "MSFT", "manual-limit", null, 1m, "new"),
                ("order_missing", "BOLT", "sb-bolt", 4m, 4m, "canceled"),
                ("position_adopted", "ACME", null, 5m, 3m, null),
                ("position_adopted", "MSFT", null, 0m, 7m, null),
            ],
            reconcile);
        Assert.Equal(3, second.PositionOf("ACME")!.Qty);
        Assert.Equal(7, second.PositionOf("MSFT")!.Qty);
        Assert.True(second.HasOpenOrder("MSFT", OrderSide.Buy));
        Assert.False(second.HasOpenOrder("BOLT", OrderSide.Buy));
    }
}
