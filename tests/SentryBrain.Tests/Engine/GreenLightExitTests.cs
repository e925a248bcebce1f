using SentryBrain.Config;
using static SentryBrain.Tests.Engine.GreenLightStreams;

namespace SentryBrain.Tests.Engine;

/// <summary>One hand-built Green Light run: its stream, configuration and daily-bar warm-up.</summary>
internal sealed record GreenLightCase(string Name, string[] Lines, BrainConfig Config, MemoryBarSource Bars)
{
    public GreenLightRun Run() => GreenLightStreams.Run(Lines, Config, Bars);
}

/// <summary>
/// The exit scenarios. Unless a case says otherwise:
/// <list type="bullet">
/// <item>ACME's daily warm-up is <see cref="AlternatingBars"/> (ATR 1.5 ⇒ ATR stop 300/price %, R target 360/price %;
/// Z(100.00) = −0.0025, Z(99.50) = −1.0050, Z(99.00) = −2.0075; structure unknown);</item>
/// <item>the session opens with ACME trades at 100.00 from 09:30:30 to 09:44:30 ET (session VWAP = 100.00, technical
/// score unknown until the 15th bar closes at ACME's first event of 09:45, so the first decision is
/// <c>hold green_light_pattern</c> at 09:30:30 and later identical holds are not repeated);</item>
/// <item>the entry is the 09:45:00 quote; nothing but the checklist's own rules is relaxed: technical 0 ≥ −0.35, Z or
/// VWAP distance confluent, OFI unknown (no trade after a quote yet), RSI 50, prob_gain 0.5;</item>
/// <item>size: equity 100 000 × POSITION_SIZE_PCT 5 % = 5 000 / ~100 = 50 shares, capped at STRATEGY_MAX_QTY 12; the
/// marketable limit (ask + 5 bps) fills at the ask; sells are market orders filled at the bid; P&amp;L uses the bid.</item>
/// </list>
/// </summary>
internal static class GreenLightCases
{
    /// <summary>Entry at the session VWAP: ask 100.00, distance 0 ⇒ confluent, but not "bought below VWAP", so no VWAP exit applies.</summary>
    private static StreamEvent EntryAtVwap => Quote(Et(9, 45), "ACME", 99.99, 100.00);

    private static MemoryBarSource AcmeBars(DateOnly? day = null) => new MemoryBarSource().Add("ACME", AlternatingBars(day ?? Day));

    private static GreenLightCase Case(string name, BrainConfig config, params StreamEvent[] after)
        => new(name, Lines(AcmeOpen(), after), config, AcmeBars());

    /// <summary>USE_ATR_STOP=false ⇒ fixed STOP_LOSS_PCT 1 %. Entry 12 @ 100.00; bid 99.05 = −0.95 % holds, 98.95 = −1.05 % sells.</summary>
    public static GreenLightCase StopLossFixed() => Case(
        "stop_loss fixed",
        GlConfig(("USE_ATR_STOP", "false")),
        EntryAtVwap,
        Quote(Et(9, 46), "ACME", 99.05, 99.07),
        Quote(Et(9, 47), "ACME", 98.95, 98.97));

    /// <summary>
    /// ATR stop (defaults): stop = 2 × ATR 1.5 / bid × 100. Entry 12 @ 100.00.
    /// bid 98.90: −1.10 % (a 1 % stop would sell) vs 300/98.90 = 3.0334 % ⇒ hold;
    /// bid 97.20: −2.80 % vs 3.0864 % ⇒ hold; bid 96.70: −3.30 % ≤ −3.1024 % ⇒ stop_loss.
    /// </summary>
    public static GreenLightCase StopLossAtr() => Case(
        "stop_loss atr",
        GlConfig(),
        EntryAtVwap,
        Quote(Et(9, 46), "ACME", 98.90, 98.92),
        Quote(Et(9, 47), "ACME", 97.20, 97.22),
        Quote(Et(9, 48), "ACME", 96.70, 96.72));

    /// <summary>
    /// Mean reversion to VWAP (defaults). Entry below VWAP: ask 99.50 ⇒ distance −0.50 %, Z −1.005 ≤ 0.5 ⇒ buy 12 @ 99.50
    /// (VWAP target). bid 99.80: distance −0.2 % ⇒ hold (P&amp;L +0.30 %, below the 1 % scale-out level);
    /// bid 100.00: distance 0 ≥ 0 ⇒ scale_out_50_at_vwap sells 12/2 = 6; bid 100.05: distance +0.05 % ⇒
    /// take_profit_at_vwap sells the other 6. (Quotes build no bars, so the VWAP stays 100.00.)
    /// </summary>
    public static GreenLightCase Vwap() => Case(
        "vwap",
        GlConfig(),
        Quote(Et(9, 45), "ACME", 99.49, 99.50),
        Quote(Et(9, 46), "ACME", 99.80, 99.82),
        Quote(Et(9, 47), "ACME", 100.00, 100.02),
        Quote(Et(9, 48), "ACME", 100.05, 100.07));

    /// <summary>
    /// TAKE_PROFIT_AT_VWAP=false (steps 4–5 off, so step 7 is reachable), SCALE_OUT_ENABLED=false and
    /// TRAILING_STOP_ACTIVATION_PCT=0 (the P&amp;L trailing stop, step 10, off: only the ATR trail can sell).
    /// Entry 12 @ 99.50 below VWAP. bid 102.50: P&amp;L 3.0151 % &lt; target 360/102.5 = 3.5122 % ⇒ hold, peak price
    /// 99.50 × 1.030151 = 102.50. Trail = peak − 1.5 × ATR$ (= 1.5) = 102.50 − 2.25 = 100.25:
    /// bid 100.30 (above VWAP 100, above 100.25) ⇒ hold; bid 100.20 ≤ 100.25 ⇒ trailing_atr_above_vwap.
    /// </summary>
    public static GreenLightCase TrailingAtrAboveVwap() => Case(
        "trailing_atr_above_vwap",
        GlConfig(("TAKE_PROFIT_AT_VWAP", "false"), ("SCALE_OUT_ENABLED", "false"), ("TRAILING_STOP_ACTIVATION_PCT", "0")),
        Quote(Et(9, 45), "ACME", 99.49, 99.50),
        Quote(Et(9, 46), "ACME", 102.50, 102.52),
        Quote(Et(9, 47), "ACME", 100.30, 100.32),
        Quote(Et(9, 48), "ACME", 100.20, 100.22));

    /// <summary>
    /// Defaults. Entry below VWAP: ask 99.00 ⇒ distance −1 %, Z −2.0075 ⇒ buy 12 @ 99.00; VWAP 100 &gt; entry.
    /// Halfway = (peak price − entry)/(VWAP − entry). bid 99.40 (peak 99.40: 0.40) then 99.00 (P&amp;L 0): 0.40 &lt; 0.5
    /// ⇒ hold (and peak 0.404 % &lt; the 1 % breakeven activation); bid 99.60 (peak: 0.60) then 99.00 (P&amp;L 0 ≤ 0):
    /// 0.60 ≥ 0.5 ⇒ breakeven_halfway_to_vwap (the plain breakeven could not fire: peak 0.606 % &lt; 1 %).
    /// </summary>
    public static GreenLightCase BreakevenHalfwayToVwap() => Case(
        "breakeven_halfway_to_vwap",
        GlConfig(),
        Quote(Et(9, 45), "ACME", 98.99, 99.00),
        Quote(Et(9, 46), "ACME", 99.40, 99.42),
        Quote(Et(9, 47), "ACME", 99.00, 99.02),
        Quote(Et(9, 48), "ACME", 99.60, 99.62),
        Quote(Et(9, 49), "ACME", 99.00, 99.02));

    /// <summary>
    /// SCALE_OUT_ENABLED=false (else the 1 % level would sell a quarter first). Entry 12 @ 100.00 at VWAP.
    /// bid 101.20: peak 1.2 % ≥ BREAKEVEN_ACTIVATION_PCT 1 % (below the 2 % trailing activation) ⇒ hold;
    /// bid 100.40: +0.4 % ⇒ hold; bid 100.00: P&amp;L 0 ≤ 0 ⇒ breakeven.
    /// </summary>
    public static GreenLightCase Breakeven() => Case(
        "breakeven",
        GlConfig(("SCALE_OUT_ENABLED", "false")),
        EntryAtVwap,
        Quote(Et(9, 46), "ACME", 101.20, 101.22),
        Quote(Et(9, 47), "ACME", 100.40, 100.42),
        Quote(Et(9, 48), "ACME", 100.00, 100.02));

    /// <summary>
    /// SCALE_OUT_ENABLED=false. Entry 12 @ 100.00. bid 102.50: peak 2.5 % ≥ 2 % activation, below the R target 3.512 %
    /// ⇒ hold; bid 101.60: 1.6 % ≥ 2.5 − 1 = 1.5 % ⇒ hold; bid 101.40: 1.4 % &lt; 1.5 % ⇒ trailing_stop.
    /// </summary>
    public static GreenLightCase TrailingStop() => Case(
        "trailing_stop",
        GlConfig(("SCALE_OUT_ENABLED", "false")),
        EntryAtVwap,
        Quote(Et(9, 46), "ACME", 102.50, 102.52),
        Quote(Et(9, 47), "ACME", 101.60, 101.62),
        Quote(Et(9, 48), "ACME", 101.40, 101.42));

    /// <summary>
    /// USE_ATR_STOP=false ⇒ fixed TAKE_PROFIT_PCT 2 %; SCALE_OUT_ENABLED=false. Entry 12 @ 100.00.
    /// bid 101.90: +1.90 % ⇒ hold; bid 102.05: +2.05 % ≥ 2 % ⇒ take_profit.
    /// </summary>
    public static GreenLightCase TakeProfitFixed() => Case(
        "take_profit fixed",
        GlConfig(("USE_ATR_STOP", "false"), ("SCALE_OUT_ENABLED", "false")),
        EntryAtVwap,
        Quote(Et(9, 46), "ACME", 101.90, 101.92),
        Quote(Et(9, 47), "ACME", 102.05, 102.07));

    /// <summary>
    /// ATR stop in force ⇒ target = ATR stop × TAKE_PROFIT_R_MULTIPLE 1.2 = 360/bid %; SCALE_OUT_ENABLED=false.
    /// Entry 12 @ 100.00. bid 102.50: +2.5 % (the fixed 2 % would sell) &lt; 3.5122 % ⇒ hold; bid 103.40: +3.40 % &lt;
    /// 3.4816 % ⇒ hold; bid 103.60: +3.60 % ≥ 360/103.6 = 3.4749 % ⇒ take_profit.
    /// </summary>
    public static GreenLightCase TakeProfitRMultiple() => Case(
        "take_profit r-multiple",
        GlConfig(("SCALE_OUT_ENABLED", "false")),
        EntryAtVwap,
        Quote(Et(9, 46), "ACME", 102.50, 102.52),
        Quote(Et(9, 47), "ACME", 103.40, 103.42),
        Quote(Et(9, 48), "ACME", 103.60, 103.62));

    /// <summary>
    /// Defaults: levels 1, 2, 3 %, 25 % of the current qty each. Entry 12 @ 100.00.
    /// bid 101.05 (+1.05 %) ⇒ scale_out_1pct sells floor(12 × 0.25) = 3 (9 left); bid 101.10 ⇒ level done, hold;
    /// bid 102.10 ⇒ scale_out_2pct sells floor(9 × 0.25) = 2 (7 left); bid 103.10 (target 360/103.1 = 3.49 % not
    /// reached) ⇒ scale_out_3pct sells max(1, floor(7 × 0.25) = 1) = 1 (6 left); bid 103.60 ⇒ all levels done,
    /// +3.60 % ≥ 3.4749 % ⇒ take_profit sells the remaining 6.
    /// </summary>
    public static GreenLightCase ScaleOut() => Case(
        "scale_out",
        GlConfig(),
        EntryAtVwap,
        Quote(Et(9, 46), "ACME", 101.05, 101.07),
        Quote(Et(9, 47), "ACME", 101.10, 101.12),
        Quote(Et(9, 48), "ACME", 102.10, 102.12),
        Quote(Et(9, 49), "ACME", 103.10, 103.12),
        Quote(Et(9, 50), "ACME", 103.60, 103.62));

    /// <summary>Defaults (CLOSE_LOSSES_BY_ET 15:50). Entry 12 @ 100.00; bid 99.80 (−0.2 %) at 15:49:59 holds, at 15:50:00 ⇒ close_loss_before_close.</summary>
    public static GreenLightCase CloseLossBeforeClose() => Case(
        "close_loss_before_close",
        GlConfig(),
        EntryAtVwap,
        Quote(Et(15, 49, 59), "ACME", 99.80, 99.82),
        Quote(Et(15, 50), "ACME", 99.80, 99.82));

    /// <summary>
    /// OVERNIGHT_CARRY_ENABLED=false turns the 15:50 loser close off (it would take the loser first; CLOSE_LOSSES_BY_ET=""
    /// cannot, see the skipped bug test in GreenLightRulesTests). Entry 12 @ 100.00; bid 99.80 at 15:59:59 holds, at
    /// 16:00:00 (post-close quote) ⇒ portfolio_health_check_loser.
    /// </summary>
    public static GreenLightCase PortfolioHealthCheck() => Case(
        "portfolio_health_check_loser",
        GlConfig(("OVERNIGHT_CARRY_ENABLED", "false")),
        EntryAtVwap,
        Quote(Et(15, 59, 59), "ACME", 99.80, 99.82),
        Quote(Et(16, 0), "ACME", 99.80, 99.82, session: "post_close"));

    /// <summary>
    /// MAX_HOLD_DAYS=5 over NYSE trading days Thu 2026-02-12 → Fri 02-13 → (weekend, Mon 02-16 Presidents' Day) →
    /// Tue 02-17. Entry 12 @ 100.00 Thu 09:45:00; bid 99.95 (−0.05 %: no other exit) each day.
    /// Days held = floor(elapsed days): Fri 10:00 = 1; Tue 09:44:59 = 4 (4 d 23:59:59); Tue 09:45:00 = 5 ⇒ max_hold_days.
    /// </summary>
    public static GreenLightCase MaxHoldDays()
    {
        var thu = new DateOnly(2026, 2, 12);
        var fri = new DateOnly(2026, 2, 13);
        var tue = new DateOnly(2026, 2, 17);
        return new GreenLightCase(
            "max_hold_days",
            Lines(
                AcmeOpen(thu),
                [
                    Quote(Et(thu, 9, 45), "ACME", 99.99, 100.00),
                    Quote(Et(thu, 10, 0), "ACME", 99.95, 99.97),
                    Quote(Et(fri, 10, 0), "ACME", 99.95, 99.97),
                    Quote(Et(tue, 9, 44, 59), "ACME", 99.95, 99.97),
                    Quote(Et(tue, 9, 45), "ACME", 99.95, 99.97),
                ]),
            GlConfig(("MAX_HOLD_DAYS", "5")),
            AcmeBars(thu));
    }

    /// <summary>
    /// FLAT_WHEN_DAILY_TARGET_HIT=true; POSITION_SIZE_PCT=MAX_POSITION_PCT=0.5 and STRATEGY_MAX_QTY=1000 so one
    /// position moves equity. ACME: floor(100 000 × 0.5 / 100.00) = 500 @ 100.00 ⇒ cash 50 000. BOLT (quotes only,
    /// technical unknown, never buys) is the flat symbol whose evaluation updates the daily cap.
    /// 09:45:10 BOLT: equity 50 000 + 500 × mid 99.995 = 99 997.50 (−0.0025 %) ⇒ green_light_pattern.
    /// 09:46:00 ACME bid 100.60 (+0.6 %: below the 1 % scale-out) ⇒ holding.
    /// 09:46:10 BOLT: equity 50 000 + 500 × mid 100.61 = 100 305 = +0.305 % ≥ DAILY_CAP_PCT 0.25 % ⇒ daily_cap_reached.
    /// 09:46:20 ACME ⇒ daily_target_hit sells all 500 @ 100.60.
    /// </summary>
    public static GreenLightCase DailyTargetHit() => new(
        "daily_target_hit",
        Lines(
            AcmeOpen(),
            [
                EntryAtVwap,
                Quote(Et(9, 45, 10), "BOLT", 49.99, 50.00),
                Quote(Et(9, 46), "ACME", 100.60, 100.62),
                Quote(Et(9, 46, 10), "BOLT", 49.99, 50.00),
                Quote(Et(9, 46, 20), "ACME", 100.60, 100.62),
            ]),
        DailyTargetConfig,
        AcmeBars());

    public static BrainConfig DailyTargetConfig => GlConfig(
        ("FLAT_WHEN_DAILY_TARGET_HIT", "true"),
        ("POSITION_SIZE_PCT", "0.5"),
        ("MAX_POSITION_PCT", "0.5"),
        ("STRATEGY_MAX_QTY", "1000"));

    public static IEnumerable<GreenLightCase> All() =>
    [
        StopLossFixed(),
        StopLossAtr(),
        Vwap(),
        TrailingAtrAboveVwap(),
        BreakevenHalfwayToVwap(),
        Breakeven(),
        TrailingStop(),
        TakeProfitFixed(),
        TakeProfitRMultiple(),
        ScaleOut(),
        CloseLossBeforeClose(),
        PortfolioHealthCheck(),
        MaxHoldDays(),
        DailyTargetHit(),
    ];
}

/// <summary>
/// Every Green Light exit rule, live in <see cref="SentryBrain.Engine.BrainEngine"/>: hand-built quote/trade streams,
/// daily bars injected through <see cref="SentryBrain.Market.Bars.IDailyBarSource"/>, an in-memory paper broker, and the journal's
/// decision reasons checked against numbers worked out by hand (see <see cref="GreenLightCases"/>).
/// </summary>
public sealed class GreenLightExitTests
{
    private const string Pattern = "green_light_pattern";

    private static readonly (string, string, long, string) WarmUpHold = ("09:30:30", "hold", 0, Pattern);

    private static readonly (string, string, long, string) BuyAt0945 = ("09:45:00", "buy", 12, "green_light_4pt");

    [Fact]
    public void StopLoss_Fixed_FiresPastOnePercent()
    {
        using var run = GreenLightCases.StopLossFixed().Run();

        Assert.Equal(
            [WarmUpHold, BuyAt0945, ("09:46:00", "hold", 0, "holding"), ("09:47:00", "sell", 12, "stop_loss")],
            run.Brief("ACME"));
        var stop = Assert.Single(run.Decisions("ACME", "sell"));
        Assert.Equal(1.0, GreenLightRun.Signal(stop, "stop_pct"));
        Assert.Equal([("buy", 12L, 100.00), ("sell", 12L, 98.95)], run.Fills("ACME"));
    }

    [Fact]
    public void StopLoss_Atr_FiresAtTwoAtrsNotAtOnePercent()
    {
        using var run = GreenLightCases.StopLossAtr().Run();

        // −1.10 % and −2.80 % hold (the fixed 1 % stop would have sold at 09:46); −3.30 % ≤ −300/96.70 % sells.
        Assert.Equal(
            [WarmUpHold, BuyAt0945, ("09:46:00", "hold", 0, "holding"), ("09:48:00", "sell", 12, "stop_loss")],
            run.Brief("ACME"));
        var hold = run.Decisions("ACME", "hold").Last();
        Assert.Equal(300 / 98.90, GreenLightRun.Signal(hold, "stop_pct"), 5); // 3.03337 %, not 1 %
        Assert.Equal(150 / 98.90, GreenLightRun.Signal(hold, "atr_pct"), 5);  // ATR 1.5 in % of 98.90
        var stop = Assert.Single(run.Decisions("ACME", "sell"));
        Assert.Equal(300 / 96.70, GreenLightRun.Signal(stop, "stop_pct"), 5); // 3.10238 %
        Assert.Equal(-3.30, GreenLightRun.Signal(stop, "pnl_pct"), 5);
        Assert.Equal([("buy", 12L, 100.00), ("sell", 12L, 96.70)], run.Fills("ACME"));
    }

    [Fact]
    public void Vwap_BoughtBelowVwap_ScalesOutHalfAtVwap_ThenTakesTheRest()
    {
        using var run = GreenLightCases.Vwap().Run();

        Assert.Equal(
            [
                WarmUpHold,
                BuyAt0945,
                ("09:46:00", "hold", 0, "holding"),
                ("09:47:00", "sell", 6, "scale_out_50_at_vwap"),
                ("09:48:00", "sell", 6, "take_profit_at_vwap"),
            ],
            run.Brief("ACME"));
        var buy = Assert.Single(run.Decisions("ACME", "buy"));
        Assert.Equal(-0.5, GreenLightRun.Signal(buy, "vwap_distance_pct"), 9); // (99.50 − 100)/100
        Assert.Equal(-1.0050, GreenLightRun.Signal(buy, "z_score"), 3);
        Assert.Equal([("buy", 12L, 99.50), ("sell", 6L, 100.00), ("sell", 6L, 100.05)], run.Fills("ACME"));
    }

    [Fact]
    public void Vwap_BoughtAtVwap_NoVwapExit_ThePositionIsHeld()
    {
        // Same prices after an entry at the VWAP (ask 100.00, distance 0): VWAP is no target above the entry, so
        // bids of 100.00 and 100.05 (P&L 0 and +0.05 %) sell nothing.
        var lines = Lines(
            AcmeOpen(),
            [
                Quote(Et(9, 45), "ACME", 99.99, 100.00),
                Quote(Et(9, 47), "ACME", 100.00, 100.02),
                Quote(Et(9, 48), "ACME", 100.05, 100.07),
            ]);

        using var run = Run(lines, GlConfig(), new MemoryBarSource().Add("ACME", AlternatingBars(Day)));

        Assert.Equal([WarmUpHold, BuyAt0945, ("09:47:00", "hold", 0, "holding")], run.Brief("ACME"));
    }

    [Fact]
    public void TrailingAtrAboveVwap_WithTakeProfitAtVwapOff_TrailsOnePointFiveAtrsBelowThePeak()
    {
        using var run = GreenLightCases.TrailingAtrAboveVwap().Run();

        Assert.Equal(
            [
                WarmUpHold,
                ("09:45:00", "buy", 12, "green_light_4pt"),
                ("09:46:00", "hold", 0, "holding"),
                ("09:48:00", "sell", 12, "trailing_atr_above_vwap"),
            ],
            run.Brief("ACME"));
        var sell = Assert.Single(run.Decisions("ACME", "sell"));
        Assert.Equal(300.0 / 99.5, GreenLightRun.Signal(sell, "peak_pnl_pct"), 5); // (102.50 − 99.50)/99.50
        Assert.Equal(0.2, GreenLightRun.Signal(sell, "vwap_distance_pct"), 9);      // above VWAP
        Assert.Equal([("buy", 12L, 99.50), ("sell", 12L, 100.20)], run.Fills("ACME"));
    }

    [Fact]
    public void BreakevenHalfwayToVwap_FiresOnlyOnceThePeakWasHalfwayToVwap()
    {
        using var run = GreenLightCases.BreakevenHalfwayToVwap().Run();

        Assert.Equal(
            [
                WarmUpHold,
                ("09:45:00", "buy", 12, "green_light_4pt"),
                ("09:46:00", "hold", 0, "holding"),
                ("09:49:00", "sell", 12, "breakeven_halfway_to_vwap"),
            ],
            run.Brief("ACME"));
        Assert.Equal([("buy", 12L, 99.00), ("sell", 12L, 99.00)], run.Fills("ACME"));
    }

    [Fact]
    public void Breakeven_AfterOnePercentPeak_SellsAtZero()
    {
        using var run = GreenLightCases.Breakeven().Run();

        Assert.Equal(
            [WarmUpHold, BuyAt0945, ("09:46:00", "hold", 0, "holding"), ("09:48:00", "sell", 12, "breakeven")],
            run.Brief("ACME"));
        Assert.Equal(1.2, GreenLightRun.Signal(Assert.Single(run.Decisions("ACME", "sell")), "peak_pnl_pct"), 9);
    }

    [Fact]
    public void TrailingStop_OnePointBelowThePeakPnl()
    {
        using var run = GreenLightCases.TrailingStop().Run();

        Assert.Equal(
            [WarmUpHold, BuyAt0945, ("09:46:00", "hold", 0, "holding"), ("09:48:00", "sell", 12, "trailing_stop")],
            run.Brief("ACME"));
    }

    [Fact]
    public void TakeProfit_Fixed_AtTwoPercent()
    {
        using var run = GreenLightCases.TakeProfitFixed().Run();

        Assert.Equal(
            [WarmUpHold, BuyAt0945, ("09:46:00", "hold", 0, "holding"), ("09:47:00", "sell", 12, "take_profit")],
            run.Brief("ACME"));
        Assert.Equal(2.0, GreenLightRun.Signal(Assert.Single(run.Decisions("ACME", "sell")), "take_profit_pct"));
    }

    [Fact]
    public void TakeProfit_RMultiple_IsTheAtrStopTimesOnePointTwo()
    {
        using var run = GreenLightCases.TakeProfitRMultiple().Run();

        Assert.Equal(
            [WarmUpHold, BuyAt0945, ("09:46:00", "hold", 0, "holding"), ("09:48:00", "sell", 12, "take_profit")],
            run.Brief("ACME"));
        var sell = Assert.Single(run.Decisions("ACME", "sell"));
        Assert.Equal(360 / 103.60, GreenLightRun.Signal(sell, "take_profit_pct"), 5); // 3.47490 %
        Assert.Equal(300 / 103.60, GreenLightRun.Signal(sell, "atr_stop_pct"), 5);
    }

    [Fact]
    public void ScaleOut_EachLevelOnce_AQuarterOfTheCurrentQty()
    {
        using var run = GreenLightCases.ScaleOut().Run();

        Assert.Equal(
            [
                WarmUpHold,
                BuyAt0945,
                ("09:46:00", "sell", 3, "scale_out_1pct"),
                ("09:47:00", "hold", 0, "holding"),
                ("09:48:00", "sell", 2, "scale_out_2pct"),
                ("09:49:00", "sell", 1, "scale_out_3pct"),
                ("09:50:00", "sell", 6, "take_profit"),
            ],
            run.Brief("ACME"));
        Assert.Equal(
            [("buy", 12L, 100.00), ("sell", 3L, 101.05), ("sell", 2L, 102.10), ("sell", 1L, 103.10), ("sell", 6L, 103.60)],
            run.Fills("ACME"));
        Assert.Null(run.Broker!.PositionOf("ACME"));
    }

    [Fact]
    public void CloseLossBeforeClose_From1550Et()
    {
        using var run = GreenLightCases.CloseLossBeforeClose().Run();

        Assert.Equal(
            [WarmUpHold, BuyAt0945, ("15:49:59", "hold", 0, "holding"), ("15:50:00", "sell", 12, "close_loss_before_close")],
            run.Brief("ACME"));
    }

    [Fact]
    public void PortfolioHealthCheckLoser_From1600Et()
    {
        using var run = GreenLightCases.PortfolioHealthCheck().Run();

        Assert.Equal(
            [WarmUpHold, BuyAt0945, ("15:59:59", "hold", 0, "holding"), ("16:00:00", "sell", 12, "portfolio_health_check_loser")],
            run.Brief("ACME"));
        Assert.Equal([("buy", 12L, 100.00), ("sell", 12L, 99.80)], run.Fills("ACME"));
    }

    [Fact]
    public void MaxHoldDays_HeldAcrossTradingDaysAndAHolidayWeekend_SoldOnTheFifthDay()
    {
        using var run = GreenLightCases.MaxHoldDays().Run();

        Assert.Equal(
            [
                ("2026-02-12 09:30:30", "hold", 0L, Pattern),
                ("2026-02-12 09:45:00", "buy", 12L, "green_light_4pt"),
                ("2026-02-12 10:00:00", "hold", 0L, "holding"),
                ("2026-02-17 09:45:00", "sell", 12L, "max_hold_days"),
            ],
            run.BriefWithDate("ACME"));
        Assert.Equal([("buy", 12L, 100.00), ("sell", 12L, 99.95)], run.Fills("ACME"));
    }

    [Fact]
    public void DailyTargetHit_FlattensOnceTheDailyTargetLatched()
    {
        using var run = GreenLightCases.DailyTargetHit().Run();

        Assert.Equal(
            // The held symbol's own quote at 09:46:00 refreshes the cap (+0.305 % ≥ 0.25 %) and flattens at once;
            // afterwards ACME is flat and new buys are blocked by the latch.
            [WarmUpHold, ("09:45:00", "buy", 500, "green_light_4pt"), ("09:46:00", "sell", 500, "daily_target_hit"), ("09:46:20", "hold", 0, "daily_cap_reached")],
            run.Brief("ACME"));
        Assert.Equal(
            [("09:45:10", "hold", 0L, Pattern), ("09:46:10", "hold", 0L, "daily_cap_reached")],
            run.Brief("BOLT"));
        Assert.Equal([("buy", 500L, 100.00), ("sell", 500L, 100.60)], run.Fills("ACME"));
        Assert.Equal(50_000 + (500 * 100.60), run.Broker!.Cash, 6); // 100 300
    }

    [Fact]
    public void DailyTargetHit_WithOnlyTheHeldSymbolStreaming_StillFlattens()
    {
        // As DailyTargetHit without BOLT: 500 ACME @ 100.00, cash 50 000; at 09:46:00 mid 100.61 ⇒ equity 100 305 =
        // +0.305 % ≥ 0.25 % ⇒ the target is hit, so the next ACME event (09:46:20) must flatten.
        var lines = Lines(
            AcmeOpen(),
            [
                Quote(Et(9, 45), "ACME", 99.99, 100.00),
                Quote(Et(9, 46), "ACME", 100.60, 100.62),
                Quote(Et(9, 46, 20), "ACME", 100.60, 100.62),
            ]);

        using var run = Run(lines, GreenLightCases.DailyTargetConfig, new MemoryBarSource().Add("ACME", AlternatingBars(Day)));

        Assert.Equal("daily_target_hit", GreenLightRun.Str(Assert.Single(run.Decisions("ACME", "sell")), "reason"));
    }

    [Fact]
    public void AllRuns_TogetherCoverEveryExitRule()
    {
        string[] required =
        [
            "stop_loss",
            "scale_out_50_at_vwap",
            "take_profit_at_vwap",
            "take_profit",
            "trailing_atr_above_vwap",
            "breakeven_halfway_to_vwap",
            "breakeven",
            "trailing_stop",
            "max_hold_days",
            "portfolio_health_check_loser",
            "scale_out_1pct",
            "scale_out_2pct",
            "scale_out_3pct",
            "close_loss_before_close",
            "daily_target_hit",
        ];
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in GreenLightCases.All())
        {
            using var run = c.Run();
            covered.UnionWith(run.SellReasons);
        }

        Assert.Empty(required.Except(covered));
        // stop_loss and take_profit are each covered twice: fixed % and ATR-based (checked in their own tests).
        Assert.Contains(covered, r => r.StartsWith("scale_out_", StringComparison.Ordinal) && r.EndsWith("pct", StringComparison.Ordinal));
    }
}
