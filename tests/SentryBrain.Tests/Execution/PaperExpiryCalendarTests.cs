using SentryBrain.Execution.Paper;

namespace SentryBrain.Tests.Execution;

public class PaperExpiryCalendarTests
{
    [Theory]
    // Day after Thanksgiving 2026 (Fri Nov 27) closes at 13:00 ET = 18:00 UTC (EST).
    [InlineData("2026-11-27T15:00:00Z", "2026-11-27T18:00:00Z")]
    // Created after that early close: next trading day is Monday Nov 30, 16:00 ET = 21:00 UTC.
    [InlineData("2026-11-27T18:30:00Z", "2026-11-30T21:00:00Z")]
    // Friday 2026-03-06 after the close (16:30 ET): expires Monday 2026-03-09 16:00 EDT = 20:00 UTC (DST began Mar 8).
    [InlineData("2026-03-06T21:30:00Z", "2026-03-09T20:00:00Z")]
    // Good Friday 2026-04-03 is a holiday: an order placed that day expires Monday Apr 6, 16:00 EDT = 20:00 UTC.
    [InlineData("2026-04-03T15:00:00Z", "2026-04-06T20:00:00Z")]
    // An ordinary Monday morning: the same day's close.
    [InlineData("2026-03-02T15:00:00Z", "2026-03-02T21:00:00Z")]
    public void DayOrders_ExpireAtTheCloseOfTheSessionTheyCanTradeIn(string created, string expires)
    {
        var c = DateTime.Parse(created, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        var e = DateTime.Parse(expires, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.Equal(e, PaperBroker.ExpiryFor(c));
    }
}
