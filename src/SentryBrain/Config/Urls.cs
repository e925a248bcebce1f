using System.Text.RegularExpressions;

namespace SentryBrain.Config;

/// <summary>
/// URLs as they may be shown: a <c>user:password@</c> part becomes <c>***@</c> and StackExchange.Redis
/// <c>password=</c>/<c>user=</c> options become <c>***</c>, so an address can be printed or logged without its secret.
/// </summary>
public static partial class Urls
{
    /// <summary>The URL with its credentials masked; everything else (scheme, host, port, path) unchanged.</summary>
    public static string Redact(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return string.Empty;
        }

        var (start, at) = UserInfo(url);
        var text = at >= 0 ? string.Concat(url.AsSpan(0, start), "***", url.AsSpan(at)) : url;
        return RedisCredentialOption().Replace(text, "$1=***");
    }

    /// <summary>Whether <paramref name="url"/> carries a <c>user[:password]@</c> part.</summary>
    public static bool HasUserInfo(string? url) => !string.IsNullOrEmpty(url) && UserInfo(url).At >= 0;

    /// <summary>Start of the authority and the index of the '@' that ends its user info (−1: none).</summary>
    private static (int Start, int At) UserInfo(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var start = scheme >= 0 ? scheme + 3 : 0;
        var end = url.IndexOfAny(['/', '?', '#', ','], start);
        end = end < 0 ? url.Length : end;
        var at = end > start ? url.LastIndexOf('@', end - 1, end - start) : -1;
        return (start, at);
    }

    [GeneratedRegex("(?i)\\b(password|user)=[^,]*")]
    private static partial Regex RedisCredentialOption();
}
