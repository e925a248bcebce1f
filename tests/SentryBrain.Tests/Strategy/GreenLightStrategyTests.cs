using SentryBrain.Config;
using SentryBrain.Rules;
using SentryBrain.Strategy;

namespace SentryBrain.Tests.Strategy;

/// <summary>
/// The Green Light strategy (BEHAVIOR §4, §5, fixes for §12 weaknesses 9, 10, 11, 15, 16, 21), one test or table per
/// step of the order of evaluation and per checklist item. Every expected value is worked out by hand in the comments.
/// Defaults: fixed stop 1 %, take profit 2 %, ATR stop × 1.2 take profit, breakeven at a 1 % peak, trailing 1 % once
/// the peak reached 2 %, max hold 10 days, technical ≥ −0.35, Z ≤ 0.5, OFI ≥ 0, RSI 80 needs OFI 0.10, prob ≥ 0.12.
/// </summary>
public sealed class GreenLightStrategyTests
{
    private static readonly GreenLightParameters Defaults = GreenLightParameters.Default;

    /// <summary>
    /// A flat symbol that clears every gate and checklist item: regular session, price 100, structure ok,
    /// technical 0.2 ≥ −0.35, Z 0.1 ≤ 0.5, OFI 0.3 ≥ 0, RSI 55 ≤ 80, prob 0.5 ≥ 0.12.
    /// </summary>
    private static GreenLightInput Flat() => new(
        RegularSession: true,
        HeldQty: 0,
        AvgEntryPrice: 0,
        CurrentPrice: 100,
        PeakPnlPct: null,
        DaysHeld: 0,
        ScaledAtVwap: false,
        InHealthCheckWindow: false,
        AtrStopPct: null,
        VwapDistancePct: -0.5,
        AtrPct: null,
        ZScore: 0.1,
        AtrPercentile: 40,
        StructureOk: true,
        TechnicalScore: 0.2,
        MomentumOk: true,
        Ofi: 0.3,
        Rsi: 55,
        ProbGain: 0.5,
        KillSwitchReason: null,
        DailyCap: DailyCapState.Open,
        DrawdownHalted: false,
        NoNewBuysWindow: false,
        HasOpenBuy: false,
        HasOpenSell: false,
        InCooldown: false,
        EntryAllowed: true,
        SpyBelow200ma: false);

    /// <summary>
    /// <paramref name="qty"/> shares bought at 100, marked at <paramref name="price"/>: P&amp;L = price − 100 percent.
    /// No ATR, VWAP or Z, so the fixed 1 % stop and 2 % take profit apply and the VWAP steps 4, 5, 7, 8 are off.
    /// </summary>
    private static GreenLightInput Held(double price, double? peak = null, long qty = 10) => Flat() with
    {
        HeldQty = qty,
        AvgEntryPrice = 100,
        CurrentPrice = price,
        PeakPnlPct = peak,
        VwapDistancePct = null,
        ZScore = null,
    };

    private static void AssertDecision(Decision decision, TradeAction action, string reason, long qty = 0)
    {
        Assert.Equal(reason, decision.Reason);
        Assert.Equal(action, decision.Action);
        Assert.Equal(qty, decision.Qty);
    }

    // ---- parameters --------------------------------------------------------------------------------------

    [Fact]
    public void Default_HoldsTheReferenceDefaultsOfBehaviorSection10()
    {
        var p = GreenLightParameters.Default;

        Assert.True(p.RegularSessionOnly);
        Assert.True(p.UseAtrStop);
        Assert.Equal(2.0, p.AtrStopMultiple);
        Assert.Equal(1.2, p.TakeProfitRMultiple);
        Assert.Equal(1.0, p.StopLossPct);
        Assert.Equal(2.0, p.TakeProfitPct);
        Assert.True(p.TakeProfitAtVwap);
        Assert.True(p.ScaleOut50AtVwap);
        Assert.True(p.TrailingAtrAboveVwap);
        Assert.Equal(1.5, p.TrailingAtrMultiple);
        Assert.True(p.BreakevenAtHalfwayToVwap);
        Assert.Equal(1.0, p.BreakevenActivationPct);
        Assert.Equal(2.0, p.TrailingStopActivationPct);
        Assert.Equal(1.0, p.TrailingStopPct);
        Assert.Equal(10, p.MaxHoldDays);
        Assert.Equal(-0.35, p.TechnicalMinForEntry);
        Assert.Equal(0.5, p.ConfluenceZMax);
        Assert.True(p.ScalpSkipMomentum);
        Assert.Equal(0.0, p.OfiSurgeForEntry);
        Assert.Equal(80, p.RsiOverbought);
        Assert.Equal(0.10, p.RsiOverboughtOfiMin);
        Assert.Equal(0.12, p.ProbGainThreshold);
        Assert.Equal(-2.8, p.SpyBelow200maZTighten);
    }

    [Fact]
    public void From_DefaultConfig_EqualsDefault()
    {
        Assert.Equal(GreenLightParameters.Default, GreenLightParameters.From(new BrainConfig()));
    }

    // ---- P&L ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(10L, 100.0, 98.7, -1.3)]  // long: (98.7 − 100)/100·100
    [InlineData(10L, 50.0, 51.0, 2.0)]    // long: (51 − 50)/50·100
    [InlineData(-5L, 100.0, 98.0, 2.0)]   // short: (100 − 98)/100·100
    public void PnlPct_IsMeasuredFromTheAverageEntry(long qty, double entry, double price, double expected)
    {
        Assert.Equal(expected, GreenLightStrategy.PnlPct(qty, entry, price)!.Value, 9);
    }

    [Theory]
    [InlineData(0L, 100.0, 99.0)]  // flat
    [InlineData(10L, 0.0, 99.0)]   // no entry price
    [InlineData(10L, 100.0, 0.0)]  // no price
    [InlineData(10L, 100.0, double.NaN)]
    public void PnlPct_IsNullWithoutAPositionOrPrices(long qty, double entry, double price)
    {
        Assert.Null(GreenLightStrategy.PnlPct(qty, entry, price));
    }

    [Fact]
    public void PeakPnl_IsRaisedToTheCurrentPnl()
    {
        // caller's peak 0.5 %, now 101.5 → P&L 1.5 % > 0.5 % → peak 1.5 %; no exit (1.5 < 2 % take profit).
        var decision = GreenLightStrategy.Decide(Held(101.5, peak: 0.5), Defaults);

        AssertDecision(decision, TradeAction.Hold, "holding");
        Assert.Equal(1.5, decision.Signals.PeakPnlPct!.Value, 9);
    }

    // ---- step 1: session gates entries only ---------------------------------------------------------------

    [Theory]
    [InlineData(true, true, TradeAction.Buy, "green_light_4pt")]
    [InlineData(false, true, TradeAction.Hold, "session_closed")]
    [InlineData(false, false, TradeAction.Buy, "green_light_4pt")] // STRATEGY_REGULAR_SESSION_ONLY=false
    public void Step1_Session_BlocksEntriesOutsideTheRegularSession(bool regular, bool regularOnly, TradeAction action, string reason)
    {
        var decision = GreenLightStrategy.Decide(Flat() with { RegularSession = regular }, Defaults with { RegularSessionOnly = regularOnly });

        AssertDecision(decision, action, reason);
    }

    [Fact]
    public void Step1_Session_DoesNotBlockExits()
    {
        // Pre-market, 98.7 → −1.3 % ≤ −1 % → stop loss (the reference held with "session=pre_open").
        var decision = GreenLightStrategy.Decide(Held(98.7) with { RegularSession = false }, Defaults);

        AssertDecision(decision, TradeAction.Sell, "stop_loss", 10);
    }

    // ---- step 2: portfolio health check ------------------------------------------------------------------

    [Theory]
    [InlineData(true, 99.9, TradeAction.Sell, "portfolio_health_check_loser")] // −0.1 % < 0
    [InlineData(true, 100.0, TradeAction.Hold, "holding")]                     // 0 % is not a loser
    [InlineData(true, 100.5, TradeAction.Hold, "holding")]                     // +0.5 %
    [InlineData(false, 99.9, TradeAction.Hold, "holding")]                     // outside the window −0.1 % is inside the 1 % stop
    public void Step2_HealthCheck_SellsLosersInTheWindow(bool window, double price, TradeAction action, string reason)
    {
        var decision = GreenLightStrategy.Decide(Held(price) with { InHealthCheckWindow = window }, Defaults);

        AssertDecision(decision, action, reason, action == TradeAction.Sell ? 10 : 0);
    }

    [Fact]
    public void Step2_HealthCheck_ComesBeforeTheStopLoss()
    {
        // 98 → −2 % is at the stop too; the health check is evaluated first.
        var decision = GreenLightStrategy.Decide(Held(98) with { InHealthCheckWindow = true }, Defaults);

        AssertDecision(decision, TradeAction.Sell, "portfolio_health_check_loser", 10);
    }

    // ---- step 3: stop loss ---------------------------------------------------------------------------------

    [Theory]
    // ATR stop 1.2 %: 98.7 → −1.3 % ≤ −1.2 % → stop
    [InlineData(1.2, null, true, 98.7, "stop_loss", 1.2)]
    // ATR stop 1.2 %: 98.9 → −1.1 % > −1.2 % → hold
    [InlineData(1.2, null, true, 98.9, "holding", 1.2)]
    // USE_ATR_STOP=false: fixed 1 %: 98.9 → −1.1 % ≤ −1 % → stop
    [InlineData(1.2, null, false, 98.9, "stop_loss", 1.0)]
    // only ATR % 0.6 given: ATR stop = 0.6 × 2 = 1.2 %; 98.7 → −1.3 % → stop
    [InlineData(null, 0.6, true, 98.7, "stop_loss", 1.2)]
    // only ATR % 0.6: 98.9 → −1.1 % > −1.2 % → hold
    [InlineData(null, 0.6, true, 98.9, "holding", 1.2)]
    // no ATR: fixed 1 %: 99.00 → −1.00 % ≤ −1 % → stop; 99.01 → −0.99 % → hold
    [InlineData(null, null, true, 99.0, "stop_loss", 1.0)]
    [InlineData(null, null, true, 99.01, "holding", 1.0)]
    public void Step3_StopLoss_UsesTheAtrStopWhenKnown_ElseTheFixedStop(double? atrStopPct, double? atrPct, bool useAtr, double price, string reason, double stopPct)
    {
        var input = Held(price) with { AtrStopPct = atrStopPct, AtrPct = atrPct };

        var decision = GreenLightStrategy.Decide(input, Defaults with { UseAtrStop = useAtr });

        AssertDecision(decision, reason == "holding" ? TradeAction.Hold : TradeAction.Sell, reason, reason == "holding" ? 0 : 10);
        Assert.Equal(stopPct, decision.Signals.StopPct!.Value, 9);
    }

    [Fact]
    public void Step3_StopLoss_SellsTheWholePosition_NoTwelveShareCap()
    {
        // 40 shares at −1.3 %: the reference sold min(40, 12) = 12.
        var decision = GreenLightStrategy.Decide(Held(98.7, qty: 40), Defaults);

        AssertDecision(decision, TradeAction.Sell, "stop_loss", 40);
        Assert.Equal(-1.3, decision.Signals.PnlPct!.Value, 9);
    }

    // ---- step 4: scale out half at VWAP --------------------------------------------------------------------

    [Theory]
    [InlineData(10L, 5L)] // max(1, 10 div 2) = 5
    [InlineData(7L, 3L)]  // max(1, 7 div 2) = 3
    [InlineData(1L, 1L)]  // max(1, 1 div 2 = 0) = 1
    public void Step4_ScaleOut50AtVwap_SellsHalf(long qty, long expected)
    {
        // 100.5 is 0.2 % above VWAP (distance ≥ 0); not scaled yet.
        var input = Held(100.5, qty: qty) with { VwapDistancePct = 0.2 };

        var decision = GreenLightStrategy.Decide(input, Defaults);

        AssertDecision(decision, TradeAction.Sell, "scale_out_50_at_vwap", expected);
    }

    [Theory]
    // already scaled → step 5 sells the rest
    [InlineData(true, true, true, 0.2, TradeAction.Sell, "take_profit_at_vwap")]
    // scale-out off → step 5
    [InlineData(false, true, false, 0.2, TradeAction.Sell, "take_profit_at_vwap")]
    // take-profit-at-VWAP off disables the scale-out too; +0.5 % < 2 % take profit → hold
    [InlineData(false, false, true, 0.2, TradeAction.Hold, "holding")]
    // below VWAP (−0.1 %) → no VWAP exit
    [InlineData(false, true, true, -0.1, TradeAction.Hold, "holding")]
    // exactly at VWAP counts (0 ≥ 0)
    [InlineData(false, true, true, 0.0, TradeAction.Sell, "scale_out_50_at_vwap")]
    public void Step4And5_VwapExits(bool scaled, bool tpAtVwap, bool scaleOut50, double distance, TradeAction action, string reason)
    {
        var input = Held(100.5) with { VwapDistancePct = distance, ScaledAtVwap = scaled };

        var decision = GreenLightStrategy.Decide(input, Defaults with { TakeProfitAtVwap = tpAtVwap, ScaleOut50AtVwap = scaleOut50 });

        var qty = reason == "take_profit_at_vwap" ? 10 : reason == "scale_out_50_at_vwap" ? 5 : 0;
        AssertDecision(decision, action, reason, qty);
    }

    [Fact]
    public void Step3_StopLoss_ComesBeforeTheVwapExits()
    {
        // VWAP below entry: price 98.5 is 0.1 % above VWAP but −1.5 % ≤ −1 % → stop, whole position.
        var decision = GreenLightStrategy.Decide(Held(98.5) with { VwapDistancePct = 0.1 }, Defaults);

        AssertDecision(decision, TradeAction.Sell, "stop_loss", 10);
    }

    // ---- step 5: take profit at VWAP ------------------------------------------------------------------------

    [Fact]
    public void Step5_TakeProfitAtVwap_SellsTheWholePositionOnceScaled()
    {
        // 12 shares, scaled already, price 0.3 % above VWAP → all 12.
        var decision = GreenLightStrategy.Decide(Held(100.4, qty: 12) with { VwapDistancePct = 0.3, ScaledAtVwap = true }, Defaults);

        AssertDecision(decision, TradeAction.Sell, "take_profit_at_vwap", 12);
    }

    // ---- step 6: take profit ---------------------------------------------------------------------------------

    [Theory]
    // no ATR: fixed 2 %: 102.01 → +2.01 % ≥ 2 % → sell; 101.99 → +1.99 % → hold
    [InlineData(null, true, 1.2, 2.0, 102.01, "take_profit", 2.0)]
    [InlineData(null, true, 1.2, 2.0, 101.99, "holding", 2.0)]
    // ATR stop 1.2 %: take profit 1.2 × 1.2 = 1.44 %: 101.45 → +1.45 % ≥ 1.44 % → sell; 101.43 → +1.43 % → hold
    [InlineData(1.2, true, 1.2, 2.0, 101.45, "take_profit", 1.44)]
    [InlineData(1.2, true, 1.2, 2.0, 101.43, "holding", 1.44)]
    // USE_ATR_STOP=false: the fixed 2 % applies even with ATR known: +1.45 % → hold
    [InlineData(1.2, false, 1.2, 2.0, 101.45, "holding", 2.0)]
    // TAKE_PROFIT_R_MULTIPLE=0: fixed 2 %
    [InlineData(1.2, true, 0.0, 2.0, 101.45, "holding", 2.0)]
    public void Step6_TakeProfit_IsAnRMultipleOfTheAtrStop_ElseFixed(double? atrStopPct, bool useAtr, double rMultiple, double tpPct, double price, string reason, double expectedTp)
    {
        var p = Defaults with { UseAtrStop = useAtr, TakeProfitRMultiple = rMultiple, TakeProfitPct = tpPct };

        var decision = GreenLightStrategy.Decide(Held(price) with { AtrStopPct = atrStopPct }, p);

        AssertDecision(decision, reason == "holding" ? TradeAction.Hold : TradeAction.Sell, reason, reason == "holding" ? 0 : 10);
        Assert.Equal(expectedTp, decision.Signals.TakeProfitPct!.Value, 9);
    }

    [Fact]
    public void Step6_TakeProfitZero_IsOff()
    {
        // +2.5 % with TAKE_PROFIT_PCT=0 and no ATR: no take profit; trailing: peak 2.5 %, 2.5 < 2.5 − 1 is false → hold.
        var decision = GreenLightStrategy.Decide(Held(102.5), Defaults with { TakeProfitPct = 0 });

        AssertDecision(decision, TradeAction.Hold, "holding");
        Assert.Null(decision.Signals.TakeProfitPct);
    }

    // ---- step 7: ATR trail above VWAP ---------------------------------------------------------------------

    /// <summary>
    /// Entry 100, peak +3 % (peak price 103), ATR 1 % of price ⇒ ATR stop 2 % (stop at −2 %, take profit 2.4 %);
    /// take-profit-at-VWAP off so step 7 is reachable.
    /// </summary>
    private static GreenLightInput AboveVwapWithAtr(double price, double distance) => Held(price, peak: 3.0) with { AtrPct = 1.0, VwapDistancePct = distance };

    [Theory]
    // 101.4: ATR$ = 101.4·1 % = 1.014; level = 103 − 1.5·1.014 = 101.479; 101.4 ≤ 101.479 → sell
    [InlineData(101.4, 0.5, "trailing_atr_above_vwap")]
    // 102.2: ATR$ = 1.022; level = 103 − 1.533 = 101.467; 102.2 > level; +2.2 % < 2.4 % TP; trailing 2.2 ≥ 3 − 1 → hold
    [InlineData(102.2, 0.5, "holding")]
    // 101.4 below VWAP (−0.5 %): step 7 needs distance ≥ 0; the P&L trailing stop catches it: 1.4 < 3 − 1 = 2
    [InlineData(101.4, -0.5, "trailing_stop")]
    public void Step7_TrailingAtrAboveVwap(double price, double distance, string reason)
    {
        var decision = GreenLightStrategy.Decide(AboveVwapWithAtr(price, distance), Defaults with { TakeProfitAtVwap = false });

        AssertDecision(decision, reason == "holding" ? TradeAction.Hold : TradeAction.Sell, reason, reason == "holding" ? 0 : 10);
    }

    [Fact]
    public void Step7_TrailingAtrAboveVwap_AtrFromTheAtrStopWhenAtrPctIsUnknown()
    {
        // ATR stop 2 % / multiple 2 = ATR 1 % of price: same numbers as above at 101.4 → sell.
        var input = Held(101.4, peak: 3.0) with { AtrStopPct = 2.0, VwapDistancePct = 0.5 };

        var decision = GreenLightStrategy.Decide(input, Defaults with { TakeProfitAtVwap = false });

        AssertDecision(decision, TradeAction.Sell, "trailing_atr_above_vwap", 10);
    }

    [Fact]
    public void Step7_IsUnreachableWhileStep5IsOn()
    {
        // The same position as the step 7 sell, with TAKE_PROFIT_AT_VWAP on (scaled already): step 5 sells first.
        var input = AboveVwapWithAtr(101.4, 0.5) with { ScaledAtVwap = true };

        var decision = GreenLightStrategy.Decide(input, Defaults);

        AssertDecision(decision, TradeAction.Sell, "take_profit_at_vwap", 10);
    }

    // ---- step 8: breakeven once halfway to VWAP ------------------------------------------------------------

    [Theory]
    // VWAP = 101/0.99 = 102.0202; price 100 is (100/102.0202 − 1)·100 = −1.980198 % from it. P&L 0.
    // peak 1.0 % (101): (101 − 100)/(102.0202 − 100) = 0.495 < 0.5 → no; breakeven activation off → hold
    [InlineData(100.0, -1.9801980198, 1.0, "holding")]
    // peak 1.2 % (101.2): 1.2/2.0202 = 0.594 ≥ 0.5 ∧ P&L 0 ≤ 0 → sell
    [InlineData(100.0, -1.9801980198, 1.2, "breakeven_halfway_to_vwap")]
    // price 100.1 (+0.1 %), −1.2 % from VWAP: VWAP = 100.1/0.988 = 101.3158; peak 0.7: 0.7/1.3158 = 0.53 ≥ 0.5 but P&L > 0 → hold
    [InlineData(100.1, -1.2, 0.7, "holding")]
    // price 99.5 (−0.5 %), −0.3 % from VWAP: VWAP = 99.5/0.997 = 99.80 ≤ entry 100 → rule does not apply → hold
    [InlineData(99.5, -0.3, 0.9, "holding")]
    public void Step8_BreakevenHalfwayToVwap_ArmsOnThePeakPrice(double price, double distance, double peak, string reason)
    {
        var input = Held(price, peak: peak) with { VwapDistancePct = distance };

        var decision = GreenLightStrategy.Decide(input, Defaults with { BreakevenActivationPct = 0 });

        AssertDecision(decision, reason == "holding" ? TradeAction.Hold : TradeAction.Sell, reason, reason == "holding" ? 0 : 10);
    }

    [Fact]
    public void Step8_Off_FallsThroughToTheBreakevenActivation()
    {
        // peak 0.7 % < 1 % activation; halfway rule off → hold (on, it would sell: 0.7/1.21457 = 0.576 ≥ 0.5 with VWAP = 100/0.988).
        var input = Held(100, peak: 0.7) with { VwapDistancePct = -1.2 };

        var off = GreenLightStrategy.Decide(input, Defaults with { BreakevenAtHalfwayToVwap = false });
        var on = GreenLightStrategy.Decide(input, Defaults);

        AssertDecision(off, TradeAction.Hold, "holding");
        AssertDecision(on, TradeAction.Sell, "breakeven_halfway_to_vwap", 10);
    }

    // ---- step 9: breakeven ---------------------------------------------------------------------------------

    [Theory]
    [InlineData(1.1, 100.0, 1.0, "breakeven")]   // peak 1.1 ≥ 1 ∧ P&L 0 ≤ 0
    [InlineData(1.1, 99.5, 1.0, "breakeven")]    // P&L −0.5 ≤ 0 (inside the 1 % stop)
    [InlineData(0.9, 100.0, 1.0, "holding")]     // peak 0.9 < 1: not armed
    [InlineData(1.1, 100.2, 1.0, "holding")]     // P&L +0.2 > 0
    [InlineData(1.1, 100.0, 0.0, "holding")]     // BREAKEVEN_ACTIVATION_PCT=0 ⇒ off
    public void Step9_Breakeven(double peak, double price, double activation, string reason)
    {
        var decision = GreenLightStrategy.Decide(Held(price, peak: peak), Defaults with { BreakevenActivationPct = activation });

        AssertDecision(decision, reason == "holding" ? TradeAction.Hold : TradeAction.Sell, reason, reason == "holding" ? 0 : 10);
    }

    // ---- step 10: trailing stop ----------------------------------------------------------------------------

    [Theory]
    [InlineData(2.5, 101.4, 1.0, "trailing_stop")] // armed (2.5 ≥ 2); 1.4 < 2.5 − 1 = 1.5
    [InlineData(2.5, 101.6, 1.0, "holding")]       // 1.6 ≥ 1.5
    [InlineData(1.9, 100.5, 1.0, "holding")]       // peak 1.9 < 2: not armed (and P&L > 0: no breakeven)
    [InlineData(2.5, 101.4, 0.0, "holding")]       // TRAILING_STOP_PCT=0 ⇒ off
    public void Step10_TrailingStop(double peak, double price, double trailPct, string reason)
    {
        var decision = GreenLightStrategy.Decide(Held(price, peak: peak), Defaults with { TrailingStopPct = trailPct });

        AssertDecision(decision, reason == "holding" ? TradeAction.Hold : TradeAction.Sell, reason, reason == "holding" ? 0 : 10);
    }

    // ---- step 11: max hold days ----------------------------------------------------------------------------

    [Theory]
    [InlineData(10, 10, 100.5, "max_hold_days")] // 10 ≥ 10
    [InlineData(9, 10, 100.5, "holding")]
    [InlineData(100, 0, 100.5, "holding")]       // MAX_HOLD_DAYS=0 ⇒ off
    [InlineData(12, 10, 0.0, "max_hold_days")]   // needs no price
    public void Step11_MaxHoldDays(int days, int maxDays, double price, string reason)
    {
        var decision = GreenLightStrategy.Decide(Held(price) with { DaysHeld = days }, Defaults with { MaxHoldDays = maxDays });

        AssertDecision(decision, reason == "holding" ? TradeAction.Hold : TradeAction.Sell, reason, reason == "holding" ? 0 : 10);
    }

    // ---- exits vs entry gates -----------------------------------------------------------------------------

    [Fact]
    public void OpenSell_HoldsWithExitPending_EvenBelowTheStop()
    {
        var decision = GreenLightStrategy.Decide(Held(95) with { HasOpenSell = true, InHealthCheckWindow = true }, Defaults);

        AssertDecision(decision, TradeAction.Hold, "exit_pending");
    }

    [Fact]
    public void EntryGates_NeverBlockExits()
    {
        // Kill switch, daily loss cap, drawdown, no-new-buys, open buy, cooldown, off-watchlist, pre-market: −1.3 % still stops.
        var input = Held(98.7) with
        {
            KillSwitchReason = "kill_switch_news",
            DailyCap = DailyCapState.LossCapReached,
            DrawdownHalted = true,
            NoNewBuysWindow = true,
            HasOpenBuy = true,
            InCooldown = true,
            EntryAllowed = false,
            RegularSession = false,
        };

        var decision = GreenLightStrategy.Decide(input, Defaults);

        AssertDecision(decision, TradeAction.Sell, "stop_loss", 10);
    }

    [Fact]
    public void HeldWithoutExit_Holds_NeverAddsToThePosition()
    {
        // +0.5 %, every entry item would pass: no exit and no second buy.
        var decision = GreenLightStrategy.Decide(Held(100.5), Defaults);

        AssertDecision(decision, TradeAction.Hold, "holding");
    }

    [Theory]
    [InlineData(98.0, false)]  // short in profit: (100 − 98)/100 = +2 %
    [InlineData(103.0, true)]  // short losing 3 % in the health-check window: no long exit fires on it
    public void Short_IsNotTreatedAsFlat_NoEntryAndNoLongExit(double price, bool healthWindow)
    {
        var input = Flat() with { HeldQty = -5, AvgEntryPrice = 100, CurrentPrice = price, InHealthCheckWindow = healthWindow };

        var decision = GreenLightStrategy.Decide(input, Defaults);

        AssertDecision(decision, TradeAction.Hold, "short_position_not_managed");
    }

    // ---- steps 12–14 and the other entry gates -------------------------------------------------------------

    [Fact]
    public void EntryGates_ReportTheFirstBlockingGate_InOrder()
    {
        // Start with every gate closed; open them one at a time and expect the next gate's reason.
        var input = Flat() with
        {
            RegularSession = false,
            EntryAllowed = false,
            KillSwitchReason = "kill_switch_return",
            DailyCap = DailyCapState.TargetReached,
            DrawdownHalted = true,
            NoNewBuysWindow = true,
            HasOpenBuy = true,
            InCooldown = true,
            CurrentPrice = 0,
        };

        Assert.Equal("session_closed", GreenLightStrategy.Decide(input, Defaults).Reason);
        input = input with { RegularSession = true };
        Assert.Equal("not_on_watchlist", GreenLightStrategy.Decide(input, Defaults).Reason);
        input = input with { EntryAllowed = true };
        Assert.Equal("kill_switch_return", GreenLightStrategy.Decide(input, Defaults).Reason);
        input = input with { KillSwitchReason = null };
        Assert.Equal("daily_cap_reached", GreenLightStrategy.Decide(input, Defaults).Reason);
        input = input with { DailyCap = DailyCapState.Open };
        Assert.Equal("drawdown_halt", GreenLightStrategy.Decide(input, Defaults).Reason);
        input = input with { DrawdownHalted = false };
        Assert.Equal("no_new_buys_after", GreenLightStrategy.Decide(input, Defaults).Reason);
        input = input with { NoNewBuysWindow = false };
        Assert.Equal("order_pending", GreenLightStrategy.Decide(input, Defaults).Reason);
        input = input with { HasOpenBuy = false };
        Assert.Equal("cooldown", GreenLightStrategy.Decide(input, Defaults).Reason);
        input = input with { InCooldown = false };
        Assert.Equal("no_price", GreenLightStrategy.Decide(input, Defaults).Reason);
        input = input with { CurrentPrice = 100 };
        Assert.Equal("green_light_4pt", GreenLightStrategy.Decide(input, Defaults).Reason);
    }

    [Theory]
    [InlineData("kill_switch_news", "kill_switch_news")] // step 12: the caller's reason passes through
    [InlineData("", "kill_switch_active")]               // an empty reason still blocks
    public void Step12_KillSwitch_BlocksEntries(string kill, string reason)
    {
        AssertDecision(GreenLightStrategy.Decide(Flat() with { KillSwitchReason = kill }, Defaults), TradeAction.Hold, reason);
    }

    [Theory]
    [InlineData(DailyCapState.TargetReached, "daily_cap_reached")]     // step 13
    [InlineData(DailyCapState.LossCapReached, "daily_loss_cap_reached")]
    [InlineData(DailyCapState.Open, "green_light_4pt")]
    public void Step13_DailyCap_BlocksEntries(DailyCapState state, string reason)
    {
        Assert.Equal(reason, GreenLightStrategy.Decide(Flat() with { DailyCap = state }, Defaults).Reason);
    }

    [Fact]
    public void Step14_Drawdown_BlocksEntries()
    {
        AssertDecision(GreenLightStrategy.Decide(Flat() with { DrawdownHalted = true }, Defaults), TradeAction.Hold, "drawdown_halt");
    }

    [Fact]
    public void NoNewBuysAfter_BlocksEntries()
    {
        // NO_NEW_BUYS_AFTER_ET was never enforced in the reference (buys at 15:58 ET).
        AssertDecision(GreenLightStrategy.Decide(Flat() with { NoNewBuysWindow = true }, Defaults), TradeAction.Hold, "no_new_buys_after");
    }

    [Theory]
    [InlineData(true, false, false, "order_pending")]
    [InlineData(false, true, false, "order_pending")]
    [InlineData(false, false, true, "cooldown")]
    public void OpenOrdersAndCooldown_BlockEntries(bool openBuy, bool openSell, bool cooldown, string reason)
    {
        var input = Flat() with { HasOpenBuy = openBuy, HasOpenSell = openSell, InCooldown = cooldown };

        AssertDecision(GreenLightStrategy.Decide(input, Defaults), TradeAction.Hold, reason);
    }

    [Fact]
    public void Watchlist_BlocksEntries()
    {
        AssertDecision(GreenLightStrategy.Decide(Flat() with { EntryAllowed = false }, Defaults), TradeAction.Hold, "not_on_watchlist");
    }

    // ---- step 15: the Green Light checklist -----------------------------------------------------------------

    [Fact]
    public void Step15_AllItemsPass_BuysWithQtyZero_TheEngineSizes()
    {
        var decision = GreenLightStrategy.Decide(Flat(), Defaults);

        AssertDecision(decision, TradeAction.Buy, "green_light_4pt", 0);
        Assert.Null(decision.Signals.Detail);
    }

    [Theory]
    [InlineData(false, TradeAction.Hold, "green_light_structure", null)]
    [InlineData(true, TradeAction.Buy, "green_light_4pt", null)]
    [InlineData(null, TradeAction.Buy, "green_light_4pt", "structure_unknown")] // unknown passes, logged
    public void Checklist1_Structure(bool? structureOk, TradeAction action, string reason, string? detail)
    {
        var decision = GreenLightStrategy.Decide(Flat() with { StructureOk = structureOk }, Defaults);

        AssertDecision(decision, action, reason);
        Assert.Equal(detail, decision.Signals.Detail);
    }

    [Theory]
    [InlineData(null, 0.1, -0.5, false, "green_light_pattern", "technical_unknown")]   // no technical score: fails now
    [InlineData(-0.36, 0.1, -0.5, false, "green_light_pattern", "technical_below_min")] // −0.36 < −0.35
    [InlineData(-0.35, 0.1, -0.5, false, "green_light_4pt", null)]                      // −0.35 ≥ −0.35
    [InlineData(0.2, null, null, false, "green_light_pattern", "confluence_unknown")]   // Z and VWAP both unknown
    [InlineData(0.2, 0.6, -0.1, false, "green_light_pattern", "no_confluence")]         // Z 0.6 > 0.5 and below VWAP
    [InlineData(0.2, 0.6, 0.0, false, "green_light_4pt", null)]                         // at VWAP (0 ≥ 0)
    [InlineData(0.2, 0.5, -0.1, false, "green_light_4pt", null)]                        // Z 0.5 ≤ 0.5
    [InlineData(0.2, null, 0.2, false, "green_light_4pt", null)]                        // Z unknown, above VWAP
    [InlineData(0.2, null, -0.2, false, "green_light_pattern", "no_confluence")]        // Z unknown, below VWAP
    [InlineData(0.2, -2.0, -0.5, true, "green_light_pattern", "spy_below_200ma_z")]     // SPY < SMA200: −2.0 > −2.8
    [InlineData(0.2, -3.0, -0.5, true, "green_light_4pt", null)]                        // −3.0 ≤ −2.8
    [InlineData(0.2, -2.8, -0.5, true, "green_light_4pt", null)]                        // −2.8 ≤ −2.8
    [InlineData(0.2, null, 0.1, true, "green_light_4pt", null)]                         // Z unknown: the tighten does not block
    public void Checklist2_PatternAtConfluence(double? technical, double? z, double? distance, bool spyBelow, string reason, string? detail)
    {
        var input = Flat() with { TechnicalScore = technical, ZScore = z, VwapDistancePct = distance, SpyBelow200ma = spyBelow };

        var decision = GreenLightStrategy.Decide(input, Defaults);

        AssertDecision(decision, reason == "green_light_4pt" ? TradeAction.Buy : TradeAction.Hold, reason);
        Assert.Equal(detail, decision.Signals.Detail);
    }

    [Theory]
    [InlineData(true, false, "green_light_4pt", null)]        // SCALP_SKIP_MOMENTUM: item skipped
    [InlineData(true, null, "green_light_4pt", null)]
    [InlineData(false, true, "green_light_4pt", null)]
    [InlineData(false, false, "green_light_momentum", null)]
    [InlineData(false, null, "green_light_momentum", "momentum_unknown")] // < 20 values: fails now
    public void Checklist3_Momentum(bool skip, bool? momentumOk, string reason, string? detail)
    {
        var decision = GreenLightStrategy.Decide(Flat() with { MomentumOk = momentumOk }, Defaults with { ScalpSkipMomentum = skip });

        AssertDecision(decision, reason == "green_light_4pt" ? TradeAction.Buy : TradeAction.Hold, reason);
        Assert.Equal(detail, decision.Signals.Detail);
    }

    [Theory]
    [InlineData(-0.42, 0.0, "green_light_ofi", null)]
    [InlineData(0.0, 0.0, "green_light_4pt", null)]            // 0 ≥ 0
    [InlineData(null, 0.0, "green_light_4pt", "ofi_unknown")]  // unknown passes, logged
    [InlineData(0.1, 0.2, "green_light_ofi", null)]            // OFI_SURGE_FOR_ENTRY 0.2: 0.1 < 0.2
    public void Checklist4_Ofi(double? ofi, double surge, string reason, string? detail)
    {
        var decision = GreenLightStrategy.Decide(Flat() with { Ofi = ofi }, Defaults with { OfiSurgeForEntry = surge });

        AssertDecision(decision, reason == "green_light_4pt" ? TradeAction.Buy : TradeAction.Hold, reason);
        Assert.Equal(detail, decision.Signals.Detail);
        Assert.Equal(ofi, decision.Signals.Ofi);
    }

    [Theory]
    [InlineData(85.0, 0.05, "green_light_rsi_overbought")] // 85 > 80 and OFI 0.05 < 0.10
    [InlineData(85.0, 0.10, "green_light_4pt")]            // OFI 0.10 ≥ 0.10
    [InlineData(85.0, null, "green_light_rsi_overbought")] // unknown OFI cannot support an overbought entry
    [InlineData(80.0, 0.0, "green_light_4pt")]             // 80 is not > 80
    [InlineData(null, 0.0, "green_light_4pt")]             // RSI warming up: no veto
    public void Checklist5_RsiOverbought(double? rsi, double? ofi, string reason)
    {
        var decision = GreenLightStrategy.Decide(Flat() with { Rsi = rsi, Ofi = ofi }, Defaults);

        AssertDecision(decision, reason == "green_light_4pt" ? TradeAction.Buy : TradeAction.Hold, reason);
    }

    [Theory]
    [InlineData(0.11, "green_light_prob_gain")]
    [InlineData(0.12, "green_light_4pt")] // 0.12 ≥ 0.12
    [InlineData(double.NaN, "green_light_prob_gain")]
    public void Checklist6_ProbGain(double probGain, string reason)
    {
        var decision = GreenLightStrategy.Decide(Flat() with { ProbGain = probGain }, Defaults);

        AssertDecision(decision, reason == "green_light_4pt" ? TradeAction.Buy : TradeAction.Hold, reason);
    }

    [Fact]
    public void Checklist_ReportsTheFirstFailingItem()
    {
        // Every item failing: structure false, technical unknown, momentum false (not skipped), OFI −0.5, RSI 90, prob 0.
        var p = Defaults with { ScalpSkipMomentum = false };
        var input = Flat() with { StructureOk = false, TechnicalScore = null, MomentumOk = false, Ofi = -0.5, Rsi = 90, ProbGain = 0 };

        Assert.Equal("green_light_structure", GreenLightStrategy.Decide(input, p).Reason);
        input = input with { StructureOk = true };
        Assert.Equal("green_light_pattern", GreenLightStrategy.Decide(input, p).Reason);
        input = input with { TechnicalScore = 0.2 };
        Assert.Equal("green_light_momentum", GreenLightStrategy.Decide(input, p).Reason);
        input = input with { MomentumOk = true };
        Assert.Equal("green_light_ofi", GreenLightStrategy.Decide(input, p).Reason);
        input = input with { Ofi = 0.05 };
        Assert.Equal("green_light_rsi_overbought", GreenLightStrategy.Decide(input, p).Reason);
        input = input with { Rsi = 60 };
        Assert.Equal("green_light_prob_gain", GreenLightStrategy.Decide(input, p).Reason);
        input = input with { ProbGain = 0.5 };
        Assert.Equal("green_light_4pt", GreenLightStrategy.Decide(input, p).Reason);
    }

    [Fact]
    public void Checklist_UnknownStructureAndOfi_PassAndAreBothLogged()
    {
        var decision = GreenLightStrategy.Decide(Flat() with { StructureOk = null, Ofi = null }, Defaults);

        AssertDecision(decision, TradeAction.Buy, "green_light_4pt");
        Assert.Equal("structure_unknown,ofi_unknown", decision.Signals.Detail);
    }

    // ---- signals ---------------------------------------------------------------------------------------------

    [Fact]
    public void Signals_RecordEveryInputTheDecisionLookedAt()
    {
        // ATR 0.6 % of price ⇒ ATR stop 0.6 × 2 = 1.2 %, take profit 1.2 × 1.2 = 1.44 %.
        var input = Flat() with { AtrPct = 0.6, ZScore = -1.1, VwapDistancePct = -0.7, AtrPercentile = 35, Ofi = 0.25, Rsi = 62, ProbGain = 0.48 };

        var s = GreenLightStrategy.Decide(input, Defaults).Signals;

        Assert.Equal(1.2, s.AtrStopPct!.Value, 9);
        Assert.Equal(1.2, s.StopPct!.Value, 9);
        Assert.Equal(1.44, s.TakeProfitPct!.Value, 9);
        Assert.Equal(0.6, s.AtrPct);
        Assert.Equal(-0.7, s.VwapDistancePct);
        Assert.Equal(-1.1, s.ZScore);
        Assert.Equal(35, s.AtrPercentile);
        Assert.Equal(0.2, s.TechnicalScore);
        Assert.True(s.StructureOk);
        Assert.True(s.MomentumOk);
        Assert.Equal(0.25, s.Ofi);
        Assert.Equal(62, s.Rsi);
        Assert.Equal(0.48, s.ProbGain);
        Assert.Equal(100, s.Price);
        Assert.Null(s.PnlPct); // flat
    }

    [Fact]
    public void Signals_NonFiniteIndicatorsCountAsUnknown()
    {
        // NaN Z and VWAP distance: confluence unknown → pattern fails; infinite ATR: no ATR stop, fixed 1 %.
        var input = Flat() with { ZScore = double.NaN, VwapDistancePct = double.NaN, AtrPct = double.PositiveInfinity };

        var decision = GreenLightStrategy.Decide(input, Defaults);

        AssertDecision(decision, TradeAction.Hold, "green_light_pattern");
        Assert.Equal("confluence_unknown", decision.Signals.Detail);
        Assert.Null(decision.Signals.AtrStopPct);
        Assert.Equal(1.0, decision.Signals.StopPct);
    }
}
