using SentryBrain.Learning;
using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.Learning;

/// <summary>Reading buffers: the reference's lines (BEHAVIOR.md §6.1), ours, and garbage reported with its line number.</summary>
public sealed class ExperienceFormatTests : IDisposable
{
    // Written by hand from BEHAVIOR.md §6.1: the reference's MarketSnapshot, nulls included, P&L as a decimal.
    private const string ReferenceEntry =
        "{\"symbol\": \"AAPL\", \"ts\": \"2025-06-02T14:31:05.123456Z\", \"action\": \"entry\", \"price\": 201.5, \"qty\": 10, "
        + "\"reason\": \"green_light_4pt\", \"z_score\": null, \"rsi\": null, \"macd_above_zero\": null, \"ofi\": 0.42, "
        + "\"atr_pct\": null, \"atr_percentile\": null, \"technical_score\": 0.61, \"prob_gain\": 0.58, \"structure_ok\": true, "
        + "\"regime\": null, \"exit_reason\": null, \"unrealized_pl_pct_at_exit\": null, \"label_24h\": null, \"label_ts\": null}";

    private const string ReferenceExit =
        "{\"symbol\": \"AAPL\", \"ts\": \"2025-06-02T15:02:44.000001Z\", \"action\": \"exit\", \"price\": 205.53, \"qty\": 10, "
        + "\"reason\": \"take_profit\", \"z_score\": null, \"rsi\": null, \"macd_above_zero\": null, \"ofi\": -0.1, "
        + "\"atr_pct\": null, \"atr_percentile\": 93.0, \"technical_score\": 0.2, \"prob_gain\": null, \"structure_ok\": null, "
        + "\"regime\": \"mean_reversion\", \"exit_reason\": \"take_profit\", \"unrealized_pl_pct_at_exit\": 0.02, "
        + "\"label_24h\": null, \"label_ts\": null, \"entry_ts\": \"2025-06-02T14:31:05.123456Z\", "
        + "\"entry_reason\": \"green_light_4pt\", \"entry_price\": 201.5}";

    private readonly TempFolder _dir = BrainCli.NewFolder();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReferenceLines_ReadIntoTheSameRecord()
    {
        var entry = ExperienceJson.Parse(ReferenceEntry, out var error);
        Assert.Null(error);
        Assert.NotNull(entry);
        Assert.Equal("entry", entry.Action);
        Assert.Equal("AAPL", entry.Symbol);
        Assert.Equal(new DateTime(2025, 6, 2, 14, 31, 5, DateTimeKind.Utc).AddTicks(1_234_560), entry.Ts);
        Assert.Equal(10, entry.Qty);
        Assert.Equal(0.42, entry.Ofi);
        Assert.Equal(0.61, entry.TechnicalScore);
        Assert.True(entry.StructureOk);
        Assert.Null(entry.Rsi);
        Assert.Null(entry.TradeId);
        Assert.Null(entry.PnlPct);

        var exit = ExperienceJson.Parse(ReferenceExit, out error);
        Assert.Null(error);
        Assert.NotNull(exit);
        Assert.Equal("exit", exit.Action);
        Assert.Equal("range", exit.Regime); // mean_reversion is the reference's name for range
        Assert.Equal(2.0, exit.PnlPct!.Value, 9); // 0.02 as a decimal = 2 %
        Assert.Equal(93.0, exit.AtrPercentile);
        Assert.Equal("green_light_4pt", exit.EntryReason);
        Assert.Equal(201.5, exit.EntryPrice);
        Assert.Equal(new DateTime(2025, 6, 2, 14, 31, 5, DateTimeKind.Utc).AddTicks(1_234_560), exit.EntryTs);
    }

    [Fact]
    public void Stats_CountEntriesAndExits_AndReportGarbageWithItsLineNumber()
    {
        var ours = ExperienceJson.ToLine(ExperienceBufferTests.Numbered(2)); // an entry with a trade id
        var path = _dir["b.jsonl"];
        File.WriteAllLines(path,
        [
            ReferenceEntry,                                                           // 1
            "not json at all",                                                        // 2
            string.Empty,                                                             // 3 (blank: not a line)
            ReferenceExit,                                                            // 4
            "{\"action\":\"hold\",\"symbol\":\"X\",\"ts\":\"2025-06-02T14:31:05Z\"}", // 5: not entry/exit
            "{\"action\":\"entry\",\"ts\":\"2025-06-02T14:31:05Z\"}",                 // 6: no symbol
            "[1,2,3]",                                                                // 7: not an object
            ours,                                                                     // 8
            "{\"action\":\"exit\",\"symbol\":\"X\",\"ts\":\"yesterday\"}",            // 9: bad ts
        ]);

        var stats = ExperienceFile.Stats(path);

        Assert.Equal(8, stats.Lines);
        Assert.Equal(2, stats.Entries);
        Assert.Equal(1, stats.Exits);
        Assert.Equal(0, stats.ExitsLinked); // the reference exit has no trade id
        Assert.Equal(1, stats.ExitsWithFeatures);
        Assert.Equal(5, stats.BadCount);
        Assert.Equal([2L, 5, 6, 7, 9], stats.BadLines.Select(b => b.Line));
        Assert.Contains("not JSON", stats.BadLines[0].Error, StringComparison.Ordinal);
        Assert.Equal("action is not entry or exit", stats.BadLines[1].Error);
        Assert.Equal("no symbol", stats.BadLines[2].Error);
        Assert.Equal("not a JSON object", stats.BadLines[3].Error);
        Assert.Equal("no valid ts", stats.BadLines[4].Error);
        Assert.Equal(new DateTime(2025, 6, 2, 14, 31, 5, DateTimeKind.Utc).AddTicks(1_234_560), stats.FirstTs);
        Assert.Equal(ExperienceBufferTests.Numbered(2).Ts, stats.LastTs); // 2026 (ours) is the latest

        var printed = BrainCli.Run(_dir.Path, null, "experience", "stats", "--buffer", path);
        Assert.Equal(0, printed.ExitCode);
        Assert.Contains("entries  2", printed.Stdout, StringComparison.Ordinal);
        Assert.Contains("exits    1 (0 linked to their entry, 1 with features)", printed.Stdout, StringComparison.Ordinal);
        Assert.Contains("bad      5", printed.Stdout, StringComparison.Ordinal);
        Assert.Contains("bad line 7: not a JSON object", printed.Stdout, StringComparison.Ordinal);
        Assert.Contains("first    2025-06-02T14:31:05Z", printed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ExperienceCli_RefusesBadValues_WithOneLine()
    {
        var missing = BrainCli.Run(_dir.Path, null, "experience", "stats", "--buffer", _dir["none.jsonl"]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("brain experience stats: no buffer at", missing.Stderr, StringComparison.Ordinal);

        var zero = BrainCli.Run(_dir.Path, null, "experience", "trim", "--buffer", _dir["b.jsonl"], "--max-lines", "0");
        Assert.Equal(2, zero.ExitCode);
        Assert.Contains("--max-lines must be ≥ 1", zero.Stderr, StringComparison.Ordinal);
    }
}
