using System.Globalization;
using System.Text;
using SentryBrain.Events;

namespace SentryBrain.Tests.Events;

public sealed class FastNumberTests
{
    private static double Fast(string text)
    {
        Assert.True(FastNumber.TryParse(Encoding.ASCII.GetBytes(text), out var value), text);
        return value;
    }

    private static void AssertBitIdentical(string text)
    {
        var expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        var actual = Fast(text);
        Assert.True(
            BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
            $"{text}: double.Parse {expected:R}, FastNumber {actual:R}");
    }

    /// <summary>Decimal strings with 1–15 significant digits, a random point position, optional leading zeros and sign.</summary>
    public static TheoryData<int> Seeds() => [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void UpTo15SignificantDigits_IsBitIdenticalToDoubleParse(int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder();
        for (var i = 0; i < 100; i++) // 10 seeds × 100 = 1000 strings
        {
            sb.Clear();
            if (rng.Next(4) == 0)
            {
                sb.Append('-');
            }

            var digits = rng.Next(1, 16);
            var leadingZeros = rng.Next(3) == 0 ? rng.Next(1, 8) : 0; // 0.000ddd forms
            var pointAt = rng.Next(0, digits + 1); // digits before the point
            if (leadingZeros > 0)
            {
                sb.Append("0.").Append('0', leadingZeros - 1);
                pointAt = -1;
            }

            for (var d = 0; d < digits; d++)
            {
                if (d == pointAt && d > 0)
                {
                    sb.Append('.');
                }

                sb.Append((char)('0' + (d == 0 ? rng.Next(1, 10) : rng.Next(10))));
            }

            AssertBitIdentical(sb.ToString());
        }
    }

    [Theory]
    [InlineData("401.27")]
    [InlineData("-0.0013")]
    [InlineData("0.00042")]
    [InlineData("18250")]
    [InlineData("0")]
    [InlineData("0.1")]
    [InlineData("0.3")]
    [InlineData("123456789012345")]    // 15 digits: fast path limit
    [InlineData("1.23456789012345")]
    [InlineData("0.000000000000000000001")] // 21 fraction digits
    [InlineData("00012.50")]
    public void WireNumbers_AreBitIdenticalToDoubleParse(string text)
    {
        AssertBitIdentical(text);
    }

    [Theory]
    [InlineData("1e5")]
    [InlineData("1.5E-3")]
    [InlineData("-2.5e+10")]
    [InlineData("1e15")]
    [InlineData("12345678901234567890")]          // 20 digits
    [InlineData("1234567890.1234567890")]         // 20 significant digits
    [InlineData("0.12345678901234567890123")]     // > 15 digits
    [InlineData("9007199254740993")]              // 2^53 + 1: must round like double.Parse
    [InlineData("0.0000000000000000000000001")]   // 25 fraction digits
    public void ExponentsAndLongMantissas_FallBackToTheGeneralParser(string text)
    {
        AssertBitIdentical(text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("1,5")]
    [InlineData("12a")]
    [InlineData("--1")]
    [InlineData("1e")]
    public void Garbage_IsRejected(string text)
    {
        Assert.False(FastNumber.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void NegativeZero_KeepsItsSign_LikeDoubleParse()
    {
        AssertBitIdentical("-0");
        AssertBitIdentical("-0.0");
    }

    /// <summary>
    /// The one-pass scan of the parser's hot path agrees with <see cref="FastNumber.TryParse"/> (bit for bit) wherever it
    /// accepts, accepts the plain forms, and stops exactly at the number's end; it declines exponents, long mantissas,
    /// malformed numbers and numbers run into other number bytes, which the caller then reads the general way.
    /// </summary>
    [Theory]
    [InlineData("0", true)]
    [InlineData("-0", true)]
    [InlineData("85.05", true)]
    [InlineData("-0.0013", true)]
    [InlineData("18250", true)]
    [InlineData("0.000000000000000000001", true)]
    [InlineData("123456789012345", true)]
    [InlineData("12345678", true)]
    [InlineData("123456789", true)]
    [InlineData("1234567.12345678", true)]
    [InlineData("0.00000000123456789", true)]
    [InlineData("0.000000000000000000000", true)]
    [InlineData("10000000.0000000", true)]
    [InlineData("1234567.123456789", false)]
    [InlineData("1234567890123456", false)]
    [InlineData("0.00000000000000000000001", false)]
    [InlineData("1e3", false)]
    [InlineData("1.5E-2", false)]
    [InlineData("01", false)]
    [InlineData("-", false)]
    [InlineData("1.", false)]
    [InlineData(".5", false)]
    [InlineData("1.2.3", false)]
    [InlineData("1-2", false)]
    [InlineData("--1", false)]
    public void PlainDecimalScan_AgreesWithTryParse(string text, bool accepted)
    {
        foreach (var (prefix, suffix) in new[] { ("", ""), ("{\"p\":", ",\"q\":1}"), ("[", "]"), (" ", " ") })
        {
            var bytes = Encoding.ASCII.GetBytes(prefix + text + suffix);
            var i = prefix.Length;
            var ok = FastNumber.TryScanPlainDecimal(bytes, ref i, out var value);
            Assert.True(ok == accepted, $"'{prefix}{text}{suffix}': scan said {ok}");
            if (ok)
            {
                Assert.Equal(prefix.Length + text.Length, i);
                Assert.Equal(BitConverter.DoubleToInt64Bits(Fast(text)), BitConverter.DoubleToInt64Bits(value));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void PlainDecimalScan_OnRandomDecimals_IsBitIdenticalToDoubleParse(int seed)
    {
        var rng = new Random(seed);
        for (var k = 0; k < 200; k++)
        {
            var integer = rng.Next(4) == 0 ? "0" : rng.NextInt64(1, 10_000_000).ToString(CultureInfo.InvariantCulture);
            // Up to 20 leading zeros in the fraction, so zero runs cross the scanner's 8-byte steps.
            var fraction = rng.Next(3) == 0 ? string.Empty : "." + rng.NextInt64(0, 100_000_000).ToString(CultureInfo.InvariantCulture).PadLeft(rng.Next(1, 21), '0');
            var text = (rng.Next(4) == 0 ? "-" : string.Empty) + integer + fraction;
            var expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            var significant = text.TrimStart('-').Replace(".", string.Empty, StringComparison.Ordinal).TrimStart('0').Length;
            var accepted = significant <= 15 && fraction.Length - 1 <= 22;
            // A short tail reads byte by byte, a long one eight bytes at a time.
            foreach (var tail in new[] { ",", ",\"q\":12345678}" })
            {
                var bytes = Encoding.ASCII.GetBytes(text + tail);
                var i = 0;
                Assert.True(FastNumber.TryScanPlainDecimal(bytes, ref i, out var value) == accepted, text + tail);
                if (accepted)
                {
                    Assert.Equal(text.Length, i);
                    Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(value), $"{text}: double.Parse {expected:R}, scan {value:R}");
                }
            }
        }
    }
}
