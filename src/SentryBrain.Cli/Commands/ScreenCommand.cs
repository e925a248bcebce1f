using System.CommandLine;
using System.Globalization;
using SentryBrain.Config;
using SentryBrain.Screening;
using Spectre.Console;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// `brain screen`: ranks a universe by the Z of its last daily return and its volume spike, prints the table
/// (Markdown, or JSON with --json) and writes the top N atomically to --out / ACTIVE_SYMBOLS_FILE. Nothing
/// qualifying keeps the previous file unless --fallback top.
/// </summary>
internal static class ScreenCommand
{
    public static Command Create()
    {
        var universe = new Option<string?>("--universe") { Description = "lab_12, sp500, sp400, nasdaq100, r2000, r2000_sp500_nasdaq100, env, alpaca_equity, alpaca_equity_500, file:PATH or AAPL,MSFT (default SCREENER_UNIVERSE)" };
        var top = new Option<int?>("--top") { Description = "names kept (default SCREENER_TOP_N)" };
        var output = new Option<string?>("--out") { Description = "active list file written atomically (default ACTIVE_SYMBOLS_FILE; none = print only)" };
        var json = new Option<bool>("--json") { Description = "print the full ranked table as one JSON object" };
        var asOf = new Option<string?>("--as-of") { Description = "screen for this session (yyyy-MM-dd) from the bars before it (default: the next session)" };
        var data = new Option<string>("--data") { Description = "alpaca (daily bars, cached on disk) or csv:DIR (DIR/SYMBOL.csv)", DefaultValueFactory = _ => "alpaca" };
        var fallback = new Option<string>("--fallback") { Description = "none: keep the previous list when nothing qualifies; top: take the best-scored names anyway", DefaultValueFactory = _ => "none" };
        fallback.AcceptOnlyFromAmong("none", "top");
        var command = new Command("screen", "Rank a universe by return Z-score and volume spike; write the day's active symbols")
        {
            universe, top, output, json, asOf, data, fallback,
        };
        command.SetAction(parse => Usage.Run("screen", () => Run(
            parse.GetValue(universe),
            parse.GetValue(top),
            parse.GetValue(output),
            parse.GetValue(json),
            Usage.Date(parse.GetValue(asOf), "--as-of"),
            parse.GetValue(data)!,
            parse.GetValue(fallback) == "top")));
        return command;
    }

    private static int Run(string? universeSpec, int? top, string? output, bool json, DateOnly? asOf, string data, bool fallbackTop)
    {
        var config = Startup.LoadConfig(out _);
        if (config is null)
        {
            return 2;
        }

        var s = config.Screener;
        var topN = Usage.AtLeast(top ?? s.TopN, 1, "--top");
        var outPath = output ?? (config.ActiveSymbolsFile.Length > 0 ? config.ActiveSymbolsFile : null);
        var day = asOf ?? Screener.DefaultAsOf(TimeProvider.System.GetUtcNow().UtcDateTime);
        ScreenServices? services = null;
        try
        {
            IScreenBarSource bars;
            UniverseContext context;
            IScreenOfiSource? ofi = null;
            if (data.StartsWith("csv:", StringComparison.OrdinalIgnoreCase))
            {
                var folder = data[4..];
                if (!Directory.Exists(folder))
                {
                    throw new UsageException($"--data csv:DIR: the folder '{folder}' does not exist");
                }

                bars = new CsvScreenBars(folder);
                context = new UniverseContext("data", s.Tickers);
                if (s.UseOfi)
                {
                    Console.Error.WriteLine("note: SCREENER_USE_OFI is on, but --data csv:DIR has no trades or quotes: ranked without OFI");
                }
            }
            else if (data.Equals("alpaca", StringComparison.OrdinalIgnoreCase))
            {
                if (!config.HasAlpacaKeys)
                {
                    throw new UsageException("--data alpaca needs APCA_API_KEY_ID and APCA_API_SECRET_KEY (or screen CSV bars with --data csv:DIR)");
                }

                services = ScreenServices.Create(config);
                bars = services.Bars;
                context = services.UniverseContext(config);
                ofi = s.UseOfi ? services.Ofi : null;
            }
            else
            {
                throw new UsageException($"--data '{data}' is not alpaca or csv:DIR");
            }

            Universe universe;
            try
            {
                universe = Universes.ResolveAsync(universeSpec ?? s.Universe, context).GetAwaiter().GetResult();
            }
            catch (UniverseException ex)
            {
                throw new UsageException(ex.Message);
            }

            foreach (var problem in universe.Problems.Take(20))
            {
                Console.Error.WriteLine($"warning: {problem}");
            }

            var request = new ScreenRequest(universe, ScreenCriteria.From(s), topN, day, fallbackTop);
            var report = RunWithProgress(new Screener(bars, ofi: ofi), request, universe.Symbols.Count, data);
            return Finish(report, universe, json, outPath);
        }
        catch (Execution.Alpaca.AlpacaApiException ex)
        {
            Console.Error.WriteLine($"brain screen: Alpaca: {Startup.OneLine(ex.Message)}");
            return 1;
        }
        finally
        {
            services?.Dispose();
        }
    }

    private static ScreenReport RunWithProgress(Screener screener, ScreenRequest request, int symbols, string data)
    {
        if (Console.IsErrorRedirected || !data.Equals("alpaca", StringComparison.OrdinalIgnoreCase))
        {
            return screener.RunAsync(request).GetAwaiter().GetResult();
        }

        ScreenReport? report = null;
        Terminal.Stderr().Progress().AutoClear(true).Start(ctx =>
        {
            var bar = ctx.AddTask($"screening {symbols:N0} symbols", maxValue: 1);
            var progress = new Progress<ChunkProgress>(p =>
            {
                bar.MaxValue = p.ChunksTotal;
                bar.Value = p.ChunksDone;
                bar.Description = p.SymbolsFailed > 0 ? $"screening {symbols:N0} symbols ({p.SymbolsFailed} failed)" : $"screening {symbols:N0} symbols";
            });
            report = screener.RunAsync(request, progress).GetAwaiter().GetResult();
        });
        return report!;
    }

    private static int Finish(ScreenReport report, Universe universe, bool json, string? outPath)
    {
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            ScreenReportJson.Write(report, stdout);
            stdout.Write("\n"u8);
        }
        else
        {
            PrintTable(report, universe);
        }

        var err = Console.Error;
        foreach (var note in report.Notes.Skip(universe.Problems.Count).Take(20))
        {
            err.WriteLine($"note: {note}");
        }

        if (report.Failed.Count > 0)
        {
            var failed = report.Failed.SelectMany(f => f.Symbols).ToArray();
            err.WriteLine($"warning: {failed.Length} symbols could not be fetched ({report.Failed[0].Error}): {string.Join(',', failed.Take(50))}{(failed.Length > 50 ? ",…" : string.Empty)}");
        }

        if (report.Ranked.Count == 0 && report.NotScored.Count == 0)
        {
            err.WriteLine($"brain screen: no bars for any of the {report.UniverseSize} symbols of {report.Universe}; the active list is unchanged");
            return 1;
        }

        if (report.Selected.Count == 0)
        {
            err.WriteLine($"Nothing qualified ({report.Criteria.Describe()}); {(outPath is null ? "nothing written" : $"{outPath} is unchanged")} (--fallback top takes the best-scored names anyway).");
            return 0;
        }

        if (outPath is not null)
        {
            ActiveListFile.Write(outPath, report.SelectedSymbols, report.HeaderLines());
            err.WriteLine($"Wrote {report.Selected.Count} symbols to {outPath}{(report.Fallback ? " (fallback: none qualified)" : string.Empty)}.");
        }

        return 0;
    }

    /// <summary>A Markdown table cell: '|' (as in |Z|) would end the cell.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static void PrintTable(ScreenReport report, Universe universe)
    {
        var o = Console.Out;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Screen of {report.Universe} ({report.UniverseSize} symbols, {report.Ranked.Count} scored, {report.NotScored.Count} not scored, {report.FailedSymbolCount} failed) for {report.AsOf:yyyy-MM-dd}"));
        o.WriteLine();
        o.WriteLine("| rank | symbol | score | Z | volume | close | sector | reason |");
        o.WriteLine("|---:|---|---:|---:|---:|---:|---|---|");
        var rank = 0;
        foreach (var s in report.Ranked.Take(Math.Max(report.TopN * 4, 20)))
        {
            var mark = report.Selected.Contains(s) ? "**" : string.Empty;
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {++rank} | {mark}{s.Symbol}{mark} | {s.Score:0.00} | {(s.Z is { } z ? z.ToString("0.00", CultureInfo.InvariantCulture) : "n/a")} | {s.VolumeRatio:0.00}x | {s.LastClose:0.00} | {Cell(universe.Sectors.GetValueOrDefault(s.Symbol, ""))} | {Cell(s.Reason)} |"));
        }

        o.WriteLine();
        o.WriteLine("Selected (bold): " + (report.Selected.Count > 0 ? string.Join(", ", report.SelectedSymbols) : "none"));
    }
}
