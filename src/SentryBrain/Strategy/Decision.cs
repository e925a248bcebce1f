namespace SentryBrain.Strategy;

public enum TradeAction : byte
{
    Hold = 0,
    Buy = 1,
    Sell = 2,
}

/// <summary>The signal values a decision used; journaled with it so every trade can be explained.</summary>
public readonly record struct DecisionSignals(
    double? News,
    double Momentum,
    double Social,
    double? Rsi,
    double? RsiScore,
    int PositiveSources,
    double Price,
    double? PnlPct);

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
