using System.Globalization;
using Microsoft.Extensions.Logging;
using SentryBrain.Market;

namespace SentryBrain.Screening;

/// <summary>
/// Runs discovery at the <see cref="DiscoverySchedule"/> slots, in the background of the long-running consumer
/// (DISCOVERY_ENABLED). One run at a time: the loop waits for a slot on the injected clock, awaits the run, then
/// computes the next slot from the clock again, so slots that pass while a run is still going are skipped (counted
/// and logged), never run concurrently nor in a burst afterwards. A run's exception is logged and counted; it never
/// ends the loop.
/// </summary>
/// <remarks>
/// The reference runs the start-up discovery synchronously and blocks stdin meanwhile (BEHAVIOR.md §2); here it is
/// just the loop's first run, so events keep flowing. A slot runs only while it is due: within one interval of its
/// time, and only the latest one that has passed; after a late wake-up (machine suspended, clock jumped) the slots
/// that passed are counted as <see cref="MissedSlots"/> rather than replayed.
/// </remarks>
public sealed class DiscoveryLoop : IAsyncDisposable
{
    private const int NotStarted = 0;
    private const int Started = 1;
    private const int Stopped = 2;

    private readonly DiscoveryTimes _times;
    private readonly Func<DateTime, CancellationToken, Task> _run;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _runIfDueAtStart;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private Task? _loop;
    private int _state;
    private long _runs;
    private long _failures;
    private long _skippedOverlaps;
    private long _missedSlots;
    private long _lastSlotTicks = -1;
    private long _nextSlotTicks = -1;

    /// <param name="times">The window, interval and daily run time; validated here (see <see cref="DiscoverySchedule.Validate"/>).</param>
    /// <param name="run">One discovery for the given slot (UTC). It should honour the token, which is cancelled by
    /// <see cref="StopAsync"/>; until it returns the next slots are skipped.</param>
    /// <param name="time">The clock: every wait is a timer of this provider (a fake one in tests).</param>
    /// <param name="logger">Receives skipped slots and failed runs.</param>
    /// <param name="runIfDueAtStart">When <see cref="Start"/> finds a slot due (inside the window, or just after the
    /// daily run time), run it at once instead of waiting for the next one, as the reference does at start-up.</param>
    public DiscoveryLoop(DiscoveryTimes times, Func<DateTime, CancellationToken, Task> run, TimeProvider time, ILogger logger, bool runIfDueAtStart = true)
    {
        DiscoverySchedule.Validate(times);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _times = times;
        _run = run;
        _time = time;
        _logger = logger;
        _runIfDueAtStart = runIfDueAtStart;
    }

    /// <summary>Invocations of the run delegate that have returned or thrown (failures included).</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Invocations that threw (other than by cancellation on <see cref="StopAsync"/>).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Slots that passed while a run was still going.</summary>
    public long SkippedOverlaps => Interlocked.Read(ref _skippedOverlaps);

    /// <summary>Slots that passed while the loop was waiting but woke too late for them (suspend, clock jump).</summary>
    public long MissedSlots => Interlocked.Read(ref _missedSlots);

    /// <summary>The slot (UTC) of the latest invocation, or null before the first.</summary>
    public DateTime? LastSlot => TicksToUtc(Interlocked.Read(ref _lastSlotTicks));

    /// <summary>The slot (UTC) the loop is waiting for, or null while a run is going or the loop is not running.</summary>
    public DateTime? NextSlot => TicksToUtc(Interlocked.Read(ref _nextSlotTicks));

    /// <summary>Starts the loop on the thread pool and returns at once. A loop starts once.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_state != NotStarted)
            {
                throw new InvalidOperationException("The discovery loop starts once; create a new one to start again.");
            }

            _state = Started;

            // Task.Run: not even the run delegate's synchronous part may execute on the caller's thread.
            _loop = Task.Run(() => LoopAsync(_stop.Token));
        }
    }

    /// <summary>Cancels the wait or the run in progress and completes when the loop has ended. Idempotent; a loop
    /// never started just becomes unstartable.</summary>
    public async Task StopAsync()
    {
        Task? loop;
        bool cancel;
        lock (_gate)
        {
            cancel = _state == Started;
            _state = Stopped;
            loop = _loop;
        }

        if (cancel)
        {
            // CancelAsync: the wait's and the run's cancellation continuations go to the pool, not onto the caller.
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private static DateTime? TicksToUtc(long ticks) => ticks < 0 ? null : new DateTime(ticks, DateTimeKind.Utc);

    private static string Et(DateTime utc) => NewYorkTime.ToEastern(utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private DateTime Now() => _time.GetUtcNow().UtcDateTime;

    private async Task LoopAsync(CancellationToken ct)
    {
        _logger.LogInformation(
            "Discovery loop started: every {Interval} min from {Start:HH:mm} to {End:HH:mm} ET{RunAt} on trading days",
            _times.IntervalMinutes,
            _times.Start,
            _times.End,
            _times.RunAt is { } at ? string.Create(CultureInfo.InvariantCulture, $", and at {at:HH:mm} ET") : string.Empty);
        try
        {
            // The latest slot run, skipped or missed: the next one is strictly after it even if the clock stood still.
            DateTime? handled = null;
            var first = true;
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var now = Now();
                DateTime? toRun;
                if (first && _runIfDueAtStart && DiscoverySchedule.DueSlot(now, _times) is { } dueAtStart)
                {
                    toRun = dueAtStart;
                }
                else
                {
                    var from = handled is { } h && h >= now ? h.AddTicks(1) : now;
                    var slot = DiscoverySchedule.NextRun(from, _times);
                    (toRun, handled) = await WaitForAsync(slot, ct);
                }

                first = false;
                if (toRun is { } due)
                {
                    await RunSlotAsync(due, ct);
                    handled = SkipOverlapped(due);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _logger.LogInformation("Discovery loop stopped");
        }
        catch (Exception ex)
        {
            // Only a calendar with no slot for weeks gets here; the consumer goes on without discovery.
            _logger.LogCritical(ex, "Discovery loop ended unexpectedly; no more discovery runs in this process");
        }
        finally
        {
            Interlocked.Exchange(ref _nextSlotTicks, -1);
        }
    }

    /// <summary>Waits on the clock until <paramref name="slot"/>; returns the slot to run now (null if none is due
    /// any more) and the latest slot dealt with.</summary>
    private async Task<(DateTime? ToRun, DateTime Handled)> WaitForAsync(DateTime slot, CancellationToken ct)
    {
        Interlocked.Exchange(ref _nextSlotTicks, slot.Ticks);
        _logger.LogDebug("Next discovery at {Slot} ET", Et(slot));
        DateTime now;

        // Again while early: a system timer may fire a hair before the wall clock reaches the slot.
        while ((now = Now()) < slot)
        {
            await Task.Delay(slot - now, _time, ct);

            // The delay's continuation runs on the thread that fired the timer (with a fake clock, whoever called
            // Advance); yield so that the run goes to the pool and never holds that thread.
            await Task.Yield();
        }

        Interlocked.Exchange(ref _nextSlotTicks, -1);
        var due = DiscoverySchedule.DueSlot(now, _times);
        if (due == slot)
        {
            return (slot, slot);
        }

        // Woke after a later slot, or too long after this one: run at most the latest, replay nothing.
        var missed = new List<DateTime> { slot };
        missed.AddRange(DiscoverySchedule.SlotsBetween(slot, due ?? now.AddTicks(1), _times));
        Interlocked.Add(ref _missedSlots, missed.Count);
        _logger.LogWarning(
            "Discovery woke at {Now} ET, too late for {Count} slot(s) from {First} ET to {Last} ET; they are not replayed",
            Et(now),
            missed.Count,
            Et(missed[0]),
            Et(missed[^1]));
        return (due, due ?? missed[^1]);
    }

    private async Task RunSlotAsync(DateTime slot, CancellationToken ct)
    {
        Interlocked.Exchange(ref _lastSlotTicks, slot.Ticks);
        _logger.LogDebug("Discovery run for {Slot} ET", Et(slot));
        try
        {
            await _run(slot, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _failures);
            _logger.LogError(ex, "Discovery run for {Slot} ET failed; the loop goes on", Et(slot));
        }
        finally
        {
            Interlocked.Increment(ref _runs);
        }
    }

    /// <summary>Counts and logs the slots that passed while the run for <paramref name="slot"/> was going; returns
    /// the latest slot dealt with.</summary>
    private DateTime SkipOverlapped(DateTime slot)
    {
        var end = Now();

        // Strictly before now: a slot reached exactly as the run returns is still on time and runs next.
        var skipped = DiscoverySchedule.SlotsBetween(slot, end, _times);
        if (skipped.Count == 0)
        {
            return slot;
        }

        Interlocked.Add(ref _skippedOverlaps, skipped.Count);
        _logger.LogWarning(
            "Discovery run for {Slot} ET was still going at {Count} later slot(s) ({First} ET to {Last} ET, finished {End} ET); skipped, not run concurrently or afterwards",
            Et(slot),
            skipped.Count,
            Et(skipped[0]),
            Et(skipped[^1]),
            Et(end));
        return skipped[^1];
    }
}
