using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SentryBrain.Screening;
using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Screening;

/// <summary>
/// The loop on a fake clock: the test moves time only to the timer the loop has armed, after the loop armed it, so
/// what runs depends on the clock alone, never on the machine's speed. Expected instants are hand-derived (see
/// <see cref="DiscoveryScheduleTests"/>): in December and late November 2026 New York is UTC−5, so 07:00 ET = 12:00
/// UTC and 09:30 ET = 14:30 UTC.
/// </summary>
public class DiscoveryLoopTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static DateTime Utc(string iso) => DateTime.ParseExact(iso, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    private static DateTimeOffset At(string iso) => new(Utc(iso));

    /// <summary>07:00, 07:05 … 09:25 and 09:30 ET of a day in EST, from its 07:00 in UTC.</summary>
    private static List<DateTime> DefaultDay(string firstUtc)
    {
        var first = Utc(firstUtc);
        var slots = Enumerable.Range(0, 30).Select(i => first.AddMinutes(5 * i)).ToList();
        slots.Add(first.AddMinutes(150));
        return slots;
    }

    /// <summary>Polls (wall clock) until <paramref name="condition"/> holds; fails naming what it waited for.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, $"timed out after {Patience.TotalSeconds:0} s waiting for {what}");
            await Task.Delay(1);
        }
    }

    /// <summary>The due time of the timer the loop arms next, once it has armed it.</summary>
    private static async Task<DateTimeOffset> NextTimerAsync(TimerTrackingTimeProvider time)
    {
        await WaitUntilAsync(() => time.NextDue is not null, "the loop to arm its next timer");
        return time.NextDue!.Value;
    }

    /// <summary>Moves the clock from armed timer to armed timer while they are due at or before
    /// <paramref name="until"/>; returns the first one after it.</summary>
    private static async Task<DateTimeOffset> DriveAsync(TimerTrackingTimeProvider time, DateTimeOffset until)
    {
        while (true)
        {
            var due = await NextTimerAsync(time);
            if (due > until)
            {
                return due;
            }

            time.AdvanceTo(due);
        }
    }

    [Fact]
    public async Task Normal_day_runs_at_every_slot_and_nowhere_else()
    {
        // Tue 2026-12-08 from midnight ET (05:00 UTC) to the next midnight.
        var time = new TimerTrackingTimeProvider(At("2026-12-08 05:00"));
        var calls = new ConcurrentQueue<DateTime>();
        await using var loop = new DiscoveryLoop(DiscoveryTimes.Default, Record(calls), time, new CapturingLogger());
        loop.Start();

        var next = await DriveAsync(time, At("2026-12-09 05:00"));

        string[] expected =
        [
            "2026-12-08 12:00", "2026-12-08 12:05", "2026-12-08 12:10", "2026-12-08 12:15", "2026-12-08 12:20",
            "2026-12-08 12:25", "2026-12-08 12:30", "2026-12-08 12:35", "2026-12-08 12:40", "2026-12-08 12:45",
            "2026-12-08 12:50", "2026-12-08 12:55", "2026-12-08 13:00", "2026-12-08 13:05", "2026-12-08 13:10",
            "2026-12-08 13:15", "2026-12-08 13:20", "2026-12-08 13:25", "2026-12-08 13:30", "2026-12-08 13:35",
            "2026-12-08 13:40", "2026-12-08 13:45", "2026-12-08 13:50", "2026-12-08 13:55", "2026-12-08 14:00",
            "2026-12-08 14:05", "2026-12-08 14:10", "2026-12-08 14:15", "2026-12-08 14:20", "2026-12-08 14:25",
            "2026-12-08 14:30",
        ];
        Assert.Equal(expected.Select(Utc), calls);
        Assert.Equal(At("2026-12-09 12:00"), next); // Wednesday 07:00 ET
        Assert.Equal(31, loop.Runs);
        Assert.Equal(0, loop.Failures);
        Assert.Equal(0, loop.SkippedOverlaps);
        Assert.Equal(0, loop.MissedSlots);
        Assert.Equal(Utc("2026-12-08 14:30"), loop.LastSlot);
        Assert.Equal(Utc("2026-12-09 12:00"), loop.NextSlot);
    }

    [Fact]
    public async Task Christmas_runs_nothing_and_waits_for_the_next_trading_day()
    {
        // Fri 2026-12-25 from midnight ET; then the weekend; the next slot is Mon 12-28 07:00 ET.
        var time = new TimerTrackingTimeProvider(At("2026-12-25 05:00"));
        var calls = new ConcurrentQueue<DateTime>();
        await using var loop = new DiscoveryLoop(DiscoveryTimes.Default, Record(calls), time, new CapturingLogger());
        loop.Start();

        Assert.Equal(At("2026-12-28 12:00"), await NextTimerAsync(time));
        time.AdvanceTo(At("2026-12-28 11:59"));

        Assert.Empty(calls);
        Assert.Equal(0, loop.Runs);
        Assert.Equal(At("2026-12-28 12:00"), time.NextDue);
    }

    [Fact]
    public async Task Thanksgiving_runs_nothing_and_the_early_close_day_after_has_the_full_window()
    {
        // Thu 2026-11-26 (holiday) from midnight ET, then Fri 11-27 (13:00 close) through its midnight.
        var time = new TimerTrackingTimeProvider(At("2026-11-26 05:00"));
        var calls = new ConcurrentQueue<DateTime>();
        await using var loop = new DiscoveryLoop(DiscoveryTimes.Default, Record(calls), time, new CapturingLogger());
        loop.Start();

        Assert.Equal(At("2026-11-27 12:00"), await NextTimerAsync(time));
        var next = await DriveAsync(time, At("2026-11-28 05:00"));

        Assert.Equal(DefaultDay("2026-11-27 12:00"), calls);
        Assert.Equal(At("2026-11-30 12:00"), next); // Monday 07:00 ET
    }

    [Fact]
    public async Task A_failing_run_is_logged_and_the_loop_goes_on()
    {
        var time = new TimerTrackingTimeProvider(At("2026-12-08 11:00")); // 06:00 ET
        var calls = new ConcurrentQueue<DateTime>();
        var logger = new CapturingLogger();
        await using var loop = new DiscoveryLoop(
            DiscoveryTimes.Default,
            (slot, _) =>
            {
                calls.Enqueue(slot);

                // 07:05 throws before returning a task, 07:10 returns a faulted one.
                return slot == Utc("2026-12-08 12:05") ? throw new InvalidOperationException("boom at 07:05")
                    : slot == Utc("2026-12-08 12:10") ? Task.FromException(new TimeoutException("slow at 07:10"))
                    : Task.CompletedTask;
            },
            time,
            logger);
        loop.Start();

        var next = await DriveAsync(time, At("2026-12-08 12:15"));

        Assert.Equal([Utc("2026-12-08 12:00"), Utc("2026-12-08 12:05"), Utc("2026-12-08 12:10"), Utc("2026-12-08 12:15")], calls);
        Assert.Equal(At("2026-12-08 12:20"), next);
        Assert.Equal(4, loop.Runs);
        Assert.Equal(2, loop.Failures);
        var errors = logger.Entries.Where(e => e.Level == LogLevel.Error).Select(e => e.Text).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains("2026-12-08 07:05", errors[0], StringComparison.Ordinal);
        Assert.Contains("boom at 07:05", errors[0], StringComparison.Ordinal);
        Assert.Contains("2026-12-08 07:10", errors[1], StringComparison.Ordinal);
        Assert.Contains("slow at 07:10", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_still_going_at_later_slots_skips_them_without_overlap_or_burst()
    {
        var time = new TimerTrackingTimeProvider(At("2026-12-08 11:00"));
        var calls = new ConcurrentQueue<DateTime>();
        var logger = new CapturingLogger();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var active = 0;
        var maxActive = 0;
        await using var loop = new DiscoveryLoop(
            DiscoveryTimes.Default,
            async (slot, _) =>
            {
                var now = Interlocked.Increment(ref active);
                InterlockedMax(ref maxActive, now);
                calls.Enqueue(slot);
                if (slot == Utc("2026-12-08 12:00"))
                {
                    started.SetResult();
                    await release.Task; // ignores the token on purpose: a run that overshoots
                }

                Interlocked.Decrement(ref active);
            },
            time,
            logger);
        loop.Start();

        Assert.Equal(At("2026-12-08 12:00"), await NextTimerAsync(time));
        time.AdvanceTo(At("2026-12-08 12:00"));
        await started.Task.WaitAsync(Patience);

        // While the run goes on no timer is armed, so nothing can start: move past 07:05 and 07:10.
        Assert.Null(time.NextDue);
        Assert.Null(loop.NextSlot);
        time.AdvanceTo(At("2026-12-08 12:11"));
        Assert.Null(time.NextDue);
        release.SetResult();

        // 07:15 next: neither 07:05 nor 07:10 is run late.
        var next = await DriveAsync(time, At("2026-12-08 12:15"));

        Assert.Equal([Utc("2026-12-08 12:00"), Utc("2026-12-08 12:15")], calls);
        Assert.Equal(At("2026-12-08 12:20"), next);
        Assert.Equal(1, maxActive);
        Assert.Equal(2, loop.SkippedOverlaps);
        Assert.Equal(0, loop.MissedSlots);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning).Text;
        Assert.Contains("2026-12-08 07:05", warning, StringComparison.Ordinal);
        Assert.Contains("2026-12-08 07:10", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_ending_exactly_at_the_next_slot_runs_that_slot()
    {
        var time = new TimerTrackingTimeProvider(At("2026-12-08 11:00"));
        var calls = new ConcurrentQueue<DateTime>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var loop = new DiscoveryLoop(
            DiscoveryTimes.Default,
            async (slot, _) =>
            {
                calls.Enqueue(slot);
                if (slot == Utc("2026-12-08 12:00"))
                {
                    started.SetResult();
                    await release.Task;
                }
            },
            time,
            new CapturingLogger());
        loop.Start();

        time.AdvanceTo(await NextTimerAsync(time));
        await started.Task.WaitAsync(Patience);
        time.AdvanceTo(At("2026-12-08 12:05"));
        release.SetResult();

        // 07:05 runs without the clock moving; then the loop waits for 07:10.
        Assert.Equal(At("2026-12-08 12:10"), await NextTimerAsync(time));
        Assert.Equal([Utc("2026-12-08 12:00"), Utc("2026-12-08 12:05")], calls);
        Assert.Equal(0, loop.SkippedOverlaps);
    }

    [Fact]
    public async Task StopAsync_ends_a_run_blocked_on_its_token_promptly()
    {
        var time = new TimerTrackingTimeProvider(At("2026-12-08 11:00"));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var logger = new CapturingLogger();
        await using var loop = new DiscoveryLoop(
            DiscoveryTimes.Default,
            async (_, ct) =>
            {
                started.SetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            },
            time,
            logger);
        loop.Start();
        time.AdvanceTo(await NextTimerAsync(time));
        await started.Task.WaitAsync(Patience);

        await loop.StopAsync().WaitAsync(Patience);

        Assert.Equal(1, loop.Runs);
        Assert.Equal(0, loop.Failures); // cancelled by the stop, not failed
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Error);
        Assert.Null(loop.NextSlot);
        await loop.StopAsync().WaitAsync(Patience); // idempotent
    }

    [Fact]
    public async Task StopAsync_ends_the_wait_for_a_slot_and_releases_its_timer()
    {
        var time = new TimerTrackingTimeProvider(At("2026-12-08 11:00"));
        await using var loop = new DiscoveryLoop(DiscoveryTimes.Default, (_, _) => Task.CompletedTask, time, new CapturingLogger());
        loop.Start();
        await NextTimerAsync(time);

        await loop.StopAsync().WaitAsync(Patience);

        Assert.Equal(0, time.ActiveTimerCount);
        Assert.Null(loop.NextSlot);
        Assert.Throws<InvalidOperationException>(loop.Start);
        await loop.StopAsync().WaitAsync(Patience); // idempotent
    }

    [Fact]
    public async Task Start_returns_while_the_start_up_run_blocks_its_thread()
    {
        // Started at 08:17 ET inside the window: the 08:15 slot is due and runs at once, in the background.
        var time = new TimerTrackingTimeProvider(At("2026-12-08 13:17"));
        var calls = new ConcurrentQueue<DateTime>();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        await using var loop = new DiscoveryLoop(
            DiscoveryTimes.Default,
            (slot, _) =>
            {
                calls.Enqueue(slot);
                entered.Set();
                release.Wait(CancellationToken.None); // blocks synchronously, as a careless delegate might
                return Task.CompletedTask;
            },
            time,
            new CapturingLogger());

        try
        {
            // On another thread so that a Start that blocked would fail the test instead of hanging it.
            await Task.Run(loop.Start).WaitAsync(Patience);
            Assert.True(entered.Wait(Patience), "the start-up run did not begin");
        }
        finally
        {
            release.Set();
        }

        Assert.Equal(At("2026-12-08 13:20"), await NextTimerAsync(time));
        Assert.Equal([Utc("2026-12-08 13:15")], calls);
        Assert.Equal(Utc("2026-12-08 13:15"), loop.LastSlot);
    }

    [Theory]
    [InlineData("2026-12-08 13:17", false, "2026-12-08 13:20")] // start-up run off: just wait for 08:20 ET
    [InlineData("2026-12-08 15:00", true, "2026-12-09 12:00")] // 10:00 ET, nothing due: wait for tomorrow 07:00
    [InlineData("2026-12-25 13:17", true, "2026-12-28 12:00")] // Christmas 08:17 ET: nothing due
    public async Task Start_runs_nothing_when_nothing_is_due_or_the_start_up_run_is_off(string startUtc, bool runIfDueAtStart, string firstTimerUtc)
    {
        var time = new TimerTrackingTimeProvider(At(startUtc));
        var calls = new ConcurrentQueue<DateTime>();
        await using var loop = new DiscoveryLoop(DiscoveryTimes.Default, Record(calls), time, new CapturingLogger(), runIfDueAtStart);
        loop.Start();

        // The start-up decision comes before the first wait, so once the timer is armed it has been made.
        Assert.Equal(At(firstTimerUtc), await NextTimerAsync(time));
        Assert.Empty(calls);
        Assert.Null(loop.LastSlot);
    }

    [Fact]
    public async Task Start_just_after_the_daily_run_time_runs_it()
    {
        // 09:32 ET: SCREENER_RUN_AT_ET 09:30 passed 2 minutes ago, less than one interval.
        var time = new TimerTrackingTimeProvider(At("2026-12-08 14:32"));
        var calls = new ConcurrentQueue<DateTime>();
        await using var loop = new DiscoveryLoop(DiscoveryTimes.Default, Record(calls), time, new CapturingLogger());
        loop.Start();

        Assert.Equal(At("2026-12-09 12:00"), await NextTimerAsync(time));
        Assert.Equal([Utc("2026-12-08 14:30")], calls);
    }

    [Fact]
    public async Task Waking_late_runs_only_the_latest_due_slot_and_counts_the_missed_ones()
    {
        // The timer for 07:00 ET fires when the wall clock already reads 07:12 (as after a suspend): 07:00 and 07:05
        // are missed, 07:10 (2 minutes ago) runs, then 07:15.
        var inner = new TimerTrackingTimeProvider(At("2026-12-08 11:00"));
        var time = new JumpingTimeProvider(inner);
        var calls = new ConcurrentQueue<DateTime>();
        var logger = new CapturingLogger();
        await using var loop = new DiscoveryLoop(DiscoveryTimes.Default, Record(calls), time, logger);
        loop.Start();
        Assert.Equal(At("2026-12-08 12:00"), await NextTimerAsync(inner));

        time.Jump(TimeSpan.FromMinutes(12));
        inner.AdvanceTo(At("2026-12-08 12:00"));

        await WaitUntilAsync(() => loop.NextSlot is not null && inner.NextDue is not null, "the loop to wait again");
        Assert.Equal([Utc("2026-12-08 12:10")], calls);
        Assert.Equal(Utc("2026-12-08 12:15"), loop.NextSlot);
        Assert.Equal(2, loop.MissedSlots);
        Assert.Equal(0, loop.SkippedOverlaps);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning).Text;
        Assert.Contains("2026-12-08 07:00", warning, StringComparison.Ordinal);
        Assert.Contains("2026-12-08 07:05", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waking_after_the_window_runs_nothing_until_the_next_day()
    {
        // The 07:00 ET timer fires at 10:00 ET: every slot of the day (31) is missed, none replayed.
        var inner = new TimerTrackingTimeProvider(At("2026-12-08 11:00"));
        var time = new JumpingTimeProvider(inner);
        var calls = new ConcurrentQueue<DateTime>();
        await using var loop = new DiscoveryLoop(DiscoveryTimes.Default, Record(calls), time, new CapturingLogger());
        loop.Start();
        await NextTimerAsync(inner);

        time.Jump(TimeSpan.FromHours(3));
        inner.AdvanceTo(At("2026-12-08 12:00"));

        await WaitUntilAsync(() => loop.NextSlot is not null && inner.NextDue is not null, "the loop to wait again");
        Assert.Empty(calls);
        Assert.Equal(31, loop.MissedSlots);
        Assert.Equal(Utc("2026-12-09 12:00"), loop.NextSlot);
    }

    [Fact]
    public async Task The_timer_thread_never_runs_discovery()
    {
        // A run that blocks its thread must not block the thread that fired the timer (here the test's Advance).
        var time = new TimerTrackingTimeProvider(At("2026-12-08 11:00"));
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        await using var loop = new DiscoveryLoop(
            DiscoveryTimes.Default,
            (_, _) =>
            {
                entered.Set();
                release.Wait(CancellationToken.None);
                return Task.CompletedTask;
            },
            time,
            new CapturingLogger());
        loop.Start();
        var due = await NextTimerAsync(time);

        try
        {
            await Task.Run(() => time.AdvanceTo(due)).WaitAsync(Patience);
            Assert.True(entered.Wait(Patience), "the run did not begin");
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public void Invalid_times_are_rejected_at_construction()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DiscoveryLoop(
            DiscoveryTimes.Default with { IntervalMinutes = 0 },
            (_, _) => Task.CompletedTask,
            new TimerTrackingTimeProvider(),
            new CapturingLogger()));
        Assert.Contains("DISCOVERY_INTERVAL_MIN", ex.Message, StringComparison.Ordinal);
    }

    private static Func<DateTime, CancellationToken, Task> Record(ConcurrentQueue<DateTime> calls) => (slot, _) =>
    {
        calls.Enqueue(slot);
        return Task.CompletedTask;
    };

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>A wall clock that can jump ahead of its timers, as after a suspend: timers run on
    /// <see cref="TimerTrackingTimeProvider"/> time, <see cref="GetUtcNow"/> reads that plus the jumps.</summary>
    private sealed class JumpingTimeProvider(TimerTrackingTimeProvider inner) : TimeProvider
    {
        private long _offsetTicks;

        public void Jump(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(callback, state, dueTime, period);
    }

    private sealed class CapturingLogger : ILogger
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Text)> _entries = new();

        public IReadOnlyList<(LogLevel Level, string Text)> Entries => [.. _entries];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _entries.Enqueue((logLevel, formatter(state, exception) + (exception is null ? string.Empty : "\n" + exception)));
    }
}
