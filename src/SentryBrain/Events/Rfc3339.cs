namespace SentryBrain.Events;

/// <summary>
/// Allocation-free RFC 3339 parser for the engine's timestamps ("2026-03-02T15:04:05.120331123Z").
/// The BCL parsers stop at 7 fractional digits; the engine sends 9. Precision below 100 ns is dropped.
/// </summary>
public static class Rfc3339
{
    public static bool TryParse(ReadOnlySpan<byte> s, out DateTime utc)
    {
        utc = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
        {
            return false;
        }

        if (year < 1970 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60)
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
        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fractionTicks - offsetTicks;
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
}
