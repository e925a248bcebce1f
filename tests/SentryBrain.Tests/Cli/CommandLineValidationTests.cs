namespace SentryBrain.Tests.Cli;

/// <summary>
/// Issue 10 break 11: every bad command-line value, and every conflicting or useless combination, ends with one line
/// on stderr naming the option and exit code 2: no stack trace, no help dump, no report folder.
/// </summary>
public sealed class CommandLineValidationTests
{
    private static readonly string[] SmaAapl = ["backtest", "--data", "sample", "--symbols", "AAPL", "--strategy", "sma_cross"];
    private static readonly string[] GreenAapl = ["backtest", "--data", "sample", "--symbols", "AAPL"];

    /// <summary>A bad command line and a fragment its one-line message must contain.</summary>
    public static TheoryData<string[], string> BadCommandLines => new()
    {
        // backtest: sweeps
        { [.. SmaAapl, "--sweep", "SMA_FAST=abc"], "SMA_FAST" },
        { [.. SmaAapl, "--sweep", "SMA_FAST=5,x"], "'x'" },
        { [.. SmaAapl, "--sweep", "SMA_FAST="], "--sweep" },
        { [.. SmaAapl, "--sweep", "SMA_FAST=0"], "SMA_FAST" },
        { [.. SmaAapl, "--sweep", "SMA_RSI_MAX=150"], "SMA_RSI_MAX" },
        { [.. SmaAapl, "--sweep", "SMA_FAST=40"], "SMA_SLOW" },                    // 40 ≥ the default slow 30
        { [.. SmaAapl, "--sweep", "SMA_FAST=10", "--sweep", "SMA_SLOW=10"], "SMA_SLOW" },
        { [.. SmaAapl, "--sweep", "STOP_LOSS_PCT=1,2"], "sma_cross" },            // sma_cross reads no rules
        { [.. GreenAapl, "--sweep", "SMA_FAST=5,20"], "green_light" },            // green_light never reads SMA_FAST
        { [.. GreenAapl, "--sweep", "REDIS_URL=redis://a:1"], "REDIS_URL" },      // no backtest reads it
        { [.. GreenAapl, "--sweep", "STOP_LOSS_PCT=abc"], "STOP_LOSS_PCT" },
        { [.. GreenAapl, "--sweep", "NOT_A_SETTING=1"], "NOT_A_SETTING" },
        { [.. GreenAapl, "--walk-forward", "252"], "--walk-forward" },
        { [.. GreenAapl, "--walk-forward", "0:63"], "--walk-forward" },

        // backtest: period
        { [.. SmaAapl, "--years", "2", "--start", "2015-01-01"], "--start" },
        { [.. SmaAapl, "--days", "30", "--start", "2015-01-01"], "--start" },
        { [.. SmaAapl, "--days", "30", "--years", "1"], "--years" },
        { [.. SmaAapl, "--days", "0"], "--days" },
        { [.. SmaAapl, "--days", "-5"], "--days" },
        { [.. SmaAapl, "--days", "abc"], "--days" },
        { [.. SmaAapl, "--years", "0"], "--years" },
        { [.. SmaAapl, "--years", "NaN"], "--years" },
        { [.. SmaAapl, "--start", "2015-13-01"], "--start" },
        { [.. SmaAapl, "--end", "2017-02-30"], "--end" },
        { [.. SmaAapl, "--start", "2017-01-01", "--end", "2016-01-01"], "--start" },
        { [.. SmaAapl, "--end", "2030-01-01"], "2018-05-11" },                     // the AAPL sample ends 2018-05-11
        { [.. SmaAapl, "--start", "2030-01-01"], "2018-05-11" },

        // backtest: other values
        { [.. SmaAapl, "--cash", "0"], "--cash" },
        { [.. SmaAapl, "--cash", "-100"], "--cash" },
        { [.. SmaAapl, "--cash", "Infinity"], "--cash" },
        { [.. SmaAapl, "--cash", "lots"], "--cash" },
        { [.. SmaAapl, "--seed", "-1"], "--seed" },
        { ["backtest", "--data", "nope"], "--data" },
        { ["backtest", "--data", "csv:/nonexistent-sentrybrain-dir", "--symbols", "AAPL"], "/nonexistent-sentrybrain-dir" },
        { ["backtest", "--data", "sample", "--symbols", ","], "--symbols" },
        { ["backtest", "--data", "sample", "--symbols", "../../etc/passwd"], "--symbols" },
        { ["backtest", "--data", "sample", "--strategy", "momentum"], "--strategy" },
        { [.. SmaAapl, "--force"], "--force" },                                    // --force without --report
        { [.. SmaAapl, "--bogus"], "--bogus" },

        // replay, bench
        { ["replay", "--events", "-1"], "--events" },
        { ["replay", "--events", "ten"], "--events" },
        { ["replay", "--events", "10", "--symbols", "0"], "--symbols" },
        { ["replay", "--seed", "x"], "--seed" },
        { ["bench", "consume", "--events", "0"], "--events" },
        { ["bench", "consume", "--runs", "0"], "--runs" },
        { ["bench", "consume", "--symbols", "0"], "--symbols" },
        { ["bench", "consume", "--strategy-interval", "-1"], "--strategy-interval" },
        { ["bench", "consume", "--strategy-interval", "NaN"], "--strategy-interval" },
        { ["bench", "backtest", "--symbols", "0"], "--symbols" },
        { ["bench", "backtest", "--years", "0"], "--years" },
        { ["bench", "backtest", "--runs", "-1"], "--runs" },

        // consume, publish, route: refused before any connection (port 1 is closed)
        { ["consume", "--redis", "redis://127.0.0.1:1", "--idle-exit", "-1"], "--idle-exit" },
        { ["consume", "--redis", "redis://127.0.0.1:1", "--idle-exit", "NaN"], "--idle-exit" },
        { ["consume", "--redis", "redis://127.0.0.1:1", "--auto-shards", "-2"], "--auto-shards" },
        { ["consume", "--redis", "redis://127.0.0.1:1", "--shards", "a,b"], "--shards" },
        { ["consume", "--redis", "http://127.0.0.1:1"], "--redis" },
        { ["consume", "--ledger", ""], "--ledger" },
        { ["route", "--redis", "redis://127.0.0.1:1", "--shards", "0"], "--shards" },
        { ["route", "--redis", "redis://127.0.0.1:1", "--shards", "2", "--idle-exit", "-1"], "--idle-exit" },
        { ["publish", "--redis", "redis://127.0.0.1:1", "--shards", "-1"], "--shards" },

        // paper-order, indicators, unknown command
        { ["paper-order", "--qty", "0"], "--qty" },
        { ["paper-order", "--qty", "abc"], "--qty" },
        { ["paper-order", "--symbol", "A B"], "--symbol" },
        { ["indicators", "--bars", "/nonexistent-sentrybrain.csv"], "/nonexistent-sentrybrain.csv" },
        { ["indicators"], "--bars" },
        { ["no-such-command"], "no-such-command" },
    };

    [Theory]
    [MemberData(nameof(BadCommandLines))]
    public void BadCommandLine_OneLineOnStderr_Exit2_NoStackTrace(string[] args, string fragment)
    {
        using var dir = BrainCli.NewFolder();

        var result = BrainCli.Run(dir.Path, null, TimeSpan.FromSeconds(60), args);

        Assert.True(result.ExitCode == 2, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr: " + result);
        Assert.Contains(fragment, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.All, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout.Trim()); // no help text, no half a report
        Assert.False(Directory.Exists(dir["reports"]), "a failed backtest left a report folder");
    }

    [Fact]
    public void GoodCommandLines_StillRun()
    {
        using var dir = BrainCli.NewFolder();

        Assert.Equal(0, BrainCli.Run(dir.Path, null, [.. SmaAapl, "--years", "2", "--report", dir["a"]]).ExitCode);
        Assert.Equal(0, BrainCli.Run(dir.Path, null, [.. SmaAapl, "--start", "2015-01-01", "--end", "2016-12-31", "--sweep", "SMA_FAST=5,20", "--sweep", "SMA_SLOW=30,50", "--report", dir["b"]]).ExitCode);
        Assert.Equal(0, BrainCli.Run(dir.Path, null, [.. GreenAapl, "--days", "400", "--sweep", "STOP_LOSS_PCT=1,2", "--report", dir["c"]]).ExitCode);
        Assert.Equal(0, BrainCli.Run(dir.Path, null, "replay", "--events", "10", "--symbols", "2").ExitCode);
    }
}
