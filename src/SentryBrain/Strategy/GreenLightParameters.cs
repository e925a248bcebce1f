namespace SentryBrain.Strategy;

/// <summary>
/// Every knob the Green Light strategy (<see cref="GreenLightStrategy.Decide"/>) reads, BEHAVIOR §4/§5. All
/// percentages are in percent (1.0 = 1 %). <see cref="Default"/> holds the reference defaults of BEHAVIOR §10.
/// </summary>
/// <param name="RegularSessionOnly"><c>STRATEGY_REGULAR_SESSION_ONLY</c> (true): no entries outside the regular session. Exits run in every session.</param>
/// <param name="UseAtrStop"><c>USE_ATR_STOP</c> (true): stop at the ATR stop % when it is known, else <paramref name="StopLossPct"/>.</param>
/// <param name="AtrStopMultiple"><c>ATR_STOP_MULTIPLE</c> (2.0): ATR stop % = ATR % × this, when the caller supplies only ATR %.</param>
/// <param name="TakeProfitRMultiple"><c>TAKE_PROFIT_R_MULTIPLE</c> (1.2): take profit = ATR stop % × this while the ATR stop is in force (0 ⇒ use <paramref name="TakeProfitPct"/>).</param>
/// <param name="StopLossPct"><c>STOP_LOSS_PCT</c> (1.0): fixed stop when no ATR stop applies (0 ⇒ off).</param>
/// <param name="TakeProfitPct"><c>TAKE_PROFIT_PCT</c> (2.0): fixed take profit when no ATR stop applies (0 ⇒ off).</param>
/// <param name="TakeProfitAtVwap"><c>TAKE_PROFIT_AT_VWAP</c> (true): sell once price is at or above VWAP.</param>
/// <param name="ScaleOut50AtVwap"><c>SCALE_OUT_50_AT_VWAP</c> (true): first sell half at VWAP (needs <paramref name="TakeProfitAtVwap"/>).</param>
/// <param name="TrailingAtrAboveVwap"><c>TRAILING_ATR_ABOVE_VWAP</c> (true): above VWAP, trail <paramref name="TrailingAtrMultiple"/> ATRs below the peak.</param>
/// <param name="TrailingAtrMultiple"><c>TRAILING_ATR_MULTIPLE</c> (1.5).</param>
/// <param name="BreakevenAtHalfwayToVwap"><c>BREAKEVEN_AT_HALFWAY_TO_VWAP</c> (true): once the peak got halfway from entry to VWAP, sell at P&amp;L ≤ 0.</param>
/// <param name="BreakevenActivationPct"><c>BREAKEVEN_ACTIVATION_PCT</c> (1.0): peak P&amp;L that arms the breakeven exit (0 ⇒ off).</param>
/// <param name="TrailingStopActivationPct"><c>TRAILING_STOP_ACTIVATION_PCT</c> (2.0): peak P&amp;L that arms the trailing stop (0 ⇒ off).</param>
/// <param name="TrailingStopPct"><c>TRAILING_STOP_PCT</c> (1.0): trailing distance below the peak P&amp;L (0 ⇒ off).</param>
/// <param name="MaxHoldDays"><c>MAX_HOLD_DAYS</c> (10): sell after this many days held (0 ⇒ off).</param>
/// <param name="TechnicalMinForEntry"><c>TECHNICAL_MIN_FOR_ENTRY</c> (−0.35): checklist item 2.</param>
/// <param name="ConfluenceZMax"><c>CONFLUENCE_Z_MAX</c> (0.5): checklist item 2, confluence Z ≤ this (or price at/above VWAP).</param>
/// <param name="ScalpSkipMomentum"><c>SCALP_SKIP_MOMENTUM</c> (true): skip checklist item 3.</param>
/// <param name="OfiSurgeForEntry"><c>OFI_SURGE_FOR_ENTRY</c> (0.0): checklist item 4.</param>
/// <param name="RsiOverbought"><c>RSI_OVERBOUGHT</c> (80): checklist item 5.</param>
/// <param name="RsiOverboughtOfiMin"><c>RSI_OVERBOUGHT_OFI_MIN</c> (0.10): OFI an overbought entry needs.</param>
/// <param name="ProbGainThreshold"><c>PROB_GAIN_THRESHOLD</c> (0.12): checklist item 6.</param>
/// <param name="SpyBelow200maZTighten">
/// <c>SPY_BELOW_200MA_Z_TIGHTEN</c> (−2.8): while the caller reports SPY below its 200-day SMA, an entry additionally
/// needs Z ≤ this when Z is known (unknown Z does not block). The caller reports "below" only when
/// <c>SPY_200MA_REGIME_ENABLED</c>; the reference never applied this value.
/// </param>
public sealed record GreenLightParameters(
    bool RegularSessionOnly,
    bool UseAtrStop,
    double AtrStopMultiple,
    double TakeProfitRMultiple,
    double StopLossPct,
    double TakeProfitPct,
    bool TakeProfitAtVwap,
    bool ScaleOut50AtVwap,
    bool TrailingAtrAboveVwap,
    double TrailingAtrMultiple,
    bool BreakevenAtHalfwayToVwap,
    double BreakevenActivationPct,
    double TrailingStopActivationPct,
    double TrailingStopPct,
    int MaxHoldDays,
    double TechnicalMinForEntry,
    double ConfluenceZMax,
    bool ScalpSkipMomentum,
    double OfiSurgeForEntry,
    double RsiOverbought,
    double RsiOverboughtOfiMin,
    double ProbGainThreshold,
    double SpyBelow200maZTighten)
{
    /// <summary>The reference defaults (BEHAVIOR §10).</summary>
    public static GreenLightParameters Default { get; } = new(
        RegularSessionOnly: true,
        UseAtrStop: true,
        AtrStopMultiple: 2.0,
        TakeProfitRMultiple: 1.2,
        StopLossPct: 1.0,
        TakeProfitPct: 2.0,
        TakeProfitAtVwap: true,
        ScaleOut50AtVwap: true,
        TrailingAtrAboveVwap: true,
        TrailingAtrMultiple: 1.5,
        BreakevenAtHalfwayToVwap: true,
        BreakevenActivationPct: 1.0,
        TrailingStopActivationPct: 2.0,
        TrailingStopPct: 1.0,
        MaxHoldDays: 10,
        TechnicalMinForEntry: -0.35,
        ConfluenceZMax: 0.5,
        ScalpSkipMomentum: true,
        OfiSurgeForEntry: 0.0,
        RsiOverbought: 80,
        RsiOverboughtOfiMin: 0.10,
        ProbGainThreshold: 0.12,
        SpyBelow200maZTighten: -2.8);

    /// <summary>The parameters of a loaded configuration.</summary>
    public static GreenLightParameters From(Config.BrainConfig c) => new(
        c.RegularSessionOnly,
        c.UseAtrStop,
        c.AtrStopMultiple,
        c.TakeProfitRMultiple,
        c.StopLossPct,
        c.TakeProfitPct,
        c.TakeProfitAtVwap,
        c.ScaleOut50AtVwap,
        c.TrailingAtrAboveVwap,
        c.TrailingAtrMultiple,
        c.BreakevenAtHalfwayToVwap,
        c.BreakevenActivationPct,
        c.TrailingStopActivationPct,
        c.TrailingStopPct,
        c.MaxHoldDays,
        c.TechnicalMinForEntry,
        c.ConfluenceZMax,
        c.ScalpSkipMomentum,
        c.OfiSurgeForEntry,
        c.RsiOverbought,
        c.RsiOverboughtOfiMin,
        c.ProbGainThreshold,
        c.SpyBelow200maZTighten);
}
