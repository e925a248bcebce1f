namespace SentryBrain.Config;

/// <summary>
/// Screener and discovery settings (SCREENER_*, DISCOVERY_*, TICKERS; BEHAVIOR.md §8, §10). Defaults follow the
/// reference's README (|Z| &gt; 2.0, volume ≥ 15 % above its average) rather than its code (1.2 and 10 %), and the
/// default universe is the shipped S&amp;P 500 list: the reference's <c>r2000_sp500_nasdaq100</c> needs lists we
/// cannot ship (<c>data/r2000.txt</c>, <c>data/nasdaq100.txt</c>). Command-line options override these.
/// </summary>
public sealed record ScreenerSettings
{
    public string Universe { get; init; } = "sp500";

    /// <summary>The <c>env</c> universe (comma list); also the reference's replay symbols.</summary>
    public string Tickers { get; init; } = string.Empty;

    public int TopN { get; init; } = 5;

    public double ZThreshold { get; init; } = 2.0;

    public double VolumeSpikePct { get; init; } = 15;

    public double MinVolume { get; init; } = 2_000_000;

    public double MinPrice { get; init; } = 5;

    public int LookbackDays { get; init; } = 35;

    public int ZPeriod { get; init; } = 20;

    public int VolumeWindow { get; init; } = 20;

    public bool UseOfi { get; init; }

    public int ChunkSize { get; init; } = 100;

    public double ChunkDelaySec { get; init; } = 0.5;

    public int ParallelChunks { get; init; } = 4;

    public int ChunkRetries { get; init; } = 2;

    public TimeOnly? RunAtEt { get; init; } = new(9, 30);

    public string BarCachePath { get; init; } = "data/bars-cache.db";

    /// <summary>Alpaca's market-data host (<c>ALPACA_DATA_BASE_URL</c>); tests point it at a local fake.</summary>
    public string DataBaseUrl { get; init; } = "https://data.alpaca.markets/";

    /// <summary><c>iex</c> (free plan) or <c>sip</c>.</summary>
    public string DataFeed { get; init; } = "iex";

    public bool DiscoveryEnabled { get; init; }

    public TimeOnly DiscoveryStartEt { get; init; } = new(7, 0);

    public TimeOnly DiscoveryEndEt { get; init; } = new(9, 30);

    public int DiscoveryIntervalMin { get; init; } = 5;

    public int DiscoveryTopN { get; init; } = 10;

    internal static ScreenerSettings Read(ConfigReader r)
    {
        var d = new ScreenerSettings();
        var settings = new ScreenerSettings
        {
            Universe = r.String("SCREENER_UNIVERSE", d.Universe, "universe screened: lab_12, sp500, sp400, nasdaq100, r2000, r2000_sp500_nasdaq100, env (TICKERS), alpaca_equity, alpaca_equity_500, file:PATH or a comma list"),
            Tickers = r.String("TICKERS", d.Tickers, "symbols of the `env` universe (comma list)"),
            TopN = r.Int("SCREENER_TOP_N", d.TopN, "names the screen keeps (./brain screen --top)", min: 1, max: 10_000),
            ZThreshold = r.Double("SCREENER_Z_THRESHOLD", d.ZThreshold, "a symbol qualifies when |Z| of its last daily return exceeds this", min: 0, max: 100),
            VolumeSpikePct = r.Double("SCREENER_VOLUME_SPIKE_PCT", d.VolumeSpikePct, "… or when its last volume is this many percent above the average of the days before", min: 0, max: 100_000),
            MinVolume = r.Double("SCREENER_MIN_VOLUME", d.MinVolume, "skip symbols whose average or last daily volume is below this (shares)", min: 0),
            MinPrice = r.Double("SCREENER_MIN_PRICE", d.MinPrice, "skip symbols whose last close is below this (dollars)", min: 0),
            LookbackDays = r.Int("SCREENER_LOOKBACK_DAYS", d.LookbackDays, "calendar days of daily bars fetched (at least the sessions the Z window needs)", min: 5, max: 3650),
            ZPeriod = r.Int("SCREENER_Z_PERIOD", d.ZPeriod, "daily returns before the last one in the screen's Z", min: 2, max: 500),
            VolumeWindow = r.Int("SCREENER_VOLUME_WINDOW", d.VolumeWindow, "days before the last one in the screen's average volume (the spike day is excluded)", min: 1, max: 500),
            UseOfi = r.Bool("SCREENER_USE_OFI", d.UseOfi, "a live screen adds the size of an order-flow skew to the score of its best max(3×top, 20) names (at most 100): where the latest trade printed between the latest bid (−1) and ask (+1); prints older than 24 h are ignored, a failed fetch is only a note"),
            ChunkSize = r.Int("SCREENER_CHUNK_SIZE", d.ChunkSize, "symbols per multi-symbol bar request", min: 1, max: 1000),
            ChunkDelaySec = r.Double("SCREENER_CHUNK_DELAY_SEC", d.ChunkDelaySec, "pause between chunk requests when they run one at a time", min: 0, max: 60),
            ParallelChunks = r.Int("SCREENER_PARALLEL_CHUNKS", d.ParallelChunks, "chunk requests in flight at once (1 = sequential with SCREENER_CHUNK_DELAY_SEC gaps)", min: 1, max: 64),
            ChunkRetries = r.Int("SCREENER_CHUNK_RETRIES", d.ChunkRetries, "times a failed chunk is asked again (after the HTTP client's own retries)", min: 0, max: 20),
            RunAtEt = r.Time("SCREENER_RUN_AT_ET", "09:30", "the consumer's once-a-day screen, New York time, on trading days (empty = off)", allowEmpty: true),
            DataBaseUrl = r.Url("ALPACA_DATA_BASE_URL", d.DataBaseUrl, "Alpaca market-data host (bars for screen and backtest --data alpaca)", allowUserInfo: false, userInfoHint: "Alpaca keys go in APCA_API_KEY_ID and APCA_API_SECRET_KEY"),
            DataFeed = r.String("ALPACA_DATA_FEED", d.DataFeed, "Alpaca data feed: iex (free) or sip", allowed: ["iex", "sip"]).ToLowerInvariant(),
            BarCachePath = r.String("BAR_CACHE_PATH", d.BarCachePath, "SQLite cache of fetched daily bars (screen, backtest --data alpaca)"),
            DiscoveryEnabled = r.Bool("DISCOVERY_ENABLED", d.DiscoveryEnabled, "the consumer screens in the pre-market window and follows the list (with OPPORTUNITY_ENGINE_ENABLED)"),
            DiscoveryStartEt = r.Time("DISCOVERY_START_ET", "07:00", "discovery window start, New York time")!.Value,
            DiscoveryEndEt = r.Time("DISCOVERY_END_ET", "09:30", "discovery window end (exclusive), New York time")!.Value,
            DiscoveryIntervalMin = r.Int("DISCOVERY_INTERVAL_MIN", d.DiscoveryIntervalMin, "minutes between discovery screens in the window", min: 1, max: 240),
            DiscoveryTopN = r.Int("DISCOVERY_TOP_N", d.DiscoveryTopN, "names a discovery screen keeps", min: 1, max: 10_000),
        };
        if (settings.DiscoveryStartEt >= settings.DiscoveryEndEt)
        {
            r.Fail("DISCOVERY_END_ET", settings.DiscoveryEndEt.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), "a time after DISCOVERY_START_ET");
        }

        return settings;
    }
}
