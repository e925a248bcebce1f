using SentryBrain.Execution;
using SentryBrain.Rules;
using SentryBrain.Strategy;

namespace SentryBrain.Backtesting;

/// <summary>One simulated fill; the price includes slippage, the commission is separate.</summary>
public sealed record BacktestFill(DateOnly Date, string Symbol, string Side, long Qty, double Price, double Commission, string Reason);

/// <summary>
/// One round trip: from flat to flat. Partial exits (scale-outs) are part of it: <see cref="ExitPrice"/> is the
/// quantity-weighted mean of its sells, <see cref="Pnl"/> is net of every commission.
/// </summary>
public sealed record RoundTrip(
    string Symbol,
    DateOnly EntryDate,
    DateOnly ExitDate,
    long Qty,
    double EntryPrice,
    double ExitPrice,
    double Pnl,
    double ReturnPct,
    int Exits,
    string EntryReason,
    string ExitReason);

/// <summary>A decision as the strategy made it at a close (before sizing and fills); <paramref name="News"/> is the news source it saw (decision signals), null without.</summary>
public readonly record struct DecisionRecord(DateOnly Date, string Symbol, TradeAction Action, long Qty, string Reason, double? News = null);

/// <summary>Everything a run produced; statistics are derived by <see cref="BacktestStatistics"/>.</summary>
public sealed class BacktestResult
{
    public required DateOnly[] Dates { get; init; }

    /// <summary>Equity at each day's close from <see cref="BacktestOptions.TradeFromDay"/> on (index 0 = that day).</summary>
    public required double[] Equity { get; init; }

    public required double StartEquity { get; init; }

    public required IReadOnlyList<BacktestFill> Fills { get; init; }

    public required IReadOnlyList<RoundTrip> RoundTrips { get; init; }

    /// <summary>Round trips still open at the end, marked at the last close (not counted as trades).</summary>
    public required int OpenPositions { get; init; }

    public required int DaysDailyCapHit { get; init; }

    public required int DaysLossCapHit { get; init; }

    /// <summary>Days (from the first traded day) with any position at the close.</summary>
    public required int DaysInMarket { get; init; }

    public required string[] Symbols { get; init; }

    /// <summary>Days each symbol was held at the close.</summary>
    public required int[] SymbolDaysInMarket { get; init; }

    public required IReadOnlyList<DecisionRecord> Decisions { get; init; }

    /// <summary>Bars the strategies consumed (symbol-days with a bar).</summary>
    public required long BarsProcessed { get; init; }

    /// <summary>Each traded day's screen (<see cref="BacktestOptions.Screen"/>); null without a screen.</summary>
    public IReadOnlyList<ScreenDay>? Screens { get; init; }

    /// <summary>Buys each generated rule blocked (<see cref="BacktestOptions.Rules"/>), in file order; null without rules.</summary>
    public IReadOnlyList<RuleBlockCount>? RuleBlocks { get; init; }

    /// <summary>What the run did with the news (<see cref="BacktestOptions.News"/>); null without news.</summary>
    public BacktestNewsStats? News { get; init; }
}
