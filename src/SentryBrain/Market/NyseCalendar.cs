using System.Collections.Frozen;

namespace SentryBrain.Market;

/// <summary>
/// The NYSE holiday and early-close calendar, computed from the exchange's current rules (no table of dates),
/// plus a small fixed set of unscheduled closures. Fixes the reference calendar (BEHAVIOR.md §11, §12 item 33):
/// holidays falling on a weekend are observed on the adjacent weekday (except New Year's Day on a Saturday,
/// NYSE Rule 7.2), the early close after Thanksgiving is the day after the 4th Thursday, July 3 and December 24 are
/// early only when they are ordinary trading days, and ad-hoc closures are honoured.
/// </summary>
/// <remarks>
/// Rules are applied as currently in force: Martin Luther King, Jr. Day from 1998 and Juneteenth from 2022 (the
/// years NYSE adopted them); other historical practice (e.g. pre-1990s early closes) is not modelled. Per-year
/// results are computed once, cached in a lock-free array, and every query after the first for a year is
/// allocation-free. <see cref="SessionAt"/> additionally caches, per thread, the current New York day's UTC
/// boundaries, so the per-event cost is a few comparisons and no allocation.
/// </remarks>
public static class NyseCalendar
{
    public static readonly TimeOnly EarlyCloseTime = new(13, 0);
    public static readonly TimeOnly PreOpenStart = new(4, 0);
    public static readonly TimeOnly PostCloseEnd = new(20, 0);
    public static readonly TimeOnly EarlyClosePostCloseEnd = new(17, 0);

    /// <summary>Unscheduled full-day closures of the NYSE (weekdays only).</summary>
    internal static readonly FrozenDictionary<DateOnly, string> SpecialClosures = new Dictionary<DateOnly, string>
    {
        [new DateOnly(1994, 4, 27)] = "National Day of Mourning (President Nixon)",
        [new DateOnly(2001, 9, 11)] = "September 11 attacks",
        [new DateOnly(2001, 9, 12)] = "September 11 attacks",
        [new DateOnly(2001, 9, 13)] = "September 11 attacks",
        [new DateOnly(2001, 9, 14)] = "September 11 attacks",
        [new DateOnly(2004, 6, 11)] = "National Day of Mourning (President Reagan)",
        [new DateOnly(2007, 1, 2)] = "National Day of Mourning (President Ford)",
        [new DateOnly(2012, 10, 29)] = "Hurricane Sandy",
        [new DateOnly(2012, 10, 30)] = "Hurricane Sandy",
        [new DateOnly(2018, 12, 5)] = "National Day of Mourning (President George H. W. Bush)",
        [new DateOnly(2025, 1, 9)] = "National Day of Mourning (President Carter)",
    }.ToFrozenDictionary();

    private const int FirstCachedYear = 1900;
    private const int LastCachedYear = 2199;

    private static readonly YearCalendar?[] Years = new YearCalendar?[LastCachedYear - FirstCachedYear + 1];

    // Per thread: each consumer thread walks its own event times, so a shared cache would only thrash.
    [ThreadStatic]
    private static DayWindow t_window;

    private enum DayKind : byte
    {
        Normal = 0,
        Holiday = 1,
        EarlyClose = 2,
    }

    /// <summary>True on a weekday full-day closure: a holiday, an observed holiday, or an unscheduled closure.</summary>
    public static bool IsHoliday(DateOnly date) => Kind(date) == DayKind.Holiday;

    /// <summary>The closure's name when <see cref="IsHoliday"/> is true, otherwise null (weekend holidays that are
    /// not observed, e.g. New Year's Day on a Saturday, yield null).</summary>
    public static string? HolidayName(DateOnly date)
    {
        var year = For(date.Year);
        return year.Kinds[date.DayOfYear] == DayKind.Holiday ? year.Names[date.DayOfYear] : null;
    }

    public static bool IsTradingDay(DateOnly date) => !IsWeekend(date) && Kind(date) != DayKind.Holiday;

    /// <summary>13:00 on a scheduled early-close day, else null.</summary>
    public static TimeOnly? EarlyClose(DateOnly date) => Kind(date) == DayKind.EarlyClose ? EarlyCloseTime : null;

    public static bool IsFullTradingDay(DateOnly date) => !IsWeekend(date) && Kind(date) == DayKind.Normal;

    /// <summary>The regular-session close (16:00, or 13:00 on early-close days). Only meaningful on trading days.</summary>
    public static TimeOnly CloseTime(DateOnly date) =>
        Kind(date) == DayKind.EarlyClose ? EarlyCloseTime : NewYorkTime.RegularClose;

    public static DateTime OpenUtc(DateOnly date) => NewYorkTime.ToUtc(date, NewYorkTime.RegularOpen);

    public static DateTime CloseUtc(DateOnly date) => NewYorkTime.ToUtc(date, CloseTime(date));

    /// <summary>
    /// The session of an event time (UTC; an unspecified kind is taken as UTC). Closed on weekends and closures
    /// and outside 04:00–20:00 ET; PreOpen 04:00–09:30; Regular 09:30–close; PostClose close–20:00, or 13:00–17:00
    /// on early-close days. Intervals are half-open: exactly 09:30:00 ET is Regular.
    /// </summary>
    public static MarketSession SessionAt(DateTime utc)
    {
        var ticks = utc.Ticks;
        var window = t_window;
        if (ticks < window.StartTicks || ticks >= window.EndTicks)
        {
            window = DayWindow.Build(NewYorkTime.TradingDate(utc));
            t_window = window;
        }

        if (!window.IsTradingDay || ticks < window.PreOpenTicks || ticks >= window.PostEndTicks)
        {
            return MarketSession.Closed;
        }

        if (ticks < window.OpenTicks)
        {
            return MarketSession.PreOpen;
        }

        return ticks < window.CloseTicks ? MarketSession.Regular : MarketSession.PostClose;
    }

    /// <summary>The first trading day strictly after <paramref name="date"/>.</summary>
    public static DateOnly NextTradingDay(DateOnly date)
    {
        do
        {
            date = date.AddDays(1);
        }
        while (!IsTradingDay(date));

        return date;
    }

    /// <summary>The last trading day strictly before <paramref name="date"/>.</summary>
    public static DateOnly PreviousTradingDay(DateOnly date)
    {
        do
        {
            date = date.AddDays(-1);
        }
        while (!IsTradingDay(date));

        return date;
    }

    private static bool IsWeekend(DateOnly date) => date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    private static DayKind Kind(DateOnly date) => For(date.Year).Kinds[date.DayOfYear];

    private static YearCalendar For(int year)
    {
        if (year is < FirstCachedYear or > LastCachedYear)
        {
            return YearCalendar.Build(year);
        }

        ref var slot = ref Years[year - FirstCachedYear];
        var cached = Volatile.Read(ref slot);
        if (cached is not null)
        {
            return cached;
        }

        // Racing builders produce identical results; the first one published wins.
        var built = YearCalendar.Build(year);
        return Interlocked.CompareExchange(ref slot, built, null) ?? built;
    }

    /// <summary>Anonymous Gregorian computus (Meeus/Jones/Butcher).</summary>
    internal static DateOnly EasterSunday(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }

    private static DateOnly NthWeekday(int year, int month, DayOfWeek weekday, int n)
    {
        var first = new DateOnly(year, month, 1);
        var offset = ((int)weekday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + (7 * (n - 1)));
    }

    private static DateOnly LastWeekday(int year, int month, DayOfWeek weekday)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        var offset = ((int)last.DayOfWeek - (int)weekday + 7) % 7;
        return last.AddDays(-offset);
    }

    /// <summary>Per-year day classification, indexed by <see cref="DateOnly.DayOfYear"/> (1–366).</summary>
    private sealed class YearCalendar
    {
        private YearCalendar()
        {
        }

        public DayKind[] Kinds { get; } = new DayKind[367];

        public string?[] Names { get; } = new string?[367];

        public static YearCalendar Build(int year)
        {
            var cal = new YearCalendar();

            // Early closes first: a full closure on the same date overrides them.
            var thanksgiving = NthWeekday(year, 11, DayOfWeek.Thursday, 4);
            cal.Set(thanksgiving.AddDays(1), DayKind.EarlyClose, "Day after Thanksgiving");

            // July 3 / December 24 close early only as ordinary weekdays (Mon–Thu). On a Friday they are the observed
            // Independence Day / Christmas holiday; on a weekend there is nothing to shorten.
            var july3 = new DateOnly(year, 7, 3);
            if (july3.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Thursday)
            {
                cal.Set(july3, DayKind.EarlyClose, "Day before Independence Day");
            }

            var christmasEve = new DateOnly(year, 12, 24);
            if (christmasEve.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Thursday)
            {
                cal.Set(christmasEve, DayKind.EarlyClose, "Christmas Eve");
            }

            // New Year's Day: Sunday → Monday Jan 2; Saturday → not observed (NYSE Rule 7.2).
            var newYear = new DateOnly(year, 1, 1);
            if (newYear.DayOfWeek == DayOfWeek.Sunday)
            {
                cal.Set(newYear.AddDays(1), DayKind.Holiday, "New Year's Day (observed)");
            }
            else if (newYear.DayOfWeek != DayOfWeek.Saturday)
            {
                cal.Set(newYear, DayKind.Holiday, "New Year's Day");
            }

            if (year >= 1998)
            {
                cal.Set(NthWeekday(year, 1, DayOfWeek.Monday, 3), DayKind.Holiday, "Martin Luther King, Jr. Day");
            }

            cal.Set(NthWeekday(year, 2, DayOfWeek.Monday, 3), DayKind.Holiday, "Washington's Birthday");
            cal.Set(EasterSunday(year).AddDays(-2), DayKind.Holiday, "Good Friday");
            cal.Set(LastWeekday(year, 5, DayOfWeek.Monday), DayKind.Holiday, "Memorial Day");
            if (year >= 2022)
            {
                cal.SetObserved(new DateOnly(year, 6, 19), "Juneteenth National Independence Day");
            }

            cal.SetObserved(new DateOnly(year, 7, 4), "Independence Day");
            cal.Set(NthWeekday(year, 9, DayOfWeek.Monday, 1), DayKind.Holiday, "Labor Day");
            cal.Set(thanksgiving, DayKind.Holiday, "Thanksgiving Day");
            cal.SetObserved(new DateOnly(year, 12, 25), "Christmas Day");

            foreach (var (date, name) in SpecialClosures)
            {
                if (date.Year == year)
                {
                    cal.Set(date, DayKind.Holiday, name);
                }
            }

            return cal;
        }

        /// <summary>Saturday → preceding Friday, Sunday → following Monday.</summary>
        private void SetObserved(DateOnly date, string name)
        {
            switch (date.DayOfWeek)
            {
                case DayOfWeek.Saturday:
                    Set(date.AddDays(-1), DayKind.Holiday, name + " (observed)");
                    break;
                case DayOfWeek.Sunday:
                    Set(date.AddDays(1), DayKind.Holiday, name + " (observed)");
                    break;
                default:
                    Set(date, DayKind.Holiday, name);
                    break;
            }
        }

        private void Set(DateOnly date, DayKind kind, string name)
        {
            Kinds[date.DayOfYear] = kind;
            Names[date.DayOfYear] = name;
        }
    }

    /// <summary>One New York calendar day's session boundaries as UTC ticks (DST-aware via <see cref="NewYorkTime"/>).
    /// The default value is an empty range, so it never matches.</summary>
    private readonly struct DayWindow
    {
        private DayWindow(DateOnly date)
        {
            var early = EarlyClose(date);
            StartTicks = NewYorkTime.ToUtc(date, TimeOnly.MinValue).Ticks;
            EndTicks = date == DateOnly.MaxValue ? DateTime.MaxValue.Ticks : NewYorkTime.ToUtc(date.AddDays(1), TimeOnly.MinValue).Ticks;
            IsTradingDay = NyseCalendar.IsTradingDay(date);
            PreOpenTicks = NewYorkTime.ToUtc(date, PreOpenStart).Ticks;
            OpenTicks = NewYorkTime.ToUtc(date, NewYorkTime.RegularOpen).Ticks;
            CloseTicks = NewYorkTime.ToUtc(date, early ?? NewYorkTime.RegularClose).Ticks;
            PostEndTicks = NewYorkTime.ToUtc(date, early is null ? PostCloseEnd : EarlyClosePostCloseEnd).Ticks;
        }

        public long StartTicks { get; }

        public long EndTicks { get; }

        public bool IsTradingDay { get; }

        public long PreOpenTicks { get; }

        public long OpenTicks { get; }

        public long CloseTicks { get; }

        public long PostEndTicks { get; }

        public static DayWindow Build(DateOnly date) => new(date);
    }
}
