using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace SentryBrain.Streams;

/// <summary>
/// <c>./brain route --shards N</c>: reads the Go engine's single stream through its own consumer group
/// (<c>&lt;REDIS_GROUP&gt;-router</c>) and copies each entry to its shard stream under the same id. An entry is
/// acknowledged after its copies are written; a crash re-routes at most the unacknowledged entries, and Redis
/// refuses a copy whose id is already in the shard, so every shard holds each entry once.
/// </summary>
public static class RedisRouter
{
    private static readonly RedisValue TypeField = "type";
    private static readonly RedisValue TsField = "ts";
    private static readonly RedisValue PayloadField = "payload";

    public static long Run(IDatabase db, RedisSettings settings, int shards, bool fromStart, TimeSpan? idleExit, ILogger logger, TimeProvider time, CancellationToken cancel)
    {
        var group = settings.Group + "-router";
        var consumer = settings.ConsumerName();
        var publisher = new RedisPublisher(db, settings.Stream, shards, settings.StreamMaxLen, logger);
        var builder = new StreamEnvelope.LineBuilder();
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));
        var lastArrival = time.GetTimestamp();
        var position = (RedisValue)"0-0"; // own pending first, then new entries
        var delay = TimeSpan.FromMilliseconds(1);
        long routed = 0;
        var groupReady = false;
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                if (!groupReady)
                {
                    try
                    {
                        db.StreamCreateConsumerGroup(settings.Stream, group, fromStart ? "0-0" : "$", createStream: true);
                    }
                    catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
                    {
                    }

                    groupReady = true;
                }

                var entries = db.StreamReadGroup(settings.Stream, group, consumer, position, 2000);
                if (entries.Length == 0)
                {
                    if (position != StreamPosition.NewMessages)
                    {
                        position = StreamPosition.NewMessages;
                        continue;
                    }

                    if (idleExit is { } idle && time.GetElapsedTime(lastArrival) >= idle)
                    {
                        break;
                    }

                    cancel.WaitHandle.WaitOne(delay);
                    delay = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMilliseconds(20).Ticks, delay.Ticks * 2));
                    continue;
                }

                delay = TimeSpan.FromMilliseconds(1);
                lastArrival = time.GetTimestamp();
                var ids = new RedisValue[entries.Length];
                for (var i = 0; i < entries.Length; i++)
                {
                    var e = entries[i];
                    ids[i] = e.Id;
                    if (position != StreamPosition.NewMessages)
                    {
                        position = e.Id;
                    }

                    if (e.IsNull)
                    {
                        continue; // trimmed before it was routed
                    }

                    var type = e[TypeField];
                    var ts = e[TsField];
                    var payload = e[PayloadField];
                    var line = builder.Build(Bytes(type), !type.IsNull, Bytes(ts), !ts.IsNull, Bytes(payload), !payload.IsNull);
                    publisher.PublishFields(e.Id, type, ts, payload, line);
                }

                publisher.Drain();
                db.StreamAcknowledge(settings.Stream, group, ids);
                routed += entries.Length;
                backoff.Reset();
            }
            catch (Exception ex) when (RedisConnection.IsTransient(ex) || (ex is RedisServerException && ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal)))
            {
                groupReady = false;
                logger.LogWarning("Redis unavailable ({Error}); retrying", ex.Message);
                cancel.WaitHandle.WaitOne(backoff.Next());
                lastArrival = time.GetTimestamp();
            }
        }

        return routed;
    }

    private static ReadOnlySpan<byte> Bytes(RedisValue value) => value.IsNull ? default : ((ReadOnlyMemory<byte>)value).Span;
}
