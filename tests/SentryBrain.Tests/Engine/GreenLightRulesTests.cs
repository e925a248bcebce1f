using static SentryBrain.Tests.Engine.GreenLightStreams;

namespace SentryBrain.Tests.Engine;

/// <summary>
/// Green Light entry rules live in the engine: the no-new-buys time, the drawdown halt, the SPY 200-day regime and
/// ATR risk sizing. Streams, bars and numbers as in <see cref="GreenLightCases"/> (ACME: ATR 1.5, Z(p) from the
/// alternating daily closes, session VWAP 100.00 from trades at 100.00; entry on the first event after 15 bars).
/// </summary>
public sealed class GreenLightRulesTests
{
    private const string Pattern = "green_light_pattern";

    private static MemoryBarSource AcmeBars() => new MemoryBarSource().Add("ACME", AlternatingBars(Day));

    // ---- NO_NEW_BUYS_AFTER_ET ---------------------------------------------------------------------------

    /// <summary>
    /// ACME trades 15:25:30–15:39:30 (15 bars) and is bought at 15:40:00 (12 @ 100.00, before the cutoff). BOLT trades
    /// 15:30:30–15:44:30 at 50.00 (no daily bars: Z unknown, VWAP distance 0 ⇒ confluent) and would be bought at its
    /// first event after its 15th bar, 15:45:00. At 15:46:00 ACME's bid 96.70 is −3.30 % ≤ −300/96.70 = −3.1024 %.
    /// </summary>
    private static string[] NoNewBuysStream() => Lines(
        SessionTrades(Day, "ACME", 100.00, 15, 25),
        SessionTrades(Day, "BOLT", 50.00, 15, 30),
        [
            Quote(Et(15, 40), "ACME", 99.99, 100.00),
            Quote(Et(15, 45), "BOLT", 49.99, 50.00),
            Quote(Et(15, 46), "ACME", 96.70, 96.72),
            Quote(Et(15, 47), "BOLT", 49.99, 50.00),
        ]);

    [Fact]
    public void NoNewBuysAfter1545_BlocksEntriesFromTheCutoff_ExitsStillFire()
    {
        using var run = Run(NoNewBuysStream(), GlConfig(), AcmeBars());

        Assert.Equal(
            [("15:30:30", "hold", 0L, Pattern), ("15:45:00", "hold", 0L, "no_new_buys_after")],
            run.Brief("BOLT"));
        Assert.DoesNotContain(run.OfKind("order"), o => GreenLightRun.Str(o, "symbol") == "BOLT");
        Assert.Equal(
            [("15:25:30", "hold", 0L, Pattern), ("15:40:00", "buy", 12L, "green_light_4pt"), ("15:46:00", "sell", 12L, "stop_loss")],
            run.Brief("ACME"));
    }

    [Fact]
    public void NoNewBuysAfter_ALaterCutoff_LetsTheSameEntryThrough()
    {
        // Control for the test above: with the cutoff at 15:46, BOLT's 15:45:00 entry passes every gate:
        // 100 000 × 5 % / 50.00 = 100 shares, capped at STRATEGY_MAX_QTY 12.
        using var run = Run(NoNewBuysStream(), GlConfig(("NO_NEW_BUYS_AFTER_ET", "15:46")), AcmeBars());

        Assert.Equal(
            [("15:30:30", "hold", 0L, Pattern), ("15:45:00", "buy", 12L, "green_light_4pt"), ("15:47:00", "hold", 0L, "holding")],
            run.Brief("BOLT"));
    }

    [Fact]
    public void NoNewBuysAfter_EmptyTurnsTheCutoffOff()
    {
        var config = GlConfig(("NO_NEW_BUYS_AFTER_ET", ""), ("CLOSE_LOSSES_BY_ET", ""), ("PORTFOLIO_HEALTH_CHECK_ET", ""));

        using var run = Run(NoNewBuysStream(), config, AcmeBars());

        Assert.Contains(run.Brief("BOLT"), d => d == ("15:45:00", "buy", 12L, "green_light_4pt"));
        Assert.Null(config.NoNewBuysAfterEt);
        Assert.Null(config.CloseLossesByEt);
        Assert.Null(config.PortfolioHealthCheckEt);
    }

    // ---- drawdown halt ----------------------------------------------------------------------------------

    /// <summary>
    /// POSITION_SIZE_PCT = MAX_POSITION_PCT = 0.5, STRATEGY_MAX_QTY 1000 (one position moves equity).
    /// ACME trades at :20 and BOLT (50.00, no daily bars) at :40 of 09:30–09:44: the drawdown peak is 100 000.
    /// 09:45:00 ACME buys floor(100 000 × 0.5 / 100.00) = 500 @ 100.00 ⇒ cash 50 000.
    /// 09:45:10 ACME bid 98.49 / ask 98.51: −1.51 % vs ATR stop 300/98.49 = 3.046 % ⇒ holding.
    /// 09:45:20 BOLT (15th bar closed, would buy): equity 50 000 + 500 × mid 98.50 = 99 250 ⇒ drawdown 0.75 %, daily
    /// P&amp;L −0.75 % (above the −1 % loss cap).
    /// 09:45:30 ACME bid 96.69: −3.31 % ≤ −300/96.69 = −3.1027 % ⇒ stop_loss.
    /// </summary>
    private static string[] DrawdownStream() => Lines(
        SessionTrades(Day, "ACME", 100.00, 9, 30, second: 20),
        SessionTrades(Day, "BOLT", 50.00, 9, 30, second: 40),
        [
            Quote(Et(9, 45), "ACME", 99.99, 100.00),
            Quote(Et(9, 45, 10), "ACME", 98.49, 98.51),
            Quote(Et(9, 45, 20), "BOLT", 49.99, 50.00),
            Quote(Et(9, 45, 30), "ACME", 96.69, 96.71),
        ]);

    private static readonly (string, string)[] BigPositions = [("POSITION_SIZE_PCT", "0.5"), ("MAX_POSITION_PCT", "0.5"), ("STRATEGY_MAX_QTY", "1000")];

    [Fact]
    public void Drawdown_AtMaxDrawdownPct_HaltsNewEntries_ExitsStillWork()
    {
        // MAX_DRAWDOWN_PCT 0.5: 0.75 % ≥ 0.5 % ⇒ BOLT holds drawdown_halt; ACME's stop still sells.
        using var run = Run(DrawdownStream(), GlConfig([.. BigPositions, ("MAX_DRAWDOWN_PCT", "0.5")]), AcmeBars());

        Assert.Equal([("09:30:40", "hold", 0L, Pattern), ("09:45:20", "hold", 0L, "drawdown_halt")], run.Brief("BOLT"));
        Assert.Equal(
            [("09:30:20", "hold", 0L, Pattern), ("09:45:00", "buy", 500L, "green_light_4pt"), ("09:45:10", "hold", 0L, "holding"), ("09:45:30", "sell", 500L, "stop_loss")],
            run.Brief("ACME"));
        Assert.Equal([("buy", 500L, 100.00), ("sell", 500L, 96.69)], run.Fills("ACME"));
        Assert.Empty(run.Fills("BOLT"));
    }

    [Fact]
    public void Drawdown_BelowMaxDrawdownPct_TheSameEntryIsBought()
    {
        // Control, MAX_DRAWDOWN_PCT 5: BOLT buys at 09:45:20. Size: equity 99 250 × 0.5 / 50.00 = 992.5 ⇒ 992
        // (≤ STRATEGY_MAX_QTY 1000; cash 50 000 / limit 50.03 pays for 999).
        using var run = Run(DrawdownStream(), GlConfig([.. BigPositions, ("MAX_DRAWDOWN_PCT", "5")]), AcmeBars());

        Assert.Equal([("09:30:40", "hold", 0L, Pattern), ("09:45:20", "buy", 992L, "green_light_4pt")], run.Brief("BOLT"));
        Assert.Equal([("buy", 992L, 50.00)], run.Fills("BOLT"));
    }

    // ---- SPY 200-day regime -----------------------------------------------------------------------------

    /// <summary>
    /// SPY: 210 daily bars closing at 500.00 ⇒ 200-day SMA 500.00; one live trade at 09:30:00 (no quote: mark = last
    /// trade). The regime is checked at the first event and then every 15 min of event time: the check at 09:45:00
    /// (ACME's first quote) sees SPY's mark. ACME: 09:45:00 ask 99.00 (Z −2.0075: confluent, ≤ 0.5), 09:45:10 ask
    /// 98.50 (Z −3.0100).
    /// </summary>
    private static GreenLightRun RunSpy(double spyPrice) => Run(
        Lines(
            [Trade(Et(9, 30), "SPY", spyPrice)],
            AcmeOpen(),
            [
                Quote(Et(9, 45), "ACME", 98.99, 99.00),
                Quote(Et(9, 45, 10), "ACME", 98.49, 98.50),
            ]),
        GlConfig(("SPY_200MA_REGIME_ENABLED", "true")),
        new MemoryBarSource().Add("ACME", AlternatingBars(Day)).Add("SPY", FlatBars(Day, 210, 500.00, 5.00)));

    [Fact]
    public void SpyBelow200DaySma_TightensZ_AndHalvesTheSize()
    {
        // SPY 490 < SMA 500. 09:45:00: Z −2.0075 > SPY_BELOW_200MA_Z_TIGHTEN −2.8 ⇒ no buy (hold green_light_pattern,
        // detail spy_below_200ma_z — the same reason as the warm-up hold, so not journaled again).
        // 09:45:10: Z −3.0100 ≤ −2.8 ⇒ buy: 100 000 × 5 % / 98.50 = 50 ⇒ 12 (STRATEGY_MAX_QTY) × 0.5 = 6 shares.
        using var run = RunSpy(490.00);

        Assert.Equal([("09:30:30", "hold", 0L, Pattern), ("09:45:10", "buy", 6L, "green_light_4pt")], run.Brief("ACME"));
        var buy = Assert.Single(run.Decisions("ACME", "buy"));
        Assert.Equal(-3.0100, GreenLightRun.Signal(buy, "z_score"), 3);
        Assert.Equal([("buy", 6L, 98.50)], run.Fills("ACME"));
    }

    [Fact]
    public void SpyAbove200DaySma_NormalZ_AndFullSize()
    {
        // SPY 510 > SMA 500: the 09:45:00 entry (Z −2.0075 ≤ CONFLUENCE_Z_MAX 0.5) buys 12 @ 99.00.
        using var run = RunSpy(510.00);

        Assert.Equal(
            [("09:30:30", "hold", 0L, Pattern), ("09:45:00", "buy", 12L, "green_light_4pt"), ("09:45:10", "hold", 0L, "holding")],
            run.Brief("ACME"));
        Assert.Equal([("buy", 12L, 99.00)], run.Fills("ACME"));
    }

    // ---- RISK_PCT_PER_TRADE -----------------------------------------------------------------------------

    /// <summary>
    /// Entry 09:45:00 at ask 100.00, equity 100 000, ATR 1.5. With RISK_PCT_PER_TRADE &gt; 0:
    /// qty = min(floor(equity × risk % / (ATR × ATR_STOP_MULTIPLE)), floor(equity × MAX_POSITION_PCT / price), STRATEGY_MAX_QTY).
    /// </summary>
    [Theory]
    [InlineData("0.5", "0.5", "1000", "2", 166)]  // floor(500 / 3) = 166 < 500 (50 %) < 1000: the risk binds (POSITION_SIZE_PCT's 50 is not used)
    [InlineData("0.5", "0.5", "1000", "3", 111)]  // floor(500 / 4.5) = 111
    [InlineData("0.5", "0.06", "1000", "2", 60)]  // 166 > floor(6 000 / 100) = 60: MAX_POSITION_PCT binds
    [InlineData("0.5", "0.5", "12", "2", 12)]     // 166 > 12: STRATEGY_MAX_QTY binds
    [InlineData("0", "0.5", "1000", "2", 50)]     // risk sizing off: POSITION_SIZE_PCT 5 % ⇒ 5 000 / 100 = 50
    public void RiskPctPerTrade_SizesByTheAtrStop_CappedByMaxPositionAndMaxQty(string riskPct, string maxPositionPct, string maxQty, string atrMultiple, long expected)
    {
        var config = GlConfig(
            ("RISK_PCT_PER_TRADE", riskPct),
            ("MAX_POSITION_PCT", maxPositionPct),
            ("STRATEGY_MAX_QTY", maxQty),
            ("ATR_STOP_MULTIPLE", atrMultiple));

        using var run = Run(Lines(AcmeOpen(), [Quote(Et(9, 45), "ACME", 99.99, 100.00)]), config, AcmeBars());

        Assert.Equal(expected, Assert.Single(run.Decisions("ACME", "buy")).GetProperty("qty").GetInt64());
        Assert.Equal([("buy", expected, 100.00)], run.Fills("ACME"));
    }
}
