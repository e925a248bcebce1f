using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SentryBrain.Engine;
using StackExchange.Redis;

namespace SentryBrain.Streams;

/// <summary>Counts of one <c>publish</c> or <c>route</c> run.</summary>
public sealed record PublishResult(long Lines, long Published, long Entries, long Skipped);

/// <summary>
/// <c>./brain publish</c>: NDJSON lines in, XADD with the Go engine's field layout out (<c>type</c>, <c>ts</c>,
/// <c>payload</c>), <c>MAXLEN ~</c> retention, pipelined (a window of commands in flight instead of one round trip
/// per event). With shards, each event goes to <c>&lt;stream&gt;:k</c> as <see cref="ShardRouter"/> decides.
/// </summary>
public sealed class RedisPublisher(IDatabase db, string stream, int shards, long maxLen, ILogger logger, TimeProvider? time = null)
{
    private const int Window = 4096;
    private static readonly RedisValue TypeField = "type";
    private static readonly RedisValue TsField = "ts";
    private static readonly RedisValue PayloadField = "payload";

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly List<Task> _inFlight = new(Window);
    private readonly List<int> _targets = [];
    private readonly RedisKey[] _keys = shards > 0 ? [.. Enumerable.Range(0, shards).Select(k => (RedisKey)ShardRouter.ShardStream(stream, k))] : [stream];
    private long _entries;
    private EntryId? _lastId;
    private bool _routing;

    /// <summary>Publishes every line of <paramref name="input"/>; lines that are not an event envelope are skipped with a warning.</summary>
    public PublishResult Publish(Stream input)
    {
        var reader = new LineReader(input);
        long lines = 0, published = 0, skipped = 0;
        while (true)
        {
            var result = reader.Next(out var line);
            if (result == LineResult.End)
            {
                break;
            }

            lines++;
            if (result == LineResult.TooLong || line.Trim((byte)' ').IsEmpty)
            {
                if (result == LineResult.TooLong)
                {
                    skipped++;
                    logger.LogWarning("Line {Line} skipped: longer than {Max} bytes", reader.LineNumber, reader.MaxLineBytes);
                }

                continue;
            }

            if (PublishLine(line, out var error))
            {
                published++;
            }
            else
            {
                skipped++;
                logger.LogWarning("Line {Line} skipped: {Error}", reader.LineNumber, error);
            }
        }

        Drain();
        return new PublishResult(lines, published, _entries, skipped);
    }

    /// <summary>Queues one event (XADD to its shard(s)); false with a reason when the line is not an event envelope.</summary>
    public bool PublishLine(ReadOnlySpan<byte> line, out string? error)
    {
        if (!StreamEnvelope.TrySplit(line, out var parts, out error))
        {
            return false;
        }

        var type = (RedisValue)line[parts.Type].ToArray();
        var ts = (RedisValue)line[parts.Ts].ToArray();
        var payloadBytes = line[parts.Payload];
        if (shards <= 0)
        {
            Add(_keys[0], type, ts, payloadBytes.ToArray());
            return true;
        }

        ShardRouter.Route(parts, shards, _targets, out var newsSymbols);
        var payload = (RedisValue)payloadBytes.ToArray();
        var id = (RedisValue)NextId().ToString();
        foreach (var k in _targets)
        {
            var value = newsSymbols is not null && newsSymbols.TryGetValue(k, out var symbols) ? (RedisValue)NarrowSymbols(payloadBytes, symbols) : payload;
            Add(_keys[k], type, ts, value, id);
        }

        return true;
    }

    /// <summary>
    /// Copies an entry of the engine's stream to its shard(s) under the same entry id (the router). Routing the same
    /// entry again after a crash is then refused by Redis (an id must grow), so the shards never hold it twice.
    /// </summary>
    public void PublishFields(RedisValue id, RedisValue type, RedisValue ts, RedisValue payload, ReadOnlySpan<byte> line)
    {
        _routing = true;
        if (shards <= 0 || !StreamEnvelope.TrySplit(line, out var parts, out _))
        {
            Add(_keys[0], type, ts, payload, id);
            return;
        }

        ShardRouter.Route(parts, shards, _targets, out var newsSymbols);
        foreach (var k in _targets)
        {
            var value = newsSymbols is not null && newsSymbols.TryGetValue(k, out var symbols) ? (RedisValue)NarrowSymbols(line[parts.Payload], symbols) : payload;
            Add(_keys[k], type, ts, value, id);
        }
    }

    /// <summary>Entries not added because their id was already there (re-routed after a crash).</summary>
    public long AlreadyPresent { get; private set; }

    /// <summary>Waits for every queued XADD (throws when one failed, except for ids already present).</summary>
    public void Drain()
    {
        if (_inFlight.Count == 0)
        {
            return;
        }

        try
        {
            Task.WaitAll(_inFlight);
        }
        catch (AggregateException ex)
        {
            foreach (var inner in ex.InnerExceptions)
            {
                if (_routing && inner is RedisServerException server && server.Message.Contains("equal or smaller", StringComparison.Ordinal))
                {
                    AlreadyPresent++;
                    continue;
                }

                _inFlight.Clear();
                throw inner;
            }
        }

        _inFlight.Clear();
    }

    private void Add(RedisKey key, RedisValue type, RedisValue ts, RedisValue payload, RedisValue? id = null)
    {
        _entries++;
        _inFlight.Add(db.StreamAddAsync(key, [new NameValueEntry(TypeField, type), new NameValueEntry(TsField, ts), new NameValueEntry(PayloadField, payload)], messageId: id, maxLength: maxLen, useApproximateMaxLength: true));
        if (_inFlight.Count >= Window)
        {
            Drain();
        }
    }

    /// <summary>
    /// Sharded publishing numbers the events itself (<c>&lt;ms&gt;-&lt;seq&gt;</c>, increasing in input order, the same
    /// id for every copy of one event), so a brain merging several shards by id sees the input order. It starts above
    /// the newest id already in any shard, as Redis requires.
    /// </summary>
    private EntryId NextId()
    {
        if (_lastId is null)
        {
            var newest = default(EntryId);
            foreach (var key in _keys)
            {
                foreach (var e in db.StreamRange(key, "-", "+", 1, Order.Descending))
                {
                    var id = EntryId.Parse(e.Id);
                    newest = id > newest ? id : newest;
                }
            }

            _lastId = newest;
        }

        var next = _lastId.Value.Next((time ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds());
        _lastId = next;
        return next;
    }

    /// <summary>The news payload with <c>symbols</c> replaced by one shard's symbols (every other field kept).</summary>
    internal static byte[] NarrowSymbols(ReadOnlySpan<byte> payload, List<string> symbols)
    {
        var node = JsonNode.Parse(payload)!.AsObject();
        var array = new JsonArray();
        foreach (var s in symbols)
        {
            array.Add(s);
        }

        node["symbols"] = array;
        return Encoding.UTF8.GetBytes(node.ToJsonString(JsonOptions));
    }
}
