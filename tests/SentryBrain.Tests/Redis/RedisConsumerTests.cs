using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SentryBrain.Config;
using SentryBrain.Streams;
using StackExchange.Redis;

namespace SentryBrain.Tests.Redis;

/// <summary>The Redis consumer in-process against the real redis-server: acknowledgement, pending, claims, dead letters, leases.</summary>
[Collection("redis")]
public sealed class RedisConsumerTests : IDisposable
{
    private static readonly BrainConfig DecisionsOnly = new() { TradePaper = false };
    private readonly ConnectionMultiplexer _redis = RedisTestServer.Connect();

    private IDatabase Db => _redis.GetDatabase();

    public void Dispose() => _redis.Dispose();

    private static string Trade(string symbol, int second, double price = 100)
        => $$$"""{"type":"trade","ts":"2026-03-02T15:00:{{{second:00}}}Z","payload":{"symbol":"{{{symbol}}}","price":{{{price}}},"size":10,"volume_1m":100,"volume_5m":500,"return_1m":0.001,"return_5m":0.002,"session":"regular","volatility":0.2}}""";

    private void Publish(string stream, params string[] lines)
    {
        var publisher = new RedisPublisher(Db, stream, 0, 1_000_000, NullLogger.Instance);
        foreach (var line in lines)
        {
            Assert.True(publisher.PublishLine(Encoding.UTF8.GetBytes(line), out var error), error);
        }

        publisher.Drain();
    }

    private (List<string> Journal, RedisConsumeRunner.Result Result) Consume(string stream, string consumer, int claimIdleMs = 30_000, bool fromStart = true)
    {
        var output = new MemoryStream();
        var options = new RedisConsumeOptions
        {
            Settings = new RedisSettings { Stream = stream, Group = "g", Consumer = consumer, ClaimIdleMs = claimIdleMs },
            FromStart = fromStart,
            IdleExit = TimeSpan.FromSeconds(0.5),
            JournalEntries = true,
        };
        var result = RedisConsumeRunner.Run(options, _redis, output, DecisionsOnly, NullLogger.Instance);
        var journal = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        return (journal, result);
    }

    private static List<string> EntryIds(List<string> journal)
        => [.. journal.Where(l => l.StartsWith("{\"kind\":\"entry\"", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!)];

    [Fact]
    public void Consume_ProcessesEveryEntryOnce_AcknowledgesAll_AndEndsWithTheSummary()
    {
        var stream = RedisTestServer.UniqueStream("plain");
        Publish(stream, Trade("ACME", 1), Trade("BOLT", 2), Trade("ACME", 3));
        var (journal, result) = Consume(stream, "c1");
        Assert.Equal(3, result.Entries);
        Assert.Equal(3, EntryIds(journal).Distinct().Count());
        Assert.StartsWith("{\"kind\":\"summary\",\"lines\":3,\"events\":3,\"rejected\":0", journal[^1], StringComparison.Ordinal);
        Assert.Equal(0, Db.StreamPending(stream, "g").PendingMessageCount);
    }

    [Fact]
    public void BadEntries_AreJournaledWithOrdinalAndId_CopiedToDeadLetters_AndAcknowledged()
    {
        var stream = RedisTestServer.UniqueStream("dead");
        Publish(stream, Trade("ACME", 1));
        var garbage = Db.StreamAdd(stream, [new NameValueEntry("type", "trade"), new NameValueEntry("ts", "2026-03-02T15:00:02Z"), new NameValueEntry("payload", "{not json")]);
        var noType = Db.StreamAdd(stream, [new NameValueEntry("ts", "2026-03-02T15:00:03Z"), new NameValueEntry("payload", "{}")]);
        Publish(stream, Trade("ACME", 4));

        var (journal, result) = Consume(stream, "c1");

        var errors = journal.Where(l => l.StartsWith("{\"kind\":\"error\"", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Equal(2, errors[0].GetProperty("line").GetInt64());
        Assert.Contains($"redis entry {garbage} of {stream}", errors[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, errors[1].GetProperty("line").GetInt64());
        Assert.Contains(noType.ToString(), errors[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, result.DeadLettered);

        var dead = Db.StreamRange(ShardRouter.DeadLetterStream(stream));
        Assert.Equal(2, dead.Length);
        Assert.Equal(garbage, dead[0]["source_id"]);
        Assert.Equal("{not json", dead[0]["payload"]);
        Assert.False(dead[0]["reason"].IsNullOrEmpty);
        Assert.Equal(0, Db.StreamPending(stream, "g").PendingMessageCount);
    }

    [Fact]
    public void OwnPendingEntries_AreProcessedAtStart_BeforeNewOnes()
    {
        var stream = RedisTestServer.UniqueStream("own");
        Publish(stream, Trade("ACME", 1), Trade("ACME", 2));
        Db.StreamCreateConsumerGroup(stream, "g", "0-0");
        var delivered = Db.StreamReadGroup(stream, "g", "c1", ">", 1); // delivered to c1, never acknowledged (a crash)
        Assert.Single(delivered);

        var (journal, result) = Consume(stream, "c1");

        Assert.Equal([delivered[0].Id.ToString(), .. EntryIds(journal).Skip(1)], EntryIds(journal));
        Assert.Equal(2, result.Entries);
        Assert.Equal(0, Db.StreamPending(stream, "g").PendingMessageCount);
    }

    [Fact]
    public void EntriesPendingAtADeadConsumer_AreClaimedOnceIdleLongEnough()
    {
        var stream = RedisTestServer.UniqueStream("claim");
        Publish(stream, Trade("ACME", 1), Trade("ACME", 2), Trade("BOLT", 3));
        Db.StreamCreateConsumerGroup(stream, "g", "0-0");
        Assert.Equal(2, Db.StreamReadGroup(stream, "g", "dead", ">", 2).Length);
        // Idle time is measured by Redis: wait until it says both entries idled longer than the claim threshold below.
        var idle = System.Diagnostics.Stopwatch.StartNew();
        while (Db.StreamPendingMessages(stream, "g", 10, "dead").Count(m => m.IdleTimeInMilliseconds > 150) < 2)
        {
            Assert.True(idle.Elapsed < TimeSpan.FromSeconds(30), "Redis did not report the pending entries idle within 30 s");
            Thread.Sleep(10);
        }

        var (journal, result) = Consume(stream, "alive", claimIdleMs: 100);

        Assert.Equal(2, result.Claimed);
        Assert.Equal(3, EntryIds(journal).Distinct().Count());
        Assert.Equal(0, Db.StreamPending(stream, "g").PendingMessageCount);
    }

    [Fact]
    public void Router_CopiesToShardsUnderTheSameId_AndNeverTwice()
    {
        var stream = RedisTestServer.UniqueStream("route");
        Publish(stream, Trade("ACME", 1), Trade("BOLT", 2), """{"type":"positions","ts":"2026-03-02T15:00:03Z","payload":{"positions":[]}}""");
        var settings = new RedisSettings { Stream = stream, Group = "g", Consumer = "r1" };
        var routed = RedisRouter.Run(Db, settings, 2, fromStart: true, TimeSpan.FromSeconds(0.3), NullLogger.Instance, TimeProvider.System, CancellationToken.None);
        Assert.Equal(3, routed);
        var source = Db.StreamRange(stream);
        var shard0 = Db.StreamRange(ShardRouter.ShardStream(stream, 0));
        var shard1 = Db.StreamRange(ShardRouter.ShardStream(stream, 1));
        Assert.Equal(4, shard0.Length + shard1.Length); // two trades once, positions in both shards
        Assert.All(shard0.Concat(shard1), e => Assert.Contains(source, s => s.Id == e.Id));
        Assert.Equal(ShardRouter.ShardOf("ACME", 2) == 1 ? 1 : 0, shard1.Count(e => e["payload"].ToString().Contains("ACME", StringComparison.Ordinal)));

        // A router that crashed before its XACK routes the same entries again: Redis refuses the repeated ids.
        var again = new RedisPublisher(Db, stream, 2, 1_000_000, NullLogger.Instance);
        var builder = new StreamEnvelope.LineBuilder();
        foreach (var e in source)
        {
            again.PublishFields(e.Id, e["type"], e["ts"], e["payload"], builder.Build(Encoding.UTF8.GetBytes(e["type"].ToString()), true, Encoding.UTF8.GetBytes(e["ts"].ToString()), true, Encoding.UTF8.GetBytes(e["payload"].ToString()), true));
        }

        again.Drain();
        Assert.Equal(4, again.AlreadyPresent);
        Assert.Equal(4, Db.StreamLength(ShardRouter.ShardStream(stream, 0)) + Db.StreamLength(ShardRouter.ShardStream(stream, 1)));
    }

    [Fact]
    public async Task AutoShards_TwoBrainsShareTheShardsThroughLeases_EachEntryOnce()
    {
        var stream = RedisTestServer.UniqueStream("auto");
        var events = new MemoryStream();
        SentryBrain.Replay.SyntheticStream.Write(new SentryBrain.Replay.SyntheticOptions(20_000, 20, 3), events);
        events.Position = 0;
        new RedisPublisher(Db, stream, 4, 1_000_000, NullLogger.Instance).Publish(events);

        List<string> RunBrain(string name)
        {
            using var redis = RedisTestServer.Connect();
            var output = new MemoryStream();
            var options = new RedisConsumeOptions
            {
                Settings = new RedisSettings { Stream = stream, Group = "g", Consumer = name, LeaseMs = 1000 },
                AutoShards = 4,
                FromStart = true,
                IdleExit = TimeSpan.FromSeconds(3),
                JournalEntries = true,
            };
            RedisConsumeRunner.Run(options, redis, output, DecisionsOnly, NullLogger.Instance);
            return [.. Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
        }

        var journals = await Task.WhenAll(Task.Run(() => RunBrain("a")), Task.Run(() => RunBrain("b")));
        var consumed = journals.SelectMany(j => j.Where(l => l.StartsWith("{\"kind\":\"entry\"", StringComparison.Ordinal))).ToList();
        var published = Enumerable.Range(0, 4).Sum(k => Db.StreamLength(ShardRouter.ShardStream(stream, k)));
        Assert.Equal(published, consumed.Count);
        Assert.Equal(consumed.Count, consumed.Distinct().Count());
        Assert.All(journals, j => Assert.StartsWith("{\"kind\":\"summary\"", j[^1], StringComparison.Ordinal));
        foreach (var k in Enumerable.Range(0, 4))
        {
            Assert.Equal(0, Db.StreamPending(ShardRouter.ShardStream(stream, k), "g").PendingMessageCount);
        }
    }

    [Fact]
    public async Task RedisRestartedWithoutItsData_TheGroupIsRecreated_AndEntriesPublishedAfterwardAreConsumed()
    {
        using var server = RedisProcess.Start(persistent: null);
        const string stream = "market:updates";
        var output = new MemoryStream();
        var logs = new StringBuilder();
        var logger = new Engine.SecretsTests.CapturingLogger(logs);
        string Logs()
        {
            lock (logs)
            {
                return logs.ToString();
            }
        }

        // The idle exit runs on a fake clock: it cannot fire while the machine is slow, only once the test moves it.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var runner = Task.Run(() =>
        {
            using var redis = RedisConnection.Connect(server.Address);
            var options = new RedisConsumeOptions
            {
                Settings = new RedisSettings { Stream = stream, Group = "g", Consumer = "c" },
                IdleExit = TimeSpan.FromSeconds(4),
                JournalEntries = true,
            };
            return RedisConsumeRunner.Run(options, redis, output, DecisionsOnly, new LockedLogger(logger, logs), time);
        });

        using (var before = RedisConnection.Connect(server.Address))
        {
            await BrainProcess.WaitUntil(() => before.GetDatabase().KeyExists(stream), () => "the consumer to create its group");
        }

        // Down until the consumer has noticed (however loaded the machine is); no persistence: stream and group are gone.
        server.Kill();
        await BrainProcess.WaitUntil(() => Logs().Contains("Redis unavailable", StringComparison.Ordinal) || runner.IsCompleted, () => "the consumer to notice the outage; logs: " + Logs());
        Assert.False(runner.IsCompleted, "the consumer ended during the outage: " + Logs());
        server.StartAgain();
        using var after = RedisConnection.Connect(server.Address);
        var db = after.GetDatabase();
        // Entries published before the group is back would be behind its "$": publish once the consumer recreated it.
        await BrainProcess.WaitUntil(() => db.KeyExists(stream) && db.StreamGroupInfo(stream).Any(g => g.Name == "g") || runner.IsCompleted, () => "the consumer to recreate its group; logs: " + Logs());
        var publisher = new RedisPublisher(db, stream, 0, 1_000_000, NullLogger.Instance);
        for (var i = 0; i < 50; i++)
        {
            publisher.PublishLine(Encoding.UTF8.GetBytes(Trade("ACME", i)), out _);
        }

        publisher.Drain();
        var last = db.StreamRange(stream, "-", "+", 1, Order.Descending).Single().Id;
        await BrainProcess.WaitUntil(
            () => runner.IsCompleted || (db.StreamGroupInfo(stream).Single(g => g.Name == "g") is var g && g.LastDeliveredId == last && g.PendingMessageCount == 0),
            () => "the consumer to read and acknowledge the 50 entries; logs: " + Logs());
        time.Advance(TimeSpan.FromSeconds(5));

        var result = await runner.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(50, result.Entries);
        Assert.Equal(0, db.StreamPending(stream, "g").PendingMessageCount);
    }

    [Fact]
    public void Publish_TrimsApproximatelyToMaxLen()
    {
        var stream = RedisTestServer.UniqueStream("maxlen");
        var publisher = new RedisPublisher(Db, stream, 0, 1000, NullLogger.Instance);
        for (var i = 0; i < 5000; i++)
        {
            publisher.PublishLine(Encoding.UTF8.GetBytes(Trade("ACME", i % 60)), out _);
        }

        publisher.Drain();
        Assert.InRange(Db.StreamLength(stream), 1000, 2000);
    }
}

[Collection("redis")]
public sealed class ShardLeaseTests : IDisposable
{
    private readonly ConnectionMultiplexer _redis = RedisTestServer.Connect();

    public void Dispose() => _redis.Dispose();

    [Fact]
    public async Task TwoBrains_SplitTheShards_AndTheSurvivorTakesOverWhenOneStopsRenewing()
    {
        var stream = RedisTestServer.UniqueStream("lease");
        var db = _redis.GetDatabase();
        var lease = TimeSpan.FromMilliseconds(800);
        var a = new ShardLeases(db, stream, "g", "a", 4, lease, TimeProvider.System);
        var b = new ShardLeases(db, stream, "g", "b", 4, lease, TimeProvider.System);
        a.Refresh();
        b.Refresh();
        a.Refresh(); // a now sees two live brains and gives up its extra shards
        b.Refresh();
        Assert.Equal(2, a.Owned.Count);
        Assert.Equal(2, b.Owned.Count);
        Assert.Empty(a.Owned.Intersect(b.Owned));

        // b dies (no more renewals): its leases expire and a, still refreshing, takes all four.
        await BrainProcess.WaitUntil(() => a.Refresh().Count == 4, () => $"a holds {string.Join(",", a.Owned)}", TimeSpan.FromSeconds(30));
        foreach (var k in Enumerable.Range(0, 4))
        {
            Assert.Equal("a", (string?)db.StringGet(a.LeaseKey(k)));
        }

        // A lease held by another brain is never renewed or released by someone else.
        db.StringSet(a.LeaseKey(0), "c", lease);
        a.Refresh();
        Assert.DoesNotContain(0, a.Owned);
        a.ReleaseAll();
        Assert.Equal("c", (string?)db.StringGet(a.LeaseKey(0)));
    }
}

/// <summary>Serialises a logger's writes into a <see cref="StringBuilder"/> the test reads while the consumer runs.</summary>
file sealed class LockedLogger(Microsoft.Extensions.Logging.ILogger inner, StringBuilder gate) : Microsoft.Extensions.Logging.ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (gate)
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
