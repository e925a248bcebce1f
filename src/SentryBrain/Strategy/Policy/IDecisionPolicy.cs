namespace SentryBrain.Strategy;

/// <summary>
/// A trading strategy as the engine and the backtester see it: one pure decision per symbol and evaluation. The
/// caller (live: <c>BrainEngine</c>; backtest: <c>Backtester</c>) owns everything else — the data feed behind
/// <see cref="DecisionContext.Market"/>, sizing the buy, sending orders, the fill model, the journal — so one
/// implementation runs unchanged live and in a backtest (the algorithm/engine split of LEAN).
/// </summary>
/// <remarks>
/// <para>To write one: implement <see cref="Name"/> and <see cref="Decide"/>. Exit a long before anything else
/// (exits are never gated); for a new position ask <see cref="EntryGates.FirstClosed"/> first and hold with its
/// reason when it returns one, so every strategy respects the session, the watchlist, the kill switch and the risk
/// latches in the same order and with the same reason codes. Return a <see cref="Decision"/>: a buy's quantity is
/// ignored (the engine sizes it), a sell's is the number of shares to sell (at most the position). Reasons are
/// short stable codes without numbers (they are journaled and counted); put numbers in
/// <see cref="Decision.Signals"/>.</para>
/// <para>Purity: no clock (use <see cref="DecisionContext.Time"/>), no I/O, no state that changes from call to call
/// (one instance serves every symbol, possibly on several threads). What must be remembered about a position is in
/// <see cref="HeldPosition"/>, kept by the caller; indicators are the feed's (<see cref="IMarketFeatures"/>).</para>
/// <para>Optionally implement <see cref="IOrderHints"/> for the backtest's fill model (protective stop and take
/// profit checked intrabar, buys with all cash).</para>
/// </remarks>
public interface IDecisionPolicy
{
    /// <summary>The policy's stable name: <c>green_light</c>, <c>consensus</c>, <c>sma_cross</c>, or a user strategy's.</summary>
    string Name { get; }

    /// <summary>Decides for one symbol now. Pure: the same context gives the same decision.</summary>
    /// <param name="context">The symbol, the time, the position, the entry gates and the market.</param>
    /// <returns>The decision and, for a scale-out, the level the caller marks done once the order is sent.</returns>
    PolicyDecision Decide(in DecisionContext context);
}

/// <summary>A policy's answer.</summary>
/// <param name="Decision">Hold, buy (qty sized by the engine) or sell (qty = shares to sell), with a stable reason code and the signals used.</param>
/// <param name="ScaleOutLevel">
/// For a scale-out sell, the index of the level (into <c>SCALE_OUT_LEVELS_PCT</c>) the caller marks done in
/// <see cref="HeldPosition.ScaleOutLevelsDone"/> when it sends the order (even if the order fails, so a level is
/// never retried in a loop); null otherwise.
/// </param>
public readonly record struct PolicyDecision(Decision Decision, int? ScaleOutLevel = null);

/// <summary>Everything a policy may look at for one decision.</summary>
/// <param name="Symbol">The symbol (upper case).</param>
/// <param name="Time">The event's time, UTC (daily bars: the bar's date at 00:00 UTC). Never the wall clock.</param>
/// <param name="EasternTime">
/// New York wall-clock time of the event (<see cref="DateTimeKind.Unspecified"/>), for intraday time windows; null
/// on daily bars, where a bar has no time of day and intraday windows (close losers at 15:50, health check at 16:00)
/// do not apply.
/// </param>
/// <param name="Position">The symbol's position and what the caller remembers about it.</param>
/// <param name="Gates">The entry gates (<see cref="EntryGates.FirstClosed"/>) and the SPY regime.</param>
/// <param name="Market">What the data feed knows about the symbol now. Valid only during the call: do not keep it.</param>
public readonly record struct DecisionContext(
    string Symbol,
    DateTime Time,
    DateTime? EasternTime,
    HeldPosition Position,
    EntryGates Gates,
    IMarketFeatures Market);

/// <summary>The symbol's position and the exit progress the caller keeps for it.</summary>
/// <param name="Qty">Signed shares: long &gt; 0, flat 0, short &lt; 0.</param>
/// <param name="AvgEntryPrice">Average entry price (cost basis / qty); 0 when flat.</param>
/// <param name="PeakPnlPct">
/// Best unrealized P&amp;L in percent since entry, including now (<see cref="GreenLightStrategy.PnlPct"/> at the exit
/// price, tracked by the caller); null when flat or unknown.
/// </param>
/// <param name="DaysHeld">Whole days since entry (live: floor of elapsed days; daily bars: calendar days).</param>
/// <param name="ScaledAtVwap">The 50 % scale-out at VWAP was already sent for this position.</param>
/// <param name="ScaleOutLevelsDone">Bit i set ⇔ scale-out level i was already sent (<see cref="PositionExits.MarkDone"/>).</param>
/// <param name="VwapTarget">The position was bought below the session VWAP, so VWAP is an exit target for it.</param>
public readonly record struct HeldPosition(
    long Qty,
    double AvgEntryPrice,
    double? PeakPnlPct,
    int DaysHeld,
    bool ScaledAtVwap,
    ulong ScaleOutLevelsDone,
    bool VwapTarget)
{
    /// <summary>No position.</summary>
    public static HeldPosition Flat => default;
}

/// <summary>Protective levels of a position, in percent of the entry price (1.0 = 1 %); null = none.</summary>
/// <param name="StopPct">Sell when the P&amp;L reaches −<c>StopPct</c>.</param>
/// <param name="TakeProfitPct">Sell when the P&amp;L reaches <c>TakeProfitPct</c>.</param>
public readonly record struct ProtectiveLevels(double? StopPct, double? TakeProfitPct);

/// <summary>
/// Optional hints for a fill model that sees more than the decision's instant (the backtest's daily bars): a policy
/// that implements it gets its stops and take profits checked against each bar's open, low and high, and may ask
/// for all-cash buys. The live engine judges every exit on every print and does not need it.
/// </summary>
public interface IOrderHints
{
    /// <summary>Buys take every dollar of cash at the fill (floor(cash / fill price) shares) instead of the configured sizing.</summary>
    bool BuysWithAllCash { get; }

    /// <summary>The stop and take-profit distances that apply after <paramref name="decision"/> (a buy, or a hold of a held position).</summary>
    /// <param name="decision">A decision this policy returned.</param>
    /// <returns>The levels; both null when the policy has none.</returns>
    ProtectiveLevels Levels(in Decision decision);
}
