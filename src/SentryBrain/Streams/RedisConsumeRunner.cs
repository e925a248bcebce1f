using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Engine.News;
using SentryBrain.Execution;
using SentryBrain.Journal;
using SentryBrain.Learning;
using SentryBrain.Screening;
using SentryBrain.Signals.Sentiment;
using StackExchange.Redis;

namespace SentryBrain.Streams;

/// <summary>Options of <c>./brain consume --redis</c> beyond <see cref="RedisSettings"/>.</summary>
public sealed record RedisConsumeOptions
{
    public required RedisSettings Settings { get; init; }

    /// <summary>Shards owned (<c>--shards 0,2</c>); null = the unsharded stream itself (unless <see cref="AutoShards"/>).</summary>
    public IReadOnlyList<int>? Shards { get; init; }

    /// <summary>Shard count for automatic assignment through Redis leases (<c>--auto-shards N</c>); 0 = off.</summary>
    public int AutoShards { get; init; }

    /// <summary>Create a missing group at 0 (the whole stream) instead of $ (new entries only).</summary>
    public bool FromStart { get; init; }

    /// <summary>End (with the summary) once no entry arrived for this long; null = run until cancelled.</summary>
    public TimeSpan? IdleExit { get; init; }

    /// <summary>Give up (<see cref="RedisUnreachableException"/>, after the summary) once Redis has been unreachable this long; null = retry forever.</summary>
    public TimeSpan? GiveUpAfter { get; init; }

    /// <summary>Entries read per stream per XREADGROUP.</summary>
    public int BatchSize { get; init; } = 2000;

    /// <summary>Write a <c>{"kind":"entry"}</c> journal line per consumed entry (audits, tests).</summary>
    public bool JournalEntries { get; init; }
}

/// <summary>
/// <c>./brain consume --redis</c>: the same engine as the stdin path, fed from Redis stream entries through a
/// consumer group. Delivery is at least once and acknowledgement follows the effects:
/// <list type="number">
/// <item>On start the consumer re-processes its own pending entries (XREADGROUP from 0), then claims entries idle
/// longer than REDIS_CLAIM_IDLE_MS from other (dead) consumers (XAUTOCLAIM), and keeps claiming periodically.</item>
/// <item>New entries (XREADGROUP &gt;) of all owned shard streams are merged by entry id. <c>route</c> keeps the
/// engine's ids and <c>publish --shards</c> numbers events in input order, so an instance owning several shards sees
/// the events in the order a single stdin consumer would.</item>
/// <item>After each batch the journal is flushed (order intents are already in the broker's SQLite store, written
/// before an order is sent); bad entries go to <c>&lt;stream&gt;:dead</c>; only then are the entries XACKed.</item>
/// </list>
/// A crash between effects and XACK re-delivers the entry: the journal may repeat its decision lines, and the broker's
/// client order id (a function of event time, symbol and side) keeps the order from being sent twice.
/// Redis failures (restart, network) are retried with a capped back-off; nothing read is dropped.
/// Journal error lines: <c>line</c> is the entry's 1-based ordinal in this run, and the error text names the stream
/// and entry id.
/// This file is over 500 lines on purpose: claim, read, merge, process, dead-letter and acknowledge are one state
/// machine over shared pending buffers, and the at-least-once argument above is easiest to check in one place.
/// </summary>
public sealed class RedisConsumeRunner : IDisposable
{
    // Byte names: comparing with the byte values Redis returns is then a plain memory compare (no UTF-8 encoding).
    private static readonly RedisValue TypeField = "type"u8.ToArray();
    private static readonly RedisValue TsField = "ts"u8.ToArray();
    private static readonly RedisValue PayloadField = "payload"u8.ToArray();
    private static readonly TimeSpan MaxPollDelay = TimeSpan.FromMilliseconds(20);

    private readonly RedisConsumeOptions _options;
    private readonly RedisSettings _settings;
    private readonly IConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly JournalWriter _journal;
    private readonly BrainEngine _engine;
    private readonly ConsumerDiscovery? _discovery;
    private readonly List<IDisposable> _learning = [];
    private readonly StreamEnvelope.LineBuilder _builder = new();
    private readonly List<ShardStream> _streams = [];
    private readonly List<DeadLetter> _dead = [];
    private readonly Backoff _backoff = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));
    private readonly ShardLeases? _leases;
    private readonly string _consumer;
    private ShardStream? _currentStream;
    private RedisValue _currentId;
    private NameValueEntry[] _currentValues = [];
    private long _processedSinceFlush;
    private long _entries;
    private long _claimed;
    private long _deadLettered;
    private long _lastArrival;
    private long _lastClaim;
    private long _lastLeaseRefresh;
    private long _outageStart;
    private RunSummary? _summary;
    private bool _recheckOwnPending;
    private (ShardStream[] Streams, Task<RedisStream[]> Read)? _prefetch;
    private readonly List<(ShardStream Stream, RedisValue[] Ids, Task<long> Ack)> _acks = [];

    private RedisConsumeRunner(RedisConsumeOptions options, IConnectionMultiplexer redis, Stream output, BrainConfig config, ILogger logger, TimeProvider time, Func<DateTime, IBroker?>? brokerFactory, ISentimentModel? sentiment)
    {
        _options = options;
        _settings = options.Settings;
        _redis = redis;
        _db = redis.GetDatabase();
        _logger = logger;
        _time = time;
        _consumer = _settings.ConsumerName();
        _journal = new JournalWriter(output);
        // A consumer group continues where the group stands, it never replays the past: re-processed (pending or
        // claimed) entries are older than the ledger's last event by nature, so the ledger is never archived here.
        brokerFactory ??= _ => ConsumeRunner.OpenDefaultBroker(config, DateTime.MaxValue, logger);
        // Live: a slow model's news scores count when they arrive (SENTIMENT_WAIT=auto does not wait here).
        var parts = LearningParts.Add(EngineParts.FromConfig(config, logger), config, logger, time, _learning) with
        {
            Sentiment = sentiment ?? VaderSentimentModel.Default,
            WaitForSentiment = NewsIntake.ShouldWait(config.Sentiment, replay: false),
        };
        _engine = new BrainEngine(config, brokerFactory, _journal, logger, parts, time)
        {
            LineContext = () => $"redis entry {_currentId} of {_currentStream?.Name}",
            // A line held back by the clock rule may be rejected while a later entry is current: dead-letter the held entry.
            HeldLineOrigin = () => new DeadLetter(_currentStream!, _currentId, string.Empty, _currentValues),
            LineRejected = (_, reason) => _dead.Add(_engine!.RejectedLineOrigin is DeadLetter held
                ? held with { Reason = reason }
                : new DeadLetter(_currentStream!, _currentId, reason, _currentValues)),
            // Account-wide halts and the daily buy budget are shared by every brain of the group.
            SharedLimits = new RedisAccountLimits(_db, $"{_settings.Stream}:account:{_settings.Group}", time),
            AccountDailyBuyLimit = _settings.AccountDailyBuyLimit,
        };
        // Every consumer of a group screens for its own ACTIVE_SYMBOLS_FILE: shards may run on different machines.
        _discovery = ConsumerDiscovery.Start(config, parts.Watchlist, logger, time);
        if (options.AutoShards > 0)
        {
            _leases = new ShardLeases(_db, _settings.Stream, _settings.Group, _consumer, options.AutoShards, TimeSpan.FromMilliseconds(_settings.LeaseMs), time);
        }
        else if (options.Shards is { Count: > 0 } shards)
        {
            foreach (var k in shards)
            {
                _streams.Add(new ShardStream(ShardRouter.ShardStream(_settings.Stream, k), k));
            }
        }
        else
        {
            _streams.Add(new ShardStream(_settings.Stream, -1));
        }
    }

    public sealed record Result(RunSummary Summary, double WallSeconds, IBroker? Broker, long Entries, long Claimed, long DeadLettered);

    /// <summary>
    /// Runs until cancelled or idle for <see cref="RedisConsumeOptions.IdleExit"/>; writes the journal and the summary to
    /// <paramref name="output"/>. News is scored by <paramref name="sentiment"/> (loaded and disposed by the caller; default VADER).
    /// </summary>
    public static Result Run(RedisConsumeOptions options, IConnectionMultiplexer redis, Stream output, BrainConfig config, ILogger logger, TimeProvider? time = null, Func<DateTime, IBroker?>? brokerFactory = null, ISentimentModel? sentiment = null, CancellationToken cancel = default)
    {
        using var runner = new RedisConsumeRunner(options, redis, output, config, logger, time ?? TimeProvider.System, brokerFactory, sentiment);
        return runner.Execute(cancel);
    }

    public void Dispose()
    {
        _discovery?.Dispose();
        _engine.Dispose();
        new DisposeAll(_learning).Dispose();
        _journal.Dispose();
    }

    private Result Execute(CancellationToken cancel)
    {
        try
        {
            return Consume(cancel);
        }
        catch (RedisUnreachableException)
        {
            // Batch run, Redis gone for good: what was processed is persisted and summed up; unacknowledged entries
            // stay pending in Redis and are delivered again to the next run.
            _summary ??= _engine.Finish();
            _engine.Broker?.Dispose();
            throw;
        }
    }

    private Result Consume(CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        _lastArrival = _time.GetTimestamp();
        Retry(RefreshLeases, cancel);
        Retry(EnsureGroups, cancel);
        _logger.LogInformation("Consuming {Streams} as {Consumer} in group {Group}", string.Join(", ", _streams.Select(s => s.Name)), _consumer, _settings.Group);
        foreach (var stream in _streams.ToArray())
        {
            Retry(() => ProcessOwnPending(stream, cancel), cancel);
        }

        Retry(ClaimIdle, cancel);
        var delay = TimeSpan.FromMilliseconds(1);
        while (!cancel.IsCancellationRequested)
        {
            var progressed = false;
            try
            {
                Acknowledge();
                if (_leases is not null && _time.GetElapsedTime(_lastLeaseRefresh) >= TimeSpan.FromMilliseconds(_settings.LeaseMs / 3.0))
                {
                    RefreshLeases();
                    EnsureGroups();
                }

                if (_time.GetElapsedTime(_lastClaim) >= TimeSpan.FromMilliseconds(Math.Max(_settings.ClaimIdleMs / 2, 500)))
                {
                    progressed |= ClaimIdle();
                }

                if (_recheckOwnPending)
                {
                    RecheckOwnPending();
                }

                progressed |= ReadNew();
                progressed |= ProcessMerged();
                Acknowledge();
                _backoff.Reset();
                _outageStart = 0;
            }
            catch (Exception ex) when (RedisConnection.IsTransient(ex) || IsNoGroup(ex))
            {
                OnRedisFailure(ex, cancel);
                continue;
            }

            if (progressed)
            {
                delay = TimeSpan.FromMilliseconds(1);
                continue;
            }

            if (_options.IdleExit is { } idle && _time.GetElapsedTime(_lastArrival) >= idle && _streams.All(s => s.Buffer.Count == 0))
            {
                _logger.LogInformation("No new entry for {Idle} s: finishing", idle.TotalSeconds);
                break;
            }

            // StackExchange.Redis has no blocking XREADGROUP (it would stall the multiplexer): poll with a short back-off.
            cancel.WaitHandle.WaitOne(delay);
            delay = TimeSpan.FromTicks(Math.Min(MaxPollDelay.Ticks, delay.Ticks * 2));
        }

        // Entries read but not yet processed (cancelled mid-merge, or prefetched) are processed now.
        Retry(CompletePrefetch, CancellationToken.None, attempts: 20);
        foreach (var s in _streams)
        {
            s.Drained = true;
        }

        ProcessMerged();
        _discovery?.Dispose();
        var summary = _summary = _engine.Finish();
        FlushEffects(); // lines the clock rule held to the end are rejected by Finish: their dead letters
        Retry(AcknowledgeAll, CancellationToken.None, attempts: 20);
        _leases?.ReleaseAll();
        var wall = clock.Elapsed.TotalSeconds;
        _logger.LogInformation(
            "Consumed {Entries} Redis entries ({Claimed} claimed from other consumers, {Dead} dead-lettered) in {Wall:0.000} s: {Rate} entries/s; {Decisions} decisions, {Orders} orders, {Fills} fills",
            _entries, _claimed, _deadLettered, wall, (_entries / Math.Max(wall, 1e-9)).ToString("N0", CultureInfo.InvariantCulture), summary.Decisions, summary.Orders, summary.Fills);
        return new Result(summary, wall, _engine.Broker, _entries, _claimed, _deadLettered);
    }

    private static bool IsNoGroup(Exception ex) => ex is RedisServerException && ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal);

    private void OnRedisFailure(Exception ex, CancellationToken cancel)
    {
        _recheckOwnPending = true;
        if (_prefetch is { } lost)
        {
            // Its answer may never come; entries Redis delivered anyway are found again by RecheckOwnPending.
            _ = lost.Read.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            _prefetch = null;
        }

        if (_outageStart == 0)
        {
            _outageStart = _time.GetTimestamp();
        }

        if (_options.GiveUpAfter is { } limit && _time.GetElapsedTime(_outageStart) >= limit)
        {
            throw new RedisUnreachableException(RedisConnector.GiveUpMessage(RedisConnection.Describe(_redis.GetEndPoints()), ex.GetType().Name + ": " + ex.Message, limit));
        }

        var wait = _backoff.Next();
        _logger.LogWarning("Redis unavailable ({Error}); attempt {Attempt} failed, next attempt in {Wait:0.0} s, nothing is lost", ex.Message, _backoff.Failures, wait.TotalSeconds);

        if (IsNoGroup(ex))
        {
            // Redis came back without our group (restarted without persistence): recreate it at 0 so nothing published since is skipped.
            foreach (var s in _streams)
            {
                s.GroupReady = false;
            }

            TryRun(() => EnsureGroups(fromStartOverride: true));
        }

        cancel.WaitHandle.WaitOne(wait);
        _lastArrival = _time.GetTimestamp(); // an outage is not idleness
    }

    private void Retry(Action action, CancellationToken cancel, int attempts = int.MaxValue) => Retry(() =>
    {
        action();
        return true;
    }, cancel, attempts);

    private void Retry(Func<bool> action, CancellationToken cancel, int attempts = int.MaxValue)
    {
        for (var i = 0; i < attempts; i++)
        {
            try
            {
                action();
                _backoff.Reset();
                _outageStart = 0;
                return;
            }
            catch (Exception ex) when (RedisConnection.IsTransient(ex) || IsNoGroup(ex))
            {
                if (cancel.IsCancellationRequested && i > 0)
                {
                    throw;
                }

                OnRedisFailure(ex, cancel);
            }
        }
    }

    private void TryRun(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (RedisConnection.IsTransient(ex))
        {
            _logger.LogDebug("Redis still unavailable: {Error}", ex.Message);
        }
    }

    private void EnsureGroups() => EnsureGroups(fromStartOverride: false);

    private void EnsureGroups(bool fromStartOverride)
    {
        foreach (var s in _streams)
        {
            if (s.GroupReady)
            {
                continue;
            }

            try
            {
                _db.StreamCreateConsumerGroup(s.Name, _settings.Group, _options.FromStart || fromStartOverride ? "0-0" : "$", createStream: true);
                _logger.LogInformation("Created consumer group {Group} on {Stream} at {Position}", _settings.Group, s.Name, _options.FromStart || fromStartOverride ? "0" : "$");
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
                // The group exists: another brain (or an earlier run) created it.
            }

            s.GroupReady = true;
        }
    }

    private void RefreshLeases()
    {
        if (_leases is null)
        {
            return;
        }

        _lastLeaseRefresh = _time.GetTimestamp();
        var owned = _leases.Refresh(BeforeRelease);
        foreach (var lost in _streams.Where(s => !owned.Contains(s.Shard)).ToArray())
        {
            // The lease expired under us (we stalled longer than REDIS_LEASE_MS) and another brain may hold it now.
            // What we already read is delivered to us alone: process it rather than leave it pending until a claim.
            _logger.LogWarning("Lost the lease of shard {Shard} (stalled longer than REDIS_LEASE_MS); finishing what was read from it", lost.Shard);
            CompletePrefetch();
            while (lost.Buffer.Count > 0)
            {
                Process(lost.Buffer.Dequeue());
            }

            FlushEffects();
            AcknowledgeAll();
            _streams.Remove(lost);
        }

        foreach (var k in owned)
        {
            if (!_streams.Any(s => s.Shard == k))
            {
                var stream = new ShardStream(ShardRouter.ShardStream(_settings.Stream, k), k);
                _streams.Add(stream);
                _logger.LogInformation("Took the lease of shard {Shard}", k);
                _lastClaim = 0; // claim what its last holder left pending right away
            }
        }
    }

    /// <summary>Before a shard's lease is given up: process what was read from it and acknowledge, so the next holder starts clean.</summary>
    private void BeforeRelease(int shard)
    {
        if (_streams.FirstOrDefault(s => s.Shard == shard) is not { } stream)
        {
            return;
        }

        CompletePrefetch();
        while (stream.Buffer.Count > 0)
        {
            Process(stream.Buffer.Dequeue());
        }

        FlushEffects();
        AcknowledgeAll();
        _streams.Remove(stream);
        _logger.LogInformation("Released shard {Shard} (fair share among live brains)", shard);
    }

    /// <summary>
    /// After a failure, an XREADGROUP may have been executed by Redis while its answer was lost: those entries are
    /// pending for us but were never seen. Re-read our pending list and process what we do not hold already.
    /// </summary>
    private void RecheckOwnPending()
    {
        foreach (var stream in _streams.ToArray())
        {
            ProcessOwnPending(stream, CancellationToken.None);
        }

        _recheckOwnPending = false;
    }

    /// <summary>Processes this consumer's pending entries that it does not hold already (buffered, or processed and awaiting XACK).</summary>
    private void ProcessOwnPending(ShardStream stream, CancellationToken cancel)
    {
        var skip = new HashSet<RedisValue>(stream.ToAck);
        foreach (var ack in _acks.Where(a => a.Stream == stream))
        {
            skip.UnionWith(ack.Ids); // acknowledged a moment ago, answer not in yet
        }
        foreach (var p in stream.Buffer)
        {
            skip.Add(p.Entry.Id);
        }

        var from = (RedisValue)"0-0";
        var count = 0;
        while (!cancel.IsCancellationRequested)
        {
            var entries = _db.StreamReadGroup(stream.Name, _settings.Group, _consumer, from, _options.BatchSize);
            if (entries.Length == 0)
            {
                break;
            }

            foreach (var entry in entries)
            {
                from = entry.Id;
                if (!skip.Add(entry.Id))
                {
                    continue;
                }

                if (entry.IsNull)
                {
                    _logger.LogError("Pending entry {Id} of {Stream} was trimmed before it was processed", entry.Id, stream.Name);
                    stream.ToAck.Add(entry.Id);
                    continue;
                }

                count++;
                Process(new Pending(stream, entry, default));
            }

            FlushEffects();
            Acknowledge();
        }

        if (count > 0)
        {
            _logger.LogWarning("Re-processed {Count} own pending entries of {Stream} (left by an earlier run of {Consumer})", count, stream.Name, _consumer);
        }
    }

    /// <summary>XAUTOCLAIM entries idle longer than REDIS_CLAIM_IDLE_MS (their consumer died) and processes them.</summary>
    private bool ClaimIdle()
    {
        _lastClaim = _time.GetTimestamp();
        var any = false;
        foreach (var stream in _streams.ToArray())
        {
            var start = (RedisValue)"0-0";
            while (true)
            {
                var result = _db.StreamAutoClaim(stream.Name, _settings.Group, _consumer, _settings.ClaimIdleMs, start, _options.BatchSize);
                foreach (var id in result.DeletedIds)
                {
                    // Trimmed away (MAXLEN) before anyone processed it: cannot be recovered, say so loudly.
                    _logger.LogError("Pending entry {Id} of {Stream} was trimmed before it was processed", id, stream.Name);
                    stream.ToAck.Add(id);
                }

                foreach (var entry in result.ClaimedEntries)
                {
                    if (entry.IsNull)
                    {
                        continue;
                    }

                    any = true;
                    _claimed++;
                    Process(new Pending(stream, entry, default));
                }

                if (result.ClaimedEntries.Length > 0)
                {
                    _logger.LogWarning("Claimed {Count} entries of {Stream} idle > {Idle} ms from other consumers", result.ClaimedEntries.Length, stream.Name, _settings.ClaimIdleMs);
                    FlushEffects();
                    Acknowledge();
                    _lastArrival = _time.GetTimestamp();
                }

                start = result.NextStartId;
                if (start.IsNull || start == "0-0")
                {
                    break;
                }
            }
        }

        return any;
    }

    /// <summary>
    /// XREADGROUP &gt; on the owned streams (one round trip for all of them). While a batch is processed the next one
    /// is already on its way (prefetch), so Redis, the network and the client's parsing overlap with the engine.
    /// </summary>
    private bool ReadNew()
    {
        RedisStream[] results;
        ShardStream[] wanted;
        if (_prefetch is { } prefetch)
        {
            (wanted, var task) = prefetch;
            _prefetch = null;
            results = task.GetAwaiter().GetResult();
        }
        else
        {
            wanted = [.. _streams.Where(s => s.Buffer.Count == 0)];
            if (wanted.Length == 0)
            {
                return false;
            }

            results = _db.StreamReadGroup(Positions(wanted), _settings.Group, _consumer, _options.BatchSize);
        }

        var any = Enqueue(wanted, results);
        var more = wanted.Where(s => !s.Drained && _streams.Contains(s)).ToArray();
        if (more.Length > 0)
        {
            _prefetch = (more, _db.StreamReadGroupAsync(Positions(more), _settings.Group, _consumer, _options.BatchSize));
        }

        if (any)
        {
            _lastArrival = _time.GetTimestamp();
        }

        return any;
    }

    /// <summary>Takes in a prefetched batch still in flight (before a shard is released, or at the end).</summary>
    private void CompletePrefetch()
    {
        if (_prefetch is { } prefetch)
        {
            _prefetch = null;
            Enqueue(prefetch.Streams, prefetch.Read.GetAwaiter().GetResult());
        }
    }

    private static StreamPosition[] Positions(ShardStream[] streams) => [.. streams.Select(s => new StreamPosition(s.Name, StreamPosition.NewMessages))];

    private bool Enqueue(ShardStream[] wanted, RedisStream[] results)
    {
        var any = false;
        foreach (var stream in wanted)
        {
            stream.Drained = true;
        }

        foreach (var result in results)
        {
            var stream = wanted.First(s => s.Name == result.Key);
            foreach (var entry in result.Entries)
            {
                stream.Buffer.Enqueue(new Pending(stream, entry, EntryId.Parse(entry.Id)));
            }

            stream.Drained = result.Entries.Length < _options.BatchSize;
            any |= result.Entries.Length > 0;
        }

        return any;
    }

    /// <summary>
    /// Processes buffered entries in entry-id order across streams (the feed's order). An entry is taken only when
    /// every other stream either has a later entry buffered or had nothing more to give at its last read, so a burst
    /// on one shard cannot run the clock ahead of another's.
    /// </summary>
    private bool ProcessMerged()
    {
        var any = false;
        while (true)
        {
            ShardStream? next = null;
            var blocked = false;
            foreach (var s in _streams)
            {
                if (s.Buffer.Count == 0)
                {
                    blocked |= !s.Drained;
                    continue;
                }

                if (next is null || s.Buffer.Peek().Order < next.Buffer.Peek().Order)
                {
                    next = s;
                }
            }

            if (next is null || blocked)
            {
                break;
            }

            Process(next.Buffer.Dequeue());
            any = true;
            if (_processedSinceFlush >= _options.BatchSize)
            {
                FlushEffects();
                Acknowledge();
            }
        }

        FlushEffects();
        return any;
    }

    private void Process(Pending pending)
    {
        var entry = pending.Entry;
        _currentStream = pending.Stream;
        _currentId = entry.Id;
        _currentValues = entry.Values;
        _entries++;
        _processedSinceFlush++;
        var type = Field(entry, TypeField, 0);
        var ts = Field(entry, TsField, 1);
        var payload = Field(entry, PayloadField, 2);
        var line = _builder.Build(AsBytes(type), !type.IsNull, AsBytes(ts), !ts.IsNull, AsBytes(payload), !payload.IsNull);
        try
        {
            _engine.ProcessLine(line);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not Microsoft.Data.Sqlite.SqliteException and not BrokerStartException)
        {
            // As on stdin: a bug must not stop the brain; the entry is journaled, dead-lettered and acknowledged.
            _engine.ReportInternalError(ex);
            _dead.Add(new DeadLetter(pending.Stream, entry.Id, "internal error: " + ex.GetType().Name + ": " + ex.Message, entry.Values));
            _logger.LogError(ex, "Internal error on entry {Id} of {Stream}; continuing", entry.Id, pending.Stream.Name);
        }

        if (_options.JournalEntries)
        {
            _journal.Entry(pending.Stream.Name, entry.Id.ToString());
        }

        pending.Stream.ToAck.Add(entry.Id);
    }

    /// <summary>Makes the processed entries' effects durable: journal flushed, dead letters written.</summary>
    private void FlushEffects()
    {
        if (_processedSinceFlush == 0 && _dead.Count == 0)
        {
            return;
        }

        _journal.Flush();
        _processedSinceFlush = 0;
        if (_dead.Count > 0)
        {
            WriteDeadLetters();
        }
    }

    private void WriteDeadLetters()
    {
        var tasks = new List<Task>(_dead.Count);
        foreach (var dead in _dead)
        {
            // The original fields, plus where it came from and why it was rejected.
            var fields = new List<NameValueEntry>(dead.Values.Length + 3);
            fields.AddRange(dead.Values);
            fields.Add(new NameValueEntry("source_stream", dead.Stream.Name));
            fields.Add(new NameValueEntry("source_id", dead.Id));
            fields.Add(new NameValueEntry("reason", dead.Reason));
            tasks.Add(_db.StreamAddAsync(ShardRouter.DeadLetterStream(dead.Stream.Name), [.. fields], maxLength: _settings.StreamMaxLen, useApproximateMaxLength: true));
        }

        Task.WaitAll(tasks);
        _deadLettered += _dead.Count;
        _dead.Clear();
    }

    /// <summary>
    /// XACK everything whose effects are durable: one command per stream, sent without waiting for the answer (the
    /// next batch is processed meanwhile). A failed XACK puts its ids back for a retry; the end of the run waits for all.
    /// </summary>
    private void Acknowledge()
    {
        if (_processedSinceFlush > 0 || _dead.Count > 0)
        {
            return; // effects not durable yet
        }

        HarvestAcks(wait: false);
        foreach (var s in _streams)
        {
            if (s.ToAck.Count == 0)
            {
                continue;
            }

            RedisValue[] ids = [.. s.ToAck];
            s.ToAck.Clear();
            _acks.Add((s, ids, _db.StreamAcknowledgeAsync(s.Name, _settings.Group, ids)));
        }
    }

    /// <summary>Checks the XACKs in flight; failed ones go back to their stream's list (and the failure is rethrown for the retry logic).</summary>
    private void HarvestAcks(bool wait)
    {
        Exception? failure = null;
        for (var i = _acks.Count - 1; i >= 0; i--)
        {
            var (stream, ids, task) = _acks[i];
            if (!task.IsCompleted && !wait)
            {
                continue;
            }

            try
            {
                task.GetAwaiter().GetResult();
            }
            catch (Exception ex) when (RedisConnection.IsTransient(ex) || ex is RedisException)
            {
                stream.ToAck.AddRange(ids);
                failure ??= ex;
            }

            _acks.RemoveAt(i);
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    /// <summary>Sends the remaining XACKs and waits for every answer.</summary>
    private void AcknowledgeAll()
    {
        Acknowledge();
        HarvestAcks(wait: true);
        if (_streams.Any(s => s.ToAck.Count > 0))
        {
            Acknowledge();
            HarvestAcks(wait: true);
        }
    }

    /// <summary>A field of an entry; the engine writes type, ts, payload in this order, so the usual place is tried first.</summary>
    private static RedisValue Field(StreamEntry entry, RedisValue name, int usual)
    {
        var values = entry.Values;
        if (values is null)
        {
            return RedisValue.Null;
        }

        if (usual < values.Length && values[usual].Name == name)
        {
            return values[usual].Value;
        }

        foreach (var v in values)
        {
            if (v.Name == name)
            {
                return v.Value;
            }
        }

        return RedisValue.Null;
    }

    private static ReadOnlySpan<byte> AsBytes(RedisValue value) => value.IsNull ? default : ((ReadOnlyMemory<byte>)value).Span;

    private sealed class ShardStream(string name, int shard)
    {
        public string Name { get; } = name;

        public int Shard { get; } = shard;

        public Queue<Pending> Buffer { get; } = new();

        public List<RedisValue> ToAck { get; } = [];

        public bool Drained { get; set; } = true;

        public bool GroupReady { get; set; }
    }

    private readonly record struct Pending(ShardStream Stream, StreamEntry Entry, EntryId Order);

    private sealed record DeadLetter(ShardStream Stream, RedisValue Id, string Reason, NameValueEntry[] Values);
}
