using System.Globalization;
using System.Text.Json;
using SentryBrain.Learning;
using SentryBrain.Market;
using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.Learning;

/// <summary><c>brain backtest --experience PATH</c> on the bundled sample data: one line per simulated fill, as live.</summary>
public sealed class ExperienceBacktestTests : IDisposable
{
    private readonly TempFolder _dir = BrainCli.NewFolder();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void BacktestExperience_WritesOneLinePerFill_EntriesWithTheDecisionsSignals_ExitsLinkedPerRoundTrip()
    {
        var path = _dir["out/experience.jsonl"];
        var run = BrainCli.Run(_dir.Path, null, "backtest", "--data", "sample", "--symbols", "SPY,AAPL", "--report", _dir["report"], "--experience", path);
        Assert.True(run.ExitCode == 0, run.ToString());

        var fillsCount = JsonDocument.Parse(File.ReadAllText(_dir["report/summary.json"])).RootElement.GetProperty("fills").GetInt32();
        var fills = File.ReadAllLines(_dir["report/fills.csv"]).Skip(1).Select(l => l.Split(',')).ToList();
        var lines = ExperienceFile.Read(path).ToList();
        Assert.True(fillsCount > 100, $"the sample backtest trades: {fillsCount} fills");
        Assert.Equal(fillsCount, lines.Count);
        Assert.Contains($"Experience buffer: {fillsCount} lines ({fillsCount} fills)", run.Stdout, StringComparison.Ordinal);
        Assert.All(lines, l => Assert.Null(l.Error));

        var records = lines.Select(l => l.Record!).ToList();
        var open = new Dictionary<string, ExperienceRecord>(StringComparer.Ordinal);
        var tradeIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var fill = fills[i]; // date,symbol,side,qty,price,commission,reason — same order as the fills
            var date = DateOnly.ParseExact(fill[0], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            Assert.Equal(NewYorkTime.ToUtc(date, new TimeOnly(16, 0)), r.Ts);
            Assert.Equal((fill[1], fill[2] == "buy" ? "entry" : "exit", long.Parse(fill[3], CultureInfo.InvariantCulture), fill[6]), (r.Symbol, r.Action, r.Qty, r.Reason));
            Assert.True(Math.Abs(double.Parse(fill[4], CultureInfo.InvariantCulture) - r.Price) < 1e-4, $"line {i + 1}: price {r.Price}, fill {fill[4]}");
            Assert.Equal("backtest", r.Source);
            Assert.True(ExperienceFile.HasFeatures(r), "no features on line " + (i + 1));
            if (r.Action == "entry")
            {
                if (!open.TryGetValue(r.Symbol, out var first))
                {
                    Assert.True(tradeIds.Add(r.TradeId!), "a trade id used twice: " + r.TradeId);
                    open[r.Symbol] = r;
                }
                else
                {
                    Assert.Equal(first.TradeId, r.TradeId); // an add keeps its round trip's id
                }

                continue;
            }

            var entry = open[r.Symbol];
            Assert.Equal((entry.TradeId, entry.Ts, entry.Reason, entry.Setup, entry.Rsi, entry.ZScore), (r.TradeId, r.EntryTs!.Value, r.EntryReason, r.Setup, r.Rsi, r.ZScore));
            Assert.Equal((r.Price - r.EntryPrice!.Value) / r.EntryPrice.Value * 100, r.PnlPct!.Value, 9);
            Assert.Equal((r.Price - r.EntryPrice.Value) * r.Qty, r.RealizedPl!.Value, 6);
            var held = records.Take(i + 1).Where(x => x.TradeId == r.TradeId).Sum(x => x.Action == "entry" ? x.Qty : -x.Qty);
            if (held == 0)
            {
                open.Remove(r.Symbol); // the round trip is closed
            }
        }
    }

    [Fact]
    public void BacktestExperience_IsRefused_WithASweepOrAFolder()
    {
        var sweep = BrainCli.Run(_dir.Path, null, "backtest", "--data", "sample", "--experience", _dir["x.jsonl"], "--sweep", "STOP_LOSS_PCT=1,2");
        Assert.Equal(2, sweep.ExitCode);
        Assert.Contains("not with --sweep or --walk-forward", sweep.Stderr, StringComparison.Ordinal);

        var folder = BrainCli.Run(_dir.Path, null, "backtest", "--data", "sample", "--experience", _dir.Path);
        Assert.Equal(2, folder.ExitCode);
        Assert.Contains("is a folder, not a file", folder.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir["x.jsonl"]));
    }
}
