using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Execution.Paper;
using SentryBrain.Journal;
using SentryBrain.Replay;

namespace SentryBrain.Tests.Engine;

/// <summary>
/// Issue 10, break 2: event times from the future, clock jumps that the stream does not confirm, and extreme dates.
/// The wall clock is a fake fixed at 2026-12-04 15:00 UTC; the scenario streams are dated 2026-03.
/// </summary>
public sealed class EventTimeGuardTests : IDisposable
{
    private static readonly DateTimeOffset Wall = new(2026, 12, 4, 15, 0, 0, TimeSpan.Zero);

    /// <summary>Monday 2026-03-02 10:00 ET (EST, UTC−5): regular session.</summary>
    private static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "clock-tests-" + Guid.NewGuid().ToString("N"));

    public EventTimeGuardTests()
    {
        Directory.CreateDirectory(_dir);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static string Str(JsonElement e, string name) => JournalRun.Str(e, name);

    private static JournalRun Run(IEnumerable<string> input, BrainConfig config, Func<DateTime, IBroker?>? brokerFactory = null, TimeProvider? time = null)
        => JournalRun.Consume(Encoding.UTF8.GetBytes(string.Join('\n', input) + "\n"), config, brokerFactory ?? MemoryBroker, time ?? new FakeTimeProvider(Wall));

    private static Func<DateTime, IBroker?> MemoryBroker => _ => PaperBroker.Open(":memory:", 100_000);

    /// <summary>The defaults (Green Light), as `./brain replay | ./brain consume` runs them.</summary>
    private static BrainConfig Defaults(params (string Key, string Value)[] extra) => BrainConfig.Load(ConfigSource.FromPairs(extra));

    /// <summary>Every event evaluated; momentum alone is enough: a quote with rising returns is a buy decision at its ts.</summary>
    private static BrainConfig HandConfig(params (string Key, string Value)[] extra) => BrainConfig.Load(ConfigSource.FromPairs(
        [("STRATEGY_MODE", "consensus"), ("STRATEGY_INTERVAL_SEC", "0"), ("CONSENSUS_MIN_SOURCES_POSITIVE", "1"), ("USE_TECHNICAL_INDICATORS", "false"), .. extra]));

    private static string Ts(DateTime ts) => Rfc3339.Format(ts);

    private static string Quote(DateTime ts, string symbol, double bid, double ask, double r1m = 0, double r5m = 0) => string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"type":"quote","ts":"{{{Ts(ts)}}}","payload":{"symbol":"{{{symbol}}}","bid":{{{bid}}},"ask":{{{ask}}},"bid_size":5,"ask_size":5,"volume_1m":1000,"volume_5m":5000,"return_1m":{{{r1m}}},"return_5m":{{{r5m}}},"session":"regular","volatility":0.3}}""");

    private static string Trade(string ts, string symbol, double price) => string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"type":"trade","ts":"{{{ts}}}","payload":{"symbol":"{{{symbol}}}","price":{{{price}}},"size":100,"volume_1m":1000,"volume_5m":5000,"return_1m":0,"return_5m":0,"session":"regular","volatility":0.3}}""");

    private static List<string> ScenarioLines()
    {
        using var stream = new MemoryStream();
        Scenario.Write(stream);
        return [.. Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>The scenario with <paramref name="line"/> inserted so that it becomes line <paramref name="lineNumber"/> (1-based).</summary>
    private static List<string> ScenarioWith(int lineNumber, string line)
    {
        var lines = ScenarioLines();
        lines.Insert(lineNumber - 1, line);
        return lines;
    }

    /// <summary>The journal without error lines and the summary: decisions, orders and fills in order.</summary>
    private static List<string> Trading(JournalRun run) => [.. run.Journal.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Where(l => !l.StartsWith("{\"kind\":\"error\"", StringComparison.Ordinal) && !l.StartsWith("{\"kind\":\"summary\"", StringComparison.Ordinal))];

    private const double Up = 0.01;

    // ---- future events (a) and the reproduction (e) -----------------------------------------

    [Fact]
    public void A2099Trade_InTheScenario_IsRejectedWithItsLineNumber_AndTheScenarioTradesAsIfItWereAbsent()
    {
        var clean = ScenarioLines();
        var bad = Trade("2099-01-02T00:00:00Z", "ZZZ", 10);
        var path = Path.Combine(_dir, "paper.db");

        using var reference = Run(clean, Defaults(), MemoryBroker);
        using (var attacked = Run(ScenarioWith(101, bad), Defaults(("PAPER_DB_PATH", path)), brokerFactory: ts => ConsumeRunner.OpenDefaultBroker(Defaults(("PAPER_DB_PATH", path)), ts, NullLogger.Instance)))
        {
            // the issue measured 6 orders for the clean scenario with the defaults, and 0 with the 2099 line
            Assert.Equal(6, reference.OfKind("order").Count());
            var (line, error) = Assert.Single(attacked.Errors);
            Assert.Equal(101, line);
            Assert.Contains("2099-01-02T00:00:00Z", error, StringComparison.Ordinal);
            Assert.Contains("future", error, StringComparison.Ordinal);
            Assert.Equal(Trading(reference), Trading(attacked));
            Assert.Equal(reference.Summary.ElapsedEventSeconds, attacked.Summary.ElapsedEventSeconds);
            Assert.True(attacked.Summary.ElapsedEventSeconds < 2 * 3600, $"elapsed_s {attacked.Summary.ElapsedEventSeconds}");
            Assert.Equal(clean.Count + 1, attacked.Summary.Lines);
            Assert.Equal(1, attacked.Summary.Rejected);
        }

        // the ledger's clock is the stream's last time, not 2099
        using var ledger = PaperBroker.Open(path, 100_000);
        Assert.True(ledger.LastEventTs < new DateTime(2026, 3, 3, 0, 0, 0, DateTimeKind.Utc), $"last_event_ts {ledger.LastEventTs:o}");
    }

    [Fact]
    public void EventsLaterThanTheWallClockPlusTheTolerance_AreRejected_TheFirstEventToo()
    {
        var wall = Wall.UtcDateTime;
        var input = new[]
        {
            Quote(wall.AddSeconds(61), "ACME", 99.99, 100.00),   // 1: the first event is no exception
            Quote(wall.AddMinutes(-10), "ACME", 99.99, 100.00),  // 2: the stream starts
            Quote(wall.AddSeconds(59), "ACME", 99.99, 100.00),   // 3: within the 60 s tolerance... but a jump of 10 min: accepted (below 15 min)
            Quote(wall.AddSeconds(61), "ACME", 99.99, 100.00),   // 4: more than 60 s after the wall clock
            Quote(wall.AddSeconds(30), "ACME", 99.99, 100.00),   // 5
        };

        using var run = Run(input, HandConfig());

        Assert.Equal([1L, 4L], run.Errors.Select(e => e.Line));
        Assert.All(run.Errors, e => Assert.Contains("future", e.Error, StringComparison.Ordinal));
        Assert.Equal(3, run.Summary.Events);
        Assert.Equal(2, run.Summary.Rejected);

        // a wider tolerance accepts line 4; and the wall clock is the one passed in: 5 minutes later, it is accepted too
        using var wide = Run(input[1..], HandConfig(("FUTURE_TS_TOLERANCE_SEC", "120")));
        Assert.Empty(wide.Errors);
        var later = new FakeTimeProvider(Wall.AddMinutes(5));
        using var afterwards = Run(input, HandConfig(), time: later);
        Assert.Empty(afterwards.Errors);
    }

    [Fact]
    public void ExtremeDates_AreOrdinaryRejections_NeverAnInternalError()
    {
        string[] extremes =
        [
            "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59-01:00", "9999-01-01T00:00:00+14:00",
            "2100-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "1969-12-31T23:59:59Z", "1900-01-01T00:00:00Z",
        ];

        foreach (var first in new[] { true, false })
        {
            var input = new List<string>();
            if (!first)
            {
                input.Add(Quote(T0, "ACME", 99.99, 100.00));
            }

            input.AddRange(extremes.Select(ts => Trade(ts, "ZZZ", 10)));
            input.Add(Quote(T0.AddSeconds(1), "ACME", 99.99, 100.00, Up, Up));

            using var run = Run(input, HandConfig());

            var expectedLines = Enumerable.Range(first ? 1 : 2, extremes.Length).Select(n => (long)n);
            Assert.Equal(expectedLines, run.Errors.Select(e => e.Line));
            Assert.DoesNotContain(run.Errors, e => e.Error.Contains("internal", StringComparison.OrdinalIgnoreCase));
            Assert.Equal(extremes.Length, run.Summary.Rejected);
            // the stream goes on: the buy on the last line happens at its time
            Assert.Contains(run.OfKind("decision"), d => Str(d, "action") == "buy" && Str(d, "ts") == Ts(T0.AddSeconds(1)));
        }
    }

    // ---- clock jumps (b) ------------------------------------------------------------------------------

    [Fact]
    public void OneJune2026Trade_InAMarch2026Stream_IsRejected_AndOrdersAndFillsMatchTheCleanRun()
    {
        var clean = ScenarioLines();

        using var reference = Run(clean, Defaults());
        using var attacked = Run(ScenarioWith(501, Trade("2026-06-15T15:00:00Z", "ZZZ", 10)), Defaults());

        var (line, error) = Assert.Single(attacked.Errors);
        Assert.Equal(501, line);
        Assert.Contains("2026-06-15T15:00:00Z", error, StringComparison.Ordinal);
        Assert.Contains("jumps", error, StringComparison.Ordinal);
        Assert.Contains("not confirmed", error, StringComparison.Ordinal);
        Assert.Equal(Trading(reference), Trading(attacked));
        Assert.Equal(reference.RawOfKind("order"), attacked.RawOfKind("order"));
        Assert.Equal(reference.RawOfKind("fill"), attacked.RawOfKind("fill"));
        Assert.Equal(reference.Summary.ElapsedEventSeconds, attacked.Summary.ElapsedEventSeconds);
    }

    [Fact]
    public void SeveralUnconfirmedJumps_EachGetAnErrorLine_WithTheirOwnLineNumbers()
    {
        var input = new List<string>
        {
            Quote(T0, "ACME", 99.99, 100.00),                         // 1
            Trade("2026-06-15T15:00:00Z", "ZZZ", 10),                 // 2: held
            Trade("2026-06-15T15:00:01Z", "ZZZ", 10),                 // 3: held (confirms 2, but only one of 3)
            Quote(T0.AddSeconds(2), "ACME", 99.99, 100.00, Up, Up),   // 4: the stream goes on near its clock: 2 and 3 rejected
            Trade("2026-04-15T15:00:00Z", "ZZZ", 10),                 // 5: held
            Trade("2026-06-15T15:00:00Z", "ZZZ", 10),                 // 6: held (later still: confirms 5, 2 of 3)
            Quote(T0.AddSeconds(3), "ACME", 99.99, 100.00),           // 7: 5 and 6 rejected
            Quote(T0.AddSeconds(4), "ACME", 99.99, 100.00),           // 8
            Trade("2026-03-02T16:00:00Z", "ZZZ", 10),                 // 9: held; the input ends: rejected
        };

        using var run = Run(input, HandConfig());

        Assert.Equal([2L, 3L, 5L, 6L, 9L], run.Errors.Select(e => e.Line));
        Assert.All(run.Errors, e => Assert.Contains("not confirmed", e.Error, StringComparison.Ordinal));
        Assert.Contains("end of input", run.Errors.Last().Error, StringComparison.Ordinal);
        Assert.Equal(5, run.Summary.Rejected);
        Assert.Equal(4, run.Summary.Events);
        Assert.Equal(input.Count, run.Summary.Lines);
        // line 4 was decided at its own time: the clock never moved to June
        Assert.Contains(run.OfKind("decision"), d => Str(d, "action") == "buy" && Str(d, "ts") == Ts(T0.AddSeconds(2)));
        Assert.Equal(4, run.Summary.ElapsedEventSeconds);
    }

    [Fact]
    public void AtTheEndOfInput_OneConfirmingEventIsEnough_ALoneJumpIsRejected()
    {
        var nextDay = T0.AddDays(1);
        string[] confirmed = [Quote(T0, "ACME", 99.99, 100.00), Quote(nextDay, "ACME", 99.99, 100.00, Up, Up), Quote(nextDay.AddSeconds(1), "BOLT", 49.99, 50.00)];

        using var run = Run(confirmed, HandConfig());

        Assert.Empty(run.Errors);
        Assert.Contains(run.OfKind("decision"), d => Str(d, "action") == "buy" && Str(d, "ts") == Ts(nextDay));
        Assert.Equal(86_401, run.Summary.ElapsedEventSeconds);

        using var lone = Run(confirmed[..2], HandConfig());

        Assert.Equal([2L], lone.Errors.Select(e => e.Line));
        Assert.Contains("before the end of input", lone.Errors.Single().Error, StringComparison.Ordinal);
        Assert.Equal(0, lone.Summary.ElapsedEventSeconds);
    }

    private static string News(DateTime ts, int id, string symbol, string headline) => string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"type":"news","ts":"{{{Ts(ts)}}}","payload":{"id":{{{id}}},"headline":"{{{headline}}}","summary":"","author":"a","source":"s","url":"","symbols":["{{{symbol}}}"]}}""");

    [Fact]
    public void HeldEvents_KeepTheirOwnContent_WhileLaterLinesAreParsed()
    {
        var nextDay = T0.AddDays(1);
        var input = new[]
        {
            Quote(T0, "ACME", 99.99, 100.00),
            News(nextDay, 1, "CRUX", "Crux shares plunge after SEC fraud probe and accounting scandal"), // held
            News(nextDay.AddSeconds(1), 2, "BOLT", "Bolt opens a new office"),
            News(nextDay.AddSeconds(2), 3, "DART", "Dart holds its annual meeting"),
            News(nextDay.AddSeconds(3), 4, "EDGE", "Edge names a new director"),                       // confirms: all four released
        };

        using var run = Run(input, HandConfig());

        Assert.Empty(run.Errors);
        var killed = run.OfKind("decision").Where(d => Str(d, "reason") == "kill_switch_news").Select(d => (Str(d, "symbol"), Str(d, "ts")));
        Assert.Equal([("CRUX", Ts(nextDay))], killed);
    }

    /// <summary>A session's worth of quotes for three symbols, one per second from <paramref name="startUtc"/>; the first is a buy signal for ACME.</summary>
    private static IEnumerable<string> Session(DateTime startUtc, int seconds)
    {
        yield return Quote(startUtc, "ACME", 99.99, 100.00, Up, Up);
        for (var s = 1; s < seconds; s++)
        {
            yield return Quote(startUtc.AddSeconds(s), s % 2 == 0 ? "BOLT" : "CRUX", 49.99, 50.00);
        }
    }

    [Theory]
    [InlineData("2026-03-02T20:59:00Z", "2026-03-03T14:30:00Z")] // overnight: Mon 15:59 ET → Tue 09:30 ET
    [InlineData("2026-03-06T20:59:00Z", "2026-03-09T13:30:00Z")] // weekend: Fri close → Mon open (DST began on Sunday)
    [InlineData("2026-04-02T19:59:00Z", "2026-04-06T13:30:00Z")] // Good Friday: Thu close → Mon open
    [InlineData("2026-03-02T15:00:00Z", "2026-03-02T15:20:00Z")] // a quiet spell of 20 minutes
    public void LegitimateGaps_AreConfirmedByTheEventsAfterThem_AndEveryEventIsProcessed(string before, string after)
    {
        var day1 = DateTime.Parse(before, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        var day2 = DateTime.Parse(after, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        var input = Session(day1, 30).Concat(Session(day2, 30)).ToList();

        using var run = Run(input, HandConfig(("ORDER_COOLDOWN_SEC", "0")));

        Assert.Empty(run.Errors);
        Assert.Equal(input.Count, run.Summary.Events);
        // the held first event after the gap is processed at its own time, and the clock moved on to the end
        Assert.Contains(run.OfKind("decision"), d => Str(d, "symbol") == "ACME" && Str(d, "ts") == Ts(day2));
        Assert.Equal((day2.AddSeconds(29) - day1).TotalSeconds, run.Summary.ElapsedEventSeconds);
    }

    [Fact]
    public void AMultiDayReplay_ThreeScenarioDaysBackToBack_TradesEveryDay()
    {
        var oneDay = ScenarioLines();
        string[] dates = ["2026-03-02T", "2026-03-03T", "2026-03-04T"];
        var input = dates.SelectMany(date => oneDay.Select(l => l.Replace("2026-03-02T", date, StringComparison.Ordinal))).ToList();

        using var run = Run(input, Defaults());

        Assert.Empty(run.Errors);
        Assert.Equal(input.Count, run.Summary.Events);
        foreach (var date in dates)
        {
            Assert.Contains(run.OfKind("fill"), f => Str(f, "ts").StartsWith(date, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TimeGoingBackwards_WithinTheLateTolerance_DoesNotMoveTheClock_AndIsProcessed()
    {
        var input = new[]
        {
            Quote(T0, "ACME", 99.99, 100.00),
            Quote(T0.AddSeconds(-2), "ACME", 99.99, 100.00, Up, Up), // 2 s late (LATE_EVENT_TOLERANCE_SEC = 5): processed at the clock's time
            Quote(T0.AddSeconds(1), "BOLT", 49.99, 50.00),
        };

        using var run = Run(input, HandConfig());

        Assert.Empty(run.Errors);
        Assert.Contains(run.OfKind("decision"), d => Str(d, "symbol") == "ACME" && Str(d, "action") == "buy" && Str(d, "ts") == Ts(T0));
        Assert.Equal(1, run.Summary.ElapsedEventSeconds);
        Assert.Equal(0, run.Summary.Late);
        Assert.False(run.OfKind("summary").Single().TryGetProperty("late", out _)); // no stale events: the summary keeps its shape
    }

    [Fact]
    public void AnEventFarBehindTheClock_IsStale_CountedAndNeverTradedOn()
    {
        var input = new[]
        {
            Quote(T0, "ACME", 99.99, 100.00),
            Quote(T0.AddMinutes(-30), "ACME", 99.99, 100.00, Up, Up), // would buy if it were current
            Quote(T0.AddSeconds(1), "BOLT", 49.99, 50.00),
        };

        using var run = Run(input, HandConfig());

        Assert.Empty(run.Errors); // valid, only stale: not an error line
        Assert.DoesNotContain(run.OfKind("decision"), d => Str(d, "action") == "buy");
        Assert.Equal(1, run.Summary.Late);
        Assert.Equal(1, run.OfKind("summary").Single().GetProperty("late").GetInt64());
        Assert.Equal(3, run.Summary.Events);
        Assert.Equal(1, run.Summary.ElapsedEventSeconds);
    }
}
