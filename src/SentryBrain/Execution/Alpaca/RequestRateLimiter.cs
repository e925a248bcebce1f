namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// Client-side limiter for one Alpaca account (200 requests/min by default), with priorities: a sliding 60 s window
/// that is never exceeded, plus a token bucket that paces the requests after a pause.
/// </summary>
/// <remarks>
/// <para><b>Guarantee.</b> In any 60 s window [t, t + 60 s) of the injected clock at most <see cref="Capacity"/>
/// (= requests per minute) requests are granted. The times of the last <see cref="Capacity"/> grants are kept in a
/// ring buffer, and a request is granted at t only if the grant <see cref="Capacity"/> positions back happened at or
/// before t − 60 s (O(1) per grant, no allocation per grant).</para>
/// <para><b>Pacing.</b> A bucket of <see cref="Capacity"/> tokens gains one token every <see cref="RefillInterval"/>
/// (= 60 s / requests per minute), in whole tokens, never beyond capacity; every grant spends one. It starts full, so
/// up to <see cref="Capacity"/> requests go at once, but then the window is full: that is a pause. During any pause
/// (the window full, or a server hold) no request is granted and no tokens accrue; at its end exactly one token is
/// there, so the most urgent waiter goes exactly then and the others follow one refill interval apart. So a long
/// queue on a fresh limiter gets <see cref="Capacity"/> grants at once, the next 60 s later, then one per
/// <see cref="RefillInterval"/>.</para>
/// <para>While requests are short, waiters are served strictly by <see cref="RequestPriority"/>
/// (Cancel &gt; Submit &gt; Account &gt; Data) and first-in-first-out within a priority. A new caller never
/// overtakes a queued waiter of the same or a higher priority.</para>
/// <para><see cref="OnResponse"/> lets the server's word win: X-Ratelimit-Remaining lowers the bucket,
/// Remaining 0 with X-Ratelimit-Reset holds every request until Reset, and a 429's Retry-After holds every
/// request until now + Retry-After (a hold is a pause as above). The server can only make the limiter stricter: the
/// window guarantee holds whatever it answers.</para>
/// <para>All time comes from the injected <see cref="TimeProvider"/> (timers too), so tests drive it by hand.</para>
/// </remarks>
public sealed class RequestRateLimiter : IDisposable
{
    public const int DefaultRequestsPerMinute = 200;

    private const int PriorityCount = (int)RequestPriority.Data + 1;

    private static readonly long WindowTicks = TimeSpan.TicksPerMinute;

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly LinkedList<Waiter>[] _queues;
    private int _queued;
    private int _tokens;
    private DateTimeOffset _lastRefill;

    // The last grants (UTC ticks), oldest at _next once the ring is full. It grows up to Capacity while filling.
    private long[] _grants;
    private int _grantCount;
    private int _next;

    // Server hold (HeldUntil) and the pause in force (the later of the hold and the instant the window has room).
    private DateTimeOffset _heldUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;
    private bool _grantAtPauseEnd;
    private bool _disposed;

    public RequestRateLimiter(int requestsPerMinute = DefaultRequestsPerMinute, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerMinute);
        Capacity = requestsPerMinute;
        RefillInterval = TimeSpan.FromTicks(TimeSpan.TicksPerMinute / requestsPerMinute);
        _time = timeProvider ?? TimeProvider.System;
        _queues = new LinkedList<Waiter>[PriorityCount];
        for (var i = 0; i < PriorityCount; i++)
        {
            _queues[i] = new LinkedList<Waiter>();
        }

        _grants = new long[Math.Min(Capacity, 256)];
        _tokens = Capacity;
        _lastRefill = _time.GetUtcNow();
        _timer = _time.CreateTimer(
            static state => ((RequestRateLimiter)state!).OnTimer(),
            this,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Requests allowed in any 60 s window (= requests per minute; also the bucket size).</summary>
    public int Capacity { get; }

    /// <summary>Time to gain one token (60 s / requests per minute).</summary>
    public TimeSpan RefillInterval { get; }

    /// <summary>Requests that would be granted right now (0 during a pause: a server hold or a full window).</summary>
    public int AvailableTokens
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                Refill(now);
                return now < _pausedUntil ? 0 : Math.Min(_tokens, WindowRoom(now));
            }
        }
    }

    /// <summary>Callers waiting for a token.</summary>
    public int QueuedCount
    {
        get
        {
            lock (_gate)
            {
                return _queued;
            }
        }
    }

    /// <summary>No request is released before this instant (from Retry-After or X-Ratelimit-Reset).</summary>
    public DateTimeOffset HeldUntil
    {
        get
        {
            lock (_gate)
            {
                return _heldUntil;
            }
        }
    }

    /// <summary>Waits for one token. Completes synchronously when a request may go now and nobody is queued.</summary>
    public ValueTask AcquireAsync(RequestPriority priority, CancellationToken cancellationToken = default)
    {
        if ((uint)priority >= PriorityCount)
        {
            throw new ArgumentOutOfRangeException(nameof(priority), priority, "Unknown request priority.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _time.GetUtcNow();
            Refill(now);
            if (_queued == 0 && CanGrant(now))
            {
                Grant(now);
                return ValueTask.CompletedTask;
            }

            var waiter = new Waiter(this, priority);
            waiter.Node = _queues[(int)priority].AddLast(waiter);
            _queued++;
            if (cancellationToken.CanBeCanceled)
            {
                waiter.Registration = cancellationToken.UnsafeRegister(
                    static (state, token) => ((Waiter)state!).Owner.CancelWaiter((Waiter)state!, token),
                    waiter);
            }

            // A token may have accrued since the timer last ran: serve the queue in priority order now.
            Pump(now);
            ScheduleTimer(now);
            return new ValueTask(waiter.Completion.Task);
        }
    }

    /// <summary>
    /// Feeds the rate-limit facts of a response: <paramref name="remaining"/> = X-Ratelimit-Remaining,
    /// <paramref name="reset"/> = X-Ratelimit-Reset (as an instant), <paramref name="retryAfter"/> = a 429's Retry-After.
    /// </summary>
    public void OnResponse(int? remaining, DateTimeOffset? reset, TimeSpan? retryAfter)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            Refill(now);
            if (retryAfter is { } wait && wait > TimeSpan.Zero)
            {
                Hold(now + wait);
            }

            if (remaining is { } left)
            {
                if (left <= 0)
                {
                    Drain(now);
                    if (reset is { } resetAt && resetAt > now)
                    {
                        Hold(resetAt);
                    }
                }
                else if (left < _tokens)
                {
                    _tokens = left;
                }
            }

            Pump(now);
            ScheduleTimer(now);
        }
    }

    public void Dispose()
    {
        List<Waiter> pending;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            pending = [];
            foreach (var queue in _queues)
            {
                pending.AddRange(queue);
                queue.Clear();
            }

            _queued = 0;
        }

        _timer.Dispose();
        foreach (var waiter in pending)
        {
            waiter.Registration.Unregister();
            waiter.Completion.TrySetException(new ObjectDisposedException(nameof(RequestRateLimiter)));
        }
    }

    /// <summary>Tokens gone, refill restarts now (unless a pause is in force: then it restarts at the pause's end).</summary>
    private void Drain(DateTimeOffset now)
    {
        _tokens = 0;
        if (now > _lastRefill)
        {
            _lastRefill = now;
        }
    }

    private void Hold(DateTimeOffset until)
    {
        if (until > _heldUntil)
        {
            _heldUntil = until;
        }

        Pause(_heldUntil);
    }

    /// <summary>
    /// No request goes and no token accrues before <paramref name="until"/>; at that instant exactly one token is
    /// there, so the most urgent waiter goes then and the rest follow at the refill pace instead of all at once.
    /// </summary>
    private void Pause(DateTimeOffset until)
    {
        if (until > _pausedUntil)
        {
            _pausedUntil = until;
        }

        _tokens = 0;
        _lastRefill = _pausedUntil;
        _grantAtPauseEnd = true;
    }

    private void Refill(DateTimeOffset now)
    {
        if (now < _pausedUntil)
        {
            return;
        }

        if (_grantAtPauseEnd)
        {
            // The pause's token, counted from the pause's end whenever this runs, so the pace does not drift.
            _grantAtPauseEnd = false;
            _tokens = Math.Max(_tokens, 1);
            _lastRefill = _pausedUntil;
        }

        if (_tokens >= Capacity)
        {
            _lastRefill = now;
        }
        else if (now > _lastRefill)
        {
            var gained = (now - _lastRefill).Ticks / RefillInterval.Ticks;
            if (gained > 0)
            {
                _tokens = (int)Math.Min(Capacity, _tokens + gained);
                _lastRefill = _tokens >= Capacity ? now : _lastRefill + TimeSpan.FromTicks(gained * RefillInterval.Ticks);
            }
        }
    }

    /// <summary>True when a grant now keeps every 60 s window at or below capacity and the bucket allows it.</summary>
    private bool CanGrant(DateTimeOffset now) =>
        now >= _pausedUntil && _tokens > 0 && WindowOpensAt() <= now.UtcTicks;

    /// <summary>Earliest instant (UTC ticks) the window allows one more grant: the grant Capacity back + 60 s.</summary>
    private long WindowOpensAt() => _grantCount < Capacity ? long.MinValue : _grants[_next] + WindowTicks;

    /// <summary>Grants the window allows right now (O(room), for <see cref="AvailableTokens"/> only).</summary>
    private int WindowRoom(DateTimeOffset now)
    {
        var room = Capacity - _grantCount;
        var cutoff = now.UtcTicks - WindowTicks;
        for (var i = 0; i < _grantCount && _grants[(_next + i) % _grantCount] <= cutoff; i++)
        {
            room++;
        }

        return room;
    }

    private void Grant(DateTimeOffset now)
    {
        _tokens--;
        if (_grantCount < Capacity)
        {
            if (_grantCount == _grants.Length)
            {
                Array.Resize(ref _grants, (int)Math.Min(Capacity, 2L * _grants.Length));
            }

            _grants[_grantCount++] = now.UtcTicks;
            _next = _grantCount == Capacity ? 0 : _grantCount;
        }
        else
        {
            _grants[_next] = now.UtcTicks;
            _next = _next + 1 == Capacity ? 0 : _next + 1;
        }

        // The window is full until its oldest grant is 60 s old: a pause, so what follows is paced, not a burst.
        var opensAt = WindowOpensAt();
        if (opensAt > now.UtcTicks)
        {
            Pause(new DateTimeOffset(opensAt, TimeSpan.Zero));
        }
    }

    private void Pump(DateTimeOffset now)
    {
        Refill(now);
        for (var p = 0; p < PriorityCount && CanGrant(now); p++)
        {
            var queue = _queues[p];
            while (queue.First is { } node && CanGrant(now))
            {
                queue.RemoveFirst();
                _queued--;
                Grant(now);
                var waiter = node.Value;
                waiter.Node = null;
                waiter.Registration.Unregister();
                waiter.Completion.TrySetResult();
            }
        }
    }

    private void ScheduleTimer(DateTimeOffset now)
    {
        if (_queued == 0)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var due = _grantAtPauseEnd ? _pausedUntil : _tokens > 0 ? now : _lastRefill + RefillInterval;
        if (due < _pausedUntil)
        {
            due = _pausedUntil;
        }

        var opensAt = WindowOpensAt();
        if (opensAt > due.UtcTicks)
        {
            due = new DateTimeOffset(opensAt, TimeSpan.Zero);
        }

        var delay = due > now ? due - now : TimeSpan.Zero;
        _timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            Pump(now);
            ScheduleTimer(now);
        }
    }

    private void CancelWaiter(Waiter waiter, CancellationToken token)
    {
        lock (_gate)
        {
            if (waiter.Node is null)
            {
                return;
            }

            _queues[(int)waiter.Priority].Remove(waiter.Node);
            waiter.Node = null;
            _queued--;
            if (!_disposed)
            {
                var now = _time.GetUtcNow();
                Pump(now);
                ScheduleTimer(now);
            }
        }

        waiter.Completion.TrySetCanceled(token);
    }

    private sealed class Waiter(RequestRateLimiter owner, RequestPriority priority)
    {
        public RequestRateLimiter Owner { get; } = owner;

        public RequestPriority Priority { get; } = priority;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }
}
