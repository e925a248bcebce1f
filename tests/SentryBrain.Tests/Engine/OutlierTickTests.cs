using System.Globalization;
using System.Text;
using SentryBrain.Config;
using SentryBrain.Events;
using SentryBrain.Replay;

namespace SentryBrain.Tests.Engine;

/// <summary>
/// Issue 10, break 3: absurd ticks must not move money. The built-in scenario up to its line 2803 holds 12 ACME
/// bought at 100.04 (ACME trades near 100); the lines appended after it are single bad or gapped ticks.
/// </summary>
public sealed class OutlierTickTests
{
    private const int AcmeHeldAfterLine = 2803;

    /// <summary>The default configuration (Green Light), as <c>./brain consume</c> runs the scenario.</summary>
    private static BrainConfig Defaults(params (string Key, string Value)[] extra) => BrainConfig.Load(ConfigSource.FromPairs(extra));

    private static string[] ScenarioUntilAcmeIsHeld()
    {
        using var stream = new MemoryStream();
        Scenario.Write(stream);
        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines[..AcmeHeldAfterLine];
    }

    private static readonly DateTime AfterHeld = new(2026, 3, 2, 14, 40, 23, DateTimeKind.Utc);

    private static string AcmeQuote(double seconds, double bid, double ask, long size) => string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"type":"quote","ts":"{{{Rfc3339.Format(AfterHeld.AddSeconds(seconds))}}}","payload":{"symbol":"ACME","bid":{{{bid:R}}},"ask":{{{ask:R}}},"bid_size":{{{size}}},"ask_size":{{{size}}}}}""");

    private static string AcmeTrade(double seconds, double price) => string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"type":"trade","ts":"{{{Rfc3339.Format(AfterHeld.AddSeconds(seconds))}}}","payload":{"symbol":"ACME","price":{{{price:R}}},"size":100}}""");

    private static GreenLightRun RunScenarioPlus(BrainConfig config, params string[] extra)
        => GreenLightStreams.Run([.. ScenarioUntilAcmeIsHeld(), .. extra], config, bars: null);

    private static long SummaryField(GreenLightRun run, string name)
        => run.OfKind("summary").Single().TryGetProperty(name, out var value) ? value.GetInt64() : 0;

    [Fact]
    public void Baseline_TheScenarioPrefixHoldsTwelveAcme()
    {
        using var run = RunScenarioPlus(Defaults());

        Assert.Equal([("buy", 12L, 100.04)], run.Fills("ACME"));
        Assert.Empty(run.SellReasons);
        Assert.False(run.OfKind("summary").Single().TryGetProperty("outliers", out _)); // a clean run keeps the old summary shape
    }

    [Fact]
    public void A1000xQuoteWithZeroSizes_IsHeldBack_NoScaleOutAndNoFill()
    {
        using var run = RunScenarioPlus(Defaults(), AcmeQuote(0, 99_990, 100_010, 0));

        Assert.Empty(run.SellReasons);
        Assert.Equal([("buy", 12L, 100.04)], run.Fills("ACME"));
        Assert.Equal(12, run.Broker!.PositionOf("ACME")!.Qty);
        Assert.Equal(1, SummaryField(run, "outliers"));
    }

    [Fact]
    public void ATinyQuote_IsHeldBack_NoStopLoss()
    {
        using var run = RunScenarioPlus(Defaults(), AcmeQuote(0, 1e-12, 1e-12, 5));

        Assert.Empty(run.SellReasons);
        Assert.Equal([("buy", 12L, 100.04)], run.Fills("ACME"));
        Assert.Equal(1, SummaryField(run, "outliers"));
    }

    [Fact]
    public void ATradeTenTimesThePrice_IsHeldBack()
    {
        // A trade 10× away would otherwise become the last trade price, a bar high and (without a quote) the exit price.
        using var run = RunScenarioPlus(Defaults(), AcmeTrade(0, 1000.4), AcmeQuote(1, 100.02, 100.04, 5));

        Assert.Empty(run.SellReasons);
        Assert.Equal(1, SummaryField(run, "outliers"));
    }

    /// <summary>
    /// Break 3 (c): one tick at 1e-12 and one at 1000× never trigger an exit; a real gap down to 80 (−20 %, past the
    /// default 10 % band) is held for two ticks and confirmed by the third: the 1 % stop loss then sells all 12 shares
    /// once, at that quote's bid.
    /// </summary>
    [Fact]
    public void HeldPosition_OutliersBothWays_NoSell_ThenAConfirmedGapDown_StopsOutOnce()
    {
        using var run = RunScenarioPlus(
            Defaults(),
            AcmeQuote(0, 1e-12, 2e-12, 5),
            AcmeQuote(1, 100_020, 100_040, 5),
            AcmeQuote(2, 100.02, 100.04, 5),
            AcmeQuote(3, 80.02, 80.04, 5),
            AcmeQuote(4, 80.01, 80.03, 5),
            AcmeQuote(5, 80.00, 80.02, 5),
            AcmeQuote(6, 80.01, 80.03, 5));

        var sells = run.Decisions("ACME", "sell").ToList();
        var sell = Assert.Single(sells);
        Assert.Equal("stop_loss", GreenLightRun.Str(sell, "reason"));
        Assert.Equal(Rfc3339.Format(AfterHeld.AddSeconds(5)), GreenLightRun.Str(sell, "ts")); // the third tick near 80
        Assert.Equal(12, sell.GetProperty("qty").GetInt64());
        Assert.Equal([("buy", 12L, 100.04), ("sell", 12L, 80.00)], run.Fills("ACME"));
        Assert.Null(run.Broker!.PositionOf("ACME"));
        Assert.Equal(4, SummaryField(run, "outliers")); // 1e-12, 1000×, and the first two ticks of the gap
    }

    [Fact]
    public void ASpikeBackToTheOldLevelAfterAConfirmedGap_IsForgotten()
    {
        // Guard only: exits off by a stop far away, so the gap itself sells nothing.
        using var run = RunScenarioPlus(
            Defaults(("STOP_LOSS_PCT", "50"), ("USE_ATR_STOP", "false")),
            AcmeQuote(0, 115.02, 115.04, 5),
            AcmeQuote(1, 115.03, 115.05, 5),
            AcmeQuote(2, 115.02, 115.04, 5), // confirmed: ACME now trades near 115
            AcmeQuote(3, 100.02, 100.04, 5), // one tick back at the old level: held
            AcmeQuote(4, 115.01, 115.03, 5));

        Assert.Equal(3, SummaryField(run, "outliers"));
    }

    [Fact]
    public void APositionHeldAcrossARestart_ItsFirstTickIsJudgedAgainstTheAverageEntry()
    {
        // The new run has no price history for ACME; the ledger's 12 shares at 100.02 stand in for it.
        var broker = SentryBrain.Execution.Paper.PaperBroker.Open(":memory:", 100_000);
        broker.OnQuote("ACME", 100.00, 100.02, 5, 5, GreenLightStreams.Et(9, 45));
        broker.Submit(new SentryBrain.Execution.OrderRequest("before-restart", "ACME", SentryBrain.Execution.OrderSide.Buy, 12, SentryBrain.Execution.OrderType.Market, null, "test"), GreenLightStreams.Et(9, 45));
        string[] lines =
        [
            GreenLightStreams.Quote(GreenLightStreams.Et(10, 0), "ACME", 1e-12, 2e-12).Json,
            GreenLightStreams.Quote(GreenLightStreams.Et(10, 0, 1), "ACME", 100.01, 100.03).Json,
        ];

        using var run = GreenLightStreams.Run(lines, Defaults(), bars: null, _ => broker);

        Assert.Empty(run.SellReasons);
        Assert.Empty(run.OfKind("fill"));
        Assert.Equal(12, broker.PositionOf("ACME")!.Qty);
        Assert.Equal(1, SummaryField(run, "outliers"));
    }

    /// <summary>Break 3 (b): with the guard off, a zero-size quote still makes no market: the exit it triggers does not fill there.</summary>
    [Fact]
    public void GuardOff_AZeroSizeQuote_DoesNotFillTheExitItTriggers()
    {
        using var run = RunScenarioPlus(Defaults(("OUTLIER_MAX_MOVE_PCT", "0")), AcmeQuote(0, 99_990, 100_010, 0));

        Assert.Equal(["scale_out_1pct"], run.SellReasons);
        Assert.DoesNotContain(run.Fills("ACME"), f => f.Side == "sell");
        Assert.Equal(12, run.Broker!.PositionOf("ACME")!.Qty);
        Assert.True(run.Broker.HasOpenOrder("ACME", SentryBrain.Execution.OrderSide.Sell)); // waits for a real quote
    }
}
