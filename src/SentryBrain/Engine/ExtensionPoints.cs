using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Journal;
using SentryBrain.Strategy;

namespace SentryBrain.Engine;

/// <summary>
/// Sees every fill the broker reports, after its journal line (the experience buffer records fills here).
/// Called on the event loop: keep it short, and never throw for bad data (a throw is reported as an internal error
/// of the current line). Today: <see cref="RoundTripRecorder"/>.
/// </summary>
public interface IFillObserver
{
    void OnFill(Fill fill, in FillContext context);

    /// <summary>
    /// An order the engine is about to send for <paramref name="decision"/> (before its immediate fills are reported),
    /// so a fill can be linked to the signals of the decision that caused it through its client order id.
    /// </summary>
    void OnSubmitted(OrderRequest request, in Decision decision, DateTime now)
    {
    }
}

/// <summary>
/// Optional for any part (fill observer, gate, size multiplier): state that survives a restart, held prices, and a
/// tick of the event-time clock on the event loop (where journal lines may be written). Every method must be cheap
/// when there is nothing to do: <see cref="OnClock"/> runs on every clock tick.
/// </summary>
public interface IEngineListener
{
    /// <summary>Once, when the broker is opened: its state store (null when there is no broker).</summary>
    void Attach(IStateStore? store)
    {
    }

    /// <summary>A held symbol was evaluated; <paramref name="exitPrice"/> is what a sell would get now.</summary>
    void OnHeldPrice(string symbol, double exitPrice, DateTime now)
    {
    }

    /// <summary>The event-time clock moved to <paramref name="now"/> (New York trading date <paramref name="tradingDate"/>).</summary>
    void OnClock(DateTime now, DateOnly tradingDate, JournalWriter journal)
    {
    }
}

/// <param name="QtyAfter">The symbol's position at the broker after the fill.</param>
/// <param name="EntryPrice">For a sell: the average entry price of the position it closes (0 = unknown); for a buy: 0.</param>
public readonly record struct FillContext(long QtyAfter, double EntryPrice);

/// <summary>
/// The last word before a sized buy is sent: null lets it through, anything else is the hold reason code journaled
/// instead (generated rules will block buys here). Gates run in order and the first refusal wins; a gate that
/// reserves something (a shared budget) must come last. Today: <see cref="SharedAccountGate"/>.
/// </summary>
public interface IPreTradeGate
{
    string? Check(in PreTradeCheck check);
}

/// <param name="Price">What one share is expected to cost: the buy limit, else the entry price.</param>
/// <param name="Signals">The signals the decision used (as journaled).</param>
public readonly record struct PreTradeCheck(string Symbol, DateTime Time, DateOnly TradingDate, long Qty, double Price, DecisionSignals Signals);

/// <summary>
/// Scales a buy after sizing (conviction sizing): the quantity is multiplied and floored. A value that is not finite
/// or below 0 counts as 0 (no buy), and values above <see cref="SizeMultipliers.Max"/> are capped, so a broken
/// multiplier can never buy more than that many times the configured size. Cash still bounds the result.
/// Today: <see cref="UnitSize"/>.
/// </summary>
public interface ISizeMultiplier
{
    double Multiplier(string symbol, in Decision decision);
}

/// <summary>
/// The symbols new buys are allowed in (the screener's active list); exits are always managed. Null = every symbol.
/// <see cref="Refresh"/> and then <see cref="TakeChange"/> are called on the event loop at every clock tick, with event
/// time, and must be cheap when nothing changed. A change the provider reports is journaled (one <c>screen</c> line)
/// and the engine at once forgets every per-symbol state of symbols that are neither on the new list, nor held, nor
/// with an open order. Today: <see cref="ActiveSymbols"/> (<c>ACTIVE_SYMBOLS_FILE</c>, and lists published by an
/// in-process discovery job).
/// </summary>
public interface IWatchlistProvider
{
    IReadOnlySet<string>? Active { get; }

    void Refresh(DateTime now);

    /// <summary>
    /// The change of <see cref="Active"/> since the last call (the first list counts as one: everything added), or
    /// null when the set of symbols is the same. Default: never reports (a fixed list).
    /// </summary>
    WatchlistChange? TakeChange() => null;
}

/// <summary>A new active list, as <see cref="IWatchlistProvider.TakeChange"/> reports it; symbol lists are sorted (ordinal).</summary>
/// <param name="Source"><c>file</c> (read from <c>ACTIVE_SYMBOLS_FILE</c>) or <c>discovery</c> (published in process).</param>
/// <param name="Symbols">The new list.</param>
/// <param name="Added">On the new list, not on the one reported before (all of them for the first list).</param>
/// <param name="Removed">On the list reported before, not on the new one.</param>
/// <param name="Reasons">Why each symbol was chosen, when the source said (discovery: e.g. <c>|Z|=2.31 vol=1.42x</c>); null = unknown.</param>
public sealed record WatchlistChange(
    string Source,
    IReadOnlyList<string> Symbols,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyDictionary<string, string>? Reasons);
