using SentryBrain.Events;
using SentryBrain.Market;

namespace SentryBrain.Engine;

/// <summary>
/// MAX_SYMBOLS: how many symbols the engine tracks at once, so that input alone cannot grow memory without bound.
/// A symbol already tracked, or held (a position or an open order), is always admitted — held symbols keep their
/// exits whatever the feed sends, and there are only as many of them as the account holds. A new symbol is admitted
/// while there is room. When the table is full, idle symbols are pruned at once, at most every
/// <see cref="PruneRetryInterval"/> of event time, so a flood of new symbols costs O(1) per event, not a scan each.
/// </summary>
public sealed class SymbolCap(int maxSymbols, Dictionary<string, SymbolState> states, Func<string, bool> isHeld, Action pruneIdle)
{
    public static readonly TimeSpan PruneRetryInterval = TimeSpan.FromSeconds(5);

    private DateTime _lastPrune = DateTime.MinValue;

    public int MaxSymbols { get; } = maxSymbols;

    /// <summary>Whether <paramref name="symbol"/> is tracked or may be from now on.</summary>
    public bool CanTrack(string symbol, DateTime now)
    {
        if (states.Count < MaxSymbols || states.ContainsKey(symbol) || isHeld(symbol))
        {
            return true;
        }

        if (now - _lastPrune < PruneRetryInterval)
        {
            return false;
        }

        _lastPrune = now;
        pruneIdle();
        return states.Count < MaxSymbols;
    }

    /// <summary>
    /// The symbol for which <paramref name="evt"/> cannot be processed, or null. A news item is refused only when none
    /// of its symbols can be tracked; otherwise it is used for those that can (see <see cref="CanTrack"/>).
    /// </summary>
    public string? Refused(MarketEvent evt, DateTime now)
    {
        switch (evt)
        {
            case TradeEvent trade:
                return CanTrack(trade.Symbol, now) ? null : trade.Symbol;
            case QuoteEvent quote:
                return CanTrack(quote.Symbol, now) ? null : quote.Symbol;
            case VolatilityEvent vol:
                return CanTrack(vol.Symbol, now) ? null : vol.Symbol;
            case NewsEvent news when news.Symbols.Count > 0:
                foreach (var symbol in news.Symbols)
                {
                    if (CanTrack(symbol, now))
                    {
                        return null;
                    }
                }

                return news.Symbols[0];
            default:
                return null;
        }
    }

    public string Reason(string symbol)
        => $"symbol {symbol} not tracked: {states.Count} symbols are tracked, the most MAX_SYMBOLS={MaxSymbols} allows (idle symbols are forgotten after SYMBOL_STATE_TTL_SEC)";
}
