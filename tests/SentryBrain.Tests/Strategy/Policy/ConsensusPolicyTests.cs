using SentryBrain.Strategy;

namespace SentryBrain.Tests.Strategy.Policy;

public class ConsensusPolicyTests
{
    private static readonly ConsensusParameters Parameters = new(
        UseConsensus: true, MinSourcesPositive: 2, PositiveThreshold: 0.15, UseRsi: true, MomentumScale1m: 100, MomentumScale5m: 50,
        StopLossPct: 1.0, TakeProfitPct: 2.0, RegularSessionOnly: true);

    private static readonly ConsensusPolicy Policy = new(Parameters);

    private static Decision Decide(IMarketFeatures market, HeldPosition position, EntryGates? gates = null)
        => Policy.Decide(new DecisionContext("ACME", new DateTime(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc), null, position, gates ?? EntryGates.Open, market)).Decision;

    [Fact]
    public void NewsAndMomentum_AreTwoSources_Buy()
    {
        // News 0.5 ≥ 0.15; momentum 0.6·clamp(100·0.01) + 0.4·clamp(50·0) = 0.6 ≥ 0.15; RSI 50 scores 0.
        var market = new StubMarket { News = 0.5, Return1 = 0.01, Return5 = 0, Rsi = 50 };

        var decision = Decide(market, HeldPosition.Flat);
        Assert.Equal((TradeAction.Buy, "consensus_buy", 2), (decision.Action, decision.Reason, decision.Signals.PositiveSources));
        Assert.Equal(0.6, decision.Signals.Momentum, 12);

        // Without news only momentum counts: 1 < 2.
        Assert.Equal("consensus_not_met", Decide(new StubMarket { News = null, Return1 = 0.01, Rsi = 50 }, HeldPosition.Flat).Reason);
        Assert.Equal("cooldown", Decide(market, HeldPosition.Flat, EntryGates.Open with { InCooldown = true }).Reason);
    }

    [Theory]
    [InlineData(98.9, "stop_loss")] // −1.1 % ≤ −1 %
    [InlineData(102.0, "take_profit")] // +2 % ≥ 2 %
    [InlineData(100.5, "holding")]
    public void Long_FixedStopAndTarget_OnTheExitPrice(double exit, string reason)
    {
        var decision = Decide(new StubMarket { Exit = exit, Entry = 1_000 }, new HeldPosition(10, 100, null, 0, false, 0, false), EntryGates.Open with { KillSwitchReason = "kill_switch_manual" });

        Assert.Equal(reason, decision.Reason);
        Assert.Equal(reason == "holding" ? 0 : 10, decision.Qty);
    }

    [Fact]
    public void Levels_AreTheFixedStopAndTarget()
    {
        Assert.Equal(new ProtectiveLevels(1.0, 2.0), Policy.Levels(default));
        Assert.Equal(new ProtectiveLevels(null, null), new ConsensusPolicy(Parameters with { StopLossPct = 0, TakeProfitPct = 0 }).Levels(default));
        Assert.Equal("consensus", Policy.Name);
    }
}
