using System.Globalization;
using System.Net;

namespace SentryBrain.Execution.Alpaca;

/// <summary>HTTP details shared by the trading and market-data clients.</summary>
internal static class AlpacaHttp
{
    public const string Redacted = "***";

    /// <summary>A 429's Retry-After as a delay (a date in the past means "now").</summary>
    public static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider? time = null)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - (time ?? TimeProvider.System).GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>
    /// The rate-limit facts of a response: <c>X-Ratelimit-Remaining</c>, <c>X-Ratelimit-Reset</c> (epoch seconds, as an
    /// instant) and, on a 429 only, <c>Retry-After</c>. Missing or unreadable headers are null.
    /// </summary>
    public static (int? Remaining, DateTimeOffset? Reset, TimeSpan? RetryAfter) RateLimitOf(HttpResponseMessage response, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        int? remaining = Header(response, "X-Ratelimit-Remaining") is { } r
            && int.TryParse(r, NumberStyles.Integer, CultureInfo.InvariantCulture, out var left)
            ? left
            : null;
        DateTimeOffset? reset = Header(response, "X-Ratelimit-Reset") is { } e
            && long.TryParse(e, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch)
            && epoch is > 0 and < 253_402_300_800 // before year 10000, so the conversion cannot throw
            ? DateTimeOffset.FromUnixTimeSeconds(epoch)
            : null;

        // Only a 429 holds the whole bucket: a 503's Retry-After is about that server, not the account's quota.
        var retryAfter = response.StatusCode == HttpStatusCode.TooManyRequests ? RetryAfterOf(response, time) : null;
        return (remaining, reset, retryAfter);
    }

    /// <summary>Feeds <paramref name="response"/>'s rate-limit headers to <paramref name="limiter"/> (see <see cref="RateLimitOf"/>).</summary>
    public static void ReportRateLimit(RequestRateLimiter limiter, HttpResponseMessage response, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        var (remaining, reset, retryAfter) = RateLimitOf(response, time);
        if (remaining is not null || retryAfter is not null)
        {
            limiter.OnResponse(remaining, reset, retryAfter);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    /// <summary>Replaces the key id and the secret wherever they appear, so no text that leaves a client can carry them.</summary>
    public static string Redact(string text, string keyId, string secretKey)
    {
        foreach (var secret in new[] { secretKey, keyId })
        {
            if (!string.IsNullOrEmpty(secret))
            {
                text = text.Replace(secret, Redacted, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
