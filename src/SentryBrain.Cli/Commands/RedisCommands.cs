using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Streams;
using StackExchange.Redis;

namespace SentryBrain.Cli.Commands;

/// <summary><c>consume --redis</c>, <c>publish</c> and <c>route</c>: the Redis stream side of the brain (issue 5).</summary>
internal static class RedisCommands
{
    /// <summary>Options that <c>consume</c> adds for reading a Redis stream.</summary>
    internal sealed class ConsumeOptions
    {
        public Option<string?> Redis { get; } = new("--redis") { Description = "Read the Redis stream at this URL (redis://host:port or host:port) instead of stdin; --redis alone uses REDIS_URL", Arity = ArgumentArity.ZeroOrOne };
        public Option<string?> Stream { get; } = new("--stream") { Description = "Stream name (default REDIS_STREAM, market:updates); shards are <stream>:k" };
        public Option<string?> Group { get; } = new("--group") { Description = "Consumer group (default REDIS_GROUP)" };
        public Option<string?> Consumer { get; } = new("--consumer") { Description = "Consumer name (default REDIS_CONSUMER, else host-pid)" };
        public Option<string?> Shards { get; } = new("--shards") { Description = "Own these shard streams, e.g. 0,2 (<stream>:0 and <stream>:2)" };
        public Option<int> AutoShards { get; } = new("--auto-shards") { Description = "Share N shard streams among all running brains through Redis leases" };
        public Option<bool> FromStart { get; } = new("--from-start") { Description = "Create a missing group at the start of the stream (0) instead of new entries only ($)" };
        public Option<double?> IdleExit { get; } = new("--idle-exit") { Description = "Finish (summary, exit 0) once no entry arrived for this many seconds" };
        public Option<bool> JournalEntries { get; } = new("--journal-entries") { Description = "Journal every consumed entry as {\"kind\":\"entry\",\"stream\",\"id\"} (audits)" };

        public void AddTo(Command command)
        {
            command.Options.Add(Redis);
            command.Options.Add(Stream);
            command.Options.Add(Group);
            command.Options.Add(Consumer);
            command.Options.Add(Shards);
            command.Options.Add(AutoShards);
            command.Options.Add(FromStart);
            command.Options.Add(IdleExit);
            command.Options.Add(JournalEntries);
        }

        /// <summary>Whether this run reads Redis (the option was given).</summary>
        public bool Wanted(ParseResult parse) => parse.GetResult(Redis) is not null;
    }

    /// <summary>Runs <c>consume --redis</c>; returns the exit code.</summary>
    public static int Consume(ParseResult parse, ConsumeOptions o, BrainConfig config, SentryBrain.Signals.Sentiment.ISentimentModel sentiment, CancellationToken shutdown)
    {
        var settings = Settings(config, parse.GetValue(o.Redis), parse.GetValue(o.Stream), parse.GetValue(o.Group), parse.GetValue(o.Consumer));
        if (settings is null)
        {
            return 2;
        }

        int[]? shards = null;
        if (parse.GetValue(o.Shards) is { Length: > 0 } text)
        {
            if (!ShardRouter.TryParseShardList(text, out var list, out var error))
            {
                Console.Error.WriteLine("brain consume: --shards: " + error);
                return 2;
            }

            shards = list;
        }

        var auto = parse.GetValue(o.AutoShards);
        if (auto < 0 || (auto > 0 && shards is not null))
        {
            Console.Error.WriteLine("brain consume: --auto-shards must be ≥ 1 and cannot be combined with --shards");
            return 2;
        }

        var idle = parse.GetValue(o.IdleExit);
        if (idle is { } seconds && (!double.IsFinite(seconds) || seconds < 0))
        {
            Console.Error.WriteLine("brain consume: --idle-exit must be a number of seconds ≥ 0");
            return 2;
        }

        using var logging = Startup.Logging(config.LogLevel);
        var logger = logging.CreateLogger("consume");
        using var stdout = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
        var address = RedisConnection.Describe(settings.Url);
        // Batch runs (--idle-exit) give up on an unreachable Redis; a long-running consumer waits for it.
        TimeSpan? giveUp = idle is null ? null : TimeSpan.FromSeconds(settings.ConnectTimeoutSec);
        try
        {
            using var redis = RedisConnector.Connect(settings.Url, logger, TimeProvider.System, giveUp, shutdown);
            if (redis is null)
            {
                // Stopped by a signal before Redis was reached: nothing was read, the journal still ends with its summary.
                using var journal = new SentryBrain.Journal.JournalWriter(stdout);
                journal.Summary(new SentryBrain.Journal.RunSummary(0, 0, 0, 0, 0, 0, 0, 0));
                return 0;
            }

            var options = new RedisConsumeOptions
            {
                Settings = settings,
                Shards = shards,
                AutoShards = auto,
                FromStart = parse.GetValue(o.FromStart),
                IdleExit = idle is { } s ? TimeSpan.FromSeconds(s) : null,
                GiveUpAfter = giveUp,
                JournalEntries = parse.GetValue(o.JournalEntries),
            };
            var result = RedisConsumeRunner.Run(options, redis, stdout, config, logger, sentiment: sentiment, cancel: shutdown);
            result.Broker?.Dispose();
            return 0;
        }
        catch (Exception ex) when (Startup.IsBrokerFailure(ex))
        {
            return Startup.ReportBrokerFailure(ex, config);
        }
        catch (RedisUnreachableException ex)
        {
            logger.LogError("{Message}", ex.Message);
            return 4;
        }
        catch (RedisException ex)
        {
            Console.Error.WriteLine($"Redis {address}: {Urls.Redact(Startup.OneLine(ex.Message))}");
            return 4;
        }
    }

    public static Command Publish()
    {
        var url = new Option<string?>("--redis") { Description = "Redis URL (default REDIS_URL)" };
        var stream = new Option<string?>("--stream") { Description = "Stream name (default REDIS_STREAM, market:updates)" };
        var shards = new Option<int>("--shards") { Description = "Write each event to <stream>:k, k = FNV-1a(symbol) mod N (0 = the single stream)" };
        var command = new Command("publish", "Copy NDJSON events from stdin into the Redis stream (fields type, ts, payload; MAXLEN ~ REDIS_STREAM_MAXLEN)") { url, stream, shards };
        command.SetAction(parse =>
        {
            if (Prepare(parse, url, stream, shards, minShards: 0) is not var (config, settings, n))
            {
                return 2;
            }

            using var logging = Startup.Logging(config.LogLevel);
            var logger = logging.CreateLogger("publish");
            try
            {
                using var redis = RedisConnection.Connect(settings.Url);
                using var stdin = Console.OpenStandardInput();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var result = new RedisPublisher(redis.GetDatabase(), settings.Stream, n, settings.StreamMaxLen, logger).Publish(stdin);
                logger.LogInformation(
                    "Published {Published} events as {Entries} entries to {Stream}{Shards} in {Seconds:0.000} s ({Skipped} lines skipped)",
                    result.Published, result.Entries, settings.Stream, n > 0 ? $":0..{n - 1}" : string.Empty, clock.Elapsed.TotalSeconds, result.Skipped);
                return 0;
            }
            catch (Exception ex) when (ex is RedisException or AggregateException)
            {
                Console.Error.WriteLine($"Redis {Urls.Redact(settings.Url)}: {Urls.Redact(Startup.OneLine(ex.GetBaseException().Message))}");
                return 4;
            }
        });
        return command;
    }

    public static Command Route()
    {
        var url = new Option<string?>("--redis") { Description = "Redis URL (default REDIS_URL)" };
        var stream = new Option<string?>("--stream") { Description = "The engine's stream (default REDIS_STREAM, market:updates)" };
        var shards = new Option<int>("--shards") { Description = "Number of shard streams <stream>:0 … <stream>:N-1", Required = true };
        var fromStart = new Option<bool>("--from-start") { Description = "Route the stream from its start (a new router group at 0)" };
        var idleExit = new Option<double?>("--idle-exit") { Description = "Finish once no entry arrived for this many seconds" };
        var command = new Command("route", "Read the engine's single stream (group <REDIS_GROUP>-router) and write each event to its shard stream") { url, stream, shards, fromStart, idleExit };
        command.SetAction(parse =>
        {
            if (Prepare(parse, url, stream, shards, minShards: 1) is not var (config, settings, n))
            {
                return 2;
            }

            if (parse.GetValue(idleExit) is { } idleSeconds && (!double.IsFinite(idleSeconds) || idleSeconds < 0))
            {
                Console.Error.WriteLine("brain route: --idle-exit must be a number of seconds ≥ 0");
                return 2;
            }

            using var logging = Startup.Logging(config.LogLevel);
            var logger = logging.CreateLogger("route");
            using var shutdown = new ShutdownSignals("route", PosixSignal.SIGTERM, PosixSignal.SIGINT);
            try
            {
                using var redis = RedisConnection.Connect(settings.Url);
                var idle = parse.GetValue(idleExit) is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;
                var routed = RedisRouter.Run(redis.GetDatabase(), settings, n, parse.GetValue(fromStart), idle, logger, TimeProvider.System, shutdown.Token);
                logger.LogInformation("Routed {Count} entries", routed);
                return 0;
            }
            catch (RedisException ex)
            {
                Console.Error.WriteLine($"Redis {Urls.Redact(settings.Url)}: {Urls.Redact(Startup.OneLine(ex.Message))}");
                return 4;
            }
        });
        return command;
    }

    /// <summary>Configuration, Redis settings and a checked shard count for <c>publish</c> and <c>route</c>; null (after a message) on bad input.</summary>
    private static (BrainConfig Config, RedisSettings Settings, int Shards)? Prepare(
        ParseResult parse, Option<string?> url, Option<string?> stream, Option<int> shards, int minShards)
    {
        var config = Startup.LoadConfig(out _);
        var settings = config is null ? null : Settings(config, parse.GetValue(url), parse.GetValue(stream), null, null);
        if (config is null || settings is null)
        {
            return null;
        }

        var n = parse.GetValue(shards);
        if (n < minShards)
        {
            Console.Error.WriteLine($"brain {parse.CommandResult.Command.Name}: --shards must be ≥ {minShards}");
            return null;
        }

        return (config, settings, n);
    }

    /// <summary>The Redis settings with command-line overrides; null (after a message) when no URL is known.</summary>
    private static RedisSettings? Settings(BrainConfig config, string? url, string? stream, string? group, string? consumer)
    {
        var s = config.Redis;
        s = s with
        {
            Url = url is { Length: > 0 } ? url : s.Url,
            Stream = stream is { Length: > 0 } ? stream : s.Stream,
            Group = group is { Length: > 0 } ? group : s.Group,
            Consumer = consumer is { Length: > 0 } ? consumer : s.Consumer,
        };
        if (s.Url.Length == 0)
        {
            Console.Error.WriteLine("No Redis URL: pass --redis URL or set REDIS_URL (e.g. redis://127.0.0.1:6379)");
            return null;
        }

        // redis://, rediss:// or StackExchange's host:port[,option=value…]; any other scheme is a mistake, not an address.
        if (s.Url.Contains("://", StringComparison.Ordinal)
            && !s.Url.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) && !s.Url.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine($"--redis {Urls.Redact(s.Url)}: not a Redis address (redis://host:port, rediss://host:port or host:port)");
            return null;
        }

        return s;
    }
}
