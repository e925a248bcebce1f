using SentryBrain.Events;
using SentryBrain.Market;
using SentryBrain.Signals.Technical;

namespace SentryBrain.Tests.Market;

public class SymbolStateTests
{
    private static readonly DateTime T0 = new(2026, 3, 2, 14, 30, 0, DateTimeKind.Utc);

    private static TradeEvent Trade(double seconds, double price, long size) =>
        new(T0.AddSeconds(seconds), "ACME", price, size, 0, 0, 0, 0, FeedSession.Regular, 0);

    private static QuoteEvent Quote(double seconds, double bid, double ask) =>
        new(T0.AddSeconds(seconds), "ACME", bid, ask, 1, 1, (bid + ask) / 2, 0, 0, 0, 0, FeedSession.Regular, 0);

    [Fact]
    public void Trades_BuildOneMinuteBars_AndQuotesDoNotTouchThem()
    {
        var state = new SymbolState("ACME", 14);
        state.OnTrade(Trade(5, 10, 100));
        state.OnQuote(Quote(20, 50, 51)); // a quote far away must not change the bar
        state.OnTrade(Trade(40, 11, 50));
        state.OnTrade(Trade(59.9, 9, 10));
        Assert.Equal(0, state.BarCount);

        state.OnTrade(Trade(60, 12, 5)); // first trade of 14:31 closes the 14:30 bar

        Assert.Equal(1, state.BarCount);
        Assert.Equal(new MinuteBar(T0, Open: 10, High: 11, Low: 9, Close: 9, Volume: 160), state.BarAt(0));
        Assert.Equal(new MinuteBar(T0.AddMinutes(1), 12, 12, 12, 12, 5), state.CurrentBar);
    }

    [Fact]
    public void CloseBarIfDue_ClosesTheBar_OnlyAfterItsMinuteEnds()
    {
        var state = new SymbolState("ACME", 14);
        state.OnTrade(Trade(10, 10, 1));
        state.CloseBarIfDue(T0.AddSeconds(59.999));
        Assert.Equal(0, state.BarCount);
        state.CloseBarIfDue(T0.AddSeconds(60));
        Assert.Equal(1, state.BarCount);
        Assert.Null(state.CurrentBar);
    }

    [Fact]
    public void Prices_KeepTheLast100_TradesAndMids()
    {
        var state = new SymbolState("ACME", 14);
        for (var i = 1; i <= 150; i++)
        {
            state.OnTrade(Trade(i, i, 1));
        }

        state.OnQuote(Quote(151, 200, 202)); // mid 201
        Assert.Equal(SymbolState.PriceHistoryLength, state.PriceCount);
        Assert.Equal(201, state.PriceAt(0));
        Assert.Equal(150, state.PriceAt(1));
        Assert.Equal(52, state.PriceAt(99)); // 100 newest: 201, 150 … 52
    }

    [Fact]
    public void ExitAndEntryPrices_UseBidAndAsk_FallingBackToLastTrade()
    {
        var state = new SymbolState("ACME", 14);
        state.OnTrade(Trade(1, 100, 1));
        Assert.Equal(100, state.ExitPrice);
        Assert.Equal(100, state.EntryPrice);
        state.OnQuote(Quote(2, 99.9, 100.1));
        Assert.Equal(99.9, state.ExitPrice);
        Assert.Equal(100.1, state.EntryPrice);
        Assert.Equal(100.0, state.MarkPrice, 9);
    }

    [Fact]
    public void FreshNews_ExpiresWithAge_DecaysWithTheHalfLife_AndIsUsedForOneEntryOnly()
    {
        var state = new SymbolState("ACME", 14);
        state.OnNews(0.6, T0, T0, halfLifeMin: 60);
        Assert.Equal(0.6, state.FreshNews(T0, maxAgeSec: 3600, halfLifeMin: 60));
        // One half-life later: 0.6 · ½ / max(1, ½) = 0.3.
        Assert.Equal(0.3, state.FreshNews(T0.AddSeconds(3600), maxAgeSec: 3600, halfLifeMin: 60)!.Value, 12);
        Assert.Null(state.FreshNews(T0.AddSeconds(3601), maxAgeSec: 3600, halfLifeMin: 60));

        state.LastEntryTs = T0.AddSeconds(10); // bought on this headline
        Assert.Null(state.FreshNews(T0.AddSeconds(20), 3600, 60));

        state.OnNews(-0.2, T0.AddSeconds(30), T0.AddSeconds(30), 60); // a newer headline counts again
        // Weights at 10:00:40: the first item a = 2^(−0.5/60) relative to the second (both × the same decay since 10:00:30,
        // which cancels as Σw > 1): (0.6·a − 0.2) / (a + 1).
        var a = Math.Pow(2, -0.5 / 60);
        Assert.Equal(((0.6 * a) - 0.2) / (a + 1), state.FreshNews(T0.AddSeconds(40), 3600, 60)!.Value, 12);
    }

    [Fact]
    public void ClosedBars_FeedTheRsi()
    {
        // Period 3, closes 10, 11, 12, 11 (one trade per minute, each closing the previous bar on the next).
        var state = new SymbolState("ACME", 3);
        double[] closes = [10, 11, 12, 11, 13];
        for (var i = 0; i < closes.Length; i++)
        {
            state.OnTrade(Trade(i * 60, closes[i], 1));
        }

        // Bars closed: 10, 11, 12, 11 → changes +1, +1, −1 → avg gain 2/3, avg loss 1/3 → RS 2 → RSI 66.67.
        Assert.Equal(100 - (100 / 3.0), state.Rsi!.Value, 9);
    }
}

public class WilderRsiTests
{
    [Fact]
    public void HandWorkedSeries_Period3()
    {
        // closes 10, 11, 12, 11, 13, 12 → changes +1, +1, −1, +2, −1
        // first: avgG = 2/3, avgL = 1/3 → RS 2 → 66.6667
        // +2: avgG = (2/3·2 + 2)/3 = 10/9, avgL = (1/3·2)/3 = 2/9 → RS 5 → 83.3333
        // −1: avgG = (10/9·2)/3 = 20/27, avgL = (2/9·2 + 1)/3 = 13/27 → RS 20/13 → 100 − 1300/33 = 60.6061
        var rsi = new WilderRsi(3);
        double?[] seen = new double?[6];
        double[] closes = [10, 11, 12, 11, 13, 12];
        for (var i = 0; i < closes.Length; i++)
        {
            rsi.Add(closes[i]);
            seen[i] = rsi.Value;
        }

        Assert.Null(seen[0]);
        Assert.Null(seen[1]);
        Assert.Null(seen[2]);
        Assert.Equal(200.0 / 3, seen[3]!.Value, 9);
        Assert.Equal(250.0 / 3, seen[4]!.Value, 9);
        Assert.Equal(100 - (1300.0 / 33), seen[5]!.Value, 9);
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 3, 4, 5 }, 100)]
    [InlineData(new double[] { 5, 5, 5, 5, 5 }, 50)]
    [InlineData(new double[] { 5, 4, 3, 2, 1 }, 0)]
    public void DegenerateSeries_AreBounded(double[] closes, double expected)
    {
        var rsi = new WilderRsi(3);
        foreach (var c in closes)
        {
            rsi.Add(c);
        }

        Assert.Equal(expected, rsi.Value!.Value, 9);
    }
}
