using System.Globalization;
using System.Text;

namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// Connection settings for the Alpaca trading REST API. <see cref="ToString"/> never prints the key or the secret.
/// </summary>
public sealed record AlpacaOptions(string KeyId, string SecretKey, Uri TradingBaseUrl, TimeSpan Timeout)
{
    /// <summary>The paper trading host, used when <c>APCA_API_BASE_URL</c> is not set.</summary>
    public static readonly Uri PaperTradingUrl = new("https://paper-api.alpaca.markets");

    /// <summary>Whether the base URL is Alpaca's live (real money) trading host.</summary>
    public bool IsLive => IsLiveHost(TradingBaseUrl);

    /// <summary>Whether <paramref name="url"/> is Alpaca's live (real money) trading host.</summary>
    public static bool IsLiveHost(Uri url) => url?.Host.Equals("api.alpaca.markets", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// Why an Alpaca URL variable is refused, or null: Alpaca authenticates with key headers, so a <c>user:password@</c>
    /// part is never needed and would only leak wherever the URL is printed.
    /// </summary>
    public static string? UserInfoProblem(string name, string? url) => Config.Urls.HasUserInfo(url)
        ? $"{name} must not contain user:password@ (Alpaca keys go in APCA_API_KEY_ID and APCA_API_SECRET_KEY)."
        : null;

    /// <summary>Per-request timeout when none is given (the Python engine used 15 s for the trading host).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Reads <c>APCA_API_KEY_ID</c>/<c>APCA_API_SECRET_KEY</c> (fallback <c>ALPACA_API_KEY_ID</c>/<c>ALPACA_API_SECRET_KEY</c>)
    /// and <c>APCA_API_BASE_URL</c> (default paper). A trailing <c>/v2</c> on the base URL is dropped.
    /// </summary>
    /// <exception cref="InvalidOperationException">Key or secret missing, or the base URL is not an absolute http(s) URL.</exception>
    public static AlpacaOptions FromConfig(IReadOnlyDictionary<string, string> env, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        var keyId = First(env, "APCA_API_KEY_ID", "ALPACA_API_KEY_ID");
        var secret = First(env, "APCA_API_SECRET_KEY", "ALPACA_API_SECRET_KEY");
        if (keyId is null || secret is null)
        {
            throw new InvalidOperationException(
                "Alpaca credentials missing: set APCA_API_KEY_ID and APCA_API_SECRET_KEY (or ALPACA_API_KEY_ID / ALPACA_API_SECRET_KEY).");
        }

        var baseUrl = PaperTradingUrl;
        var rawUrl = First(env, "APCA_API_BASE_URL");
        if (rawUrl is not null)
        {
            if (UserInfoProblem("APCA_API_BASE_URL", rawUrl) is { } problem)
            {
                throw new InvalidOperationException(problem);
            }

            var trimmed = rawUrl.TrimEnd('/');
            if (trimmed.EndsWith("/v2", StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed[..^3];
            }

            if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var parsed)
                || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
            {
                throw new InvalidOperationException("APCA_API_BASE_URL is not an absolute http(s) URL.");
            }

            baseUrl = parsed;
        }

        var options = new AlpacaOptions(keyId, secret, baseUrl, timeout ?? DefaultTimeout);
        if (options.IsLive && First(env, "ALPACA_LIVE")?.Trim().ToLowerInvariant() is not ("true" or "1" or "yes"))
        {
            // Real money is never one variable away: the live host alone is refused without an explicit opt-in.
            throw new InvalidOperationException(
                "APCA_API_BASE_URL points at LIVE trading (api.alpaca.markets); set ALPACA_LIVE=true as well to trade real money deliberately.");
        }

        return options;
    }

    private static string? First(IReadOnlyDictionary<string, string> env, params string[] names)
    {
        foreach (var name in names)
        {
            if (env.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }

        return null;
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"KeyId = ***, SecretKey = ***, TradingBaseUrl = {Config.Urls.Redact(TradingBaseUrl.ToString())}, Timeout = {Timeout}");
        return true;
    }
}
