using System.Buffers.Binary;

namespace SentryBrain.Events;

/// <summary>
/// Allocation-free RFC 3339 parser for the engine's timestamps ("2026-03-02T15:04:05.120331123Z").
/// The BCL parsers stop at 7 fractional digits; the engine sends 9. Precision below 100 ns is dropped.
/// </summary>
public static class Rfc3339
{
    public static bool TryParse(ReadOnlySpan<byte> s, out DateTime utc)
    {
        var cache = default(DateCache);
        return TryParse(s, ref cache, out utc);
    }

    /// <summary>
    /// As <see cref="TryParse(ReadOnlySpan{byte}, out DateTime)"/>, with the date part looked up in
    /// <paramref name="cache"/> (and remembered there): the timestamps of a stream share their date, and the date's
    /// validation and calendar arithmetic are most of the cost.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, ref DateCache cache, out DateTime utc)
    {
        utc = default;
        if (s.Length < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        var head = BinaryPrimitives.ReadUInt64LittleEndian(s);
        var tail = BinaryPrimitives.ReadUInt16LittleEndian(s[8..]);
        long dayTicks;
        if (cache.DayTicks != 0 && head == cache.Head && tail == cache.Tail)
        {
            dayTicks = cache.DayTicks; // the same ten bytes were a valid date
        }
        else
        {
            if (s[4] != '-' || s[7] != '-' || !Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
                || year < 1970 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            {
                return false;
            }

            dayTicks = new DateTime(year, month, day).Ticks;
            cache = new DateCache(head, tail, dayTicks);
        }

        if (!Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second)
            || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        var i = 19;
        long fractionTicks = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var start = i;
            long scale = TimeSpan.TicksPerSecond;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                if (scale > 1)
                {
                    scale /= 10;
                    fractionTicks += (s[i] - '0') * scale;
                }

                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        long offsetTicks = 0;
        if (i == s.Length)
        {
            return false;
        }

        if (s[i] is (byte)'Z' or (byte)'z')
        {
            i++;
        }
        else if (s[i] is (byte)'+' or (byte)'-')
        {
            if (s.Length - i != 6 || s[i + 3] != ':' || !Digits(s, i + 1, 2, out var oh) || !Digits(s, i + 4, 2, out var om) || oh > 23 || om > 59)
            {
                return false;
            }

            offsetTicks = ((oh * 60) + om) * TimeSpan.TicksPerMinute * (s[i] == '+' ? 1 : -1);
            i += 6;
        }
        else
        {
            return false;
        }

        if (i != s.Length)
        {
            return false;
        }

        second = Math.Min(second, 59); // leap second: clamp rather than reject
        var ticks = dayTicks + (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond) + fractionTicks - offsetTicks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        utc = new DateTime(ticks, DateTimeKind.Utc);
        return true;
    }

    /// <summary>Formats as yyyy-MM-ddTHH:mm:ss[.fffffff]Z with trailing zeros of the fraction trimmed.</summary>
    public static int Format(DateTime utc, Span<byte> destination)
    {
        utc.TryFormat(destination, out var written, "yyyy-MM-dd'T'HH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture);
        while (destination[written - 1] == '0')
        {
            written--;
        }

        if (destination[written - 1] == '.')
        {
            written--;
        }

        destination[written++] = (byte)'Z';
        return written;
    }

    public static string Format(DateTime utc)
    {
        Span<byte> buffer = stackalloc byte[40];
        var n = Format(utc, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..n]);
    }

    private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (var k = start; k < start + count; k++)
        {
            var d = (uint)(s[k] - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + (int)d;
        }

        return true;
    }

    /// <summary>
    /// The last valid date <see cref="TryParse(ReadOnlySpan{byte}, ref DateCache, out DateTime)"/> read: its ten bytes
    /// and the ticks of its midnight (0: empty). One per reader; not for sharing between threads.
    /// </summary>
    public readonly record struct DateCache(ulong Head, ushort Tail, long DayTicks);
}
