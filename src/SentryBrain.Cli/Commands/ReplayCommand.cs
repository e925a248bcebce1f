using System.CommandLine;
using SentryBrain.Replay;

namespace SentryBrain.Cli.Commands;

internal static class ReplayCommand
{
    public static Command Create()
    {
        var events = new Option<int?>("--events") { Description = "Write a synthetic stream of N events instead of the built-in scenario" };
        var symbols = new Option<int>("--symbols") { Description = "Symbols in the synthetic stream", DefaultValueFactory = _ => 50 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the synthetic stream (same seed, same bytes)", DefaultValueFactory = _ => 1 };
        var command = new Command("replay", "Write NDJSON market events to stdout: the end-to-end scenario, or a deterministic synthetic stream") { events, symbols, seed };
        command.SetAction(parse =>
        {
            using var stdout = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
            var n = parse.GetValue(events);
            try
            {
                if (n is null)
                {
                    Scenario.Write(stdout);
                    return 0;
                }

                var k = parse.GetValue(symbols);
                if (n < 0 || k < 1)
                {
                    Console.Error.WriteLine(n < 0 ? $"brain replay: --events must be ≥ 0, not {n}" : $"brain replay: --symbols must be ≥ 1, not {k}");
                    return 2;
                }

                SyntheticStream.Write(new SyntheticOptions(n.Value, k, parse.GetValue(seed)), stdout);
                return 0;
            }
            catch (IOException)
            {
                return 0; // reader closed the pipe (e.g. `| head`): not an error
            }
        });
        return command;
    }
}
