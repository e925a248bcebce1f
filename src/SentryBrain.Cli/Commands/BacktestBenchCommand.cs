using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SentryBrain.Backtesting;
using SentryBrain.Config;
using Spectre.Console;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// `brain bench backtest`: bars/s of one backtest on synthetic daily bars (one thread, so the figure is per core),
/// the bytes it allocated and the process's peak working set.
/// </summary>
internal static class BacktestBenchCommand
{
    public static Command Create()
    {
        var symbols = new Option<int>("--symbols") { Description = "Synthetic symbols", DefaultValueFactory = _ => 500 };
        var years = new Option<int>("--years") { Description = "Years of weekday bars (252 per year)", DefaultValueFactory = _ => 10 };
        var strategy = new Option<string>("--strategy") { Description = "green_light, consensus or sma_cross", DefaultValueFactory = _ => "sma_cross" };
        strategy.AcceptOnlyFromAmong("green_light", "consensus", "sma_cross");
        var runs = new Option<int>("--runs") { Description = "Timed runs after one warm-up (best is reported)", DefaultValueFactory = _ => 3 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the synthetic bars", DefaultValueFactory = _ => 1 };
        var command = new Command("backtest", "Backtest throughput (bars/s per core) and memory on synthetic daily bars") { symbols, years, strategy, runs, seed };
        command.SetAction(parse => Usage.Run("bench backtest", () => Run(
            Usage.AtLeast(parse.GetValue(symbols), 1, "--symbols"),
            Usage.AtLeast(parse.GetValue(years), 1, "--years"),
            parse.GetValue(strategy)!,
            Usage.AtLeast(parse.GetValue(runs), 1, "--runs"),
            parse.GetValue(seed))));
        return command;
    }

    private static int Run(int symbolCount, int years, string strategy, int runs, ulong seed)
    {
        var days = years * 252;
        var generate = Stopwatch.StartNew();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var panel = SyntheticBars.Generate(symbolCount, days, seed);
        var panelBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "{0:N0} symbols × {1:N0} days = {2:N0} bars generated in {3:0.00} s ({4:N1} MB of columns)", symbolCount, days, panel.BarCount, generate.Elapsed.TotalSeconds, panelBytes / 1e6);
        var config = BrainConfig.Load(ConfigSource.FromPairs());
        var options = new BacktestOptions(BacktestOptions.Parse(strategy), config);
        Backtester.Run(panel, options); // warm-up (JIT)

        var best = double.MaxValue;
        long allocated = 0;
        BacktestSummary? summary = null;
        for (var r = 0; r < runs; r++)
        {
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            var result = Backtester.Run(panel, options);
            var seconds = sw.Elapsed.TotalSeconds;
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            summary = BacktestStatistics.Compute(result);
            best = Math.Min(best, seconds);
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var table = new Table().AddColumns("metric", "value");
        table.AddRow("strategy", strategy);
        table.AddRow("bars", panel.BarCount.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("best run", string.Create(CultureInfo.InvariantCulture, $"{best:0.000} s"));
        table.AddRow("bars/s (one core)", string.Create(CultureInfo.InvariantCulture, $"{panel.BarCount / best:N0}"));
        table.AddRow("allocated per run", string.Create(CultureInfo.InvariantCulture, $"{allocated / 1e6:N1} MB"));
        table.AddRow("bar columns", string.Create(CultureInfo.InvariantCulture, $"{panelBytes / 1e6:N1} MB"));
        table.AddRow("peak working set", string.Create(CultureInfo.InvariantCulture, $"{process.PeakWorkingSet64 / 1e6:N1} MB"));
        table.AddRow("round trips / fills", string.Create(CultureInfo.InvariantCulture, $"{summary!.Trades:N0} / {summary.Fills:N0}"));
        AnsiConsole.Write(table);
        return 0;
    }
}
