namespace SentryBrain.Market;

/// <summary>
/// America/New_York wall-clock conversions. Uses the system tz database when present and falls back
/// to the US DST rules in force since 2007 (second Sunday of March to first Sunday of November, 02:00 local),
/// so a machine without tzdata is never silently an hour off.
/// </summary>
public static class NewYorkTime
{
    private static readonly TimeZoneInfo? Zone = FindZone();

    public static readonly TimeOnly RegularOpen = new(9, 30);
    public static readonly TimeOnly RegularClose = new(16, 0);

    public static DateTime ToEastern(DateTime utc)
    {
        utc = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        if (Zone is not null)
        {
            return DateTime.SpecifyKind(TimeZoneInfo.ConvertTimeFromUtc(utc, Zone), DateTimeKind.Unspecified);
        }

        var offset = IsDaylightFallback(utc) ? TimeSpan.FromHours(-4) : TimeSpan.FromHours(-5);
        return DateTime.SpecifyKind(utc + offset, DateTimeKind.Unspecified);
    }

    /// <summary>The UTC instant of a New York wall-clock time (ambiguous times resolve to standard time).</summary>
    public static DateTime ToUtc(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (Zone is not null)
        {
            if (Zone.IsInvalidTime(local))
            {
                local = local.AddHours(1);
            }

            return TimeZoneInfo.ConvertTimeToUtc(local, Zone);
        }

        var guess = DateTime.SpecifyKind(local + TimeSpan.FromHours(5), DateTimeKind.Utc);
        return IsDaylightFallback(guess - TimeSpan.FromHours(1)) ? guess - TimeSpan.FromHours(1) : guess;
    }

    public static DateOnly TradingDate(DateTime utc) => DateOnly.FromDateTime(ToEastern(utc));

    public static TimeOnly WallTime(DateTime utc) => TimeOnly.FromDateTime(ToEastern(utc));

    private static TimeZoneInfo? FindZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    private static bool IsDaylightFallback(DateTime utc)
    {
        var year = utc.Year;
        var start = NthSunday(year, 3, 2).AddHours(2 + 5); // 02:00 EST = 07:00 UTC
        var end = NthSunday(year, 11, 1).AddHours(2 + 4);  // 02:00 EDT = 06:00 UTC
        return utc >= start && utc < end;
    }

    private static DateTime NthSunday(int year, int month, int n)
    {
        var first = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
        var offset = ((int)DayOfWeek.Sunday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + (7 * (n - 1)));
    }
}
