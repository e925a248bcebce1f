namespace SentryBrain.Screening;

/// <summary>
/// The screen's order-flow skew (<c>SCREENER_USE_OFI</c>): where the latest trade printed inside the latest NBBO,
/// clamp((trade − mid) / half-spread, −1, 1): +1 at or above the ask (buyers lifting it), −1 at or below the bid, 0 at
/// the mid. One snapshot, not the engine's windowed OFI; the score adds its magnitude (BEHAVIOR.md §8.3).
/// </summary>
public static class OfiSkew
{
    /// <summary>
    /// Prints older than this (against the screen's run time) are ignored. 24 h lets a pre-market screen on Tuesday to
    /// Friday use the previous evening's prints (at most about 15 h old); after a weekend or a holiday they are older,
    /// and a quote that old says nothing about the coming session, so the screen then ranks without OFI.
    /// </summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromHours(24);

    /// <summary>
    /// The skew in [−1, 1], or null when it cannot be trusted: no bid (≤ 0), ask not above the bid (crossed, locked
    /// or zero spread), a trade price ≤ 0, any non-finite value, or a print older than <paramref name="maxAge"/> at
    /// <paramref name="nowUtc"/>. Never NaN, never throws.
    /// </summary>
    public static double? Compute(
        double tradePrice,
        DateTime tradeUtc,
        double bid,
        double ask,
        DateTime quoteUtc,
        DateTime nowUtc,
        TimeSpan maxAge)
    {
        if (!double.IsFinite(tradePrice) || !(tradePrice > 0) || !double.IsFinite(bid) || !double.IsFinite(ask) || !(bid > 0) || !(ask > bid))
        {
            return null;
        }

        if (Stale(tradeUtc, nowUtc, maxAge) || Stale(quoteUtc, nowUtc, maxAge))
        {
            return null;
        }

        // Both sides positive and finite: ask − bid cannot overflow; half of a subnormal spread can round to 0.
        var half = (ask - bid) / 2;
        if (!(half > 0))
        {
            return null;
        }

        var skew = (tradePrice - (bid + half)) / half; // may be ±∞ for a tiny spread: the clamp takes it to ±1
        return double.IsNaN(skew) ? null : Math.Clamp(skew, -1, 1);
    }

    /// <summary>The skew of the latest trade against the latest quote (see <see cref="Compute(double, DateTime, double, double, DateTime, DateTime, TimeSpan)"/>).</summary>
    public static double? Compute(Market.Alpaca.AlpacaTrade? trade, Market.Alpaca.AlpacaQuote? quote, DateTime nowUtc, TimeSpan maxAge) =>
        trade is null || quote is null
            ? null
            : Compute(trade.Price, trade.TimestampUtc, quote.BidPrice, quote.AskPrice, quote.TimestampUtc, nowUtc, maxAge);

    /// <summary>Older than <paramref name="maxAge"/>; a print slightly ahead of our clock (skew between machines) is fresh.</summary>
    private static bool Stale(DateTime printUtc, DateTime nowUtc, TimeSpan maxAge) =>
        printUtc == default || ToUtc(nowUtc) - ToUtc(printUtc) > maxAge;

    private static DateTime ToUtc(DateTime t) => t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
