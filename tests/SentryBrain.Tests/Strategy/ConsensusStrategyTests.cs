using SentryBrain.Config;
using SentryBrain.Rules;
using SentryBrain.Signals;
using SentryBrain.Strategy;

namespace SentryBrain.Tests.Strategy;

/// <summary>
/// The composite/consensus strategy as a pure function (BEHAVIOR §3.2, §3.3, §5 and the order documented on
/// <see cref="ConsensusStrategy"/>). Defaults: 2 of the sources ≥ 0.15, momentum scales 100/50, stop 1 %, take profit 2 %.
/// </summary>
public sealed class ConsensusStrategyTests
{
    private static readonly ConsensusParameters Defaults = ConsensusParameters.From(new BrainConfig());

    /// <summary>A flat symbol in the regular session with nothing blocking: ask 100.00, bid 99.99.</summary>
    private static ConsensusInput Flat(double? news = null, double r1m = 0, double r5m = 0, double? rsi = null) => new(
        RegularSession: true,
        ExitPrice: 99.99,
        EntryPrice: 100.00,
        HeldQty: 0,
        AvgEntryPrice: 0,
        HasOpenBuy: false,
        HasOpenSell: false,
        News: news,
        Return1m: r1m,
        Return5m: r5m,
        Rsi: rsi,
        KillSwitchReason: null,
        DailyCap: DailyCapState.Open,
        InCooldown: false,
        EntryAllowed: true);

    /// <summary>
    /// Signals that clear the consensus easily: news 0.5 and momentum 0.6·clamp(100·0.01) + 0.4·clamp(50·0.01)
    /// = 0.6·1 + 0.4·0.5 = 0.8, so two sources ≥ 0.15.
    /// </summary>
    private static ConsensusInput StrongBuy() => Flat(news: 0.5, r1m: 0.01, r5m: 0.01);

    /// <summary>12 shares bought at 100.00, now sellable at <paramref name="exitPrice"/>; the buy signals stay strong.</summary>
    private static ConsensusInput Held(double exitPrice, long qty = 12, double avgEntry = 100.00)
        => StrongBuy() with { HeldQty = qty, AvgEntryPrice = avgEntry, ExitPrice = exitPrice };

    // ---- consensus -------------------------------------------------------------------------------------

    [Theory]
    // news 0.20 ≥ 0.15; momentum 0.6·(100·0.002) = 0.12 < 0.15 → 1 source
    [InlineData(0.20, 0.002, 0.0, null, TradeAction.Hold, "consensus_not_met")]
    // news 0.20; momentum 0.6·(100·0.003) = 0.18 → 2 sources
    [InlineData(0.20, 0.003, 0.0, null, TradeAction.Buy, "consensus_buy")]
    // news exactly at the threshold counts: 0.15 ≥ 0.15; momentum 0.18 → 2 sources
    [InlineData(0.15, 0.003, 0.0, null, TradeAction.Buy, "consensus_buy")]
    // news just below: 0.1499 < 0.15 → only momentum → 1 source
    [InlineData(0.1499, 0.003, 0.0, null, TradeAction.Hold, "consensus_not_met")]
    // no news: momentum 0.6·1 + 0.4·0.5 = 0.8 alone; absent news and a warming-up RSI do not count → 1 source
    [InlineData(null, 0.01, 0.01, null, TradeAction.Hold, "consensus_not_met")]
    // no news, momentum 0.8, RSI 20 → score 0.5 + (30 − 20)/60 = 0.667 → 2 sources
    [InlineData(null, 0.01, 0.01, 20.0, TradeAction.Buy, "consensus_buy")]
    // news 0.5, momentum 0, RSI 50 → score (50 − 50)/50 = 0 → 1 source
    [InlineData(0.5, 0.0, 0.0, 50.0, TradeAction.Hold, "consensus_not_met")]
    // nothing positive at all (social is a constant 0 < 0.15)
    [InlineData(null, 0.0, 0.0, null, TradeAction.Hold, "consensus_not_met")]
    public void Consensus_BuysOnlyWhenAtLeastTwoSourcesReachTheThreshold(double? news, double r1m, double r5m, double? rsi, TradeAction action, string reason)
    {
        var decision = ConsensusStrategy.Decide(Flat(news, r1m, r5m, rsi), Defaults);

        Assert.Equal(action, decision.Action);
        Assert.Equal(reason, decision.Reason);
    }

    [Fact]
    public void Consensus_MinSourcesIsConfigurable_ThreeRequiredRejectsTwo()
    {
        // news 0.5 and momentum 0.8 are 2 sources; 3 are required.
        var p = Defaults with { MinSourcesPositive = 3 };

        var decision = ConsensusStrategy.Decide(StrongBuy(), p);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal("consensus_not_met", decision.Reason);
        Assert.Equal(2, decision.Signals.PositiveSources);
    }

    [Fact]
    public void Consensus_RsiIsIgnored_WhenTechnicalIndicatorsAreOff()
    {
        // Same as the RSI 20 buy above, but with RSI off only momentum (0.8) counts.
        var p = Defaults with { UseRsi = false };

        var decision = ConsensusStrategy.Decide(Flat(news: null, r1m: 0.01, r5m: 0.01, rsi: 20), p);

        Assert.Equal("consensus_not_met", decision.Reason);
        Assert.Null(decision.Signals.RsiScore);
        Assert.Equal(1, decision.Signals.PositiveSources);
    }

    [Theory]
    // all three present and at the threshold: news, momentum, RSI score → 3 (social 0 < 0.15)
    [InlineData(0.15, 0.15, 0.15, 0.15, 3)]
    // absent news and RSI never count, even with threshold 0 where social 0 and momentum 0 do (0 ≥ 0)
    [InlineData(null, 0.0, null, 0.0, 2)]
    [InlineData(null, 0.5, null, 0.15, 1)]
    [InlineData(-0.2, -0.1, -0.3, 0.15, 0)]
    public void CountPositive_CountsSourcesAtOrAboveThreshold_AbsentSourcesNever(double? news, double momentum, double? rsiScore, double threshold, int expected)
    {
        Assert.Equal(expected, ConsensusStrategy.CountPositive(news, momentum, rsiScore, threshold));
    }

    [Theory]
    // composite = mean(news, social 0, momentum[, RSI score]); buy when ≥ 0.15
    // (0.6 + 0 + 0)/3 = 0.2 → buy with a single positive source
    [InlineData(0.6, 0.0, 0.0, null, true, TradeAction.Buy, "composite_buy")]
    // (0.3 + 0 + 0)/3 = 0.1 → below
    [InlineData(0.3, 0.0, 0.0, null, true, TradeAction.Hold, "composite_below_threshold")]
    // no news counts as 0: (0 + 0 + 0.8)/3 = 0.267 → buy
    [InlineData(null, 0.01, 0.01, null, true, TradeAction.Buy, "composite_buy")]
    // RSI 20 → 0.667: (0.3 + 0 + 0 + 0.667)/4 = 0.242 → buy
    [InlineData(0.3, 0.0, 0.0, 20.0, true, TradeAction.Buy, "composite_buy")]
    // RSI 85 → −0.75: (0.6 + 0 + 0 − 0.75)/4 = −0.0375 → below
    [InlineData(0.6, 0.0, 0.0, 85.0, true, TradeAction.Hold, "composite_below_threshold")]
    // same with RSI off: (0.6 + 0 + 0)/3 = 0.2 → buy
    [InlineData(0.6, 0.0, 0.0, 85.0, false, TradeAction.Buy, "composite_buy")]
    public void WithoutConsensus_BuysWhenCompositeMeanReachesThreshold(double? news, double r1m, double r5m, double? rsi, bool useRsi, TradeAction action, string reason)
    {
        var p = Defaults with { UseConsensus = false, UseRsi = useRsi };

        var decision = ConsensusStrategy.Decide(Flat(news, r1m, r5m, rsi), p);

        Assert.Equal(action, decision.Action);
        Assert.Equal(reason, decision.Reason);
    }

    [Theory]
    [InlineData(0.6, 0.0, null, 0.2)]                 // (0.6 + 0 + 0)/3
    [InlineData(null, 0.9, null, 0.3)]                // (0 + 0 + 0.9)/3
    [InlineData(0.3, 0.0, 0.5, 0.2)]                  // (0.3 + 0 + 0 + 0.5)/4
    [InlineData(-0.6, -0.3, -1.0, -0.475)]            // (−0.6 + 0 − 0.3 − 1)/4
    public void Composite_IsMeanOfNewsSocialMomentumAndRsiScoreWhenPresent(double? news, double momentum, double? rsiScore, double expected)
    {
        Assert.Equal(expected, ConsensusStrategy.Composite(news, momentum, rsiScore), 12);
    }

    // ---- signal formulas -------------------------------------------------------------------------------

    [Theory]
    [InlineData(0.0, 0.0, 0.0)]
    [InlineData(0.001, 0.002, 0.1)]     // 0.6·(100·0.001) + 0.4·(50·0.002) = 0.06 + 0.04
    [InlineData(0.0025, 0.0, 0.15)]     // 0.6·0.25 = 0.15
    [InlineData(0.005, -0.01, 0.1)]     // 0.6·0.5 + 0.4·(−0.5) = 0.3 − 0.2
    [InlineData(0.02, 0.03, 1.0)]       // 100·0.02 = 2 → clamp 1; 50·0.03 = 1.5 → clamp 1; 0.6 + 0.4
    [InlineData(-0.02, -0.001, -0.62)]  // clamp(−2) = −1 → −0.6; 0.4·(−0.05) = −0.02
    [InlineData(0.009, 0.05, 0.94)]     // 0.6·0.9 + 0.4·clamp(2.5) = 0.54 + 0.4
    public void Momentum_IsWeightedClampedScaledReturns(double r1m, double r5m, double expected)
    {
        Assert.Equal(expected, ConsensusSignals.Momentum(r1m, r5m, 100, 50), 12);
    }

    [Theory]
    [InlineData(20.0, 0.666666666667)]   // 0.5 + (30 − 20)/60
    [InlineData(30.0, 0.5)]              // 0.5 + 0/60
    [InlineData(40.0, 0.2)]              // (50 − 40)/50
    [InlineData(50.0, 0.0)]              // (50 − 50)/50
    [InlineData(60.0, -0.2)]             // (50 − 60)/50
    [InlineData(70.0, -0.5)]             // −0.5 − 0/60
    [InlineData(85.0, -0.75)]            // −0.5 − 15/60
    [InlineData(0.0, 1.0)]               // 0.5 + 30/60
    [InlineData(100.0, -1.0)]            // −0.5 − 30/60
    [InlineData(-10.0, 1.0)]             // 0.5 + 40/60 = 1.167 → clamped to 1
    [InlineData(110.0, -1.0)]            // −0.5 − 40/60 = −1.167 → clamped to −1
    public void RsiScore_FollowsBehaviorSection33_AndIsClamped(double rsi, double expected)
    {
        Assert.Equal(expected, ConsensusSignals.RsiScore(rsi), 9);
    }

    // ---- exits -----------------------------------------------------------------------------------------

    [Theory]
    // P&L = (exit − 100)/100·100 on the price we can sell at
    [InlineData(98.99, TradeAction.Sell, "stop_loss")]    // −1.01 % ≤ −1 %
    [InlineData(99.00, TradeAction.Sell, "stop_loss")]    // −1.00 % ≤ −1 %
    [InlineData(99.01, TradeAction.Hold, "holding")]      // −0.99 %
    [InlineData(101.99, TradeAction.Hold, "holding")]     // +1.99 %
    [InlineData(102.00, TradeAction.Sell, "take_profit")] // +2.00 % ≥ 2 %
    [InlineData(105.00, TradeAction.Sell, "take_profit")] // +5 %
    public void Exits_StopLossAndTakeProfit_SellTheWholePosition(double exitPrice, TradeAction action, string reason)
    {
        var decision = ConsensusStrategy.Decide(Held(exitPrice, qty: 12), Defaults);

        Assert.Equal(action, decision.Action);
        Assert.Equal(reason, decision.Reason);
        Assert.Equal(action == TradeAction.Sell ? 12 : 0, decision.Qty);
    }

    [Fact]
    public void StopLoss_ReportsPnlPercentInSignals()
    {
        var decision = ConsensusStrategy.Decide(Held(98.99), Defaults);

        Assert.Equal(-1.01, decision.Signals.PnlPct!.Value, 9); // (98.99 − 100)/100·100
        Assert.Equal(98.99, decision.Signals.Price);
    }

    [Fact]
    public void StopLoss_IsJudgedOnExitPrice_NotOnTheAsk()
    {
        // bid 98.99 (−1.01 %) with the ask still at 99.50 (−0.5 %): the bid is what a sell gets → stop.
        var byBid = ConsensusStrategy.Decide(Held(98.99) with { EntryPrice = 99.50 }, Defaults);
        // bid 99.50 (−0.5 %) with a stale ask of 98.00: no stop.
        var notByAsk = ConsensusStrategy.Decide(Held(99.50) with { EntryPrice = 98.00 }, Defaults);
        // take profit likewise: bid 101.90 (+1.9 %) with an ask of 102.10 is not yet +2 %.
        var tpByBid = ConsensusStrategy.Decide(Held(101.90) with { EntryPrice = 102.10 }, Defaults);

        Assert.Equal("stop_loss", byBid.Reason);
        Assert.Equal("holding", notByAsk.Reason);
        Assert.Equal("holding", tpByBid.Reason);
    }

    [Fact]
    public void StopLoss_IsMeasuredAgainstAverageEntryPrice()
    {
        // avg entry 50.00, bid 49.40: (49.40 − 50)/50·100 = −1.2 % → stop, 7 shares.
        var decision = ConsensusStrategy.Decide(Held(49.40, qty: 7, avgEntry: 50.00), Defaults);

        Assert.Equal(TradeAction.Sell, decision.Action);
        Assert.Equal("stop_loss", decision.Reason);
        Assert.Equal(7, decision.Qty);
    }

    [Fact]
    public void StopLossPct_IsConfigurable()
    {
        // −1.01 % is inside a 2 % stop.
        var decision = ConsensusStrategy.Decide(Held(98.99), Defaults with { StopLossPct = 2.0 });

        Assert.Equal("holding", decision.Reason);
    }

    [Fact]
    public void TakeProfitZero_DisablesTakeProfit()
    {
        // +50 % would take profit at 2 %; with TAKE_PROFIT_PCT=0 the position is held.
        var off = ConsensusStrategy.Decide(Held(150.00), Defaults with { TakeProfitPct = 0 });
        // the stop still works
        var stop = ConsensusStrategy.Decide(Held(98.00), Defaults with { TakeProfitPct = 0 });

        Assert.Equal(TradeAction.Hold, off.Action);
        Assert.Equal("holding", off.Reason);
        Assert.Equal("stop_loss", stop.Reason);
    }

    [Fact]
    public void OpenSell_HoldsWithExitPending_EvenBelowTheStop()
    {
        var decision = ConsensusStrategy.Decide(Held(90.00) with { HasOpenSell = true }, Defaults);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal("exit_pending", decision.Reason);
    }

    [Fact]
    public void HeldPosition_IsNeverAddedTo_EvenWithStrongSignals()
    {
        // +0.5 %, strong consensus: no second buy.
        var decision = ConsensusStrategy.Decide(Held(100.50), Defaults);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal("holding", decision.Reason);
    }

    // ---- entry gates -----------------------------------------------------------------------------------

    [Fact]
    public void SessionGate_BlocksEntriesOutsideRegularSession()
    {
        var decision = ConsensusStrategy.Decide(StrongBuy() with { RegularSession = false }, Defaults);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal("session_closed", decision.Reason);
    }

    [Fact]
    public void SessionGate_Off_AllowsEntriesOutsideRegularSession()
    {
        var decision = ConsensusStrategy.Decide(StrongBuy() with { RegularSession = false }, Defaults with { RegularSessionOnly = false });

        Assert.Equal(TradeAction.Buy, decision.Action);
    }

    [Theory]
    [InlineData(98.99, "stop_loss")]
    [InlineData(102.00, "take_profit")]
    public void SessionGate_DoesNotBlockExits(double exitPrice, string reason)
    {
        var decision = ConsensusStrategy.Decide(Held(exitPrice) with { RegularSession = false }, Defaults);

        Assert.Equal(TradeAction.Sell, decision.Action);
        Assert.Equal(reason, decision.Reason);
    }

    [Theory]
    [InlineData("kill_switch_news")]
    [InlineData("kill_switch_market")]
    [InlineData("kill_switch_manual")]
    public void KillSwitch_BlocksBuys_WithItsReason(string reason)
    {
        var decision = ConsensusStrategy.Decide(StrongBuy() with { KillSwitchReason = reason }, Defaults);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal(reason, decision.Reason);
    }

    [Theory]
    [InlineData(98.99, "stop_loss")]
    [InlineData(102.00, "take_profit")]
    public void KillSwitch_DoesNotBlockExits(double exitPrice, string reason)
    {
        var decision = ConsensusStrategy.Decide(Held(exitPrice) with { KillSwitchReason = "kill_switch_market" }, Defaults);

        Assert.Equal(TradeAction.Sell, decision.Action);
        Assert.Equal(reason, decision.Reason);
    }

    [Theory]
    [InlineData(DailyCapState.TargetReached, "daily_cap_reached")]
    [InlineData(DailyCapState.LossCapReached, "daily_loss_cap_reached")]
    public void DailyCap_BlocksBuys(DailyCapState state, string reason)
    {
        var decision = ConsensusStrategy.Decide(StrongBuy() with { DailyCap = state }, Defaults);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal(reason, decision.Reason);
    }

    [Theory]
    [InlineData(DailyCapState.TargetReached)]
    [InlineData(DailyCapState.LossCapReached)]
    public void DailyCap_DoesNotBlockExits(DailyCapState state)
    {
        var decision = ConsensusStrategy.Decide(Held(98.99) with { DailyCap = state }, Defaults);

        Assert.Equal("stop_loss", decision.Reason);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void OpenOrder_OnAFlatSymbol_HoldsWithOrderPending(bool openBuy, bool openSell)
    {
        var decision = ConsensusStrategy.Decide(StrongBuy() with { HasOpenBuy = openBuy, HasOpenSell = openSell }, Defaults);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal("order_pending", decision.Reason);
    }

    [Fact]
    public void OpenBuy_DoesNotBlockTheStopOfAHeldPosition()
    {
        var decision = ConsensusStrategy.Decide(Held(98.99) with { HasOpenBuy = true }, Defaults);

        Assert.Equal("stop_loss", decision.Reason);
    }

    [Fact]
    public void Cooldown_BlocksBuys()
    {
        var decision = ConsensusStrategy.Decide(StrongBuy() with { InCooldown = true }, Defaults);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal("cooldown", decision.Reason);
    }

    [Fact]
    public void Cooldown_DoesNotBlockExits()
    {
        // a stop right after the entry must not wait 30 s
        var decision = ConsensusStrategy.Decide(Held(98.99) with { InCooldown = true }, Defaults);

        Assert.Equal("stop_loss", decision.Reason);
    }

    [Fact]
    public void Watchlist_BlocksEntriesOffTheList_ButNotExits()
    {
        var entry = ConsensusStrategy.Decide(StrongBuy() with { EntryAllowed = false }, Defaults);
        var exit = ConsensusStrategy.Decide(Held(98.99) with { EntryAllowed = false }, Defaults);

        Assert.Equal("not_on_watchlist", entry.Reason);
        Assert.Equal("stop_loss", exit.Reason);
    }

    [Fact]
    public void NoPrice_HoldsInsteadOfBuying()
    {
        var decision = ConsensusStrategy.Decide(StrongBuy() with { EntryPrice = 0 }, Defaults);

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal("no_price", decision.Reason);
    }

    [Fact]
    public void StrongBuy_IsAConsensusBuy_WithQtyLeftToSizing()
    {
        var decision = ConsensusStrategy.Decide(StrongBuy(), Defaults);

        Assert.Equal(TradeAction.Buy, decision.Action);
        Assert.Equal("consensus_buy", decision.Reason);
        Assert.Equal(0, decision.Qty);
        Assert.Equal(2, decision.Signals.PositiveSources);
        Assert.Equal(0.8, decision.Signals.Momentum, 12);
        Assert.Equal(100.00, decision.Signals.Price); // flat: the price we would pay
        Assert.Null(decision.Signals.PnlPct);
    }

    // ---- order of evaluation ---------------------------------------------------------------------------

    [Fact]
    public void Gates_AreEvaluatedInTheDocumentedOrder_FirstMatchWins()
    {
        // Documented order: exits → session gate → kill switch → daily cap → open order → cooldown → consensus.
        // Start with every gate closed and weak signals, then open the gates one at a time, in that order:
        // each step must report the next gate.
        var input = Flat() with
        {
            RegularSession = false,
            KillSwitchReason = "kill_switch_news",
            DailyCap = DailyCapState.TargetReached,
            HasOpenBuy = true,
            InCooldown = true,
        };
        var steps = new List<string>();

        steps.Add(ConsensusStrategy.Decide(input, Defaults).Reason);
        input = input with { RegularSession = true };
        steps.Add(ConsensusStrategy.Decide(input, Defaults).Reason);
        input = input with { KillSwitchReason = null };
        steps.Add(ConsensusStrategy.Decide(input, Defaults).Reason);
        input = input with { DailyCap = DailyCapState.Open };
        steps.Add(ConsensusStrategy.Decide(input, Defaults).Reason);
        input = input with { HasOpenBuy = false };
        steps.Add(ConsensusStrategy.Decide(input, Defaults).Reason);
        input = input with { InCooldown = false };
        steps.Add(ConsensusStrategy.Decide(input, Defaults).Reason);

        Assert.Equal(["session_closed", "kill_switch_news", "daily_cap_reached", "order_pending", "cooldown", "consensus_not_met"], steps);
    }

    [Fact]
    public void KillSwitch_WinsOverCooldown()
    {
        var decision = ConsensusStrategy.Decide(StrongBuy() with { KillSwitchReason = "kill_switch_market", InCooldown = true }, Defaults);

        Assert.Equal("kill_switch_market", decision.Reason);
    }

    [Fact]
    public void Exits_ComeBeforeEveryGate()
    {
        var allClosed = Held(98.99) with
        {
            RegularSession = false,
            EntryAllowed = false,
            KillSwitchReason = "kill_switch_manual",
            DailyCap = DailyCapState.LossCapReached,
            HasOpenBuy = true,
            InCooldown = true,
        };

        var decision = ConsensusStrategy.Decide(allClosed, Defaults);

        Assert.Equal(TradeAction.Sell, decision.Action);
        Assert.Equal("stop_loss", decision.Reason);
    }
}
