using SentryBrain.Market.Alpaca;

namespace SentryBrain.Screening;

/// <summary>
/// Where a live screen's order-flow skew comes from (<c>SCREENER_USE_OFI</c>). The <see cref="Screener"/> asks only for
/// its best candidates after a first scoring pass, never for the whole universe.
/// </summary>
public interface IScreenOfiSource
{
    /// <summary>
    /// The skew in [−1, 1] of each symbol that has a usable one at <paramref name="nowUtc"/> (the screen's run time);
    /// symbols without one are absent. Throws when the data cannot be fetched: the screener notes it and goes on.
    /// </summary>
    Task<IReadOnlyDictionary<string, double>> GetAsync(IReadOnlyList<string> symbols, DateTime nowUtc, CancellationToken cancellationToken);
}

/// <summary>
/// The skew from Alpaca's latest trade and latest NBBO quote (<see cref="OfiSkew"/>): two requests per chunk of
/// <paramref name="chunkSize"/> symbols, through the data client's retries and the shared rate limiter.
/// </summary>
public sealed class AlpacaScreenOfi(AlpacaDataClient data, int chunkSize = 100, TimeSpan? maxAge = null) : IScreenOfiSource
{
    private readonly TimeSpan _maxAge = maxAge ?? OfiSkew.DefaultMaxAge;

    public async Task<IReadOnlyDictionary<string, double>> GetAsync(IReadOnlyList<string> symbols, DateTime nowUtc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var result = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var chunk in symbols.Distinct(StringComparer.OrdinalIgnoreCase).Chunk(chunkSize))
        {
            var trades = data.GetLatestTradesAsync(chunk, cancellationToken);
            var quotes = data.GetLatestQuotesAsync(chunk, cancellationToken);
            await Task.WhenAll(trades, quotes).ConfigureAwait(false);
            var (t, q) = (await trades.ConfigureAwait(false), await quotes.ConfigureAwait(false));
            foreach (var symbol in chunk)
            {
                if (OfiSkew.Compute(t.GetValueOrDefault(symbol), q.GetValueOrDefault(symbol), nowUtc, _maxAge) is { } skew)
                {
                    result[symbol] = skew;
                }
            }
        }

        return result;
    }
}
