using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Streams;
using StackExchange.Redis;

namespace SentryBrain.Tests.Redis;

/// <summary>Issue 10, break 2 through the Redis consumer: the same clock rule, and held entries rejected later are dead-lettered as themselves.</summary>
[Collection("redis")]
public sealed class RedisClockTests : IDisposable
{
    private readonly ConnectionMultiplexer _redis = RedisTestServer.Connect();

    public void Dispose() => _redis.Dispose();

    private static NameValueEntry[] Trade(string ts, string symbol) =>
    [
        new("type", "trade"),
        new("ts", ts),
        new("payload", $$"""{"symbol":"{{symbol}}","price":100,"size":10,"volume_1m":100,"volume_5m":500,"return_1m":0,"return_5m":0,"session":"regular","volatility":0.2}"""),
    ];

    [Fact]
    public void FutureAndUnconfirmedEntries_AreJournaledAndDeadLetteredWithTheirOwnIds()
    {
        var db = _redis.GetDatabase();
        var stream = RedisTestServer.UniqueStream("clock");
        db.StreamAdd(stream, Trade("2026-03-02T15:00:01Z", "ACME"));
        var future = db.StreamAdd(stream, Trade("2099-01-02T00:00:00Z", "ZZZ"));
        var jump = db.StreamAdd(stream, Trade("2026-06-15T15:00:00Z", "ZZZ"));
        var after = db.StreamAdd(stream, Trade("2026-03-02T15:00:02Z", "ACME"));  // contradicts the jump
        var lastJump = db.StreamAdd(stream, Trade("2026-03-03T15:00:00Z", "ZZZ")); // last entry: not confirmed

        var output = new MemoryStream();
        var options = new RedisConsumeOptions
        {
            Settings = new RedisSettings { Stream = stream, Group = "g", Consumer = "c1" },
            FromStart = true,
            IdleExit = TimeSpan.FromSeconds(0.5),
        };
        var result = RedisConsumeRunner.Run(options, _redis, output, new BrainConfig { TradePaper = false }, NullLogger.Instance); // the system clock: the runner also uses it for --idle-exit

        var journal = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var errors = journal.Where(l => l.StartsWith("{\"kind\":\"error\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains($"redis entry {future}", errors[0], StringComparison.Ordinal);
        Assert.Contains($"redis entry {jump}", errors[1], StringComparison.Ordinal);
        Assert.Contains($"redis entry {lastJump}", errors[2], StringComparison.Ordinal);
        Assert.Equal(3, result.DeadLettered);
        var dead = db.StreamRange(ShardRouter.DeadLetterStream(stream));
        Assert.Equal([future, jump, lastJump], dead.Select(d => d["source_id"]));
        Assert.Contains("future", dead[0]["reason"].ToString(), StringComparison.Ordinal);
        Assert.Contains("not confirmed", dead[1]["reason"].ToString(), StringComparison.Ordinal);
        Assert.NotEqual(after, dead[1]["source_id"]);
        Assert.Equal(0, db.StreamPending(stream, "g").PendingMessageCount);
    }
}
