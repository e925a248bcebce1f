using System.Globalization;
using SentryBrain.Market;
using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Market;

/// <summary>
/// The calendar is computed from rules; these tables are the dates NYSE published. Sources (NYSE Group press
/// releases, Business Wire, as reprinted by Mondo Visione):
/// - "NYSE Group Announces 2022, 2023 and 2024 Holiday and Early Closings Calendar" (2021-12-27)
///   https://mondovisione.com/media-and-resources/news/nyse-group-announces-2022-2023-and-2024-holiday-and-early-closings-calendar/
/// - "NYSE Group Announces 2023, 2024 and 2025 Holiday and Early Closings Calendar" (2022-12-21, Business Wire)
/// - "NYSE Group Announces 2025, 2026 and 2027 Holiday and Early Closings Calendar" (2024-11-08)
///   https://mondovisione.com/media-and-resources/news/nyse-group-announces-2025-2026-and-2027-holiday-and-early-closings-calendar/
/// - "NYSE Group Announces 2026, 2027 and 2028 Holiday and Early Closings Calendar" (2025-12-23)
///   https://mondovisione.com/media-and-resources/news/nyse-group-announces-2026-2027-and-2028-holiday-and-early-closings-calendar-20251223/
/// - 2025-01-09 closure (National Day of Mourning, President Carter): NYSE Group statement of 2024-12-30, e.g.
///   https://www.ibtimes.com/nyse-nasdaq-markets-closed-jan-9-day-mourning-jimmy-carter-3757298
/// Early closes are at 1:00 p.m. ET ("Each market will close early at 1:00 p.m." in each release's footnotes).
/// </summary>
public class NyseCalendarTests
{
    // Every full-day closure NYSE published for 2022–2028.
    private static readonly string[] PublishedHolidays =
    [
        // 2022 (Jan 1 is a Saturday: no New Year's holiday, NYSE Rule 7.2)
        "2022-01-17", "2022-02-21", "2022-04-15", "2022-05-30", "2022-06-20", "2022-07-04", "2022-09-05",
        "2022-11-24", "2022-12-26",

        // 2023
        "2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19", "2023-07-04",
        "2023-09-04", "2023-11-23", "2023-12-25",

        // 2024
        "2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04",
        "2024-09-02", "2024-11-28", "2024-12-25",

        // 2025 (plus the unscheduled Jan 9 closure)
        "2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19",
        "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25",

        // 2026 (Independence Day observed Friday Jul 3)
        "2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03",
        "2026-09-07", "2026-11-26", "2026-12-25",

        // 2027 (Juneteenth observed Fri Jun 18, Independence Day observed Mon Jul 5, Christmas observed Fri Dec 24)
        "2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18", "2027-07-05",
        "2027-09-06", "2027-11-25", "2027-12-24",

        // 2028 (Jan 1 is a Saturday: no New Year's holiday)
        "2028-01-17", "2028-02-21", "2028-04-14", "2028-05-29", "2028-06-19", "2028-07-04", "2028-09-04",
        "2028-11-23", "2028-12-25",
    ];

    // Every 1:00 p.m. early close NYSE published for 2022–2028.
    private static readonly string[] PublishedEarlyCloses =
    [
        "2022-11-25",
        "2023-07-03", "2023-11-24",
        "2024-07-03", "2024-11-29", "2024-12-24",
        "2025-07-03", "2025-11-28", "2025-12-24",
        "2026-11-27", "2026-12-24",
        "2027-11-26",
        "2028-07-03", "2028-11-24",
    ];

    public static TheoryData<string> HolidayRows => [.. PublishedHolidays];

    public static TheoryData<string> EarlyCloseRows => [.. PublishedEarlyCloses];

    [Theory]
    [MemberData(nameof(HolidayRows))]
    public void PublishedHoliday_IsAFullClosure(string date)
    {
        var d = D(date);
        Assert.True(NyseCalendar.IsHoliday(d));
        Assert.False(NyseCalendar.IsTradingDay(d));
        Assert.False(NyseCalendar.IsFullTradingDay(d));
        Assert.NotNull(NyseCalendar.HolidayName(d));
        Assert.Null(NyseCalendar.EarlyClose(d));
    }

    [Theory]
    [MemberData(nameof(EarlyCloseRows))]
    public void PublishedEarlyClose_ClosesAt1300(string date)
    {
        var d = D(date);
        Assert.Equal(new TimeOnly(13, 0), NyseCalendar.EarlyClose(d));
        Assert.Equal(new TimeOnly(13, 0), NyseCalendar.CloseTime(d));
        Assert.True(NyseCalendar.IsTradingDay(d));
        Assert.False(NyseCalendar.IsFullTradingDay(d));
        Assert.False(NyseCalendar.IsHoliday(d));
        Assert.Null(NyseCalendar.HolidayName(d));
    }

    /// <summary>No closures or early closes beyond the published ones: every day of each year is checked.</summary>
    [Theory]
    [InlineData(2022)]
    [InlineData(2023)]
    [InlineData(2024)]
    [InlineData(2025)]
    [InlineData(2026)]
    [InlineData(2027)]
    [InlineData(2028)]
    public void WholeYear_MatchesThePublishedSchedule(int year)
    {
        var holidays = PublishedHolidays.Select(D).Where(d => d.Year == year).ToHashSet();
        var earlyCloses = PublishedEarlyCloses.Select(D).Where(d => d.Year == year).ToHashSet();
        var computedHolidays = new HashSet<DateOnly>();
        var computedEarly = new HashSet<DateOnly>();
        for (var d = new DateOnly(year, 1, 1); d.Year == year; d = d.AddDays(1))
        {
            var weekend = d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            if (NyseCalendar.IsHoliday(d))
            {
                computedHolidays.Add(d);
            }

            if (NyseCalendar.EarlyClose(d) is not null)
            {
                computedEarly.Add(d);
            }

            Assert.Equal(!weekend && !holidays.Contains(d), NyseCalendar.IsTradingDay(d));
            Assert.Equal(!weekend && !holidays.Contains(d) && !earlyCloses.Contains(d), NyseCalendar.IsFullTradingDay(d));
            Assert.Equal(earlyCloses.Contains(d) ? new TimeOnly(13, 0) : new TimeOnly(16, 0), NyseCalendar.CloseTime(d));
        }

        Assert.Equal(holidays.Order(), computedHolidays.Order());
        Assert.Equal(earlyCloses.Order(), computedEarly.Order());
    }

    [Theory]
    [InlineData("2027-12-31")] // Friday; Jan 1 2028 is a Saturday and is not observed on Dec 31 (Rule 7.2)
    [InlineData("2021-12-31")] // same situation for Jan 1 2022
    [InlineData("2024-11-22")] // "4th Friday of November" in the reference; the real early close is Nov 29
    [InlineData("2026-07-02")] // Thursday before the observed Jul 3 holiday: full day
    [InlineData("2027-07-02")] // Friday before the observed Jul 5 holiday: full day
    [InlineData("2027-12-23")] // Thursday before the observed Dec 24 holiday: full day
    [InlineData("2025-12-26")] // Friday after Christmas
    [InlineData("2025-12-31")]
    [InlineData("2026-12-31")]
    [InlineData("2027-06-17")]
    [InlineData("2026-03-09")]
    [InlineData("2026-11-02")]
    public void OrdinaryWeekday_IsAFullTradingDay(string date)
    {
        var d = D(date);
        Assert.False(NyseCalendar.IsHoliday(d));
        Assert.Null(NyseCalendar.HolidayName(d));
        Assert.Null(NyseCalendar.EarlyClose(d));
        Assert.True(NyseCalendar.IsTradingDay(d));
        Assert.True(NyseCalendar.IsFullTradingDay(d));
        Assert.Equal(new TimeOnly(16, 0), NyseCalendar.CloseTime(d));
    }

    [Theory]
    [InlineData("2026-03-07")] // Saturday
    [InlineData("2026-03-08")] // Sunday
    [InlineData("2027-12-25")] // Christmas on a Saturday: the closure is the Friday; Saturday is just a weekend
    [InlineData("2028-01-01")] // New Year's Day on a Saturday
    [InlineData("2026-07-04")] // Independence Day on a Saturday
    public void Weekend_IsNeitherHolidayNorTradingDay(string date)
    {
        var d = D(date);
        Assert.False(NyseCalendar.IsTradingDay(d));
        Assert.False(NyseCalendar.IsFullTradingDay(d));
        Assert.False(NyseCalendar.IsHoliday(d));
        Assert.Null(NyseCalendar.HolidayName(d));
    }

    [Theory]
    [InlineData("2027-12-24", "Christmas Day (observed)")]
    [InlineData("2026-07-03", "Independence Day (observed)")]
    [InlineData("2027-07-05", "Independence Day (observed)")]
    [InlineData("2027-06-18", "Juneteenth National Independence Day (observed)")]
    [InlineData("2022-06-20", "Juneteenth National Independence Day (observed)")]
    [InlineData("2023-01-02", "New Year's Day (observed)")]
    [InlineData("2022-12-26", "Christmas Day (observed)")]
    [InlineData("2026-01-01", "New Year's Day")]
    [InlineData("2026-01-19", "Martin Luther King, Jr. Day")]
    [InlineData("2026-02-16", "Washington's Birthday")]
    [InlineData("2026-05-25", "Memorial Day")]
    [InlineData("2026-09-07", "Labor Day")]
    [InlineData("2026-11-26", "Thanksgiving Day")]
    [InlineData("2025-01-09", "National Day of Mourning (President Carter)")]
    public void HolidayName_NamesTheClosure(string date, string name)
    {
        Assert.Equal(name, NyseCalendar.HolidayName(D(date)));
    }

    [Theory]
    [InlineData("2024-03-29", "2024-03-31")]
    [InlineData("2025-04-18", "2025-04-20")]
    [InlineData("2026-04-03", "2026-04-05")]
    [InlineData("2027-03-26", "2027-03-28")]
    [InlineData("2028-04-14", "2028-04-16")]
    public void GoodFriday_IsTwoDaysBeforeEaster(string goodFriday, string easter)
    {
        Assert.Equal(D(easter), NyseCalendar.EasterSunday(D(easter).Year));
        Assert.True(NyseCalendar.IsHoliday(D(goodFriday)));
        Assert.Equal("Good Friday", NyseCalendar.HolidayName(D(goodFriday)));
    }

    [Theory]
    [InlineData(2000, "2000-04-23")]
    [InlineData(2008, "2008-03-23")]
    [InlineData(2011, "2011-04-24")]
    [InlineData(2019, "2019-04-21")]
    [InlineData(2038, "2038-04-25")] // latest possible
    [InlineData(2285, "2285-03-22")] // earliest possible
    public void EasterSunday_Computus(int year, string easter)
    {
        Assert.Equal(D(easter), NyseCalendar.EasterSunday(year));
    }

    [Fact]
    public void SpecialClosures_AreWeekdays()
    {
        Assert.Contains(D("2025-01-09"), NyseCalendar.SpecialClosures.Keys);
        foreach (var date in NyseCalendar.SpecialClosures.Keys)
        {
            Assert.True(NyseCalendar.IsHoliday(date), date.ToString("O", CultureInfo.InvariantCulture));
            Assert.DoesNotContain(date.DayOfWeek, new[] { DayOfWeek.Saturday, DayOfWeek.Sunday });
        }
    }

    // 2026: EST until Sunday Mar 8, EDT until Sunday Nov 1.
    [Theory]
    [InlineData("2026-03-06T08:59:59Z", MarketSession.Closed)]    // Fri 03:59:59 EST
    [InlineData("2026-03-06T09:00:00Z", MarketSession.PreOpen)]   // 04:00 EST
    [InlineData("2026-03-06T14:29:59Z", MarketSession.PreOpen)]
    [InlineData("2026-03-06T14:30:00Z", MarketSession.Regular)]   // 09:30 EST
    [InlineData("2026-03-06T20:59:59Z", MarketSession.Regular)]
    [InlineData("2026-03-06T21:00:00Z", MarketSession.PostClose)] // 16:00 EST
    [InlineData("2026-03-07T00:59:59Z", MarketSession.PostClose)] // Fri 19:59:59 EST, UTC already Saturday
    [InlineData("2026-03-07T01:00:00Z", MarketSession.Closed)]    // 20:00 EST
    [InlineData("2026-03-07T15:00:00Z", MarketSession.Closed)]    // Saturday
    [InlineData("2026-03-08T15:00:00Z", MarketSession.Closed)]    // Sunday (DST starts)
    [InlineData("2026-03-09T03:00:00Z", MarketSession.Closed)]    // Sun 23:00 EDT
    [InlineData("2026-03-09T07:59:59Z", MarketSession.Closed)]    // Mon 03:59:59 EDT
    [InlineData("2026-03-09T08:00:00Z", MarketSession.PreOpen)]   // 04:00 EDT
    [InlineData("2026-03-09T13:29:59Z", MarketSession.PreOpen)]
    [InlineData("2026-03-09T13:30:00Z", MarketSession.Regular)]   // 09:30 EDT
    [InlineData("2026-03-09T19:59:59Z", MarketSession.Regular)]
    [InlineData("2026-03-09T20:00:00Z", MarketSession.PostClose)] // 16:00 EDT
    [InlineData("2026-03-10T00:00:00Z", MarketSession.Closed)]    // 20:00 EDT
    [InlineData("2026-11-01T15:00:00Z", MarketSession.Closed)]    // Sunday (DST ends)
    [InlineData("2026-11-02T14:29:59Z", MarketSession.PreOpen)]   // back to EST
    [InlineData("2026-11-02T14:30:00Z", MarketSession.Regular)]
    public void SessionAt_FollowsDaylightSaving(string utc, MarketSession expected)
    {
        Assert.Equal(expected, NyseCalendar.SessionAt(U(utc)));
    }

    [Theory]
    [InlineData("2026-11-27T14:30:00Z", MarketSession.Regular)]   // day after Thanksgiving, EST
    [InlineData("2026-11-27T17:59:59Z", MarketSession.Regular)]
    [InlineData("2026-11-27T18:00:00Z", MarketSession.PostClose)] // 13:00 EST close
    [InlineData("2026-11-27T21:59:59Z", MarketSession.PostClose)] // 16:59:59 EST
    [InlineData("2026-11-27T22:00:00Z", MarketSession.Closed)]    // 17:00 EST: post-close ends early too
    [InlineData("2026-12-24T17:59:59Z", MarketSession.Regular)]   // Christmas Eve
    [InlineData("2026-12-24T18:00:00Z", MarketSession.PostClose)]
    [InlineData("2024-07-03T16:59:59Z", MarketSession.Regular)]   // Jul 3, EDT: 13:00 = 17:00Z
    [InlineData("2024-07-03T17:00:00Z", MarketSession.PostClose)]
    [InlineData("2024-07-03T20:59:59Z", MarketSession.PostClose)]
    [InlineData("2024-07-03T21:00:00Z", MarketSession.Closed)]
    public void SessionAt_EarlyClose(string utc, MarketSession expected)
    {
        Assert.Equal(expected, NyseCalendar.SessionAt(U(utc)));
    }

    [Theory]
    [InlineData("2026-01-01T15:00:00Z")] // New Year's Day
    [InlineData("2026-04-03T14:00:00Z")] // Good Friday
    [InlineData("2026-07-03T14:00:00Z")] // Independence Day observed
    [InlineData("2026-11-26T16:00:00Z")] // Thanksgiving
    [InlineData("2025-01-09T15:00:00Z")] // National Day of Mourning
    [InlineData("2027-12-24T10:00:00Z")] // Christmas observed, pre-open hours
    [InlineData("2027-12-24T22:00:00Z")] // Christmas observed, post-close hours
    public void SessionAt_HolidayIsClosed(string utc)
    {
        Assert.Equal(MarketSession.Closed, NyseCalendar.SessionAt(U(utc)));
    }

    [Fact]
    public void SessionAt_UnspecifiedKindIsTreatedAsUtc()
    {
        var unspecified = new DateTime(2026, 3, 9, 13, 30, 0, DateTimeKind.Unspecified);
        Assert.Equal(MarketSession.Regular, NyseCalendar.SessionAt(unspecified));
    }

    /// <summary>The cached fast path agrees with a direct wall-clock computation, including when several threads
    /// walk different days concurrently (every 7 minutes over 2024–2027, DST switches included).</summary>
    [Fact]
    public void SessionAt_AgreesWithWallClockReference_AcrossThreads()
    {
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var end = new DateTime(2028, 1, 3, 0, 0, 0, DateTimeKind.Utc);
        var step = TimeSpan.FromMinutes(7);
        var count = (int)((end - start) / step);
        var mismatches = 0;
        Parallel.For(0, 4, lane =>
        {
            // Lanes interleave so that neighbouring calls on one thread hit different days.
            for (var i = lane; i < count; i += 4)
            {
                var utc = start + (step * i);
                if (NyseCalendar.SessionAt(utc) != Reference(utc))
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        });

        Assert.Equal(0, mismatches);
    }

    [Theory]
    [InlineData("2026-01-15", "2026-01-15T14:30:00Z", "2026-01-15T21:00:00Z")] // EST
    [InlineData("2026-07-15", "2026-07-15T13:30:00Z", "2026-07-15T20:00:00Z")] // EDT
    [InlineData("2026-11-27", "2026-11-27T14:30:00Z", "2026-11-27T18:00:00Z")] // early close, EST
    [InlineData("2024-07-03", "2024-07-03T13:30:00Z", "2024-07-03T17:00:00Z")] // early close, EDT
    public void OpenAndCloseUtc(string date, string open, string close)
    {
        var openUtc = NyseCalendar.OpenUtc(D(date));
        var closeUtc = NyseCalendar.CloseUtc(D(date));
        Assert.Equal(U(open), openUtc);
        Assert.Equal(U(close), closeUtc);
        Assert.Equal(DateTimeKind.Utc, openUtc.Kind);
        Assert.Equal(DateTimeKind.Utc, closeUtc.Kind);
    }

    [Theory]
    [InlineData("2026-07-02", "2026-07-06")] // over the observed Jul 3 and the weekend
    [InlineData("2026-07-03", "2026-07-06")] // from a holiday
    [InlineData("2026-01-16", "2026-01-20")] // MLK long weekend
    [InlineData("2026-04-02", "2026-04-06")] // Good Friday
    [InlineData("2027-12-23", "2027-12-27")] // Christmas observed Friday
    [InlineData("2027-12-31", "2028-01-03")] // Jan 1 2028 (Saturday) is not observed
    [InlineData("2025-01-08", "2025-01-10")] // Carter day of mourning
    [InlineData("2026-11-25", "2026-11-27")] // Thanksgiving; the early-close Friday is a trading day
    [InlineData("2026-03-09", "2026-03-10")] // strictly after
    [InlineData("2026-03-07", "2026-03-09")] // from a Saturday
    public void NextTradingDay_SkipsWeekendsAndHolidays(string date, string next)
    {
        Assert.Equal(D(next), NyseCalendar.NextTradingDay(D(date)));
    }

    [Theory]
    [InlineData("2026-07-06", "2026-07-02")]
    [InlineData("2026-01-20", "2026-01-16")]
    [InlineData("2026-04-06", "2026-04-02")]
    [InlineData("2027-12-27", "2027-12-23")]
    [InlineData("2028-01-03", "2027-12-31")]
    [InlineData("2025-01-10", "2025-01-08")]
    [InlineData("2026-11-27", "2026-11-25")]
    [InlineData("2026-03-10", "2026-03-09")] // strictly before
    [InlineData("2026-03-08", "2026-03-06")] // from a Sunday
    public void PreviousTradingDay_SkipsWeekendsAndHolidays(string date, string previous)
    {
        Assert.Equal(D(previous), NyseCalendar.PreviousTradingDay(D(date)));
    }

    [Fact]
    public void HotPath_DoesNotAllocate()
    {
        var day = D("2026-11-27");
        var morning = U("2026-11-27T14:00:00Z");
        var nextDay = U("2026-11-30T15:00:00Z");

        // Warm up: years cached, JIT done (tiering can still recompile once), thread-local window built.
        var sink = 0;
        for (var i = 0; i < 2_000; i++)
        {
            sink += Touch(day, morning, nextDay, i);
        }

        // Steady state: some round of 10,000 calls must allocate nothing (SteadyState says why "some").
        SteadyState.AssertAllocatesNothing(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                sink += Touch(day, morning, nextDay, i);
            }
        });
        Assert.NotEqual(0, sink);

        static int Touch(DateOnly day, DateTime morning, DateTime nextDay, int i)
        {
            var n = 0;
            n += NyseCalendar.IsHoliday(day.AddDays(i % 60)) ? 1 : 0;
            n += NyseCalendar.IsTradingDay(day.AddDays(i % 60)) ? 1 : 0;
            n += NyseCalendar.IsFullTradingDay(day) ? 1 : 0;
            n += NyseCalendar.EarlyClose(day) is null ? 0 : 1;
            n += NyseCalendar.HolidayName(day.AddDays(-1))?.Length ?? 0;
            n += NyseCalendar.NextTradingDay(day).Day;
            n += (int)NyseCalendar.SessionAt(morning.AddSeconds(i));

            // Crossing to another day rebuilds the thread-local window without allocating.
            n += (int)NyseCalendar.SessionAt((i & 1) == 0 ? morning : nextDay);
            return n;
        }
    }

    private static MarketSession Reference(DateTime utc)
    {
        var date = NewYorkTime.TradingDate(utc);
        var wall = NewYorkTime.WallTime(utc);
        if (!NyseCalendar.IsTradingDay(date))
        {
            return MarketSession.Closed;
        }

        var close = NyseCalendar.CloseTime(date);
        var postEnd = NyseCalendar.EarlyClose(date) is null ? new TimeOnly(20, 0) : new TimeOnly(17, 0);
        if (wall < new TimeOnly(4, 0) || wall >= postEnd)
        {
            return MarketSession.Closed;
        }

        if (wall < new TimeOnly(9, 30))
        {
            return MarketSession.PreOpen;
        }

        return wall < close ? MarketSession.Regular : MarketSession.PostClose;
    }

    private static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateTime U(string s) =>
        DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
