namespace SentryBrain.Rules;

/// <summary>
/// Account-wide rules shared by every brain trading one account (issue 5: N brains over shards, one account).
/// Each brain decides for its own symbols, but the account is one: a halt latched by one brain (daily cap reached,
/// drawdown, market kill switch) stops buys in all of them, and the day's buy budget is one pot that brains draw from
/// atomically, so two brains can never together spend more than the limit. The engine only sees this interface:
/// <see cref="LocalAccountLimits"/> for one process and the tests, <c>Streams.RedisAccountLimits</c> across processes.
/// </summary>
public interface ISharedAccountLimits
{
    /// <summary>
    /// Adds <paramref name="notional"/> to the account's buys of <paramref name="tradingDate"/> if the total stays
    /// within <paramref name="limit"/>; false, with nothing added, otherwise. Atomic across all brains.
    /// </summary>
    bool TryReserveBuy(DateOnly tradingDate, double notional, double limit);

    /// <summary>Latches an account-wide halt of new buys for the date (the first reason is kept).</summary>
    void Halt(DateOnly tradingDate, string reason);

    /// <summary>Why buys are halted account-wide on the date, or null.</summary>
    string? HaltReason(DateOnly tradingDate);
}

/// <summary>The in-process implementation (one brain, or tests): same semantics, no Redis.</summary>
public sealed class LocalAccountLimits : ISharedAccountLimits
{
    private readonly Lock _lock = new();
    private readonly Dictionary<DateOnly, double> _spent = [];
    private readonly Dictionary<DateOnly, string> _halts = [];

    public bool TryReserveBuy(DateOnly tradingDate, double notional, double limit)
    {
        lock (_lock)
        {
            var spent = _spent.GetValueOrDefault(tradingDate);
            if (!(notional >= 0) || spent + notional > limit)
            {
                return false;
            }

            _spent[tradingDate] = spent + notional;
            return true;
        }
    }

    public double Spent(DateOnly tradingDate)
    {
        lock (_lock)
        {
            return _spent.GetValueOrDefault(tradingDate);
        }
    }

    public void Halt(DateOnly tradingDate, string reason)
    {
        lock (_lock)
        {
            _halts.TryAdd(tradingDate, reason);
        }
    }

    public string? HaltReason(DateOnly tradingDate)
    {
        lock (_lock)
        {
            return _halts.GetValueOrDefault(tradingDate);
        }
    }
}
