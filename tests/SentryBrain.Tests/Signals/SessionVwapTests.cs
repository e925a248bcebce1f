using SentryBrain.Signals.Technical;

namespace SentryBrain.Tests.Signals;

public sealed class SessionVwapTests
{
    private const int Precision = 10;

    private static DateTime Utc(int year, int month, int day, int hour, int minute)
        => new(year, month, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void ThreeBars_HandWorked()
    {
        // 2024-01-10 is in EST (UTC−5): 14:30 UTC = 09:30 ET.
        var vwap = new SessionVwap();
        Assert.Null(vwap.Value);
        Assert.Null(vwap.DistancePct(100));

        // tp = (101 + 99 + 100)/3 = 100, v = 100 ⇒ 100.
        vwap.Add(Utc(2024, 1, 10, 14, 30), 101, 99, 100, 100);
        Assert.Equal(100, vwap.Value!.Value, Precision);

        // tp = (102 + 100 + 101)/3 = 101, v = 200 ⇒ (10000 + 20200)/300 = 100.6667.
        vwap.Add(Utc(2024, 1, 10, 14, 31), 102, 100, 101, 200);
        Assert.Equal(30200.0 / 300, vwap.Value!.Value, Precision);

        // tp = (103 + 101 + 102)/3 = 102, v = 100 ⇒ (10000 + 20200 + 10200)/400 = 40400/400 = 101.
        vwap.Add(Utc(2024, 1, 10, 14, 32), 103, 101, 102, 100);
        Assert.Equal(101, vwap.Value!.Value, Precision);
        Assert.Equal(3, vwap.Bars);
        Assert.Equal(new DateOnly(2024, 1, 10), vwap.SessionDate);

        // (103.02 − 101)/101·100 = 2 %; (98.98 − 101)/101·100 = −2 %.
        Assert.Equal(2.0, vwap.DistancePct(103.02)!.Value, Precision);
        Assert.Equal(-2.0, vwap.DistancePct(98.98)!.Value, Precision);
    }

    [Fact]
    public void NextTradingDay_StartsANewSession()
    {
        var vwap = new SessionVwap();
        vwap.Add(Utc(2024, 1, 10, 14, 30), 101, 99, 100, 100);
        vwap.Add(Utc(2024, 1, 10, 20, 59), 111, 109, 110, 900); // 15:59 ET, the last regular bar
        // (100·100 + 110·900)/1000 = 109.
        Assert.Equal(109, vwap.Value!.Value, Precision);

        // Next morning: pre-market bars change nothing, the 09:30 bar resets.
        vwap.Add(Utc(2024, 1, 11, 13, 0), 300, 300, 300, 1_000_000); // 08:00 ET
        Assert.Equal(109, vwap.Value!.Value, Precision);
        Assert.Equal(new DateOnly(2024, 1, 10), vwap.SessionDate);

        // tp = (52 + 50 + 51)/3 = 51 ⇒ 51.
        vwap.Add(Utc(2024, 1, 11, 14, 30), 52, 50, 51, 10);
        Assert.Equal(51, vwap.Value!.Value, Precision);
        Assert.Equal(1, vwap.Bars);
        Assert.Equal(new DateOnly(2024, 1, 11), vwap.SessionDate);
    }

    [Fact]
    public void PreOpenAndAfterCloseBars_AreIgnored()
    {
        var vwap = new SessionVwap();
        vwap.Add(Utc(2024, 1, 10, 14, 29), 500, 500, 500, 1000); // 09:29 ET
        Assert.Null(vwap.Value);
        Assert.Null(vwap.SessionDate);

        vwap.Add(Utc(2024, 1, 10, 14, 30), 101, 99, 100, 100);   // 09:30 ET
        vwap.Add(Utc(2024, 1, 10, 21, 0), 500, 500, 500, 1000);  // 16:00 ET
        vwap.Add(Utc(2024, 1, 11, 1, 0), 500, 500, 500, 1000);   // 20:00 ET
        Assert.Equal(100, vwap.Value!.Value, Precision);
        Assert.Equal(1, vwap.Bars);
    }

    [Fact]
    public void DaylightSavingTime_MovesTheOpenTo1330Utc()
    {
        // Friday 2024-03-08 is EST: 13:30 UTC is 08:30 ET (ignored), 14:30 UTC is 09:30 ET.
        var vwap = new SessionVwap();
        vwap.Add(Utc(2024, 3, 8, 13, 30), 500, 500, 500, 1000);
        Assert.Null(vwap.Value);
        vwap.Add(Utc(2024, 3, 8, 14, 30), 21, 19, 20, 10);
        Assert.Equal(20, vwap.Value!.Value, Precision);

        // Monday 2024-03-11 is EDT (UTC−4): 13:29 UTC is 09:29 ET (ignored), 13:30 UTC is 09:30 ET, a new session.
        vwap.Add(Utc(2024, 3, 11, 13, 29), 500, 500, 500, 1000);
        Assert.Equal(20, vwap.Value!.Value, Precision);
        vwap.Add(Utc(2024, 3, 11, 13, 30), 31, 29, 30, 10);
        Assert.Equal(30, vwap.Value!.Value, Precision);
        Assert.Equal(new DateOnly(2024, 3, 11), vwap.SessionDate);
        // 19:59 UTC = 15:59 EDT: still in; tp 40, v 10 ⇒ (300 + 400)/20 = 35. 20:00 UTC = 16:00 EDT: out.
        vwap.Add(Utc(2024, 3, 11, 19, 59), 41, 39, 40, 10);
        vwap.Add(Utc(2024, 3, 11, 20, 0), 500, 500, 500, 1000);
        Assert.Equal(35, vwap.Value!.Value, Precision);
    }

    [Fact]
    public void ZeroVolume_IsTheLastClose_UntilVolumeArrives()
    {
        var vwap = new SessionVwap();
        vwap.Add(Utc(2024, 1, 10, 14, 30), 101, 98, 99, 0);
        Assert.Equal(99, vwap.Value!.Value, Precision);
        // tp (103 + 101 + 102)/3 = 102, the only volume ⇒ 102.
        vwap.Add(Utc(2024, 1, 10, 14, 31), 103, 101, 102, 50);
        Assert.Equal(102, vwap.Value!.Value, Precision);
    }

    [Fact]
    public void BadOrOlderBars_AreIgnored()
    {
        var vwap = new SessionVwap();
        vwap.Add(Utc(2024, 1, 11, 14, 30), 101, 99, 100, 100);
        vwap.Add(Utc(2024, 1, 10, 14, 30), 500, 500, 500, 1000);         // an earlier trading date
        vwap.Add(Utc(2024, 1, 11, 14, 31), double.NaN, 99, 100, 100);    // non-finite price
        vwap.Add(Utc(2024, 1, 11, 14, 32), 101, 99, 100, -1);            // negative volume
        vwap.Add(Utc(2024, 1, 11, 14, 33), 101, 99, 100, double.NaN);    // non-finite volume
        Assert.Equal(100, vwap.Value!.Value, Precision);
        Assert.Equal(1, vwap.Bars);
        Assert.Null(vwap.DistancePct(double.NaN));
    }

    [Fact]
    public void Reset_ForgetsTheSession()
    {
        var vwap = new SessionVwap();
        vwap.Add(Utc(2024, 1, 10, 14, 30), 101, 99, 100, 100);
        vwap.Reset();
        Assert.Null(vwap.Value);
        Assert.Null(vwap.SessionDate);
    }
}
