using SentryBrain.Rules;
using SentryBrain.Strategy;

namespace SentryBrain.Tests.Strategy.Policy;

public class GreenLightPolicyTests
{
    private static readonly DateTime Monday = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);
    private static readonly GreenLightPolicy Policy = new(GreenLightParameters.Default, PositionExitParameters.Default);

    private static PolicyDecision Decide(IMarketFeatures market, HeldPosition position, EntryGates? gates = null, DateTime? eastern = null)
        => Policy.Decide(new DecisionContext("ACME", Monday, eastern, position, gates ?? EntryGates.Open, market));

    private static HeldPosition Long(long qty, double avg, bool vwapTarget = false, ulong levelsDone = 0)
        => new(qty, avg, null, 0, false, levelsDone, vwapTarget);

    [Fact]
    public void Flat_EveryChecklistItemPassing_Buys()
    {
        // Z 0 ≤ 0.5 (confluence), technical 0.5 ≥ −0.35, momentum skipped, OFI unknown passes, RSI 50, prob_gain 0.9 ≥ 0.12.
        var decision = Decide(new StubMarket(), HeldPosition.Flat).Decision;

        Assert.Equal(TradeAction.Buy, decision.Action);
        Assert.Equal("green_light_4pt", decision.Reason);
        Assert.Equal("ofi_unknown", decision.Signals.Detail);
        Assert.Equal(100, decision.Signals.Price);
    }

    [Fact]
    public void Long_ScaleOutLevelReached_ExitsFirst_WithTheLevelToMarkDone()
    {
        // P&L +1.5 %: level 1 % reached, 25 % of 100 shares.
        var step = Decide(new StubMarket { Exit = 101.5 }, Long(100, 100));

        Assert.Equal(new Decision(TradeAction.Sell, 25, "scale_out_1pct", step.Decision.Signals), step.Decision);
        Assert.Equal(0, step.ScaleOutLevel);

        // Level 1 done, 2 % not reached; no ATR ⇒ 1 % stop, 2 % target: nothing fires.
        var next = Decide(new StubMarket { Exit = 101.5 }, Long(100, 100, levelsDone: 1));
        Assert.Equal("holding", next.Decision.Reason);
        Assert.Null(next.ScaleOutLevel);
    }

    [Fact]
    public void IntradayWindows_ApplyOnlyWithAnEasternTime()
    {
        // P&L −0.5 %: above the 1 % stop; a loser after 15:50 ET on a weekday is closed, on a daily bar it is held.
        var market = new StubMarket { Exit = 99.5 };

        Assert.Equal("close_loss_before_close", Decide(market, Long(100, 100), eastern: new DateTime(2026, 3, 2, 15, 55, 0)).Decision.Reason);
        Assert.Equal("holding", Decide(market, Long(100, 100), eastern: new DateTime(2026, 3, 2, 15, 0, 0)).Decision.Reason);
        Assert.Equal("holding", Decide(market, Long(100, 100), eastern: null).Decision.Reason);
    }

    [Fact]
    public void VwapDistance_ReachesAPositionOnlyWhenVwapIsItsTarget()
    {
        // P&L +0.5 % (no scale-out level), price 0.2 % above VWAP: half at VWAP when VWAP is the target.
        var market = new StubMarket { Exit = 100.5, Vwap = 0.2 };

        var target = Decide(market, Long(100, 100, vwapTarget: true)).Decision;
        Assert.Equal((TradeAction.Sell, 50L, "scale_out_50_at_vwap"), (target.Action, target.Qty, target.Reason));
        Assert.Equal(0.2, target.Signals.VwapDistancePct);

        var notTarget = Decide(market, Long(100, 100, vwapTarget: false)).Decision;
        Assert.Equal("holding", notTarget.Reason);
        Assert.Null(notTarget.Signals.VwapDistancePct);
    }

    [Fact]
    public void CostlySignals_AreAskedOnlyWhenTheyCanChangeTheDecision()
    {
        var gateClosed = new StubMarket { Precomputed = false };
        Assert.Equal("order_pending", Decide(gateClosed, HeldPosition.Flat, EntryGates.Open with { HasOpenBuy = true }).Decision.Reason);
        Assert.Equal(0, gateClosed.CostlyCalls);

        var noConfluence = new StubMarket { Precomputed = false, Z = 1 };
        var pattern = Decide(noConfluence, HeldPosition.Flat).Decision;
        Assert.Equal("green_light_pattern", pattern.Reason);
        Assert.Equal("technical_unknown", pattern.Signals.Detail); // documented: not no_confluence, as it was never computed
        Assert.Equal(1, noConfluence.CostlyCalls); // structure only

        var structureFalse = new StubMarket { Precomputed = false, Structure = false };
        Assert.Equal("green_light_structure", Decide(structureFalse, HeldPosition.Flat).Decision.Reason);
        Assert.Equal(1, structureFalse.CostlyCalls);

        var spy = new StubMarket { Precomputed = false, Z = 0 }; // Z 0 > −2.8: the SPY tighten fails confluence
        Assert.Equal("green_light_pattern", Decide(spy, HeldPosition.Flat, EntryGates.Open with { SpyBelow200ma = true }).Decision.Reason);
        Assert.Equal(1, spy.CostlyCalls);

        var open = new StubMarket { Precomputed = false };
        Assert.Equal("green_light_4pt", Decide(open, HeldPosition.Flat).Decision.Reason);
        Assert.Equal(2, open.CostlyCalls); // structure and technical; momentum skipped (SCALP_SKIP_MOMENTUM)

        var precomputed = new StubMarket { Precomputed = true };
        Assert.Equal("order_pending", Decide(precomputed, HeldPosition.Flat, EntryGates.Open with { HasOpenBuy = true }).Decision.Reason);
        Assert.Equal(3, precomputed.CostlyCalls); // free: journaled with every decision
    }

    [Fact]
    public void Decision_IsThePureFunctionsOnTheContextsInputs()
    {
        var market = new StubMarket { Entry = 50, AtrPercent = 1.5, Z = -0.3, Vwap = -0.4, Ofi = 0.2, Rsi = 60, ProbGain = 0.4, AtrPercentile = 70 };
        var gates = EntryGates.Open with { DailyCap = DailyCapState.Open };
        var expected = GreenLightStrategy.Decide(
            new GreenLightInput(true, 0, 0, 50, null, 0, false, false, null, -0.4, 1.5, -0.3, 70, true, 0.5, true, 0.2, 60, 0.4, null, DailyCapState.Open, false, false, false, false, false, true, false),
            GreenLightParameters.Default);

        Assert.Equal(expected, Decide(market, HeldPosition.Flat, gates, eastern: new DateTime(2026, 3, 2, 10, 0, 0)).Decision);
        Assert.Equal(TradeAction.Buy, expected.Action);
    }

    [Fact]
    public void Levels_AreTheDecisionsStopAndTarget()
    {
        var decision = Decide(new StubMarket { AtrPercent = 1.0 }, HeldPosition.Flat).Decision;

        // ATR stop 1 % × 2 = 2 %; take profit 2 % × 1.2 = 2.4 %.
        Assert.Equal(new ProtectiveLevels(2.0, 2.4), Policy.Levels(decision));
        Assert.False(Policy.BuysWithAllCash);
        Assert.Equal("green_light", Policy.Name);
    }
}
