using SentryBrain.Config;

namespace SentryBrain.Streams;

/// <summary>
/// Redis stream settings (issue 5). Read with the rest of the configuration so <c>./brain config</c> and
/// docs/CONFIG.md list them; command-line options override them.
/// </summary>
public sealed record RedisSettings
{
    public const string DefaultStream = "market:updates";

    /// <summary><c>redis://[:password@]host:port[/db]</c> or <c>host:port</c>; empty = not configured.</summary>
    public string Url { get; init; } = string.Empty;

    public string Stream { get; init; } = DefaultStream;

    public string Group { get; init; } = "sentrybrain";

    /// <summary>Empty = <c>&lt;host&gt;-&lt;pid&gt;</c>, unique per process.</summary>
    public string Consumer { get; init; } = string.Empty;

    public int ClaimIdleMs { get; init; } = 30_000;

    public long StreamMaxLen { get; init; } = 1_000_000;

    public int LeaseMs { get; init; } = 10_000;

    /// <summary>With <c>--idle-exit</c>: give up (exit 4) once Redis has been unreachable this long; without it the consumer retries forever.</summary>
    public int ConnectTimeoutSec { get; init; } = 30;

    /// <summary>Dollars all brains on the account may buy per trading date, shared through Redis (0 = no limit).</summary>
    public double AccountDailyBuyLimit { get; init; }

    internal static RedisSettings Read(ConfigReader r)
    {
        var d = new RedisSettings();
        var url = r.Url("REDIS_URL", d.Url, "Redis for `consume --redis` and `publish` (redis://[user:password@]host:port or host:port; empty = REDIS_ADDR); a password is shown as ***", allowUserInfo: true);
        var addr = r.Url("REDIS_ADDR", string.Empty, "fallback Redis address when REDIS_URL is empty (host:port)", allowUserInfo: true);
        return new RedisSettings
        {
            Url = url.Length > 0 ? url : addr,
            Stream = r.String("REDIS_STREAM", d.Stream, "Redis stream of market events (shards are STREAM:0 … STREAM:N-1)"),
            Group = r.String("REDIS_GROUP", d.Group, "Redis consumer group of the brains"),
            Consumer = r.String("REDIS_CONSUMER", d.Consumer, "consumer name in the group (empty = host-pid)"),
            ClaimIdleMs = r.Int("REDIS_CLAIM_IDLE_MS", d.ClaimIdleMs, "entries pending longer than this (ms) at another consumer are claimed (XAUTOCLAIM)", min: 100, max: 86_400_000),
            StreamMaxLen = r.Int("REDIS_STREAM_MAXLEN", (int)d.StreamMaxLen, "publish trims each stream to about this many entries (MAXLEN ~)", min: 1000, max: int.MaxValue),
            AccountDailyBuyLimit = r.Double("ACCOUNT_DAILY_BUY_LIMIT", d.AccountDailyBuyLimit, "dollars all brains on the account may buy per trading date, shared through Redis by consume --redis (0 = no limit)", min: 0),
            ConnectTimeoutSec = r.Int("REDIS_CONNECT_TIMEOUT_SEC", d.ConnectTimeoutSec, "consume --redis with --idle-exit gives up (exit 4) once Redis has been unreachable this many seconds, at start or during the run; without --idle-exit it retries forever", min: 1, max: 86_400),
            LeaseMs = r.Int("REDIS_LEASE_MS", d.LeaseMs, "shard lease time (ms) for --auto-shards; renewed every third of it", min: 500, max: 3_600_000),
        };
    }

    /// <summary>The consumer name: REDIS_CONSUMER, else host and process id (unique per running process).</summary>
    public string ConsumerName() => Consumer.Length > 0 ? Consumer : $"{Environment.MachineName}-{Environment.ProcessId}";
}
