using System.Text;
using System.Text.Json;
using SentryBrain.Learning;
using SentryBrain.Replay;
using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// <c>brain consume</c> (the real CLI, in a temporary folder, default EXPERIENCE_BUFFER_PATH) on the built-in scenario:
/// one buffer line per fill of the journal, entries for buys and exits for sells, with features, exits linked to their
/// entries, also when the consumer is restarted between an entry and its exit.
/// </summary>
public sealed class ExperienceConsumeTests : IDisposable
{
    private static readonly Dictionary<string, string> Env = new() { ["STRATEGY_MODE"] = "consensus" };
    private readonly TempFolder _dir = BrainCli.NewFolder();

    public void Dispose() => _dir.Dispose();

    private static string[] ScenarioLines()
    {
        using var stream = new MemoryStream();
        Scenario.Write(stream);
        return Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private CliResult Consume(IEnumerable<string> lines, IReadOnlyDictionary<string, string>? env = null, string ledger = "ledger.db")
    {
        var result = BrainCli.RunWithInput(_dir.Path, env ?? Env, string.Join('\n', lines) + "\n", TimeSpan.FromSeconds(120), "consume", "--ledger", _dir[ledger]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>The journal's fill lines: client order id and side.</summary>
    private static List<(string Id, string Side)> Fills(string journal) =>
    [
        .. journal.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "fill")
            .Select(e => (e.GetProperty("client_order_id").GetString()!, e.GetProperty("side").GetString()!)),
    ];

    private List<ExperienceRecord> Buffer() => [.. ExperienceFile.Read(_dir["data/experience_buffer.jsonl"]).Select(l => l.Record ?? throw new InvalidOperationException($"line {l.Number}: {l.Error}"))];

    [Fact]
    public void Consume_WritesOneEntryPerBuyFill_AndOneExitPerSellFill_WithFeatures_AndLinkedExits()
    {
        var journal = Consume(ScenarioLines()).Stdout;

        var fills = Fills(journal);
        var buffer = Buffer();
        Assert.True(fills.Count >= 4, "the scenario trades (two round trips): " + journal.Length);
        Assert.Equal(fills.Select(f => (f.Id, f.Side == "buy" ? "entry" : "exit")), buffer.Select(r => (r.ClientOrderId!, r.Action)));
        Assert.All(buffer, r => Assert.True(ExperienceFile.HasFeatures(r), "no features: " + ExperienceJson.ToLine(r)));
        Assert.All(buffer, r => Assert.Equal("live", r.Source));
        foreach (var exit in buffer.Where(r => r.Action == "exit"))
        {
            var entry = Assert.Single(buffer, r => r.Action == "entry" && r.TradeId == exit.TradeId);
            Assert.Equal((entry.Ts, entry.Reason, entry.Setup, entry.Rsi, entry.Sentiment), (exit.EntryTs!.Value, exit.EntryReason, exit.Setup, exit.Rsi, exit.Sentiment));
            Assert.Equal((exit.Price - exit.EntryPrice!.Value) * exit.Qty, exit.RealizedPl!.Value, 6);
        }
    }

    [Fact]
    public void ARestartBetweenAnEntryAndItsExit_KeepsTheExitLinked()
    {
        // The scenario buys ACME at 14:47 and sells it at 15:07: stop the consumer at 15:00 and start it again.
        var lines = ScenarioLines();
        bool Before(string line) => string.CompareOrdinal(JsonDocument.Parse(line).RootElement.GetProperty("ts").GetString(), "2026-03-02T15:00:00Z") < 0;
        var first = Consume(lines.Where(Before)).Stdout;
        var second = Consume(lines.Where(l => !Before(l))).Stdout;

        var acmeBuy = Assert.Single(Fills(first), f => f.Id.EndsWith("-ACME-b", StringComparison.Ordinal)).Id;
        var acmeSell = Assert.Single(Fills(second), f => f.Id.EndsWith("-ACME-s", StringComparison.Ordinal)).Id;
        var exit = Assert.Single(Buffer(), r => r.ClientOrderId == acmeSell);
        Assert.Equal(acmeBuy, exit.TradeId);
        Assert.NotNull(exit.EntryTs);
        Assert.True(ExperienceFile.HasFeatures(exit));
    }

    [Fact]
    public void TheBufferPathIsConfigurable_AndADisabledBufferWritesNothing()
    {
        var elsewhere = new Dictionary<string, string>(Env) { ["EXPERIENCE_BUFFER_PATH"] = _dir["learn/buffer.jsonl"] };
        var fills = Fills(Consume(ScenarioLines(), elsewhere).Stdout).Count;
        Assert.Equal(fills, ExperienceFile.Read(_dir["learn/buffer.jsonl"]).Count());
        Assert.False(File.Exists(_dir["data/experience_buffer.jsonl"]), "the default path was written too");

        var off = new Dictionary<string, string>(Env) { ["EXPERIENCE_BUFFER_ENABLED"] = "false" };
        Assert.True(Fills(Consume(ScenarioLines(), off, "other.db").Stdout).Count > 0);
        Assert.False(File.Exists(_dir["data/experience_buffer.jsonl"]), "a disabled buffer was written");
    }
}
