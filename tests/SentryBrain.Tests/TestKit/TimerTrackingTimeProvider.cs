using Microsoft.Extensions.Time.Testing;

namespace SentryBrain.Tests.TestKit;

/// <summary>
/// The one fake clock of the tests: <see cref="FakeTimeProvider"/> (time moves only when told; timers fire, in due
/// order and on the calling thread, as <see cref="FakeTimeProvider.Advance"/> passes their due time), plus what a test
/// needs to move it only once the code under test has armed its timer: <see cref="NextDue"/> and
/// <see cref="ActiveTimerCount"/>.
/// </summary>
public sealed class TimerTrackingTimeProvider : FakeTimeProvider
{
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 25, 14, 30, 0, TimeSpan.Zero);

    private readonly object _gate = new();
    private readonly List<TrackedTimer> _timers = [];

    public TimerTrackingTimeProvider(DateTimeOffset? start = null)
        : base(start ?? DefaultStart)
    {
    }

    /// <summary>Timers armed and not yet fired (one-shot) or still periodic.</summary>
    public int ActiveTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.Due is not null);
            }
        }
    }

    /// <summary>Earliest due time among armed timers, or null.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                return _timers.Where(t => t.Due is not null).Select(t => t.Due).Min();
            }
        }
    }

    /// <summary>Moves the clock to <paramref name="target"/> (never backwards), firing the timers due on the way.</summary>
    public void AdvanceTo(DateTimeOffset target)
    {
        var delta = target - GetUtcNow();
        if (delta > TimeSpan.Zero)
        {
            Advance(delta);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var tracked = new TrackedTimer(this);
        lock (_gate)
        {
            _timers.Add(tracked);
        }

        // Book-keeping first, then the caller's callback: it may re-arm the timer.
        tracked.Inner = base.CreateTimer(s => { tracked.Fired(); callback(s); }, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        tracked.Change(dueTime, period);
        return tracked;
    }

    private sealed class TrackedTimer(TimerTrackingTimeProvider owner) : ITimer
    {
        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset? Due { get; private set; }

        private TimeSpan _period;

        public void Fired()
        {
            lock (owner._gate)
            {
                Due = _period > TimeSpan.Zero && Due is { } due ? due + _period : null;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                if (!owner._timers.Contains(this))
                {
                    return false;
                }

                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetUtcNow() + dueTime;
                _period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            }

            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
