namespace SentryBrain.Strategy;

public enum TradeAction : byte
{
    Hold = 0,
    Buy = 1,
    Sell = 2,
}

/// <summary>
/// The signal values a decision used; journaled with it so every trade can be explained. The members after
/// <see cref="PnlPct"/> are the Green Light strategy's inputs (null when unknown or not used by the strategy);
/// percentages are in percent (1.0 = 1 %). <see cref="Detail"/> is a short, stable, comma-separated list of
/// tokens explaining the reason further (for example which checklist input was missing and passed).
/// <see cref="MacdAboveZero"/>, <see cref="Regime"/> and <see cref="Setup"/> are added to buys and sells after the
/// strategy decided (<see cref="Learning.LearningSignals.Enrich"/>), for the experience buffer and the generated rules;
/// <see cref="Conviction"/> is the size multiplier conviction sizing applied to a buy. <see cref="NewsMarket"/> is the
/// market-wide news sentiment (news without symbols) while fresh, added by the engine to every decision.
/// </summary>
public readonly record struct DecisionSignals(
    double? News,
    double Momentum,
    double Social,
    double? Rsi,
    double? RsiScore,
    int PositiveSources,
    double Price,
    double? PnlPct,
    double? PeakPnlPct = null,
    double? StopPct = null,
    double? TakeProfitPct = null,
    double? AtrStopPct = null,
    double? AtrPct = null,
    double? VwapDistancePct = null,
    double? ZScore = null,
    double? AtrPercentile = null,
    bool? StructureOk = null,
    double? TechnicalScore = null,
    bool? MomentumOk = null,
    double? Ofi = null,
    double? ProbGain = null,
    string? Detail = null,
    bool? MacdAboveZero = null,
    string? Regime = null,
    string? Setup = null,
    double? Conviction = null,
    double? NewsMarket = null);

/// <summary>A strategy decision. For buys, <see cref="Qty"/> is filled in by sizing.</summary>
public readonly record struct Decision(TradeAction Action, long Qty, string Reason, DecisionSignals Signals)
{
    public static string ActionName(TradeAction action) => action switch
    {
        TradeAction.Buy => "buy",
        TradeAction.Sell => "sell",
        _ => "hold",
    };
}
