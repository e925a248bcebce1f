using System.Text;
using SentryBrain.Events;

namespace SentryBrain.Tests.Events;

public sealed class Rfc3339Tests
{
    private static readonly DateTime T = new(2026, 3, 2, 15, 4, 5, DateTimeKind.Utc);

    private static DateTime? Parse(string text) => Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var utc) ? utc : null;

    [Theory]
    [InlineData("2026-03-02T15:04:05Z", 0L)]
    [InlineData("2026-03-02t15:04:05z", 0L)]                 // lower-case T and Z
    [InlineData("2026-03-02 15:04:05Z", 0L)]                 // space separator
    [InlineData("2026-03-02T15:04:05.5Z", 5_000_000L)]       // 0.5 s
    [InlineData("2026-03-02T15:04:05.120331Z", 1_203_310L)]  // µs
    [InlineData("2026-03-02T15:04:05.1234567Z", 1_234_567L)] // exactly one tick resolution
    [InlineData("2026-03-02T15:04:05.123456789Z", 1_234_567L)] // ns: truncated (not rounded) to 100 ns
    [InlineData("2026-03-02T15:04:05.999999999Z", 9_999_999L)] // truncation never carries into the next second
    [InlineData("2026-03-02T10:04:05-05:00", 0L)]            // 10:04:05 EST = 15:04:05 UTC
    [InlineData("2026-03-02T20:34:05+05:30", 0L)]            // 20:34:05 IST = 15:04:05 UTC
    [InlineData("2026-03-02T15:04:05+00:00", 0L)]
    [InlineData("2026-03-02T11:04:05.25-04:00", 2_500_000L)]
    public void ValidTimestamps_ParseToUtc(string text, long ticksAfterT)
    {
        var utc = Parse(text);

        Assert.Equal(T.AddTicks(ticksAfterT), utc);
        Assert.Equal(DateTimeKind.Utc, utc!.Value.Kind);
    }

    [Fact]
    public void OffsetCrossingMidnight_MovesTheDate()
    {
        // 2026-03-01 23:30 at −05:00 is 2026-03-02 04:30 UTC
        Assert.Equal(new DateTime(2026, 3, 2, 4, 30, 0, DateTimeKind.Utc), Parse("2026-03-01T23:30:00-05:00"));
    }

    [Fact]
    public void LeapDay_IsValidOnlyInLeapYears()
    {
        Assert.Equal(new DateTime(2024, 2, 29, 0, 0, 0, DateTimeKind.Utc), Parse("2024-02-29T00:00:00Z"));
        Assert.Null(Parse("2025-02-29T00:00:00Z"));
    }

    [Theory]
    [InlineData("2026-02-30T15:04:05Z")]   // no 30 February
    [InlineData("2026-04-31T15:04:05Z")]   // April has 30 days
    [InlineData("2026-13-01T15:04:05Z")]
    [InlineData("2026-00-10T15:04:05Z")]
    [InlineData("2026-03-00T15:04:05Z")]
    [InlineData("2026-03-02T24:00:00Z")]
    [InlineData("2026-03-02T15:60:05Z")]
    [InlineData("2026-03-02T15:04:61Z")]
    [InlineData("2026-03-02T15:04:05")]     // no zone
    [InlineData("2026-03-02T15:04:05.Z")]   // empty fraction
    [InlineData("2026-03-02T15:04:05+0500")] // offset without colon
    [InlineData("2026-03-02T15:04:05+24:00")]
    [InlineData("2026-03-02T15:04:05ZZ")]   // trailing garbage
    [InlineData("2026-03-02")]
    [InlineData("")]
    [InlineData("2026/03/02T15:04:05Z")]
    [InlineData("2026-3-02T15:04:05Z ")]
    [InlineData("yesterday at noon, UTC")]
    public void InvalidTimestamps_AreRejected(string text)
    {
        Assert.Null(Parse(text));
    }

    /// <summary>
    /// A reader with a date cache gives what the plain parse gives for every timestamp of a sequence: the valid and
    /// invalid test cases above, each after every other (so each follows a cached date of the same, another or no
    /// valid day), and random times over days that cross month ends, leap days and years.
    /// </summary>
    [Fact]
    public void DateCache_ChangesNothing()
    {
        var texts = new List<string>
        {
            "2026-03-02T15:04:05Z", "2026-03-02t15:04:05z", "2026-03-02 15:04:05Z", "2026-03-02T15:04:05.5Z",
            "2026-03-02T10:04:05-05:00", "2026-03-01T23:30:00-05:00", "2024-02-29T00:00:00Z", "2025-02-29T00:00:00Z",
            "2026-02-30T15:04:05Z", "2026-03-02T24:00:00Z", "2026-03-02T15:60:05Z", "2026-03-02T15:04:61Z",
            "2026-03-02T15:04:60Z", "2026-03-02T15:04:05", "2026-03-02T15:04:05.Z", "2026-03-02X15:04:05Z",
            "2026-03-02", "", "2026/03/02T15:04:05Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59.9999999-01:00",
        };
        var rng = new Random(5);
        for (var k = 0; k < 2000; k++)
        {
            var t = new DateTime(2023, 12, 25, 0, 0, 0, DateTimeKind.Utc).AddTicks(rng.NextInt64(TimeSpan.TicksPerDay * 800));
            texts.Add(t.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }

        var cache = default(Rfc3339.DateCache);
        foreach (var first in texts.Take(21))
        {
            foreach (var text in texts)
            {
                foreach (var current in new[] { first, text })
                {
                    var bytes = Encoding.ASCII.GetBytes(current);
                    var cachedOk = Rfc3339.TryParse(bytes, ref cache, out var cached);
                    Assert.Equal(Parse(current), cachedOk ? cached : null);
                }
            }
        }
    }

    [Theory]
    [InlineData(0L, "2026-03-02T15:04:05Z")]
    [InlineData(5_000_000L, "2026-03-02T15:04:05.5Z")]
    [InlineData(1_203_310L, "2026-03-02T15:04:05.120331Z")]
    [InlineData(1L, "2026-03-02T15:04:05.0000001Z")]
    public void Format_TrimsTrailingZeros_AndRoundTrips(long ticks, string expected)
    {
        var text = Rfc3339.Format(T.AddTicks(ticks));

        Assert.Equal(expected, text);
        Assert.Equal(T.AddTicks(ticks), Parse(text));
    }
}
