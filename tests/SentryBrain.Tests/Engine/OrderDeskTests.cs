using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Execution.Paper;
using SentryBrain.Market;
using SentryBrain.Strategy;

namespace SentryBrain.Tests.Engine;

/// <summary>
/// <see cref="OrderDesk"/> alone: decisions to orders, broker updates, the stale sweep and the exit reprice, fills to the
/// position book and the fill observers. A real paper broker (SQLite in memory), event time passed in.
/// </summary>
public sealed class OrderDeskTests : IDisposable
{
    private static readonly DateTime T0 = SeamStreams.T0;

    private readonly JournalCapture _journal = new();
    private readonly RecordingObserver _observer = new();
    private readonly SymbolState _acme = new("ACME", 14);
    private ScriptedBroker? _broker;
    private PositionBook? _book;

    public void Dispose()
    {
        _broker?.Dispose();
        _journal.Dispose();
    }

    private static string Str(JsonElement e, string name) => JournalCapture.Str(e, name);

    private static BrainConfig Config(params (string Key, string Value)[] extra) => BrainConfig.Load(ConfigSource.FromPairs(extra));

    private static Decision Buy(long qty) => new(TradeAction.Buy, qty, "consensus_buy", default);

    private static Decision Sell(long qty, string reason = "take_profit") => new(TradeAction.Sell, qty, reason, default);

    /// <summary>A desk over a fresh in-memory paper broker with <paramref name="cash"/>; ACME is the only tracked symbol.</summary>
    private OrderDesk Desk(BrainConfig? config = null, double cash = 100_000)
    {
        _broker = new ScriptedBroker(PaperBroker.Open(":memory:", cash));
        _book = new PositionBook(_broker.State);
        return new OrderDesk(_broker, config ?? Config(), _journal.Writer, NullLogger.Instance, _book, [_observer], s => s == "ACME" ? _acme : null);
    }

    /// <summary>The quote is seen by the symbol (for the buy limit) and by the paper broker (for matching).</summary>
    private void QuoteAcme(DateTime ts, double bid, double ask)
    {
        _acme.OnQuote(SeamStreams.QuoteEvent(ts, "ACME", bid, ask));
        _broker!.Inner.OnQuote("ACME", bid, ask, ts);
    }

    /// <summary>10 ACME held at 100.00, bought outside the desk (no journal line, no observer call).</summary>
    private void HoldTenAcme(DateTime at)
    {
        _broker!.Inner.OnQuote("ACME", 99.99, 100.00, at);
        var bought = _broker.Inner.Submit(new OrderRequest("outside-buy", "ACME", OrderSide.Buy, 10, OrderType.Market, null, "manual"), at);
        Assert.Equal(OrderStatus.Filled, bought.Order.Status);
    }

    // ---- submit ---------------------------------------------------------------------------------------

    [Fact]
    public void Buy_BecomesOneMarketableLimitOrder_WithTheDeterministicId_JournaledOnce()
    {
        var desk = Desk(Config(("USE_LIMIT_ORDERS", "true"), ("LIMIT_ORDER_OFFSET_BPS", "5")));
        QuoteAcme(T0, 99.99, 100.00);

        desk.Submit(_acme, Buy(12), T0);

        // limit = ceil(100.00 · 1.0005 / 0.01) · 0.01 = 100.05; the paper broker fills it at once at the ask 100.00
        var order = Assert.Single(_journal.OfKind("order"));
        Assert.Equal(
            ("ACME", "buy", 12L, "limit", 100.05, "sb-20260302T1500000000000-ACME-b", "filled", "paper", "consensus_buy"),
            (Str(order, "symbol"), Str(order, "side"), order.GetProperty("qty").GetInt64(), Str(order, "type"), order.GetProperty("limit_price").GetDouble(),
                Str(order, "client_order_id"), Str(order, "status"), Str(order, "broker"), Str(order, "reason")));
        var fill = Assert.Single(_journal.OfKind("fill"));
        Assert.Equal((12L, 100.00), (fill.GetProperty("qty").GetInt64(), fill.GetProperty("price").GetDouble()));
        Assert.Equal((1L, 1L), (desk.Orders, desk.Fills));
        Assert.Equal(T0, _acme.LastOrderTs);
        Assert.Equal(T0, _acme.LastEntryTs);
    }

    [Theory]
    [InlineData(20, 100.20)]   // 100.00 · 1.002 = 100.20 exactly
    [InlineData(1, 100.01)]    // 100.01 exactly
    [InlineData(0.5, 100.01)]  // 100.005 rounds up to the next cent
    public void BuyLimit_IsTheAskPlusTheOffset_RoundedUpToTheCent(double bps, double expected)
    {
        var config = Config(("USE_LIMIT_ORDERS", "true"), ("LIMIT_ORDER_OFFSET_BPS", bps.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _acme.OnQuote(SeamStreams.QuoteEvent(T0, "ACME", 99.99, 100.00));

        Assert.Equal(expected, OrderDesk.BuyLimit(config, _acme));
    }

    [Fact]
    public void Buy_WithLimitsOff_OrNoAskYet_IsAMarketOrder()
    {
        Assert.Null(OrderDesk.BuyLimit(Config(("USE_LIMIT_ORDERS", "true")), _acme)); // no quote yet
        _acme.OnQuote(SeamStreams.QuoteEvent(T0, "ACME", 99.99, 100.00));
        Assert.Null(OrderDesk.BuyLimit(Config(("USE_LIMIT_ORDERS", "false")), _acme));

        var desk = Desk(Config(("USE_LIMIT_ORDERS", "false")));
        desk.Submit(_acme, Buy(3), T0);

        var order = Assert.Single(_journal.OfKind("order"));
        Assert.Equal("market", Str(order, "type"));
        Assert.Equal(JsonValueKind.Null, order.GetProperty("limit_price").ValueKind);
    }

    [Fact]
    public void DuplicateClientOrderId_IsNeitherSentNorJournaledAgain_AndLeavesTheCooldownAlone()
    {
        var desk = Desk();
        desk.Submit(_acme, Buy(5), T0); // no quote at the broker: rests as "new"
        _acme.LastOrderTs = null;
        _acme.LastEntryTs = null;

        desk.Submit(_acme, Buy(5), T0); // same event time, symbol and side: same id

        var order = Assert.Single(_journal.OfKind("order"));
        Assert.Equal(("sb-20260302T1500000000000-ACME-b", "new"), (Str(order, "client_order_id"), Str(order, "status")));
        Assert.Single(_broker!.OpenOrders);
        Assert.Equal(1, desk.Orders);
        Assert.Null(_acme.LastOrderTs);
        Assert.Null(_acme.LastEntryTs);
    }

    [Fact]
    public void RejectedBuy_IsJournaled_StartsTheCooldown_ButIsNoEntry()
    {
        var desk = Desk(cash: 100); // 12 × limit 100.05 = 1 200.60 > 100 cash
        QuoteAcme(T0, 99.99, 100.00);

        desk.Submit(_acme, Buy(12), T0);

        var order = Assert.Single(_journal.OfKind("order"));
        Assert.Equal("rejected", Str(order, "status"));
        Assert.StartsWith("insufficient cash", Str(order, "reject_reason"), StringComparison.Ordinal);
        Assert.Empty(_journal.OfKind("fill"));
        Assert.Equal(T0, _acme.LastOrderTs);
        Assert.Null(_acme.LastEntryTs);
    }

    // ---- stale sweep ----------------------------------------------------------------------------------

    [Fact]
    public void StaleSweep_CancelsAfterOrderStaleSec_AtMostOncePerEventSecond_AndAsksAgainOnlyAfterAnotherStalePeriod()
    {
        var desk = Desk(Config(("ORDER_STALE_SEC", "60")));
        _broker!.DeferCancels = true; // like a remote broker: no confirmation yet
        _acme.OnQuote(SeamStreams.QuoteEvent(T0, "ACME", 99.99, 100.00)); // the broker has no quote: the limits rest
        desk.Submit(_acme, Buy(1), T0);                                   // A, limit 100.05
        desk.Submit(_acme, Buy(1), T0.AddSeconds(0.5));                   // B
        var a = "sb-20260302T1500000000000-ACME-b";
        var b = "sb-20260302T1500005000000-ACME-b";

        foreach (var s in new[] { 59.0, 60.0, 60.5, 61.0, 62.0, 119.0, 120.0, 120.5, 121.0 })
        {
            desk.SweepStaleOrders(T0.AddSeconds(s));
        }

        // 60: A is 60 s old; 60.5: B is stale but the sweep ran 0.5 s ago; 61: B; 120: A again (asked 60 s ago);
        // 121: B again.
        Assert.Equal(
            [(a, T0.AddSeconds(60)), (b, T0.AddSeconds(61)), (a, T0.AddSeconds(120)), (b, T0.AddSeconds(121))],
            _broker.Cancels);
        Assert.Equal(2, _journal.OfKind("order").Count()); // unconfirmed cancels journal nothing
    }

    [Fact]
    public void StaleSweep_LeavesMarketOrdersAlone_AndIsOffAtZero()
    {
        var market = Desk(Config(("ORDER_STALE_SEC", "60"), ("USE_LIMIT_ORDERS", "false")));
        market.Submit(_acme, Buy(1), T0); // market buy resting for a quote
        market.SweepStaleOrders(T0.AddMinutes(10));
        Assert.Empty(_broker!.Cancels);
        _broker.Dispose();

        var off = Desk(Config(("ORDER_STALE_SEC", "0")));
        _acme.OnQuote(SeamStreams.QuoteEvent(T0, "ACME", 99.99, 100.00));
        off.Submit(_acme, Buy(1), T0);
        off.SweepStaleOrders(T0.AddHours(3));
        Assert.Empty(_broker!.Cancels);
    }

    [Fact]
    public void ConfirmedStaleCancel_IsJournaledWithReasonStale_EvenWhenConfirmedLater()
    {
        var desk = Desk(Config(("ORDER_STALE_SEC", "60")));
        _broker!.DeferCancels = true;
        _acme.OnQuote(SeamStreams.QuoteEvent(T0, "ACME", 99.99, 100.00));
        desk.Submit(_acme, Buy(1), T0);
        desk.SweepStaleOrders(T0.AddSeconds(60));
        var id = Assert.Single(_broker.Cancels).Id;

        desk.Apply(_broker.Confirm(id, T0.AddSeconds(63)), null, T0.AddSeconds(63));

        var orders = _journal.OfKind("order").ToList();
        Assert.Equal(
            [("2026-03-02T15:00:00Z", "new", "consensus_buy"), ("2026-03-02T15:01:03Z", "canceled", "stale")],
            orders.Select(o => (Str(o, "ts"), Str(o, "status"), Str(o, "reason"))));
        Assert.Equal(2, desk.Orders);
        Assert.Empty(_broker.OpenOrders); // a stale buy is not re-sent
    }

    [Fact]
    public void CancelNotAskedByTheSweep_IsJournaledWithItsStatus_AndAnExitIsNotReSent()
    {
        var desk = Desk(Config(("ORDER_STALE_SEC", "60")));
        HoldTenAcme(T0.AddMinutes(-5));
        _broker!.Inner.Submit(new OrderRequest("manual-exit", "ACME", OrderSide.Sell, 10, OrderType.Limit, 150.00, "manual"), T0);

        desk.Apply(_broker.Inner.Cancel("manual-exit", T0.AddSeconds(5)), null, T0.AddSeconds(5)); // canceled by someone else

        var order = Assert.Single(_journal.OfKind("order"));
        Assert.Equal(("manual-exit", "canceled", "canceled"), (Str(order, "client_order_id"), Str(order, "status"), Str(order, "reason")));
        Assert.Equal(10, _broker.PositionOf("ACME")!.Qty);
        Assert.Empty(_broker.OpenOrders);
    }

    [Theory]
    [InlineData(7, 5)] // 8 − 3 filled = 5 unfilled, 7 still held ⇒ 5
    [InlineData(2, 2)] // only 2 still held ⇒ 2
    [InlineData(0, 0)] // nothing held ⇒ nothing re-sent
    public void StaleExit_ConfirmedCanceled_IsReSentAtMarket_ForMinOfUnfilledAndHeld_AfterTheFillsOfTheSameUpdate(long held, long expectedQty)
    {
        var desk = Desk(Config(("ORDER_STALE_SEC", "60")));
        HoldTenAcme(T0.AddMinutes(-5));
        _acme.OnQuote(SeamStreams.QuoteEvent(T0, "ACME", 99.99, 100.00));
        _broker!.Inner.Submit(new OrderRequest("manual-exit", "ACME", OrderSide.Sell, 8, OrderType.Limit, 150.00, "manual"), T0);
        _broker.DeferCancels = true;
        desk.SweepStaleOrders(T0.AddSeconds(60));
        Assert.Equal("manual-exit", Assert.Single(_broker.Cancels).Id);

        // The remote broker reports, in one update, 3 shares filled at 150 just before the cancel took effect.
        var now = T0.AddSeconds(62);
        var canceled = Assert.Single(_broker.Confirm("manual-exit", now).ChangedOrders) with { FilledQty = 3, FilledAvgPrice = 150.00 };
        var partial = new Fill(now, "manual-exit", "ACME", OrderSide.Sell, 3, 150.00);
        _broker.HeldOverride["ACME"] = held;
        desk.Apply(new BrokerUpdate([partial], [canceled]), null, now);

        var lines = _journal.Lines.Select(l => Str(l, "kind") == "order"
            ? $"order {Str(l, "client_order_id")} {Str(l, "type")} {l.GetProperty("qty").GetInt64()} {Str(l, "status")} {Str(l, "reason")}"
            : $"fill {Str(l, "client_order_id")} {l.GetProperty("qty").GetInt64()}").ToList();
        string[] expected = expectedQty > 0
            ? ["order manual-exit limit 8 canceled stale", "fill manual-exit 3", $"order manual-exit-r1 market {expectedQty} filled exit_reprice", $"fill manual-exit-r1 {expectedQty}"]
            : ["order manual-exit limit 8 canceled stale", "fill manual-exit 3"];
        Assert.Equal(expected, lines);
        if (expectedQty > 0)
        {
            // the re-sent exit fills at the paper broker's bid, and starts the cooldown (but is no entry)
            Assert.Equal(99.99, _journal.OfKind("fill").Last().GetProperty("price").GetDouble());
            Assert.Equal(now, _acme.LastOrderTs);
            Assert.Null(_acme.LastEntryTs);
        }
    }

    [Fact]
    public void StaleExit_ConfirmedByThePaperBrokerAtOnce_IsReSentInTheSameSweep()
    {
        var desk = Desk(Config(("ORDER_STALE_SEC", "60")));
        HoldTenAcme(T0.AddMinutes(-5));
        _broker!.Inner.Submit(new OrderRequest("sb-x-ACME-s-r1", "ACME", OrderSide.Sell, 10, OrderType.Limit, 150.00, "manual"), T0);

        desk.SweepStaleOrders(T0.AddSeconds(60));

        Assert.Equal(
            [("sb-x-ACME-s-r1", "canceled", "stale"), ("sb-x-ACME-s-r2", "filled", "exit_reprice")],
            _journal.OfKind("order").Select(o => (Str(o, "client_order_id"), Str(o, "status"), Str(o, "reason"))));
        Assert.Null(_broker.PositionOf("ACME"));
    }

    // ---- fills ----------------------------------------------------------------------------------------

    [Fact]
    public void Fills_ReachTheBookAndEveryObserver_WithQtyAfterAndTheEntryPriceOfTheClosedPosition()
    {
        var second = new RecordingObserver();
        _broker = new ScriptedBroker(PaperBroker.Open(":memory:", 100_000));
        _book = new PositionBook(_broker.State);
        var desk = new OrderDesk(_broker, Config(), _journal.Writer, NullLogger.Instance, _book, [_observer, second], s => s == "ACME" ? _acme : null);
        QuoteAcme(T0, 99.99, 100.00);
        _acme.EntryVwapDistancePct = -0.4; // bought below VWAP: VWAP is a target

        desk.Submit(_acme, Buy(10), T0);                               // fills 10 @ 100.00
        Assert.Equal(T0, _book.Get("ACME")!.EntryTs);
        Assert.True(_book.Get("ACME")!.VwapTarget);
        QuoteAcme(T0.AddSeconds(10), 100.99, 101.00);
        desk.Submit(_acme, Buy(10), T0.AddSeconds(10));                // fills 10 @ 101.00: average 100.50
        QuoteAcme(T0.AddSeconds(20), 102.00, 102.01);
        desk.Submit(_acme, Sell(5), T0.AddSeconds(20));                // 5 @ 102.00 against entry 100.50
        desk.Submit(_acme, Sell(15, "stop_loss"), T0.AddSeconds(30));  // the rest, flat

        var expected = new[]
        {
            (OrderSide.Buy, 10L, 100.00, new FillContext(10, 0)),
            (OrderSide.Buy, 10L, 101.00, new FillContext(20, 0)),
            (OrderSide.Sell, 5L, 102.00, new FillContext(15, 100.50)),
            (OrderSide.Sell, 15L, 102.00, new FillContext(0, 100.50)),
        };
        Assert.Equal(expected, _observer.Seen.Select(s => (s.Fill.Side, s.Fill.Qty, s.Fill.Price, s.Context)));
        Assert.Equal(_observer.Seen, second.Seen);
        Assert.Equal(4, desk.Fills);
        Assert.Equal(4, _journal.OfKind("fill").Count());
        Assert.Null(_book.Get("ACME")); // closed: forgotten
        Assert.Null(new PositionBook(_broker.State).Get("ACME"));
    }

    [Fact]
    public void RememberExitProgress_MarksScaleOutLevels_AndScaledAtVwap_AndPersistsThem()
    {
        var desk = Desk();
        QuoteAcme(T0, 99.99, 100.00);
        desk.Submit(_acme, Buy(10), T0);

        desk.RememberExitProgress("ACME", Sell(2, "scale_out_1"), scaleOutLevel: 1);
        Assert.Equal(0b10UL, _book!.Get("ACME")!.ScaleOutLevelsDone);
        desk.RememberExitProgress("ACME", Sell(2, "scale_out_0"), scaleOutLevel: 0);
        Assert.Equal(0b11UL, _book.Get("ACME")!.ScaleOutLevelsDone);
        Assert.False(_book.Get("ACME")!.ScaledAtVwap);
        desk.RememberExitProgress("ACME", Sell(5, "scale_out_50_at_vwap"), scaleOutLevel: null);
        Assert.True(_book.Get("ACME")!.ScaledAtVwap);
        desk.RememberExitProgress("ACME", Sell(5, "take_profit"), scaleOutLevel: null); // other exits mark nothing

        var reloaded = new PositionBook(_broker!.State).Get("ACME")!;
        Assert.Equal((0b11UL, true), (reloaded.ScaleOutLevelsDone, reloaded.ScaledAtVwap));
    }

    [Fact]
    public void RememberExitProgress_ForASymbolNotInTheBook_DoesNothing()
    {
        var desk = Desk();

        desk.RememberExitProgress("ACME", Sell(2, "scale_out_50_at_vwap"), scaleOutLevel: 2);

        Assert.Null(_book!.Get("ACME"));
        Assert.Null(_broker!.State!.Load(PositionBook.StateKey));
    }

    [Fact]
    public void EmptyUpdate_JournalsNothing()
    {
        var desk = Desk();

        desk.Apply(BrokerUpdate.None, "filled", T0);

        Assert.Empty(_journal.Lines);
        Assert.Equal((0L, 0L), (desk.Orders, desk.Fills));
    }
}
