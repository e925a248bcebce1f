using SentryBrain.Events;
using SentryBrain.Execution;

namespace SentryBrain.Tests.Execution;

/// <summary>Sizing (BEHAVIOR §2 step 5, without the reference's forced 1 share) and order shaping.</summary>
public sealed class OrderPlanningTests
{
    [Theory]
    // equity, price, held, size %, max %, max qty → shares
    // target 100000·5 % = 5000, cap 6000 → 5000/100 = 50 → capped at 12
    [InlineData(100_000, 100.0, 0, 0.05, 0.06, 12, 12)]
    // 5000/5000 = 1 share
    [InlineData(100_000, 5000.0, 0, 0.05, 0.06, 12, 1)]
    // 5000/6000 = 0.83: less than one share fits → 0 (the reference forced 1)
    [InlineData(100_000, 6000.0, 0, 0.05, 0.06, 12, 0)]
    // held 45 × 100 = 4500 → min(5000 − 4500, 6000 − 4500) = 500 → 5
    [InlineData(100_000, 100.0, 45, 0.05, 0.06, 12, 5)]
    // held 50 × 100 = 5000 → target already met → 0
    [InlineData(100_000, 100.0, 50, 0.05, 0.06, 12, 0)]
    // held 70 × 100 = 7000 > both → max(0, …) → 0
    [InlineData(100_000, 100.0, 70, 0.05, 0.06, 12, 0)]
    // POSITION_SIZE_PCT 10 %: target 10000 but the 6 % cap gives 6000 → 60 shares (max qty 100 does not bind)
    [InlineData(100_000, 100.0, 0, 0.10, 0.06, 100, 60)]
    // 10 % with 55 held: min(10000 − 5500, 6000 − 5500) = 500 → 5
    [InlineData(100_000, 100.0, 55, 0.10, 0.06, 100, 5)]
    // 20000·5 % = 1000 → 1000/33 = 30.3 → 30 (under max qty 50)
    [InlineData(20_000, 33.0, 0, 0.05, 0.06, 50, 30)]
    // a short (negative held) counts as no position: 5000/100 = 50 → 12
    [InlineData(100_000, 100.0, -10, 0.05, 0.06, 12, 12)]
    // no equity or no price → nothing
    [InlineData(0, 100.0, 0, 0.05, 0.06, 12, 0)]
    [InlineData(100_000, 0.0, 0, 0.05, 0.06, 12, 0)]
    [InlineData(-5_000, 100.0, 0, 0.05, 0.06, 12, 0)]
    public void BuyQty_TargetsPositionSize_CappedByMaxPositionAndMaxQty(double equity, double price, long held, double sizePct, double maxPct, int maxQty, long expected)
    {
        Assert.Equal(expected, OrderPlanning.BuyQty(equity, price, held, sizePct, maxPct, maxQty));
    }

    [Theory]
    [InlineData(100.00, 5.0, 100.05)]   // 100·1.0005 = 100.05, already on the cent
    [InlineData(50.43, 5.0, 50.46)]     // 50.43·1.0005 = 50.455215 → up to 50.46
    [InlineData(100.71, 5.0, 100.77)]   // 100.71·1.0005 = 100.760355 → 100.77
    [InlineData(100.00, 0.0, 100.00)]   // no offset: the ask itself
    [InlineData(401.29, 0.0, 401.29)]
    [InlineData(20.00, 10.0, 20.02)]    // 20·1.001 = 20.02
    [InlineData(0.5, 5.0, 0.5003)]      // sub-dollar tick 0.0001: 0.5·1.0005 = 0.50025 → 0.5003
    public void MarketableBuyLimit_IsAskPlusOffset_RoundedUpToTheTick(double ask, double bps, double expected)
    {
        Assert.Equal(expected, OrderPlanning.MarketableBuyLimit(ask, bps));
    }

    [Fact]
    public void MarketableBuyLimit_IsNeverBelowTheAsk_ForEveryCentPriceUpTo1000()
    {
        // property over 100 000 prices: the limit is ≥ ask and at most one tick above ask·(1 + 5 bps)
        for (var cents = 100; cents <= 100_000; cents++)
        {
            var ask = cents / 100.0;
            var limit = OrderPlanning.MarketableBuyLimit(ask, 5);
            var raw = ask * 1.0005;
            Assert.True(limit >= raw - 1e-9 && limit < raw + 0.01, $"ask {ask}: limit {limit}");
        }
    }

    [Theory]
    [InlineData(262_144.03)]
    [InlineData(700_000.01)]
    public void MarketableBuyLimit_WithZeroOffset_EqualsTheAsk_ForHighPricedStocks(double ask)
    {
        Assert.Equal(ask, OrderPlanning.MarketableBuyLimit(ask, 0));
    }

    private static readonly DateTime Ts = new DateTime(2026, 3, 2, 15, 4, 5, DateTimeKind.Utc).AddTicks(1_203_310);

    [Fact]
    public void ClientOrderId_IsDeterministic()
    {
        Assert.Equal(
            OrderPlanning.ClientOrderId(Ts, "ACME", OrderSide.Buy),
            OrderPlanning.ClientOrderId(new DateTime(Ts.Ticks, DateTimeKind.Utc), "ACME", OrderSide.Buy));
    }

    [Fact]
    public void ClientOrderId_DiffersBySideSymbolAndTime()
    {
        var ids = new[]
        {
            OrderPlanning.ClientOrderId(Ts, "ACME", OrderSide.Buy),
            OrderPlanning.ClientOrderId(Ts, "ACME", OrderSide.Sell),
            OrderPlanning.ClientOrderId(Ts, "BOLT", OrderSide.Buy),
            OrderPlanning.ClientOrderId(Ts.AddTicks(1), "ACME", OrderSide.Buy), // 100 ns later
            OrderPlanning.ClientOrderId(Ts.AddDays(1), "ACME", OrderSide.Buy),
        };

        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void ClientOrderId_FitsAlpacasLimit_EvenForTheLongestSymbol()
    {
        var longest = new string('Z', SymbolTable.MaxLength);

        var id = OrderPlanning.ClientOrderId(DateTime.MaxValue, longest, OrderSide.Sell);

        Assert.InRange(id.Length, 1, 128);
        Assert.Contains(longest, id, StringComparison.Ordinal);
    }
}
