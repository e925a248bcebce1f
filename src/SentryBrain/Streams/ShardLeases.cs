using StackExchange.Redis;

namespace SentryBrain.Streams;

/// <summary>
/// Automatic shard assignment (<c>consume --auto-shards N</c>): each shard has a lease key
/// <c>&lt;stream&gt;:lease:&lt;group&gt;:&lt;k&gt;</c> holding the owner's consumer name, taken with SET NX PX and
/// renewed (only by its holder, atomically in Lua) every third of the lease time. A brain that dies stops renewing,
/// its leases expire and live brains take them over. Live brains announce themselves in a sorted set
/// (<c>…:members</c>, score = last heartbeat), so each aims at a fair share ⌈N / live⌉ and gives up extra shards
/// when a new brain joins.
/// </summary>
public sealed class ShardLeases
{
    // Renew or release only a lease we still hold: a GET then PEXPIRE/DEL from the client could act on a lease that
    // expired and was taken by another brain in between.
    private const string RenewScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
    private const string ReleaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

    private readonly IDatabase _db;
    private readonly string _consumer;
    private readonly int _shards;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _time;
    private readonly string _prefix;
    private readonly RedisKey _members;
    private readonly SortedSet<int> _owned = [];

    public ShardLeases(IDatabase db, string stream, string group, string consumer, int shards, TimeSpan lease, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        _db = db;
        _consumer = consumer;
        _shards = shards;
        _lease = lease;
        _time = time;
        _prefix = $"{stream}:lease:{group}:";
        _members = $"{stream}:lease:{group}:members";
    }

    public IReadOnlyCollection<int> Owned => _owned;

    public RedisKey LeaseKey(int shard) => _prefix + shard.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Fair share of <paramref name="shards"/> among <paramref name="live"/> brains.</summary>
    public static int FairShare(int shards, int live) => (shards + Math.Max(live, 1) - 1) / Math.Max(live, 1);

    /// <summary>
    /// Heartbeat, renew held leases, give up shards above the fair share (after <paramref name="beforeRelease"/> let the
    /// caller finish them), and take free ones up to it. Returns the shards held now.
    /// </summary>
    public IReadOnlyCollection<int> Refresh(Action<int>? beforeRelease = null)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var ms = (long)_lease.TotalMilliseconds;
        _db.SortedSetAdd(_members, _consumer, now);
        _db.SortedSetRemoveRangeByScore(_members, double.NegativeInfinity, now - ms);
        var live = (int)_db.SortedSetLength(_members);
        foreach (var k in _owned.ToArray())
        {
            if ((long)_db.ScriptEvaluate(RenewScript, [LeaseKey(k)], [_consumer, ms]) == 0)
            {
                _owned.Remove(k); // expired and taken by another brain (we stalled longer than the lease)
            }
        }

        var target = FairShare(_shards, live);
        while (_owned.Count > target)
        {
            var k = _owned.Max;
            beforeRelease?.Invoke(k);
            Release(k);
        }

        // Start at a place that depends on the name, so brains starting together do not all race for shard 0.
        var offset = (int)(ShardRouter.Fnv1a32(System.Text.Encoding.UTF8.GetBytes(_consumer)) % (uint)_shards);
        for (var i = 0; i < _shards && _owned.Count < target; i++)
        {
            var k = (offset + i) % _shards;
            if (!_owned.Contains(k) && _db.StringSet(LeaseKey(k), _consumer, _lease, When.NotExists))
            {
                _owned.Add(k);
            }
        }

        return _owned;
    }

    public void ReleaseAll()
    {
        try
        {
            foreach (var k in _owned.ToArray())
            {
                Release(k);
            }

            _db.SortedSetRemove(_members, _consumer);
        }
        catch (RedisException)
        {
            // The leases expire on their own.
        }
    }

    private void Release(int k)
    {
        _db.ScriptEvaluate(ReleaseScript, [LeaseKey(k)], [_consumer]);
        _owned.Remove(k);
    }
}
