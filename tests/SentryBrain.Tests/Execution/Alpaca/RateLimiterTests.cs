using SentryBrain.Execution.Alpaca;

using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Execution.Alpaca;

public sealed class RateLimiterTests
{
    private static readonly TimeSpan OneMs = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Bucket_of_200_per_minute_refills_one_token_every_300ms()
    {
        using var limiter = new RequestRateLimiter(timeProvider: new TimerTrackingTimeProvider());

        Assert.Equal(200, limiter.Capacity);
        Assert.Equal(TimeSpan.FromMilliseconds(300), limiter.RefillInterval);
        Assert.Equal(200, limiter.AvailableTokens);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Non_positive_rate_is_rejected(int requestsPerMinute)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestRateLimiter(requestsPerMinute, new TimerTrackingTimeProvider()));
    }

    [Fact]
    public void Limit_of_3_per_minute_gives_3_at_once_and_the_4th_only_when_the_first_is_60s_old_then_one_per_20s()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(3, time);

        for (var i = 0; i < 3; i++)
        {
            Assert.True(limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask().IsCompletedSuccessfully);
        }

        // The old full bucket gave the 4th after one refill (20 s): 5 requests in the first minute at a limit of 3.
        var fourth = limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask();
        var fifth = limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask();
        var sixth = limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask();
        Assert.Equal(0, limiter.AvailableTokens);

        time.Advance(TimeSpan.FromSeconds(60) - OneMs);
        Assert.False(fourth.IsCompleted);
        Assert.Equal(0, limiter.AvailableTokens);

        // The window has room for all three at once, but a full window is a pause: one goes, the rest at the refill pace.
        time.Advance(OneMs);
        Assert.True(fourth.IsCompletedSuccessfully);
        Assert.False(fifth.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(20) - OneMs);
        Assert.False(fifth.IsCompleted);
        time.Advance(OneMs);
        Assert.True(fifth.IsCompletedSuccessfully);
        Assert.False(sixth.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(sixth.IsCompletedSuccessfully);
        Assert.Equal(0, limiter.QueuedCount);
    }

    [Fact]
    public void Clock_that_does_not_move_grants_exactly_capacity_and_queues_the_rest()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(3, time);

        var tasks = Enumerable.Range(0, 10).Select(_ => limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask()).ToArray();

        Assert.Equal(3, tasks.Count(t => t.IsCompletedSuccessfully));
        Assert.Equal(7, limiter.QueuedCount);
        Assert.Equal(TimerTrackingTimeProvider.DefaultStart.AddSeconds(60), time.NextDue);
    }

    [Fact]
    public void A_request_after_an_idle_stretch_counts_against_the_same_window_as_the_earlier_ones()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(3, time);
        Drain(limiter, 1);

        // 50 s idle: the bucket is full again, but the window [0, 60 s) still holds the first grant.
        time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(2, limiter.AvailableTokens);
        Drain(limiter, 2);
        var next = limiter.AcquireAsync(RequestPriority.Cancel, CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromSeconds(10) - OneMs);
        Assert.False(next.IsCompleted);
        time.Advance(OneMs);
        Assert.True(next.IsCompletedSuccessfully);

        // Now the window holds the two grants of 50 s and this one: the next request waits until the 50 s ones are 60 s old.
        var after = limiter.AcquireAsync(RequestPriority.Cancel, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(50) - OneMs);
        Assert.False(after.IsCompleted);
        time.Advance(OneMs);
        Assert.True(after.IsCompletedSuccessfully);
    }

    [Fact]
    public void Refill_serves_Cancel_before_Submit_even_when_Submit_queued_first()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(3, time);
        Drain(limiter, 3);

        var data = limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask();
        var submit = limiter.AcquireAsync(RequestPriority.Submit, CancellationToken.None).AsTask();
        var cancel = limiter.AcquireAsync(RequestPriority.Cancel, CancellationToken.None).AsTask();
        Assert.Equal(3, limiter.QueuedCount);

        // The window is full until the drained grants are 60 s old; then one request per refill (20 s).
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.True(cancel.IsCompletedSuccessfully);
        Assert.False(submit.IsCompleted);
        Assert.False(data.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(submit.IsCompletedSuccessfully);
        Assert.False(data.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(data.IsCompletedSuccessfully);
    }

    [Fact]
    public void Waiters_of_one_priority_are_served_first_in_first_out()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(3, time);
        Drain(limiter, 3);

        var first = limiter.AcquireAsync(RequestPriority.Account, CancellationToken.None).AsTask();
        var second = limiter.AcquireAsync(RequestPriority.Account, CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromSeconds(60));
        Assert.True(first.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(second.IsCompletedSuccessfully);
    }

    [Fact]
    public void New_caller_does_not_overtake_a_queued_waiter_of_higher_priority()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(3, time);
        Drain(limiter, 3);
        var submit = limiter.AcquireAsync(RequestPriority.Submit, CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromSeconds(60));
        Assert.True(submit.IsCompletedSuccessfully);

        // Token spent by the waiter: a late Data caller must wait for the next refill.
        var data = limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask();
        Assert.False(data.IsCompleted);
    }

    [Fact]
    public void Retry_after_2s_blocks_everyone_until_exactly_2s()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(200, time);
        Assert.True(limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask().IsCompletedSuccessfully);

        limiter.OnResponse(remaining: null, reset: null, retryAfter: TimeSpan.FromSeconds(2));
        Assert.Equal(TimerTrackingTimeProvider.DefaultStart.AddSeconds(2), limiter.HeldUntil);

        var cancel = limiter.AcquireAsync(RequestPriority.Cancel, CancellationToken.None).AsTask();
        var data = limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask();

        // Refill would give tokens every 300 ms, but the hold wins.
        time.Advance(TimeSpan.FromSeconds(2) - OneMs);
        Assert.False(cancel.IsCompleted);
        Assert.False(data.IsCompleted);
        Assert.Equal(0, limiter.AvailableTokens);

        // At the hold's end exactly one token: the cancel goes; no tokens accrued during the hold, so the data
        // request follows one refill interval (60 s / 200 = 300 ms) later instead of in the same instant.
        time.Advance(OneMs);
        Assert.True(cancel.IsCompletedSuccessfully);
        Assert.False(data.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(300) - OneMs);
        Assert.False(data.IsCompleted);
        time.Advance(OneMs);
        Assert.True(data.IsCompletedSuccessfully);
    }

    [Fact]
    public void Retry_after_releases_the_first_waiter_at_the_instant_even_with_a_slow_bucket()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(3, time);
        Drain(limiter, 1);

        // The server says the bucket is empty (its count, not ours) and to retry in 2 s; the window has room.
        limiter.OnResponse(remaining: 0, reset: null, retryAfter: TimeSpan.FromSeconds(2));
        var submit = limiter.AcquireAsync(RequestPriority.Submit, CancellationToken.None).AsTask();
        var data = limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromSeconds(2) - OneMs);
        Assert.False(submit.IsCompleted);

        time.Advance(OneMs);
        Assert.True(submit.IsCompletedSuccessfully);
        Assert.False(data.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(data.IsCompletedSuccessfully);
    }

    [Fact]
    public void Hold_beyond_a_full_window_releases_the_most_urgent_waiter_at_its_end_and_paces_the_rest()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(3, time);
        Drain(limiter, 3);
        limiter.OnResponse(remaining: null, reset: null, retryAfter: TimeSpan.FromSeconds(90));

        var data = limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask();
        var submit = limiter.AcquireAsync(RequestPriority.Submit, CancellationToken.None).AsTask();

        // The window has room from 60 s on, but the server's hold wins until 90 s.
        time.Advance(TimeSpan.FromSeconds(90) - OneMs);
        Assert.False(submit.IsCompleted);
        Assert.False(data.IsCompleted);

        time.Advance(OneMs);
        Assert.True(submit.IsCompletedSuccessfully);
        Assert.False(data.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(data.IsCompletedSuccessfully);
    }

    [Fact]
    public void Remaining_0_with_reset_at_5s_holds_until_then()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(200, time);
        var reset = time.GetUtcNow().AddSeconds(5);

        limiter.OnResponse(remaining: 0, reset: reset, retryAfter: null);
        Assert.Equal(0, limiter.AvailableTokens);
        var account = limiter.AcquireAsync(RequestPriority.Account, CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromSeconds(5) - OneMs);
        Assert.False(account.IsCompleted);

        time.Advance(OneMs);
        Assert.True(account.IsCompletedSuccessfully);
    }

    [Fact]
    public void Remaining_below_local_tokens_lowers_the_bucket()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(200, time);

        limiter.OnResponse(remaining: 2, reset: time.GetUtcNow().AddSeconds(30), retryAfter: null);
        Assert.Equal(2, limiter.AvailableTokens);

        limiter.OnResponse(remaining: 150, reset: null, retryAfter: null);
        Assert.Equal(2, limiter.AvailableTokens);
    }

    [Fact]
    public void Reset_in_the_past_does_not_hold()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(200, time);

        limiter.OnResponse(remaining: 0, reset: time.GetUtcNow().AddSeconds(-1), retryAfter: null);
        var data = limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask();
        Assert.False(data.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(data.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Cancelled_waiter_leaves_the_queue_and_the_next_one_gets_the_token()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(3, time);
        Drain(limiter, 3);
        using var cts = new CancellationTokenSource();

        var cancelled = limiter.AcquireAsync(RequestPriority.Cancel, cts.Token).AsTask();
        var data = limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, limiter.QueuedCount);

        time.Advance(TimeSpan.FromSeconds(60) - OneMs);
        Assert.False(data.IsCompleted);
        time.Advance(OneMs);
        Assert.True(data.IsCompletedSuccessfully);
    }

    [Fact]
    public void Idle_bucket_never_holds_more_than_capacity()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(3, time);
        Drain(limiter, 3);

        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, limiter.AvailableTokens);
    }

    [Fact]
    public void Window_of_200_per_minute_takes_200_at_once_and_no_more_until_a_minute_has_passed()
    {
        var time = new TimerTrackingTimeProvider();
        using var limiter = new RequestRateLimiter(200, time);
        Drain(limiter, 200);

        // The old bucket refilled one token every 300 ms even right after a burst of 200.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, limiter.AvailableTokens);
        var data = limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(30) - OneMs);
        Assert.False(data.IsCompleted);
        time.Advance(OneMs);
        Assert.True(data.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Dispose_fails_pending_waiters()
    {
        var time = new TimerTrackingTimeProvider();
        var limiter = new RequestRateLimiter(3, time);
        Drain(limiter, 3);
        var pending = limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask();

        limiter.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending);
    }

    private static void Drain(RequestRateLimiter limiter, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None).AsTask().IsCompletedSuccessfully);
        }
    }
}
