using Polly;
using Polly.Retry;

namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// Retries for idempotent Alpaca reads (GET/HEAD/OPTIONS) only, built on a Polly.Core <see cref="ResiliencePipeline"/>.
/// </summary>
/// <remarks>
/// <para>Retried: network failures and timeouts (<see cref="AlpacaApiException"/> with a null status) and HTTP
/// 408, 425, 429, 500, 502, 503, 504. Anything else (other 4xx, caller cancellation) is thrown at once.</para>
/// <para>Delay before retry number <c>attempt</c> (0 = the first retry), see <see cref="ComputeDelay"/>:
/// 250 ms × 2^attempt, capped at 5 s, THEN ±20 % jitter (jitter after the cap, so delays at the cap still spread
/// out: the longest possible back-off is 6 s). A Retry-After from the server replaces the back-off exactly.</para>
/// <para>How it stays read-only: writes never enter the pipeline. <see cref="ExecuteAsync{T}"/> takes the HTTP
/// method and runs a non-idempotent call (POST, PATCH, PUT, DELETE) exactly once, so a POST is never retried
/// here; orders are made safe by <see cref="IdempotentOrderSubmitter"/> instead (reconcile by client_order_id).
/// Use <see cref="Pipeline"/> directly only around GETs.</para>
/// </remarks>
public sealed class ReadRetryPolicy
{
    public const int DefaultMaxAttempts = 4;

    /// <summary>Back-off before the first retry, before jitter.</summary>
    public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>Cap on the back-off, applied before jitter.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Jitter in percent: the capped back-off is multiplied by a factor in [0.8, 1.2).</summary>
    public const int JitterPercent = 20;

    private readonly Random _random;
    private readonly object _randomGate = new();

    /// <param name="maxAttempts">Total tries, the first included (1 = no retry).</param>
    /// <param name="timeProvider">Clock for the back-off delays (a fake one in tests).</param>
    /// <param name="random">Source of jitter (seeded in tests); <see cref="Random.Shared"/> when null.</param>
    public ReadRetryPolicy(int maxAttempts = DefaultMaxAttempts, TimeProvider? timeProvider = null, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        MaxAttempts = maxAttempts;
        _random = random ?? Random.Shared;
        if (maxAttempts == 1)
        {
            Pipeline = ResiliencePipeline.Empty;
            return;
        }

        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider ?? TimeProvider.System };
        builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = maxAttempts - 1,
            ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } ex && IsTransient(ex)),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(ComputeDelay(
                args.AttemptNumber,
                NextUnit(),
                (args.Outcome.Exception as AlpacaApiException)?.RetryAfter)),
        });
        Pipeline = builder.Build();
    }

    /// <summary>Total tries, the first included.</summary>
    public int MaxAttempts { get; }

    /// <summary>The retry pipeline. Wrap idempotent reads only.</summary>
    public ResiliencePipeline Pipeline { get; }

    /// <summary>True for methods that may be retried blindly: GET, HEAD, OPTIONS.</summary>
    public static bool IsIdempotent(HttpMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options;
    }

    /// <summary>True for failures worth retrying a read on: network/timeouts and 408, 425, 429, 500, 502, 503, 504.</summary>
    public static bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is AlpacaApiException { StatusCode: null or 408 or 425 or 429 or 500 or 502 or 503 or 504 };
    }

    /// <summary>
    /// Delay before retry number <paramref name="attempt"/> (0 = first retry), a pure function.
    /// </summary>
    /// <param name="attempt">0-based retry number.</param>
    /// <param name="unitRandom">A draw in [0, 1): 0 gives −20 %, 0.5 gives the exact back-off, → 1 gives +20 %.</param>
    /// <param name="retryAfter">Server's Retry-After; when present (and not negative) it is the delay, exactly.</param>
    /// <returns>
    /// With B = min(250 ms × 2^attempt, 5 s): 0.8 B + floor(unitRandom × 0.4 B), in whole milliseconds (timers have
    /// millisecond resolution), so the delay lies in [0.8 B, 1.2 B): attempt 0 ∈ [200 ms, 300 ms), attempt 1 ∈
    /// [400 ms, 600 ms), attempts ≥ 5 ∈ [4 s, 6 s). Or <paramref name="retryAfter"/> when present.
    /// </returns>
    public static TimeSpan ComputeDelay(int attempt, double unitRandom, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        if (double.IsNaN(unitRandom) || unitRandom < 0 || unitRandom >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(unitRandom), unitRandom, "Must be in [0, 1).");
        }

        if (retryAfter is { } serverWait && serverWait >= TimeSpan.Zero)
        {
            return serverWait;
        }

        // 250 ms × 2^5 = 8 s already exceeds the cap, so larger exponents need not be computed.
        var backoffMs = attempt >= 5 ? (long)MaxDelay.TotalMilliseconds : Math.Min((long)BaseDelay.TotalMilliseconds << attempt, (long)MaxDelay.TotalMilliseconds);
        var lowMs = backoffMs * (100 - JitterPercent) / 100;
        var spanMs = backoffMs * 2 * JitterPercent / 100;
        var offsetMs = Math.Min(spanMs - 1, (long)Math.Floor(unitRandom * spanMs));
        return TimeSpan.FromMilliseconds(lowMs + offsetMs);
    }

    /// <summary>
    /// Runs <paramref name="call"/>: through the retry pipeline when <paramref name="method"/> is idempotent,
    /// otherwise exactly once.
    /// </summary>
    public ValueTask<T> ExecuteAsync<T>(
        HttpMethod method,
        Func<CancellationToken, ValueTask<T>> call,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return IsIdempotent(method) ? Pipeline.ExecuteAsync(call, cancellationToken) : RunOnceAsync(call, cancellationToken);
    }

    /// <summary>Runs an idempotent read (GET) with retries.</summary>
    public ValueTask<T> ExecuteReadAsync<T>(Func<CancellationToken, ValueTask<T>> read, CancellationToken cancellationToken = default)
        => ExecuteAsync(HttpMethod.Get, read, cancellationToken);

    private static async ValueTask<T> RunOnceAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
        => await call(cancellationToken).ConfigureAwait(false);

    private double NextUnit()
    {
        lock (_randomGate)
        {
            return _random.NextDouble();
        }
    }
}
