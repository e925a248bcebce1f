using System.Globalization;
using SentryBrain.Execution.Alpaca;

using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Execution.Alpaca;

/// <summary>
/// Randomized, seeded (deterministic) runs of the limiter on a fake clock: random arrival times, priorities,
/// cancellations and server answers (Remaining, Reset, Retry-After). (Seeded <see cref="Random"/> rather than
/// CsCheck, which the test project does not reference.)
/// </summary>
public sealed class RateLimiterWindowPropertyTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 40; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void No_60s_window_holds_more_than_capacity_priorities_hold_and_every_request_is_granted(int seed)
    {
        // Ten runs per seed, so 400 random scenarios in all.
        for (var run = 0; run < 10; run++)
        {
            RunScenario(new Random((seed * 1000) + run), $"seed {seed}, run {run}");
        }
    }

    private static void RunScenario(Random random, string name)
    {
        var capacity = random.Next(1, 9);
        var time = new TimerTrackingTimeProvider();
        var t0 = time.GetUtcNow();
        using var limiter = new RequestRateLimiter(capacity, time);

        // Arrivals in bursts (several at one instant) and spread out, over up to 4 minutes, with some server answers
        // and some cancellations of queued waiters in between.
        var horizonMs = random.Next(1, 240_000);
        var requestCount = random.Next(1, 60);
        var events = new List<(long AtMs, int Order, Action<Scenario> Act)>();
        var order = 0;
        using var scenario = new Scenario(limiter, time);
        for (var i = 0; i < requestCount; i++)
        {
            var at = random.Next(4) == 0 ? 0 : random.Next(horizonMs);
            var priority = (RequestPriority)random.Next(4);
            var cancelAfterMs = random.Next(5) == 0 ? random.Next(1, 90_000) : -1;
            var index = i;
            events.Add((at, order++, s => s.Arrive(index, priority)));
            if (cancelAfterMs > 0)
            {
                events.Add((at + cancelAfterMs, order++, s => s.Cancel(index)));
            }
        }

        var answers = random.Next(4);
        for (var i = 0; i < answers; i++)
        {
            var at = random.Next(horizonMs);
            int? remaining = random.Next(3) == 0 ? null : random.Next(0, capacity + 1);
            var resetInMs = random.Next(-5_000, 90_000);
            TimeSpan? retryAfter = random.Next(3) == 0 ? TimeSpan.FromSeconds(random.Next(1, 30)) : null;
            events.Add((at, order++, s => s.Limiter.OnResponse(remaining, s.Time.GetUtcNow().AddMilliseconds(resetInMs), retryAfter)));
        }

        foreach (var (atMs, _, act) in events.OrderBy(e => e.AtMs).ThenBy(e => e.Order))
        {
            scenario.RunTimersUntil(t0.AddMilliseconds(atMs), name);
            act(scenario);
            scenario.Observe(name);
        }

        // Every request still waiting is granted in the end: drive the clock from timer to timer.
        scenario.RunTimersUntil(DateTimeOffset.MaxValue, name);
        Assert.True(limiter.QueuedCount == 0, $"{name}: {limiter.QueuedCount} requests still queued with no timer armed");
        for (var i = 0; i < requestCount; i++)
        {
            var request = scenario.Requests[i];
            Assert.True(
                request.GrantedAt is not null || request.Task.IsCanceled,
                $"{name}: request {i} ({request.Priority}) was neither granted nor cancelled");
        }

        var grants = scenario.Requests.Values.Where(r => r.GrantedAt is not null).Select(r => r.GrantedAt!.Value).Order().ToArray();
        var (max, from) = MaxInAnyWindow(grants);
        Assert.True(
            max <= capacity,
            string.Create(CultureInfo.InvariantCulture, $"{name}: {max} grants in the 60 s window from +{(from - t0).TotalMilliseconds} ms, limit {capacity}"));
    }

    /// <summary>The most grants in any window [t, t + 60 s) (windows starting at a grant suffice) and where it starts.</summary>
    private static (int Max, DateTimeOffset From) MaxInAnyWindow(DateTimeOffset[] sorted)
    {
        var max = 0;
        var from = DateTimeOffset.MinValue;
        var end = 0;
        for (var start = 0; start < sorted.Length; start++)
        {
            while (end < sorted.Length && sorted[end] < sorted[start] + Window)
            {
                end++;
            }

            if (end - start > max)
            {
                max = end - start;
                from = sorted[start];
            }
        }

        return (max, from);
    }

    private sealed class Scenario(RequestRateLimiter limiter, TimerTrackingTimeProvider time) : IDisposable
    {
        private int _sequence;

        public RequestRateLimiter Limiter { get; } = limiter;

        public TimerTrackingTimeProvider Time { get; } = time;

        public Dictionary<int, Request> Requests { get; } = [];

        public void Arrive(int index, RequestPriority priority)
        {
            var cts = new CancellationTokenSource();
            var task = Limiter.AcquireAsync(priority, cts.Token).AsTask();
            Requests[index] = new Request(_sequence++, priority, task, cts);
        }

        public void Dispose()
        {
            foreach (var request in Requests.Values)
            {
                request.Cancellation.Dispose();
            }
        }

        public void Cancel(int index)
        {
            var request = Requests[index];
            request.Cancellation.Cancel();
            Assert.True(request.Task.IsCompleted, $"request {index} neither granted nor cancelled after its cancellation");
        }

        /// <summary>Moves the clock from timer to timer (each fires at its own due instant) up to <paramref name="target"/>.</summary>
        public void RunTimersUntil(DateTimeOffset target, string name)
        {
            for (var steps = 0; Time.NextDue is { } due && due <= target; steps++)
            {
                Assert.True(steps < 100_000, $"{name}: the limiter's timer keeps firing without end (at {due:O})");
                Assert.True(due >= Time.GetUtcNow(), $"{name}: a timer due at {due:O} has not fired at {Time.GetUtcNow():O}");
                Time.AdvanceTo(due);
                Observe(name);
                if (Time.NextDue == due)
                {
                    Assert.Fail($"{name}: a timer due at {due:O} stays armed at that instant");
                }
            }

            if (target != DateTimeOffset.MaxValue)
            {
                Time.AdvanceTo(target);
                Observe(name);
            }
        }

        /// <summary>
        /// Stamps the requests granted since the last look with the current instant (grants happen synchronously inside
        /// the call or timer step just made) and checks priorities: none granted while a more urgent one, or an earlier
        /// one of the same priority, is still waiting.
        /// </summary>
        public void Observe(string name)
        {
            var now = Time.GetUtcNow();
            var fresh = Requests.Values.Where(r => r.GrantedAt is null && r.Task.IsCompletedSuccessfully).ToList();
            foreach (var request in fresh)
            {
                request.GrantedAt = now;
            }

            var waiting = Requests.Values.Where(r => !r.Task.IsCompleted).ToList();
            foreach (var granted in fresh)
            {
                var passed = waiting.FirstOrDefault(w =>
                    w.Priority < granted.Priority || (w.Priority == granted.Priority && w.Sequence < granted.Sequence));
                Assert.True(
                    passed is null,
                    $"{name}: request #{granted.Sequence} ({granted.Priority}) was granted at {now:O} while #{passed?.Sequence} ({passed?.Priority}) still waits");
            }
        }
    }

    private sealed class Request(int sequence, RequestPriority priority, Task task, CancellationTokenSource cancellation)
    {
        public int Sequence { get; } = sequence;

        public RequestPriority Priority { get; } = priority;

        public Task Task { get; } = task;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public DateTimeOffset? GrantedAt { get; set; }
    }
}
