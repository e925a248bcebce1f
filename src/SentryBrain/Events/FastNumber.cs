using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace SentryBrain.Events;

/// <summary>
/// Parses the decimal numbers of the wire ("401.27", "-0.0013", "18250") without the general-purpose parser's
/// cost. Fast path (Clinger): at most 15 significant digits and no exponent, so mantissa and 10^k are exact
/// doubles and one IEEE division is correctly rounded: the result is bit-identical to <see cref="Utf8Parser"/>.
/// Anything else falls back to it.
/// </summary>
public static class FastNumber
{
    private static readonly double[] PowersOf10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    public static bool TryParse(ReadOnlySpan<byte> s, out double value)
    {
        var i = 0;
        var negative = false;
        if (s.Length > 0 && s[0] == '-')
        {
            negative = true;
            i = 1;
        }

        ulong mantissa = 0;
        var digits = 0;
        var fraction = 0;
        var sawDot = false;
        var start = i;
        for (; i < s.Length; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d <= 9)
            {
                if (mantissa != 0 || d != 0)
                {
                    digits++;
                }

                mantissa = (mantissa * 10) + d;
                if (sawDot)
                {
                    fraction++;
                }

                if (digits > 15)
                {
                    return Fallback(s, out value);
                }
            }
            else if (s[i] == '.' && !sawDot)
            {
                sawDot = true;
            }
            else
            {
                return Fallback(s, out value);
            }
        }

        if (i == start || (sawDot && (s[^1] == '.' || s[start] == '.')) || fraction > 22)
        {
            return Fallback(s, out value);
        }

        value = mantissa / PowersOf10[fraction];
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    /// <summary>
    /// Reads, from <paramref name="i"/>, a JSON number in its plain decimal form (<c>-?(0|[1-9][0-9]*)(\.[0-9]+)?</c>)
    /// with at most 15 significant digits, and moves <paramref name="i"/> past it; the value is the one
    /// <see cref="TryParse"/> gives for the same text. False (<paramref name="i"/> then undefined) for anything else —
    /// an exponent, more digits, a malformed number, a number not followed by a delimiter — which the caller reads the
    /// general way.
    /// </summary>
    public static bool TryScanPlainDecimal(ReadOnlySpan<byte> s, ref int i, out double value)
    {
        value = 0;
        var negative = false;
        if (i < s.Length && s[i] == '-')
        {
            negative = true;
            i++;
        }

        if (i >= s.Length)
        {
            return false;
        }

        ulong mantissa = 0;
        var digits = 0;
        uint d;
        if (s[i] == '0')
        {
            i++;
        }
        else
        {
            var start = i;
            while (i < s.Length && (d = (uint)(s[i] - '0')) <= 9)
            {
                mantissa = (mantissa * 10) + d;
                i++;
            }

            digits = i - start;
            if (digits == 0)
            {
                return false;
            }
        }

        var fraction = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var start = i;
            if (mantissa == 0)
            {
                while (i < s.Length && s[i] == '0')
                {
                    i++; // zeros before the first other digit are not significant (and leave the mantissa 0)
                }
            }

            var significant = i;
            while (i < s.Length && (d = (uint)(s[i] - '0')) <= 9)
            {
                mantissa = (mantissa * 10) + d;
                i++;
            }

            digits += i - significant;
            fraction = i - start;
            if (fraction == 0)
            {
                return false;
            }
        }

        if (digits > 15 || fraction > 22 || (i < s.Length && IsNumberByte(s[i])))
        {
            return false;
        }

        value = fraction == 0 ? mantissa : mantissa / PowersOf10[fraction]; // x / 1 is x: no division for whole numbers
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    /// <summary>A byte that can occur in a JSON number: a number ends at the first byte that is not one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsNumberByte(byte b)
        => (uint)(b - '0') <= 9 || b is (byte)'.' or (byte)'-' or (byte)'+' or (byte)'e' or (byte)'E';

    private static bool Fallback(ReadOnlySpan<byte> s, out double value)
        => Utf8Parser.TryParse(s, out value, out var consumed) && consumed == s.Length;
}
