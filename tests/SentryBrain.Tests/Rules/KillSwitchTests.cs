using SentryBrain.Rules;

namespace SentryBrain.Tests.Rules;

/// <summary>BEHAVIOR §5 kill switch with the documented improvements: news halts only its symbols, returns halt the market.</summary>
public sealed class KillSwitchTests
{
    private static KillSwitch Default(bool manual = false) => new(sentimentThreshold: -0.50, returnThreshold: -0.05, manual);

    [Theory]
    [InlineData(-0.50, true)]   // at the threshold: −0.50 ≤ −0.50
    [InlineData(-0.51, true)]
    [InlineData(-1.00, true)]
    [InlineData(-0.49, false)]  // −0.49 > −0.50
    [InlineData(0.30, false)]
    public void News_AtOrBelowMinusHalf_TripsItsSymbols(double score, bool trips)
    {
        var kill = Default();

        var tripped = kill.OnNews(score, ["CRUX"]);

        Assert.Equal(trips, tripped);
        Assert.Equal(trips, kill.IsActive("CRUX"));
        Assert.Equal(trips ? "kill_switch_news" : null, kill.ReasonFor("CRUX"));
    }

    [Fact]
    public void NewsTrip_HaltsOnlyTheHeadlinesSymbols()
    {
        var kill = Default();

        kill.OnNews(-0.8, ["CRUX", "DYNE"]);

        Assert.Equal("kill_switch_news", kill.ReasonFor("CRUX"));
        Assert.Equal("kill_switch_news", kill.ReasonFor("DYNE"));
        Assert.Null(kill.ReasonFor("ACME"));
        Assert.False(kill.IsActive("ACME"));
        Assert.False(kill.MarketTripped);
    }

    [Fact]
    public void NewsTrip_ReportsTrueOnlyForNewlyTrippedSymbols()
    {
        var kill = Default();

        Assert.True(kill.OnNews(-0.9, ["CRUX"]));
        Assert.False(kill.OnNews(-0.9, ["CRUX"]));         // already halted
        Assert.True(kill.OnNews(-0.9, ["CRUX", "ACME"]));  // ACME is new
    }

    [Theory]
    [InlineData(-0.05, 0.0, true)]       // return_1m at the threshold
    [InlineData(0.0, -0.05, true)]       // return_5m at the threshold
    [InlineData(-0.20, 0.01, true)]
    [InlineData(-0.0499, -0.0499, false)]
    [InlineData(0.05, 0.05, false)]
    public void Returns_AtOrBelowMinusFivePercent_TripTheWholeMarket(double r1m, double r5m, bool trips)
    {
        var kill = Default();

        var tripped = kill.OnReturns("BOLT", r1m, r5m);

        Assert.Equal(trips, tripped);
        Assert.Equal(trips, kill.MarketTripped);
        // market-wide: any symbol, not only the one that dropped
        Assert.Equal(trips ? "kill_switch_market" : null, kill.ReasonFor("ACME"));
        Assert.Equal(trips ? "kill_switch_market" : null, kill.ReasonFor("BOLT"));
    }

    [Fact]
    public void MarketTrip_NamesTheSymbolInItsReason_AndTripsOnlyOnce()
    {
        var kill = Default();

        Assert.True(kill.OnReturns("BOLT", -0.06, 0));
        Assert.False(kill.OnReturns("ACME", -0.07, 0)); // already tripped

        Assert.Contains("BOLT", kill.MarketReason, StringComparison.Ordinal);
    }

    [Fact]
    public void MarketTrip_TakesPrecedenceOverNewsReason()
    {
        var kill = Default();
        kill.OnNews(-0.9, ["CRUX"]);
        kill.OnReturns("BOLT", -0.06, 0);

        Assert.Equal("kill_switch_market", kill.ReasonFor("CRUX"));
    }

    [Fact]
    public void Rearm_ClearsAutomaticTrips()
    {
        var kill = Default();
        kill.OnNews(-0.9, ["CRUX"]);
        kill.OnReturns("BOLT", -0.06, 0);

        kill.Rearm();

        Assert.Null(kill.ReasonFor("CRUX"));
        Assert.Null(kill.ReasonFor("BOLT"));
        Assert.False(kill.MarketTripped);
        Assert.Null(kill.MarketReason);
        // and it can trip again afterwards
        Assert.True(kill.OnReturns("BOLT", -0.06, 0));
    }

    [Fact]
    public void ManualKillSwitch_HaltsEverything_AndSurvivesRearm()
    {
        var kill = Default(manual: true);

        Assert.Equal("kill_switch_manual", kill.ReasonFor("ACME"));
        kill.OnNews(-0.9, ["CRUX"]);
        kill.OnReturns("BOLT", -0.06, 0);
        Assert.Equal("kill_switch_manual", kill.ReasonFor("CRUX")); // manual wins over automatic reasons

        kill.Rearm();

        Assert.Equal("kill_switch_manual", kill.ReasonFor("ACME"));
        Assert.True(kill.IsActive("ACME"));
    }

    [Fact]
    public void Thresholds_AreConfigurable()
    {
        var kill = new KillSwitch(sentimentThreshold: -0.30, returnThreshold: -0.02, manual: false);

        Assert.True(kill.OnNews(-0.30, ["CRUX"]));  // would not trip at −0.50
        Assert.True(kill.OnReturns("BOLT", -0.02, 0)); // would not trip at −0.05
    }
}
