using System.Globalization;
using SentryBrain.Execution.Alpaca;
using SentryBrain.Market.Alpaca;
using SentryBrain.Tests.Execution.Alpaca;

using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Market.Alpaca;

/// <summary>The data client on the shared retry policy and rate limiter, on a manual clock.</summary>
public sealed class AlpacaDataClientRateLimitTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime End = new(2024, 3, 31, 0, 0, 0, DateTimeKind.Utc);

    private readonly TimerTrackingTimeProvider _time = new();
    private FakeDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeDataServer.StartAsync();
        _server.AddBar("AAPL", new DateTime(2024, 3, 4, 5, 0, 0, DateTimeKind.Utc), 1, 2, 0.5, 1.5, 10);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Data429WithRetryAfter_HoldsTheSharedLimiter_AndIsRetriedOnlyAfterTheHold()
    {
        using var shared = new RequestRateLimiter(200, _time);
        using var client = NewClient(shared);
        _server.ForceNext(429, """{"code":42910000,"message":"rate limit exceeded"}""", ("Retry-After", "3"));
        var t0 = _time.GetUtcNow();

        var bars = client.GetBarsAsync(["AAPL"], "1Day", Start, End);

        // The 429 is answered; the retry waits on the manual clock, which has not moved.
        await WaitUntilAsync(() => _time.NextDue is not null);
        Assert.Equal(1, _server.RequestCount);
        Assert.Equal(t0 + TimeSpan.FromSeconds(3), _time.NextDue);
        Assert.False(bars.IsCompleted);

        // The hold reached the shared bucket: a trading submit waits for it as well.
        Assert.Equal(t0 + TimeSpan.FromSeconds(3), shared.HeldUntil);
        Assert.Equal(0, shared.AvailableTokens);
        var submit = shared.AcquireAsync(RequestPriority.Submit).AsTask();
        Assert.False(submit.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.Equal(1, _server.RequestCount);
        Assert.False(submit.IsCompleted);

        // From the end of the hold on, the submit goes first (priority), then the data retry gets a token.
        await DriveUntilAsync(bars);

        Assert.Single((await bars)["AAPL"]);
        Assert.True(submit.IsCompletedSuccessfully);
        Assert.Equal(2, _server.RequestCount);
        Assert.True(_time.GetUtcNow() >= t0 + TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task RateLimitHeadersOfDataAnswers_LowerTheSharedBucket_AndRemainingZeroHoldsUntilReset()
    {
        using var shared = new RequestRateLimiter(200, _time);
        using var client = NewClient(shared);

        _server.SetResponseHeader("X-Ratelimit-Remaining", "5");
        await client.GetLatestQuotesAsync(["AAPL"]);
        Assert.Equal(5, shared.AvailableTokens);

        var reset = _time.GetUtcNow().AddSeconds(20);
        _server.SetResponseHeader("X-Ratelimit-Remaining", "0");
        _server.SetResponseHeader("X-Ratelimit-Reset", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        await client.GetLatestTradesAsync(["AAPL"]);

        Assert.Equal(reset, shared.HeldUntil);
        Assert.Equal(0, shared.AvailableTokens);
        Assert.Equal(2, _server.RequestCount);
    }

    [Fact]
    public async Task EveryAttempt_TakesADataToken()
    {
        using var shared = new RequestRateLimiter(200, _time);
        using var client = NewClient(shared);
        _server.ForceNext(503, """{"message":"busy"}""");

        var quotes = client.GetLatestQuotesAsync(["AAPL"]);
        await DriveUntilAsync(quotes);
        await quotes;

        Assert.Equal(2, _server.RequestCount);
        Assert.Equal(198, shared.AvailableTokens);
    }

    private AlpacaDataClient NewClient(RequestRateLimiter limiter) =>
        new(
            new AlpacaDataOptions(FakeDataServer.KeyId, FakeDataServer.SecretKey, _server.BaseUrl, Timeout: TimeSpan.FromSeconds(30)),
            limiter: limiter,
            timeProvider: _time);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, patience.Token);
        }
    }

    /// <summary>Moves the manual clock from timer to timer until <paramref name="task"/> ends (HTTP runs on real time in between).</summary>
    private async Task DriveUntilAsync(Task task)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!task.IsCompleted)
        {
            if (_time.NextDue is { } due)
            {
                _time.AdvanceTo(due);
            }

            await Task.Delay(10, patience.Token);
        }
    }
}
