using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Execution.Paper;
using SentryBrain.Journal;
using SentryBrain.Replay;

namespace SentryBrain.Tests.Engine;

/// <summary>End to end through <see cref="ConsumeRunner.Run"/>: NDJSON in, journal (ARCHITECTURE.md) out.</summary>
public sealed class ConsumeTests : IDisposable
{
    /// <summary>Monday 2026-03-02 10:00 ET (EST, UTC−5): regular session.</summary>
    private static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "consume-tests-" + Guid.NewGuid().ToString("N"));

    public ConsumeTests()
    {
        Directory.CreateDirectory(_dir);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static string Str(JsonElement e, string name) => JournalRun.Str(e, name);

    private static JournalRun Run(byte[] input, BrainConfig config, Func<DateTime, IBroker?>? brokerFactory)
        => JournalRun.Consume(input, config, brokerFactory);

    private static Func<DateTime, IBroker?> MemoryBroker => _ => PaperBroker.Open(":memory:", 100_000);

    /// <summary>The defaults, with the foundation's consensus strategy (these tests specify it).</summary>
    private static BrainConfig Defaults => BrainConfig.Load(ConfigSource.FromPairs(("STRATEGY_MODE", "consensus")));

    /// <summary>Every event evaluated; momentum alone is enough (1 source), RSI off: decisions follow from returns by hand.</summary>
    private static BrainConfig HandConfig(params (string Key, string Value)[] extra) => BrainConfig.Load(ConfigSource.FromPairs(
        [("STRATEGY_MODE", "consensus"), ("STRATEGY_INTERVAL_SEC", "0"), ("CONSENSUS_MIN_SOURCES_POSITIVE", "1"), ("USE_TECHNICAL_INDICATORS", "false"), .. extra]));

    private static string Quote(DateTime ts, string symbol, double bid, double ask, double r1m = 0, double r5m = 0) => string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"type":"quote","ts":"{{{Rfc3339.Format(ts)}}}","payload":{"symbol":"{{{symbol}}}","bid":{{{bid}}},"ask":{{{ask}}},"bid_size":5,"ask_size":5,"volume_1m":1000,"volume_5m":5000,"return_1m":{{{r1m}}},"return_5m":{{{r5m}}},"session":"regular","volatility":0.3}}""");

    private static string Trade(DateTime ts, string symbol, double price, double r1m = 0, double r5m = 0) => string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"type":"trade","ts":"{{{Rfc3339.Format(ts)}}}","payload":{"symbol":"{{{symbol}}}","price":{{{price}}},"size":100,"volume_1m":1000,"volume_5m":5000,"return_1m":{{{r1m}}},"return_5m":{{{r5m}}},"session":"regular","volatility":0.3}}""");

    private static byte[] Input(params string[] lines) => Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");

    private static byte[] ScenarioBytes()
    {
        using var stream = new MemoryStream();
        Scenario.Write(stream);
        return stream.ToArray();
    }

    private static string[] ScenarioLines() => Encoding.UTF8.GetString(ScenarioBytes()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static (string Ts, string Action, string Reason) Brief(JsonElement decision)
        => (Str(decision, "ts"), Str(decision, "action"), Str(decision, "reason"));

    private static double Notional(IEnumerable<JsonElement> fills, string side) => fills
        .Where(f => Str(f, "side") == side)
        .Sum(f => f.GetProperty("qty").GetInt64() * f.GetProperty("price").GetDouble());

    // Momentum used below: return_1m = return_5m = 0.01 → 0.6·clamp(1) + 0.4·clamp(0.5) = 0.8 ≥ 0.15 → a buy.
    private const double Up = 0.01;

    // ---- built-in scenario ----------------------------------------------------------------------------

    [Fact]
    public void Scenario_BuysAcmeAndBolt_TakesProfitOnAcme_StopsOutBolt_NeverBuysCrux()
    {
        var input = ScenarioBytes();
        var inputLines = input.Count(b => b == '\n');

        using var run = Run(input, Defaults, MemoryBroker);

        Assert.NotEmpty(run.Decisions(action: "buy"));
        Assert.NotEmpty(run.OfKind("order"));
        Assert.NotEmpty(run.OfKind("fill"));

        var acmeExit = Assert.Single(run.Decisions("ACME", "sell"));
        Assert.Equal("take_profit", Str(acmeExit, "reason"));
        var boltExit = Assert.Single(run.Decisions("BOLT", "sell"));
        Assert.Equal("stop_loss", Str(boltExit, "reason"));

        // the fills honour the rules: a take profit sells ≥ 2 % above the entry, a stop ≤ −1 % below it
        var fills = run.OfKind("fill").ToList();
        double FillPrice(string symbol, string side) => fills.Single(f => Str(f, "symbol") == symbol && Str(f, "side") == side).GetProperty("price").GetDouble();
        Assert.True(FillPrice("ACME", "sell") >= FillPrice("ACME", "buy") * 1.02);
        Assert.True(FillPrice("BOLT", "sell") <= FillPrice("BOLT", "buy") * 0.99);

        // CRUX rallies after a fraud headline: held back by the news kill switch, never bought
        Assert.Empty(run.Decisions("CRUX", "buy"));
        Assert.DoesNotContain(run.OfKind("order"), o => Str(o, "symbol") == "CRUX");
        Assert.Contains(run.Decisions("CRUX", "hold"), d => Str(d, "reason") == "kill_switch_news");

        // the round trips are closed; cash = 100000 − Σ buys + Σ sells
        Assert.Empty(run.Broker!.Positions);
        Assert.Equal(100_000 - Notional(fills, "buy") + Notional(fills, "sell"), run.Broker.Cash, 6);

        var summary = run.Lines[^1];
        Assert.Equal("summary", Str(summary, "kind"));
        Assert.Equal(inputLines, summary.GetProperty("lines").GetInt64());
        Assert.Equal(inputLines, summary.GetProperty("events").GetInt64());
        Assert.Equal(0, summary.GetProperty("rejected").GetInt64());
        Assert.Equal(run.OfKind("order").Count(), summary.GetProperty("orders").GetInt64());
        Assert.Equal(fills.Count, summary.GetProperty("fills").GetInt64());
        Assert.Equal(run.OfKind("decision").Count(), summary.GetProperty("decisions").GetInt64());
    }

    [Fact]
    public void Scenario_RunTwice_GivesByteIdenticalJournals()
    {
        var input = ScenarioBytes();

        using var first = Run(input, Defaults, MemoryBroker);
        using var second = Run(input, Defaults, MemoryBroker);

        Assert.Equal(first.Journal, second.Journal);
    }

    // ---- rejected lines -------------------------------------------------------------------------------

    [Fact]
    public void GarbageLines_EachGetAnErrorLine_WithTheirOneBasedLineNumber()
    {
        var huge = "{\"type\":\"news\",\"ts\":\"2026-03-02T15:00:03Z\",\"payload\":{\"headline\":\"h\",\"summary\":\""
            + new string('a', 3 * 512 * 1024) + "\"}}"; // 1.5 MiB > the 1 MiB line limit
        var input = Input(
            Quote(T0, "ACME", 99.99, 100.00),                                                             // 1 ok
            """{"type": trade, "ts": "2026-03-02T15:00:01Z"}""",                                            // 2 bad JSON
            """{"type":"trade","ts":"2026-03-02T15:00:02Z","payload":{"symbol":"ACME","price":-5,"size":1}}""", // 3 negative price
            """{"type":"quote","ts":"2026-03-02T15:00:02Z","payload":{"symbol":"ACME","bid":99.9""",        // 4 truncated
            huge,                                                                                           // 5 too long
            Trade(T0.AddSeconds(4), "ACME", 100.00),                                                       // 6 ok
            """[1,2,3]""",                                                                                  // 7 not an object
            Quote(T0.AddSeconds(5), "ACME", 99.99, 100.00));                                               // 8 ok

        using var run = Run(input, HandConfig(), MemoryBroker);

        var errors = run.OfKind("error").ToList();
        Assert.Equal([2L, 3L, 4L, 5L, 7L], errors.Select(e => e.GetProperty("line").GetInt64()));
        Assert.Contains("JSON", Str(errors[0], "error"), StringComparison.Ordinal);
        Assert.Contains("price", Str(errors[1], "error"), StringComparison.Ordinal);
        Assert.Contains("JSON", Str(errors[2], "error"), StringComparison.Ordinal);
        Assert.Contains("longer", Str(errors[3], "error"), StringComparison.Ordinal);
        Assert.Contains("object", Str(errors[4], "error"), StringComparison.Ordinal);

        Assert.Equal(8, run.Summary.Lines);
        Assert.Equal(3, run.Summary.Events);
        Assert.Equal(5, run.Summary.Rejected);
        Assert.Equal(run.Summary.Lines, run.Summary.Events + run.Summary.Rejected);
        var summary = run.Lines[^1];
        Assert.Equal("summary", Str(summary, "kind"));
        Assert.Equal(3, summary.GetProperty("events").GetInt64());
        Assert.Equal(5, summary.GetProperty("rejected").GetInt64());
    }

    [Fact]
    public void UnknownTypes_AreCountedAsEvents_NotRejected()
    {
        var input = Input(
            Quote(T0, "ACME", 99.99, 100.00),
            """{"type":"heartbeat","ts":"2026-03-02T15:00:01Z","payload":{}}""");

        using var run = Run(input, HandConfig(), MemoryBroker);

        Assert.Empty(run.OfKind("error"));
        Assert.Equal(2, run.Summary.Events);
        Assert.Equal(1, run.Summary.Unknown);
        Assert.Equal(0, run.Summary.Rejected);
    }

    // ---- TRADE_PAPER=false ----------------------------------------------------------------------------

    [Fact]
    public void TradePaperFalse_JournalsDecisions_ButPlacesNoOrders()
    {
        var input = Input(
            Quote(T0, "ACME", 99.99, 100.00, Up, Up),
            Trade(T0.AddSeconds(1), "ACME", 100.00, Up, Up),
            Trade(T0.AddSeconds(2), "ACME", 100.00, Up, Up));
        var config = HandConfig() with { TradePaper = false };

        using var run = Run(input, config, _ => null);

        // sized from PAPER_STARTING_CASH: 100000·5 % / 100.00 = 50 → capped at 12
        var buy = run.Decisions("ACME", "buy").First();
        Assert.Equal(12, buy.GetProperty("qty").GetInt64());
        Assert.Empty(run.OfKind("order"));
        Assert.Empty(run.OfKind("fill"));
        Assert.Equal(0, run.Summary.Orders);
        Assert.Null(run.Broker);
    }

    [Fact]
    public void TradePaperFalse_WithTheDefaultBroker_OpensNoLedger()
    {
        var path = Path.Combine(_dir, "never.db");
        var config = HandConfig() with { TradePaper = false, PaperDbPath = path };

        using var run = Run(Input(Quote(T0, "ACME", 99.99, 100.00, Up, Up)), config, brokerFactory: null);

        Assert.Null(run.Broker);
        Assert.False(File.Exists(path));
        Assert.NotEmpty(run.Decisions("ACME", "buy"));
    }

    // ---- orders ---------------------------------------------------------------------------------------

    [Fact]
    public void MarketableLimitBuy_WithZeroOffset_IsPlacedAtTheAsk_AndFillsOnSubmission()
    {
        var config = HandConfig() with { UseLimitOrders = true, LimitOrderOffsetBps = 0 };

        using var run = Run(Input(Quote(T0, "ACME", 99.99, 100.00, Up, Up)), config, MemoryBroker);

        var order = Assert.Single(run.OfKind("order"));
        Assert.Equal("limit", Str(order, "type"));
        Assert.Equal(100.00, order.GetProperty("limit_price").GetDouble()); // ask·(1 + 0 bps)
        Assert.Equal("filled", Str(order, "status"));
        var fill = Assert.Single(run.OfKind("fill"));
        Assert.Equal(12, fill.GetProperty("qty").GetInt64());
        Assert.Equal(100.00, fill.GetProperty("price").GetDouble());
        Assert.Equal(100_000 - (12 * 100.00), run.Broker!.Cash); // 98 800
    }

    [Fact]
    public void OpenOrderGuard_RestingBuy_PreventsASecondBuy_EvenAfterTheCooldown()
    {
        // With the paper broker a marketable limit fills at once (test above). A buy rests when there is no quote
        // yet: the brain then sends a market order, which waits for the first quote.
        var input = Input(
            Trade(T0, "ACME", 100.00, Up, Up),                    // buy 12 (market: no ask known) → rests "new"
            Trade(T0.AddSeconds(5), "ACME", 100.00, Up, Up),      // open buy → order_pending
            Trade(T0.AddSeconds(40), "ACME", 100.00, Up, Up),     // 40 s > 30 s cooldown: still only the open order blocks
            Quote(T0.AddSeconds(45), "ACME", 99.99, 100.05),      // the resting market buy fills at the ask 100.05
            Trade(T0.AddSeconds(50), "ACME", 100.00, Up, Up));    // held: no adding

        using var run = Run(input, HandConfig(), MemoryBroker);

        var order = Assert.Single(run.OfKind("order"));
        Assert.Equal("market", Str(order, "type"));
        Assert.Equal("new", Str(order, "status"));
        Assert.Equal(
            [
                ("2026-03-02T15:00:00Z", "buy", "consensus_buy"),
                ("2026-03-02T15:00:05Z", "hold", "order_pending"),
                ("2026-03-02T15:00:45Z", "hold", "holding"),
            ],
            run.OfKind("decision").Select(Brief));
        var fill = Assert.Single(run.OfKind("fill"));
        Assert.Equal(100.05, fill.GetProperty("price").GetDouble());
        Assert.Equal(new BrokerPosition("ACME", 12, 100.05), run.Broker!.PositionOf("ACME"));
        Assert.Equal(100_000 - (12 * 100.05), run.Broker.Cash, 6); // 98 799.40
    }

    [Fact]
    public void OpenOrderGuard_PreSubmittedLimitBuyFarBelowTheMarket_HoldsWithOrderPending()
    {
        var broker = PaperBroker.Open(":memory:", 100_000);
        broker.Submit(new OrderRequest("manual-acme-1", "ACME", OrderSide.Buy, 1, OrderType.Limit, 50.00, "manual"), T0.AddMinutes(-1));
        var input = Input(
            Quote(T0, "ACME", 99.99, 100.00, Up, Up),             // ask 100.00 > limit 50.00: the order stays open
            Trade(T0.AddSeconds(40), "ACME", 100.00, Up, Up),
            Quote(T0.AddSeconds(80), "ACME", 99.99, 100.00, Up, Up));

        using var run = Run(input, HandConfig(("ORDER_STALE_SEC", "0")), _ => broker);

        Assert.Equal([("2026-03-02T15:00:00Z", "hold", "order_pending")], run.OfKind("decision").Select(Brief));
        Assert.Empty(run.OfKind("order"));
        Assert.Equal("manual-acme-1", Assert.Single(broker.OpenOrders).ClientOrderId);
    }

    [Fact]
    public void StaleLimitBuy_IsCanceledOnceOrderStaleSecHasPassed_AndTheGuardLifts()
    {
        var broker = PaperBroker.Open(":memory:", 100_000);
        broker.Submit(new OrderRequest("manual-acme-1", "ACME", OrderSide.Buy, 1, OrderType.Limit, 50.00, "manual"), T0);
        var input = Input(
            Quote(T0, "ACME", 99.99, 100.00, Up, Up),                  // ask 100 > limit 50: open, age 0 s
            Quote(T0.AddSeconds(59), "ACME", 99.99, 100.00, Up, Up),   // 59 s < 60 s: still open
            Quote(T0.AddSeconds(60), "ACME", 99.99, 100.00, Up, Up),   // 60 s: canceled after this event's decision
            Quote(T0.AddSeconds(61), "ACME", 99.99, 100.00, Up, Up));  // no open order any more: the strategy buys

        using var run = Run(input, HandConfig(("ORDER_STALE_SEC", "60")), _ => broker);

        var canceled = Assert.Single(run.OfKind("order"), o => Str(o, "client_order_id") == "manual-acme-1");
        Assert.Equal(("2026-03-02T15:01:00Z", "canceled", "stale"), (Str(canceled, "ts"), Str(canceled, "status"), Str(canceled, "reason")));
        Assert.Equal(OrderStatus.Canceled, broker.FindOrder("manual-acme-1")!.Status);
        Assert.Equal(
            [("2026-03-02T15:00:00Z", "hold", "order_pending"), ("2026-03-02T15:01:01Z", "buy", "consensus_buy")],
            run.OfKind("decision").Select(Brief));
    }

    [Fact]
    public void StaleExitLimit_IsCanceledAndTheUnfilledRestReSentAtMarket()
    {
        var broker = PaperBroker.Open(":memory:", 100_000);
        broker.OnQuote("ACME", 99.99, 100.00, T0.AddMinutes(-5));
        broker.Submit(new OrderRequest("manual-buy", "ACME", OrderSide.Buy, 10, OrderType.Market, null, "manual"), T0.AddMinutes(-5));
        broker.Submit(new OrderRequest("manual-exit", "ACME", OrderSide.Sell, 10, OrderType.Limit, 150.00, "manual"), T0.AddSeconds(-30));
        var input = Input(
            Quote(T0, "ACME", 99.99, 100.00),                  // the exit limit (150) is 30 s old: left alone
            Quote(T0.AddSeconds(30), "ACME", 101.00, 101.02)); // 60 s: canceled; 10 shares re-sent at market, fill at the bid

        using var run = Run(input, HandConfig(("ORDER_STALE_SEC", "60"), ("TAKE_PROFIT_PCT", "50")), _ => broker);

        var orders = run.OfKind("order").Where(o => Str(o, "client_order_id").StartsWith("manual-exit", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [("manual-exit", "canceled", "stale", "limit"), ("manual-exit-r1", "filled", "exit_reprice", "market")],
            orders.Select(o => (Str(o, "client_order_id"), Str(o, "status"), Str(o, "reason"), Str(o, "type"))));
        var fill = Assert.Single(run.OfKind("fill"), f => Str(f, "client_order_id") == "manual-exit-r1");
        Assert.Equal((10, 101.00), (fill.GetProperty("qty").GetInt64(), fill.GetProperty("price").GetDouble()));
        Assert.Null(broker.PositionOf("ACME"));
    }

    [Fact]
    public void RepriceIds_CountAttempts()
    {
        Assert.Equal("sb-x-ACME-s-r1", OrderPlanning.RepriceClientOrderId("sb-x-ACME-s"));
        Assert.Equal("sb-x-ACME-s-r2", OrderPlanning.RepriceClientOrderId("sb-x-ACME-s-r1"));
        Assert.Equal("sb-x-ACME-s-r10", OrderPlanning.RepriceClientOrderId("sb-x-ACME-s-r9"));
    }

    [Fact]
    public void Cooldown_AfterASell_NoNewBuyForOrderCooldownSecOfEventTime()
    {
        var input = Input(
            Quote(T0, "ACME", 99.99, 100.00, Up, Up),                 // buy 12, fills at 100.00
            Quote(T0.AddSeconds(10), "ACME", 98.00, 98.02),           // bid 98: (98 − 100)/100 = −2 % → stop loss, sells at 98
            Trade(T0.AddSeconds(20), "ACME", 98.01, Up, Up),          // 10 s after the sell → cooldown
            Trade(T0.AddSeconds(39), "ACME", 98.01, Up, Up),          // 29 s → still cooldown (unchanged hold: not repeated)
            Trade(T0.AddSeconds(41), "ACME", 98.01, Up, Up));         // 31 s ≥ 30 s → buy again

        using var run = Run(input, HandConfig(), MemoryBroker);

        Assert.Equal(
            [
                ("2026-03-02T15:00:00Z", "buy", "consensus_buy"),
                ("2026-03-02T15:00:10Z", "sell", "stop_loss"),
                ("2026-03-02T15:00:20Z", "hold", "cooldown"),
                ("2026-03-02T15:00:41Z", "buy", "consensus_buy"),
            ],
            run.OfKind("decision").Select(Brief));
        Assert.Equal(3, run.OfKind("order").Count());
    }

    [Fact]
    public void Cooldown_IsConfigurable()
    {
        var input = Input(
            Quote(T0, "ACME", 99.99, 100.00, Up, Up),
            Quote(T0.AddSeconds(10), "ACME", 98.00, 98.02),           // stop loss
            Trade(T0.AddSeconds(20), "ACME", 98.01, Up, Up),          // 10 s ≥ 5 s → buy
            Trade(T0.AddSeconds(21), "ACME", 98.01, Up, Up));

        using var run = Run(input, HandConfig(("ORDER_COOLDOWN_SEC", "5")), MemoryBroker);

        Assert.Equal(2, run.Decisions("ACME", "buy").Count());
        Assert.DoesNotContain(run.OfKind("decision"), d => Str(d, "reason") == "cooldown");
    }

    [Fact]
    public void MarketKillSwitch_FromOneSymbolsDrop_BlocksBuysInAnother_ButNotItsStop()
    {
        var input = Input(
            Quote(T0, "ACME", 99.99, 100.00, Up, Up),                     // buy ACME
            Quote(T0.AddSeconds(1), "BOLT", 47.00, 47.02, -0.06, -0.02),  // return_1m −6 % ≤ −5 % → market-wide halt
            Quote(T0.AddSeconds(2), "CRUX", 19.99, 20.00, Up, Up),        // would buy: halted
            Quote(T0.AddSeconds(3), "ACME", 98.90, 98.92));               // −1.1 % → the stop still sells

        using var run = Run(input, HandConfig(), MemoryBroker);

        Assert.Contains(run.Decisions("CRUX", "hold"), d => Str(d, "reason") == "kill_switch_market");
        Assert.Empty(run.Decisions("CRUX", "buy"));
        Assert.Equal("stop_loss", Str(Assert.Single(run.Decisions("ACME", "sell")), "reason"));
    }

    [Fact]
    public void MarketKillSwitch_ReArmsOnTheNextNewYorkDate()
    {
        var nextDay = T0.AddDays(1); // Tuesday 10:00 ET
        var input = Input(
            Quote(T0, "BOLT", 47.00, 47.02, -0.06, 0),                    // halt
            Quote(T0.AddSeconds(1), "CRUX", 19.99, 20.00, Up, Up),        // halted
            Quote(nextDay, "CRUX", 19.99, 20.00, Up, Up),                 // new date: buys again
            Quote(nextDay.AddSeconds(1), "ACME", 99.99, 100.00));         // confirms the jump to the next day (EventClock)

        using var run = Run(input, HandConfig(), MemoryBroker);

        Assert.Equal(
            [
                ("2026-03-02T15:00:01Z", "hold", "kill_switch_market"),
                ("2026-03-03T15:00:00Z", "buy", "consensus_buy"),
            ],
            run.Decisions("CRUX").Select(Brief));
    }

    // ---- restart --------------------------------------------------------------------------------------

    [Fact]
    public void Restart_WithTheSameLedger_CarriesPositionsAndCashOver()
    {
        var lines = ScenarioLines();
        var half = lines.Length / 2;
        var config = Defaults with { PaperDbPath = Path.Combine(_dir, "paper.db") };

        // First half ends ≈ 09:57:30 ET. By the scenario's design ACME (headline 09:47) and BOLT (headline 09:52)
        // are bought before it, and their exits (+2 % for ACME at 0.10 %/min ≈ 20 min later; BOLT's fade starts at
        // 09:58) come after it: both are held at the restart.
        double cashAfterFirst;
        using (var first = Run(Input(lines[..half]), config, brokerFactory: null))
        {
            var broker = first.Broker!;
            Assert.Equal(["ACME", "BOLT"], broker.Positions.Select(p => p.Symbol));
            Assert.All(broker.Positions, p => Assert.Equal(12, p.Qty));
            cashAfterFirst = broker.Cash;
            Assert.Equal(100_000 - Notional(first.OfKind("fill"), "buy") + Notional(first.OfKind("fill"), "sell"), cashAfterFirst, 6);
        }

        using var second = Run(Input(lines[half..]), config, brokerFactory: null);

        // the second process sells what the first one bought: impossible unless the positions carried over
        var acme = Assert.Single(second.Decisions("ACME", "sell"));
        Assert.Equal("take_profit", Str(acme, "reason"));
        Assert.Equal(12, acme.GetProperty("qty").GetInt64());
        var bolt = Assert.Single(second.Decisions("BOLT", "sell"));
        Assert.Equal("stop_loss", Str(bolt, "reason"));
        Assert.Equal(12, bolt.GetProperty("qty").GetInt64());
        Assert.DoesNotContain(second.OfKind("order"), o => Str(o, "status") == "rejected");

        var fills = second.OfKind("fill").ToList();
        Assert.Equal(cashAfterFirst - Notional(fills, "buy") + Notional(fills, "sell"), second.Broker!.Cash, 6);
        Assert.Empty(second.Broker.Positions);
    }

    [Fact]
    public void ReplayingAnEarlierStream_OnALedgerAlreadyPastIt_ArchivesTheLedgerAndStartsFresh()
    {
        var lines = ScenarioLines();
        var half = lines.Length / 2;
        var path = Path.Combine(_dir, "paper.db");
        var config = Defaults with { PaperDbPath = path };

        string firstJournal;
        double firstCash;
        using (var first = Run(Input(lines[..half]), config, brokerFactory: null))
        {
            firstJournal = first.Journal;
            firstCash = first.Broker!.Cash;
        }

        using (Run(Input(lines[half..]), config, brokerFactory: null))
        {
        }

        Assert.Empty(Directory.GetFiles(_dir, "*.bak"));

        // the ledger has now seen 10:30 ET; the first half starts at 09:25 ET: a replay of the past
        using var replay = Run(Input(lines[..half]), config, brokerFactory: null);

        Assert.NotEmpty(Directory.GetFiles(_dir, "paper.db.*.bak"));
        Assert.True(File.Exists(path));
        Assert.Equal(firstJournal, replay.Journal); // a fresh ledger gives the same decisions, orders and fills
        Assert.Equal(firstCash, replay.Broker!.Cash);
        Assert.Equal(["ACME", "BOLT"], replay.Broker.Positions.Select(p => p.Symbol));
    }

    [Fact]
    public void MarketKillSwitch_SurvivesARestartOnTheSameDate()
    {
        var config = HandConfig() with { PaperDbPath = Path.Combine(_dir, "paper.db") };
        using (var before = Run(Input(Quote(T0, "BOLT", 47.00, 47.02, -0.06, 0), Quote(T0.AddSeconds(1), "ACME", 99.99, 100.00, Up, Up)), config, brokerFactory: null))
        {
            Assert.Equal("kill_switch_market", Str(Assert.Single(before.Decisions("ACME")), "reason"));
        }

        using var after = Run(Input(Quote(T0.AddMinutes(1), "ACME", 99.99, 100.00, Up, Up)), config, brokerFactory: null);

        Assert.Empty(after.Decisions("ACME", "buy"));
        Assert.Equal("kill_switch_market", Str(Assert.Single(after.Decisions("ACME")), "reason"));
    }

    [Fact]
    public void DailyCap_BlocksBuys_AfterTargetHit()
    {
        // 50 % positions so one position moves equity: buy floor(100000·0.5/100.00) = 500 ACME at 100.00 → cash 50 000.
        // Mid 100.605 → equity 50000 + 500·100.605 = 100 302.50 = +0.3025 % ≥ 0.25 % → target reached.
        var input = Input(
            Quote(T0, "ACME", 99.99, 100.00, Up, Up),
            Quote(T0.AddSeconds(60), "ACME", 100.60, 100.61),
            Quote(T0.AddSeconds(70), "BOLT", 49.99, 50.00, Up, Up));

        using var run = Run(input, DailyCapConfig(Path.Combine(_dir, "cap.db")), brokerFactory: null);

        Assert.Equal(500, Assert.Single(run.Decisions("ACME", "buy")).GetProperty("qty").GetInt64());
        Assert.Equal("daily_cap_reached", Str(Assert.Single(run.Decisions("BOLT")), "reason"));
    }

    [Fact]
    public void DailyCap_BlocksBuys_AfterTargetHit_AndSurvivesRestart()
    {
        var config = DailyCapConfig(Path.Combine(_dir, "paper.db"));
        using (var before = Run(Input(Quote(T0, "ACME", 99.99, 100.00, Up, Up), Quote(T0.AddSeconds(60), "ACME", 100.60, 100.61), Quote(T0.AddSeconds(70), "BOLT", 49.99, 50.00, Up, Up)), config, brokerFactory: null))
        {
            Assert.Equal("daily_cap_reached", Str(Assert.Single(before.Decisions("BOLT")), "reason"));
        }

        // same date, same ledger: the target was reached today, so still no new buys
        using var after = Run(Input(Quote(T0.AddSeconds(120), "BOLT", 49.99, 50.00, Up, Up)), config, brokerFactory: null);

        Assert.Empty(after.Decisions("BOLT", "buy"));
    }

    private static BrainConfig DailyCapConfig(string ledger) => HandConfig(
        ("POSITION_SIZE_PCT", "0.5"),
        ("MAX_POSITION_PCT", "0.5"),
        ("STRATEGY_MAX_QTY", "1000"),
        ("TAKE_PROFIT_PCT", "0")) with
    { PaperDbPath = ledger };
}
