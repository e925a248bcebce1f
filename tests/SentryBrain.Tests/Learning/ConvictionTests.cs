using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Execution.Paper;
using SentryBrain.Learning;
using SentryBrain.Strategy;
using SentryBrain.Tests.Engine;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// Conviction sizing: the reward of an exit, the continuous multiplier of a window (hand-worked), the link from an exit
/// to its entry's setup, the window, the cap on setups and the state that survives a restart.
/// </summary>
public sealed class ConvictionTests
{
    private const string Setup = "green_light_4pt|regime=trend";
    private static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("stop_loss", 5.0, -2)]          // the reason wins over the P&L
    [InlineData("trailing_stop_loss_x", null, -2)]
    [InlineData("take_profit", -3.0, 1)]
    [InlineData("take_profit_at_vwap", null, 1)]
    [InlineData("scale_out_50_at_vwap", 0.1, 1)]
    [InlineData("time_exit", 1.0, 1)]            // P&L ≥ 1 %
    [InlineData("time_exit", 0.99, 0)]
    [InlineData("time_exit", -0.99, 0)]
    [InlineData("time_exit", -1.0, -2)]          // P&L ≤ −1 %
    [InlineData(null, 2.0, 1)]
    public void Reward_FollowsTheReasonThenTheProfit(string? reason, double? pnl, int reward)
        => Assert.Equal(reward, Conviction.Reward(reason, pnl));

    [Fact]
    public void Reward_IsUnknown_WithoutAReasonThatTellsOrAProfit()
        => Assert.Null(Conviction.Reward("time_exit", null));

    [Theory]
    [InlineData(new int[0], 1.0)]
    [InlineData(new[] { 1, 1 }, 1.0)]              // fewer than 3 outcomes
    [InlineData(new[] { -2, -2 }, 1.0)]
    [InlineData(new[] { 1, 1, -2 }, 1.0)]          // avg 0 → 1.0 (the reference gave 1.1)
    [InlineData(new[] { 1, 1, 1 }, 1.5)]           // avg 1 → 1 + 1/2
    [InlineData(new[] { -2, -2, -2 }, 0.5)]        // avg −2 → 1 − 2/4
    [InlineData(new[] { 1, 0, 0 }, 1.0 + (1.0 / 6))]  // avg 1/3 → 1 + 1/6
    [InlineData(new[] { -2, 1, 1, 1 }, 1.125)]     // avg 1/4 → 1 + 1/8
    [InlineData(new[] { -2, 0, 1 }, 1.0 - (1.0 / 12))] // avg −1/3 → 1 − 1/12
    [InlineData(new[] { -2, 0, 0, 0 }, 0.875)]     // avg −1/2 → 1 − 1/8
    public void Multiplier_IsAContinuousFunctionOfTheAverage(int[] outcomes, double expected)
    {
        var sizer = new ConvictionSizer(100, new KeepingLogger());
        foreach (var o in outcomes)
        {
            sizer.AddOutcome(Setup, o);
        }

        Assert.Equal(expected, sizer.Multiplier(Setup), 12);
        Assert.Equal(1.0, sizer.Multiplier("another|regime=range"), 12);
    }

    [Fact]
    public void FromAverage_HasNoJump()
    {
        // Around the reference's jump at 0.5 (1.3 → 1.5) and at 0 the function moves by less than the step times its slope.
        for (var a = -2.0; a <= 1.0; a += 0.001)
        {
            Assert.InRange(Math.Abs(Conviction.FromAverage(a + 0.001) - Conviction.FromAverage(a)), 0, 0.0005 + 1e-12);
        }

        Assert.Equal((0.5, 1.0, 1.25, 1.5), (Conviction.FromAverage(-2), Conviction.FromAverage(0), Conviction.FromAverage(0.5), Conviction.FromAverage(1)));
        Assert.Equal((0.5, 1.5), (Conviction.FromAverage(-7), Conviction.FromAverage(3)));
    }

    [Fact]
    public void TheWindow_KeepsTheLastNOutcomes()
    {
        var sizer = new ConvictionSizer(3, new KeepingLogger());
        foreach (var o in new[] { -2, -2, -2, 1, 1 })
        {
            sizer.AddOutcome(Setup, o);
        }

        Assert.Equal([-2, 1, 1], sizer.OutcomesOf(Setup));
        Assert.Equal(1.0, sizer.Multiplier(Setup), 12); // avg 0
    }

    [Fact]
    public void Setups_AreCapped_TheLeastRecentlyUpdatedGoesFirst()
    {
        var sizer = new ConvictionSizer(100, new KeepingLogger());
        for (var i = 0; i < ConvictionSizer.MaxSetups; i++)
        {
            sizer.AddOutcome($"s{i}|regime=trend", 1);
        }

        sizer.AddOutcome("s0|regime=trend", 1); // s0 used again: s1 is now the least recent
        sizer.AddOutcome("new|regime=trend", 1);

        Assert.Equal(ConvictionSizer.MaxSetups, sizer.Setups);
        Assert.Equal([1, 1], sizer.OutcomesOf("s0|regime=trend"));
        Assert.Empty(sizer.OutcomesOf("s1|regime=trend"));
    }

    private static Decision Buy(string setup) => new(TradeAction.Buy, 10, "green_light_4pt", new DecisionSignals(null, 0, 0, null, null, 0, 100, null) with { Setup = setup });

    private static Decision Sell(string reason) => new(TradeAction.Sell, 10, reason, new DecisionSignals(null, 0, 0, null, null, 0, 100, null) with { Setup = reason + "|regime=trend" });

    private static OrderRequest Request(string id, OrderSide side) => new(id, "ACME", side, 10, OrderType.Market, null, "x");

    /// <summary>Sends a buy (setup <paramref name="setup"/>) and a sell (<paramref name="reason"/>) through the sizer, each filled at once.</summary>
    private static void RoundTrip(ConvictionSizer sizer, int n, string setup, string reason, double exitPrice)
    {
        var at = T0.AddMinutes(n);
        sizer.OnSubmitted(Request($"b{n}", OrderSide.Buy), Buy(setup), at);
        sizer.OnFill(new Fill(at, $"b{n}", "ACME", OrderSide.Buy, 10, 100), new FillContext(10, 0));
        sizer.OnSubmitted(Request($"s{n}", OrderSide.Sell), Sell(reason), at);
        sizer.OnFill(new Fill(at, $"s{n}", "ACME", OrderSide.Sell, 10, exitPrice), new FillContext(0, 100));
    }

    [Fact]
    public void ExitOutcomes_GoToTheEntrysSetup_NotToTheExitsReason()
    {
        var sizer = new ConvictionSizer(100, new KeepingLogger());
        RoundTrip(sizer, 1, Setup, "take_profit", 102);     // +1
        RoundTrip(sizer, 2, Setup, "stop_loss", 99);        // −2
        RoundTrip(sizer, 3, Setup, "time_exit", 101.5);     // +1.5 % ≥ 1 %: +1
        RoundTrip(sizer, 4, "other|regime=range", "time_exit", 99.5); // −0.5 %: 0, for the other setup

        Assert.Equal([1, -2, 1], sizer.OutcomesOf(Setup));
        Assert.Equal([0], sizer.OutcomesOf("other|regime=range"));
        Assert.Empty(sizer.OutcomesOf("take_profit|regime=trend"));
        Assert.Equal(1.0, sizer.Multiplier("ACME", Buy(Setup)), 12); // avg 0
        Assert.Null(sizer.OpenSetup("ACME"));                          // flat: forgotten
    }

    [Fact]
    public void OneExitOrder_IsOneOutcome_EvenInPartialFills_OrReSentAtMarket()
    {
        var sizer = new ConvictionSizer(100, new KeepingLogger());
        sizer.OnSubmitted(Request("b", OrderSide.Buy), Buy(Setup), T0);
        sizer.OnFill(new Fill(T0, "b", "ACME", OrderSide.Buy, 6, 100), new FillContext(6, 0));
        sizer.OnFill(new Fill(T0, "b", "ACME", OrderSide.Buy, 4, 100), new FillContext(10, 0)); // the rest of the same buy
        Assert.Equal(Setup, sizer.OpenSetup("ACME"));

        sizer.OnSubmitted(Request("s", OrderSide.Sell), Sell("stop_loss"), T0);
        sizer.OnFill(new Fill(T0, "s", "ACME", OrderSide.Sell, 3, 99), new FillContext(7, 100));
        sizer.OnFill(new Fill(T0, "s", "ACME", OrderSide.Sell, 3, 99), new FillContext(4, 100));
        sizer.OnFill(new Fill(T0, "s-r1", "ACME", OrderSide.Sell, 4, 98.9), new FillContext(0, 100)); // the stale rest, re-sent

        Assert.Equal([-2], sizer.OutcomesOf(Setup));
    }

    [Fact]
    public void AnAdd_KeepsTheSetupOfTheBuyThatOpenedThePosition()
    {
        var sizer = new ConvictionSizer(100, new KeepingLogger());
        sizer.OnSubmitted(Request("b1", OrderSide.Buy), Buy(Setup), T0);
        sizer.OnFill(new Fill(T0, "b1", "ACME", OrderSide.Buy, 10, 100), new FillContext(10, 0));
        sizer.OnSubmitted(Request("b2", OrderSide.Buy), Buy("pullback|regime=range"), T0);
        sizer.OnFill(new Fill(T0, "b2", "ACME", OrderSide.Buy, 10, 101), new FillContext(20, 0));

        Assert.Equal(Setup, sizer.OpenSetup("ACME"));
    }

    [Fact]
    public void ARestart_WithTheSameLedger_KeepsOutcomesAndOpenSetups()
    {
        var path = Path.Combine(Path.GetTempPath(), "sb-conviction-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            using (var broker = PaperBroker.Open(path, 100_000))
            {
                var sizer = new ConvictionSizer(100, new KeepingLogger());
                sizer.Attach(broker.State);
                RoundTrip(sizer, 1, Setup, "stop_loss", 99);
                RoundTrip(sizer, 2, Setup, "stop_loss", 99);
                sizer.OnSubmitted(Request("b3", OrderSide.Buy), Buy(Setup), T0);
                sizer.OnFill(new Fill(T0, "b3", "ACME", OrderSide.Buy, 10, 100), new FillContext(10, 0)); // open at the stop
            }

            using (var broker = PaperBroker.Open(path, 100_000))
            {
                var sizer = new ConvictionSizer(100, new KeepingLogger());
                sizer.Attach(broker.State);
                Assert.Equal([-2, -2], sizer.OutcomesOf(Setup));
                Assert.Equal(Setup, sizer.OpenSetup("ACME"));
                sizer.OnFill(new Fill(T0, "s3", "ACME", OrderSide.Sell, 10, 98), new FillContext(0, 100)); // −2 %: −2 (its order is of the old process)
                Assert.Equal([-2, -2, -2], sizer.OutcomesOf(Setup));
                Assert.Equal(0.5, sizer.Multiplier(Setup), 12);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*"))
            {
                File.Delete(f);
            }
        }
    }

    [Fact]
    public void UnreadableState_StartsEmpty_WithAWarning()
    {
        var store = new CountingStore();
        store.Save(ConvictionSizer.StateKey, "{\"setups\":[{\"setup\":\"x\",\"outcomes\":\"1,7\"}]}");
        var logger = new KeepingLogger();
        var sizer = new ConvictionSizer(100, logger);
        sizer.Attach(store);
        Assert.Equal(0, sizer.Setups);
        Assert.Contains(logger.At(Microsoft.Extensions.Logging.LogLevel.Warning), w => w.Contains("outcome 7", StringComparison.Ordinal));
    }
}
