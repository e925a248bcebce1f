using SentryBrain.Rules;

namespace SentryBrain.Strategy;

/// <summary>
/// Everything one Green Light decision looks at, gathered by the engine (no I/O, no clock here). Percentages are in
/// percent (1.0 = 1 %). Optional indicator inputs are null while unknown (warming up); non-finite values count as
/// unknown.
/// </summary>
/// <param name="RegularSession">The symbol's session is the regular session (gates entries only).</param>
/// <param name="HeldQty">Signed position: long &gt; 0, flat 0, short &lt; 0.</param>
/// <param name="AvgEntryPrice">Average entry price of the position (cost basis / qty); ignored when flat.</param>
/// <param name="CurrentPrice">
/// Mark price: for a position the price we could sell at, when flat the price we would pay. The unrealized P&amp;L is
/// computed here from it and <paramref name="AvgEntryPrice"/> (<see cref="GreenLightStrategy.PnlPct"/>); the caller
/// should track <paramref name="PeakPnlPct"/> with the same function.
/// </param>
/// <param name="PeakPnlPct">Best P&amp;L % seen since entry (null = none yet); the current P&amp;L raises it here if higher.</param>
/// <param name="DaysHeld">Whole days since entry (floor).</param>
/// <param name="ScaledAtVwap">The 50 % scale-out at VWAP was already sent for this position (the caller sets it after step 4).</param>
/// <param name="InHealthCheckWindow">ET ≥ <c>PORTFOLIO_HEALTH_CHECK_ET</c> on a weekday (<see cref="PositionExits.IsHealthCheckWindow"/>).</param>
/// <param name="AtrStopPct">ATR stop distance in % of price (ATR × <c>ATR_STOP_MULTIPLE</c> / price × 100); null ⇒ derived from <paramref name="AtrPct"/>.</param>
/// <param name="VwapDistancePct">(price − VWAP) / VWAP × 100.</param>
/// <param name="AtrPct">ATR in % of price (ATR / price × 100).</param>
/// <param name="ZScore">Returns Z-score.</param>
/// <param name="AtrPercentile">ATR percentile; recorded in the signals only (the reference never used it).</param>
/// <param name="StructureOk">Higher-timeframe structure / trend filter (null = unknown, passes).</param>
/// <param name="TechnicalScore">Technical score ∈ [−1, 1] (null = warming up, fails item 2).</param>
/// <param name="MomentumOk">RSI bullish divergence or MACD histogram turn (null when &lt; 20 values).</param>
/// <param name="Ofi">Order-flow imbalance ∈ [−1, 1] (null = unknown, passes item 4).</param>
/// <param name="Rsi">RSI (null = warming up; no overbought veto).</param>
/// <param name="ProbGain">prob_gain ∈ [0, 1].</param>
/// <param name="KillSwitchReason">Non-null while the kill switch is on; becomes the hold reason (<c>kill_switch_*</c>).</param>
/// <param name="DailyCap">Daily profit target / loss cap latch.</param>
/// <param name="DrawdownHalted">Drawdown halt is active.</param>
/// <param name="NoNewBuysWindow">ET ≥ <c>NO_NEW_BUYS_AFTER_ET</c>.</param>
/// <param name="HasOpenBuy">An unfilled buy order is open for the symbol.</param>
/// <param name="HasOpenSell">An unfilled sell order is open for the symbol.</param>
/// <param name="InCooldown">Within <c>ORDER_COOLDOWN_SEC</c> of the symbol's last order.</param>
/// <param name="EntryAllowed">The symbol is on the watchlist (gates entries only).</param>
/// <param name="SpyBelow200ma">SPY is below its 200-day SMA (and the regime filter is enabled).</param>
public readonly record struct GreenLightInput(
    bool RegularSession,
    long HeldQty,
    double AvgEntryPrice,
    double CurrentPrice,
    double? PeakPnlPct,
    int DaysHeld,
    bool ScaledAtVwap,
    bool InHealthCheckWindow,
    double? AtrStopPct,
    double? VwapDistancePct,
    double? AtrPct,
    double? ZScore,
    double? AtrPercentile,
    bool? StructureOk,
    double? TechnicalScore,
    bool? MomentumOk,
    double? Ofi,
    double? Rsi,
    double ProbGain,
    string? KillSwitchReason,
    DailyCapState DailyCap,
    bool DrawdownHalted,
    bool NoNewBuysWindow,
    bool HasOpenBuy,
    bool HasOpenSell,
    bool InCooldown,
    bool EntryAllowed,
    bool SpyBelow200ma);
