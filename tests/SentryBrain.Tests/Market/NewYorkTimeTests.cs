using SentryBrain.Market;

namespace SentryBrain.Tests.Market;

public class NewYorkTimeTests
{
    // 2026: DST starts Sunday March 8 (second Sunday), ends Sunday November 1 (first Sunday).
    [Theory]
    [InlineData("2026-03-06T14:30:00Z", "2026-03-06", "09:30")] // Friday before the change: EST, UTC−5
    [InlineData("2026-03-09T13:30:00Z", "2026-03-09", "09:30")] // Monday after: EDT, UTC−4
    [InlineData("2026-10-30T13:30:00Z", "2026-10-30", "09:30")] // still EDT
    [InlineData("2026-11-02T14:30:00Z", "2026-11-02", "09:30")] // back to EST
    [InlineData("2026-03-03T04:59:59Z", "2026-03-02", "23:59")] // UTC date ahead of New York's
    public void UtcToEastern_FollowsDaylightSaving(string utc, string date, string wall)
    {
        var ts = DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.Equal(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), NewYorkTime.TradingDate(ts));
        Assert.Equal(wall, NewYorkTime.WallTime(ts).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2026-01-15", 21)] // 16:00 EST = 21:00 UTC
    [InlineData("2026-07-15", 20)] // 16:00 EDT = 20:00 UTC
    public void CloseInUtc(string date, int hourUtc)
    {
        var close = NewYorkTime.ToUtc(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), NewYorkTime.RegularClose);
        Assert.Equal(hourUtc, close.Hour);
        Assert.Equal(DateTimeKind.Utc, close.Kind);
    }
}
