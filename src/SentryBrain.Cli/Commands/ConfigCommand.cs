using System.CommandLine;
using SentryBrain.Config;
using Spectre.Console;

namespace SentryBrain.Cli.Commands;

internal static class ConfigCommand
{
    public static Command Create()
    {
        var command = new Command("config", "Print the effective configuration, where each value came from (environment, .env, default); secrets masked");
        command.SetAction(_ =>
        {
            var config = Startup.LoadConfig(out var entries);
            if (config is null)
            {
                return 2;
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
