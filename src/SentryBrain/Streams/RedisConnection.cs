using StackExchange.Redis;

namespace SentryBrain.Streams;

/// <summary>Opens the multiplexer from REDIS_URL the way the Go engine reads it (BEHAVIOR.md §1).</summary>
public static class RedisConnection
{
    /// <summary>
    /// <c>redis://[user:password@]host[:port][/db]</c> (also <c>rediss://</c> for TLS) or a plain <c>host:port</c>;
    /// a URL that cannot be parsed is used as <c>host:port</c>, as the engine does.
    /// </summary>
    public static ConfigurationOptions Options(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        ConfigurationOptions options;
        if ((url.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
            && Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            options = new ConfigurationOptions();
            options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port);
            if (uri.UserInfo.Length > 0)
            {
                var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
                var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
                var password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
                if (password is null)
                {
                    options.Password = user;
                }
                else
                {
                    options.User = user.Length > 0 ? user : null;
                    options.Password = password;
                }
            }

            if (int.TryParse(uri.AbsolutePath.Trim('/'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var db))
            {
                options.DefaultDatabase = db;
            }

            options.Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            options = ConfigurationOptions.Parse(url);
        }

        // Keep trying in the background when Redis is down (a restart must not end the brain), fail commands fast.
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 3000;
        options.SyncTimeout = 10_000;
        options.AsyncTimeout = 10_000;
        options.ConnectRetry = 3;
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 2000);
        options.ClientName = "sentrybrain";
        return options;
    }

    /// <summary>The address of <paramref name="url"/> for messages (<c>host:port</c>): never its user name or password.</summary>
    public static string Describe(string url)
    {
        try
        {
            return Describe(Options(url).EndPoints);
        }
        catch (ArgumentException)
        {
            return "(unparsable address)";
        }
    }

    /// <summary>Endpoints as <c>host:port[,host:port…]</c> for messages.</summary>
    public static string Describe(IEnumerable<System.Net.EndPoint> endpoints) => string.Join(",", endpoints.Select(e => e switch
    {
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => e.ToString(),
    }));

    public static ConnectionMultiplexer Connect(string url, TextWriter? log = null) => ConnectionMultiplexer.Connect(Options(url), log);

    /// <summary>True for failures that go away when Redis comes back (connection lost, timeout, server loading its data).</summary>
    public static bool IsTransient(Exception ex) => ex is AggregateException aggregate
        ? aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient)
        : ex is RedisConnectionException or RedisTimeoutException
        || (ex is RedisServerException server && (server.Message.StartsWith("LOADING", StringComparison.Ordinal) || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)))
        || (ex is RedisException && ex.InnerException is IOException or System.Net.Sockets.SocketException);
}

/// <summary>Capped exponential back-off for retries while Redis is unreachable: 50 ms, 100 ms, … up to the cap.</summary>
public sealed class Backoff(TimeSpan first, TimeSpan cap)
{
    private int _failures;

    public int Failures => _failures;

    /// <summary>The wait before the next attempt; each call doubles it up to the cap.</summary>
    public TimeSpan Next()
    {
        var factor = Math.Pow(2, Math.Min(_failures, 30));
        _failures++;
        var ms = Math.Min(cap.TotalMilliseconds, first.TotalMilliseconds * factor);
        return TimeSpan.FromMilliseconds(ms);
    }

    public void Reset() => _failures = 0;
}
