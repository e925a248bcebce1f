using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Learning;
using SentryBrain.Tests.Engine;
using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// The daily optimizer run on a fake clock: the test moves time only to the timer the schedule armed, once armed.
/// Late November 2026 New York is on EST (UTC−5), so 16:05 ET = 21:05 UTC. Wed 11-25 is a trading day, Thu 11-26
/// Thanksgiving (closed), Fri 11-27 an early close (13:00), which still has its run.
/// </summary>
public sealed class OptimizerScheduleTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly DateTimeOffset WedMorning = new(2026, 11, 25, 14, 30, 0, TimeSpan.Zero); // 09:30 ET
    private static readonly DateTimeOffset WedRun = new(2026, 11, 25, 21, 5, 0, TimeSpan.Zero); // 16:05 ET
    private static readonly DateTimeOffset FriRun = new(2026, 11, 27, 21, 5, 0, TimeSpan.Zero); // 16:05 ET, early-close day

    private readonly string _folder = Directory.CreateTempSubdirectory("sb-sched-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private LearningSettings Settings(bool withBuffer = true)
    {
        var buffer = Path.Combine(_folder, "buffer.jsonl");
        if (withBuffer)
        {
            OptimizerBuffers.Write(buffer, OptimizerBuffers.Exits(5000, seed: 1, OptimizerBuffers.Planted));
        }

        // The buffer's exits end in July: learn from all of it (the default window is the last 30 days).
        return new LearningSettings
        {
            ExperienceBufferPath = buffer,
            GeneratedRulesPath = Path.Combine(_folder, "active.json"),
            GeneratedRulesProposedPath = Path.Combine(_folder, "proposed.json"),
            OptimizerRollingDays = 0,
        };
    }

    /// <summary>Waits (spinning, then yielding) until <paramref name="condition"/> holds; fails naming what it waited for.</summary>
    private static void Await(Func<bool> condition, string what)
        => Assert.True(SpinWait.SpinUntil(condition, Patience), $"timed out after {Patience.TotalSeconds:0} s waiting for {what}");

    private static DateTimeOffset NextTimer(TimerTrackingTimeProvider time)
    {
        Await(() => time.NextDue is not null, "the schedule to arm its timer");
        return time.NextDue!.Value;
    }

    private static List<JsonElement> RuleLines(OptimizerSchedule schedule, DateTime eventTime)
    {
        using var journal = new JournalCapture();
        schedule.OnClock(eventTime, DateOnly.FromDateTime(eventTime), journal.Writer);
        return [.. journal.OfKind("rule")];
    }

    [Fact]
    public void Runs_at_16_05_ET_on_trading_days_only_and_journals_on_the_next_tick()
    {
        var settings = Settings();
        var time = new TimerTrackingTimeProvider(WedMorning);
        using var schedule = OptimizerSchedule.Start(settings, NullLogger.Instance, time)!;

        Assert.Equal(WedRun, NextTimer(time));
        time.AdvanceTo(WedRun.AddSeconds(-1));
        Assert.Equal(0, schedule.Runs);
        Assert.Empty(RuleLines(schedule, WedRun.UtcDateTime.AddSeconds(-1)));
        Assert.False(File.Exists(settings.GeneratedRulesProposedPath));

        time.AdvanceTo(WedRun);
        Await(() => schedule.Runs == 1, "the 16:05 run");
        Assert.Equal(0, schedule.Failures);
        var proposed = RuleFileJson.Read(settings.GeneratedRulesProposedPath)!;
        var rule = Assert.Single(proposed.GeneratedRules);
        Assert.Equal(WedRun.UtcDateTime, proposed.WrittenTs);
        Assert.False(File.Exists(settings.GeneratedRulesPath), "a proposal waits 24 h");

        // The next event's clock tick journals it, once.
        var eventTime = WedRun.UtcDateTime.AddMinutes(3);
        var line = Assert.Single(RuleLines(schedule, eventTime));
        Assert.Equal("proposed", line.GetProperty("action").GetString());
        Assert.Equal(rule.Name, line.GetProperty("name").GetString());
        Assert.Equal(rule.Condition, line.GetProperty("condition").GetString());
        Assert.Equal(eventTime, line.GetProperty("ts").GetDateTime().ToUniversalTime());
        Assert.Empty(RuleLines(schedule, eventTime.AddSeconds(1)));

        // Thanksgiving has no run: the next one is Friday (an early close), where the proposal is promoted.
        Assert.Equal(FriRun, NextTimer(time));
        time.AdvanceTo(FriRun);
        Await(() => schedule.Runs == 2, "Friday's run");
        var lines = RuleLines(schedule, FriRun.UtcDateTime.AddMinutes(1));
        Assert.Contains(lines, l => l.GetProperty("action").GetString() == "promoted" && l.GetProperty("name").GetString() == rule.Name);
        var active = RuleFileJson.Read(settings.GeneratedRulesPath)!;
        Assert.Equal(rule.Name, Assert.Single(active.GeneratedRules).Name);
        Assert.Equal(FriRun.UtcDateTime, active.PromotedTs);
    }

    [Fact]
    public void Rule_lines_reach_the_engine_journal_at_the_next_event()
    {
        var time = new TimerTrackingTimeProvider(WedMorning);
        using var schedule = OptimizerSchedule.Start(Settings(), NullLogger.Instance, time)!;
        var config = SeamStreams.ConsensusConfig();
        var parts = EngineParts.FromConfig(config, NullLogger.Instance) with { Listeners = [schedule] };
        string[] lines = [SeamStreams.Quote(SeamStreams.T0, "AAPL", 100.00, 100.02)];

        NextTimer(time);
        using (var before = SeamStreams.Run(lines, config, parts))
        {
            Assert.DoesNotContain("\"kind\":\"rule\"", before.Journal, StringComparison.Ordinal);
        }

        time.AdvanceTo(WedRun);
        Await(() => schedule.Runs == 1, "the 16:05 run");
        using var after = SeamStreams.Run(lines, config, parts);

        var rule = Assert.Single(after.Lines, l => l.GetProperty("kind").GetString() == "rule");
        Assert.Equal("proposed", rule.GetProperty("action").GetString());
        Assert.StartsWith("atr_percentile_ge_", rule.GetProperty("name").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_run_is_logged_and_the_schedule_goes_on()
    {
        var settings = Settings();
        File.WriteAllText(settings.GeneratedRulesProposedPath, "{ broken");
        var logger = new ErrorLog();
        var time = new TimerTrackingTimeProvider(WedMorning);
        using var schedule = OptimizerSchedule.Start(settings, logger, time)!;

        time.AdvanceTo(NextTimer(time));
        Await(() => schedule.Runs == 1, "the run");

        Assert.Equal(1, schedule.Failures);
        Assert.Contains(logger.Errors, e => e.Contains("proposed.json", StringComparison.Ordinal));
        Assert.Equal(FriRun, NextTimer(time));
    }

    [Fact]
    public void Missing_buffer_is_a_quiet_no_op()
    {
        var settings = Settings(withBuffer: false);
        var time = new TimerTrackingTimeProvider(WedMorning);
        using var schedule = OptimizerSchedule.Start(settings, NullLogger.Instance, time)!;

        time.AdvanceTo(NextTimer(time));
        Await(() => schedule.Runs == 1, "the run");

        Assert.Equal(0, schedule.Failures);
        Assert.False(File.Exists(settings.GeneratedRulesProposedPath));
        Assert.Empty(RuleLines(schedule, WedRun.UtcDateTime));
    }

    [Fact]
    public void Learning_parts_add_the_schedule_as_a_listener_to_dispose_unless_turned_off()
    {
        var on = BrainConfig.Load(ConfigSource.FromPairs([("OPTIMIZER_RUN_AT_ET", "16:05"), ("EXPERIENCE_BUFFER_PATH", Path.Combine(_folder, "none.jsonl"))]));
        var off = BrainConfig.Load(ConfigSource.FromPairs([("OPTIMIZER_RUN_AT_ET", ""), ("EXPERIENCE_BUFFER_PATH", Path.Combine(_folder, "none.jsonl"))]));
        var owned = new List<IDisposable>();
        var ownedOff = new List<IDisposable>();
        using var stop = new DisposeAll(owned);
        using var stopOff = new DisposeAll(ownedOff);
        var time = new TimerTrackingTimeProvider(WedMorning);

        var parts = LearningParts.Add(EngineParts.FromConfig(on, NullLogger.Instance), on, NullLogger.Instance, time, owned);
        var partsOff = LearningParts.Add(EngineParts.FromConfig(off, NullLogger.Instance), off, NullLogger.Instance, time, ownedOff);

        var schedule = Assert.Single(parts.Listeners.OfType<OptimizerSchedule>());
        Assert.Contains(schedule, owned);
        Assert.Empty(partsOff.Listeners.OfType<OptimizerSchedule>());
        Assert.Empty(ownedOff.OfType<OptimizerSchedule>());
    }

    [Theory]
    [InlineData("2026-11-25T14:30:00Z", "2026-11-25T21:05:00Z")] // Wed morning: today 16:05 ET
    [InlineData("2026-11-25T21:05:00Z", "2026-11-25T21:05:00Z")] // exactly at the time: now
    [InlineData("2026-11-25T21:06:00Z", "2026-11-27T21:05:00Z")] // after it: Thanksgiving skipped, Friday (early close)
    [InlineData("2026-11-28T12:00:00Z", "2026-11-30T21:05:00Z")] // Saturday: Monday
    [InlineData("2026-03-06T22:00:00Z", "2026-03-09T20:05:00Z")] // Fri EST → Mon after the DST switch: 16:05 EDT = 20:05 UTC
    public void Next_run_is_16_05_ET_on_the_next_trading_day(string now, string expected)
    {
        var at = new TimeOnly(16, 5);

        var next = OptimizerSchedule.NextRun(DateTime.Parse(now, null, System.Globalization.DateTimeStyles.AdjustToUniversal), at);

        Assert.Equal(DateTime.Parse(expected, null, System.Globalization.DateTimeStyles.AdjustToUniversal), next);
    }

    /// <summary>Keeps the errors logged (message and exception text).</summary>
    private sealed class ErrorLog : ILogger
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Errors.Enqueue($"{formatter(state, exception)} {exception?.Message}");
            }
        }
    }
}
