using SentryBrain.Signals.Microstructure;
using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Signals;

public sealed class OrderFlowImbalanceTests
{
    private const int Precision = 12;

    // Quotes use binary-exact prices so the mid is exact: bid 100, ask 101 ⇒ mid 100.5.
    private static OrderFlowImbalance Quoted(int window = 100)
    {
        var ofi = new OrderFlowImbalance(window);
        ofi.OnQuote(100, 101);
        return ofi;
    }

    [Fact]
    public void ThreeBuysAndOneSell()
    {
        var ofi = Quoted();
        ofi.OnTrade(101, 100);
        ofi.OnTrade(101, 100);
        ofi.OnTrade(101.25, 100); // above the ask: still a buy
        ofi.OnTrade(100, 50);
        // (300 − 50)/(300 + 50) = 250/350 = 5/7.
        Assert.Equal(5.0 / 7, ofi.Value!.Value, Precision);
        Assert.Equal(4, ofi.Count);
        Assert.Equal(300, ofi.BuyVolume);
        Assert.Equal(50, ofi.SellVolume);
    }

    [Theory]
    // At or above the ask ⇒ buy: (10 − 0)/10 = 1.
    [InlineData(101, 1)]
    [InlineData(102, 1)]
    // At or below the bid ⇒ sell: −1.
    [InlineData(100, -1)]
    [InlineData(99, -1)]
    // Inside: above the mid 100.5 ⇒ buy, below ⇒ sell.
    [InlineData(100.75, 1)]
    [InlineData(100.25, -1)]
    public void Classification(double price, double expected)
    {
        var ofi = Quoted();
        ofi.OnTrade(price, 10);
        Assert.Equal(expected, ofi.Value!.Value, Precision);
    }

    [Fact]
    public void MidPriceTrades_AreIgnored_NotAddedToTheWindow()
    {
        var ofi = Quoted(window: 2);
        ofi.OnTrade(101, 30);   // buy 30
        ofi.OnTrade(100.5, 500); // at the mid: ignored
        Assert.Equal(1, ofi.Count);
        Assert.Equal(1.0, ofi.Value!.Value, Precision);
        ofi.OnTrade(100, 10);   // sell 10: the window is [buy 30, sell 10], nothing was evicted
        // (30 − 10)/40 = 0.5.
        Assert.Equal(0.5, ofi.Value!.Value, Precision);
    }

    [Fact]
    public void Window_EvictsTheOldestTrade()
    {
        var ofi = Quoted(window: 3);
        ofi.OnTrade(101, 100); // buy 100
        ofi.OnTrade(100, 50);  // sell 50
        ofi.OnTrade(101, 30);  // buy 30: (130 − 50)/180 = 4/9
        Assert.Equal(4.0 / 9, ofi.Value!.Value, Precision);
        ofi.OnTrade(100, 20);  // sell 20 evicts buy 100: [sell 50, buy 30, sell 20] ⇒ (30 − 70)/100 = −0.4
        Assert.Equal(-0.4, ofi.Value!.Value, Precision);
        Assert.Equal(3, ofi.Count);
        ofi.OnTrade(100, 10);  // evicts sell 50: [buy 30, sell 20, sell 10] ⇒ (30 − 30)/60 = 0
        Assert.Equal(0, ofi.Value!.Value, Precision);
        ofi.OnTrade(100, 5);   // evicts buy 30: [sell 20, sell 10, sell 5] ⇒ −35/35 = −1, and B is exactly 0
        Assert.Equal(-1, ofi.Value!.Value, Precision);
        Assert.Equal(0, ofi.BuyVolume);
    }

    [Fact]
    public void NoQuote_TradesAreNotClassified()
    {
        var ofi = new OrderFlowImbalance();
        ofi.OnTrade(100, 10);
        Assert.Null(ofi.Value);
        Assert.Equal(0, ofi.Count);
    }

    [Theory]
    // Locked (ask = bid), crossed (ask < bid), missing bid (0), non-finite.
    [InlineData(100, 100)]
    [InlineData(101, 100)]
    [InlineData(0, 101)]
    [InlineData(double.NaN, 101)]
    [InlineData(100, double.PositiveInfinity)]
    public void BadQuote_TradesAreNotClassified_AndTheValueIsKept(double bid, double ask)
    {
        var ofi = Quoted();
        ofi.OnTrade(101, 30);
        ofi.OnTrade(100, 10);
        ofi.OnQuote(bid, ask);
        ofi.OnTrade(ask, 1000);
        ofi.OnTrade(bid, 1000);
        // Still (30 − 10)/40.
        Assert.Equal(0.5, ofi.Value!.Value, Precision);
        Assert.Equal(2, ofi.Count);
        // A good quote classifies again.
        ofi.OnQuote(100, 101);
        ofi.OnTrade(101, 60);
        Assert.Equal((90.0 - 10) / 100, ofi.Value!.Value, Precision);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void BadSize_IsIgnored(double size)
    {
        var ofi = Quoted();
        ofi.OnTrade(101, size);
        Assert.Null(ofi.Value);
        Assert.Equal(0, ofi.Count);
    }

    [Fact]
    public void MatchesANaiveWindow_OverALongStream()
    {
        var random = new Random(11);
        const int window = 25;
        var ofi = new OrderFlowImbalance(window);
        var naive = new Queue<double>();
        for (var i = 0; i < 5000; i++)
        {
            var bid = 100 + random.Next(20);
            var ask = bid + 1 + random.Next(2);
            ofi.OnQuote(bid, ask);
            var price = bid - 1 + (random.Next(5 * (ask - bid + 2)) / 5.0);
            var size = 1 + random.Next(500);
            ofi.OnTrade(price, size);

            var mid = (bid + ask) / 2.0;
            double? signed = price >= ask ? size : price <= bid ? -size : price > mid ? size : price < mid ? -size : null;
            if (signed is { } s)
            {
                naive.Enqueue(s);
                if (naive.Count > window)
                {
                    naive.Dequeue();
                }
            }

            var buys = naive.Where(x => x > 0).Sum();
            var sells = -naive.Where(x => x < 0).Sum();
            double? expected = naive.Count == 0 ? null : (buys - sells) / (buys + sells);
            Assert.Equal(expected.HasValue, ofi.Value.HasValue);
            if (expected is { } e)
            {
                Assert.Equal(e, ofi.Value!.Value, 9);
            }
        }
    }

    [Fact]
    public void Updates_DoNotAllocate()
    {
        var ofi = new OrderFlowImbalance(100);
        ofi.OnQuote(100, 101);
        ofi.OnTrade(101, 1); // warm up
        SteadyState.AssertAllocatesNothing(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                ofi.OnQuote(100, 101);
                ofi.OnTrade((i & 1) == 0 ? 101 : 100, 1 + (i % 7));
                _ = ofi.Value;
            }
        });
    }

    [Fact]
    public void Window_MustBePositive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrderFlowImbalance(0));
    }
}
