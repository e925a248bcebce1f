namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// Client-side token bucket for one Alpaca account (200 requests/min by default), with priorities.
/// </summary>
/// <remarks>
/// <para>The bucket holds <see cref="Capacity"/> tokens (= requests per minute) and gains one token every
/// <see cref="RefillInterval"/> (= 60 s / requests per minute), in whole tokens, never beyond capacity.</para>
/// <para>While tokens are short, waiters are served strictly by <see cref="RequestPriority"/>
/// (Cancel &gt; Submit &gt; Account &gt; Data) and first-in-first-out within a priority. A new caller never
/// overtakes a queued waiter of the same or a higher priority.</para>
/// <para><see cref="OnResponse"/> lets the server's word win: X-Ratelimit-Remaining lowers the bucket,
/// Remaining 0 with X-Ratelimit-Reset holds every request until Reset, and a 429's Retry-After holds every
/// request until now + Retry-After. No request is released before the hold ends and no tokens accrue during it;
/// at that instant exactly one token is available, so the most urgent waiter goes exactly then and the others
/// follow one refill interval apart.</para>
/// <para>All time comes from the injected <see cref="TimeProvider"/> (timers too), so tests drive it by hand.</para>
/// </remarks>
public sealed class RequestRateLimiter : IDisposable
{
    public const int DefaultRequestsPerMinute = 200;

    private const int PriorityCount = (int)RequestPriority.Data + 1;

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly LinkedList<Waiter>[] _queues;
    private int _queued;
    private int _tokens;
    private DateTimeOffset _lastRefill;
    private DateTimeOffset _heldUntil = DateTimeOffset.MinValue;
    private bool _grantAtHoldEnd;
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

        _tokens = Capacity;
        _lastRefill = _time.GetUtcNow();
        _timer = _time.CreateTimer(
            static state => ((RequestRateLimiter)state!).OnTimer(),
            this,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Bucket size (= requests per minute).</summary>
    public int Capacity { get; }

    /// <summary>Time to gain one token (60 s / requests per minute).</summary>
    public TimeSpan RefillInterval { get; }

    /// <summary>Tokens usable right now (0 while a server hold is in force).</summary>
    public int AvailableTokens
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                Refill(now);
                return now < _heldUntil ? 0 : _tokens;
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

    /// <summary>Waits for one token. Completes synchronously when a token is free and nobody is queued.</summary>
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
            if (_queued == 0 && now >= _heldUntil && _tokens > 0)
            {
                _tokens--;
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
                Drain(now);
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

    private void Drain(DateTimeOffset now)
    {
        _tokens = 0;
        _lastRefill = now;
    }

    private void Hold(DateTimeOffset until)
    {
        if (until > _heldUntil)
        {
            _heldUntil = until;
        }

        // No tokens accrue while the server says wait: at the hold's end exactly one request goes (the most urgent),
        // and the rest follow at the normal refill pace instead of all at once.
        _lastRefill = _heldUntil;
        _grantAtHoldEnd = true;
    }

    private void Refill(DateTimeOffset now)
    {
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

        if (_grantAtHoldEnd && now >= _heldUntil)
        {
            _grantAtHoldEnd = false;
            if (_tokens < 1)
            {
                _tokens = 1;
                _lastRefill = now;
            }
        }
    }

    private void Pump(DateTimeOffset now)
    {
        Refill(now);
        if (now < _heldUntil)
        {
            return;
        }

        for (var p = 0; p < PriorityCount && _tokens > 0; p++)
        {
            var queue = _queues[p];
            while (_tokens > 0 && queue.First is { } node)
            {
                queue.RemoveFirst();
                _queued--;
                _tokens--;
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

        var nextToken = _tokens > 0 ? now : _lastRefill + RefillInterval;
        if (_grantAtHoldEnd && _heldUntil < nextToken)
        {
            nextToken = _heldUntil;
        }

        var due = nextToken > _heldUntil ? nextToken : _heldUntil;
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
