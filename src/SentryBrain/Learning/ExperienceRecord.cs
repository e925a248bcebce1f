namespace SentryBrain.Learning;

/// <summary>
/// One line of the experience buffer (BEHAVIOR.md §6.1, JSONL, snake_case names): an entry or an exit <b>fill</b>.
/// The feature fields (<see cref="ZScore"/> … <see cref="VwapDistancePct"/>) are the signals of the decision that
/// opened the trade: on an entry line its own, on an exit line copied from its entry, so every exit line is a
/// complete training row even after the entry line was trimmed away. Exits are linked to their entry by
/// <see cref="TradeId"/>; a partial exit is one line with its own quantity and P&amp;L.
/// Lines in the reference's format (no trade id, exit-time features, <c>unrealized_pl_pct_at_exit</c> as a decimal)
/// read into the same record.
/// </summary>
public sealed record ExperienceRecord
{
    /// <summary><c>entry</c> or <c>exit</c>.</summary>
    public required string Action { get; init; }

    public required string Symbol { get; init; }

    /// <summary>Fill time (UTC; event time live, the fill's day in a backtest).</summary>
    public required DateTime Ts { get; init; }

    /// <summary>Shared by an entry and its exits; null in the reference's lines.</summary>
    public string? TradeId { get; init; }

    public string? ClientOrderId { get; init; }

    /// <summary>Fill price.</summary>
    public double Price { get; init; }

    public long Qty { get; init; }

    /// <summary>The decision's reason (an exit's: why it sold).</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>The entry's setup key (<see cref="LearningSignals.SetupKey"/>), on entries and exits.</summary>
    public string? Setup { get; init; }

    /// <summary><c>live</c> or <c>backtest</c>.</summary>
    public string? Source { get; init; }

    public double? ZScore { get; init; }

    public double? Rsi { get; init; }

    public bool? MacdAboveZero { get; init; }

    public double? Ofi { get; init; }

    public double? AtrPct { get; init; }

    public double? AtrPercentile { get; init; }

    public double? TechnicalScore { get; init; }

    public double? ProbGain { get; init; }

    public bool? StructureOk { get; init; }

    /// <summary><c>trend</c>, <c>range</c> (the reference's <c>mean_reversion</c> reads as range) or <c>neutral</c>.</summary>
    public string? Regime { get; init; }

    /// <summary>News sentiment the entry saw, [−1, 1].</summary>
    public double? Sentiment { get; init; }

    public double? VwapDistancePct { get; init; }

    // Exit lines only

    public string? ExitReason { get; init; }

    /// <summary>P&amp;L of the closed quantity against the entry price, percent (1.0 = 1 %).</summary>
    public double? PnlPct { get; init; }

    /// <summary>P&amp;L of the closed quantity, dollars.</summary>
    public double? RealizedPl { get; init; }

    public DateTime? EntryTs { get; init; }

    public string? EntryReason { get; init; }

    public double? EntryPrice { get; init; }
}
