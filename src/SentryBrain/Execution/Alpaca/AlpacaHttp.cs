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
