using System.CommandLine;
using System.Runtime.InteropServices;
using SentryBrain.Engine;
using SentryBrain.Screening;

namespace SentryBrain.Cli.Commands;

internal static class ConsumeCommand
{
    public static Command Create()
    {
        var ledger = new Option<string?>("--ledger") { Description = "Paper ledger (SQLite) path; overrides PAPER_DB_PATH" };
        var newLedger = new Option<bool>("--new-ledger") { Description = "Archive the paper ledger (as <path>.<time>.bak) and start a fresh one, even if it holds positions or open orders" };
        var command = new Command("consume", "Read events from stdin to EOF (or a Redis stream with --redis), run the brain, write the journal (NDJSON) to stdout and logs to stderr") { ledger, newLedger };
        var redis = new RedisCommands.ConsumeOptions();
        redis.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetResult(ledger) is not null && string.IsNullOrWhiteSpace(parse.GetValue(ledger)))
            {
                Console.Error.WriteLine("brain consume: --ledger needs a file path");
                return 2;
            }

            var config = Startup.LoadConfig(out _);
            if (config is null)
            {
                return 2;
            }

            if (parse.GetValue(ledger) is { Length: > 0 } path)
            {
                config = config with { PaperDbPath = path };
            }

            if (ConsumerDiscovery.ConfigurationProblem(config) is { } discoveryProblem)
            {
                Console.Error.WriteLine($"brain consume: {discoveryProblem}");
                return 2;
            }

            // The news model loads before any event is read (stdin or Redis): a broken one stops here, exit 2.
            using var sentiment = SentimentStartup.Load(config.Sentiment, "consume");
            if (sentiment is null)
            {
                return 2;
            }

            var fresh = parse.GetValue(newLedger);
            // Registered before anything is opened, so even a signal during start-up ends with the summary.
            using var shutdown = new ShutdownSignals("consume", PosixSignal.SIGTERM, PosixSignal.SIGINT);
            if (redis.Wanted(parse))
            {
                if (fresh)
                {
                    Console.Error.WriteLine("--new-ledger applies to stdin input only (a Redis consumer never archives its ledger); use --ledger PATH for another ledger");
                    return 2;
                }

                return RedisCommands.Consume(parse, redis, config, sentiment, shutdown.Token);
            }

            using var logging = Startup.Logging(config.LogLevel);
            var logger = logging.CreateLogger("consume");
            using var stdin = Console.OpenStandardInput();
            using var stdout = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
            try
            {
                var result = ConsumeRunner.Run(stdin, stdout, config, logger, ts => ConsumeRunner.OpenDefaultBroker(config, ts, logger, fresh), TimeProvider.System, sentiment, cancel: shutdown.Token);
                result.Broker?.Dispose();
                return 0;
            }
            catch (Exception ex) when (Startup.IsBrokerFailure(ex))
            {
                return Startup.ReportBrokerFailure(ex, config);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"Paper ledger {config.PaperDbPath}: {ex.Message}");
                return 3;
            }
        });
        return command;
    }
}
