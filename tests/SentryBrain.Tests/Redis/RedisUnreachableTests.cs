using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Streams;
using StackExchange.Redis;

namespace SentryBrain.Tests.Redis;

/// <summary>
/// Issue 10, break 13: <c>consume --redis</c> against an address where nothing answers. The port is one this test
/// keeps bound without listening, so every connection attempt is refused and no other process can take the port.
/// </summary>
public sealed class RedisUnreachableTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(120);
    private readonly string _dir = Directory.CreateTempSubdirectory("sb-unreachable-").FullName;
    private readonly Socket _refusing = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RedisUnreachableTests()
    {
        _refusing.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // bound, never Listen(): connections are refused
    }

    private int Port => ((IPEndPoint)_refusing.LocalEndPoint!).Port;

    public void Dispose()
    {
        _refusing.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task BatchRun_SaysAtOnceThatRedisCannotBeReached_RetriesVisibly_AndGivesUpWithExit4()
    {
        using var brain = BrainProcess.Start(_dir, Env(("REDIS_CONNECT_TIMEOUT_SEC", "3")), null,
            "consume", "--redis", $"redis://reader:s3cretpw@127.0.0.1:{Port}", "--idle-exit", "2");

        var exit = await brain.WaitForExit(Generous);

        var stderr = brain.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(stderr.Length > 0, "no message at all");
        // The first thing said is the failed connect, with the address (no credentials) and the reason.
        Assert.Contains($"Redis 127.0.0.1:{Port} cannot be reached", stderr[0], StringComparison.Ordinal);
        Assert.Contains("refused", stderr[0], StringComparison.OrdinalIgnoreCase);
        Assert.Contains(stderr, l => l.Contains("next attempt in", StringComparison.Ordinal));
        Assert.DoesNotContain("s3cretpw", brain.Stderr, StringComparison.Ordinal);
        Assert.True(exit == 4, $"exit code {exit}; stderr:\n{brain.Stderr}");
        Assert.Contains("giving up", brain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LongRunningConsumer_KeepsRetrying_UntilStopped_AndStopsCleanlyOnSigterm()
    {
        using var brain = BrainProcess.Start(_dir, Env(("REDIS_CONNECT_TIMEOUT_SEC", "1")), null,
            "consume", "--redis", $"redis://127.0.0.1:{Port}");

        // Well past the batch limit of 1 s (three retries back off 0.5 + 1 + 2 s), it is still trying.
        await BrainProcess.WaitUntil(
            () => CountRetries(brain) >= 3 || brain.HasExited,
            () => "three retries; stderr:\n" + brain.Stderr,
            Generous);
        Assert.False(brain.HasExited, "a consumer without --idle-exit gave up: " + brain.Stderr);
        Assert.DoesNotContain("giving up", brain.Stderr, StringComparison.Ordinal);

        brain.Signal("TERM");
        var exit = await brain.WaitForExit(Generous);
        Assert.True(exit == 0, $"exit code {exit}; stderr:\n{brain.Stderr}");
        Assert.StartsWith("{\"kind\":\"summary\"", brain.Journal()[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchRun_RedisLostDuringTheRun_GivesUpAfterTheLimit_WithTheSummaryOfWhatWasProcessed()
    {
        using var server = RedisProcess.Start(persistent: null);
        const string stream = "market:updates";
        using (var redis = RedisConnection.Connect(server.Address))
        {
            var publisher = new RedisPublisher(redis.GetDatabase(), stream, 0, 1_000_000, NullLogger.Instance);
            for (var i = 0; i < 3; i++)
            {
                var line = $$$"""{"type":"trade","ts":"2026-03-02T15:00:0{{{i}}}Z","payload":{"symbol":"ACME","price":100,"size":10}}""";
                Assert.True(publisher.PublishLine(Encoding.UTF8.GetBytes(line), out var error), error);
            }

            publisher.Drain();
        }

        var output = new MemoryStream();
        using var consumer = RedisConnection.Connect(server.Address);
        var options = new RedisConsumeOptions
        {
            Settings = new RedisSettings { Stream = stream, Group = "g", Consumer = "c" },
            FromStart = true,
            IdleExit = TimeSpan.FromHours(1), // a batch run that would otherwise wait for more entries
            GiveUpAfter = TimeSpan.FromSeconds(1),
        };
        var run = Task.Run(() => RedisConsumeRunner.Run(options, consumer, output, new BrainConfig { TradePaper = false }, NullLogger.Instance));
        using (var watch = RedisConnection.Connect(server.Address))
        {
            await BrainProcess.WaitUntil(
                () => run.IsCompleted || (watch.GetDatabase().KeyExists(stream) && AllDelivered(watch.GetDatabase(), stream) && Pending(watch.GetDatabase(), stream) == 0),
                () => "the three entries to be processed and acknowledged",
                Generous);
        }

        server.Kill();
        var failure = await Assert.ThrowsAsync<RedisUnreachableException>(() => run.WaitAsync(Generous));
        Assert.Contains($"Redis {server.Address} cannot be reached", failure.Message, StringComparison.Ordinal);
        var journal = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("{\"kind\":\"summary\",\"lines\":3,\"events\":3,", journal[^1], StringComparison.Ordinal);
    }

    private static long Pending(IDatabase db, string stream) => db.StreamPending(stream, "g").PendingMessageCount;

    private static bool AllDelivered(IDatabase db, string stream)
        => db.StreamGroupInfo(stream).FirstOrDefault(g => g.Name == "g") is { } group
            && group.LastDeliveredId == db.StreamRange(stream, count: 1, messageOrder: Order.Descending)[0].Id.ToString();

    private static int CountRetries(BrainProcess brain)
        => brain.Stderr.Split('\n').Count(l => l.Contains("next attempt in", StringComparison.Ordinal));

    private Dictionary<string, string> Env(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["LOG_LEVEL"] = "INFO",
            ["TRADE_PAPER"] = "false",
            ["PAPER_DB_PATH"] = Path.Combine(_dir, "paper.db"),
        };
        foreach (var (key, value) in extra)
        {
            env[key] = value;
        }

        return env;
    }
}
