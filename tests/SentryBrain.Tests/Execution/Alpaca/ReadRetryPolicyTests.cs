using SentryBrain.Execution.Alpaca;

using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Execution.Alpaca;

public sealed class ReadRetryPolicyTests
{
    // Bounds per attempt (0-based retry number): min(250 ms × 2^attempt, 5 s), then ±20 % jitter (after the cap).
    [Theory]
    [InlineData(0, 200, 300)]
    [InlineData(1, 400, 600)]
    [InlineData(4, 3200, 4800)]
    [InlineData(5, 4000, 6000)]
    [InlineData(10, 4000, 6000)]
    [InlineData(1000, 4000, 6000)]
    public void Delay_stays_within_documented_bounds(int attempt, int minMs, int maxExclusiveMs)
    {
        foreach (var unit in new[] { 0.0, 0.1, 0.25, 0.5, 0.75, 0.999999 })
        {
            var delay = ReadRetryPolicy.ComputeDelay(attempt, unit);
            Assert.InRange(delay, TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(maxExclusiveMs));
            Assert.True(delay < TimeSpan.FromMilliseconds(maxExclusiveMs), $"attempt {attempt}, unit {unit}: {delay}");
        }
    }

    // Exact values: unit 0 → −20 %, unit 0.5 → no jitter, unit 0.75 → +10 %.
    [Theory]
    [InlineData(0, 0.0, 200)]
    [InlineData(0, 0.5, 250)]
    [InlineData(0, 0.75, 275)]
    [InlineData(1, 0.5, 500)]
    [InlineData(2, 0.5, 1000)]
    [InlineData(4, 0.5, 4000)]
    [InlineData(5, 0.5, 5000)]
    [InlineData(5, 0.0, 4000)]
    [InlineData(10, 0.5, 5000)]
    [InlineData(10, 0.75, 5500)]
    public void Delay_is_exact_for_known_draws(int attempt, double unit, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ReadRetryPolicy.ComputeDelay(attempt, unit));
    }

    [Fact]
    public void Jitter_is_applied_after_the_cap_so_the_longest_delay_is_just_under_6s()
    {
        var longest = ReadRetryPolicy.ComputeDelay(10, Math.BitDecrement(1.0));

        Assert.True(longest > TimeSpan.FromSeconds(5));
        Assert.True(longest < TimeSpan.FromSeconds(6));
    }

    [Theory]
    [InlineData(0, 2000)]
    [InlineData(10, 2000)]
    [InlineData(0, 30000)]
    [InlineData(3, 0)]
    public void Retry_after_replaces_the_backoff_exactly(int attempt, int retryAfterMs)
    {
        var retryAfter = TimeSpan.FromMilliseconds(retryAfterMs);

        Assert.Equal(retryAfter, ReadRetryPolicy.ComputeDelay(attempt, 0.9, retryAfter));
    }

    [Theory]
    [InlineData(-1, 0.5)]
    [InlineData(0, -0.1)]
    [InlineData(0, 1.0)]
    [InlineData(0, double.NaN)]
    public void Invalid_arguments_are_rejected(int attempt, double unit)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadRetryPolicy.ComputeDelay(attempt, unit));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(408, true)]
    [InlineData(425, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(422, false)]
    [InlineData(501, false)]
    public void Transient_statuses_are_exactly_the_documented_ones(int? status, bool transient)
    {
        Assert.Equal(transient, ReadRetryPolicy.IsTransient(new AlpacaApiException(status, null, "x")));
    }

    [Fact]
    public void Non_api_exceptions_are_not_transient()
    {
        Assert.False(ReadRetryPolicy.IsTransient(new InvalidOperationException()));
        Assert.False(ReadRetryPolicy.IsTransient(new OperationCanceledException()));
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", true)]
    [InlineData("OPTIONS", true)]
    [InlineData("POST", false)]
    [InlineData("PATCH", false)]
    [InlineData("PUT", false)]
    [InlineData("DELETE", false)]
    public void Only_get_head_options_are_idempotent(string method, bool idempotent)
    {
        Assert.Equal(idempotent, ReadRetryPolicy.IsIdempotent(new HttpMethod(method)));
    }

    [Fact]
    public async Task Get_is_retried_with_seeded_jittered_delays_until_it_succeeds()
    {
        var time = new TimerTrackingTimeProvider();
        var policy = new ReadRetryPolicy(4, time, new Random(42));
        var calls = 0;

        var task = policy.ExecuteReadAsync<string>(
            _ => ++calls <= 3 ? throw new AlpacaApiException(503, null, "unavailable") : ValueTask.FromResult("ok"),
            CancellationToken.None).AsTask();
        var delays = await DriveAsync(time, task);

        Assert.Equal("ok", await task);
        Assert.Equal(4, calls);
        var draws = new Random(42);
        var expected = Enumerable.Range(0, 3).Select(a => ReadRetryPolicy.ComputeDelay(a, draws.NextDouble())).ToList();
        Assert.Equal(expected, delays);
    }

    [Fact]
    public async Task Get_gives_up_after_max_attempts_and_throws_the_last_error()
    {
        var time = new TimerTrackingTimeProvider();
        var policy = new ReadRetryPolicy(4, time, new Random(7));
        var calls = 0;

        var task = policy.ExecuteReadAsync<string>(
            _ =>
            {
                calls++;
                throw new AlpacaApiException(null, null, "timeout");
            },
            CancellationToken.None).AsTask();
        var delays = await DriveAsync(time, task);

        var error = await Assert.ThrowsAsync<AlpacaApiException>(() => task);
        Assert.Null(error.StatusCode);
        Assert.Equal(4, calls);
        Assert.Equal(3, delays.Count);
    }

    [Fact]
    public async Task Retry_after_of_a_429_is_honoured_exactly()
    {
        var time = new TimerTrackingTimeProvider();
        var policy = new ReadRetryPolicy(4, time, new Random(1));
        var calls = 0;

        var task = policy.ExecuteReadAsync<int>(
            _ => ++calls == 1
                ? throw new AlpacaApiException(429, null, "rate limited") { RetryAfter = TimeSpan.FromSeconds(3) }
                : ValueTask.FromResult(calls),
            CancellationToken.None).AsTask();
        var delays = await DriveAsync(time, task);

        Assert.Equal(2, await task);
        Assert.Equal([TimeSpan.FromSeconds(3)], delays);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task Get_with_a_permanent_error_is_not_retried(int status)
    {
        var time = new TimerTrackingTimeProvider();
        var policy = new ReadRetryPolicy(4, time, new Random(1));
        var calls = 0;

        var task = policy.ExecuteReadAsync<int>(
            _ =>
            {
                calls++;
                throw new AlpacaApiException(status, null, "permanent");
            },
            CancellationToken.None).AsTask();
        var delays = await DriveAsync(time, task);

        await Assert.ThrowsAsync<AlpacaApiException>(() => task);
        Assert.Equal(1, calls);
        Assert.Empty(delays);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task Write_shaped_call_is_never_retried_even_on_a_transient_error(string method)
    {
        var time = new TimerTrackingTimeProvider();
        var policy = new ReadRetryPolicy(4, time, new Random(1));
        var calls = 0;

        var task = policy.ExecuteAsync<int>(
            new HttpMethod(method),
            _ =>
            {
                calls++;
                throw new AlpacaApiException(503, null, "unavailable");
            },
            CancellationToken.None).AsTask();
        var delays = await DriveAsync(time, task);

        await Assert.ThrowsAsync<AlpacaApiException>(() => task);
        Assert.Equal(1, calls);
        Assert.Empty(delays);
        Assert.Equal(0, time.ActiveTimerCount);
    }

    [Fact]
    public async Task Max_attempts_of_1_means_no_retry()
    {
        var policy = new ReadRetryPolicy(1, new TimerTrackingTimeProvider());
        var calls = 0;

        await Assert.ThrowsAsync<AlpacaApiException>(() => policy.ExecuteReadAsync<int>(
            _ =>
            {
                calls++;
                throw new AlpacaApiException(503, null, "unavailable");
            },
            CancellationToken.None).AsTask());
        Assert.Equal(1, calls);
    }

    [Fact]
    public void Max_attempts_below_1_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReadRetryPolicy(0, new TimerTrackingTimeProvider()));
    }

    [Fact]
    public async Task Caller_cancellation_is_not_retried()
    {
        var time = new TimerTrackingTimeProvider();
        var policy = new ReadRetryPolicy(4, time, new Random(1));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var calls = 0;

        var task = policy.ExecuteReadAsync<int>(
            ct =>
            {
                calls++;
                ct.ThrowIfCancellationRequested();
                return ValueTask.FromResult(1);
            },
            cts.Token).AsTask();
        var delays = await DriveAsync(time, task);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.True(calls <= 1);
        Assert.Empty(delays);
    }

    /// <summary>Moves the fake clock to each timer the pipeline arms, recording the waits, until the task ends.</summary>
    internal static async Task<List<TimeSpan>> DriveAsync(TimerTrackingTimeProvider time, Task task)
    {
        var delays = new List<TimeSpan>();
        for (var spins = 0; !task.IsCompleted && spins < 100_000; spins++)
        {
            if (time.NextDue is { } due)
            {
                delays.Add(due - time.GetUtcNow());
                time.AdvanceTo(due);
            }
            else
            {
                await Task.Yield();
            }
        }

        return delays;
    }
}
