using System.Text.Json;
using SentryBrain.Tests.Cli;
using SentryBrain.Tests.Engine;

namespace SentryBrain.Tests.Learning;

/// <summary><c>brain shadow report</c> as a child process, and the start-up error of a bad <c>SHADOW_PARAMETER_SETS</c>.</summary>
public sealed class ShadowCommandTests
{
    private static readonly Dictionary<string, string> NoEnv = new(StringComparer.Ordinal);

    /// <summary>A book at <c>data/shadow.db</c> (the default path) in <paramref name="folder"/>, with <see cref="ShadowDriver.TwoRoundTrips"/>.</summary>
    private static void WriteBook(TempFolder folder)
    {
        using var book = ShadowDriver.Open(folder["data/shadow.db"], new CountingStore());
        ShadowDriver.TwoRoundTrips(new ShadowDriver(book));
    }

    [Fact]
    public void Report_Json_GivesEachModelsStatistics_AndLive()
    {
        using var folder = BrainCli.NewFolder();
        WriteBook(folder);

        var run = BrainCli.Run(folder.Path, new Dictionary<string, string> { ["SHADOW_PARAMETER_SETS"] = "loose:2:4" }, "shadow", "report", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.Stdout);
        var models = doc.RootElement.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("model").GetString()!);
        Assert.Equal(["tight", "wide", "scalp", "loose"], models.Keys);
        (int, double, double, double, double, int, double, bool) Row(string name)
        {
            var m = models[name];
            return (m.GetProperty("trades").GetInt32(), m.GetProperty("win_rate").GetDouble(), Math.Round(m.GetProperty("total_return_pct").GetDouble(), 9),
                Math.Round(m.GetProperty("avg_return_pct").GetDouble(), 9), Math.Round(m.GetProperty("max_drawdown_pct").GetDouble(), 9),
                m.GetProperty("live_trades").GetInt32(), Math.Round(m.GetProperty("live_return_pct").GetDouble(), 9), m.GetProperty("promote").GetBoolean());
        }

        // As ShadowBookTests (hand-worked there): tight +1.5, −0.5; wide −1.5, +3; scalp +1, −1; live −1.5, +3.
        Assert.Equal((2, 0.5, 1.0, 0.5, 0.5, 2, 1.5, false), Row("tight"));
        Assert.Equal((2, 0.5, 1.5, 0.75, 1.5, 2, 1.5, false), Row("wide"));
        Assert.Equal((2, 0.5, 0.0, 0.0, 1.0, 2, 1.5, false), Row("scalp"));
        Assert.Equal((0, 0.0, 0.0, 0.0, 0.0, 2, 1.5, false), Row("loose"));
        Assert.Equal((0.5, 3.0), (models["tight"].GetProperty("stop_pct").GetDouble(), models["wide"].GetProperty("take_profit_pct").GetDouble()));
        var live = doc.RootElement.GetProperty("live");
        Assert.Equal((2, 1.5), (live.GetProperty("trades").GetInt32(), Math.Round(live.GetProperty("total_return_pct").GetDouble(), 9)));
    }

    [Fact]
    public void Report_Table_HasARowPerModel_AndLive()
    {
        using var folder = BrainCli.NewFolder();
        WriteBook(folder);

        var run = BrainCli.Run(folder.Path, NoEnv, "shadow", "report", "--db", "data/shadow.db");

        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["tight", "0.5", "1.5", "2", "50.0", "1.00", "0.500", "0.50", "2", "1.50", "no"], rows.Single(r => r[0] == "tight"));
        Assert.Equal(["wide", "1.5", "3", "2", "50.0", "1.50", "0.750", "1.50", "2", "1.50", "no"], rows.Single(r => r[0] == "wide"));
        Assert.Equal(["live", "2", "50.0", "1.50", "0.750", "1.50"], rows.Single(r => r[0] == "live"));
    }

    [Fact]
    public void Report_WithoutADatabase_OrWithACorruptOne_SaysSo()
    {
        using var folder = BrainCli.NewFolder();
        var missing = BrainCli.Run(folder.Path, NoEnv, "shadow", "report");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no shadow database at data/shadow.db", missing.Stderr, StringComparison.Ordinal);

        File.WriteAllText(folder["garbage.db"], new string('x', 5000));
        var corrupt = BrainCli.Run(folder.Path, NoEnv, "shadow", "report", "--db", "garbage.db");
        Assert.Equal(3, corrupt.ExitCode);
        Assert.Contains("shadow database garbage.db cannot be read", corrupt.Stderr, StringComparison.Ordinal);
        Assert.Equal(new string('x', 5000), File.ReadAllText(folder["garbage.db"])); // the report only reads
    }

    [Fact]
    public void GarbageParameterSets_StopConsumeAndReportAtStartUp_NamingTheVariable()
    {
        using var folder = BrainCli.NewFolder();
        var env = new Dictionary<string, string> { ["SHADOW_PARAMETER_SETS"] = "loose:2" };

        var consume = BrainCli.RunWithInput(folder.Path, env, "", TimeSpan.FromSeconds(60), "consume");
        var report = BrainCli.Run(folder.Path, env, "shadow", "report");

        foreach (var run in new[] { consume, report })
        {
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("SHADOW_PARAMETER_SETS=\"loose:2\" is not valid", run.Stderr, StringComparison.Ordinal);
            Assert.Contains("entry 'loose:2' is not name:stop%:take-profit%", run.Stderr, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(folder["data"])); // nothing opened
    }
}
