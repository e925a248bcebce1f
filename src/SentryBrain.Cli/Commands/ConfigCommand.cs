using System.CommandLine;
using SentryBrain.Config;
using Spectre.Console;

namespace SentryBrain.Cli.Commands;

internal static class ConfigCommand
{
    public static Command Create()
    {
        var markdown = new Option<bool>("--markdown") { Description = "Print a Markdown table (docs/CONFIG.md is made with it)" };
        var command = new Command("config", "Print the effective configuration, where each value came from (environment, .env, default); secrets masked") { markdown };
        command.SetAction(parse =>
        {
            var config = Startup.LoadConfig(out var entries);
            if (config is null)
            {
                return 2;
            }

            if (parse.GetValue(markdown))
            {
                Console.WriteLine("| variable | default | meaning |");
                Console.WriteLine("|---|---|---|");
                foreach (var e in entries)
                {
                    var value = e.Origin == ValueOrigin.Default ? e.Value : "(set here)";
                    Console.WriteLine($"| `{e.Name}` | {(value.Length == 0 ? "\"\"" : "`" + value + "`")} | {e.Description} |");
                }

                return 0;
            }

            var table = new Table().Border(TableBorder.Simple);
            table.AddColumn("variable");
            table.AddColumn("value");
            table.AddColumn("source");
            table.AddColumn("meaning");
            foreach (var e in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var source = e.Origin switch
                {
                    ValueOrigin.Environment => "[green]environment[/]",
                    ValueOrigin.DotEnv => "[yellow].env[/]",
                    _ => "[grey]default[/]",
                };
                table.AddRow(Markup.Escape(e.Name), Markup.Escape(e.Value), source, Markup.Escape(e.Description));
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
