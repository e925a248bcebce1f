using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Replay;
using SentryBrain.Strategy;
using Spectre.Console;

namespace SentryBrain.Cli.Commands;

internal static class DemoCommand
{
    public static Command Create()
    {
        var keep = new Option<bool>("--keep") { Description = "Keep the temporary ledger and journal and print their paths" };
        var command = new Command("demo", "Run the built-in scenario through the consumer into a fresh embedded paper broker and show what happened") { keep };
        command.SetAction(parse => Run(parse.GetValue(keep)));
        return command;
    }

    private static int Run(bool keep)
    {
        var config = Startup.LoadConfig(out _);
        if (config is null)
        {
            return 2;
        }

        var dir = Directory.CreateTempSubdirectory("sentrybrain-demo-");
        config = config with
        {
            PaperDbPath = Path.Combine(dir.FullName, "paper.db"),
            TradePaper = true,
            Learning = config.Learning with { ShadowDbPath = Path.Combine(dir.FullName, "shadow.db") },
        };
        using var logging = Startup.Logging("ERROR"); // the tables tell the story; warnings would interleave with them
        var events = new MemoryStream();
        Scenario.Write(events);
        events.Position = 0;
        var journalPath = Path.Combine(dir.FullName, "journal.ndjson");
        ConsumeRunner.Result result;
        using (var journal = File.Create(journalPath))
        {
            result = ConsumeRunner.Run(events, journal, config, logging.CreateLogger("demo"), ts => ConsumeRunner.OpenDefaultBroker(config, ts, NullLoggerFor()));
        }

        var lines = File.ReadAllLines(journalPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 140); // a log file is not an 80-column terminal
        }

        AnsiConsole.Write(new Rule("[bold]SentryBrain demo[/]: built-in scenario → consumer → embedded paper broker").LeftJustified());
        var strategy = DecisionPolicies.Name(config.StrategyMode);
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "Replayed [bold]{0}[/] events (2026-03-02, 09:25–10:30 ET, ACME/BOLT/CRUX) in {1:0.000} s wall time; strategy [bold]{2}[/] (STRATEGY_MODE).", result.Summary.Events, result.WallSeconds, strategy);
        ShowDecisions(lines, config.StrategyMode);
        ShowOrders(lines);
        ShowFills(lines);
        var broker = result.Broker!;
        ShowPositions(broker, config.PaperStartingCash, lines);
        broker.Dispose();

        var buys = lines.Count(l => Kind(l) == "order" && l.GetProperty("side").GetString() == "buy");
        var fills = lines.Count(l => Kind(l) == "fill");
        var exits = lines.Count(l => Kind(l) == "decision" && l.GetProperty("action").GetString() == "sell");
        if (keep)
        {
            AnsiConsole.MarkupLine($"Journal: [link]{Markup.Escape(journalPath)}[/]  Ledger: {Markup.Escape(config.PaperDbPath)}");
        }
        else
        {
            dir.Delete(recursive: true);
        }

        if (buys == 0 || fills == 0 || exits == 0)
        {
            AnsiConsole.MarkupLine("[red]The scenario did not produce a buy, a fill and an exit: the strategy or configuration blocks it (see `brain config`).[/]");
            return 1;
        }

        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "[green]OK[/]: {0} buy order(s), {1} fill(s), {2} exit(s). Try [bold]./brain replay | ./brain consume[/] to see the raw journal.", buys, fills, exits);
        return 0;
    }

    private static Microsoft.Extensions.Logging.ILogger NullLoggerFor() => Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    private static string Kind(JsonElement e) => e.GetProperty("kind").GetString() ?? string.Empty;

    private static string Time(JsonElement e)
    {
        var ts = DateTime.Parse(e.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        return Market.NewYorkTime.ToEastern(ts).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
    }

    private static string Num(JsonElement e, string name, string format = "0.00")
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Number)
        {
            return "–";
        }

        return v.GetDouble().ToString(format, CultureInfo.InvariantCulture);
    }

    private static readonly string[] DecisionColumns = ["time", "symbol", "action", "qty", "reason"];

    private static void ShowDecisions(List<JsonElement> lines, StrategyMode mode)
    {
        // Each strategy shows the signals it decides on.
        (string Title, string Field, string Format)[] signals = mode == StrategyMode.GreenLight
            ? [("tech", "technical_score", "0.00"), ("vwap %", "vwap_distance_pct", "0.00"), ("ofi", "ofi", "0.00"), ("prob", "prob_gain", "0.00")]
            : [("news", "news", "0.000"), ("momentum", "momentum", "0.000"), ("agree", "positive_sources", "0")];
        var table = new Table().Title("Decisions (buys, sells, and each change of hold reason; times ET)").Border(TableBorder.Rounded);
        foreach (var c in DecisionColumns.Concat(signals.Select(x => x.Title)).Append("price").Append("P&L %"))
        {
            table.AddColumn(c);
        }

        foreach (var d in lines.Where(l => Kind(l) == "decision"))
        {
            var action = d.GetProperty("action").GetString()!;
            var s = d.GetProperty("signals");
            var colored = action switch { "buy" => "[green]buy[/]", "sell" => "[red]sell[/]", _ => "[grey]hold[/]" };
            var cells = new List<string> { Time(d), d.GetProperty("symbol").GetString()!, colored, Num(d, "qty", "0"), Markup.Escape(d.GetProperty("reason").GetString()!) };
            cells.AddRange(signals.Select(x => Num(s, x.Field, x.Format)));
            cells.Add(Num(s, "price"));
            cells.Add(Num(s, "pnl_pct", "0.00"));
            table.AddRow([.. cells]);
        }

        AnsiConsole.Write(table);
    }

    private static void ShowOrders(List<JsonElement> lines)
    {
        var table = new Table().Title("Orders").Border(TableBorder.Rounded);
        foreach (var c in new[] { "time", "symbol", "side", "qty", "type", "limit", "status", "client_order_id", "reason" })
        {
            table.AddColumn(c);
        }

        foreach (var o in lines.Where(l => Kind(l) == "order"))
        {
            table.AddRow(Time(o), o.GetProperty("symbol").GetString()!, o.GetProperty("side").GetString()!, Num(o, "qty", "0"), o.GetProperty("type").GetString()!, Num(o, "limit_price"), o.GetProperty("status").GetString()!, o.GetProperty("client_order_id").GetString()!, Markup.Escape(o.GetProperty("reason").GetString() ?? string.Empty));
        }

        AnsiConsole.Write(table);
    }

    private static void ShowFills(List<JsonElement> lines)
    {
        var table = new Table().Title("Fills").Border(TableBorder.Rounded);
        foreach (var c in new[] { "time", "symbol", "side", "qty", "price", "value" })
        {
            table.AddColumn(c);
        }

        foreach (var f in lines.Where(l => Kind(l) == "fill"))
        {
            var value = f.GetProperty("qty").GetDouble() * f.GetProperty("price").GetDouble();
            table.AddRow(Time(f), f.GetProperty("symbol").GetString()!, f.GetProperty("side").GetString()!, Num(f, "qty", "0"), Num(f, "price"), value.ToString("0.00", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
    }

    private static void ShowPositions(IBroker broker, double startingCash, List<JsonElement> lines)
    {
        // Mark open positions at their last fill-independent price: the last decision price seen in the journal.
        var lastPrice = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var d in lines.Where(l => Kind(l) == "decision"))
        {
            lastPrice[d.GetProperty("symbol").GetString()!] = d.GetProperty("signals").GetProperty("price").GetDouble();
        }

        var table = new Table().Title("Positions and P&L").Border(TableBorder.Rounded);
        foreach (var c in new[] { "symbol", "qty", "avg entry", "mark", "unrealized" })
        {
            table.AddColumn(c);
        }

        foreach (var p in broker.Positions.OrderBy(p => p.Symbol, StringComparer.Ordinal))
        {
            var mark = lastPrice.GetValueOrDefault(p.Symbol, p.AvgEntryPrice);
            table.AddRow(p.Symbol, p.Qty.ToString(CultureInfo.InvariantCulture), p.AvgEntryPrice.ToString("0.00", CultureInfo.InvariantCulture), mark.ToString("0.00", CultureInfo.InvariantCulture), ((mark - p.AvgEntryPrice) * p.Qty).ToString("0.00", CultureInfo.InvariantCulture));
        }

        if (broker.Positions.Count == 0)
        {
            table.AddRow("(flat)", string.Empty, string.Empty, string.Empty, string.Empty);
        }

        AnsiConsole.Write(table);
        var equity = broker.Equity(s => lastPrice.TryGetValue(s, out var px) ? px : null);
        var pnl = equity - startingCash;
        var color = pnl >= 0 ? "green" : "red";
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "Cash [bold]{0:N2}[/]  Equity [bold]{1:N2}[/]  P&L [{2}]{3:+0.00;-0.00}[/] ({4:+0.000;-0.000} %)", broker.Cash, equity, color, pnl, pnl / startingCash * 100);
    }
}
