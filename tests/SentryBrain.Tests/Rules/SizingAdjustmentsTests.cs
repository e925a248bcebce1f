using SentryBrain.Market;
using SentryBrain.Market.Bars;
using SentryBrain.Rules;

namespace SentryBrain.Tests.Rules;

public class SizingAdjustmentsTests
{
    [Fact]
    public void Kelly_HandWorked_AndCapped()
    {
        // 7 wins of +2 %, 3 losses of −1 %: p = 0.7, b = 2/1 = 2, f = (0.7·2 − 0.3)/2 = 0.55
        double[] trips = [2, 2, 2, -1, -1, 2, 2, -1, 2, 2];
        Assert.Equal(0.55, SizingAdjustments.KellyFraction(trips, lookback: 50, cap: 1)!.Value, 12);
        Assert.Equal(0.25, SizingAdjustments.KellyFraction(trips, lookback: 50, cap: 0.25));
    }

    [Fact]
    public void Kelly_NoEdge_IsZero_AndTooFewTrips_IsNull()
    {
        double[] coinFlips = [1, -1, 1, -1, 1, -1, 1, -1, 1, -1]; // p = 0.5, b = 1 → f = (0.5 − 0.5)/1 = 0
        Assert.Equal(0, SizingAdjustments.KellyFraction(coinFlips, 50, 0.25));
        Assert.Null(SizingAdjustments.KellyFraction([1, 2, 3], 50, 0.25)); // fewer than 10 round trips
        double[] allWins = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]; // no losses: f → p = 1, capped
        Assert.Equal(0.25, SizingAdjustments.KellyFraction(allWins, 50, 0.25));
    }

    [Fact]
    public void Kelly_UsesOnlyTheLookbackWindow()
    {
        // 10 old losses, then 10 trips of the 0.55 example: with lookback 10 only the latter count.
        double[] trips = [-5, -5, -5, -5, -5, -5, -5, -5, -5, -5, 2, 2, 2, -1, -1, 2, 2, -1, 2, 2];
        Assert.Equal(0.55, SizingAdjustments.KellyFraction(trips, lookback: 10, cap: 1)!.Value, 12);
    }

    [Fact]
    public void Correlation_HandWorked()
    {
        Assert.Equal(1, SizingAdjustments.Correlation([1, 2, 3], [2, 4, 6])!.Value, 12);
        Assert.Equal(-1, SizingAdjustments.Correlation([1, 2, 3], [6, 4, 2])!.Value, 12);
        // da = [−1.5, −0.5, 0.5, 1.5], db = [−1.5, 0.5, −0.5, 1.5]: cov = 4, var = 5 each → 0.8
        Assert.Equal(0.8, SizingAdjustments.Correlation([1, 2, 3, 4], [1, 3, 2, 4])!.Value, 12);
        Assert.Null(SizingAdjustments.Correlation([1, 1, 1], [1, 2, 3]));
        Assert.Null(SizingAdjustments.Correlation([1, 2], [1, 2]));
    }

    [Fact]
    public void DailyReturns_AreCloseToClose_OldestFirst()
    {
        var indicators = new LiveIndicators(new LiveIndicatorOptions());
        indicators.WarmUp(
        [
            new DailyBar(new DateOnly(2026, 3, 2), 100, 101, 99, 100, 1000),
            new DailyBar(new DateOnly(2026, 3, 3), 100, 111, 99, 110, 1000),
            new DailyBar(new DateOnly(2026, 3, 4), 110, 111, 98, 99, 1000),
        ]);
        Span<double> returns = stackalloc double[5];
        var n = indicators.DailyReturns(returns);
        Assert.Equal(2, n);
        Assert.Equal(0.1, returns[0], 12);   // 110/100 − 1
        Assert.Equal(-0.1, returns[1], 12);  // 99/110 − 1
    }
}
