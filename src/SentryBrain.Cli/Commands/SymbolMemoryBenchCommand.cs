using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution.Paper;
using SentryBrain.Journal;
using Spectre.Console;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// `brain bench symbols`: managed bytes retained per tracked symbol. N distinct symbols each get one line (a quote,
/// or a quote and a trade) through the whole engine (parser, symbol state, indicators, paper broker), with no cap
/// and no pruning; the heap after a full collection, minus the heap with the engine alone, divided by N.
/// </summary>
internal static class SymbolMemoryBenchCommand
{
    private static readonly DateTime T0 = new(2026, 3, 2, 14, 30, 0, DateTimeKind.Utc);

    public static Command Create()
    {
        var symbols = new Option<int>("--symbols") { Description = "Distinct symbols", DefaultValueFactory = _ => 100_000 };
        var strategy = new Option<string>("--strategy") { Description = "green_light or consensus", DefaultValueFactory = _ => "green_light" };
        strategy.AcceptOnlyFromAmong("green_light", "consensus");
        var trades = new Option<bool>("--trades") { Description = "Send a trade after each symbol's quote (opens a 1-minute bar)" };
        var command = new Command("symbols", "Managed memory per tracked symbol (bytes)") { symbols, strategy, trades };
        command.SetAction(parse => Run(Math.Max(1, parse.GetValue(symbols)), parse.GetValue(strategy)!, parse.GetValue(trades)));
        return command;
    }

    private static int Run(int symbolCount, string strategy, bool trades)
    {
        var config = BrainConfig.Load(ConfigSource.FromPairs(("STRATEGY_MODE", strategy))) with
        {
            LogLevel = "ERROR",
            SymbolStateTtlSec = 1e9, // nothing is pruned: every symbol stays tracked
        };
        config = config with { MaxSymbols = symbolCount + 1 }; // every symbol is tracked: this measures a state, not the cap
        using var broker = PaperBroker.Open(":memory:", config.PaperStartingCash);
        using var journal = new JournalWriter(Stream.Null);
        var engine = new BrainEngine(config, broker, journal, NullLogger.Instance);
        engine.ProcessLine(Line("quote", T0, "WARM", trade: false)); // the broker and the engine's own tables exist
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var workingSetBefore = Environment.WorkingSet;
        for (var i = 0; i < symbolCount; i++)
        {
            var ts = T0.AddTicks(TimeSpan.TicksPerMinute * i / symbolCount); // all within one minute of event time
            var symbol = "S" + i.ToString(CultureInfo.InvariantCulture);
            engine.ProcessLine(Line("quote", ts, symbol, trade: false));
            if (trades)
            {
                engine.ProcessLine(Line("trade", ts, symbol, trade: true));
            }
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var workingSetAfter = Environment.WorkingSet;
        var table = new Table().Border(TableBorder.Rounded).Title("brain bench symbols");
        table.AddColumn("measure");
        table.AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("symbols sent / tracked", $"{symbolCount:N0} / {engine.TrackedSymbols:N0}");
        table.AddRow("lines per symbol", trades ? "quote + trade" : "quote");
        table.AddRow("strategy", strategy);
        table.AddRow("managed heap growth (MB)", ((after - before) / 1e6).ToString("0.0", CultureInfo.InvariantCulture));
        table.AddRow("bytes per symbol (managed)", ((after - before) / (double)symbolCount).ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("working set growth (MB)", ((workingSetAfter - workingSetBefore) / 1e6).ToString("0.0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        GC.KeepAlive(engine);
        return 0;
    }

    private static byte[] Line(string type, DateTime ts, string symbol, bool trade)
    {
        var time = ts.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var payload = trade
            ? $"\"symbol\":\"{symbol}\",\"price\":10.005,\"size\":100"
            : $"\"symbol\":\"{symbol}\",\"bid\":10.00,\"ask\":10.01,\"bid_size\":1,\"ask_size\":1";
        return Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"ts\":\"{time}\",\"payload\":{{{payload}}}}}");
    }
}
