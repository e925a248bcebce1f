using System.CommandLine;
using System.Globalization;
using SentryBrain.Learning;
using Spectre.Console;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// `brain optimize`: the attribution engine (BEHAVIOR.md §6.2). Reads the experience buffer, reports the forest's
/// held-out accuracy and feature importances and the rules mined (table, or one JSON object with --json), and with
/// --write-proposed / --write-rules writes the rules files (a pending proposal old enough is promoted first).
/// --report DIR adds feature_importances.png and optimize.json. Exit 0 whether or not a rule is found; 2 for bad
/// arguments, an unreadable buffer or a malformed rules file.
/// </summary>
internal static class OptimizeCommand
{
    public static Command Create()
    {
        var buffer = new Option<string?>("--buffer") { Description = "experience buffer (JSONL; default EXPERIENCE_BUFFER_PATH; relative to the current folder)" };
        var minSamples = new Option<int>("--min-samples") { Description = "exits needed before anything is learned", DefaultValueFactory = _ => 20 };
        var rollingDays = new Option<int>("--rolling-days") { Description = "learn from the last N days only (0 = the whole buffer)", DefaultValueFactory = _ => 0 };
        var writeRules = new Option<bool>("--write-rules") { Description = "merge the rules found into the active file (GENERATED_RULES_PATH) at once" };
        var writeProposed = new Option<bool>("--write-proposed") { Description = "write the rules found to GENERATED_RULES_PROPOSED_PATH; promoted after RULE_PROMOTION_HOURS" };
        var json = new Option<bool>("--json") { Description = "print the report as one JSON object" };
        var report = new Option<string?>("--report") { Description = "folder for feature_importances.png and optimize.json" };
        var command = new Command("optimize", "Learn from the experience buffer: forest accuracy, feature importances, and blocking rules that hold out of sample")
        {
            buffer, minSamples, rollingDays, writeRules, writeProposed, json, report,
        };
        command.SetAction(parse => Usage.Run("optimize", () => Run(
            parse.GetValue(buffer),
            parse.GetValue(minSamples),
            parse.GetValue(rollingDays),
            parse.GetValue(writeRules),
            parse.GetValue(writeProposed),
            parse.GetValue(json),
            parse.GetValue(report),
            TimeProvider.System)));
        return command;
    }

    internal static int Run(string? buffer, int minSamples, int rollingDays, bool writeRules, bool writeProposed, bool json, string? reportDir, TimeProvider time)
    {
        var config = Startup.LoadConfig(out _);
        if (config is null)
        {
            return 2;
        }

        var options = OptimizerOptions.From(config.Learning, buffer) with
        {
            MinSamples = Usage.AtLeast(minSamples, 1, "--min-samples"),
            RollingDays = Usage.AtLeast(rollingDays, 0, "--rolling-days"),
            WriteRules = writeRules,
            WriteProposed = writeProposed,
        };
        if (buffer is { } b && string.IsNullOrWhiteSpace(b))
        {
            throw new UsageException("--buffer needs a path");
        }

        OptimizerReport result;
        try
        {
            result = Optimizer.Run(options, time.GetUtcNow().UtcDateTime);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new UsageException(Startup.OneLine(ex.Message));
        }

        foreach (var bad in result.BadLines)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warning: {result.BufferPath} line {bad.Number}: {bad.Error}; skipped"));
        }

        if (result.BadLineCount > result.BadLines.Count)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warning: {result.BadLineCount - result.BadLines.Count} more unreadable lines skipped"));
        }

        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(result.ToJson());
            stdout.Write("\n"u8);
        }
        else
        {
            Print(result);
        }

        if (reportDir is not null)
        {
            Directory.CreateDirectory(reportDir);
            File.WriteAllBytes(Path.Combine(reportDir, "optimize.json"), result.ToJson());
            ImportanceChart.Write(Path.Combine(reportDir, "feature_importances.png"), result.Forest);
            Console.Error.WriteLine($"Report written to {reportDir}");
        }

        return 0;
    }

    private static string Pct(double value) => (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static void Print(OptimizerReport r)
    {
        var summary = new Table().AddColumns("metric", "value");
        summary.AddRow("buffer", Markup.Escape(r.BufferPath));
        summary.AddRow("records / exits", string.Create(CultureInfo.InvariantCulture, $"{r.Records} / {r.Exits}{(r.Since is { } since ? $" (since {since:yyyy-MM-dd HH:mm} UTC, {r.OutsideWindow} older left out)" : string.Empty)}"));
        summary.AddRow("success rate", r.Exits == 0 ? "n/a" : Pct((double)r.Successes / r.Exits));
        if (r.Mining is { } m)
        {
            summary.AddRow("split (time order)", string.Create(CultureInfo.InvariantCulture, $"{m.InSampleRows} earlier exits (success {Pct(m.BaseRate)}) / {m.OutOfSampleRows} later (success {Pct(m.BaseRateOutOfSample)}){(r.SplitTs is { } split ? $", split after {split:yyyy-MM-dd}" : string.Empty)}"));
            summary.AddRow("regions tested", string.Create(CultureInfo.InvariantCulture, $"{m.RegionsTested:N0} ({m.Conditions} conditions, alone and in pairs)"));
        }

        if (r.Forest is { Trained: true } f)
        {
            summary.AddRow("forest held-out accuracy", $"{Pct(f.Accuracy ?? 0)} (majority guess {Pct(f.BaselineAccuracy ?? 0)})");
        }

        AnsiConsole.Write(summary);
        if (r.Forest is { Trained: true, Importances.Count: > 0 } forest)
        {
            var importances = new Table().Title("Permutation importance (held-out accuracy lost when the feature is shuffled)").AddColumns("feature", "accuracy drop");
            foreach (var i in forest.Importances)
            {
                importances.AddRow(i.Feature, (i.AccuracyDrop * 100).ToString("0.00", CultureInfo.InvariantCulture) + " pts");
            }

            AnsiConsole.Write(importances);
        }

        if (r.Rules.Count > 0 || r.Mining is { Rejected.Count: > 0 })
        {
            var rules = new Table().Title("Regions (earlier trades mined, later trades check)").AddColumns("rule", "earlier: trades, success", "later: trades, success", "verdict");
            foreach (var rule in r.Rules)
            {
                rules.AddRow(Markup.Escape(rule.Name), $"{rule.Support}, {Pct(rule.SuccessRateInSample)}", $"{rule.SupportOutOfSample}, {Pct(rule.SuccessRateOutOfSample)}", "[green]proposed[/]");
            }

            foreach (var rule in r.Mining?.Rejected ?? [])
            {
                rules.AddRow(Markup.Escape(rule.Name), $"{rule.Support}, {Pct(rule.SuccessRate)}", $"{rule.SupportOutOfSample}, {Pct(rule.SuccessRateOutOfSample)}", Markup.Escape("rejected: " + rule.Verdict));
            }

            AnsiConsole.Write(rules);
        }

        var o = Console.Out;
        foreach (var rule in r.Promoted)
        {
            o.WriteLine($"promoted: {rule.Name} ({rule.Condition})");
        }

        foreach (var rule in r.Expired)
        {
            o.WriteLine($"expired: {rule.Name} ({rule.Condition})");
        }

        foreach (var note in r.Notes)
        {
            o.WriteLine("note: " + note);
        }

        foreach (var path in r.Written)
        {
            o.WriteLine("wrote " + path);
        }
    }
}

/// <summary>feature_importances.png: a horizontal bar per feature (ScottPlot), or a note when there is no forest.</summary>
internal static class ImportanceChart
{
    public static void Write(string path, ForestResult? forest)
    {
        var plot = new ScottPlot.Plot();
        var importances = forest?.Importances ?? [];
        if (importances.Count == 0)
        {
            plot.Title("Feature importance: no forest (" + (forest?.Note ?? "too few exits") + ")");
        }
        else
        {
            var ordered = importances.Reverse().ToArray();
            var bars = ordered.Select((i, k) => new ScottPlot.Bar { Position = k, Value = i.AccuracyDrop * 100, Orientation = ScottPlot.Orientation.Horizontal }).ToArray();
            plot.Add.Bars(bars);
            plot.Axes.Left.SetTicks([.. Enumerable.Range(0, ordered.Length).Select(k => (double)k)], [.. ordered.Select(i => i.Feature)]);
            plot.Title(string.Create(CultureInfo.InvariantCulture, $"Permutation feature importance (held-out accuracy {(forest!.Accuracy ?? 0) * 100:0.0} %)"));
            plot.XLabel("held-out accuracy lost when shuffled (points)");
        }

        plot.SavePng(path, Charts.Width, Charts.Height);
    }
}
