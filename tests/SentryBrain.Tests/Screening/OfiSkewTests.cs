using SentryBrain.Market.Alpaca;
using SentryBrain.Screening;

namespace SentryBrain.Tests.Screening;

/// <summary>The screen's OFI skew, worked by hand on a 100.00 × 100.10 quote (mid 100.05, half-spread 0.05).</summary>
public sealed class OfiSkewTests
{
    private static readonly DateTime Now = new(2026, 3, 17, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Print = Now.AddHours(-12); // the previous evening, seen pre-market
    private static readonly TimeSpan MaxAge = OfiSkew.DefaultMaxAge;

    [Theory]
    [InlineData(100.10, 1.0)] // at the ask: buyers lifted it
    [InlineData(100.00, -1.0)] // at the bid
    [InlineData(100.05, 0.0)] // at the mid
    [InlineData(100.075, 0.5)] // halfway from the mid to the ask: 0.025 / 0.05
    [InlineData(100.02, -0.6)] // −0.03 / 0.05
    [InlineData(101.00, 1.0)] // beyond the ask: clamped
    [InlineData(90.00, -1.0)] // beyond the bid: clamped
    public void Skew_is_the_trade_against_the_mid_in_half_spreads_clamped(double trade, double expected)
    {
        var skew = OfiSkew.Compute(trade, Print, 100.00, 100.10, Print, Now, MaxAge);

        Assert.NotNull(skew);
        Assert.Equal(expected, skew.Value, 9);
    }

    [Theory]
    [InlineData(100.05, 100.10, 100.00)] // crossed
    [InlineData(100.05, 100.00, 100.00)] // locked: zero spread
    [InlineData(100.05, 0.0, 100.10)] // no bid
    [InlineData(100.05, -1.0, 100.10)] // negative bid
    [InlineData(100.05, 100.00, 0.0)] // no ask
    [InlineData(100.05, double.NaN, 100.10)]
    [InlineData(100.05, 100.00, double.NaN)]
    [InlineData(100.05, double.NegativeInfinity, 100.10)]
    [InlineData(100.05, 100.00, double.PositiveInfinity)]
    [InlineData(double.NaN, 100.00, 100.10)]
    [InlineData(double.PositiveInfinity, 100.00, 100.10)]
    [InlineData(0.0, 100.00, 100.10)] // no trade price
    [InlineData(-5.0, 100.00, 100.10)]
    public void Unusable_quote_or_trade_gives_no_skew(double trade, double bid, double ask) =>
        Assert.Null(OfiSkew.Compute(trade, Print, bid, ask, Print, Now, MaxAge));

    [Fact]
    public void Stale_trade_or_quote_gives_no_skew_and_a_print_just_inside_the_age_counts()
    {
        var old = Now - MaxAge - TimeSpan.FromSeconds(1);
        Assert.Null(OfiSkew.Compute(100.10, old, 100.00, 100.10, Print, Now, MaxAge));
        Assert.Null(OfiSkew.Compute(100.10, Print, 100.00, 100.10, old, Now, MaxAge));
        Assert.Null(OfiSkew.Compute(100.10, default, 100.00, 100.10, Print, Now, MaxAge)); // no timestamp at all
        Assert.Equal(1.0, OfiSkew.Compute(100.10, Now - MaxAge, 100.00, 100.10, Now - MaxAge, Now, MaxAge));

        // A Monday pre-market screen sees Friday's close, 63 h old: no OFI at the default age.
        var monday = new DateTime(2026, 3, 16, 11, 0, 0, DateTimeKind.Utc);
        var fridayClose = new DateTime(2026, 3, 13, 20, 0, 0, DateTimeKind.Utc);
        Assert.Null(OfiSkew.Compute(100.10, fridayClose, 100.00, 100.10, fridayClose, monday, MaxAge));

        // A print a little ahead of our clock (another machine's) is fresh.
        Assert.Equal(-1.0, OfiSkew.Compute(100.00, Now.AddSeconds(3), 100.00, 100.10, Now.AddSeconds(3), Now, MaxAge));
    }

    [Fact]
    public void Hostile_extremes_never_give_NaN_or_throw()
    {
        // A subnormal spread: the half-spread rounds to 0.
        Assert.Null(OfiSkew.Compute(1.0, Print, double.Epsilon, double.Epsilon * 2, Print, Now, MaxAge));

        // A spread of one ulp: (trade − mid) / half overflows to +∞, which clamps to +1.
        var bid = 100.0;
        var ask = Math.BitIncrement(bid);
        Assert.Equal(1.0, OfiSkew.Compute(double.MaxValue, Print, bid, ask, Print, Now, MaxAge));
        Assert.Equal(-1.0, OfiSkew.Compute(double.Epsilon, Print, bid, ask, Print, Now, MaxAge));

        // The largest finite prices: ask + bid would overflow, the mid taken as bid + half does not.
        var top = OfiSkew.Compute(double.MaxValue, Print, double.MaxValue / 2, double.MaxValue, Print, Now, MaxAge);
        Assert.Equal(1.0, top!.Value, 9);
        var middle = OfiSkew.Compute(0.75 * double.MaxValue, Print, double.MaxValue / 2, double.MaxValue, Print, Now, MaxAge);
        Assert.Equal(0.0, middle!.Value, 9);

        // Extreme timestamps and ages.
        Assert.Null(OfiSkew.Compute(100.10, DateTime.MinValue.AddTicks(1), 100.00, 100.10, Print, DateTime.MaxValue, MaxAge));
        Assert.Equal(1.0, OfiSkew.Compute(100.10, Print, 100.00, 100.10, Print, Now, TimeSpan.MaxValue));
        Assert.Null(OfiSkew.Compute(100.10, Print, 100.00, 100.10, Print, Now, TimeSpan.MinValue));
    }

    [Fact]
    public void Alpaca_prints_missing_on_either_side_give_no_skew()
    {
        var trade = new AlpacaTrade(Print, 100.10, 100, "V", 1, ["@"], "C");
        var quote = new AlpacaQuote(Print, 100.00, 2, "V", 100.10, 3, "V", ["R"], "C");

        Assert.Equal(1.0, OfiSkew.Compute(trade, quote, Now, MaxAge));
        Assert.Null(OfiSkew.Compute(null, quote, Now, MaxAge));
        Assert.Null(OfiSkew.Compute(trade, null, Now, MaxAge));
        Assert.Null(OfiSkew.Compute(trade, quote with { BidPrice = 0 }, Now, MaxAge)); // Alpaca's "no active bid"
    }

    [Theory]
    [InlineData(1, 20)]
    [InlineData(5, 20)]
    [InlineData(7, 21)]
    [InlineData(10, 30)]
    [InlineData(34, 100)]
    [InlineData(10_000, 100)]
    [InlineData(int.MaxValue, 100)]
    public void Candidates_are_three_times_the_list_at_least_20_at_most_100(int topN, int expected) =>
        Assert.Equal(expected, Screener.OfiCandidates(topN));
}
