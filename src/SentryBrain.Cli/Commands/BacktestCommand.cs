using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using SentryBrain.Backtesting;
using SentryBrain.Config;
using SentryBrain.Market.Alpaca;
using Spectre.Console;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// `brain backtest`: the live strategy and rules on daily bars; writes a report directory (summary.md/json,
/// trades.csv, fills.csv, equity.csv, equity.png, drawdown.png, manifest.json). `--sweep` and `--walk-forward`
/// run many backtests in parallel and write one summary table.
/// </summary>
internal static class BacktestCommand
{
    private static readonly string[] SmaParameters = ["SMA_FAST", "SMA_SLOW", "SMA_RSI_MAX", "SMA_RSI_PERIOD"];

    /// <summary>Calendar days of bars before the period used only to warm indicators up (≈ 275 sessions: SMA200, structure, ATR percentile).</summary>
    private const int WarmUpDays = 400;

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "sample (bundled bars), csv:DIR (DIR/SYMBOL.csv) or alpaca (daily bars, cached on disk)", DefaultValueFactory = _ => "sample" };
        var symbols = new Option<string>("--symbols") { Description = "Comma-separated symbols (sample: SPY = the S&P 500 index file, AAPL)", DefaultValueFactory = _ => "SPY" };
        var strategy = new Option<string>("--strategy") { Description = "green_light, consensus or sma_cross", DefaultValueFactory = _ => "green_light" };
        strategy.AcceptOnlyFromAmong("green_light", "consensus", "sma_cross");
        var days = new Option<int?>("--days") { Description = "Calendar days up to the end date" };
        var years = new Option<double?>("--years") { Description = "Years up to the end date (365.25 days each)" };
        var start = new Option<string?>("--start") { Description = "First date (yyyy-MM-dd)" };
        var end = new Option<string?>("--end") { Description = "Last date (yyyy-MM-dd); default: the data's last date" };
        var cash = new Option<double>("--cash") { Description = "Starting cash", DefaultValueFactory = _ => 100_000 };
        var report = new Option<string?>("--report") { Description = "Report directory (default reports/<timestamp>/)" };
        var seed = new Option<ulong>("--seed") { Description = "Seed recorded in the manifest (the simulation itself is deterministic)", DefaultValueFactory = _ => 0 };
        var walkForward = new Option<string?>("--walk-forward") { Description = "TRAIN:TEST in trading days, e.g. 252:63" };
        var sweep = new Option<string[]>("--sweep") { Description = "PARAM=v1,v2,... (repeat for a grid); PARAM is a configuration variable or SMA_FAST/SMA_SLOW/SMA_RSI_MAX", AllowMultipleArgumentsPerToken = false };
        var command = new Command("backtest", "Run the strategy on daily bars and write a report")
        {
            data, symbols, strategy, days, years, start, end, cash, report, seed, walkForward, sweep,
        };
        command.SetAction(parse =>
        {
            try
            {
                return Run(new Args(
                    parse.GetValue(data)!,
                    [.. parse.GetValue(symbols)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToUpperInvariant())],
                    parse.GetValue(strategy)!,
                    parse.GetValue(days),
                    parse.GetValue(years),
                    ParseDate(parse.GetValue(start), "--start"),
                    ParseDate(parse.GetValue(end), "--end"),
                    parse.GetValue(cash),
                    parse.GetValue(report),
                    parse.GetValue(seed),
                    parse.GetValue(walkForward),
                    parse.GetValue(sweep) ?? []));
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or ConfigException or Market.Bars.BarCsvException or Execution.Alpaca.AlpacaApiException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine("backtest: " + ex.Message);
                return 2;
            }
        });
        return command;
    }

    private sealed record Args(
        string Data, string[] Symbols, string Strategy, int? Days, double? Years, DateOnly? Start, DateOnly? End,
        double Cash, string? Report, ulong Seed, string? WalkForward, string[] Sweep);

    private static int Run(Args a)
    {
        if (a.Symbols.Length == 0)
        {
            throw new ArgumentException("--symbols is empty");
        }

        var clock = Stopwatch.StartNew();
        var config = LoadConfig([], out var entries);
        var kind = BacktestOptions.Parse(a.Strategy);
        var wanted = a.Symbols.ToList();
        var dataOnly = new List<string>();
        if (config.Spy200maRegimeEnabled && kind != BacktestStrategy.SmaCross && !wanted.Contains("SPY"))
        {
            wanted.Add("SPY");
            dataOnly.Add("SPY"); // regime filter input only
        }

        var issues = new List<BarIssue>();
        var series = Load(a, config, wanted, issues);
        foreach (var issue in issues)
        {
            Console.Error.WriteLine("skipped bad row: " + issue);
        }

        // The period comes from the traded symbols (a regime-only SPY does not stretch it). Up to WarmUpDays before
        // it are loaded too: indicators warm up there, but no order is placed and statistics start at the period.
        var traded = series.Where(s => !dataOnly.Contains(s.Symbol)).ToList();
        var (from, to) = BacktestData.Range(traded, a.Start, a.End, a.Days, a.Years);
        from ??= traded.SelectMany(s => s.Bars).Select(b => (DateOnly?)b.Date).DefaultIfEmpty(null).Min();
        var panel = BarPanel.Align(series, from?.AddDays(-WarmUpDays), to);
        var tradeFrom = from is { } f ? Array.FindIndex(panel.Dates, d => d >= f) : 0;
        if (panel.Days == 0 || tradeFrom < 0)
        {
            Console.Error.WriteLine("backtest: no bars in the requested range");
            return 1;
        }

        var baseOptions = new BacktestOptions(kind, config, a.Cash, SmaCrossParameters.Default, TradeFromDay: tradeFrom, DataOnlySymbols: dataOnly);
        var dir = a.Report ?? Path.Combine("reports", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        var manifest = new RunManifest(
            CodeVersion(),
            "brain " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            DateTime.UtcNow,
            0,
            a.Seed,
            [.. series.Select(s => new DataFileInfo(s.Symbol, s.Source, s.Sha256, s.Bars.Count))],
            issues,
            [.. entries.Select(e => new KeyValuePair<string, string>(e.Name, e.Secret ? ConfigReader.Mask(e.Value) : e.Value))]);
        var name = BacktestOptions.Name(kind);

        if (a.Sweep.Length > 0 || a.WalkForward is not null)
        {
            return RunExperiments(a, panel, baseOptions, dir, manifest, clock);
        }

        var result = WithProgress($"backtest {name}", panel.Days, progress => Backtester.Run(panel, baseOptions, progress));
        var summary = BacktestStatistics.Compute(result);
        manifest = manifest with { ElapsedSeconds = clock.Elapsed.TotalSeconds };
        BacktestReport.WriteAll(dir, name, baseOptions, result, summary, manifest);
        Charts.Write(dir, result);
        PrintSummary(name, summary, panel, dir, clock.Elapsed.TotalSeconds);
        return 0;
    }

    private static int RunExperiments(Args a, BarPanel panel, BacktestOptions baseOptions, string dir, RunManifest manifest, Stopwatch clock)
    {
        var grid = Experiments.Grid(a.Sweep);
        var known = LoadConfig([], out var entries);
        _ = known;
        var names = entries.Select(e => e.Name).Concat(SmaParameters).ToHashSet(StringComparer.Ordinal);
        foreach (var key in grid.SelectMany(p => p.Values).Select(v => v.Key).Distinct())
        {
            if (!names.Contains(key))
            {
                throw new ArgumentException($"--sweep: unknown parameter '{key}' (a configuration variable from `brain config`, or {string.Join("/", SmaParameters)})");
            }
        }

        // Configurations are built (and validated) once, before the parallel runs.
        var optionsByPoint = grid.ToDictionary(p => p, p => OptionsFor(baseOptions, p));
        Func<GridPoint, BacktestOptions> optionsFor = p => optionsByPoint[p];
        IReadOnlyList<ExperimentRow> rows;
        string title;
        if (a.WalkForward is { } wf)
        {
            var (train, test) = Experiments.ParseWalkForward(wf);
            title = $"Walk-forward {train}:{test} trading days, {grid.Count} parameter set(s), best by Sharpe on each training window";
            // Folds tile the period itself; each training window is the warm-up of its test window.
            rows = Experiments.WalkForward(panel.Slice(baseOptions.TradeFromDay, panel.Days), train, test, grid, optionsFor);
            if (rows.Count == 0)
            {
                Console.Error.WriteLine($"backtest: {panel.Days} days are fewer than one fold ({train + test})");
                return 1;
            }
        }
        else
        {
            title = $"Sweep of {grid.Count} parameter set(s)";
            rows = Experiments.Sweep(panel, grid, optionsFor);
        }

        var name = BacktestOptions.Name(baseOptions.Strategy);
        var markdown = $"# {name}: {title}\n\n{Experiments.Markdown(rows)}";
        File.WriteAllText(Path.Combine(dir, "summary.md"), markdown);
        File.WriteAllText(Path.Combine(dir, a.WalkForward is null ? "sweep.csv" : "walk_forward.csv"), Experiments.Csv(rows));
        File.WriteAllText(Path.Combine(dir, "manifest.json"), BacktestReport.ManifestJson(name, baseOptions, manifest with { ElapsedSeconds = clock.Elapsed.TotalSeconds }));
        Console.WriteLine(markdown);
        Console.WriteLine($"Report: {dir} ({clock.Elapsed.TotalSeconds:0.0} s, {Environment.ProcessorCount} cores)");
        return 0;
    }

    private static BacktestOptions OptionsFor(BacktestOptions baseOptions, GridPoint point)
    {
        var sma = baseOptions.SmaCross ?? SmaCrossParameters.Default;
        var overrides = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in point.Values)
        {
            switch (key)
            {
                case "SMA_FAST":
                    sma = sma with { Fast = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "SMA_SLOW":
                    sma = sma with { Slow = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "SMA_RSI_MAX":
                    sma = sma with { RsiMax = double.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "SMA_RSI_PERIOD":
                    sma = sma with { RsiPeriod = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                default:
                    overrides.Add(new KeyValuePair<string, string>(key, value));
                    break;
            }
        }

        var config = overrides.Count == 0 ? baseOptions.Config : LoadConfig(overrides, out _);
        return baseOptions with { Config = config, SmaCross = sma };
    }

    /// <summary>The configuration from the process environment and .env, with sweep values on top (they win).</summary>
    private static BrainConfig LoadConfig(IReadOnlyList<KeyValuePair<string, string>> overrides, out IReadOnlyList<ConfigEntry> entries)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        foreach (var (key, value) in overrides)
        {
            environment[key] = value;
        }

        var dotEnv = File.Exists(".env") ? ConfigSource.ParseDotEnv(File.ReadAllLines(".env")) : new Dictionary<string, string>(StringComparer.Ordinal);
        return BrainConfig.Load(new ConfigSource(environment, dotEnv), out entries);
    }

    private static IReadOnlyList<SymbolBars> Load(Args a, BrainConfig config, IReadOnlyList<string> symbols, List<BarIssue> issues)
    {
        if (a.Data.Equals("sample", StringComparison.OrdinalIgnoreCase))
        {
            var samples = BacktestData.FindSamplesDirectory()
                ?? throw new IOException("the samples/ folder was not found (run from the repository, or use --data csv:DIR)");
            return BacktestData.LoadSamples(samples, symbols, issues);
        }

        if (a.Data.StartsWith("csv:", StringComparison.OrdinalIgnoreCase))
        {
            return BacktestData.LoadCsvFolder(a.Data[4..], symbols, issues);
        }

        if (a.Data.Equals("alpaca", StringComparison.OrdinalIgnoreCase))
        {
            if (!config.HasAlpacaKeys)
            {
                throw new ArgumentException("--data alpaca needs APCA_API_KEY_ID and APCA_API_SECRET_KEY");
            }

            var env = Environment.GetEnvironmentVariables();
            var dataUrl = env["ALPACA_DATA_BASE_URL"] is string raw && Uri.TryCreate(raw, UriKind.Absolute, out var parsed) ? parsed : AlpacaDataOptions.DefaultDataBaseUrl;
            var feed = env["ALPACA_DATA_FEED"] is string f && f is "sip" or "iex" ? f : "iex";
            var end = a.End ?? DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
            var start = a.Start ?? end.AddDays(-(a.Days ?? (int)Math.Round((a.Years ?? 1) * 365.25)));
            using var client = new AlpacaDataClient(new AlpacaDataOptions(config.AlpacaKeyId, config.AlpacaSecretKey, dataUrl, feed));
            using var cache = BarCache.Open(Path.Combine("data", "bars-cache.db"));
            return BacktestData.LoadAlpacaAsync(client, cache, symbols, start, end, issues).GetAwaiter().GetResult();
        }

        throw new ArgumentException($"unknown --data '{a.Data}' (sample, csv:DIR or alpaca)");
    }

    /// <summary>Runs <paramref name="work"/>; if it takes over a second, shows a progress bar on stderr until it ends.</summary>
    private static T WithProgress<T>(string title, int total, Func<Action<int, int>, T> work)
    {
        var done = 0;
        var task = Task.Run(() => work((d, _) => Volatile.Write(ref done, d)));
        if (task.Wait(TimeSpan.FromSeconds(1)))
        {
            return task.GetAwaiter().GetResult();
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress().AutoClear(true).Start(ctx =>
        {
            var bar = ctx.AddTask(title, maxValue: total);
            while (!task.Wait(TimeSpan.FromMilliseconds(100)))
            {
                bar.Value = Volatile.Read(ref done);
            }

            bar.Value = total;
        });
        return task.GetAwaiter().GetResult();
    }

    private static void PrintSummary(string name, BacktestSummary s, BarPanel panel, string dir, double seconds)
    {
        var table = new Table().AddColumns("metric", "value");
        table.AddRow("strategy", name);
        table.AddRow("period", string.Create(CultureInfo.InvariantCulture, $"{s.Start:yyyy-MM-dd} → {s.End:yyyy-MM-dd} ({s.Days} days)"));
        table.AddRow("start → end equity", string.Create(CultureInfo.InvariantCulture, $"{s.StartEquity:N2} → {s.EndEquity:N2}"));
        table.AddRow("total return / CAGR", string.Create(CultureInfo.InvariantCulture, $"{s.TotalReturn * 100:0.00} % / {(s.Cagr ?? 0) * 100:0.00} %"));
        table.AddRow("Sharpe / Sortino", string.Create(CultureInfo.InvariantCulture, $"{s.Sharpe:0.000} / {s.Sortino:0.000}"));
        table.AddRow("max drawdown", string.Create(CultureInfo.InvariantCulture, $"{s.MaxDrawdown * 100:0.00} % ({s.MaxDrawdownPeak:yyyy-MM-dd} → {s.MaxDrawdownTrough:yyyy-MM-dd})"));
        table.AddRow("trades / win rate", string.Create(CultureInfo.InvariantCulture, $"{s.Trades} / {(s.WinRate ?? 0) * 100:0.0} %"));
        table.AddRow("exposure", string.Create(CultureInfo.InvariantCulture, $"{s.Exposure * 100:0.0} %"));
        table.AddRow("days daily cap hit", s.DaysDailyCapHit.ToString(CultureInfo.InvariantCulture));
        table.AddRow("bars", panel.BarCount.ToString(CultureInfo.InvariantCulture));
        table.AddRow("report", Markup.Escape(dir));
        AnsiConsole.Write(table);
        Console.WriteLine($"Report written to {dir} in {seconds:0.00} s");
    }

    private static DateOnly? ParseDate(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new ArgumentException($"{option} '{text}' is not a date (yyyy-MM-dd)");
    }

    /// <summary><c>git describe --always --dirty</c> when run inside the repository, else the assembly version.</summary>
    private static string CodeVersion()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "describe --always --dirty --tags")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (git is not null)
            {
                var text = git.StandardOutput.ReadToEnd().Trim();
                git.WaitForExit(5000);
                if (git.ExitCode == 0 && text.Length > 0)
                {
                    return "git " + text;
                }
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // no git: fall back to the assembly version
        }

        return "brain " + (typeof(BacktestCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
    }
}
