using SentryBrain.Config;
using SentryBrain.Rules;
using SentryBrain.Strategy;

namespace SentryBrain.Tests.Strategy.Policy;

public class EntryGatesTests
{
    private static readonly EntryGates AllClosed = new(
        RegularSession: false,
        EntryAllowed: false,
        KillSwitchReason: "kill_switch_news",
        DailyCap: DailyCapState.TargetReached,
        DrawdownHalted: true,
        NoNewBuysWindow: true,
        HasOpenBuy: true,
        HasOpenSell: true,
        InCooldown: true,
        SpyBelow200ma: true);

    [Fact]
    public void AllOpen_WithAPrice_IsOpen()
    {
        Assert.Null(EntryGates.Open.FirstClosed(100, regularSessionOnly: true));
        Assert.Null((EntryGates.Open with { SpyBelow200ma = true }).FirstClosed(100, true)); // a market fact, not a gate
    }

    /// <summary>Opening the gates one at a time, in the documented order, each time the next one answers.</summary>
    [Fact]
    public void Gates_AnswerInTheDocumentedOrder()
    {
        var gates = AllClosed;
        var seen = new List<string?>();
        var opens = new Func<EntryGates, EntryGates>[]
        {
            g => g with { RegularSession = true },
            g => g with { EntryAllowed = true },
            g => g with { KillSwitchReason = null },
            g => g with { DailyCap = DailyCapState.LossCapReached },
            g => g with { DailyCap = DailyCapState.Open },
            g => g with { DrawdownHalted = false },
            g => g with { NoNewBuysWindow = false },
            g => g with { HasOpenBuy = false },
            g => g with { HasOpenSell = false },
            g => g with { InCooldown = false },
        };
        seen.Add(gates.FirstClosed(double.NaN, regularSessionOnly: true));
        foreach (var open in opens)
        {
            gates = open(gates);
            seen.Add(gates.FirstClosed(double.NaN, regularSessionOnly: true));
        }

        Assert.Equal(
            ["session_closed", "not_on_watchlist", "kill_switch_news", "daily_cap_reached", "daily_loss_cap_reached", "drawdown_halt",
                "no_new_buys_after", "order_pending", "order_pending", "cooldown", "no_price"],
            seen);
    }

    [Fact]
    public void SessionGate_OnlyWhenRegularSessionOnly()
    {
        var gates = EntryGates.Open with { RegularSession = false };

        Assert.Equal("session_closed", gates.FirstClosed(100, regularSessionOnly: true));
        Assert.Null(gates.FirstClosed(100, regularSessionOnly: false));
    }

    [Fact]
    public void EmptyKillSwitchReason_ReadsKillSwitchActive()
    {
        Assert.Equal("kill_switch_active", (EntryGates.Open with { KillSwitchReason = "" }).FirstClosed(100, true));
        Assert.Equal("kill_switch_manual", (EntryGates.Open with { KillSwitchReason = "kill_switch_manual" }).FirstClosed(100, true));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NoPositiveFinitePrice_IsNoPrice(double price)
        => Assert.Equal("no_price", EntryGates.Open.FirstClosed(price, true));

    /// <summary>Both strategies' pure functions answer a flat entry with the shared gate's reason, for every gate.</summary>
    [Fact]
    public void BothStrategies_UseTheSharedGates()
    {
        var cases = new[]
        {
            EntryGates.Open with { RegularSession = false },
            EntryGates.Open with { EntryAllowed = false },
            EntryGates.Open with { KillSwitchReason = "kill_switch_market" },
            EntryGates.Open with { KillSwitchReason = "" },
            EntryGates.Open with { DailyCap = DailyCapState.TargetReached },
            EntryGates.Open with { DailyCap = DailyCapState.LossCapReached },
            EntryGates.Open with { DrawdownHalted = true },
            EntryGates.Open with { NoNewBuysWindow = true },
            EntryGates.Open with { HasOpenBuy = true },
            EntryGates.Open with { HasOpenSell = true },
            EntryGates.Open with { InCooldown = true },
        };
        var greenLight = new GreenLightPolicy(GreenLightParameters.Default, PositionExitParameters.Default);
        var consensus = new ConsensusPolicy(ConsensusParameters.From(BrainConfig.Load(ConfigSource.FromPairs())));
        foreach (var gates in cases)
        {
            var expected = gates.FirstClosed(100, regularSessionOnly: true);
            var context = new DecisionContext("ACME", new DateTime(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc), null, HeldPosition.Flat, gates, new StubMarket());

            Assert.NotNull(expected);
            Assert.Equal(expected, greenLight.Decide(context).Decision.Reason);
            Assert.Equal(expected, consensus.Decide(context).Decision.Reason);
        }
    }
}
