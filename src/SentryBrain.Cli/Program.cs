using System.CommandLine;
using SentryBrain.Cli.Commands;

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
root.Subcommands.Add(RedisCommands.Publish());
root.Subcommands.Add(RedisCommands.Route());
return root.Parse(args).Invoke();
