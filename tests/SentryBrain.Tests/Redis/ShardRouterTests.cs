using System.Text;
using SentryBrain.Events;
using SentryBrain.Streams;

namespace SentryBrain.Tests.Redis;

public sealed class ShardRouterTests
{
    [Theory]
    [InlineData("", 0x811c9dc5u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("foobar", 0xbf9cf968u)]
    public void Fnv1a32_MatchesThePublishedTestVectors(string text, uint expected)
        => Assert.Equal(expected, ShardRouter.Fnv1a32(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void ShardOf_IsFnv1aModN_AndStableAcrossCalls()
    {
        Assert.Equal((int)(0xbf9cf968u % 4), ShardRouter.ShardOf("foobar", 4));
        Assert.Equal(ShardRouter.ShardOf("MSFT", 7), ShardRouter.ShardOf("MSFT", 7));
        Assert.Equal(0, ShardRouter.ShardOf("MSFT", 1));
    }

    [Fact]
    public void ShardOf_SpreadsSymbolsOverAllShards()
    {
        var counts = new int[4];
        foreach (var symbol in SentryBrain.Replay.SyntheticStream.SymbolNames(400))
        {
            counts[ShardRouter.ShardOf(symbol, 4)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 50, 150));
    }

    private static StreamEnvelope.Parts Split(string line)
    {
        Assert.True(StreamEnvelope.TrySplit(Encoding.UTF8.GetBytes(line), out var parts, out var error), error);
        return parts;
    }

    [Fact]
    public void Route_TradeGoesToItsSymbolsShard_AccountSnapshotsToEveryShard_SymbollessToShardZero()
    {
        var targets = new List<int>();
        ShardRouter.Route(Split("""{"type":"trade","ts":"2026-03-02T15:00:00Z","payload":{"symbol":"MSFT","price":1}}"""), 4, targets, out var narrowed);
        Assert.Equal([ShardRouter.ShardOf("MSFT", 4)], targets);
        Assert.Null(narrowed);

        ShardRouter.Route(Split("""{"type":"positions","ts":"2026-03-02T15:00:00Z","payload":{"positions":[]}}"""), 4, targets, out _);
        Assert.Equal([0, 1, 2, 3], targets);

        ShardRouter.Route(Split("""{"type":"news","ts":"2026-03-02T15:00:00Z","payload":{"headline":"x","symbols":null}}"""), 4, targets, out _);
        Assert.Equal([0], targets);

        ShardRouter.Route(Split("""{"type":"mystery","ts":"2026-03-02T15:00:00Z","payload":{}}"""), 4, targets, out _);
        Assert.Equal([0], targets);
    }

    [Fact]
    public void Route_NewsAboutSymbolsInTwoShards_IsCopiedWithEachShardsSymbols()
    {
        // Find two symbols in different shards.
        var names = SentryBrain.Replay.SyntheticStream.SymbolNames(50);
        var a = names[0];
        var b = names.First(s => ShardRouter.ShardOf(s, 4) != ShardRouter.ShardOf(a, 4));
        var line = "{\"type\":\"news\",\"ts\":\"2026-03-02T15:00:00Z\",\"payload\":{\"id\":1,\"headline\":\"h\",\"symbols\":[\"" + a + "\",\"" + b + "\"]}}";
        var targets = new List<int>();
        ShardRouter.Route(Split(line), 4, targets, out var narrowed);
        Assert.Equal(2, targets.Count);
        Assert.NotNull(narrowed);
        Assert.Equal([a], narrowed[ShardRouter.ShardOf(a, 4)]);
        var payload = Encoding.UTF8.GetString(RedisPublisher.NarrowSymbols(Encoding.UTF8.GetBytes($$"""{"id":1,"headline":"h","symbols":["{{a}}","{{b}}"]}"""), [b]));
        Assert.Equal($$"""{"id":1,"headline":"h","symbols":["{{b}}"]}""", payload);
    }

    [Theory]
    [InlineData("0,2", new[] { 0, 2 })]
    [InlineData(" 3 , 1,3", new[] { 3, 1 })]
    public void TryParseShardList_AcceptsDistinctNumbers(string text, int[] expected)
    {
        Assert.True(ShardRouter.TryParseShardList(text, out var shards, out _));
        Assert.Equal(expected, shards);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("-1")]
    [InlineData("1,,x")]
    public void TryParseShardList_RejectsOtherText(string text) => Assert.False(ShardRouter.TryParseShardList(text, out _, out _));

    [Theory]
    [InlineData(4, 1, 4)]
    [InlineData(4, 3, 2)]
    [InlineData(4, 4, 1)]
    [InlineData(4, 5, 1)]
    [InlineData(4, 0, 4)]
    public void FairShare_IsTheCeilingOfShardsOverLiveBrains(int shards, int live, int expected) => Assert.Equal(expected, ShardLeases.FairShare(shards, live));

    [Fact]
    public void Backoff_DoublesUpToTheCap()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1000));
        Assert.Equal([100, 200, 400, 800, 1000, 1000], Enumerable.Range(0, 6).Select(_ => backoff.Next().TotalMilliseconds));
        backoff.Reset();
        Assert.Equal(100, backoff.Next().TotalMilliseconds);
    }
}

public sealed class StreamEnvelopeTests
{
    [Fact]
    public void SplitThenRebuild_GivesTheSameEventAsTheOriginalLine()
    {
        var stream = new MemoryStream();
        SentryBrain.Replay.SyntheticStream.Write(new SentryBrain.Replay.SyntheticOptions(2000, 20, 7), stream);
        var builder = new StreamEnvelope.LineBuilder();
        var parser = new EventParser();
        foreach (var text in Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var line = Encoding.UTF8.GetBytes(text);
            Assert.True(StreamEnvelope.TrySplit(line, out var parts, out var error), error);
            var rebuilt = builder.Build(line.AsSpan()[parts.Type], true, line.AsSpan()[parts.Ts], true, line.AsSpan()[parts.Payload], true).ToArray();
            var expected = parser.Parse(line, out _);
            var actual = parser.Parse(rebuilt, out var why);
            Assert.True(actual is not null, why);
            Assert.Equal(expected!.ToString(), actual.ToString());
        }
    }

    [Theory]
    [InlineData("not json", "invalid JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("""{"ts":"2026-03-02T15:00:00Z","payload":{}}""", "no string \"type\"")]
    [InlineData("""{"type":"trade","payload":{}}""", "no \"ts\"")]
    [InlineData("""{"type":"trade","ts":"x"}""", "no \"payload\"")]
    public void TrySplit_RejectsLinesThatAreNotEnvelopes(string line, string reason)
    {
        Assert.False(StreamEnvelope.TrySplit(Encoding.UTF8.GetBytes(line), out _, out var error));
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_LeavesOutMissingFields_AndEscapesOddText()
    {
        var builder = new StreamEnvelope.LineBuilder();
        Assert.Equal("""{"type":"trade","payload":{}}""", Encoding.UTF8.GetString(builder.Build("trade"u8, true, default, false, "{}"u8, true)));
        Assert.Equal("""{"type":"a\u0022b","ts":"t","payload":""}""", Encoding.UTF8.GetString(builder.Build("a\"b"u8, true, "t"u8, true, default, true)));
    }
}

public sealed class EntryIdTests
{
    [Theory]
    [InlineData("1700000000000-0", "1700000000000-1")]
    [InlineData("1700000000000-9", "1700000000001-0")]
    [InlineData("999-5", "1000-0")]
    public void Ids_AreOrderedByMillisecondThenSequence(string earlier, string later)
    {
        Assert.True(EntryId.TryParse(earlier, out var a));
        Assert.True(EntryId.TryParse(later, out var b));
        Assert.True(a < b);
        Assert.Equal(later, b.ToString());
    }

    [Fact]
    public void Next_MovesToANewMillisecond_OrCountsUpWithinOne_EvenWhenTheClockGoesBack()
    {
        var id = new EntryId(1000, 3);
        Assert.Equal(new EntryId(1001, 0), id.Next(1001));
        Assert.Equal(new EntryId(1000, 4), id.Next(1000));
        Assert.Equal(new EntryId(1000, 4), id.Next(990));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("a-1")]
    [InlineData("-1")]
    public void TryParse_RejectsWhatIsNotAnId(string text) => Assert.False(EntryId.TryParse(text, out _));
}

public sealed class RedisConnectionTests
{
    [Fact]
    public void Options_ReadTheEnginesUrlForms()
    {
        var url = RedisConnection.Options("redis://:pw@10.0.0.5:6380/2");
        Assert.Equal("10.0.0.5:6380", url.EndPoints.Single().ToString()!.Replace("Unspecified/", string.Empty, StringComparison.Ordinal));
        Assert.Equal("pw", url.Password);
        Assert.Equal(2, url.DefaultDatabase);
        Assert.False(url.AbortOnConnectFail); // a Redis that is down at start (or restarts) is waited for
        var plain = RedisConnection.Options("127.0.0.1:7000");
        Assert.Contains("7000", plain.EndPoints.Single().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void IsTransient_CoversLostConnections_AndWrappedOnes()
    {
#pragma warning disable CS0618 // the plain constructors are enough to build the exceptions a failure throws
        var lost = new StackExchange.Redis.RedisConnectionException(StackExchange.Redis.ConnectionFailureType.SocketClosed, "closed");
        Assert.True(RedisConnection.IsTransient(lost));
        Assert.True(RedisConnection.IsTransient(new AggregateException(lost)));
        Assert.False(RedisConnection.IsTransient(new StackExchange.Redis.RedisServerException("ERR wrong type")));
        Assert.False(RedisConnection.IsTransient(new InvalidOperationException()));
#pragma warning restore CS0618
    }
}
