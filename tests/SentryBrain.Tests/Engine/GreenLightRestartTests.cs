using System.Globalization;
using System.Text.Json;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Rules;
using static SentryBrain.Tests.Engine.GreenLightStreams;

namespace SentryBrain.Tests.Engine;

/// <summary>
/// A restart mid-day through <c>brain consume</c> (<see cref="ConsumeRunner.Run"/>, file ledger, daily bars from
/// <c>BARS_CSV_DIR</c>): the first half of the day's events, dispose, the second half with the same ledger. Open
/// positions, the position book (peak P&amp;L, scale-out progress), the daily-cap baseline and latch, the drawdown peak
/// and the kill switch must carry over, so the two halves together decide, order and fill exactly as one
/// uninterrupted run.
/// </summary>
/// <remarks>
/// What legitimately differs, and is therefore normalized or left out of the comparison:
/// <list type="bullet">
/// <item>the "do not repeat an unchanged hold" memory is per process, so after the restart a symbol's first hold is
/// journaled again even when the uninterrupted run had already journaled the same reason; such repeats are dropped
/// from the combined journal before comparing (the dedup rule applied across the restart);</item>
/// <item>intraday indicators (1-minute bars: session VWAP, technical score, RSI; OFI) are in memory only and start
/// again after the restart, so decisions are compared on (time, symbol, action, qty, reason) and the exit numbers
/// (P&amp;L, peak, stop, target) but not on those signals. The scenarios take no entry after the restart and use
/// positions bought at the VWAP (no VWAP exit), so nothing they decide depends on the lost intraday state.</item>
/// </list>
/// Orders and fills are compared byte for byte, as is the persisted state at the end (cash, positions, position
/// book, risk snapshot).
/// </remarks>
public sealed class GreenLightRestartTests : IDisposable
{
    private const string FraudHeadline = "Bolt shares plunge after SEC fraud probe and accounting scandal";
    private const string FraudSummary = "Regulators opened a fraud investigation; the company faces lawsuits, losses and a terrible downgrade.";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "greenlight-restart-" + Guid.NewGuid().ToString("N"));

    public GreenLightRestartTests()
    {
        Directory.CreateDirectory(_dir);
        WriteCsv(_dir, new Dictionary<string, IReadOnlyList<SentryBrain.Market.Bars.DailyBar>> { ["ACME"] = AlternatingBars(Day) });
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>
    /// POSITION_SIZE_PCT = MAX_POSITION_PCT = 0.3, STRATEGY_MAX_QTY 10 000: ACME buys floor(30 000 / 100.00) = 300.
    /// First half:
    /// 09:45:00 buy 300 @ 100.00 (cash 70 000);
    /// 09:45:10 CRUX (quotes only, technical unknown) ⇒ green_light_pattern; daily baseline 100 000 (set at 09:30:30);
    /// 09:46:00 bid 101.05 (+1.05 %) ⇒ scale_out_1pct sells floor(300 × 0.25) = 75 ⇒ 225 left, cash 77 578.75;
    /// 09:46:10 bid 102.50 (+2.5 %, peak 2.5) ⇒ scale_out_2pct sells floor(225 × 0.25) = 56 ⇒ 169 left, cash 83 318.75;
    /// 09:46:20 CRUX: equity 83 318.75 + 169 × mid 102.51 = 100 642.94 = +0.643 % ≥ 0.25 % ⇒ daily_cap_reached (latched);
    /// 09:46:30 fraud headline on BOLT ⇒ kill_switch_news for BOLT.
    /// Second half (after the restart):
    /// 09:47:00 bid 102.30 (+2.3 %): levels 1 and 2 done (a lost book would sell scale_out_1pct again), 3 % not reached,
    /// 2.3 ≥ peak 2.5 − 1 ⇒ holding;
    /// 09:47:10 CRUX ⇒ daily_cap_reached (the latch, not a fresh baseline);
    /// 09:47:20 BOLT quote ⇒ kill_switch_news (restored trip);
    /// 09:47:30 bid 101.40: +1.4 % &lt; persisted peak 2.5 − 1 = 1.5 ⇒ trailing_stop sells 169 (with a peak rebuilt after
    /// the restart, 2.3, it would hold: 1.4 ≥ 1.3); cash 83 318.75 + 169 × 101.40 = 100 455.35;
    /// 09:47:40 CRUX ⇒ still daily_cap_reached (not journaled again).
    /// </summary>
    private static (string[] First, string[] Second) CapKillSwitchAndBookDay()
    {
        var first = Lines(
            AcmeOpen(),
            [
                Quote(Et(9, 45), "ACME", 99.99, 100.00),
                Quote(Et(9, 45, 10), "CRUX", 49.99, 50.00),
                Quote(Et(9, 46), "ACME", 101.05, 101.07),
                Quote(Et(9, 46, 10), "ACME", 102.50, 102.52),
                Quote(Et(9, 46, 20), "CRUX", 49.99, 50.00),
                News(Et(9, 46, 30), "BOLT", FraudHeadline, FraudSummary),
            ]);
        var second = Lines(
            [
                Quote(Et(9, 47), "ACME", 102.30, 102.32),
                Quote(Et(9, 47, 10), "CRUX", 49.99, 50.00),
                Quote(Et(9, 47, 20), "BOLT", 19.99, 20.00),
                Quote(Et(9, 47, 30), "ACME", 101.40, 101.42),
                Quote(Et(9, 47, 40), "CRUX", 49.99, 50.00),
            ]);
        return (first, second);
    }

    /// <summary>
    /// DAILY_CAP_ENABLED=false and DAILY_LOSS_CAP_PCT=50 (neither latch can hide the drawdown halt),
    /// MAX_DRAWDOWN_PCT=0.4, SCALE_OUT_ENABLED=false, 300-share positions as above.
    /// First half: 09:45:00 buy 300 @ 100.00; 09:45:10 CRUX ⇒ green_light_pattern; 09:46:00 ACME bid 101.50 / ask 101.52
    /// (+1.5 %: breakeven armed, below the 2 % trail and the 3.55 % target) ⇒ holding; 09:46:10 CRUX: equity
    /// 70 000 + 300 × 101.51 = 100 453 = new drawdown peak (persisted: &gt; 1.001 × 100 000).
    /// Second half: 09:47:00 ACME bid 100.09 / ask 100.11 (+0.09 %) ⇒ holding; 09:47:10 CRUX: equity 70 000 + 300 ×
    /// 100.10 = 100 030 ⇒ drawdown (100 453 − 100 030)/100 453 = 0.421 % ≥ 0.4 % ⇒ drawdown_halt (a peak rebuilt after
    /// the restart would be 100 030: no halt); 09:47:20 ACME bid 99.99: P&amp;L −0.01 % ≤ 0 after the persisted 1.5 %
    /// peak ⇒ breakeven sells 300; cash 70 000 + 300 × 99.99 = 99 997.
    /// </summary>
    private static (string[] First, string[] Second) DrawdownPeakDay()
    {
        var first = Lines(
            AcmeOpen(),
            [
                Quote(Et(9, 45), "ACME", 99.99, 100.00),
                Quote(Et(9, 45, 10), "CRUX", 49.99, 50.00),
                Quote(Et(9, 46), "ACME", 101.50, 101.52),
                Quote(Et(9, 46, 10), "CRUX", 49.99, 50.00),
            ]);
        var second = Lines(
            [
                Quote(Et(9, 47), "ACME", 100.09, 100.11),
                Quote(Et(9, 47, 10), "CRUX", 49.99, 50.00),
                Quote(Et(9, 47, 20), "ACME", 99.99, 100.01),
            ]);
        return (first, second);
    }

    private BrainConfig RestartConfig(string ledger, params (string Key, string Value)[] extra) => GlConfig(
        [
            ("POSITION_SIZE_PCT", "0.3"),
            ("MAX_POSITION_PCT", "0.3"),
            ("STRATEGY_MAX_QTY", "10000"),
            ("BARS_CSV_DIR", _dir),
            ("PAPER_DB_PATH", Path.Combine(_dir, ledger)),
            .. extra,
        ]);

    [Fact]
    public void Restart_KeepsPositionsBookDailyCapLatchAndKillSwitch_AsOneUninterruptedRun()
    {
        var (first, second) = CapKillSwitchAndBookDay();
        var config = RestartConfig("restart.db");

        var combined = new List<JsonElement>();
        using (var before = Consume(first, config))
        {
            combined.AddRange(before.Lines.Where(l => GreenLightRun.Str(l, "kind") != "summary"));

            // The ledger holds what the second process needs (hand values from the stream above).
            var store = (IStateStore)before.Broker!;
            Assert.Equal(new BrokerPosition("ACME", 169, 100.00), before.Broker!.PositionOf("ACME"));
            var acme = JsonDocument.Parse(store.Load(PositionBook.StateKey)!).RootElement.GetProperty("ACME");
            Assert.Equal(2.5, acme.GetProperty("peak_pnl_pct").GetDouble(), 9);
            Assert.Equal(0b11UL, acme.GetProperty("scale_out_levels_done").GetUInt64()); // levels 1 % and 2 % done
            Assert.False(acme.GetProperty("vwap_target").GetBoolean());                    // bought at the VWAP
            var risk = RiskSnapshot.FromJson(store.Load(RiskSnapshot.StateKey))!;
            Assert.Equal(Day, risk.Date);
            Assert.Equal(100_000, risk.Baseline);
            Assert.Equal(DailyCapState.TargetReached, risk.DailyCap);
            Assert.Equal(["BOLT"], risk.KilledSymbols);
            // The peak is the equity at 09:46:10 just before the scale-out (the held symbol's own quote updates it):
            // 77 578.75 + 225 × mid 102.51 = 100 643.50 (after selling 56 at the bid 102.50 it is 100 642.94).
            Assert.Equal(77_578.75 + (225 * 102.51), risk.PeakEquity, 6);
        }

        using var after = Consume(second, config);
        combined.AddRange(after.Lines.Where(l => GreenLightRun.Str(l, "kind") != "summary"));

        using var single = Consume([.. first, .. second], RestartConfig("single.db"));

        AssertSameAsUninterrupted(single, after, combined);
        Assert.Empty(Directory.GetFiles(_dir, "*.bak")); // the second half continued the ledger, no replay archive

        // The second half's decisions, by hand.
        Assert.Equal(
            [
                ("09:47:00", "hold", 0L, "holding"),
                ("09:47:30", "sell", 169L, "trailing_stop"),
            ],
            after.Brief("ACME"));
        Assert.Equal([("09:47:10", "hold", 0L, "daily_cap_reached")], after.Brief("CRUX"));
        Assert.Equal([("09:47:20", "hold", 0L, "kill_switch_news")], after.Brief("BOLT"));
        Assert.Equal(100_455.35, after.Broker!.Cash, 6);
        Assert.Empty(after.Broker.Positions);
    }

    [Fact]
    public void Restart_KeepsTheDrawdownPeak_AsOneUninterruptedRun()
    {
        var (first, second) = DrawdownPeakDay();
        (string, string)[] knobs = [("DAILY_CAP_ENABLED", "false"), ("DAILY_LOSS_CAP_PCT", "50"), ("MAX_DRAWDOWN_PCT", "0.4"), ("SCALE_OUT_ENABLED", "false")];
        var config = RestartConfig("restart.db", knobs);

        var combined = new List<JsonElement>();
        using (var before = Consume(first, config))
        {
            combined.AddRange(before.Lines.Where(l => GreenLightRun.Str(l, "kind") != "summary"));
            var risk = RiskSnapshot.FromJson(((IStateStore)before.Broker!).Load(RiskSnapshot.StateKey))!;
            Assert.Equal(70_000 + (300 * 101.51), risk.PeakEquity, 6); // 100 453
        }

        using var after = Consume(second, config);
        combined.AddRange(after.Lines.Where(l => GreenLightRun.Str(l, "kind") != "summary"));

        using var single = Consume([.. first, .. second], RestartConfig("single.db", knobs));

        AssertSameAsUninterrupted(single, after, combined);
        Assert.Equal([("09:47:10", "hold", 0L, "drawdown_halt")], after.Brief("CRUX"));
        Assert.Equal(
            [("09:47:00", "hold", 0L, "holding"), ("09:47:20", "sell", 300L, "breakeven")],
            after.Brief("ACME"));
        Assert.Equal(70_000 + (300 * 99.99), after.Broker!.Cash, 6); // 99 997
    }

    /// <summary>Decisions (see the class remarks), orders and fills in order, and the persisted end state.</summary>
    private static void AssertSameAsUninterrupted(GreenLightRun single, GreenLightRun after, List<JsonElement> combined)
    {
        var singleLines = single.Lines.Where(l => GreenLightRun.Str(l, "kind") != "summary").ToList();
        Assert.DoesNotContain(singleLines, l => GreenLightRun.Str(l, "kind") == "error");
        Assert.Equal(Project(singleLines), Project(DropRepeatedHolds(combined)));

        var (one, two) = (single.Broker!, after.Broker!);
        Assert.Equal(one.Cash, two.Cash);
        Assert.Equal(one.Positions, two.Positions);
        var (oneStore, twoStore) = ((IStateStore)one, (IStateStore)two);
        Assert.Equal(oneStore.Load(PositionBook.StateKey), twoStore.Load(PositionBook.StateKey));
        Assert.Equal(oneStore.Load(RiskSnapshot.StateKey), twoStore.Load(RiskSnapshot.StateKey));
    }

    /// <summary>A decision's comparable part, or an order/fill line verbatim.</summary>
    private static List<string> Project(IEnumerable<JsonElement> lines) => [.. lines.Select(l =>
    {
        if (GreenLightRun.Str(l, "kind") != "decision")
        {
            return l.GetRawText();
        }

        var signals = l.GetProperty("signals");
        string Num(string name) => signals.TryGetProperty(name, out var v) ? v.GetDouble().ToString("R", CultureInfo.InvariantCulture) : "-";
        return string.Join(
            ' ',
            GreenLightRun.Str(l, "ts"),
            GreenLightRun.Str(l, "symbol"),
            GreenLightRun.Str(l, "action"),
            l.GetProperty("qty").GetInt64().ToString(CultureInfo.InvariantCulture),
            GreenLightRun.Str(l, "reason"),
            Num("pnl_pct"),
            Num("peak_pnl_pct"),
            Num("stop_pct"),
            Num("take_profit_pct"));
    })];

    /// <summary>Drops a hold whose reason repeats the symbol's previous journaled decision (the engine's dedup, across the restart).</summary>
    private static List<JsonElement> DropRepeatedHolds(IEnumerable<JsonElement> lines)
    {
        var lastHold = new Dictionary<string, string?>(StringComparer.Ordinal);
        var kept = new List<JsonElement>();
        foreach (var l in lines)
        {
            if (GreenLightRun.Str(l, "kind") == "decision")
            {
                var symbol = GreenLightRun.Str(l, "symbol");
                var hold = GreenLightRun.Str(l, "action") == "hold" ? GreenLightRun.Str(l, "reason") : null;
                if (hold is not null && lastHold.GetValueOrDefault(symbol) == hold)
                {
                    continue;
                }

                lastHold[symbol] = hold;
            }

            kept.Add(l);
        }

        return kept;
    }
}
