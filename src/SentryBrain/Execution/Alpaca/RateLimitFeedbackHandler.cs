namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// Feeds every trading-API response's rate-limit facts (<c>X-Ratelimit-Remaining</c>, <c>X-Ratelimit-Reset</c>, a
/// 429's <c>Retry-After</c>) to the account's <see cref="RequestRateLimiter"/>, so the server's word wins over the
/// client-side bucket.
/// </summary>
public sealed class RateLimitFeedbackHandler(RequestRateLimiter limiter, TimeProvider? time = null) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        AlpacaHttp.ReportRateLimit(limiter, response, time);
        return response;
    }
}
