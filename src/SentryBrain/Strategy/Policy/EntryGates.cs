using SentryBrain.Rules;

namespace SentryBrain.Strategy;

/// <summary>
/// The account- and order-level facts that may block a new position, gathered by the engine (live) or the
/// simulation (backtest). Every policy asks <see cref="FirstClosed"/> before it looks for an entry, so all of them
/// block entries in the same order and with the same reason codes. Exits are never gated here.
/// </summary>
/// <param name="RegularSession">The symbol trades in the regular session now (NYSE calendar included). Daily bars: true.</param>
/// <param name="EntryAllowed">The symbol is on the watchlist (the active list); off the list it may only be exited.</param>
/// <param name="KillSwitchReason">Non-null while a kill switch is on: the hold reason (<c>kill_switch_*</c>; empty reads <c>kill_switch_active</c>).</param>
/// <param name="DailyCap">The daily profit-target / loss-cap latch.</param>
/// <param name="DrawdownHalted">The drawdown halt is active.</param>
/// <param name="NoNewBuysWindow">New York time is at or after <c>NO_NEW_BUYS_AFTER_ET</c> (always false on daily bars).</param>
/// <param name="HasOpenBuy">An unfilled buy order is open for the symbol.</param>
/// <param name="HasOpenSell">An unfilled sell order is open for the symbol.</param>
/// <param name="InCooldown">Within <c>ORDER_COOLDOWN_SEC</c> of the symbol's last order (always false on daily bars).</param>
/// <param name="SpyBelow200ma">SPY closes below its 200-day SMA and the regime filter is on. Not a gate: a market fact policies may use (Green Light tightens its Z confluence).</param>
public readonly record struct EntryGates(
    bool RegularSession,
    bool EntryAllowed,
    string? KillSwitchReason,
    DailyCapState DailyCap,
    bool DrawdownHalted,
    bool NoNewBuysWindow,
    bool HasOpenBuy,
    bool HasOpenSell,
    bool InCooldown,
    bool SpyBelow200ma)
{
    /// <summary>Every gate open: regular session, on the watchlist, no latch, no order, no cooldown.</summary>
    public static EntryGates Open { get; } = new(true, true, null, DailyCapState.Open, false, false, false, false, false, false);

    /// <summary>
    /// The reason the first closed gate gives, or null when a new position may be opened. Order (first match wins):
    /// <c>session_closed</c> (only when <paramref name="regularSessionOnly"/>), <c>not_on_watchlist</c>, the kill
    /// switch's reason, <c>daily_cap_reached</c>, <c>daily_loss_cap_reached</c>, <c>drawdown_halt</c>,
    /// <c>no_new_buys_after</c>, <c>order_pending</c> (an open buy or sell), <c>cooldown</c>, <c>no_price</c>
    /// (<paramref name="entryPrice"/> not a positive finite number).
    /// </summary>
    /// <param name="entryPrice">The price a buy would pay now.</param>
    /// <param name="regularSessionOnly"><c>REGULAR_SESSION_ONLY</c>: entries only in the regular session.</param>
    /// <returns>A stable reason code without numbers, or null when every gate is open.</returns>
    public string? FirstClosed(double entryPrice, bool regularSessionOnly)
    {
        if (regularSessionOnly && !RegularSession)
        {
            return "session_closed";
        }

        if (!EntryAllowed)
        {
            return "not_on_watchlist";
        }

        if (KillSwitchReason is { } kill)
        {
            return kill.Length > 0 ? kill : "kill_switch_active";
        }

        if (DailyCap == DailyCapState.TargetReached)
        {
            return "daily_cap_reached";
        }

        if (DailyCap == DailyCapState.LossCapReached)
        {
            return "daily_loss_cap_reached";
        }

        if (DrawdownHalted)
        {
            return "drawdown_halt";
        }

        if (NoNewBuysWindow)
        {
            return "no_new_buys_after";
        }

        if (HasOpenBuy || HasOpenSell)
        {
            return "order_pending";
        }

        if (InCooldown)
        {
            return "cooldown";
        }

        return entryPrice > 0 && double.IsFinite(entryPrice) ? null : "no_price";
    }
}
