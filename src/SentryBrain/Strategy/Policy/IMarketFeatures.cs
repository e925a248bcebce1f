namespace SentryBrain.Strategy;

/// <summary>
/// What the data feed knows about one symbol at the decision (live: ticks, 1-minute bars and the daily history;
/// backtest: daily bars). Percentages are in percent (1.0 = 1 %); an unknown value (warming up, not available from
/// this feed) is null and each policy documents how it treats it. Members read state only: asking never changes
/// the feed, in any order, any number of times.
/// </summary>
public interface IMarketFeatures
{
    /// <summary>The price a buy would pay now (live: the ask, else the last trade, else the mid; daily bars: the close).</summary>
    double EntryPrice { get; }

    /// <summary>The price a sell would get now (live: the bid, else the last trade, else the mid; daily bars: the close).</summary>
    double ExitPrice { get; }

    /// <summary>
    /// True when <see cref="StructureOk"/>, <see cref="TechnicalScore"/> and <see cref="MomentumOk"/> are already
    /// computed (free to read: ask for them always, so they are journaled with every decision); false when they cost
    /// a computation (ask only when they can change the decision).
    /// </summary>
    bool SignalsPrecomputed { get; }

    /// <summary>Z-score of the return from the last daily close to <paramref name="price"/> against the previous daily returns.</summary>
    /// <param name="price">The price to judge (the entry or exit price).</param>
    double? ZScore(double price);

    /// <summary>Daily ATR in percent of <paramref name="price"/>.</summary>
    /// <param name="price">The price to relate the ATR to.</param>
    double? AtrPct(double price);

    /// <summary>(price − today's session VWAP) / VWAP · 100; null before the session's first bar or without intraday bars.</summary>
    /// <param name="price">The price to compare with the VWAP.</param>
    double? VwapDistancePct(double price);

    /// <summary>Percentile of today's ATR among the recent ATRs.</summary>
    double? AtrPercentile { get; }

    /// <summary>Order-flow imbalance ∈ [−1, 1]; null when unknown or switched off (<c>USE_OFI=false</c>).</summary>
    double? Ofi { get; }

    /// <summary>RSI (live: of 1-minute bars; daily bars: of the completed daily closes).</summary>
    double? Rsi { get; }

    /// <summary>prob_gain ∈ [0, 1] from <see cref="Return1"/>, <see cref="Return5"/> and the volatility.</summary>
    double ProbGain { get; }

    /// <summary>Fresh news sentiment ∈ [−1, 1] (one headline justifies one entry); null when none.</summary>
    double? News { get; }

    /// <summary>Return over the last period (live: 1 minute; daily bars: today's close vs yesterday's), 0.01 = 1 %; 0 when unknown.</summary>
    double Return1 { get; }

    /// <summary>Return over the last 5 periods (live: 5 minutes; daily bars: 5 days), 0.01 = 1 %; 0 when unknown.</summary>
    double Return5 { get; }

    /// <summary>Higher-timeframe structure (EMA trend, no double top, no bearish head and shoulders), else the trend filter; null = unknown.</summary>
    bool? StructureOk();

    /// <summary>Technical score ∈ [−1, 1] of the recent closes (live: 1-minute bars; daily bars: completed days).</summary>
    double? TechnicalScore();

    /// <summary>Momentum item: RSI bullish divergence or MACD histogram turn of the recent closes; null while warming up.</summary>
    bool? MomentumOk();

    /// <summary>How many completed daily closes <see cref="DailyCloses"/> can give (at most 260).</summary>
    int DailyCloseCount { get; }

    /// <summary>
    /// The newest <paramref name="n"/> completed daily closes (fewer when fewer are known), oldest first; today's price
    /// is not among them. The span may be a scratch buffer: read it before the next call.
    /// </summary>
    /// <param name="n">How many closes.</param>
    ReadOnlySpan<double> DailyCloses(int n);
}
