using System.CommandLine;
using SentryBrain.Cli.Commands;

// Setting up Spectre's console costs tens of milliseconds: only the commands that draw tables and charts with it
// pay for it (consume, replay and the redis commands write plain lines). A command that draws with Spectre belongs
// in this list.
if (args.Length == 0 || args[0] is "bench" or "backtest" or "config" or "demo" or "optimize")
{
    Terminal.ConfigureStdout();
}

var root = new RootCommand("SentryBrain: market events in, decisions and paper orders out.");
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(ConsumeCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ConfigCommand.Create());
root.Subcommands.Add(SentimentCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(PaperOrderCommand.Create());
root.Subcommands.Add(IndicatorsCommand.Create());
root.Subcommands.Add(BacktestCommand.Create());
root.Subcommands.Add(ScreenCommand.Create());
root.Subcommands.Add(DiscoverCommand.Create());
root.Subcommands.Add(ExperienceCommand.Create());
root.Subcommands.Add(OptimizeCommand.Create());
root.Subcommands.Add(ShadowCommand.Create());
root.Subcommands.Add(RedisCommands.Publish());
root.Subcommands.Add(RedisCommands.Route());
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // One line and exit 2, as for every other bad value (not System.CommandLine's help dump and exit 1).
    Console.Error.WriteLine(CommandLineErrors.Describe(parse));
    return 2;
}

return parse.Invoke();
