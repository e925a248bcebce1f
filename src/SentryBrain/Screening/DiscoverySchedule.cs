using SentryBrain.Market;

namespace SentryBrain.Screening;

/// <summary>
/// When discovery runs, as New York wall-clock times: every <paramref name="IntervalMinutes"/> from
/// <paramref name="Start"/> (DISCOVERY_START_ET) strictly before <paramref name="End"/> (DISCOVERY_END_ET), plus
/// <paramref name="RunAt"/> (SCREENER_RUN_AT_ET) once a day when set. Mapped from the configuration by the caller.
/// </summary>
public sealed record DiscoveryTimes(TimeOnly Start, TimeOnly End, int IntervalMinutes, TimeOnly? RunAt)
{
    /// <summary>The reference defaults (BEHAVIOR.md §10): 07:00, 09:30, every 5 minutes, and 09:30.</summary>
    public static DiscoveryTimes Default { get; } = new(new TimeOnly(7, 0), new TimeOnly(9, 30), 5, new TimeOnly(9, 30));
}

/// <summary>
/// The discovery timetable as pure functions of a UTC instant. Slots exist on NYSE trading days only, early-close days
/// included: the reference skips half days in discovery mode (BEHAVIOR.md §12 item 33), yet the morning before an
/// early close needs a fresh active list as much as any other. Weekends and holidays have none. Slots are wall-clock
/// times, converted with <see cref="NewYorkTime"/>, so a DST switch moves their UTC instants, never their ET times.
/// </summary>
public static class DiscoverySchedule
{
    public const int MinIntervalMinutes = 1;
    public const int MaxIntervalMinutes = 240;

    /// <summary>How far <see cref="NextRun"/> looks ahead. The longest NYSE closure run (September 2001: a weekend
    /// and four weekdays) leaves a week without a slot, so 15 days never misses one while bounding the search.</summary>
    public const int MaxSearchDays = 15;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the offending variable when the settings cannot
    /// define a window.</summary>
    public static void Validate(DiscoveryTimes times)
    {
        ArgumentNullException.ThrowIfNull(times);
        if (times.IntervalMinutes is < MinIntervalMinutes or > MaxIntervalMinutes)
        {
            throw new ArgumentException(
                $"DISCOVERY_INTERVAL_MIN must be between {MinIntervalMinutes} and {MaxIntervalMinutes} minutes; got {times.IntervalMinutes}.",
                nameof(times));
        }

        if (times.Start >= times.End)
        {
            throw new ArgumentException(
                $"DISCOVERY_START_ET ({times.Start:HH:mm}) must be before DISCOVERY_END_ET ({times.End:HH:mm}).",
                nameof(times));
        }
    }

    /// <summary>The New York wall-clock slots of <paramref name="nyDate"/>, ascending; empty unless it is a trading
    /// day.</summary>
    public static IReadOnlyList<TimeOnly> WallSlotsOn(DateOnly nyDate, DiscoveryTimes times)
    {
        Validate(times);
        if (!NyseCalendar.IsTradingDay(nyDate))
        {
            return [];
        }

        var slots = new List<TimeOnly>();
        var interval = TimeSpan.FromMinutes(times.IntervalMinutes);
        var end = times.End.ToTimeSpan();

        // TimeSpan arithmetic rather than TimeOnly.Add, which wraps at midnight; End caps the walk before that.
        for (var at = times.Start.ToTimeSpan(); at < end; at += interval)
        {
            slots.Add(TimeOnly.FromTimeSpan(at));
        }

        if (times.RunAt is { } runAt && !slots.Contains(runAt))
        {
            slots.Add(runAt);
            slots.Sort();
        }

        return slots;
    }

    /// <summary>The UTC instants of <paramref name="nyDate"/>'s slots, ascending and distinct.</summary>
    public static IReadOnlyList<DateTime> SlotsOn(DateOnly nyDate, DiscoveryTimes times)
    {
        var wall = WallSlotsOn(nyDate, times);
        var utc = new List<DateTime>(wall.Count);
        foreach (var slot in wall)
        {
            // A wall time skipped by the spring-forward jump maps to the hour after, which may equal another slot.
            var instant = NewYorkTime.ToUtc(nyDate, slot);
            if (utc.Count == 0 || instant > utc[^1])
            {
                utc.Add(instant);
            }
        }

        return utc;
    }

    /// <summary>The first slot at or after <paramref name="utcNow"/> (an unspecified kind is taken as UTC).</summary>
    /// <exception cref="InvalidOperationException">No slot within <see cref="MaxSearchDays"/> days (cannot happen with
    /// the NYSE calendar).</exception>
    public static DateTime NextRun(DateTime utcNow, DiscoveryTimes times)
    {
        var now = AsUtc(utcNow);
        var today = NewYorkTime.TradingDate(now);
        for (var day = 0; day <= MaxSearchDays; day++)
        {
            foreach (var slot in SlotsOn(today.AddDays(day), times))
            {
                if (slot >= now)
                {
                    return slot;
                }
            }
        }

        throw new InvalidOperationException($"No discovery slot within {MaxSearchDays} days after {now:O}.");
    }

    /// <summary>
    /// The slot that is due at <paramref name="utcNow"/>: the latest slot at or before it, provided less than one
    /// interval has passed since; else null. Inside [Start, End) on a trading day there is always one (the slots tile
    /// the window), so this is also "now is inside the discovery window", extended by one interval after RunAt.
    /// </summary>
    public static DateTime? DueSlot(DateTime utcNow, DiscoveryTimes times)
    {
        var now = AsUtc(utcNow);
        var today = NewYorkTime.TradingDate(now);
        var grace = TimeSpan.FromMinutes(times.IntervalMinutes);

        // The grace is at most 4 hours, so the due slot is today's or, just after midnight, yesterday's.
        for (var day = 0; day >= -1; day--)
        {
            var slots = SlotsOn(today.AddDays(day), times);
            for (var i = slots.Count - 1; i >= 0; i--)
            {
                if (slots[i] <= now)
                {
                    return now - slots[i] < grace ? slots[i] : null;
                }
            }
        }

        return null;
    }

    /// <summary>The slots strictly after <paramref name="afterUtc"/> and strictly before <paramref name="beforeUtc"/>,
    /// ascending.</summary>
    public static IReadOnlyList<DateTime> SlotsBetween(DateTime afterUtc, DateTime beforeUtc, DiscoveryTimes times)
    {
        var after = AsUtc(afterUtc);
        var before = AsUtc(beforeUtc);
        var found = new List<DateTime>();
        if (after >= before)
        {
            return found;
        }

        // Day by day rather than NextRun by NextRun: a range over a long closure must not give up after 15 days.
        for (var day = NewYorkTime.TradingDate(after); day <= NewYorkTime.TradingDate(before); day = day.AddDays(1))
        {
            foreach (var slot in SlotsOn(day, times))
            {
                if (slot > after && slot < before)
                {
                    found.Add(slot);
                }
            }
        }

        return found;
    }

    private static DateTime AsUtc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Local => t.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        _ => t,
    };
}
