using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Journal;
using SentryBrain.Market;

namespace SentryBrain.Learning;

/// <summary>
/// The consumer's daily optimizer run (<c>OPTIMIZER_RUN_AT_ET</c>, default 16:05 New York time) on NYSE trading days,
/// early-close days included, holidays and weekends skipped. A background loop waits on the consumer's clock (a fake
/// one in tests), runs <see cref="Optimizer"/> on the thread pool with <c>--write-proposed</c> (a pending proposal
/// old enough is promoted first) over the last <c>OPTIMIZER_ROLLING_DAYS</c> of <c>EXPERIENCE_BUFFER_PATH</c>, and
/// queues what it proposed, promoted and expired; the event loop journals those as <c>rule</c> lines at its next
/// clock tick (<see cref="OnClock"/>), so events never wait for a run. One run at a time; a run that fails is logged
/// and counted, never ends the loop; a missing buffer is a quiet no-op. The run's time is its slot, so the proposal's
/// <c>written_ts</c> is exactly one day (or weekend) before the next run's promotion check.
/// </summary>
public sealed class OptimizerSchedule : IEngineListener, IDisposable
{
    /// <summary>How far <see cref="NextRun"/> looks ahead (longer than any NYSE closure).</summary>
    public const int MaxSearchDays = 15;

    private readonly TimeOnly _at;
    private readonly Func<DateTime, OptimizerReport?> _run;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<(string Action, GeneratedRule Rule, DateTime RunTs)> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _runs;
    private long _failures;
    private int _disposed;

    /// <param name="run">One optimizer run for a slot (UTC); null when there was nothing to run on.</param>
    public OptimizerSchedule(TimeOnly at, Func<DateTime, OptimizerReport?> run, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _at = at;
        _run = run;
        _time = time;
        _logger = logger;

        // Task.Run: nothing of the loop runs on the caller's thread.
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>Runs that returned or threw.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The schedule <paramref name="settings"/> ask for, started; null when <c>OPTIMIZER_RUN_AT_ET</c> is empty.</summary>
    public static OptimizerSchedule? Start(LearningSettings settings, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.OptimizerRunAtEt is not { } at)
        {
            return null;
        }

        var options = OptimizerOptions.From(settings) with { WriteProposed = true, RollingDays = settings.OptimizerRollingDays };
        return new OptimizerSchedule(at, slot => RunOnce(options, slot, logger), time, logger);
    }

    /// <summary>The first run at or after <paramref name="utcNow"/>: <paramref name="at"/> New York time on a trading day.</summary>
    public static DateTime NextRun(DateTime utcNow, TimeOnly at)
    {
        var today = NewYorkTime.TradingDate(utcNow);
        for (var day = 0; day <= MaxSearchDays; day++)
        {
            var date = today.AddDays(day);
            if (NyseCalendar.IsTradingDay(date) && NewYorkTime.ToUtc(date, at) is var slot && slot >= utcNow)
            {
                return slot;
            }
        }

        throw new InvalidOperationException($"No trading day within {MaxSearchDays} days after {utcNow:O}.");
    }

    /// <summary>Journals, on the event loop, what the runs since the last tick proposed, promoted or expired.</summary>
    public void OnClock(DateTime now, DateOnly tradingDate, JournalWriter journal)
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        while (_pending.TryDequeue(out var item))
        {
            var (action, rule, runTs) = item;
            journal.Line("rule", now, w =>
            {
                w.WriteString("action"u8, action);
                w.WriteString("name"u8, rule.Name);
                w.WriteString("condition"u8, rule.Condition);
                w.WriteNumber("support"u8, rule.Support);
                w.WriteNumber("success_rate_in_sample"u8, rule.SuccessRateInSample);
                w.WriteNumber("support_out_of_sample"u8, rule.SupportOutOfSample);
                w.WriteNumber("success_rate_out_of_sample"u8, rule.SuccessRateOutOfSample);
                if (rule.ExpiresTs is { } expires)
                {
                    w.WriteString("expires_ts"u8, Iso(expires));
                }

                w.WriteString("run_ts"u8, Iso(runTs));
                w.WriteString("reason"u8, rule.Reason);
            });
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();

        // A run in progress is not interruptible (seconds of CPU); wait for it, bounded, so a stop cannot hang.
        if (!_loop.Wait(TimeSpan.FromSeconds(60)))
        {
            _logger.LogWarning("Optimizer run still going at shutdown; not waiting for it");
        }

        _stop.Dispose();
    }

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static OptimizerReport? RunOnce(OptimizerOptions options, DateTime slot, ILogger logger)
    {
        if (!File.Exists(options.BufferPath))
        {
            logger.LogInformation("Optimizer: no experience buffer at {Path} yet; nothing to learn", options.BufferPath);
            return null;
        }

        return Optimizer.Run(options, slot);
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        try
        {
            var from = _time.GetUtcNow().UtcDateTime;
            while (true)
            {
                var slot = NextRun(from, _at);
                DateTime now;
                while ((now = _time.GetUtcNow().UtcDateTime) < slot)
                {
                    await Task.Delay(slot - now, _time, ct);

                    // The delay's continuation runs on the thread that fired the timer (a fake clock's Advance): go to the pool.
                    await Task.Yield();
                }

                ct.ThrowIfCancellationRequested();
                RunSlot(slot);

                // The next slot is after this one and after now: a late wake-up runs once, never a burst.
                var after = _time.GetUtcNow().UtcDateTime;
                from = (after > slot ? after : slot).AddTicks(1);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.LogCritical(ex, "Optimizer schedule ended unexpectedly; no more optimizer runs in this process");
        }
    }

    private void RunSlot(DateTime slot)
    {
        try
        {
            var report = _run(slot);
            if (report is null)
            {
                return;
            }

            foreach (var rule in report.Promoted)
            {
                _pending.Enqueue(("promoted", rule, slot));
            }

            foreach (var rule in report.Expired)
            {
                _pending.Enqueue(("expired", rule, slot));
            }

            if (report.Written.Count > 0)
            {
                foreach (var rule in report.Rules)
                {
                    _pending.Enqueue(("proposed", rule, slot));
                }
            }

            _logger.LogInformation(
                "Optimizer run for {Slot:yyyy-MM-dd HH:mm} UTC: {Exits} exits, {Proposed} rule(s) proposed, {Promoted} promoted, {Expired} expired{Notes}",
                slot,
                report.Exits,
                report.Written.Count > 0 ? report.Rules.Count : 0,
                report.Promoted.Count,
                report.Expired.Count,
                report.Notes.Count > 0 ? "; " + string.Join("; ", report.Notes) : string.Empty);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _failures);
            _logger.LogError(ex, "Optimizer run for {Slot:yyyy-MM-dd HH:mm} UTC failed; the schedule goes on", slot);
        }
        finally
        {
            Interlocked.Increment(ref _runs);
        }
    }
}
