using System.Globalization;
using SentryBrain.Rules;
using StackExchange.Redis;

namespace SentryBrain.Streams;

/// <summary>
/// <see cref="ISharedAccountLimits"/> in Redis keys, so brains on several machines share one account's rules.
/// The buy budget is checked and incremented in one Lua script (Redis runs a script atomically), so two brains
/// reserving at the same moment cannot both pass a limit that only one fits under. Keys expire after three days.
/// <c>&lt;prefix&gt;:spent:&lt;date&gt;</c> holds the day's reserved notional, <c>&lt;prefix&gt;:halt:&lt;date&gt;</c> the first halt reason.
/// </summary>
public sealed class RedisAccountLimits(IDatabase db, string prefix, TimeProvider time) : ISharedAccountLimits
{
    /// <summary>How long a "no halt" answer is trusted before Redis is asked again.</summary>
    public static readonly TimeSpan HaltRefresh = TimeSpan.FromMilliseconds(250);

    private DateOnly _haltDate;
    private string? _halt;
    private long _haltCheckedAt;

    private const string ReserveScript = """
        local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
        local add = tonumber(ARGV[1])
        if spent + add > tonumber(ARGV[2]) then return 0 end
        redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    private static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(3);

    public bool TryReserveBuy(DateOnly tradingDate, double notional, double limit)
    {
        if (!(notional >= 0) || !double.IsFinite(limit))
        {
            return false;
        }

        try
        {
            var result = db.ScriptEvaluate(ReserveScript, [Key("spent", tradingDate)],
                [notional.ToString("R", CultureInfo.InvariantCulture), limit.ToString("R", CultureInfo.InvariantCulture), (long)KeyLifetime.TotalMilliseconds]);
            return (long)result == 1;
        }
        catch (RedisException)
        {
            return false; // fail closed: no shared budget, no buy
        }
    }

    public double Spent(DateOnly tradingDate) => (double?)db.StringGet(Key("spent", tradingDate)) ?? 0;

    public void Halt(DateOnly tradingDate, string reason)
    {
        try
        {
            db.StringSet(Key("halt", tradingDate), reason, KeyLifetime, When.NotExists);
            _haltCheckedAt = 0; // read the winning reason back at the next check
        }
        catch (RedisException)
        {
            // This brain's own latch still holds; the others learn it once Redis is back (the next latch change).
        }
    }

    /// <summary>
    /// The halt of the date, read from Redis at most every <see cref="HaltRefresh"/> (a buy decision can come on every
    /// event; a halt latched by another brain is seen within that time). A halt, once seen, holds for the date.
    /// </summary>
    public string? HaltReason(DateOnly tradingDate)
    {
        if (_haltDate == tradingDate && (_halt is not null || time.GetElapsedTime(_haltCheckedAt) < HaltRefresh))
        {
            return _halt;
        }

        try
        {
            _halt = db.StringGet(Key("halt", tradingDate));
            _haltDate = tradingDate;
            _haltCheckedAt = time.GetTimestamp();
            return _halt;
        }
        catch (RedisException)
        {
            return "account limits unavailable (Redis)"; // fail closed: exits go on, new buys wait
        }
    }

    private RedisKey Key(string what, DateOnly date) => $"{prefix}:{what}:{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
}
