using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using SentryBrain.Backtesting;
using SentryBrain.Config;
using SentryBrain.Market.Alpaca;
using SentryBrain.Screening;
using Spectre.Console;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// `brain backtest`: the live strategy and rules on daily bars; writes a report directory (summary.md/json,
/// trades.csv, fills.csv, equity.csv, equity.png, drawdown.png, manifest.json). `--sweep` and `--walk-forward`
/// run many backtests in parallel and write one summary table.
/// </summary>
internal static class BacktestCommand
{
    /// <summary>Calendar days of bars before the period used only to warm indicators up (≈ 275 sessions: SMA200, structure, ATR percentile).</summary>
    private const int WarmUpDays = 400;

    /// <summary>Where default report folders go (git-ignored).</summary>
    private const string ReportsRoot = "reports";

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
        var report = new Option<string?>("--report") { Description = "Report folder (default reports/<UTC time>/, made unique); an existing non-empty folder needs --force" };
        var force = new Option<bool>("--force") { Description = "With --report DIR: replace the report files in an existing folder" };
        var seed = new Option<ulong>("--seed") { Description = "Seed recorded in the manifest (the simulation itself is deterministic)", DefaultValueFactory = _ => 0 };
        var walkForward = new Option<string?>("--walk-forward") { Description = "TRAIN:TEST in trading days, e.g. 252:63" };
        var sweep = new Option<string[]>("--sweep") { Description = "PARAM=v1,v2,... (repeat for a grid); PARAM is a configuration variable or SMA_FAST/SMA_SLOW/SMA_RSI_MAX/SMA_RSI_PERIOD", AllowMultipleArgumentsPerToken = false };
        var screen = new Option<int?>("--screen") { Description = "Re-screen every morning from the bars before it (SCREENER_* criteria) and buy only the day's top N" };
        var universe = new Option<string?>("--universe") { Description = "The symbols to load and screen instead of --symbols: sp500, lab_12, file:PATH, a comma list, … (csv:DIR: those with DIR/SYMBOL.csv)" };
        var fallback = new Option<string?>("--fallback") { Description = "With --screen, a day where nothing qualifies: none (keep the previous list, default) or top (the best-scored names)" };
        fallback.AcceptOnlyFromAmong("none", "top");
        var rules = new Option<string?>("--rules") { Description = "Generated rules file (as GENERATED_RULES_PATH): a buy in a rule's region is a hold, generated_rule:<name>; the report counts the buys each rule blocked" };
        var command = new Command("backtest", "Run the strategy on daily bars and write a report")
        {
            data, symbols, strategy, days, years, start, end, cash, report, force, seed, walkForward, sweep, screen, universe, fallback, rules,
        };
        var experience = new Option<string?>("--experience") { Description = "Also write an experience buffer (JSONL, one line per fill, source backtest) to PATH for ./brain optimize; replaced atomically at the end" };
        command.Options.Add(experience);
        var news = new Option<string?>("--news") { Description = "Recorded news (wire-format NDJSON, e.g. a capture of the stream) replayed point-in-time into the consensus strategy's news source, scored once by SENTIMENT_MODEL" };
        command.Options.Add(news);
        command.SetAction(parse => Usage.Run("backtest", () =>
        {
            try
            {
                var experiencePath = ValidateExperience(parse.GetValue(experience), parse.GetValue(sweep) is { Length: > 0 } || parse.GetValue(walkForward) is not null);
                return Run(Validate(new Args(
                    parse.GetValue(data)!,
                    [.. parse.GetValue(symbols)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => Usage.Ticker(s, "--symbols"))],
                    parse.GetValue(strategy)!,
                    parse.GetValue(days),
                    parse.GetValue(years),
                    Usage.Date(parse.GetValue(start), "--start"),
                    Usage.Date(parse.GetValue(end), "--end"),
                    parse.GetValue(cash),
                    parse.GetValue(report),
                    parse.GetValue(force),
                    parse.GetValue(seed),
                    parse.GetValue(walkForward),
                    parse.GetValue(sweep) ?? [],
                    parse.GetValue(screen),
                    parse.GetValue(universe),
                    parse.GetValue(fallback),
                    SymbolsGiven: parse.GetResult(symbols) is { Implicit: false })
                { Rules = parse.GetValue(rules), News = parse.GetValue(news) }), TimeProvider.System, experiencePath);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or ConfigException or Market.Bars.BarCsvException or Execution.Alpaca.AlpacaApiException or UnauthorizedAccessException or NewsTapeException)
            {
                throw new UsageException(Startup.OneLine(ex.Message));
            }
        }));
        return command;
    }

    private sealed record Args(
        string Data, string[] Symbols, string Strategy, int? Days, double? Years, DateOnly? Start, DateOnly? End,
        double Cash, string? Report, bool Force, ulong Seed, string? WalkForward, string[] Sweep,
        int? Screen, string? Universe, string? Fallback, bool SymbolsGiven)
    {
        /// <summary>--rules FILE, read by <see cref="LoadRules"/> before any data.</summary>
        public string? Rules { get; init; }

        /// <summary>--news FILE, read and scored by <see cref="BacktestNewsLoader"/> before any bars (a missing or unusable file: exit 2).</summary>
        public string? News { get; init; }
    }

    /// <summary>Every value and combination checked before any data is read or any folder made.</summary>
    private static Args Validate(Args a)
    {
        var data = a.Data.Trim();
        if (data.StartsWith("csv:", StringComparison.OrdinalIgnoreCase))
        {
            var folder = data[4..];
            if (folder.Length == 0 || !Directory.Exists(folder))
            {
                throw new UsageException($"--data csv:DIR: the folder '{folder}' does not exist");
            }
        }
        else if (!data.Equals("sample", StringComparison.OrdinalIgnoreCase) && !data.Equals("alpaca", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"--data '{a.Data}' is not sample, csv:DIR or alpaca");
        }

        if (a.Symbols.Length == 0)
        {
            throw new UsageException("--symbols is empty");
        }

        if (a.Days is { } d)
        {
            Usage.AtLeast(d, 1, "--days");
        }

        Usage.Number(a.Years, 0, "--years", exclusive: true);
        if (a.Years > 200)
        {
            throw new UsageException("--years must be at most 200");
        }

        if (a.Days is not null && a.Years is not null)
        {
            throw new UsageException("--days and --years both set the period's length: give one of them");
        }

        if (a.Start is not null && (a.Days is not null || a.Years is not null))
        {
            throw new UsageException($"--start and {(a.Days is not null ? "--days" : "--years")} both set the period's start: give one of them (--days/--years count back from --end)");
        }

        if (a.Start is { } from && a.End is { } to && from > to)
        {
            throw new UsageException($"--start {from:yyyy-MM-dd} is after --end {to:yyyy-MM-dd}");
        }

        Usage.Number(a.Cash, 0, "--cash", exclusive: true);
        if (a.Force && a.Report is null)
        {
            throw new UsageException("--force only applies with --report DIR (default report folders are always new)");
        }

        if (ReportFolder.CheckTarget(a.Report, a.Force) is { } problem)
        {
            throw new UsageException(problem);
        }

        if (a.WalkForward is { } wf)
        {
            Experiments.ParseWalkForward(wf);
        }

        ValidateScreen(a);
        return a;
    }

    /// <summary>--experience PATH: one run only, and a file path (its folder is made when it is written).</summary>
    private static string? ValidateExperience(string? path, bool manyRuns)
    {
        if (path is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException("--experience needs a file path");
        }

        if (manyRuns)
        {
            throw new UsageException("--experience records the fills of one backtest: not with --sweep or --walk-forward");
        }

        if (Directory.Exists(path))
        {
            throw new UsageException($"--experience {path} is a folder, not a file");
        }

        return path;
    }

    private static int Run(Args a, TimeProvider time, string? experiencePath = null)
    {
        var clock = Stopwatch.StartNew();
        var rules = LoadRules(a.Rules);
        var config = LoadConfig([], out var entries);
        var kind = BacktestOptions.Parse(a.Strategy);
        var grid = Experiments.Grid(a.Sweep);
        if (a.News is not null && grid.SelectMany(p => p.Values).Select(v => v.Key).FirstOrDefault(k => k.StartsWith("SENTIMENT_", StringComparison.Ordinal)) is { } scoring)
        {
            throw new UsageException($"--sweep {scoring}: the news is scored once, before the runs, by the configured model; run one backtest per model instead");
        }

        var news = a.News is null ? null : BacktestNewsLoader.Load(a.News, config, Console.Error);
        var points = SweepParameters.Check(grid, kind, entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal), overrides => LoadConfig(overrides, out _));
        if (a.Screen is null && grid.SelectMany(p => p.Values).Select(v => v.Key).FirstOrDefault(k => k.StartsWith("SCREENER_", StringComparison.Ordinal)) is { } unread)
        {
            throw new UsageException($"--sweep {unread}: only a backtest with --screen reads it");
        }

        var (symbolSet, screen) = SymbolSet(a, config);
        var wanted = symbolSet.ToList();
        var dataOnly = new List<string>();
        if (config.Spy200maRegimeEnabled && kind != BacktestStrategy.SmaCross && !wanted.Contains("SPY"))
        {
            wanted.Add("SPY");
            dataOnly.Add("SPY"); // regime filter input only
        }

        var issues = new List<BarIssue>();
        var series = Load(a, config, wanted, issues, time);
        foreach (var issue in issues)
        {
            Console.Error.WriteLine("skipped bad row: " + issue);
        }

        // The period comes from the traded symbols (a regime-only SPY does not stretch it). Up to WarmUpDays before
        // it are loaded too: indicators warm up there, but no order is placed and statistics start at the period.
        var traded = series.Where(s => !dataOnly.Contains(s.Symbol)).ToList();
        CheckPeriod(a, symbolSet, traded);
        var (from, to) = BacktestData.Range(traded, a.Start, a.End, a.Days, a.Years);
        from ??= traded.SelectMany(s => s.Bars).Select(b => (DateOnly?)b.Date).DefaultIfEmpty(null).Min();
        var panel = BarPanel.Align(series, from?.AddDays(-WarmUpDays), to);
        var tradeFrom = from is { } f ? Array.FindIndex(panel.Dates, d => d >= f) : 0;
        if (panel.Days == 0 || tradeFrom < 0)
        {
            throw new UsageException("no bars in the requested range");
        }

        var baseOptions = new BacktestOptions(kind, config, a.Cash, SmaCrossParameters.Default, TradeFromDay: tradeFrom, DataOnlySymbols: dataOnly, Screen: screen, Rules: rules) { News = news };
        var manifest = new RunManifest(
            CodeVersion(),
            "brain " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            time.GetUtcNow().UtcDateTime,
            0,
            a.Seed,
            [.. series.Select(s => new DataFileInfo(s.Symbol, s.Source, s.Sha256, s.Bars.Count))],
            issues,
            [.. entries.Select(e => new KeyValuePair<string, string>(e.Name, e.Secret ? ConfigReader.Mask(e.Value) : e.Value))]);
        var name = BacktestOptions.Name(kind);

        if (a.Sweep.Length > 0 || a.WalkForward is not null)
        {
            return RunExperiments(a, panel, baseOptions, grid, points, manifest, clock, time);
        }

        var (result, experienceLines) = experiencePath is null
            ? (WithProgress($"backtest {name}", panel.Days, progress => Backtester.Run(panel, baseOptions, progress)), 0L)
            : RunWithExperience(experiencePath, name, panel, baseOptions);
        if (result.Screens is { Count: > 0 } screens && screens.All(d => d.Scored == 0))
        {
            Console.Error.WriteLine($"warning: no symbol was ever scored: the screen needs {screen!.Criteria.MinBars} daily bars within SCREENER_LOOKBACK_DAYS={screen.LookbackDays} calendar days before each morning, with volume ≥ SCREENER_MIN_VOLUME and close ≥ SCREENER_MIN_PRICE");
        }

        var summary = BacktestStatistics.Compute(result);
        manifest = manifest with { ElapsedSeconds = clock.Elapsed.TotalSeconds };
        var dir = ReportFolder.Publish(a.Report, a.Force, ReportsRoot, time, staging =>
        {
            BacktestReport.WriteAll(staging, name, baseOptions, result, summary, manifest);
            Charts.Write(staging, result);
        });
        PrintSummary(name, summary, panel, dir, clock.Elapsed.TotalSeconds);
        if (result.News is { } n)
        {
            Console.WriteLine($"News: {n.Items} items, {n.Visible} visible by the last close, {n.Duplicates} duplicates, {n.Used} used ({n.MarketWide} market-wide)");
        }
        if (experiencePath is not null)
        {
            Console.WriteLine($"Experience buffer: {experienceLines} lines ({summary.Fills} fills) written to {experiencePath}");
        }

        return 0;
    }

    /// <summary>
    /// The backtest with its fills streamed as experience lines into a temporary file beside <paramref name="path"/>,
    /// renamed over it when the run ends (a failed run leaves the old file).
    /// </summary>
    private static (BacktestResult Result, long Lines) RunWithExperience(string path, string name, BarPanel panel, BacktestOptions options)
    {
        BacktestResult? result = null;
        long lines = 0;
        Storage.AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            var recording = options with
            {
                Experience = record =>
                {
                    writer.WriteLine(Learning.ExperienceJson.ToLine(record));
                    lines++;
                },
            };
            result = WithProgress($"backtest {name}", panel.Days, progress => Backtester.Run(panel, recording, progress));
            writer.Flush();
        });
        return (result!, lines);
    }

    /// <summary>--rules FILE: a missing or unusable file stops the backtest (exit 2) rather than run it without the rules asked for.</summary>
    private static BacktestRules? LoadRules(string? path)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            var rules = BacktestRules.Load(path);
            if (rules.Rules.Count == 0)
            {
                Console.Error.WriteLine($"warning: --rules {path} holds no rules: no buy will be blocked");
            }

            return rules;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException("--rules: " + Startup.OneLine(ex.Message));
        }
    }

    /// <summary>The requested period against the data: --start or --end past the data's last date is an error, not an empty or short run.</summary>
    private static void CheckPeriod(Args a, IReadOnlyList<string> symbols, IReadOnlyList<SymbolBars> traded)
    {
        var last = traded.SelectMany(s => s.Bars).Select(b => (DateOnly?)b.Date).DefaultIfEmpty(null).Max();
        if (last is not { } l)
        {
            throw new UsageException($"no bars for {Few(symbols)}");
        }

        if (a.Start is { } start && start > l)
        {
            throw new UsageException($"--start {start:yyyy-MM-dd} is after the data's last date {l:yyyy-MM-dd}");
        }

        // A weekend or holiday after the last bar is not missing data; a trading day is.
        if (a.End is { } end && end > l && Enumerable.Range(1, Math.Min(end.DayNumber - l.DayNumber, 10)).Any(i => Market.NyseCalendar.IsTradingDay(l.AddDays(i))))
        {
            throw new UsageException($"--end {end:yyyy-MM-dd} is after the data's last date {l:yyyy-MM-dd}: the data ends before the period does");
        }
    }

    /// <summary>--screen, --universe and --fallback on their own and together with --symbols.</summary>
    private static void ValidateScreen(Args a)
    {
        if (a.Screen is { } n)
        {
            Usage.AtLeast(n, 1, "--screen");
        }
        else if (a.Fallback is not null)
        {
            throw new UsageException("--fallback only applies with --screen N");
        }

        if (a.Universe is { } u)
        {
            if (a.SymbolsGiven)
            {
                throw new UsageException("--symbols and --universe both name the symbols: give one of them (--screen screens either)");
            }

            if (u.Trim().StartsWith("alpaca_equity", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--universe {u} is today's list of tradable assets: on past bars it holds only the survivors; pass a list (file:PATH, sp500, a comma list)");
            }
        }
    }

    /// <summary>
    /// The symbols to load (the universe's that the data source has, else --symbols) and the screen, if any. Universe
    /// symbols without data are left out with a warning; a universe none of whose symbols has data is an error.
    /// </summary>
    private static (IReadOnlyList<string> Symbols, BacktestScreen? Screen) SymbolSet(Args a, BrainConfig config)
    {
        IReadOnlyList<string> symbols = a.Symbols;
        IReadOnlyList<string> missing = [];
        if (a.Universe is { } spec)
        {
            Universe universe;
            try
            {
                universe = Universes.Resolve(spec, new UniverseContext("data", config.Screener.Tickers));
            }
            catch (UniverseException ex)
            {
                throw new UsageException("--universe: " + ex.Message);
            }

            foreach (var problem in universe.Problems)
            {
                Console.Error.WriteLine("warning: skipped universe line " + problem);
            }

            (symbols, missing) = BacktestData.Available(a.Data, universe.Symbols);
            var where = a.Data.StartsWith("csv:", StringComparison.OrdinalIgnoreCase) ? $"{a.Data[4..]} (as SYMBOL.csv)" : $"--data {a.Data}";
            if (symbols.Count == 0)
            {
                throw new UsageException($"--universe {spec}: none of its {missing.Count} symbols ({Few(missing)}) has bars in {where}");
            }

            if (missing.Count > 0)
            {
                Console.Error.WriteLine($"warning: {missing.Count} of the {universe.Symbols.Count} symbols of --universe {spec} have no bars in {where} and are left out: {Few(missing)}");
            }
        }

        var screen = a.Screen is { } n
            ? new BacktestScreen(n, ScreenCriteria.From(config.Screener), a.Fallback == "top", config.Screener.LookbackDays,
                a.Universe ?? "--symbols " + string.Join(',', a.Symbols.Take(20)) + (a.Symbols.Length > 20 ? ",…" : string.Empty), symbols.Count + missing.Count, missing)
            : null;
        return (symbols, screen);
    }

    private static string Few(IReadOnlyList<string> symbols) => string.Join(", ", symbols.Take(20)) + (symbols.Count > 20 ? ", …" : string.Empty);

    private static int RunExperiments(Args a, BarPanel panel, BacktestOptions baseOptions, IReadOnlyList<GridPoint> grid, IReadOnlyDictionary<GridPoint, SweepParameters.Point> points, RunManifest manifest, Stopwatch clock, TimeProvider time)
    {
        // Configurations are built (and validated) once, before the parallel runs.
        var optionsByPoint = grid.ToDictionary(p => p, p => OptionsFor(baseOptions, points[p]));
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
                throw new UsageException($"--walk-forward {wf}: the period has {panel.Days - baseOptions.TradeFromDay} trading days, fewer than one fold ({train + test})");
            }
        }
        else
        {
            title = $"Sweep of {grid.Count} parameter set(s)";
            rows = Experiments.Sweep(panel, grid, optionsFor);
        }

        var name = BacktestOptions.Name(baseOptions.Strategy);
        var markdown = $"# {name}: {title}\n\n{Experiments.Markdown(rows)}";
        var dir = ReportFolder.Publish(a.Report, a.Force, ReportsRoot, time, staging =>
        {
            File.WriteAllText(Path.Combine(staging, "summary.md"), markdown);
            File.WriteAllText(Path.Combine(staging, a.WalkForward is null ? "sweep.csv" : "walk_forward.csv"), Experiments.Csv(rows));
            File.WriteAllText(Path.Combine(staging, "manifest.json"), BacktestReport.ManifestJson(name, baseOptions, manifest with { ElapsedSeconds = clock.Elapsed.TotalSeconds }));
        });
        Console.WriteLine(markdown);
        Console.WriteLine($"Report: {dir} ({clock.Elapsed.TotalSeconds:0.0} s, {Environment.ProcessorCount} cores)");
        return 0;
    }

    private static BacktestOptions OptionsFor(BacktestOptions baseOptions, SweepParameters.Point point)
    {
        var config = point.ConfigOverrides.Count == 0 ? baseOptions.Config : LoadConfig(point.ConfigOverrides, out _);
        // A swept SCREENER_* value changes the screen too.
        var screen = baseOptions.Screen is { } s ? s with { Criteria = ScreenCriteria.From(config.Screener), LookbackDays = config.Screener.LookbackDays } : null;
        return baseOptions with { Config = config, SmaCross = point.Sma, Screen = screen };
    }

    /// <summary>The configuration from the process environment and .env, with sweep values on top (they win).</summary>
    private static BrainConfig LoadConfig(IReadOnlyList<KeyValuePair<string, string>> overrides, out IReadOnlyList<ConfigEntry> entries)
        => BrainConfig.Load(Startup.Source(overrides.ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal)), out entries);

    private static IReadOnlyList<SymbolBars> Load(Args a, BrainConfig config, IReadOnlyList<string> symbols, List<BarIssue> issues, TimeProvider time)
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

            // ALPACA_DATA_BASE_URL / ALPACA_DATA_FEED / BAR_CACHE_PATH are validated with the configuration (user:password@ refused there).
            var data = config.Screener;
            var end = a.End ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-1);
            var start = a.Start ?? end.AddDays(-(a.Days ?? (int)Math.Round((a.Years ?? 1) * 365.25)));
            using var client = new AlpacaDataClient(new AlpacaDataOptions(config.AlpacaKeyId, config.AlpacaSecretKey, new Uri(data.DataBaseUrl), data.DataFeed));
            using var cache = BarCache.Open(data.BarCachePath);
            return BacktestData.LoadAlpacaAsync(client, cache, symbols, start, end, issues).GetAwaiter().GetResult();
        }

        throw new UsageException($"--data '{a.Data}' is not sample, csv:DIR or alpaca");
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

        if (Console.IsErrorRedirected)
        {
            return task.GetAwaiter().GetResult(); // a progress bar is for a terminal, not a log file
        }

        var console = Terminal.Stderr();
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
