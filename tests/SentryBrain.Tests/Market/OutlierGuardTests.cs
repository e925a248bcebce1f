using SentryBrain.Market;

namespace SentryBrain.Tests.Market;

public sealed class OutlierGuardTests
{
    private static readonly OutlierSettings Defaults = new(); // 10 %, 3 ATRs, 3 ticks

    private static OutlierVerdict Price(ref OutlierGuard guard, double price, double atr = 0, OutlierSettings? settings = null)
        => guard.Check(price, price, price, atr, settings ?? Defaults);

    [Fact]
    public void Defaults_AreTenPercent_ThreeAtrs_ThreeTicks()
    {
        Assert.Equal(10, Defaults.MaxMovePct);
        Assert.Equal(3, Defaults.AtrMult);
        Assert.Equal(3, Defaults.ConfirmTicks);
        Assert.True(Defaults.Enabled);
    }

    [Fact]
    public void TheFirstTick_IsAccepted_WhateverItIs()
    {
        var guard = default(OutlierGuard);
        Assert.Equal(OutlierVerdict.Accepted, Price(ref guard, 1e-12));
        Assert.Equal(1e-12, guard.Reference);
    }

    [Theory]
    [InlineData(100_000)] // 1000×
    [InlineData(1e-12)]
    [InlineData(1000)] // 10×
    [InlineData(10)] // ÷10
    [InlineData(110.01)] // just past +10 %
    [InlineData(89.99)] // just past −10 %
    public void AFarTick_IsHeld_AndASingleSpikeIsForgotten(double spike)
    {
        var guard = default(OutlierGuard);
        Price(ref guard, 100);

        Assert.Equal(OutlierVerdict.Held, Price(ref guard, spike));
        Assert.Equal(100, guard.Reference);
        Assert.Equal(OutlierVerdict.Accepted, Price(ref guard, 100));
        Assert.Equal(0, guard.PendingTicks);
        Assert.Equal(OutlierVerdict.Held, Price(ref guard, spike)); // a later spike starts a new count: still held
    }

    [Theory]
    [InlineData(110.0)]
    [InlineData(90.0)]
    public void AMoveOfExactlyTheBand_IsAccepted(double price)
    {
        var guard = default(OutlierGuard);
        Price(ref guard, 100);
        Assert.Equal(OutlierVerdict.Accepted, Price(ref guard, price));
    }

    [Fact]
    public void AGap_IsConfirmedByTheThirdTickInARow_AndTheSymbolContinuesFromThere()
    {
        var guard = default(OutlierGuard);
        Price(ref guard, 100);

        Assert.Equal(OutlierVerdict.Held, Price(ref guard, 80)); // halt reopens 20 % lower
        Assert.Equal(OutlierVerdict.Held, Price(ref guard, 79.5));
        Assert.Equal(OutlierVerdict.Confirmed, Price(ref guard, 80.2));
        Assert.Equal(80.2, guard.Reference);
        Assert.Equal(OutlierVerdict.Accepted, Price(ref guard, 80.1));
        Assert.Equal(OutlierVerdict.Held, Price(ref guard, 100)); // one tick back at the old level: now the outlier
        Assert.Equal(OutlierVerdict.Accepted, Price(ref guard, 80.0));
    }

    [Fact]
    public void TicksFarFromEachOther_NeverConfirm()
    {
        var guard = default(OutlierGuard);
        Price(ref guard, 100);
        foreach (var price in new[] { 1000.0, 1e-12, 1000.0, 1e-12, 5000.0, 1e-6 })
        {
            Assert.Equal(OutlierVerdict.Held, Price(ref guard, price));
        }

        Assert.Equal(100, guard.Reference);
    }

    [Fact]
    public void Atr_WidensTheBand()
    {
        // ATR 5 at 100: the band is max(10, 3 × 5) = 15, so 114 is normal and 116 is not.
        var guard = default(OutlierGuard);
        Price(ref guard, 100, atr: 5);
        Assert.Equal(OutlierVerdict.Accepted, Price(ref guard, 114, atr: 5));

        guard = default;
        Price(ref guard, 100, atr: 5);
        Assert.Equal(OutlierVerdict.Held, Price(ref guard, 116, atr: 5));

        // A small ATR never narrows it below the percentage.
        guard = default;
        Price(ref guard, 100, atr: 0.5);
        Assert.Equal(OutlierVerdict.Accepted, Price(ref guard, 109, atr: 0.5));
    }

    [Fact]
    public void AQuote_IsJudgedByBothSides()
    {
        // Mid 100 but a bid of 0.01: selling there would give the position away.
        var guard = default(OutlierGuard);
        guard.Check(99.99, 100.01, 100, 0, Defaults);
        Assert.Equal(OutlierVerdict.Held, guard.Check(0.01, 199.99, 100, 0, Defaults));
        Assert.Equal(OutlierVerdict.Accepted, guard.Check(99.98, 100.02, 100, 0, Defaults));
    }

    [Fact]
    public void ASeed_IsTheReferenceOfTheFirstTick()
    {
        // A position held across a restart: its average entry stands in for the missing history.
        var guard = default(OutlierGuard);
        Assert.Equal(OutlierVerdict.Held, guard.Check(1e-12, 1e-12, 1e-12, 0, Defaults, seed: 100));
        Assert.Equal(OutlierVerdict.Accepted, guard.Check(100.5, 100.5, 100.5, 0, Defaults, seed: 0));
    }

    [Fact]
    public void ConfirmTicksOfOne_MakesTheGuardOff()
    {
        Assert.False(new OutlierSettings { ConfirmTicks = 1 }.Enabled);
        Assert.False(new OutlierSettings { MaxMovePct = 0 }.Enabled);
    }

    [Fact]
    public void RandomWalksWithinTheBand_AreNeverHeld()
    {
        // Every step within ±9.9 % of the previous price (seeded walks, some with a known ATR): all accepted.
        var random = new Random(20261204);
        for (var walk = 0; walk < 200; walk++)
        {
            var guard = default(OutlierGuard);
            var price = 1 + (random.NextDouble() * 1000);
            var atr = walk % 2 == 0 ? 0 : price * random.NextDouble() * 0.05;
            Assert.Equal(OutlierVerdict.Accepted, Price(ref guard, price, atr));
            for (var i = 0; i < 500; i++)
            {
                price *= 1 + ((random.NextDouble() * 2) - 1) * 0.099;
                Assert.Equal(OutlierVerdict.Accepted, Price(ref guard, price, atr));
            }
        }
    }
}
