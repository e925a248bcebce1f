using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Execution.Paper;
using SentryBrain.Journal;
using SentryBrain.Replay;
using Spectre.Console;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// `brain bench consume`: throughput and per-event latency of parse → state → decision on the synthetic
/// stream, in process (no pipe), journal to a null stream, paper broker in memory.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var events = new Option<int>("--events") { Description = "Events in the synthetic stream", DefaultValueFactory = _ => 1_000_000 };
        var symbols = new Option<int>("--symbols") { Description = "Symbols", DefaultValueFactory = _ => 50 };
        var seed = new Option<ulong>("--seed") { Description = "Seed", DefaultValueFactory = _ => 1 };
        var runs = new Option<int>("--runs") { Description = "Timed runs (best is reported)", DefaultValueFactory = _ => 3 };
        var interval = new Option<double>("--strategy-interval") { Description = "STRATEGY_INTERVAL_SEC for the run (0 = decide on every event)", DefaultValueFactory = _ => 0 };
        var strategy = new Option<string>("--strategy") { Description = "green_light, consensus or sma_cross", DefaultValueFactory = _ => "green_light" };
        strategy.AcceptOnlyFromAmong("green_light", "consensus", "sma_cross");
        var slowModel = new Option<double?>("--slow-model-ms") { Description = "Score news with a stand-in slow model that burns this many ms of CPU per text on the scoring worker (instead of SENTIMENT_MODEL)" };
        var consume = new Command("consume", "Consume throughput (events/s) and per-event latency (p50/p99); news scored by SENTIMENT_MODEL, live (SENTIMENT_WAIT=auto does not wait)") { events, symbols, seed, runs, interval, strategy, slowModel };
        consume.SetAction(parse => Usage.Run("bench consume", () => Run(
            Usage.AtLeast(parse.GetValue(events), 1, "--events"),
            Usage.AtLeast(parse.GetValue(symbols), 1, "--symbols"),
            parse.GetValue(seed),
            Usage.AtLeast(parse.GetValue(runs), 1, "--runs"),
            Usage.Number(parse.GetValue(interval), 0, "--strategy-interval"),
            parse.GetValue(strategy)!,
            parse.GetValue(slowModel) is { } ms ? Usage.Number(ms, 0, "--slow-model-ms") : null)));
        var command = new Command("bench", "Benchmarks of the hot path");
        command.Subcommands.Add(consume);
        command.Subcommands.Add(BacktestBenchCommand.Create());
        command.Subcommands.Add(SymbolMemoryBenchCommand.Create());
        return command;
    }

    private static int Run(int eventCount, int symbolCount, ulong seed, int runs, double interval, string strategy, double? slowModelMs)
    {
        // The learning parts run as in a default consume (experience buffer, rules gate, shadow book), but the buffer
        // goes to a temporary file: a benchmark must not add synthetic trades to the user's real buffer.
        var buffer = Path.Combine(Path.GetTempPath(), $"brain-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.jsonl");
        try
        {
            return Run(eventCount, symbolCount, seed, runs, interval, strategy, slowModelMs, buffer);
        }
        finally
        {
            File.Delete(buffer);
        }
    }

    private static int Run(int eventCount, int symbolCount, ulong seed, int runs, double interval, string strategy, double? slowModelMs, string buffer)
    {
        // Only the news sentiment variables come from the environment (SENTIMENT_MODEL=embedding ./brain bench consume).
        var config = BrainConfig.Load(ConfigSource.FromPairs([("STRATEGY_MODE", strategy), ("EXPERIENCE_BUFFER_PATH", buffer), .. SentimentVariables()])) with { StrategyIntervalSec = interval, LogLevel = "ERROR" };
        using var sentiment = slowModelMs is { } ms ? new BurnSentimentModel(ms) : SentimentStartup.Load(config.Sentiment, "bench consume");
        if (sentiment is null)
        {
            return 2;
        }

        var wait = Engine.News.NewsIntake.ShouldWait(config.Sentiment, replay: false);
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "Generating {0:N0} synthetic events, {1} symbols, seed {2} …", eventCount, symbolCount, seed);
        var data = new MemoryStream();
        SyntheticStream.Write(new SyntheticOptions(eventCount, symbolCount, seed), data);
        var bytes = data.ToArray();
        var lines = SplitLines(bytes);

        // 1. Parse only.
        var parseBest = double.MaxValue;
        for (var r = 0; r < runs; r++)
        {
            var parser = new EventParser();
            var sw = Stopwatch.StartNew();
            foreach (var (start, length) in lines)
            {
                parser.Parse(bytes.AsSpan(start, length), out _);
            }

            parseBest = Math.Min(parseBest, sw.Elapsed.TotalSeconds);
        }

        // 2. Full consume: line splitting, parse, state, strategy, rules, paper broker, journal.
        var consumeBest = double.MaxValue;
        RunSummary? summary = null;
        for (var r = 0; r < runs; r++)
        {
            using var broker = PaperBroker.Open(":memory:", config.PaperStartingCash);
            var result = ConsumeRunner.Run(new MemoryStream(bytes, writable: false), Stream.Null, config, NullLogger.Instance, _ => broker, sentiment: sentiment, replay: false);
            consumeBest = Math.Min(consumeBest, result.WallSeconds);
            summary = result.Summary;
        }

        // 3. Per-event latency of ProcessLine (parse → state → decision → order), one timestamp pair per event.
        var latencies = new long[lines.Count];
        long evaluations;
        Engine.News.NewsCounts news;
        using (var broker = PaperBroker.Open(":memory:", config.PaperStartingCash))
        using (var journal = new JournalWriter(Stream.Null))
        {
            var parts = EngineParts.FromConfig(config, NullLogger.Instance) with { Sentiment = sentiment, WaitForSentiment = wait };
            using var engine = new BrainEngine(config, _ => broker, journal, NullLogger.Instance, parts);
            for (var i = 0; i < lines.Count; i++)
            {
                var (start, length) = lines[i];
                var t0 = Stopwatch.GetTimestamp();
                engine.ProcessLine(bytes.AsSpan(start, length));
                latencies[i] = Stopwatch.GetTimestamp() - t0;
            }

            evaluations = engine.Evaluations;
            engine.Finish();
            news = engine.NewsCounts;
        }

        Array.Sort(latencies);
        double Micro(double q) => latencies[(int)Math.Min(latencies.Length - 1, q * latencies.Length)] * 1e6 / Stopwatch.Frequency;

        var table = new Table().Border(TableBorder.Rounded).Title("brain bench consume");
        table.AddColumn("measure");
        table.AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("events", eventCount.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("input size (MB)", (bytes.Length / 1e6).ToString("0.0", CultureInfo.InvariantCulture));
        table.AddRow("parse only (events/s)", (lines.Count / parseBest).ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("consume, all layers (events/s)", (lines.Count / consumeBest).ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("consume (MB/s)", (bytes.Length / 1e6 / consumeBest).ToString("0", CultureInfo.InvariantCulture));
        table.AddRow("per-event p50 (µs)", Micro(0.50).ToString("0.000", CultureInfo.InvariantCulture));
        table.AddRow("per-event p99 (µs)", Micro(0.99).ToString("0.000", CultureInfo.InvariantCulture));
        table.AddRow("per-event p99.9 (µs)", Micro(0.999).ToString("0.000", CultureInfo.InvariantCulture));
        table.AddRow("policy evaluations", evaluations.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("decisions / orders / fills", $"{summary!.Decisions:N0} / {summary.Orders:N0} / {summary.Fills:N0}");
        table.AddRow("strategy / interval (s)", $"{strategy} / {interval.ToString(CultureInfo.InvariantCulture)}");
        table.AddRow("news model / waits", $"{sentiment.Name} / {(wait && !sentiment.IsFast ? "yes" : "no")}");
        // From the latency pass: how much of the news the model itself scored (a slow model falls behind a fast stream).
        table.AddRow("news: items / duplicates / model-scored / VADER kept / unscored at end", $"{news.Received:N0} / {news.Duplicates:N0} / {news.ModelScored:N0} / {news.Overflow + news.Timeouts + news.Failed:N0} / {news.Abandoned:N0}");
        table.AddRow("machine", $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>The SENTIMENT_* and NEWS_HALF_LIFE_MIN / NEWS_DEDUPE_WINDOW_MIN variables of the environment.</summary>
    private static IEnumerable<(string Key, string Value)> SentimentVariables()
    {
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            if (e.Key is string key && e.Value is string value
                && (key.StartsWith("SENTIMENT_", StringComparison.Ordinal) || key is "NEWS_HALF_LIFE_MIN" or "NEWS_DEDUPE_WINDOW_MIN"))
            {
                yield return (key, value);
            }
        }
    }

    private static List<(int Start, int Length)> SplitLines(byte[] bytes)
    {
        var lines = new List<(int, int)>();
        var start = 0;
        while (start < bytes.Length)
        {
            var n = bytes.AsSpan(start).IndexOf((byte)'\n');
            var length = n < 0 ? bytes.Length - start : n;
            lines.Add((start, length));
            start += length + 1;
        }

        return lines;
    }
}
