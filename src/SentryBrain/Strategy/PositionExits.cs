using System.Globalization;
using SentryBrain.Rules;

namespace SentryBrain.Strategy;

/// <summary>Knobs of the positions-driven exits (BEHAVIOR §4.4, §5). Percentages in percent (1.0 = 1 %).</summary>
/// <param name="ScaleOutEnabled"><c>SCALE_OUT_ENABLED</c> (true).</param>
/// <param name="ScaleOutLevelsPct"><c>SCALE_OUT_LEVELS_PCT</c> ("1,2,3"), in configured (ascending) order; only the first 64 are used.</param>
/// <param name="ScaleOutPctPerLevel"><c>SCALE_OUT_PCT_PER_LEVEL</c> (25): share of the current qty sold per level.</param>
/// <param name="OvernightCarryEnabled"><c>OVERNIGHT_CARRY_ENABLED</c> (true): close losers from <paramref name="CloseLossesByEt"/>.</param>
/// <param name="CloseLossesByEt"><c>CLOSE_LOSSES_BY_ET</c> (15:50; null = off).</param>
/// <param name="PortfolioHealthCheckEt"><c>PORTFOLIO_HEALTH_CHECK_ET</c> (16:00; null = off).</param>
/// <param name="FlatWhenDailyTargetHit"><c>FLAT_WHEN_DAILY_TARGET_HIT</c> (false).</param>
public sealed record PositionExitParameters(
    bool ScaleOutEnabled,
    IReadOnlyList<double> ScaleOutLevelsPct,
    double ScaleOutPctPerLevel,
    bool OvernightCarryEnabled,
    TimeOnly? CloseLossesByEt,
    TimeOnly? PortfolioHealthCheckEt,
    bool FlatWhenDailyTargetHit)
{
    /// <summary>The reference defaults (BEHAVIOR §10).</summary>
    public static PositionExitParameters Default { get; } = new(
        ScaleOutEnabled: true,
        ScaleOutLevelsPct: [1.0, 2.0, 3.0],
        ScaleOutPctPerLevel: 25,
        OvernightCarryEnabled: true,
        CloseLossesByEt: new TimeOnly(15, 50),
        PortfolioHealthCheckEt: new TimeOnly(16, 0),
        FlatWhenDailyTargetHit: false);

    /// <summary>The parameters of a loaded configuration.</summary>
    public static PositionExitParameters From(Config.BrainConfig c) => new(
        c.ScaleOutEnabled,
        c.ScaleOutLevelsPct,
        c.ScaleOutPctPerLevel,
        c.OvernightCarryEnabled,
        c.CloseLossesByEt,
        c.PortfolioHealthCheckEt,
        c.FlatWhenDailyTargetHit);
}

/// <summary>What the positions-driven exits look at for one held symbol.</summary>
/// <param name="Qty">Signed position: long &gt; 0, short &lt; 0.</param>
/// <param name="AvgEntryPrice">Average entry price.</param>
/// <param name="CurrentPrice">Mark price; P&amp;L = <see cref="GreenLightStrategy.PnlPct"/>.</param>
/// <param name="ScaleOutLevelsDone">Bit i set ⇔ scale-out level i (index into the configured levels) is done.</param>
/// <param name="EasternNow">New York wall-clock time of the event (the caller's event clock, not the wall clock).</param>
/// <param name="DailyCap">Daily target / loss cap latch.</param>
public readonly record struct PositionExitInput(
    long Qty,
    double AvgEntryPrice,
    double CurrentPrice,
    ulong ScaleOutLevelsDone,
    DateTime EasternNow,
    DailyCapState DailyCap);

/// <summary>One positions-driven exit; <see cref="ScaleOutLevel"/> is the level index to mark done (scale-outs only).</summary>
public readonly record struct PositionExit(Decision Decision, int? ScaleOutLevel);

/// <summary>
/// The positions-driven exits of BEHAVIOR §4.4 as pure functions, run on each positions event beside
/// <see cref="GreenLightStrategy.Decide"/> (which carries the stop loss). Each returns null when it does not apply.
/// </summary>
/// <remarks>
/// <para>Reasons: <c>daily_target_hit</c>, <c>close_loss_before_close</c>, <c>portfolio_health_check_loser</c>,
/// <c>scale_out_&lt;level&gt;pct</c> (for example <c>scale_out_1pct</c>; a finite set given by the configured
/// levels).</para>
/// <para>Fixes vs the reference: sells are for the whole remaining qty (no 12-share cap), except scale-outs, which
/// sell max(1, floor(qty × per-level %)) ≤ qty. The reference resent loser closes on every positions event (every
/// 15 s) while the first sell was still open; here <b>the caller guarantees no resend while a sell is open</b> for
/// the symbol (these functions do not see open orders), and <see cref="Evaluate"/> returns at most one exit per
/// symbol and event, so a scale-out and a full close are never sent together.</para>
/// <para>Time windows hold on weekdays (Monday–Friday) from their ET time until midnight, as in the reference;
/// a null time turns the window off.</para>
/// </remarks>
public static class PositionExits
{
    /// <summary>Levels beyond this index are never considered (one bit each in <see cref="PositionExitInput.ScaleOutLevelsDone"/>).</summary>
    public const int MaxScaleOutLevels = 64;

    /// <summary>
    /// First match of: daily target flatten → close losers before the close → portfolio health check → scale-out.
    /// Full exits come first (the reference ran the scale-out first and could then oversell); scale-out needs
    /// P&amp;L ≥ 0 and the loser closes P&amp;L &lt; 0, so those never compete.
    /// </summary>
    public static PositionExit? Evaluate(in PositionExitInput input, PositionExitParameters p)
    {
        if (DailyTargetHit(input, p) is { } flat)
        {
            return new PositionExit(flat, null);
        }

        if (CloseLossBeforeClose(input, p) is { } closeLoss)
        {
            return new PositionExit(closeLoss, null);
        }

        if (PortfolioHealthCheck(input, p) is { } health)
        {
            return new PositionExit(health, null);
        }

        return ScaleOut(input, p);
    }

    /// <summary>
    /// Scale-out: for a long with P&amp;L ≥ 0, the first configured level not yet done that P&amp;L has reached ⇒ sell
    /// max(1, floor(qty × <see cref="PositionExitParameters.ScaleOutPctPerLevel"/> / 100)), at most qty, reason
    /// <c>scale_out_&lt;level&gt;pct</c>. At most one level per call; the caller marks the returned level done
    /// (<see cref="MarkDone"/>) whether or not the order succeeds, as the reference did.
    /// </summary>
    public static PositionExit? ScaleOut(in PositionExitInput input, PositionExitParameters p)
    {
        var pnl = GreenLightStrategy.PnlPct(input.Qty, input.AvgEntryPrice, input.CurrentPrice);
        if (!p.ScaleOutEnabled || input.Qty <= 0 || pnl is not { } pl || pl < 0)
        {
            return null;
        }

        var levels = p.ScaleOutLevelsPct;
        var count = Math.Min(levels.Count, MaxScaleOutLevels);
        for (var i = 0; i < count; i++)
        {
            if (IsDone(input.ScaleOutLevelsDone, i) || !(pl >= levels[i]))
            {
                continue;
            }

            var share = (long)Math.Floor(input.Qty * p.ScaleOutPctPerLevel / 100);
            var qty = Math.Min(input.Qty, Math.Max(1, share));
            var reason = "scale_out_" + levels[i].ToString(CultureInfo.InvariantCulture) + "pct";
            return new PositionExit(new Decision(TradeAction.Sell, qty, reason, Signals(input, pnl)), i);
        }

        return null;
    }

    /// <summary>
    /// <c>OVERNIGHT_CARRY_ENABLED</c> ∧ weekday ∧ ET ≥ <c>CLOSE_LOSSES_BY_ET</c> ∧ long with P&amp;L &lt; 0 ⇒ sell the
    /// whole position, <c>close_loss_before_close</c>.
    /// </summary>
    public static Decision? CloseLossBeforeClose(in PositionExitInput input, PositionExitParameters p)
        => IsCloseLossesWindow(input.EasternNow, p) ? SellLoser(input, "close_loss_before_close") : null;

    /// <summary>Weekday ∧ ET ≥ <c>PORTFOLIO_HEALTH_CHECK_ET</c> ∧ long with P&amp;L &lt; 0 ⇒ sell the whole position, <c>portfolio_health_check_loser</c>.</summary>
    public static Decision? PortfolioHealthCheck(in PositionExitInput input, PositionExitParameters p)
        => IsHealthCheckWindow(input.EasternNow, p) ? SellLoser(input, "portfolio_health_check_loser") : null;

    /// <summary>
    /// <c>FLAT_WHEN_DAILY_TARGET_HIT</c> ∧ the daily target latched ⇒ close the whole position, <c>daily_target_hit</c>:
    /// sell a long, buy back a short (the only rule that covers shorts, as in the reference). The buy's qty is the
    /// short's size, not a sized entry.
    /// </summary>
    public static Decision? DailyTargetHit(in PositionExitInput input, PositionExitParameters p)
    {
        if (!p.FlatWhenDailyTargetHit || input.DailyCap != DailyCapState.TargetReached || input.Qty == 0)
        {
            return null;
        }

        var pnl = GreenLightStrategy.PnlPct(input.Qty, input.AvgEntryPrice, input.CurrentPrice);
        return input.Qty > 0
            ? new Decision(TradeAction.Sell, input.Qty, "daily_target_hit", Signals(input, pnl))
            : new Decision(TradeAction.Buy, -input.Qty, "daily_target_hit", Signals(input, pnl));
    }

    /// <summary><c>OVERNIGHT_CARRY_ENABLED</c>, a weekday and ET at or after <c>CLOSE_LOSSES_BY_ET</c>.</summary>
    public static bool IsCloseLossesWindow(DateTime easternNow, PositionExitParameters p)
        => p.OvernightCarryEnabled && p.CloseLossesByEt is { } at && IsWeekday(easternNow) && TimeOnly.FromDateTime(easternNow) >= at;

    /// <summary>A weekday and ET at or after <c>PORTFOLIO_HEALTH_CHECK_ET</c> (feeds <see cref="GreenLightInput.InHealthCheckWindow"/>).</summary>
    public static bool IsHealthCheckWindow(DateTime easternNow, PositionExitParameters p)
        => p.PortfolioHealthCheckEt is { } at && IsWeekday(easternNow) && TimeOnly.FromDateTime(easternNow) >= at;

    /// <summary>Whether scale-out level <paramref name="level"/> is marked in <paramref name="levelsDone"/>.</summary>
    public static bool IsDone(ulong levelsDone, int level)
        => level is >= 0 and < MaxScaleOutLevels && (levelsDone & (1UL << level)) != 0;

    /// <summary><paramref name="levelsDone"/> with <paramref name="level"/> marked done.</summary>
    public static ulong MarkDone(ulong levelsDone, int level)
        => level is >= 0 and < MaxScaleOutLevels ? levelsDone | (1UL << level) : levelsDone;

    private static Decision? SellLoser(in PositionExitInput input, string reason)
    {
        var pnl = GreenLightStrategy.PnlPct(input.Qty, input.AvgEntryPrice, input.CurrentPrice);
        return input.Qty > 0 && pnl < 0 ? new Decision(TradeAction.Sell, input.Qty, reason, Signals(input, pnl)) : null;
    }

    private static bool IsWeekday(DateTime easternNow) => easternNow.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    private static DecisionSignals Signals(in PositionExitInput input, double? pnl)
        => new(News: null, Momentum: 0, Social: 0, Rsi: null, RsiScore: null, PositiveSources: 0, Price: input.CurrentPrice, PnlPct: pnl);
}
