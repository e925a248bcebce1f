using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace SentryBrain.Tests.Redis;

/// <summary>Issue 10, break 7 for <c>consume --redis</c>: SIGTERM/SIGINT stop it the way they stop the stdin consumer.</summary>
[Collection("redis")]
public sealed class RedisShutdownTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(120);
    private readonly string _dir = Directory.CreateTempSubdirectory("sb-redis-stop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Signal_WhileWaitingForEntries_AcknowledgesEverything_WritesTheSummary_Exits0(string signal)
    {
        const int Entries = 30;
        var stream = RedisTestServer.UniqueStream("stop");
        using var redis = RedisTestServer.Connect();
        var db = redis.GetDatabase();
        var t0 = new DateTime(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < Entries; i++)
        {
            var ts = t0.AddSeconds(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var price = (100 + (i * 0.01)).ToString("0.00", CultureInfo.InvariantCulture);
            db.StreamAdd(stream, [new("type", "trade"), new("ts", ts), new("payload", $"{{\"symbol\":\"ACME\",\"price\":{price},\"size\":100}}")]);
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["REDIS_URL"] = "redis://" + RedisTestServer.Address,
            ["LOG_LEVEL"] = "INFO",
            ["TRADE_PAPER"] = "true",
            ["PAPER_DB_PATH"] = Path.Combine(_dir, "paper.db"),
        };
        using var brain = BrainProcess.Start(_dir, env, null, "consume", "--redis", "--stream", stream, "--from-start", "--journal-entries");
        await BrainProcess.WaitUntil(() => brain.JournalCount("entry") == Entries || brain.HasExited, () => $"{brain.JournalCount("entry")} entries; stderr:\n{brain.Stderr}", Generous);
        Assert.False(brain.HasExited, brain.Stderr);

        brain.Signal(signal); // no --idle-exit: only the signal ends it
        var exit = await brain.WaitForExit(Generous);

        Assert.True(exit == 0, $"exit code {exit}; stderr:\n{brain.Stderr}");
        using var summary = JsonDocument.Parse(brain.Journal()[^1]);
        Assert.Equal("summary", summary.RootElement.GetProperty("kind").GetString());
        Assert.Equal(Entries, summary.RootElement.GetProperty("events").GetInt64());
        Assert.Equal(0, db.StreamPending(stream, "sentrybrain").PendingMessageCount);
    }
}
