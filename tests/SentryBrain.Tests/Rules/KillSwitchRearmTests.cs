using SentryBrain.Rules;

namespace SentryBrain.Tests.Rules;

public class KillSwitchRearmTests
{
    private static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void NewsTrip_ReArms_AfterTheConfiguredMinutes()
    {
        var kill = new KillSwitch(-0.5, -0.05, manual: false, rearmAfter: TimeSpan.FromMinutes(30));
        Assert.True(kill.OnNews(-0.8, ["CRUX"], T0));
        Assert.False(kill.Expire(T0.AddMinutes(30).AddTicks(-1)));
        Assert.True(kill.IsActive("CRUX"));
        Assert.True(kill.Expire(T0.AddMinutes(30)));
        Assert.False(kill.IsActive("CRUX"));
    }

    [Fact]
    public void MarketTrip_ReArms_Independently_OfLaterNewsTrips()
    {
        var kill = new KillSwitch(-0.5, -0.05, manual: false, rearmAfter: TimeSpan.FromMinutes(10));
        kill.OnReturns("BOLT", -0.06, 0, T0);
        kill.OnNews(-0.9, ["ACME"], T0.AddMinutes(5));
        Assert.True(kill.Expire(T0.AddMinutes(10))); // market trip (T0) is 10 min old; ACME's (T0+5) only 5
        Assert.False(kill.MarketTripped);
        Assert.Equal("kill_switch_news", kill.ReasonFor("ACME"));
        Assert.Null(kill.ReasonFor("BOLT"));
        Assert.True(kill.Expire(T0.AddMinutes(15)));
        Assert.Null(kill.ReasonFor("ACME"));
    }

    [Fact]
    public void WithoutAnInterval_TripsHoldUntilRearm_AndManualAlwaysHolds()
    {
        var kill = new KillSwitch(-0.5, -0.05, manual: true);
        kill.OnNews(-0.9, ["ACME"], T0);
        Assert.False(kill.Expire(T0.AddDays(3)));
        Assert.True(kill.IsActive("ACME"));
        kill.Rearm();
        Assert.Equal("kill_switch_manual", kill.ReasonFor("ACME"));
    }

    [Fact]
    public void Snapshot_RoundTrips_TripTimes()
    {
        var date = new DateOnly(2026, 3, 2);
        var kill = new KillSwitch(-0.5, -0.05, manual: false, rearmAfter: TimeSpan.FromMinutes(30));
        kill.OnNews(-0.9, ["ACME"], T0);
        var json = RiskSnapshot.Capture(date, new DailyCap(true, 0.25, 1), kill).ToJson();

        var restored = new KillSwitch(-0.5, -0.05, manual: false, rearmAfter: TimeSpan.FromMinutes(30));
        RiskSnapshot.FromJson(json)!.RestoreInto(date, new DailyCap(true, 0.25, 1), restored);
        Assert.True(restored.IsActive("ACME"));
        Assert.True(restored.Expire(T0.AddMinutes(30))); // expiry counts from the original trip, not the restart
        Assert.False(restored.IsActive("ACME"));
    }
}
