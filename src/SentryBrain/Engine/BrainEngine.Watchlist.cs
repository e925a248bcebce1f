using Microsoft.Extensions.Logging;

namespace SentryBrain.Engine;

/// <summary>
/// Following the active list (<see cref="IWatchlistProvider"/>, issue 12) and keeping every per-symbol table bounded.
/// At each clock tick the provider looks for a new list; a change is journaled as one <c>screen</c> line at that event
/// time (the first list too, so a run's journal shows the list it started with; a run without a watchlist writes no
/// such line) and at once every per-symbol state of a symbol that is neither on the new list, nor held, nor with an
/// open order is forgotten. New buys then go only to listed symbols (<c>not_on_watchlist</c>), while held symbols that
/// left the list keep their state, their position memory and every exit.
/// <para>
/// The per-symbol tables (<see cref="PerSymbolEntryCounts"/>): symbol states (<see cref="SymbolRegistry"/>: prices,
/// bars, indicators with OFI, news, outlier guard, cooldown; SPY kept while the 200-day regime reads it), the
/// position memory (<see cref="PositionBook"/>) and the desk's sell entry prices (<see cref="OrderDesk"/>), both kept
/// for held symbols only when there is a broker. The same pruning runs with the periodic idle prune (every minute of
/// event time), list or not. Not pruned, on purpose: the position memory without a broker (the feed's positions say
/// what is held and may drop a symbol for a line; bounded by what the account holds), news kill-switch trips (a risk
/// latch: a symbol halted by bad news stays halted for the trading date even if it leaves the list and comes back;
/// they re-arm at the next date or after <c>KILL_SWITCH_REARM_MIN</c>), and the feed's positions and orders
/// (<see cref="Holdings"/>: they are what is held, replaced by each such line).
/// </para>
/// </summary>
public sealed partial class BrainEngine
{
    /// <summary>Clock tick: the provider looks for a new list; a change is journaled and the per-symbol tables pruned at once.</summary>
    private void FollowWatchlist(DateTime now)
    {
        if (_parts.Watchlist is not { } watchlist)
        {
            return;
        }

        watchlist.Refresh(now);
        if (watchlist.TakeChange() is not { } change)
        {
            return;
        }

        _journal.Screen(now, change.Source, change.Symbols, change.Added, change.Removed, change.Reasons);
        var pruned = _symbols.PruneOffList();
        ForgetUnheld();
        _logger.LogInformation(
            "Active list ({Source}): {Count} symbols, {Added} added, {Removed} removed; {Pruned} symbol states forgotten, {Tracked} tracked",
            change.Source, change.Symbols.Count, change.Added.Count, change.Removed.Count, pruned, _symbols.Count);
    }

    /// <summary>After the event: the periodic idle prune of symbol states, and with it the other per-symbol tables.</summary>
    private void MaybePrune()
    {
        if (_symbols.MaybePrune(_events))
        {
            ForgetUnheld();
        }
    }

    /// <summary>
    /// Position memory and sell entry prices are needed only while a symbol is held (a position or an open order).
    /// Only with a broker: without one, what is held is the feed's last positions line, which may leave a symbol out
    /// for a moment, and the memory (entry time, peak) must outlive that whenever the prune happens to run.
    /// </summary>
    private void ForgetUnheld()
    {
        if (_holdings.Broker is null)
        {
            return;
        }

        var isHeld = _holdings.IsHeld;
        _book?.Forget(isHeld);
        _desk?.Forget(isHeld);
    }

    /// <summary>Whether the engine keeps state for <paramref name="symbol"/> (diagnostics and tests).</summary>
    internal bool Tracks(string symbol) => _symbols.Find(symbol) is not null;

    /// <summary>
    /// Entries in every table the engine keys by symbol (or by order), by name (diagnostics and tests): each stays
    /// within the listed, held and open-order symbols (the kill switch's news trips within the trading date's).
    /// </summary>
    internal IReadOnlyDictionary<string, int> PerSymbolEntryCounts()
    {
        var book = _book?.Counts ?? default;
        var desk = _desk?.Counts ?? default;
        var feed = _holdings.Counts;
        return new SortedDictionary<string, int>(StringComparer.Ordinal)
        {
            ["symbol_states"] = _symbols.Count,
            ["position_book"] = book.Positions,
            ["position_book_peaks"] = book.PersistedPeaks,
            ["desk_sell_entry_avg"] = desk.SellEntryAvg,
            ["desk_cancel_requested"] = desk.CancelRequested,
            ["desk_reprice_on_cancel"] = desk.RepriceOnCancel,
            ["kill_switch_symbols"] = _risk.KillSwitch.TrippedSymbols.Count,
            ["feed_positions"] = feed.FeedPositions,
            ["feed_open_orders"] = feed.FeedOpenOrders,
        };
    }
}
