namespace SentryBrain.Rules;

/// <summary>
/// Halts new buys. A headline scoring at or below the sentiment threshold halts its own symbols; a 1- or
/// 5-minute return at or below the return threshold on any symbol halts the whole market (stress).
/// The reference latched one global switch until restart; here trips re-arm at the New York date change, or
/// <c>KILL_SWITCH_REARM_MIN</c> minutes after they tripped when that is set (except <c>KILL_SWITCH=true</c>, which
/// the operator set and holds for the run). Exits are never blocked.
/// </summary>
public sealed class KillSwitch(double sentimentThreshold, double returnThreshold, bool manual, TimeSpan? rearmAfter = null)
{
    private readonly Dictionary<string, DateTime> _symbols = new(StringComparer.Ordinal);
    private readonly List<string> _expired = [];
    private DateTime _nextExpiry = DateTime.MaxValue;

    public bool Manual { get; } = manual;

    public bool MarketTripped { get; private set; }

    public string? MarketReason { get; private set; }

    public DateTime? MarketTrippedAt { get; private set; }

    public bool IsActive(string symbol) => Manual || MarketTripped || _symbols.ContainsKey(symbol);

    public string? ReasonFor(string symbol)
    {
        if (Manual)
        {
            return "kill_switch_manual";
        }

        if (MarketTripped)
        {
            return "kill_switch_market";
        }

        return _symbols.ContainsKey(symbol) ? "kill_switch_news" : null;
    }

    /// <summary>Returns true when this headline tripped the switch for at least one new symbol.</summary>
    public bool OnNews(double score, IReadOnlyList<string> symbols, DateTime now = default)
    {
        if (score > sentimentThreshold)
        {
            return false;
        }

        var tripped = false;
        foreach (var symbol in symbols)
        {
            if (_symbols.TryAdd(symbol, now))
            {
                tripped = true;
                ScheduleExpiry(now);
            }
        }

        return tripped;
    }

    /// <summary>Returns true when this print tripped the market-wide switch.</summary>
    public bool OnReturns(string symbol, double return1m, double return5m, DateTime now = default)
    {
        if (MarketTripped || (return1m > returnThreshold && return5m > returnThreshold))
        {
            return false;
        }

        MarketTripped = true;
        MarketTrippedAt = now;
        MarketReason = $"{symbol} return_1m={return1m:0.####} return_5m={return5m:0.####}";
        ScheduleExpiry(now);
        return true;
    }

    /// <summary>Symbols halted by news, with the time each tripped.</summary>
    public IReadOnlyDictionary<string, DateTime> TrippedSymbols => _symbols;

    /// <summary>Restores today's trips after a restart.</summary>
    public void Restore(bool marketTripped, string? marketReason, DateTime? marketTrippedAt, IEnumerable<KeyValuePair<string, DateTime>> symbols)
    {
        MarketTripped = marketTripped;
        MarketReason = marketReason;
        MarketTrippedAt = marketTripped ? marketTrippedAt ?? default : null;
        if (marketTripped)
        {
            ScheduleExpiry(MarketTrippedAt!.Value);
        }

        foreach (var (symbol, at) in symbols)
        {
            _symbols[symbol] = at;
            ScheduleExpiry(at);
        }
    }

    /// <summary>With a re-arm interval, clears trips older than it; returns true when something re-armed. O(1) when nothing is due.</summary>
    public bool Expire(DateTime now)
    {
        if (rearmAfter is not { } after || now < _nextExpiry)
        {
            return false;
        }

        var changed = false;
        _nextExpiry = DateTime.MaxValue;
        if (MarketTrippedAt is { } at)
        {
            if (now - at >= after)
            {
                MarketTripped = false;
                MarketReason = null;
                MarketTrippedAt = null;
                changed = true;
            }
            else
            {
                ScheduleExpiry(at);
            }
        }

        _expired.Clear();
        foreach (var (symbol, trippedAt) in _symbols)
        {
            if (now - trippedAt >= after)
            {
                _expired.Add(symbol);
            }
            else
            {
                ScheduleExpiry(trippedAt);
            }
        }

        foreach (var symbol in _expired)
        {
            _symbols.Remove(symbol);
            changed = true;
        }

        return changed;
    }

    private void ScheduleExpiry(DateTime trippedAt)
    {
        if (rearmAfter is { } after && trippedAt + after < _nextExpiry)
        {
            _nextExpiry = trippedAt + after;
        }
    }

    /// <summary>New trading day: automatic trips re-arm.</summary>
    public void Rearm()
    {
        _symbols.Clear();
        MarketTripped = false;
        MarketReason = null;
        MarketTrippedAt = null;
        _nextExpiry = DateTime.MaxValue;
    }
}
