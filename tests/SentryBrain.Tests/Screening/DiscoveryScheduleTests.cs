using System.Globalization;
using SentryBrain.Screening;

namespace SentryBrain.Tests.Screening;

/// <summary>
/// The discovery timetable against hand-derived UTC instants. 2026 facts used (checked against a printed calendar):
/// US DST runs from Sunday March 8 to Sunday November 1, so New York is UTC−4 (EDT) from Monday March 9 through Friday
/// October 30 and UTC−5 (EST) otherwise; Thanksgiving is Thursday November 26 (holiday), Friday November 27 and
/// Thursday December 24 close early, Friday December 25 is Christmas; December 8 is a Tuesday, December 12–13 a
/// weekend, July 15 a Wednesday.
/// </summary>
public class DiscoveryScheduleTests
{
    private static readonly DiscoveryTimes Defaults = DiscoveryTimes.Default;

    private static DateTime Utc(string iso) => DateTime.ParseExact(iso, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>30 window slots every 5 minutes from <paramref name="firstUtc"/> (07:00 ET), then 09:30 ET = first + 150 min.</summary>
    private static List<DateTime> DefaultDay(string firstUtc)
    {
        var first = Utc(firstUtc);
        var slots = Enumerable.Range(0, 30).Select(i => first.AddMinutes(5 * i)).ToList();
        slots.Add(first.AddMinutes(150));
        return slots;
    }

    [Fact]
    public void Defaults_are_the_reference_settings()
    {
        Assert.Equal(new DiscoveryTimes(new TimeOnly(7, 0), new TimeOnly(9, 30), 5, new TimeOnly(9, 30)), Defaults);
    }

    [Fact]
    public void Normal_winter_day_has_07_00_to_09_25_every_5_minutes_plus_09_30_in_EST()
    {
        // Tue 2026-12-08, EST (UTC−5): 07:00 ET = 12:00 UTC … 09:25 ET = 14:25 UTC, 09:30 ET = 14:30 UTC.
        string[] expected =
        [
            "2026-12-08 12:00", "2026-12-08 12:05", "2026-12-08 12:10", "2026-12-08 12:15", "2026-12-08 12:20",
            "2026-12-08 12:25", "2026-12-08 12:30", "2026-12-08 12:35", "2026-12-08 12:40", "2026-12-08 12:45",
            "2026-12-08 12:50", "2026-12-08 12:55", "2026-12-08 13:00", "2026-12-08 13:05", "2026-12-08 13:10",
            "2026-12-08 13:15", "2026-12-08 13:20", "2026-12-08 13:25", "2026-12-08 13:30", "2026-12-08 13:35",
            "2026-12-08 13:40", "2026-12-08 13:45", "2026-12-08 13:50", "2026-12-08 13:55", "2026-12-08 14:00",
            "2026-12-08 14:05", "2026-12-08 14:10", "2026-12-08 14:15", "2026-12-08 14:20", "2026-12-08 14:25",
            "2026-12-08 14:30",
        ];

        var slots = DiscoverySchedule.SlotsOn(new DateOnly(2026, 12, 8), Defaults);

        Assert.Equal(expected.Select(Utc), slots);
        Assert.All(slots, s => Assert.Equal(DateTimeKind.Utc, s.Kind));
        Assert.Equal(31, DiscoverySchedule.WallSlotsOn(new DateOnly(2026, 12, 8), Defaults).Count);
        Assert.Equal(new TimeOnly(9, 25), DiscoverySchedule.WallSlotsOn(new DateOnly(2026, 12, 8), Defaults)[29]);
    }

    [Fact]
    public void Summer_day_slots_are_an_hour_earlier_in_UTC()
    {
        // Wed 2026-07-15, EDT (UTC−4): 07:00 ET = 11:00 UTC, 09:30 ET = 13:30 UTC.
        var slots = DiscoverySchedule.SlotsOn(new DateOnly(2026, 7, 15), Defaults);

        Assert.Equal(DefaultDay("2026-07-15 11:00"), slots);
        Assert.Equal(Utc("2026-07-15 13:25"), slots[29]);
        Assert.Equal(Utc("2026-07-15 13:30"), slots[30]);
    }

    [Theory]
    [InlineData("2026-12-25")] // Christmas (Friday)
    [InlineData("2026-11-26")] // Thanksgiving (Thursday)
    [InlineData("2026-12-12")] // Saturday
    [InlineData("2026-12-13")] // Sunday
    public void Holidays_and_weekends_have_no_slots(string date)
    {
        Assert.Empty(DiscoverySchedule.SlotsOn(DateOnly.Parse(date, CultureInfo.InvariantCulture), Defaults));
    }

    [Theory]
    [InlineData("2026-11-27", "2026-11-27 12:00")] // day after Thanksgiving, EST
    [InlineData("2026-12-24", "2026-12-24 12:00")] // Christmas Eve (Thursday), EST
    public void Early_close_days_have_the_full_window(string date, string firstUtc)
    {
        Assert.Equal(DefaultDay(firstUtc), DiscoverySchedule.SlotsOn(DateOnly.Parse(date, CultureInfo.InvariantCulture), Defaults));
    }

    [Fact]
    public void Day_after_the_spring_switch_is_in_EDT_and_the_day_before_in_EST()
    {
        // Fri 2026-03-06 EST: 07:00 ET = 12:00 UTC. Mon 2026-03-09 (DST began Sun 03-08) EDT: 07:00 ET = 11:00 UTC.
        Assert.Equal(DefaultDay("2026-03-06 12:00"), DiscoverySchedule.SlotsOn(new DateOnly(2026, 3, 6), Defaults));
        Assert.Equal(DefaultDay("2026-03-09 11:00"), DiscoverySchedule.SlotsOn(new DateOnly(2026, 3, 9), Defaults));
        Assert.Empty(DiscoverySchedule.SlotsOn(new DateOnly(2026, 3, 8), Defaults));

        // Across the switch weekend: Friday 10:00 ET (15:00 UTC) → Monday 07:00 EDT.
        Assert.Equal(Utc("2026-03-09 11:00"), DiscoverySchedule.NextRun(Utc("2026-03-06 15:00"), Defaults));
    }

    [Fact]
    public void Day_after_the_autumn_switch_is_back_in_EST()
    {
        // Fri 2026-10-30 EDT: 07:00 ET = 11:00 UTC; 10:00 ET = 14:00 UTC. DST ended Sun 11-01: Mon 11-02 07:00 ET = 12:00 UTC.
        Assert.Equal(DefaultDay("2026-10-30 11:00"), DiscoverySchedule.SlotsOn(new DateOnly(2026, 10, 30), Defaults));
        Assert.Equal(Utc("2026-11-02 12:00"), DiscoverySchedule.NextRun(Utc("2026-10-30 14:00"), Defaults));
    }

    [Theory]
    [InlineData("2026-12-08 11:00", "2026-12-08 12:00")] // 06:00 ET → 07:00 ET
    [InlineData("2026-12-08 12:00", "2026-12-08 12:00")] // exactly 07:00 ET: that slot
    [InlineData("2026-12-08 12:01", "2026-12-08 12:05")] // 07:01 → 07:05
    [InlineData("2026-12-08 14:21", "2026-12-08 14:25")] // 09:21 → 09:25
    [InlineData("2026-12-08 14:26", "2026-12-08 14:30")] // 09:26 → 09:30 (SCREENER_RUN_AT_ET)
    [InlineData("2026-12-08 14:31", "2026-12-09 12:00")] // 09:31 → Wednesday 07:00
    [InlineData("2026-12-09 04:59", "2026-12-09 12:00")] // 23:59 ET Tuesday → Wednesday 07:00
    [InlineData("2026-12-11 15:00", "2026-12-14 12:00")] // Friday 10:00 → Monday 07:00
    [InlineData("2026-12-12 15:00", "2026-12-14 12:00")] // Saturday 10:00 → Monday 07:00
    [InlineData("2026-12-25 11:00", "2026-12-28 12:00")] // Christmas 06:00 → Monday 12-28 07:00
    [InlineData("2026-12-24 14:31", "2026-12-28 12:00")] // Christmas Eve 09:31 → over Christmas and the weekend
    [InlineData("2026-11-26 13:00", "2026-11-27 12:00")] // Thanksgiving 08:00 → Friday (early close) 07:00
    public void NextRun_is_the_first_slot_at_or_after_now(string nowUtc, string expectedUtc)
    {
        var next = DiscoverySchedule.NextRun(Utc(nowUtc), Defaults);

        Assert.Equal(Utc(expectedUtc), next);
        Assert.Equal(DateTimeKind.Utc, next.Kind);
    }

    [Fact]
    public void NextRun_one_tick_after_a_slot_is_the_following_slot()
    {
        Assert.Equal(Utc("2026-12-08 12:05"), DiscoverySchedule.NextRun(Utc("2026-12-08 12:00").AddTicks(1), Defaults));
        Assert.Equal(Utc("2026-12-09 12:00"), DiscoverySchedule.NextRun(Utc("2026-12-08 14:30").AddTicks(1), Defaults));
    }

    [Fact]
    public void NextRun_takes_an_unspecified_kind_as_UTC()
    {
        var unspecified = new DateTime(2026, 12, 8, 12, 1, 0, DateTimeKind.Unspecified);

        Assert.Equal(Utc("2026-12-08 12:05"), DiscoverySchedule.NextRun(unspecified, Defaults));
    }

    [Fact]
    public void Run_at_inside_the_window_is_not_a_second_slot_and_outside_it_is_sorted_in()
    {
        var inside = new DiscoveryTimes(new TimeOnly(8, 0), new TimeOnly(8, 20), 7, new TimeOnly(8, 7));
        var before = inside with { RunAt = new TimeOnly(6, 30) };
        var none = inside with { RunAt = null };

        // 08:00, 08:07, 08:14 (08:21 is past End); EST: +5 h.
        Assert.Equal([new TimeOnly(8, 0), new TimeOnly(8, 7), new TimeOnly(8, 14)], DiscoverySchedule.WallSlotsOn(new DateOnly(2026, 12, 8), inside));
        Assert.Equal([Utc("2026-12-08 13:00"), Utc("2026-12-08 13:07"), Utc("2026-12-08 13:14")], DiscoverySchedule.SlotsOn(new DateOnly(2026, 12, 8), none));
        Assert.Equal([new TimeOnly(6, 30), new TimeOnly(8, 0), new TimeOnly(8, 7), new TimeOnly(8, 14)], DiscoverySchedule.WallSlotsOn(new DateOnly(2026, 12, 8), before));
    }

    [Fact]
    public void End_is_exclusive()
    {
        var times = new DiscoveryTimes(new TimeOnly(7, 0), new TimeOnly(7, 10), 5, null);

        Assert.Equal([new TimeOnly(7, 0), new TimeOnly(7, 5)], DiscoverySchedule.WallSlotsOn(new DateOnly(2026, 12, 8), times));
    }

    [Theory]
    [InlineData("2026-12-08 12:00", "2026-12-08 12:00")] // 07:00 ET: just due
    [InlineData("2026-12-08 13:17", "2026-12-08 13:15")] // 08:17 ET: the 08:15 slot
    [InlineData("2026-12-08 14:29", "2026-12-08 14:25")] // 09:29 ET: 09:25
    [InlineData("2026-12-08 14:32", "2026-12-08 14:30")] // 09:32 ET: the 09:30 run, 2 minutes late
    [InlineData("2026-12-08 14:35", null)] // 09:35 ET: a whole interval after 09:30
    [InlineData("2026-12-08 11:59", null)] // 06:59 ET
    [InlineData("2026-12-25 13:00", null)] // Christmas 08:00 ET
    [InlineData("2026-11-27 13:00", "2026-11-27 13:00")] // early-close day 08:00 ET
    public void DueSlot_is_the_latest_slot_less_than_an_interval_ago(string nowUtc, string? expectedUtc)
    {
        Assert.Equal(expectedUtc is null ? (DateTime?)null : Utc(expectedUtc), DiscoverySchedule.DueSlot(Utc(nowUtc), Defaults));
    }

    [Fact]
    public void SlotsBetween_excludes_both_ends_and_crosses_days()
    {
        Assert.Equal(
            [Utc("2026-12-08 12:05"), Utc("2026-12-08 12:10")],
            DiscoverySchedule.SlotsBetween(Utc("2026-12-08 12:00"), Utc("2026-12-08 12:15"), Defaults));
        Assert.Empty(DiscoverySchedule.SlotsBetween(Utc("2026-12-08 12:15"), Utc("2026-12-08 12:00"), Defaults));

        // Tuesday 09:30 ET to Wednesday 07:05 ET: only Wednesday 07:00.
        Assert.Equal(
            [Utc("2026-12-09 12:00")],
            DiscoverySchedule.SlotsBetween(Utc("2026-12-08 14:30"), Utc("2026-12-09 12:05"), Defaults));
    }

    [Theory]
    [InlineData(0, "DISCOVERY_INTERVAL_MIN")]
    [InlineData(241, "DISCOVERY_INTERVAL_MIN")]
    [InlineData(-5, "DISCOVERY_INTERVAL_MIN")]
    public void Interval_outside_1_to_240_is_rejected_by_name(int interval, string variable)
    {
        var times = Defaults with { IntervalMinutes = interval };

        var ex = Assert.Throws<ArgumentException>(() => DiscoverySchedule.Validate(times));
        Assert.Contains(variable, ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => DiscoverySchedule.NextRun(Utc("2026-12-08 12:00"), times));
        Assert.Throws<ArgumentException>(() => DiscoverySchedule.SlotsOn(new DateOnly(2026, 12, 12), times)); // even on a weekend
    }

    [Fact]
    public void Interval_bounds_are_accepted()
    {
        DiscoverySchedule.Validate(Defaults with { IntervalMinutes = 1 });
        DiscoverySchedule.Validate(Defaults with { IntervalMinutes = 240 });
        Assert.Equal(150 + 1, DiscoverySchedule.SlotsOn(new DateOnly(2026, 12, 8), Defaults with { IntervalMinutes = 1 }).Count); // 07:00…09:29 and 09:30
    }

    [Theory]
    [InlineData(9, 30, 9, 30)]
    [InlineData(9, 30, 7, 0)]
    public void Start_not_before_end_is_rejected_by_name(int startHour, int startMinute, int endHour, int endMinute)
    {
        var times = Defaults with { Start = new TimeOnly(startHour, startMinute), End = new TimeOnly(endHour, endMinute) };

        var ex = Assert.Throws<ArgumentException>(() => DiscoverySchedule.Validate(times));
        Assert.Contains("DISCOVERY_START_ET", ex.Message, StringComparison.Ordinal);
        Assert.Contains("DISCOVERY_END_ET", ex.Message, StringComparison.Ordinal);
    }
}
