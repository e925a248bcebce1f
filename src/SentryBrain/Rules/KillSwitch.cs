namespace SentryBrain.Rules;

/// <summary>
/// Halts new buys. A headline scoring at or below the sentiment threshold halts its own symbols; a 1- or
/// 5-minute return at or below the return threshold on any symbol halts the whole market (stress).
/// The reference latched one global switch until restart; here trips re-arm at the New York date change
/// (except <c>KILL_SWITCH=true</c>, which the operator set and holds for the run). Exits are never blocked.
/// </summary>
public sealed class KillSwitch(double sentimentThreshold, double returnThreshold, bool manual)
{
    private readonly HashSet<string> _symbols = new(StringComparer.Ordinal);

    public bool Manual { get; } = manual;

    public bool MarketTripped { get; private set; }

    public string? MarketReason { get; private set; }

    public bool IsActive(string symbol) => Manual || MarketTripped || _symbols.Contains(symbol);

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

        return _symbols.Contains(symbol) ? "kill_switch_news" : null;
    }

    /// <summary>Returns true when this headline tripped the switch for at least one new symbol.</summary>
    public bool OnNews(double score, IReadOnlyList<string> symbols)
    {
        if (score > sentimentThreshold)
        {
            return false;
        }

        var tripped = false;
        foreach (var symbol in symbols)
        {
            tripped |= _symbols.Add(symbol);
        }

        return tripped;
    }

    /// <summary>Returns true when this print tripped the market-wide switch.</summary>
    public bool OnReturns(string symbol, double return1m, double return5m)
    {
        if (MarketTripped || (return1m > returnThreshold && return5m > returnThreshold))
        {
            return false;
        }

        MarketTripped = true;
        MarketReason = $"{symbol} return_1m={return1m:0.####} return_5m={return5m:0.####}";
        return true;
    }

    /// <summary>Symbols halted by news today.</summary>
    public IReadOnlyCollection<string> TrippedSymbols => _symbols;

    /// <summary>Restores today's trips after a restart.</summary>
    public void Restore(bool marketTripped, string? marketReason, IEnumerable<string> symbols)
    {
        MarketTripped = marketTripped;
        MarketReason = marketReason;
        _symbols.UnionWith(symbols);
    }

    /// <summary>New trading day: automatic trips re-arm.</summary>
    public void Rearm()
    {
        _symbols.Clear();
        MarketTripped = false;
        MarketReason = null;
    }
}
