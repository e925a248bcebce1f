using SentryBrain.Strategy;

namespace SentryBrain.Learning;

/// <summary>
/// Entry and exit lines of the experience buffer, built the same way live (<see cref="ExperienceRecorder"/>) and in the
/// backtest: an entry carries the signals of the decision that bought; an exit carries its entry's features, setup,
/// time, reason and price, and the P&amp;L of the quantity it closed.
/// </summary>
public static class ExperienceRows
{
    public const string Live = "live";
    public const string Backtest = "backtest";

    /// <param name="signals">The buy decision's signals; null when the decision is unknown (no features).</param>
    public static ExperienceRecord Entry(
        string symbol, DateTime ts, string? tradeId, string? clientOrderId, double price, long qty, string reason, in DecisionSignals? signals, string source)
    {
        var s = signals ?? default;
        var known = signals.HasValue;
        return new ExperienceRecord
        {
            Action = "entry",
            Symbol = symbol,
            Ts = ts,
            TradeId = tradeId,
            ClientOrderId = clientOrderId,
            Price = price,
            Qty = qty,
            Reason = reason,
            Setup = known ? s.Setup : null,
            Source = source,
            ZScore = s.ZScore,
            Rsi = s.Rsi,
            MacdAboveZero = s.MacdAboveZero,
            Ofi = s.Ofi,
            AtrPct = s.AtrPct,
            AtrPercentile = s.AtrPercentile,
            TechnicalScore = s.TechnicalScore,
            ProbGain = s.ProbGain,
            StructureOk = s.StructureOk,
            Regime = s.Regime,
            Sentiment = s.News,
            VwapDistancePct = s.VwapDistancePct,
        };
    }

    /// <summary>
    /// The exit of <paramref name="qty"/> shares at <paramref name="price"/> of the trade that <paramref name="entry"/>
    /// opened (null: unknown trade, no features). P&amp;L is against <paramref name="entryPrice"/> (the position's average
    /// entry; ≤ 0 = the entry line's price), commissions not included: <c>pnl_pct = (price − entry) / entry × 100</c>,
    /// <c>realized_pl = (price − entry) × qty</c>.
    /// </summary>
    public static ExperienceRecord Exit(
        ExperienceRecord? entry, string symbol, DateTime ts, string? clientOrderId, double price, long qty, string exitReason, double entryPrice, string source)
    {
        var basis = entryPrice > 0 ? entryPrice : entry?.Price ?? 0;
        double? pnlPct = basis > 0 ? (price - basis) / basis * 100 : null;
        double? realized = basis > 0 ? (price - basis) * qty : null;
        var features = entry ?? new ExperienceRecord { Action = "entry", Symbol = symbol, Ts = ts };
        return features with
        {
            Action = "exit",
            Symbol = symbol,
            Ts = ts,
            TradeId = entry?.TradeId,
            ClientOrderId = clientOrderId,
            Price = price,
            Qty = qty,
            Reason = exitReason,
            Source = source,
            ExitReason = exitReason,
            PnlPct = pnlPct,
            RealizedPl = realized,
            EntryTs = entry?.Ts,
            EntryReason = entry?.Reason,
            EntryPrice = basis > 0 ? basis : null,
        };
    }
}
