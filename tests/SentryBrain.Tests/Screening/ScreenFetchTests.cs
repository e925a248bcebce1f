using System.Diagnostics;
using System.Globalization;
using SentryBrain.Execution.Alpaca;
using SentryBrain.Market;
using SentryBrain.Market.Alpaca;
using SentryBrain.Screening;
using SentryBrain.Tests.Execution.Alpaca;
using SentryBrain.Tests.Market.Alpaca;
using SentryBrain.Tests.TestKit;
using Xunit.Abstractions;

namespace SentryBrain.Tests.Screening;

/// <summary>
/// Issue 12's acceptance tests: the whole screen (AlpacaDataClient → ChunkedBarFetcher → AlpacaScreenBars → Screener)
/// against the fake Alpaca data server on 127.0.0.1, on synthetic daily bars with planted outliers and decoys. Waits
/// that the code under test makes (rate-limit tokens, retry back-offs) run on a fake clock that the tests move only
/// while every chunk worker waits on it, so nothing depends on the machine's speed.
/// </summary>
public sealed class ScreenFetchTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>A Tuesday after the switch to daylight saving time: the bars cross it (New York midnight is 05:00, then 04:00 UTC).</summary>
    private static readonly DateOnly AsOf = new(2026, 3, 17);

    private static readonly ScreenCriteria Criteria = new();

    /// <summary>The 40 sessions before <see cref="AsOf"/>, oldest first.</summary>
    private static readonly DateOnly[] Sessions = SessionsBefore(AsOf, 40);

    /// <summary>Real time a test may take before it fails with a message (it normally takes well under a second or two).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private const int LookbackDays = 35;

    private FakeDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeDataServer.StartAsync();
        _server.PageSize = AlpacaDataClient.BarsPageLimit;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Universe_of_8000_symbols_with_planted_Z_and_volume_outliers_selects_exactly_the_planted_names_ranked_by_score()
    {
        var specials = new Dictionary<int, Spec>
        {
            [137] = Spec.Plant(z: 3.3),
            [1290] = Spec.Plant(z: -4.2),
            [2711] = Spec.Plant(z: 5.1),
            [3999] = Spec.Plant(z: -6.4),
            [5555] = Spec.Plant(z: 7.6),
            [7999] = Spec.Plant(z: 9.0),
            [420] = Spec.Plant(volume: 2.4),
            [1888] = Spec.Plant(volume: 2.9),
            [4321] = Spec.Plant(volume: 3.3),
            [6060] = Spec.Plant(volume: 3.8),
            [2500] = Spec.Plant(z: 4.6, volume: 3.0),
            [7100] = Spec.Plant(z: -2.7, volume: 2.6),
            [300] = new(Kind.EarlierSpike),
            [301] = new(Kind.LookAhead),
            [302] = new(Kind.LowPrice, 8, 3),
            [303] = new(Kind.LowVolume, 6, 3),
            [304] = new(Kind.ShortHistory),
            [305] = new(Kind.NoData),
        };
        var build = Stopwatch.StartNew();
        var market = SyntheticMarket.Build(8000, specials);
        market.LoadInto(_server);
        build.Stop();
        var planted = ByScore(market, [.. market.Planted]);
        Assert.Equal(12, planted.Length);
        AssertScoresApart(market, planted);

        using var client = NewClient();
        var screener = new Screener(new AlpacaScreenBars(new ChunkedBarFetcher(client, null, new ChunkPlan(100, 4)), LookbackDays));
        var wall = Stopwatch.StartNew();
        var report = await Within(
            screener.RunAsync(new ScreenRequest(market.Universe(), Criteria, planted.Length, AsOf)),
            "the 8,000-symbol screen");
        wall.Stop();

        // Exactly the planted names, best first, with the Z, ratio and score computed here from the same bars.
        Assert.Empty(report.Failed);
        Assert.False(report.Fallback);
        Assert.Equal(planted, report.SelectedSymbols);
        Assert.Equal(planted.Order(StringComparer.Ordinal), report.Ranked.Where(s => s.Status == ScreenStatus.Qualified).Select(s => s.Symbol).Order(StringComparer.Ordinal));
        foreach (var selected in report.Selected)
        {
            var expected = Expected(market.Series[selected.Symbol]);
            Assert.Equal(expected.Z, selected.Z!.Value, 1e-9);
            Assert.Equal(expected.Ratio, selected.VolumeRatio!.Value, 1e-9);
            Assert.Equal(expected.Score, selected.Score, 1e-9);
            Assert.Equal(Sessions[^1], selected.LastDate);
        }

        // The decoys, each with the status that keeps it out.
        var byName = report.Ranked.Concat(report.NotScored).ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        Assert.Equal(ScreenStatus.NotQualified, byName[Ticker(300)].Status);
        Assert.Equal(ScreenStatus.NotQualified, byName[Ticker(301)].Status);
        Assert.Equal(Sessions[^1], byName[Ticker(301)].LastDate); // the as-of session's own bar was never asked for
        Assert.Equal(ScreenStatus.Filtered, byName[Ticker(302)].Status);
        Assert.Contains("minimum price", byName[Ticker(302)].Reason, StringComparison.Ordinal);
        Assert.Equal(ScreenStatus.Filtered, byName[Ticker(303)].Status);
        Assert.Contains("below the minimum", byName[Ticker(303)].Reason, StringComparison.Ordinal);
        Assert.Equal(ScreenStatus.TooLittleHistory, byName[Ticker(304)].Status);
        Assert.Equal(15, byName[Ticker(304)].Bars);
        Assert.Equal(ScreenStatus.TooLittleHistory, byName[Ticker(305)].Status);
        Assert.Equal(0, byName[Ticker(305)].Bars);
        Assert.Equal(8000, byName.Count);
        Assert.Equal(4, report.NotScored.Count);

        // 80 chunks of 100 symbols, one page each, every symbol asked once.
        var requests = _server.BarsRequests;
        Assert.Equal(80, report.ChunkRequests);
        Assert.Equal(80, requests.Count);
        Assert.All(requests, r => Assert.Equal(100, r.Symbols.Count));
        Assert.Equal(market.Symbols, requests.SelectMany(r => r.Symbols).Order(StringComparer.Ordinal));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"8,000-symbol screen: {wall.Elapsed.TotalMilliseconds:0} ms wall ({report.Elapsed.TotalMilliseconds:0} ms inside Screener.RunAsync), {requests.Count} bars requests, {report.ChunkRequests} chunk requests, {market.BarCount:#,0} bars loaded into the fake in {build.Elapsed.TotalMilliseconds:0} ms"));
    }

    [Fact]
    public async Task Failing_chunks_are_retried_by_the_client_then_the_fetcher_and_a_chunk_failing_every_time_is_reported_while_the_rest_completes()
    {
        var specials = new Dictionary<int, Spec>
        {
            [120] = Spec.Plant(volume: 2.5), // chunk 1: two 500s, the data client's retries recover
            [150] = Spec.Plant(z: 5),
            [330] = Spec.Plant(z: 6), // chunk 3: a dropped connection
            [520] = Spec.Plant(z: -4), // chunk 5: four 503s, the fetcher's chunk retry recovers
            [710] = Spec.Plant(z: 6.5), // chunk 7: 500 every time
            [760] = Spec.Plant(volume: 3),
        };
        var market = SyntheticMarket.Build(1000, specials);
        market.LoadInto(_server);
        _server.FailBarsFor(Ticker(101), 2);
        _server.DropBarsFor(Ticker(301), 1);
        _server.FailBarsFor(Ticker(501), 4, 503);
        var always = _server.FailBarsFor(Ticker(701), int.MaxValue);
        var clock = new TimerTrackingTimeProvider();
        _server.Clock = clock;
        using var limiter = new RequestRateLimiter(100_000, TimeProvider.System); // never the bottleneck here
        using var client = NewClient(limiter, clock, maxRetries: 2);
        var plan = new ChunkPlan(100, 4, ChunkRetries: 2) { RetryDelay = TimeSpan.FromSeconds(1) };
        var screener = new Screener(new AlpacaScreenBars(new ChunkedBarFetcher(client, null, plan, clock), LookbackDays), clock);
        var progress = new ChunkCounter(10);

        var report = await DriveAsync(
            screener.RunAsync(new ScreenRequest(market.Universe(), Criteria, 10, AsOf), progress),
            clock,
            limiterOnClock: null,
            progress,
            plan.ParallelChunks);

        // Chunk 7 failed all 3 fetcher attempts of 3 HTTP attempts each; the screen went on without its 100 symbols.
        var failedChunk = Assert.Single(report.Failed);
        Assert.Equal(Enumerable.Range(700, 100).Select(Ticker), failedChunk.Symbols);
        Assert.Contains("HTTP 500", failedChunk.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeDataServer.SecretKey, failedChunk.Error, StringComparison.Ordinal);
        Assert.Equal(100, report.FailedSymbolCount);
        Assert.Equal(9, always.Hits);
        var scored = report.Ranked.Concat(report.NotScored).Select(s => s.Symbol).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(900, scored.Count);
        Assert.DoesNotContain(Ticker(710), scored);

        // Every other chunk is complete: the planted names outside chunk 7, in score order.
        var expected = ByScore(market, [.. market.Planted.Where(s => !failedChunk.Symbols.Contains(s))]);
        Assert.Equal(expected, report.SelectedSymbols);
        Assert.All(report.Ranked, s => Assert.Equal(Sessions[^1], s.LastDate));

        // Requests: 10 + 2 (client retries, chunk 1) + 1 (drop, chunk 3) + 4 (3 client attempts, then 2 on the fetcher's retry, chunk 5) + 8 (chunk 7).
        Assert.Equal(25, _server.BarsRequestCount);
        Assert.Equal(3, RequestsNaming(Ticker(101)).Count);
        Assert.Equal(2, RequestsNaming(Ticker(301)).Count);
        Assert.Equal(5, RequestsNaming(Ticker(501)).Count);
        Assert.Equal(10 + 1 + 2, report.ChunkRequests); // fetcher attempts: chunk 5 twice, chunk 7 three times

        // The waits ran on the fake clock: the client's back-off (200-300 ms, then 400-600 ms) inside each fetcher
        // attempt, the fetcher's RetryDelay (1 s, then 2 s) between attempts.
        var at = RequestsNaming(Ticker(701)).Select(r => r.At).ToArray();
        Assert.Equal(9, at.Length);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var first = at[attempt * 3];
            AssertBetween(at[(attempt * 3) + 1] - first, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(300));
            AssertBetween(at[(attempt * 3) + 2] - at[(attempt * 3) + 1], TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(600));
        }

        Assert.Equal(TimeSpan.FromSeconds(1), at[3] - at[2]);
        Assert.Equal(TimeSpan.FromSeconds(2), at[6] - at[5]);
    }

    [Fact]
    public async Task Rate_limiter_paces_a_screen_of_80_chunks_at_30_per_minute_on_the_fake_clock()
    {
        var (requests, report) = await RunPacedScreenAsync(limit: 30, emulateAlpacaQuota: false);

        // The client-side limiter alone: 30 at once (the limit), then the window is full until they are 60 s old; from
        // then on one request per refill interval (60 s / 30 = 2 s), which is exactly the limit's pace.
        var t0 = requests[0].At;
        var expected = Enumerable.Repeat(t0, 30)
            .Concat(Enumerable.Range(0, 50).Select(k => t0 + TimeSpan.FromSeconds(60 + (2 * k))))
            .ToArray();
        Assert.Equal(expected, requests.Select(r => r.At).Order());

        var max = MaxInAnyWindow([.. requests.Select(r => r.At)], TimeSpan.FromMinutes(1));
        Assert.True(max <= 30, $"{max} requests in a 60 s window of fake time, limit 30");
        Assert.Equal(30, max);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"client limiter only: max {max} requests in a 60 s window at a limit of 30; {report.ChunkRequests} chunk requests"));
    }

    [Fact]
    public async Task Requests_per_minute_never_exceed_the_limit_against_Alpacas_quota_headers_on_the_fake_clock()
    {
        var (requests, _) = await RunPacedScreenAsync(limit: 30, emulateAlpacaQuota: true);

        var times = requests.Select(r => r.At).ToArray();
        var max = MaxInAnyWindow(times, TimeSpan.FromMinutes(1));
        Assert.True(max <= 30, $"{max} requests in a 60 s window of fake time, limit 30");
        Assert.Equal(0, _server.QuotaRefusals);

        // Remaining 0 with Reset held the limiter until the window had room again: nothing between the burst and Reset.
        var t0 = times[0];
        Assert.DoesNotContain(times, t => t > t0 && t < t0 + TimeSpan.FromMinutes(1));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"with Alpaca's quota headers: max {max} requests in a 60 s window at a limit of 30, last at +{(times[^1] - t0).TotalSeconds:0} s"));
    }

    [Fact]
    public async Task A_429_with_Retry_After_holds_every_further_request_until_then_on_the_fake_clock()
    {
        var market = SyntheticMarket.Build(120, new Dictionary<int, Spec> { [42] = Spec.Plant(z: 5) });
        market.LoadInto(_server);
        _server.FailNthBarsRequest(5, 429, ("Retry-After", "7"));
        var clock = new TimerTrackingTimeProvider();
        _server.Clock = clock;
        using var limiter = new RequestRateLimiter(200, clock);
        using var client = NewClient(limiter, clock, maxRetries: 2);
        var plan = new ChunkPlan(10, 4) { RetryDelay = TimeSpan.FromSeconds(1) };
        var screener = new Screener(new AlpacaScreenBars(new ChunkedBarFetcher(client, null, plan, clock), LookbackDays), clock);
        var progress = new ChunkCounter(12);

        var report = await DriveAsync(
            screener.RunAsync(new ScreenRequest(market.Universe(), Criteria, 5, AsOf), progress),
            clock,
            limiter,
            progress,
            plan.ParallelChunks);

        var requests = _server.BarsRequests;
        var refused = requests[4];
        var holdEnd = refused.At + TimeSpan.FromSeconds(7);
        Assert.DoesNotContain(requests, r => r.At > refused.At && r.At < holdEnd);
        Assert.Equal(holdEnd, requests.Where(r => r.At > refused.At).Min(r => r.At));
        Assert.Contains(requests.Skip(5), r => r.At >= holdEnd && r.Symbols.SequenceEqual(refused.Symbols));

        // The client's retry recovered the chunk: complete result, 12 chunk attempts, 13 requests.
        Assert.Empty(report.Failed);
        Assert.Equal(12, report.ChunkRequests);
        Assert.Equal(13, requests.Count);
        Assert.Equal([Ticker(42)], report.SelectedSymbols);
    }

    [Fact]
    public async Task Bar_cache_answers_a_second_screen_the_same_day_without_a_request_and_asks_only_for_added_symbols()
    {
        var market = SyntheticMarket.Build(1100, new Dictionary<int, Spec>
        {
            [150] = Spec.Plant(z: 5),
            [640] = Spec.Plant(volume: 3),
            [1050] = Spec.Plant(z: 7),
        });
        market.LoadInto(_server);
        var directory = Directory.CreateTempSubdirectory("sentrybrain-screen-cache-");
        try
        {
            var path = Path.Combine(directory.FullName, "bars-cache.db");
            var clock = new TimerTrackingTimeProvider(NewYorkTime.ToUtc(AsOf, new TimeOnly(8, 0))); // the range has settled
            using var client = NewClient(null, clock);
            var first = market.Universe(1000);
            var plan = new ChunkPlan(100, 4);

            Task<ScreenReport> Run(BarCache cache, Universe universe) => Within(
                new Screener(new AlpacaScreenBars(new ChunkedBarFetcher(client, cache, plan, clock), LookbackDays), clock)
                    .RunAsync(new ScreenRequest(universe, Criteria, 5, AsOf)),
                "a cached screen");

            ScreenReport fetched;
            using (var cache = BarCache.Open(path, clock))
            {
                fetched = await Run(cache, first);
            }

            Assert.Equal(10, _server.BarsRequestCount);
            Assert.Equal(10, fetched.ChunkRequests);
            Assert.Equal(ByScore(market, Ticker(150), Ticker(640)), fetched.SelectedSymbols);

            // Same day, the cache reopened from its file: not one request, the same screen.
            using var reopened = BarCache.Open(path, clock);
            _server.ClearRequests();
            var cached = await Run(reopened, first);
            Assert.Equal(10, _server.BarsRequestCount);
            Assert.Empty(_server.Requests);
            Assert.Equal(0, cached.ChunkRequests);
            Assert.Equal(Scores(fetched), Scores(cached));
            Assert.Equal(fetched.NotScored.Select(s => (s.Symbol, s.Status)), cached.NotScored.Select(s => (s.Symbol, s.Status)));

            // 100 symbols more: only their chunk is asked for.
            var grown = await Run(reopened, market.Universe());
            var request = Assert.Single(_server.BarsRequests);
            Assert.Equal(Enumerable.Range(1000, 100).Select(Ticker), request.Symbols);
            Assert.Equal(1, grown.ChunkRequests);
            Assert.Equal(ByScore(market, Ticker(150), Ticker(640), Ticker(1050)), grown.SelectedSymbols);
            Assert.Equal(1100, grown.Ranked.Count + grown.NotScored.Count);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Alpaca_equity_universe_lists_active_tradable_US_equities_sorted_and_reports_invalid_symbols()
    {
        await using var trading = await FakeAlpacaServer.StartAsync(); // holds AAPL, active and tradable
        trading.AddAsset("MSFT", "Microsoft", "active", tradable: true);
        trading.AddAsset("FOO/WS", "Foo warrants", "active", tradable: true);
        trading.AddAsset("ZZZX", "not tradable", "active", tradable: false);
        trading.AddAsset("OLDCO", "delisted", "inactive", tradable: true);
        trading.AddAsset("BTC/USD", "Bitcoin", "active", tradable: true, assetClass: "crypto");
        trading.AddAsset("BRK.B", "Berkshire B", "active", tradable: true);
        trading.AddAsset("TEST1", "a test line", "active", tradable: true);
        trading.AddAsset("ABNB", "Airbnb", "active", tradable: true);
        using var client = new AlpacaTradingClient(new AlpacaOptions(FakeAlpacaServer.KeyId, FakeAlpacaServer.SecretKey, trading.BaseUrl, TimeSpan.FromSeconds(30)));
        var context = new UniverseContext(ListAssets: ct => client.ListActiveEquitiesAsync(ct));

        var universe = await Within(Universes.ResolveAsync("alpaca_equity", context), "alpaca_equity");

        Assert.Equal("alpaca_equity", universe.Name);
        Assert.Equal(["AAPL", "ABNB", "BRK.B", "MSFT"], universe.Symbols);
        Assert.Equal(2, universe.Problems.Count);
        Assert.Contains(universe.Problems, p => p.Contains("'FOO/WS' is not a symbol", StringComparison.Ordinal));
        Assert.Contains(universe.Problems, p => p.Contains("'TEST1' is not a symbol", StringComparison.Ordinal));
        var asked = Assert.Single(trading.Requests, r => r.Path == "/v2/assets");
        Assert.Contains("status=active", asked.Query, StringComparison.Ordinal);
        Assert.Contains("asset_class=us_equity", asked.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alpaca_equity_500_keeps_the_first_500_sorted_symbols()
    {
        await using var trading = await FakeAlpacaServer.StartAsync();
        for (var i = 799; i >= 0; i--)
        {
            trading.AddAsset(Ticker(i), "synthetic", "active", tradable: i % 7 != 3);
        }

        trading.AddAsset("A1", "not a symbol", "active", tradable: true);
        using var client = new AlpacaTradingClient(new AlpacaOptions(FakeAlpacaServer.KeyId, FakeAlpacaServer.SecretKey, trading.BaseUrl, TimeSpan.FromSeconds(30)));
        var context = new UniverseContext(ListAssets: ct => client.ListActiveEquitiesAsync(ct));

        var all = await Within(Universes.ResolveAsync("alpaca_equity", context), "alpaca_equity");
        var capped = await Within(Universes.ResolveAsync("ALPACA_EQUITY_500", context), "alpaca_equity_500");

        // Ticker(401) is AAPL: it replaces the fake's own AAPL (still tradable, 401 % 7 = 2).
        var tradable = Enumerable.Range(0, 800).Where(i => i % 7 != 3).Select(Ticker).Order(StringComparer.Ordinal).ToArray();
        Assert.Contains("AAPL", tradable);
        Assert.Equal(tradable, all.Symbols);
        Assert.Equal("alpaca_equity_500", capped.Name);
        Assert.Equal(tradable.Take(500), capped.Symbols);
        Assert.Contains(capped.Problems, p => p.Contains("'A1' is not a symbol", StringComparison.Ordinal));
    }

    /// <summary>80 chunks of 10 symbols, 4 in flight, through a <paramref name="limit"/>/min limiter on a fake clock.</summary>
    private async Task<(IReadOnlyList<FakeRequest> Requests, ScreenReport Report)> RunPacedScreenAsync(int limit, bool emulateAlpacaQuota)
    {
        var market = SyntheticMarket.Build(800, new Dictionary<int, Spec> { [100] = Spec.Plant(z: 5), [555] = Spec.Plant(volume: 3) });
        market.LoadInto(_server);
        var clock = new TimerTrackingTimeProvider();
        _server.Clock = clock;
        if (emulateAlpacaQuota)
        {
            _server.EmulateRateLimit(limit);
        }

        using var limiter = new RequestRateLimiter(limit, clock);
        using var client = NewClient(limiter, clock);
        var plan = new ChunkPlan(10, 4);
        var screener = new Screener(new AlpacaScreenBars(new ChunkedBarFetcher(client, null, plan, clock), LookbackDays), clock);
        var progress = new ChunkCounter(80);

        var report = await DriveAsync(
            screener.RunAsync(new ScreenRequest(market.Universe(), Criteria, 5, AsOf), progress),
            clock,
            limiter,
            progress,
            plan.ParallelChunks);

        Assert.Empty(report.Failed);
        Assert.Equal(80, report.ChunkRequests);
        Assert.Equal(ByScore(market, Ticker(100), Ticker(555)), report.SelectedSymbols);
        var requests = _server.BarsRequests;
        Assert.Equal(80, requests.Count);
        Assert.Equal(market.Symbols, requests.SelectMany(r => r.Symbols).Order(StringComparer.Ordinal));
        return (requests, report);
    }

    private AlpacaDataClient NewClient(RequestRateLimiter? limiter = null, TimeProvider? clock = null, int maxRetries = 2) =>
        new(
            new AlpacaDataOptions(FakeDataServer.KeyId, FakeDataServer.SecretKey, _server.BaseUrl, Timeout: TimeSpan.FromSeconds(30), MaxRetries: maxRetries),
            limiter: limiter,
            timeProvider: clock);

    private List<FakeRequest> RequestsNaming(string symbol) => [.. _server.BarsRequests.Where(r => r.Symbols.Contains(symbol, StringComparer.Ordinal))];

    private static IEnumerable<(string, ScreenStatus, double)> Scores(ScreenReport report) => report.Ranked.Select(s => (s.Symbol, s.Status, s.Score));

    /// <summary>
    /// Awaits <paramref name="run"/> on a fake clock that is moved (to its next timer) only while every chunk worker
    /// waits on it: queued for a rate-limit token or in a retry delay. No request is ever in flight while time jumps,
    /// so a request reaches the fake server at the fake instant its token was granted.
    /// </summary>
    private static async Task<T> DriveAsync<T>(
        Task<T> run,
        TimerTrackingTimeProvider clock,
        RequestRateLimiter? limiterOnClock,
        ChunkCounter chunks,
        int parallel)
    {
        var patience = Stopwatch.StartNew();
        while (!run.IsCompleted)
        {
            if (patience.Elapsed > Patience)
            {
                throw new TimeoutException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"the screen did not finish within {Patience.TotalSeconds} s: {chunks.Done}/{chunks.Total} chunks done, {limiterOnClock?.QueuedCount ?? 0} queued for a token, {clock.ActiveTimerCount} fake timers, next due {clock.NextDue?.ToString("O", CultureInfo.InvariantCulture) ?? "none"}"));
            }

            var queued = limiterOnClock?.QueuedCount ?? 0;
            var timers = clock.ActiveTimerCount;
            var steady = queued == (limiterOnClock?.QueuedCount ?? 0);
            var delays = timers - (queued > 0 ? 1 : 0); // the limiter's own timer is armed while anyone is queued
            var workers = Math.Min(parallel, chunks.Total - chunks.Done);
            if (steady && workers > 0 && queued + delays >= workers && clock.NextDue is { } due)
            {
                clock.AdvanceTo(due);
                continue;
            }

            await Task.Delay(1);
        }

        return await run;
    }

    private static async Task<T> Within<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what} did not finish within {Patience.TotalSeconds} s");
        }
    }

    /// <summary>The most requests in any window [t, t + <paramref name="window"/>) (windows starting at a request suffice).</summary>
    private static int MaxInAnyWindow(IReadOnlyList<DateTimeOffset> times, TimeSpan window)
    {
        var sorted = times.Order().ToArray();
        var max = 0;
        var end = 0;
        for (var start = 0; start < sorted.Length; start++)
        {
            while (end < sorted.Length && sorted[end] < sorted[start] + window)
            {
                end++;
            }

            max = Math.Max(max, end - start);
        }

        return max;
    }

    private static void AssertBetween(TimeSpan actual, TimeSpan low, TimeSpan high) =>
        Assert.True(actual >= low && actual < high, $"{actual} is not in [{low}, {high})");

    /// <summary>Symbols best first by the score computed here.</summary>
    private static string[] ByScore(SyntheticMarket market, params string[] symbols) =>
        [.. symbols.OrderByDescending(s => Expected(market.Series[s]).Score)];

    /// <summary>The planted scores are far enough apart that rounding cannot swap two of them.</summary>
    private static void AssertScoresApart(SyntheticMarket market, IReadOnlyList<string> ranked)
    {
        for (var i = 1; i < ranked.Count; i++)
        {
            Assert.True(Expected(market.Series[ranked[i - 1]]).Score - Expected(market.Series[ranked[i]]).Score > 1e-6, $"{ranked[i - 1]} and {ranked[i]} score alike");
        }
    }

    /// <summary>
    /// The screen's numbers computed here, independently: z = (r_last − mean(previous 20 returns)) / popstd(previous
    /// 20), ratio = v_last / mean(previous 20 volumes), score = |z| + 2·max(0, ratio − 1).
    /// </summary>
    private static (double Z, double Ratio, double Score) Expected(Series series)
    {
        var c = series.Close;
        var n = c.Length;
        var returns = Enumerable.Range(n - 21, 21).Select(j => (c[j] / c[j - 1]) - 1).ToArray();
        var window = returns[..20];
        var mean = window.Average();
        var std = Math.Sqrt(window.Select(r => (r - mean) * (r - mean)).Average());
        var z = (returns[20] - mean) / std;
        var ratio = series.Volume[^1] / series.Volume[^21..^1].Average();
        return (z, ratio, Math.Abs(z) + (2 * Math.Max(0, ratio - 1)));
    }

    /// <summary>Valid tickers in ordinal order: 0 → AAAA, 1 → AAAB, …, 675 → AAZZ, 676 → ABAA.</summary>
    private static string Ticker(int i) =>
        new([(char)('A' + (i / 17576 % 26)), (char)('A' + (i / 676 % 26)), (char)('A' + (i / 26 % 26)), (char)('A' + (i % 26))]);

    private static DateOnly[] SessionsBefore(DateOnly asOf, int count)
    {
        var sessions = new DateOnly[count];
        var day = asOf;
        for (var i = count - 1; i >= 0; i--)
        {
            day = NyseCalendar.PreviousTradingDay(day);
            sessions[i] = day;
        }

        return sessions;
    }

    private enum Kind
    {
        Normal,
        Planted,

        /// <summary>A 12 % move on 5× volume the session before the last: off by one day it would qualify.</summary>
        EarlierSpike,

        /// <summary>A normal series plus a huge bar dated the as-of session itself, which must never be asked for.</summary>
        LookAhead,

        /// <summary>A qualifying move at a price near 3, under the minimum price.</summary>
        LowPrice,

        /// <summary>A qualifying move on an average volume of 1,000,000, under the minimum volume.</summary>
        LowVolume,

        /// <summary>A spike after only 15 sessions.</summary>
        ShortHistory,

        /// <summary>No bars at all.</summary>
        NoData,
    }

    /// <param name="Z">The planted Z of the last return (null: |Z| ≤ 0.5).</param>
    /// <param name="Volume">The planted last volume as a multiple of the 20 before (null: at most 1.1).</param>
    private sealed record Spec(Kind Kind, double? Z = null, double? Volume = null)
    {
        public static readonly Spec Normal = new(Kind.Normal);

        public static Spec Plant(double? z = null, double? volume = null) => new(Kind.Planted, z, volume);
    }

    /// <summary>A symbol's daily bars before the as-of date, oldest first, and the bar dated the as-of date when planted.</summary>
    private sealed record Series(string Symbol, Spec Spec, DateOnly[] Dates, double[] Close, double[] Volume, (double Close, double Volume)? OnAsOf);

    /// <summary>
    /// Deterministic daily bars (one seeded generator per symbol): prices from 20 to 200 moving at most 1.5 % a day,
    /// volumes of 3.2 to 20 million ± 5 %, and a last session built against the actual 20 returns and volumes
    /// before it, so an unplanted symbol has |Z| ≤ 0.5 (plus cent rounding) and a volume ratio of at most 1.1.
    /// </summary>
    private sealed class SyntheticMarket
    {
        private SyntheticMarket(string[] symbols, Dictionary<string, Series> series)
        {
            Symbols = symbols;
            Series = series;
        }

        public IReadOnlyList<string> Symbols { get; }

        public IReadOnlyDictionary<string, Series> Series { get; }

        public IEnumerable<string> Planted => Symbols.Where(s => Series[s].Spec.Kind == Kind.Planted);

        public long BarCount => Series.Values.Sum(s => (long)s.Close.Length);

        public static SyntheticMarket Build(int count, IReadOnlyDictionary<int, Spec> specials)
        {
            var symbols = Enumerable.Range(0, count).Select(Ticker).ToArray();
            var series = new Dictionary<string, Series>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                series[symbols[i]] = Generate(symbols[i], specials.GetValueOrDefault(i, Spec.Normal), new Random(7919 + i));
            }

            return new SyntheticMarket(symbols, series);
        }

        public Universe Universe(int? take = null) =>
            new("synthetic", [.. Symbols.Take(take ?? Symbols.Count)], [], new Dictionary<string, string>());

        public void LoadInto(FakeDataServer server)
        {
            foreach (var s in Series.Values.Where(s => s.Close.Length > 0))
            {
                var bars = new List<(DateTime, double, double, double, double, double)>(s.Close.Length + 1);
                for (var i = 0; i < s.Close.Length; i++)
                {
                    var open = i == 0 ? s.Close[0] : s.Close[i - 1];
                    bars.Add((Midnight(s.Dates[i]), open, Math.Max(open, s.Close[i]) * 1.004, Math.Min(open, s.Close[i]) * 0.996, s.Close[i], s.Volume[i]));
                }

                if (s.OnAsOf is { } future)
                {
                    bars.Add((Midnight(AsOf), s.Close[^1], future.Close, s.Close[^1], future.Close, future.Volume));
                }

                server.AddDailySeries(s.Symbol, bars);
            }
        }

        /// <summary>Alpaca's daily bar time: New York midnight of the session, in UTC.</summary>
        private static DateTime Midnight(DateOnly date) => NewYorkTime.ToUtc(date, TimeOnly.MinValue);

        private static double Noise(Random rng) => (2 * rng.NextDouble()) - 1;

        private static Series Generate(string symbol, Spec spec, Random rng)
        {
            if (spec.Kind == Kind.NoData)
            {
                return new Series(symbol, spec, [], [], [], null);
            }

            var n = spec.Kind == Kind.ShortHistory ? 15 : rng.Next(30, 36);
            var dates = Sessions[^n..];
            var v0 = spec.Kind == Kind.LowVolume ? 1_000_000 : 3_200_000 + (rng.NextDouble() * 16_800_000);
            var close = new double[n];
            var volume = new double[n];
            close[0] = Math.Round(spec.Kind == Kind.LowPrice ? 3 + rng.NextDouble() : 20 + (rng.NextDouble() * 180), 2);
            volume[0] = Math.Round(v0 * (1 + (0.05 * Noise(rng))));
            for (var i = 1; i < n - 1; i++)
            {
                var r = 0.015 * Noise(rng);
                var v = v0 * (1 + (0.05 * Noise(rng)));
                if (spec.Kind == Kind.EarlierSpike && i == n - 2)
                {
                    (r, v) = (0.12, v0 * 5);
                }

                close[i] = Math.Round(close[i - 1] * (1 + r), 2);
                volume[i] = Math.Round(v);
            }

            if (n < 22)
            {
                close[^1] = Math.Round(close[^2] * 1.1, 2);
                volume[^1] = Math.Round(v0 * 3);
                return new Series(symbol, spec, dates, close, volume, null);
            }

            var returns = Enumerable.Range(n - 21, 20).Select(j => (close[j] / close[j - 1]) - 1).ToArray();
            var mean = returns.Average();
            var std = Math.Sqrt(returns.Select(x => (x - mean) * (x - mean)).Average());
            var z = spec.Z ?? (0.5 * Noise(rng));
            var m = spec.Volume ?? (1 + (0.1 * Noise(rng)));
            close[^1] = Math.Round(close[^2] * (1 + mean + (z * std)), 2);
            volume[^1] = Math.Round(volume[(n - 21)..(n - 1)].Average() * m);
            (double, double)? onAsOf = spec.Kind == Kind.LookAhead ? (close[^1] * 1.25, volume[^1] * 8) : null;
            return new Series(symbol, spec, dates, close, volume, onAsOf);
        }
    }

    /// <summary>The fetcher's progress, read by the clock driver: chunks done (reports may arrive out of order).</summary>
    private sealed class ChunkCounter(int total) : IProgress<ChunkProgress>
    {
        private int _done;

        public int Total { get; } = total;

        public int Done => Volatile.Read(ref _done);

        public void Report(ChunkProgress value)
        {
            int seen;
            do
            {
                seen = Volatile.Read(ref _done);
                if (value.ChunksDone <= seen)
                {
                    return;
                }
            }
            while (Interlocked.CompareExchange(ref _done, value.ChunksDone, seen) != seen);
        }
    }
}
