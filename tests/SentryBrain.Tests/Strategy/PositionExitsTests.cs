using SentryBrain.Config;
using SentryBrain.Rules;
using SentryBrain.Strategy;

namespace SentryBrain.Tests.Strategy;

/// <summary>
/// The positions-driven exits of BEHAVIOR §4.4 / §5 (scale-out, close losers before the close, portfolio health
/// check, flat when the daily target is hit). Defaults: levels 1, 2, 3 %, 25 % per level, close losers from 15:50 ET
/// with overnight carry on, health check from 16:00 ET, daily-target flatten off. Expected values worked out by hand.
/// 2025-01-15 is a Wednesday, 2025-01-18 a Saturday, 2025-01-19 a Sunday.
/// </summary>
public sealed class PositionExitsTests
{
    private static readonly PositionExitParameters Defaults = PositionExitParameters.Default;

    private static readonly DateTime WednesdayNoon = new(2025, 1, 15, 12, 0, 0);

    /// <summary><paramref name="qty"/> shares at 100 marked at <paramref name="price"/> (P&amp;L = price − 100 percent), Wednesday noon ET.</summary>
    private static PositionExitInput Position(double price, long qty = 12, ulong done = 0, DateTime? easternNow = null, DailyCapState cap = DailyCapState.Open)
        => new(qty, 100, price, done, easternNow ?? WednesdayNoon, cap);

    private static DateTime Wednesday(int hour, int minute, int second = 0) => new(2025, 1, 15, hour, minute, second);

    // ---- parameters ----------------------------------------------------------------------------------------

    [Fact]
    public void Default_HoldsTheReferenceDefaults()
    {
        Assert.True(Defaults.ScaleOutEnabled);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, Defaults.ScaleOutLevelsPct);
        Assert.Equal(25, Defaults.ScaleOutPctPerLevel);
        Assert.True(Defaults.OvernightCarryEnabled);
        Assert.Equal(new TimeOnly(15, 50), Defaults.CloseLossesByEt);
        Assert.Equal(new TimeOnly(16, 0), Defaults.PortfolioHealthCheckEt);
        Assert.False(Defaults.FlatWhenDailyTargetHit);
    }

    [Fact]
    public void From_DefaultConfig_MatchesDefault()
    {
        var p = PositionExitParameters.From(new BrainConfig());

        Assert.Equal(Defaults.ScaleOutLevelsPct, p.ScaleOutLevelsPct);
        Assert.Equal(Defaults with { ScaleOutLevelsPct = p.ScaleOutLevelsPct }, p);
    }

    // ---- scale-out -------------------------------------------------------------------------------------------

    [Fact]
    public void ScaleOut_ProgressesThroughTheLevels_OneLevelPerCall()
    {
        // P&L +2.5 %, 12 shares, nothing done: level 1 % first; floor(12·25 %) = 3.
        var first = PositionExits.ScaleOut(Position(102.5, qty: 12), Defaults);
        Assert.NotNull(first);
        Assert.Equal(0, first.Value.ScaleOutLevel);
        Assert.Equal("scale_out_1pct", first.Value.Decision.Reason);
        Assert.Equal(TradeAction.Sell, first.Value.Decision.Action);
        Assert.Equal(3, first.Value.Decision.Qty);

        // 9 shares left, level 0 done: level 2 % (2.5 ≥ 2); floor(9·25 % = 2.25) = 2.
        var done = PositionExits.MarkDone(0, 0);
        var second = PositionExits.ScaleOut(Position(102.5, qty: 9, done: done), Defaults);
        Assert.NotNull(second);
        Assert.Equal(1, second.Value.ScaleOutLevel);
        Assert.Equal("scale_out_2pct", second.Value.Decision.Reason);
        Assert.Equal(2, second.Value.Decision.Qty);

        // 7 shares left, levels 0 and 1 done: 2.5 < 3 → nothing.
        done = PositionExits.MarkDone(done, 1);
        Assert.Null(PositionExits.ScaleOut(Position(102.5, qty: 7, done: done), Defaults));

        // price 103.1 → +3.1 % ≥ 3: level 3 %; floor(7·25 % = 1.75) = 1.
        var third = PositionExits.ScaleOut(Position(103.1, qty: 7, done: done), Defaults);
        Assert.NotNull(third);
        Assert.Equal(2, third.Value.ScaleOutLevel);
        Assert.Equal("scale_out_3pct", third.Value.Decision.Reason);
        Assert.Equal(1, third.Value.Decision.Qty);

        // all three done: nothing more, however high.
        done = PositionExits.MarkDone(done, 2);
        Assert.Null(PositionExits.ScaleOut(Position(110, qty: 6, done: done), Defaults));
    }

    [Theory]
    [InlineData(12L, 25.0, 3L)]  // floor(3.0) = 3
    [InlineData(3L, 25.0, 1L)]   // floor(0.75) = 0 → max(1, 0) = 1
    [InlineData(1L, 25.0, 1L)]   // floor(0.25) = 0 → 1
    [InlineData(7L, 25.0, 1L)]   // floor(1.75) = 1
    [InlineData(40L, 25.0, 10L)] // floor(10) = 10 (no 12-share cap involved)
    [InlineData(5L, 100.0, 5L)]  // floor(5) = 5 ≤ 5
    public void ScaleOut_Qty_IsMaxOneFloorOfTheShare_AtMostTheQty(long qty, double pctPerLevel, long expected)
    {
        // +1.5 %: level 1 % reached.
        var exit = PositionExits.ScaleOut(Position(101.5, qty: qty), Defaults with { ScaleOutPctPerLevel = pctPerLevel });

        Assert.Equal(expected, exit!.Value.Decision.Qty);
    }

    [Theory]
    [InlineData(99.5, 12L, true)]   // P&L −0.5 % < 0
    [InlineData(100.0, 12L, true)]  // P&L 0: no level (all levels > 0)
    [InlineData(100.9, 12L, true)]  // +0.9 % < 1 %
    [InlineData(102.5, -12L, true)] // shorts never scale out
    [InlineData(102.5, 0L, true)]   // flat
    [InlineData(102.5, 12L, false)] // SCALE_OUT_ENABLED=false
    public void ScaleOut_NothingWhenNotAWinningLongOrDisabled(double price, long qty, bool enabled)
    {
        Assert.Null(PositionExits.ScaleOut(Position(price, qty: qty), Defaults with { ScaleOutEnabled = enabled }));
    }

    [Fact]
    public void ScaleOut_TakesTheFirstUndoneLevel_InConfiguredOrder()
    {
        // Level 1 (2 %) done but level 0 (1 %) not: +2.5 % → level 0.
        var exit = PositionExits.ScaleOut(Position(102.5, done: PositionExits.MarkDone(0, 1)), Defaults);

        Assert.Equal(0, exit!.Value.ScaleOutLevel);
        Assert.Equal("scale_out_1pct", exit.Value.Decision.Reason);
    }

    [Fact]
    public void ScaleOut_FractionalLevel_IsFormattedInvariantly()
    {
        var exit = PositionExits.ScaleOut(Position(100.6), Defaults with { ScaleOutLevelsPct = [0.5] });

        Assert.Equal("scale_out_0.5pct", exit!.Value.Decision.Reason); // +0.6 % ≥ 0.5 %
    }

    [Fact]
    public void ScaleOut_RecordsPriceAndPnl()
    {
        var exit = PositionExits.ScaleOut(Position(102.5), Defaults);

        Assert.Equal(102.5, exit!.Value.Decision.Signals.Price);
        Assert.Equal(2.5, exit.Value.Decision.Signals.PnlPct!.Value, 9);
    }

    [Theory]
    [InlineData(0UL, 2, 4UL)]  // bit 2
    [InlineData(4UL, 0, 5UL)]  // bits 0 and 2
    [InlineData(5UL, 0, 5UL)]  // already done
    [InlineData(0UL, 64, 0UL)] // out of range: unchanged
    [InlineData(0UL, -1, 0UL)]
    public void MarkDone_SetsTheLevelBit(ulong done, int level, ulong expected)
    {
        Assert.Equal(expected, PositionExits.MarkDone(done, level));
    }

    [Theory]
    [InlineData(5UL, 0, true)]
    [InlineData(5UL, 1, false)]
    [InlineData(5UL, 2, true)]
    [InlineData(ulong.MaxValue, 64, false)]
    public void IsDone_ReadsTheLevelBit(ulong done, int level, bool expected)
    {
        Assert.Equal(expected, PositionExits.IsDone(done, level));
    }

    // ---- windows ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(15, 15, 49, true, false)]  // Wednesday 15:49 < 15:50
    [InlineData(15, 15, 50, true, true)]   // 15:50 ≥ 15:50
    [InlineData(15, 23, 59, true, true)]   // no upper bound until midnight
    [InlineData(18, 15, 55, true, false)]  // Saturday
    [InlineData(15, 15, 55, false, false)] // OVERNIGHT_CARRY_ENABLED=false
    public void CloseLossesWindow_WeekdaysFromCloseLossesByEt(int day, int hour, int minute, bool carry, bool expected)
    {
        var et = new DateTime(2025, 1, day, hour, minute, 0);

        Assert.Equal(expected, PositionExits.IsCloseLossesWindow(et, Defaults with { OvernightCarryEnabled = carry }));
    }

    [Fact]
    public void CloseLossesWindow_NullTime_IsOff()
    {
        Assert.False(PositionExits.IsCloseLossesWindow(Wednesday(15, 55), Defaults with { CloseLossesByEt = null }));
    }

    [Theory]
    [InlineData(15, 15, 59, 59, false)] // Wednesday 15:59:59 < 16:00
    [InlineData(15, 16, 0, 0, true)]
    [InlineData(15, 20, 30, 0, true)]
    [InlineData(19, 16, 30, 0, false)]  // Sunday
    public void HealthCheckWindow_WeekdaysFromHealthCheckEt(int day, int hour, int minute, int second, bool expected)
    {
        var et = new DateTime(2025, 1, day, hour, minute, second);

        Assert.Equal(expected, PositionExits.IsHealthCheckWindow(et, Defaults));
    }

    [Fact]
    public void HealthCheckWindow_NullTime_IsOff()
    {
        Assert.False(PositionExits.IsHealthCheckWindow(Wednesday(16, 30), Defaults with { PortfolioHealthCheckEt = null }));
    }

    // ---- close losers before the close -------------------------------------------------------------------

    [Theory]
    [InlineData(99.5, 40L, 15, 55, 40L)]  // −0.5 % at 15:55: the whole 40 shares (the reference capped at 12)
    [InlineData(100.0, 40L, 15, 55, 0L)]  // P&L 0 is not a loss
    [InlineData(101.0, 40L, 15, 55, 0L)]  // winner carried overnight
    [InlineData(99.5, -40L, 15, 55, 0L)]  // shorts are not closed
    [InlineData(99.5, 40L, 15, 45, 0L)]   // before 15:50
    public void CloseLossBeforeClose_SellsLosingLongsInTheWindow(double price, long qty, int hour, int minute, long expectedQty)
    {
        var decision = PositionExits.CloseLossBeforeClose(Position(price, qty: qty, easternNow: Wednesday(hour, minute)), Defaults);

        if (expectedQty == 0)
        {
            Assert.Null(decision);
            return;
        }

        Assert.Equal(TradeAction.Sell, decision!.Value.Action);
        Assert.Equal("close_loss_before_close", decision.Value.Reason);
        Assert.Equal(expectedQty, decision.Value.Qty);
    }

    // ---- portfolio health check ------------------------------------------------------------------------------

    [Theory]
    [InlineData(99.5, 16, 5, 40L)]  // −0.5 % at 16:05: whole position
    [InlineData(100.5, 16, 5, 0L)]  // winner kept
    [InlineData(99.5, 15, 55, 0L)]  // before 16:00
    public void PortfolioHealthCheck_SellsLosingLongsInTheWindow(double price, int hour, int minute, long expectedQty)
    {
        var decision = PositionExits.PortfolioHealthCheck(Position(price, qty: 40, easternNow: Wednesday(hour, minute)), Defaults);

        if (expectedQty == 0)
        {
            Assert.Null(decision);
            return;
        }

        Assert.Equal(TradeAction.Sell, decision!.Value.Action);
        Assert.Equal("portfolio_health_check_loser", decision.Value.Reason);
        Assert.Equal(expectedQty, decision.Value.Qty);
    }

    [Fact]
    public void PortfolioHealthCheck_HoldsWithoutOvernightCarry()
    {
        // The health check does not depend on OVERNIGHT_CARRY_ENABLED.
        var decision = PositionExits.PortfolioHealthCheck(Position(99, easternNow: Wednesday(16, 1)), Defaults with { OvernightCarryEnabled = false });

        Assert.Equal("portfolio_health_check_loser", decision!.Value.Reason);
    }

    // ---- flat when the daily target is hit -------------------------------------------------------------------

    [Theory]
    [InlineData(true, DailyCapState.TargetReached, 20L, TradeAction.Sell, 20L)] // long: sell all
    [InlineData(true, DailyCapState.TargetReached, -7L, TradeAction.Buy, 7L)]   // short: buy 7 to cover
    [InlineData(false, DailyCapState.TargetReached, 20L, TradeAction.Hold, 0L)] // FLAT_WHEN_DAILY_TARGET_HIT=false
    [InlineData(true, DailyCapState.LossCapReached, 20L, TradeAction.Hold, 0L)] // a loss cap does not flatten
    [InlineData(true, DailyCapState.Open, 20L, TradeAction.Hold, 0L)]
    [InlineData(true, DailyCapState.TargetReached, 0L, TradeAction.Hold, 0L)]   // nothing held
    public void DailyTargetHit_ClosesWholePositions(bool enabled, DailyCapState cap, long qty, TradeAction action, long expectedQty)
    {
        var decision = PositionExits.DailyTargetHit(Position(101, qty: qty, cap: cap), Defaults with { FlatWhenDailyTargetHit = enabled });

        if (action == TradeAction.Hold)
        {
            Assert.Null(decision);
            return;
        }

        Assert.Equal(action, decision!.Value.Action);
        Assert.Equal("daily_target_hit", decision.Value.Reason);
        Assert.Equal(expectedQty, decision.Value.Qty);
    }

    // ---- order of evaluation ----------------------------------------------------------------------------------

    [Fact]
    public void Evaluate_DailyTargetComesBeforeTheScaleOut()
    {
        // +2.5 % would scale out 3 of 12; the daily target closes all 12 instead (never both: no oversell).
        var input = Position(102.5, cap: DailyCapState.TargetReached);

        var exit = PositionExits.Evaluate(input, Defaults with { FlatWhenDailyTargetHit = true });

        Assert.Equal("daily_target_hit", exit!.Value.Decision.Reason);
        Assert.Equal(12, exit.Value.Decision.Qty);
        Assert.Null(exit.Value.ScaleOutLevel);
    }

    [Theory]
    [InlineData(true, "close_loss_before_close")]       // 16:05: both windows; close losers comes first
    [InlineData(false, "portfolio_health_check_loser")] // without overnight carry only the health check applies
    public void Evaluate_LoserWindows(bool carry, string reason)
    {
        var exit = PositionExits.Evaluate(Position(99.5, easternNow: Wednesday(16, 5)), Defaults with { OvernightCarryEnabled = carry });

        Assert.Equal(reason, exit!.Value.Decision.Reason);
        Assert.Equal(12, exit.Value.Decision.Qty);
    }

    [Fact]
    public void Evaluate_ScaleOutReturnsTheLevelToMarkDone()
    {
        // Noon, +1.5 %: level 0, floor(12·25 %) = 3.
        var exit = PositionExits.Evaluate(Position(101.5), Defaults);

        Assert.Equal("scale_out_1pct", exit!.Value.Decision.Reason);
        Assert.Equal(0, exit.Value.ScaleOutLevel);
        Assert.Equal(3, exit.Value.Decision.Qty);
    }

    [Fact]
    public void Evaluate_NothingToDo_ReturnsNull()
    {
        // Noon, −0.5 %: no window, no scale-out (the stop loss belongs to GreenLightStrategy.Decide).
        Assert.Null(PositionExits.Evaluate(Position(99.5), Defaults));
    }
}
