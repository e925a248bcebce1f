using Microsoft.Extensions.Time.Testing;
using SentryBrain.Backtesting;
using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.Backtesting;

/// <summary>
/// Issue 10 break 10: backtest reports never overwrite each other. Default folders are unique even within one
/// second, an existing folder is written only with --force, and a failed run leaves no folder behind.
/// </summary>
public sealed class ReportFolderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 14, 30, 5, 250, TimeSpan.Zero);
    private readonly TempFolder _dir = BrainCli.NewFolder();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TwoRunsInTheSameSecond_GetTwoFolders_EachWithOnlyItsOwnFiles()
    {
        var clock = new FakeTimeProvider(Now);
        var root = _dir["reports"];

        var first = ReportFolder.Publish(null, force: false, root, clock, d => File.WriteAllText(Path.Combine(d, "trades.csv"), "first"));
        clock.Advance(TimeSpan.FromMilliseconds(500)); // still 14:30:05
        var second = ReportFolder.Publish(null, force: false, root, clock, d => File.WriteAllText(Path.Combine(d, "summary.md"), "second"));

        Assert.Equal(Path.Combine(root, "20260302-143005"), first);
        Assert.Equal(Path.Combine(root, "20260302-143005-2"), second);
        Assert.Equal(["trades.csv"], Names(first));
        Assert.Equal(["summary.md"], Names(second));
        Assert.Equal(["20260302-143005", "20260302-143005-2"], Names(root)); // nothing else (no staging left)
    }

    [Fact]
    public void AFailedRun_LeavesNoFolder()
    {
        var root = _dir["reports"];

        Assert.Throws<IOException>(() => ReportFolder.Publish(null, force: false, root, new FakeTimeProvider(Now), d =>
        {
            File.WriteAllText(Path.Combine(d, "summary.json"), "{}");
            throw new IOException("disk full");
        }));

        Assert.Empty(Directory.Exists(root) ? Names(root) : []);
    }

    [Fact]
    public void AnExistingNonEmptyFolder_IsRefusedWithoutForce_AndLeftUnchanged()
    {
        var target = _dir["mine"];
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "trades.csv"), "old");

        Assert.NotNull(ReportFolder.CheckTarget(target, force: false));
        var ex = Assert.Throws<ReportFolderException>(() => ReportFolder.Publish(target, force: false, _dir["reports"], new FakeTimeProvider(Now), d => File.WriteAllText(Path.Combine(d, "trades.csv"), "new")));

        Assert.Contains("--force", ex.Message, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(Path.Combine(target, "trades.csv")));
        Assert.Equal(["trades.csv"], Names(target));
        Assert.False(Directory.Exists(_dir["reports"]));
    }

    [Fact]
    public void Force_ReplacesTheReportFiles_AndKeepsFilesThatAreNotPartOfAReport()
    {
        var target = _dir["mine"];
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "trades.csv"), "old");
        File.WriteAllText(Path.Combine(target, "sweep.csv"), "old sweep"); // a stale report file of an earlier run
        File.WriteAllText(Path.Combine(target, "notes.txt"), "mine");

        Assert.Null(ReportFolder.CheckTarget(target, force: true));
        var written = ReportFolder.Publish(target, force: true, _dir["reports"], new FakeTimeProvider(Now), d => File.WriteAllText(Path.Combine(d, "trades.csv"), "new"));

        Assert.Equal(target, written);
        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "trades.csv")));
        Assert.Equal(["notes.txt", "trades.csv"], Names(target)); // the stale sweep.csv is gone, notes.txt kept
        Assert.Equal([], Names(_dir.Path).Where(n => n.StartsWith('.')).ToArray()); // no staging folder left
    }

    [Fact]
    public void AnEmptyOrMissingExplicitFolder_NeedsNoForce()
    {
        var empty = _dir["empty"];
        Directory.CreateDirectory(empty);
        var missing = _dir["deep/missing"];

        Assert.Null(ReportFolder.CheckTarget(empty, force: false));
        Assert.Null(ReportFolder.CheckTarget(missing, force: false));
        ReportFolder.Publish(empty, force: false, _dir["reports"], new FakeTimeProvider(Now), d => File.WriteAllText(Path.Combine(d, "a.csv"), "a"));
        ReportFolder.Publish(missing, force: false, _dir["reports"], new FakeTimeProvider(Now), d => File.WriteAllText(Path.Combine(d, "b.csv"), "b"));

        Assert.Equal(["a.csv"], Names(empty));
        Assert.Equal(["b.csv"], Names(missing));
    }

    [Fact]
    public void Cli_ReportIntoAnExistingFolder_WithoutForce_FailsWithExit2_AndChangesNothing()
    {
        var target = _dir["existing"];
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "trades.csv"), "old");

        var result = BrainCli.Run(_dir.Path, null, "backtest", "--data", "sample", "--symbols", "AAPL", "--strategy", "sma_cross", "--report", target);

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Contains("--force", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(["trades.csv"], Names(target));
        Assert.Equal("old", File.ReadAllText(Path.Combine(target, "trades.csv")));
    }

    [Fact]
    public void Cli_RunThenSweep_WriteTwoSeparateReports()
    {
        var first = BrainCli.Run(_dir.Path, null, "backtest", "--data", "sample", "--symbols", "AAPL", "--strategy", "sma_cross");
        var second = BrainCli.Run(_dir.Path, null, "backtest", "--data", "sample", "--symbols", "AAPL", "--strategy", "sma_cross", "--sweep", "SMA_FAST=5,20");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        var folders = Directory.GetDirectories(_dir["reports"]);
        Assert.Equal(2, folders.Length);
        Assert.Single(folders, f => File.Exists(Path.Combine(f, "trades.csv")) && !File.Exists(Path.Combine(f, "sweep.csv")));
        Assert.Single(folders, f => File.Exists(Path.Combine(f, "sweep.csv")) && !File.Exists(Path.Combine(f, "trades.csv")));
    }

    [Theory]
    [InlineData("--start", "2030-01-01")]                  // no bars in the range
    [InlineData("--sweep", "SMA_FAST=abc")]                 // a bad value found after the data was read
    [InlineData("--walk-forward", "5000:5000")]             // fewer days than one fold
    public void Cli_AFailedRun_LeavesNoReportFolder(string option, string value)
    {
        var result = BrainCli.Run(_dir.Path, null, "backtest", "--data", "sample", "--symbols", "AAPL", "--strategy", "sma_cross", option, value);

        Assert.NotEqual(0, result.ExitCode);
        Assert.False(Directory.Exists(_dir["reports"]) && Directory.EnumerateFileSystemEntries(_dir["reports"]).Any(), "a report folder was left: " + result);
    }

    private static string[] Names(string dir) => [.. Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
}
