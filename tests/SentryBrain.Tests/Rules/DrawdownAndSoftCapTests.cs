using SentryBrain.Rules;

namespace SentryBrain.Tests.Rules;

public class DrawdownTests
{
    [Fact]
    public void Drawdown_HaltsBuys_AtMaxDrawdownFromThePeak()
    {
        var dd = new Drawdown(enabled: true, maxDrawdownPct: 5);
        Assert.False(dd.Update(100_000, out var moved));
        Assert.True(moved);
        Assert.False(dd.Update(110_000, out _)); // new peak 110,000
        Assert.False(dd.Update(104_600, out moved)); // (110,000 − 104,600)/110,000 = 4.909 % < 5 %
        Assert.False(moved);
        Assert.True(dd.Update(104_500, out _)); // 5.000 % ≥ 5 %
        Assert.Equal(5.0, dd.DrawdownPct, 9);
        Assert.False(dd.Update(104_501, out _)); // recovers just above the line: not latched
    }

    [Fact]
    public void Drawdown_Disabled_NeverHalts_ButStillTracksThePeak()
    {
        var dd = new Drawdown(enabled: false, maxDrawdownPct: 5);
        dd.Update(100_000, out _);
        Assert.False(dd.Update(50_000, out _));
        Assert.Equal(100_000, dd.PeakEquity);
        Assert.Equal(50, dd.DrawdownPct, 9);
    }

    [Fact]
    public void RestoredPeak_CountsAfterARestart()
    {
        var dd = new Drawdown(enabled: true, maxDrawdownPct: 5);
        dd.Restore(120_000);
        Assert.True(dd.Update(113_000, out _)); // (120,000 − 113,000)/120,000 = 5.83 %
    }
}

public class DailyCapSoftBandTests
{
    private static readonly DateOnly Day = new(2026, 3, 2);

    [Fact]
    public void SoftBand_KeepsBuying_PastTheTarget_UntilPnlGivesBackTheBand()
    {
        // target 0.25 %, band 0.10 %, baseline 100,000
        var cap = new DailyCap(enabled: true, capPct: 0.25, lossCapPct: 1, softTrailingPct: 0.10);
        Assert.Equal(DailyCapState.Open, cap.Update(Day, 100_000));
        Assert.Equal(DailyCapState.Open, cap.Update(Day, 100_300)); // +0.30 %: past the target, peak 0.30
        Assert.Equal(DailyCapState.Open, cap.Update(Day, 100_400)); // +0.40 %: peak 0.40
        Assert.Equal(DailyCapState.Open, cap.Update(Day, 100_310)); // +0.31 % > 0.40 − 0.10
        Assert.Equal(DailyCapState.TargetReached, cap.Update(Day, 100_300)); // +0.30 % ≤ 0.30: gave back the band
        Assert.Equal(DailyCapState.TargetReached, cap.Update(Day, 100_500)); // latched for the day
        Assert.Equal(DailyCapState.Open, cap.Update(Day.AddDays(1), 100_500)); // new date, new baseline
    }

    [Fact]
    public void SoftBand_StopsBuys_WhenPnlFallsBackBelowTheTarget()
    {
        var cap = new DailyCap(enabled: true, capPct: 0.25, lossCapPct: 1, softTrailingPct: 0.50);
        cap.Update(Day, 100_000);
        Assert.Equal(DailyCapState.Open, cap.Update(Day, 100_260)); // +0.26 %, peak 0.26
        Assert.Equal(DailyCapState.TargetReached, cap.Update(Day, 100_240)); // +0.24 % < target: the target was made today
    }
}
