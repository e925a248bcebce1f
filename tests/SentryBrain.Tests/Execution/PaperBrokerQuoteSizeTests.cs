using SentryBrain.Execution;
using SentryBrain.Execution.Paper;

namespace SentryBrain.Tests.Execution;

/// <summary>Issue 10, break 3 (b): a quote side with size 0 makes no market for paper fills.</summary>
public sealed class PaperBrokerQuoteSizeTests
{
    private static readonly DateTime T0 = new(2026, 1, 15, 15, 0, 0, DateTimeKind.Utc); // 10:00 ET, Thursday

    private static OrderRequest Market(string id, OrderSide side, long qty) => new(id, "AAPL", side, qty, OrderType.Market, null, "test");

    private static OrderRequest Limit(string id, OrderSide side, long qty, double limit) => new(id, "AAPL", side, qty, OrderType.Limit, limit, "test");

    [Fact]
    public void AMarketBuy_WaitsWhileTheAskShowsNoSize_ThenFillsAtTheNextRealAsk()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);
        broker.OnQuote("AAPL", 99.5, 100.0, bidSize: 5, askSize: 0, T0);

        var result = broker.Submit(Market("b1", OrderSide.Buy, 10), T0.AddSeconds(1));
        Assert.Equal(OrderStatus.New, result.Order.Status);
        Assert.Empty(result.Fills);

        Assert.True(broker.OnQuote("AAPL", 99.6, 100.1, bidSize: 9, askSize: 0, T0.AddSeconds(2)).IsEmpty);
        Assert.Equal(10_000, broker.Cash);

        var update = broker.OnQuote("AAPL", 99.7, 100.2, bidSize: 0, askSize: 3, T0.AddSeconds(3));
        Assert.Equal(new Fill(T0.AddSeconds(3), "b1", "AAPL", OrderSide.Buy, 10, 100.2), Assert.Single(update.Fills));
        Assert.Equal(8_998, broker.Cash); // 10000 − 10 × 100.2
    }

    [Fact]
    public void AMarketSell_DoesNotFillAgainstAZeroSizeBid()
    {
        using var broker = PaperBroker.Open(":memory:", 100_000);
        broker.OnQuote("AAPL", 99.5, 100.0, bidSize: 5, askSize: 5, T0);
        broker.Submit(Market("b1", OrderSide.Buy, 12), T0);

        broker.OnQuote("AAPL", 99_990, 100_010, bidSize: 0, askSize: 0, T0.AddSeconds(1));
        var sell = broker.Submit(Market("s1", OrderSide.Sell, 12), T0.AddSeconds(1));
        Assert.Equal(OrderStatus.New, sell.Order.Status);
        Assert.Equal(12, broker.PositionOf("AAPL")!.Qty);

        var update = broker.OnQuote("AAPL", 99.4, 99.9, bidSize: 2, askSize: 0, T0.AddSeconds(2));
        Assert.Equal(new Fill(T0.AddSeconds(2), "s1", "AAPL", OrderSide.Sell, 12, 99.4), Assert.Single(update.Fills));
        Assert.Null(broker.PositionOf("AAPL"));
    }

    [Fact]
    public void ARestingLimit_IsNotFilledByAZeroSizeSide()
    {
        using var broker = PaperBroker.Open(":memory:", 100_000);
        broker.OnQuote("AAPL", 99.5, 100.0, bidSize: 5, askSize: 5, T0);
        broker.Submit(Limit("b1", OrderSide.Buy, 10, 99.0), T0);

        Assert.True(broker.OnQuote("AAPL", 98.5, 98.6, bidSize: 5, askSize: 0, T0.AddSeconds(1)).IsEmpty);
        var update = broker.OnQuote("AAPL", 98.5, 98.7, bidSize: 5, askSize: 1, T0.AddSeconds(2));
        Assert.Equal(98.7, Assert.Single(update.Fills).Price);
    }
}
