using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace SentryBrain.Streams;

/// <summary>Redis could not be reached for longer than a batch run waits (REDIS_CONNECT_TIMEOUT_SEC with --idle-exit).</summary>
public sealed class RedisUnreachableException(string message) : Exception(message);

/// <summary>
/// The first connection of <c>consume --redis</c>, with a visible back-off: each failed attempt is logged at once
/// with the address (never credentials), the reason and the delay before the next attempt (0.5 s, doubling, at most
/// <see cref="MaxDelay"/>). With a limit (batch runs) it gives up with <see cref="RedisUnreachableException"/>;
/// without one it retries until cancelled. Once connected, the multiplexer reconnects on its own.
/// </summary>
public static class RedisConnector
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>The connected multiplexer, or null when <paramref name="cancel"/> was cancelled first.</summary>
    public static ConnectionMultiplexer? Connect(string url, ILogger logger, TimeProvider time, TimeSpan? giveUpAfter, CancellationToken cancel)
    {
        var address = RedisConnection.Describe(url);
        var backoff = new Backoff(FirstDelay, MaxDelay);
        var start = time.GetTimestamp();
        while (!cancel.IsCancellationRequested)
        {
            var options = RedisConnection.Options(url);
            options.AbortOnConnectFail = true; // this attempt fails now, with its reason; the retries are ours (and logged)
            options.ConnectRetry = 1;
            string reason;
            try
            {
                var redis = ConnectionMultiplexer.Connect(options);
                if (backoff.Failures > 0)
                {
                    logger.LogInformation("Redis {Address} reached at attempt {Attempt}", address, backoff.Failures + 1);
                }

                return redis;
            }
            catch (RedisConnectionException ex)
            {
                reason = Reason(ex, options);
            }

            var elapsed = time.GetElapsedTime(start);
            if (giveUpAfter is { } limit && elapsed >= limit)
            {
                throw new RedisUnreachableException(GiveUpMessage(address, reason, limit));
            }

            var wait = backoff.Next();
            if (giveUpAfter is { } l && elapsed + wait > l)
            {
                wait = l - elapsed; // the last attempt comes at the limit
            }

            logger.LogWarning(
                "Redis {Address} cannot be reached ({Reason}); attempt {Attempt} failed, next attempt in {Wait:0.0} s{Limit}",
                address, reason, backoff.Failures, wait.TotalSeconds, giveUpAfter is { } g ? $" (giving up after {g.TotalSeconds:0} s: REDIS_CONNECT_TIMEOUT_SEC with --idle-exit)" : " (retrying until stopped)");
            cancel.WaitHandle.WaitOne(wait);
        }

        return null;
    }

    public static string GiveUpMessage(string address, string reason, TimeSpan limit)
        => $"Redis {address} cannot be reached ({reason}): giving up after {limit.TotalSeconds:0} s (REDIS_CONNECT_TIMEOUT_SEC, applies with --idle-exit)";

    /// <summary>Why a connection failed, in plain words: the socket error when there is one ("Connection refused"), else the kind of failure.</summary>
    private static string Reason(RedisConnectionException ex, ConfigurationOptions options)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.Message;
            }
        }

        // The client does not always keep the socket error: ask the network directly.
        if (ex.FailureType is ConnectionFailureType.UnableToConnect or ConnectionFailureType.SocketFailure or ConnectionFailureType.UnableToResolvePhysicalConnection
            && Probe(options) is { } network)
        {
            return network;
        }

        return ex.FailureType switch
        {
            ConnectionFailureType.AuthenticationFailure => "authentication failed: check the user and password in REDIS_URL",
            ConnectionFailureType.UnableToConnect => "the server did not complete the Redis handshake",
            _ => ex.FailureType.ToString(),
        };
    }

    /// <summary>A plain TCP connect to the first endpoint: its error, or null when the port answers.</summary>
    private static string? Probe(ConfigurationOptions options)
    {
        if (options.EndPoints.Count == 0)
        {
            return null;
        }

        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(options.ConnectTimeout));
            socket.ConnectAsync(options.EndPoints[0], timeout.Token).AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (SocketException socket)
        {
            return socket.Message;
        }
        catch (OperationCanceledException)
        {
            return $"no answer within {options.ConnectTimeout / 1000.0:0.#} s";
        }
    }
}
