using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution.Paper;
using SentryBrain.Replay;
using SentryBrain.Tests.Redis;

namespace SentryBrain.Tests.Engine;

/// <summary>
/// Issue 10, break 2 (ledger part): a ledger that is ahead of the stream and still holds positions or open orders is
/// never archived by itself; <c>consume --new-ledger</c> archives it on purpose. Real SQLite files in a temp folder.
/// </summary>
public sealed class LedgerAheadTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ledger-ahead-" + Guid.NewGuid().ToString("N"));

    public LedgerAheadTests()
    {
        Directory.CreateDirectory(_dir);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string Ledger => Path.Combine(_dir, "paper.db");

    private BrainConfig Config => BrainConfig.Load(ConfigSource.FromPairs(("STRATEGY_MODE", "consensus"))) with { PaperDbPath = Ledger };

    private static string[] ScenarioLines()
    {
        using var stream = new MemoryStream();
        Scenario.Write(stream);
        return Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private (string Journal, ConsumeRunner.Result Result) Run(IEnumerable<string> lines, bool newLedger = false)
    {
        var config = Config;
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        using var output = new MemoryStream();
        var result = ConsumeRunner.Run(input, output, config, NullLogger.Instance, ts => ConsumeRunner.OpenDefaultBroker(config, ts, NullLogger.Instance, newLedger));
        result.Broker?.Dispose();
        return (Encoding.UTF8.GetString(output.ToArray()), result);
    }

    private List<(string Symbol, long Qty)> PositionsInLedger(string path)
    {
        using var broker = PaperBroker.Open(path, 100_000);
        return [.. broker.Positions.Select(p => (p.Symbol, p.Qty))];
    }

    /// <summary>Run 1: the scenario's first half leaves ACME and BOLT held (12 shares each; see ConsumeTests' restart test).</summary>
    private string[] LeaveOpenPositions()
    {
        var lines = ScenarioLines();
        Run(lines[..(lines.Length / 2)]);
        Assert.Equal([("ACME", 12L), ("BOLT", 12L)], PositionsInLedger(Ledger));
        return lines;
    }

    [Fact]
    public void AnEarlierStream_OnALedgerWithOpenPositions_StopsTheRun_AndLeavesTheLedgerIntact()
    {
        var lines = LeaveOpenPositions();

        // run 2: an earlier stream (09:25 ET; the ledger has seen ≈ 09:57 ET)
        var ex = Assert.Throws<BrokerStartException>(() => Run(lines[..200]));

        Assert.Contains(Ledger, ex.Message, StringComparison.Ordinal);
        Assert.Contains("--new-ledger", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2 open position(s)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Empty(Directory.GetFiles(_dir, "*.bak"));
        Assert.Equal([("ACME", 12L), ("BOLT", 12L)], PositionsInLedger(Ledger));
    }

    [Fact]
    public void NewLedger_ArchivesALedgerWithOpenPositions_AndStartsAFreshOne()
    {
        var lines = LeaveOpenPositions();

        var (journal, result) = Run(lines[..200], newLedger: true);

        var archived = Assert.Single(Directory.GetFiles(_dir, "paper.db.*.bak"));
        Assert.Equal([("ACME", 12L), ("BOLT", 12L)], PositionsInLedger(archived)); // nothing lost: kept aside
        Assert.Empty(PositionsInLedger(Ledger)); // the first 200 lines (09:25–09:30 ET) buy nothing
        Assert.Equal(0, result.Summary.Rejected);
        Assert.Contains("\"kind\":\"summary\"", journal, StringComparison.Ordinal);
    }

    [Fact]
    public void AFlatLedgerAheadOfTheStream_IsStillArchivedAsAReplay()
    {
        var lines = ScenarioLines();
        Run(lines); // the whole scenario: both round trips closed, the ledger is flat at 10:30 ET
        Assert.Empty(PositionsInLedger(Ledger));

        Run(lines[..200]);

        Assert.Single(Directory.GetFiles(_dir, "paper.db.*.bak"));
    }

    [Fact]
    public async Task Cli_StopsWithOneLineAndExitCode3_ThenNewLedgerArchivesIt()
    {
        var lines = LeaveOpenPositions();
        var earlier = Path.Combine(_dir, "earlier.ndjson");
        File.WriteAllText(earlier, string.Join('\n', lines[..200]) + "\n");
        var env = new Dictionary<string, string> { ["STRATEGY_MODE"] = "consensus", ["LOG_LEVEL"] = "WARNING" };

        using (var stopped = BrainProcess.Start(_dir, env, earlier, "consume", "--ledger", Ledger))
        {
            Assert.Equal(3, await stopped.WaitForExit(TimeSpan.FromSeconds(120)));
            var message = Assert.Single(stopped.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("--new-ledger", message, StringComparison.Ordinal);
            Assert.Equal(0, stopped.JournalCount("order"));
        }

        Assert.Empty(Directory.GetFiles(_dir, "*.bak"));
        Assert.Equal([("ACME", 12L), ("BOLT", 12L)], PositionsInLedger(Ledger));

        using (var fresh = BrainProcess.Start(_dir, env, earlier, "consume", "--ledger", Ledger, "--new-ledger"))
        {
            Assert.Equal(0, await fresh.WaitForExit(TimeSpan.FromSeconds(120)));
            Assert.Equal(1, fresh.JournalCount("summary"));
        }

        Assert.Equal([("ACME", 12L), ("BOLT", 12L)], PositionsInLedger(Assert.Single(Directory.GetFiles(_dir, "paper.db.*.bak"))));
    }
}
