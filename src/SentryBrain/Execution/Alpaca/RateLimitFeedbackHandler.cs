using System.Globalization;

namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// Feeds every Alpaca response's rate-limit facts to the account's <see cref="RequestRateLimiter"/>:
/// <c>X-Ratelimit-Remaining</c>, <c>X-Ratelimit-Reset</c> (Unix seconds) and a 429's <c>Retry-After</c>, so the
/// server's word wins over the client-side bucket.
/// </summary>
public sealed class RateLimitFeedbackHandler(RequestRateLimiter limiter, TimeProvider? time = null) : DelegatingHandler
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var remaining = HeaderLong(response, "X-Ratelimit-Remaining");
        var reset = HeaderLong(response, "X-Ratelimit-Reset") is { } unix and > 0 and < 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(unix)
            : (DateTimeOffset?)null;
        var retryAfter = (int)response.StatusCode == 429
            ? AlpacaHttp.RetryAfterOf(response, _time) ?? IdempotentOrderSubmitter.DefaultThrottleWait
            : (TimeSpan?)null;
        if (remaining is not null || retryAfter is not null)
        {
            limiter.OnResponse(remaining is { } r ? (int)Math.Clamp(r, int.MinValue, int.MaxValue) : null, reset, retryAfter);
        }

        return response;
    }

    private static long? HeaderLong(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
