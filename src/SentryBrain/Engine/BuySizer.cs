using SentryBrain.Config;
using SentryBrain.Execution;
using SentryBrain.Market;
using SentryBrain.Rules;
using SentryBrain.Strategy;

namespace SentryBrain.Engine;

/// <summary>
/// Shares to buy, sized as the backtester sizes them (<see cref="OrderPlanning.SizedBuyQty"/>: risk per trade, Kelly
/// from the recorded round trips, ATR, the SPY regime, the correlation with holdings), then scaled by the size
/// multiplier, and never more than cash pays for. A multiplier other than <see cref="UnitSize"/> is recorded in the
/// decision's signals (<see cref="DecisionSignals.Conviction"/>), so the journal shows what scaled the buy.
/// </summary>
public sealed class BuySizer(BrainConfig config, ISizeMultiplier multiplier)
{
    private const int CorrelationDays = 21;

    /// <param name="limit">The buy limit, or null for a market order (the entry price is the cost then).</param>
    public Decision Size(SymbolState state, in Decision decision, long heldQty, double equity, IBroker? broker, IReadOnlyList<double> roundTrips, bool spyBelow200ma, double? limit, SymbolRegistry symbols)
    {
        var price = state.EntryPrice;
        var correlated = config.CorrelationCheckEnabled && IsCorrelatedWithHolding(state, broker, symbols);
        var qty = OrderPlanning.SizedBuyQty(config, equity, price, heldQty, state.Indicators?.Atr, roundTrips, correlated, spyBelow200ma);
        var m = multiplier.Multiplier(state.Symbol, decision);
        qty = SizeMultipliers.Apply(qty, m);
        var affordable = broker is null ? qty : OrderPlanning.AffordableQty(broker.Cash, limit ?? price);
        // The multiplier used (as applied: broken counts as 0, capped at the maximum) is journaled with the buy.
        var used = double.IsFinite(m) && m > 0 ? Math.Min(m, SizeMultipliers.Max) : 0;
        var sized = multiplier is UnitSize ? decision : decision with { Signals = decision.Signals with { Conviction = used } };
        return qty <= 0 ? sized with { Action = TradeAction.Hold, Reason = "size_below_one_share" }
            : affordable <= 0 ? sized with { Action = TradeAction.Hold, Reason = "insufficient_cash" }
            : sized with { Qty = Math.Min(qty, affordable) };
    }

    /// <summary>Whether 21-day daily-return correlation with any held symbol is at least CORRELATION_THRESHOLD.</summary>
    private bool IsCorrelatedWithHolding(SymbolState candidate, IBroker? broker, SymbolRegistry symbols)
    {
        if (broker is null || candidate.Indicators is not { } mine)
        {
            return false;
        }

        Span<double> a = stackalloc double[CorrelationDays];
        Span<double> b = stackalloc double[CorrelationDays];
        var na = mine.DailyReturns(a);
        foreach (var position in broker.Positions)
        {
            if (position.Symbol == candidate.Symbol || symbols.Find(position.Symbol)?.Indicators is not { } theirs)
            {
                continue;
            }

            var nb = theirs.DailyReturns(b);
            var n = Math.Min(na, nb);
            if (SizingAdjustments.Correlation(a[(na - n)..na], b[(nb - n)..nb]) >= config.CorrelationThreshold)
            {
                return true;
            }
        }

        return false;
    }
}
