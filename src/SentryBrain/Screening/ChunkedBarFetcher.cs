using SentryBrain.Config;
using SentryBrain.Execution.Alpaca;
using SentryBrain.Market.Alpaca;

namespace SentryBrain.Screening;

/// <summary>How a large universe is fetched: symbols per request, requests in flight, pause between sequential requests, chunk retries.</summary>
public sealed record ChunkPlan(int ChunkSize = 100, int ParallelChunks = 4, TimeSpan ChunkDelay = default, int ChunkRetries = 2)
{
    /// <summary>Wait before a failed chunk's first retry; doubled for each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    public static ChunkPlan From(ScreenerSettings s) =>
        new(s.ChunkSize, s.ParallelChunks, TimeSpan.FromSeconds(s.ChunkDelaySec), s.ChunkRetries);
}

/// <summary>Progress of a fetch, reported after each chunk.</summary>
public readonly record struct ChunkProgress(int ChunksDone, int ChunksTotal, int SymbolsFailed);

/// <summary>Symbols of a chunk that failed every attempt, with the last error (scrubbed of secrets by the client).</summary>
public sealed record FailedChunk(IReadOnlyList<string> Symbols, string Error);

/// <param name="ChunkAttempts">Chunk requests that reached the API, retries included; a chunk the cache answers whole costs none.</param>
public sealed record BarFetchResult(
    IReadOnlyDictionary<string, IReadOnlyList<AlpacaBar>> Bars,
    IReadOnlyList<FailedChunk> Failed,
    int Chunks,
    int ChunkAttempts)
{
    public IEnumerable<string> FailedSymbols => Failed.SelectMany(f => f.Symbols);
}

/// <summary>
/// Fetches the bars of a large universe in multi-symbol chunks (BEHAVIOR.md §8.2): <see cref="ChunkPlan.ChunkSize"/>
/// symbols a request, <see cref="ChunkPlan.ParallelChunks"/> in flight (1 = sequential with
/// <see cref="ChunkPlan.ChunkDelay"/> between them), through the <see cref="BarCache"/> when given (a rerun the same
/// day asks only for the symbols it lacks). Rate limit and per-request retries are the data client's (the shared
/// <see cref="RequestRateLimiter"/> and <see cref="ReadRetryPolicy"/>); on top of them a chunk that still fails is
/// asked again <see cref="ChunkPlan.ChunkRetries"/> times after a back-off, then its symbols are reported as failed
/// instead of failing the whole screen (the reference skipped them silently).
/// </summary>
public sealed class ChunkedBarFetcher(IAlpacaBarsApi api, BarCache? cache, ChunkPlan plan, TimeProvider? time = null)
{
    public const string Timeframe = "1Day";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<BarFetchResult> FetchAsync(
        IReadOnlyList<string> symbols,
        DateTime startUtc,
        DateTime endUtc,
        string adjustment = "split",
        IProgress<ChunkProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentOutOfRangeException.ThrowIfLessThan(plan.ChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(plan.ParallelChunks, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(plan.ChunkRetries);
        var chunks = symbols.Chunk(plan.ChunkSize).ToArray();
        var results = new IReadOnlyDictionary<string, IReadOnlyList<AlpacaBar>>?[chunks.Length];
        var failed = new FailedChunk?[chunks.Length];
        var done = 0;
        var failedSymbols = 0;
        var counted = new CountingApi(api);

        async ValueTask RunChunk(int index, CancellationToken ct)
        {
            var (bars, error) = await FetchChunkAsync(counted, chunks[index], startUtc, endUtc, adjustment, ct).ConfigureAwait(false);
            results[index] = bars;
            if (error is not null)
            {
                failed[index] = new FailedChunk(chunks[index], error);
                Interlocked.Add(ref failedSymbols, chunks[index].Length);
            }

            progress?.Report(new ChunkProgress(Interlocked.Increment(ref done), chunks.Length, Volatile.Read(ref failedSymbols)));
        }

        if (plan.ParallelChunks == 1)
        {
            for (var i = 0; i < chunks.Length; i++)
            {
                if (i > 0 && plan.ChunkDelay > TimeSpan.Zero)
                {
                    await Task.Delay(plan.ChunkDelay, _time, cancellationToken).ConfigureAwait(false);
                }

                await RunChunk(i, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = plan.ParallelChunks, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, chunks.Length), options, RunChunk).ConfigureAwait(false);
        }

        var merged = new Dictionary<string, IReadOnlyList<AlpacaBar>>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in results)
        {
            foreach (var (symbol, bars) in part ?? new Dictionary<string, IReadOnlyList<AlpacaBar>>())
            {
                merged[symbol] = bars;
            }
        }

        return new BarFetchResult(merged, [.. failed.OfType<FailedChunk>()], chunks.Length, counted.Calls);
    }

    private async Task<(IReadOnlyDictionary<string, IReadOnlyList<AlpacaBar>>? Bars, string? Error)> FetchChunkAsync(
        IAlpacaBarsApi source,
        string[] chunk,
        DateTime startUtc,
        DateTime endUtc,
        string adjustment,
        CancellationToken cancellationToken)
    {
        var delay = plan.RetryDelay;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var bars = cache is null
                    ? await source.GetBarsAsync(chunk, Timeframe, startUtc, endUtc, adjustment, cancellationToken).ConfigureAwait(false)
                    : await cache.GetBarsAsync(source, chunk, Timeframe, startUtc, endUtc, adjustment, cancellationToken).ConfigureAwait(false);
                return (bars, null);
            }
            catch (Exception ex) when (IsChunkFailure(ex, cancellationToken))
            {
                if (attempt >= plan.ChunkRetries || ex is AlpacaApiException { StatusCode: 401 or 403 })
                {
                    return (null, ex.Message);
                }

                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay += delay;
            }
        }
    }

    /// <summary>The API as the fetcher sees it, counting the calls that reach it (the cache calls it only for its misses).</summary>
    private sealed class CountingApi(IAlpacaBarsApi inner) : IAlpacaBarsApi
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string Feed => inner.Feed;

        public Task<IReadOnlyDictionary<string, IReadOnlyList<AlpacaBar>>> GetBarsAsync(
            IReadOnlyList<string> symbols,
            string timeframe,
            DateTime startUtc,
            DateTime endUtc,
            string adjustment = "raw",
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return inner.GetBarsAsync(symbols, timeframe, startUtc, endUtc, adjustment, cancellationToken);
        }
    }

    private static bool IsChunkFailure(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && ex is AlpacaApiException or HttpRequestException or TimeoutException or TaskCanceledException or IOException
            or System.Text.Json.JsonException;
}
