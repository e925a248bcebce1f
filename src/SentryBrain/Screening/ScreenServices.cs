using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Execution.Alpaca;
using SentryBrain.Market.Alpaca;

namespace SentryBrain.Screening;

/// <summary>
/// The Alpaca side of a screen, built from the configuration: one rate limiter (<c>ALPACA_REQUESTS_PER_MIN</c>)
/// shared by the data client (bars, latest trades and quotes) and the trading client (the asset list), the bar cache
/// (<c>BAR_CACHE_PATH</c>), the chunk plan and the OFI source (used when <c>SCREENER_USE_OFI</c> is on). Used by
/// <c>./brain screen</c> and the consumer's discovery.
/// </summary>
public sealed class ScreenServices : IDisposable
{
    private readonly RequestRateLimiter _limiter;

    private ScreenServices(BrainConfig config, TimeProvider time, HttpMessageHandler? handler)
    {
        if (!config.HasAlpacaKeys)
        {
            throw new ArgumentException("screening Alpaca data needs APCA_API_KEY_ID and APCA_API_SECRET_KEY (or use --data csv:DIR)");
        }

        _limiter = new RequestRateLimiter(config.AlpacaRequestsPerMin, time);
        var s = config.Screener;
        Data = new AlpacaDataClient(new AlpacaDataOptions(config.AlpacaKeyId, config.AlpacaSecretKey, new Uri(s.DataBaseUrl), s.DataFeed), handler, _limiter, time);
        Trading = new AlpacaTradingClient(
            AlpacaOptions.FromConfig(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["APCA_API_KEY_ID"] = config.AlpacaKeyId,
                ["APCA_API_SECRET_KEY"] = config.AlpacaSecretKey,
                ["APCA_API_BASE_URL"] = config.AlpacaBaseUrl,
                ["ALPACA_LIVE"] = config.AlpacaLive ? "true" : "false",
            }),
            handler,
            _limiter);
        Cache = BarCache.Open(s.BarCachePath, time);
        Bars = new AlpacaScreenBars(new ChunkedBarFetcher(Data, Cache, ChunkPlan.From(s), time), s.LookbackDays);
        Ofi = new AlpacaScreenOfi(Data, s.ChunkSize);
    }

    public AlpacaDataClient Data { get; }

    public AlpacaTradingClient Trading { get; }

    public BarCache Cache { get; }

    public AlpacaScreenBars Bars { get; }

    /// <summary>The latest trade against the latest quote, for a live screen's best candidates.</summary>
    public AlpacaScreenOfi Ofi { get; }

    public static ScreenServices Create(BrainConfig config, TimeProvider? time = null, HttpMessageHandler? handler = null) =>
        new(config, time ?? TimeProvider.System, handler);

    /// <summary>Universes with the Alpaca asset list available.</summary>
    public UniverseContext UniverseContext(BrainConfig config) =>
        new("data", config.Screener.Tickers, ct => Trading.ListActiveEquitiesAsync(ct));

    /// <summary>A discovery job on these services (bars, universes, OFI); <paramref name="publish"/> receives each new list.</summary>
    public DiscoveryJob NewDiscoveryJob(BrainConfig config, Action<ScreenReport> publish, ILogger logger, TimeProvider time) =>
        new(config, Bars, UniverseContext(config), publish, logger, time, Ofi);

    public void Dispose()
    {
        Data.Dispose();
        Trading.Dispose();
        Cache.Dispose();
        _limiter.Dispose();
    }
}
