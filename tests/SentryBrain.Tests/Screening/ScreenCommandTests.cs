using System.Globalization;
using System.Text.Json;
using SentryBrain.Engine;
using SentryBrain.Tests.Cli;
using Xunit;

namespace SentryBrain.Tests.Screening;

/// <summary>`brain screen` end to end on CSV bars: the table, --json, the atomic list file, keep-on-nothing and --fallback top, errors.</summary>
public sealed class ScreenCommandTests
{
    private static readonly Dictionary<string, string> Env = new() { ["APCA_API_KEY_ID"] = string.Empty, ["APCA_API_SECRET_KEY"] = string.Empty };

    /// <summary>
    /// 30 weekdays from 2026-10-01 for each symbol: returns alternate +1 % / −1 % (window mean 0, popstd 1 %), volume
    /// 3,000,000 flat. SPIKE's last return is +5 % (Z ≈ 5); VOLU's last volume is 3.6 M (ratio 3.6/3.0 = 1.2 ≥ 1.15,
    /// its Z stays at ±1).
    /// </summary>
    private static List<DateOnly> WriteBars(string dir)
    {
        Directory.CreateDirectory(dir);
        var dates = new List<DateOnly>();
        for (var d = new DateOnly(2026, 10, 1); dates.Count < 30; d = d.AddDays(1))
        {
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                dates.Add(d);
            }
        }

        foreach (var symbol in new[] { "FLAT", "SPIKE", "VOLU" })
        {
            var lines = new List<string> { "date,open,high,low,close,volume" };
            var close = 50.0;
            for (var i = 0; i < dates.Count; i++)
            {
                var last = i == dates.Count - 1;
                var r = last && symbol == "SPIKE" ? 0.05 : (i % 2 == 0 ? 0.01 : -0.01);
                close *= 1 + r;
                var volume = last && symbol == "VOLU" ? 3_600_000 : 3_000_000;
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{dates[i]:yyyy-MM-dd},{close:R},{close * 1.02:R},{close * 0.98:R},{close:R},{volume}"));
            }

            File.WriteAllLines(Path.Combine(dir, symbol + ".csv"), lines);
        }

        return dates;
    }

    [Fact]
    public void Screen_WritesTheQualifiedNamesAtomicallyAndPrintsTheTable()
    {
        using var folder = BrainCli.NewFolder();
        var dates = WriteBars(folder["bars"]);
        var asOf = dates[^1].AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        File.WriteAllLines(folder["list.txt"], ["# test universe", "FLAT", "spike", "VOLU  # volume", "NOPE"]);

        var run = BrainCli.Run(folder.Path, Env, "screen", "--universe", "file:list.txt", "--data", "csv:bars", "--as-of", asOf, "--out", "active.txt");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("\\|Z\\|=", run.Stdout, StringComparison.Ordinal);
        var file = File.ReadAllLines(folder["active.txt"]);
        Assert.All(file.TakeWhile(l => l.StartsWith('#')), l => Assert.StartsWith("# ", l, StringComparison.Ordinal));
        Assert.Contains(file, l => l.Contains("universe file:list.txt", StringComparison.Ordinal));
        Assert.Contains(file, l => l.StartsWith("# criteria:", StringComparison.Ordinal));
        // SPIKE first (|Z| in the tens), then VOLU (ratio 1.2 → score ≥ 0.4); FLAT qualifies on neither.
        Assert.Equal(["SPIKE", "VOLU"], ActiveSymbols.Parse(file).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(["SPIKE", "VOLU"], file.Where(l => !l.StartsWith('#')).ToArray());
        Assert.Contains("1 of 4 symbols have no file", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }

    [Fact]
    public void Screen_Json_RanksEverySymbolWithHandWorkedRatio()
    {
        using var folder = BrainCli.NewFolder();
        var dates = WriteBars(folder["bars"]);
        var asOf = dates[^1].AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        // A lower-case file name is found, as the backtest finds it.
        File.Move(Path.Combine(folder["bars"], "FLAT.csv"), Path.Combine(folder["bars"], "flat.csv"));
        var run = BrainCli.Run(folder.Path, Env, "screen", "--universe", "FLAT,SPIKE,VOLU", "--data", "csv:bars", "--as-of", asOf, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]);
        var ranked = doc.RootElement.GetProperty("ranked").EnumerateArray().ToArray();
        Assert.Equal(3, ranked.Length);
        var volu = ranked.Single(r => r.GetProperty("symbol").GetString() == "VOLU");
        Assert.Equal(3_600_000.0 / 3_000_000.0, volu.GetProperty("volume_ratio").GetDouble(), 6);
        Assert.Equal("SPIKE", ranked[0].GetProperty("symbol").GetString());
        Assert.StartsWith("|Z| > 2 ", doc.RootElement.GetProperty("criteria").GetString(), StringComparison.Ordinal); // not \u003E
    }

    [Fact]
    public void Screen_NothingQualifies_KeepsThePreviousFile_UnlessFallbackTop()
    {
        using var folder = BrainCli.NewFolder();
        var dates = WriteBars(folder["bars"]);
        var asOf = dates[^1].AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        File.WriteAllText(folder["active.txt"], "OLD\n");

        var kept = BrainCli.Run(folder.Path, Env, "screen", "--universe", "FLAT", "--data", "csv:bars", "--as-of", asOf, "--out", "active.txt");
        Assert.True(kept.ExitCode == 0, kept.ToString());
        Assert.Contains("Nothing qualified", kept.Stderr, StringComparison.Ordinal);
        Assert.Equal("OLD\n", File.ReadAllText(folder["active.txt"]));

        var fallback = BrainCli.Run(folder.Path, Env, "screen", "--universe", "FLAT", "--data", "csv:bars", "--as-of", asOf, "--out", "active.txt", "--fallback", "top");
        Assert.True(fallback.ExitCode == 0, fallback.ToString());
        Assert.Equal(["FLAT"], ActiveSymbols.Parse(File.ReadAllLines(folder["active.txt"])));
    }

    [Fact]
    public void Screen_AsOfTheSpikeDay_DoesNotSeeTheSpike()
    {
        using var folder = BrainCli.NewFolder();
        var dates = WriteBars(folder["bars"]);
        var spikeDay = dates[^1].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var run = BrainCli.Run(folder.Path, Env, "screen", "--universe", "SPIKE,VOLU", "--data", "csv:bars", "--as-of", spikeDay, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]);
        Assert.Empty(doc.RootElement.GetProperty("selected").EnumerateArray());
    }

    [Theory]
    [InlineData("r2000", "data/r2000.txt")]
    [InlineData("sp5000", "unknown universe 'sp5000'")]
    [InlineData("file:missing.txt", "missing.txt does not exist")]
    public void Screen_BadUniverse_IsAClearError(string universe, string expected)
    {
        using var folder = BrainCli.NewFolder();
        WriteBars(folder["bars"]);

        var run = BrainCli.Run(folder.Path, Env, "screen", "--universe", universe, "--data", "csv:bars");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Screen_AlpacaWithoutKeys_IsAClearError()
    {
        using var folder = BrainCli.NewFolder();

        var run = BrainCli.Run(folder.Path, Env, "screen", "--universe", "lab_12");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("APCA_API_KEY_ID", run.Stderr, StringComparison.Ordinal);
    }
}
