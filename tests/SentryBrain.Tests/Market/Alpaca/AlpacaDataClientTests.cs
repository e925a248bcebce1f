using SentryBrain.Execution.Alpaca;
using SentryBrain.Market;
using SentryBrain.Market.Alpaca;
using SentryBrain.Market.Bars;

namespace SentryBrain.Tests.Market.Alpaca;

public sealed class AlpacaDataClientTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime End = new(2024, 3, 31, 0, 0, 0, DateTimeKind.Utc);

    private FakeDataServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeDataServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GetBars_FollowsNextPageToken_AcrossPagesAndSymbols()
    {
        // 5 AAPL + 4 MSFT bars, 3 per page: AAPL spans pages 1-2, MSFT pages 2-3.
        for (var day = 1; day <= 5; day++)
        {
            _server.AddBar("AAPL", DailyT(2024, 3, day), 100 + day, 101 + day, 99 + day, 100.5 + day, 1000 * day);
        }

        for (var day = 1; day <= 4; day++)
        {
            _server.AddBar("MSFT", DailyT(2024, 3, day), 400 + day, 401 + day, 399 + day, 400.5 + day, 2000 * day);
        }

        using var client = NewClient();
        var bars = await client.GetBarsAsync(["aapl", "MSFT", "NODATA"], "1Day", Start, End);

        Assert.Equal(3, _server.RequestCount);
        var requests = _server.Requests;
        Assert.Null(requests[0]["page_token"]);
        Assert.NotNull(requests[1]["page_token"]);
        Assert.NotNull(requests[2]["page_token"]);
        Assert.NotEqual(requests[1]["page_token"], requests[2]["page_token"]);
        Assert.All(requests, r => Assert.Equal("AAPL,MSFT,NODATA", r["symbols"]));

        Assert.Equal([101.5, 102.5, 103.5, 104.5, 105.5], bars["AAPL"].Select(b => b.Close));
        Assert.Equal([DailyT(2024, 3, 1), DailyT(2024, 3, 2), DailyT(2024, 3, 3), DailyT(2024, 3, 4), DailyT(2024, 3, 5)], bars["AAPL"].Select(b => b.TimestampUtc));
        Assert.Equal([401.5, 402.5, 403.5, 404.5], bars["msft"].Select(b => b.Close));
        Assert.Empty(bars["NODATA"]);
    }

    [Fact]
    public async Task GetBars_ParsesNumbersAndRfc3339Times()
    {
        _server.AddRawBar("AAPL", new DateTime(2022, 2, 28, 5, 0, 0, DateTimeKind.Utc),
            """{"t":"2022-02-28T05:00:00Z","o":163.02,"h":165.42,"l":162.43,"c":165.12,"v":90552883,"n":743379,"vw":164.274348}""");
        _server.AddRawBar("AAPL", new DateTime(2022, 3, 1, 14, 30, 0, DateTimeKind.Utc),
            """{"t":"2022-03-01T09:30:00.123456789-05:00","o":1.5e2,"h":"151.25","l":149,"c":150.1,"v":12.5,"n":3,"vw":150.0000001}""");

        using var client = NewClient();
        var bars = (await client.GetBarsAsync(["AAPL"], "1Min", new DateTime(2022, 1, 1), new DateTime(2022, 12, 31)))["AAPL"];

        Assert.Equal(2, bars.Count);
        var first = bars[0];
        Assert.Equal(new DateTime(2022, 2, 28, 5, 0, 0, DateTimeKind.Utc), first.TimestampUtc);
        Assert.Equal(DateTimeKind.Utc, first.TimestampUtc.Kind);
        Assert.Equal(163.02, first.Open);
        Assert.Equal(165.42, first.High);
        Assert.Equal(162.43, first.Low);
        Assert.Equal(165.12, first.Close);
        Assert.Equal(90552883d, first.Volume);
        Assert.Equal(743379L, first.TradeCount);
        Assert.Equal(164.274348, first.Vwap);

        var second = bars[1];
        Assert.Equal(new DateTime(2022, 3, 1, 14, 30, 0, DateTimeKind.Utc).AddTicks(1_234_567), second.TimestampUtc);
        Assert.Equal(DateTimeKind.Utc, second.TimestampUtc.Kind);
        Assert.Equal(150d, second.Open);
        Assert.Equal(151.25, second.High);
        Assert.Equal(149d, second.Low);
        Assert.Equal(12.5, second.Volume);
        Assert.Equal(150.0000001, second.Vwap);
    }

    [Fact]
    public async Task GetBars_SendsTimeframeFeedAdjustmentAndRfc3339Range_AsQueryParameters()
    {
        using var client = NewClient(feed: "sip");
        await client.GetBarsAsync(
            ["AAPL", "BRK.B"],
            "1Min",
            new DateTime(2024, 3, 1, 14, 30, 0, DateTimeKind.Utc),
            new DateTime(2024, 3, 1, 21, 0, 0, 500, DateTimeKind.Utc),
            adjustment: "split,dividend");

        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v2/stocks/bars", request.Path);
        Assert.Equal("AAPL,BRK.B", request["symbols"]);
        Assert.Equal("1Min", request["timeframe"]);
        Assert.Equal("sip", request["feed"]);
        Assert.Equal("split,dividend", request["adjustment"]);
        Assert.Equal("2024-03-01T14:30:00Z", request["start"]);
        Assert.Equal("2024-03-01T21:00:00.5Z", request["end"]);
        Assert.Equal("10000", request["limit"]);
        Assert.Equal("asc", request["sort"]);
    }

    [Fact]
    public async Task WrongSecret_Gets401_AndExceptionNeverContainsKeyOrSecret()
    {
        const string wrongSecret = "WrOnG-secret-that-must-never-leak-42";
        using var client = new AlpacaDataClient(new AlpacaDataOptions(FakeDataServer.KeyId, wrongSecret, _server.BaseUrl, MaxRetries: 0));

        var ex = await Assert.ThrowsAsync<AlpacaApiException>(() => client.GetBarsAsync(["AAPL"], "1Day", Start, End));

        Assert.Equal(401, ex.StatusCode);
        Assert.Equal(40110000, ex.Code);
        Assert.Contains("not authorized", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongSecret, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeDataServer.KeyId, ex.ToString(), StringComparison.Ordinal);
        Assert.Single(_server.Requests); // 401 is not retried
    }

    [Fact]
    public async Task ErrorBodyEchoingTheSecret_IsScrubbed_AndOptionsNeverPrintThem()
    {
        _server.ForceNext(403, $$"""{"code":40310000,"message":"key {{FakeDataServer.KeyId}} with secret {{FakeDataServer.SecretKey}} has no SIP"}""");
        var options = Options(feed: "sip");
        using var client = new AlpacaDataClient(options);

        var ex = await Assert.ThrowsAsync<AlpacaApiException>(() => client.GetLatestTradesAsync(["AAPL"]));

        Assert.Equal(403, ex.StatusCode);
        Assert.DoesNotContain(FakeDataServer.SecretKey, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeDataServer.KeyId, ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("feed=iex", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeDataServer.SecretKey, options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeDataServer.KeyId, options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerError_IsRetried_ThenSucceeds()
    {
        _server.AddBar("AAPL", DailyT(2024, 3, 4), 1, 2, 0.5, 1.5, 10);
        _server.ForceNext(503, """{"message":"busy"}""");

        using var client = NewClient();
        var bars = await client.GetBarsAsync(["AAPL"], "1Day", Start, End);

        Assert.Single(bars["AAPL"]);
        Assert.Equal(2, _server.RequestCount);
    }

    [Fact]
    public async Task UnreachableServer_GivesNetworkError_WithUnknownStatus()
    {
        var closedPort = new Uri("http://127.0.0.1:1/");
        using var client = new AlpacaDataClient(new AlpacaDataOptions(FakeDataServer.KeyId, FakeDataServer.SecretKey, closedPort, MaxRetries: 0));

        var ex = await Assert.ThrowsAsync<AlpacaApiException>(() => client.GetLatestQuotesAsync(["AAPL"]));

        Assert.Null(ex.StatusCode);
        Assert.True(ex.OutcomeUnknown);
        Assert.DoesNotContain(FakeDataServer.SecretKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LatestQuotesAndTrades_AreParsed()
    {
        _server.SetQuote("AAPL", """{"t":"2024-03-01T15:00:00.000000001Z","ax":"Q","ap":180.12,"as":2,"bx":"V","bp":180.1,"bs":3,"c":["R"],"z":"C"}""");
        _server.SetTrade("AAPL", """{"t":"2021-02-22T15:51:44.208Z","x":"D","p":126.55,"s":1,"c":["@","I"],"i":96921,"z":"C"}""");

        using var client = NewClient();
        var quotes = await client.GetLatestQuotesAsync(["AAPL", "MSFT"]);
        var trades = await client.GetLatestTradesAsync(["aapl"]);

        var quote = Assert.Single(quotes).Value;
        Assert.Equal(180.1, quote.BidPrice);
        Assert.Equal(3, quote.BidSize);
        Assert.Equal("V", quote.BidExchange);
        Assert.Equal(180.12, quote.AskPrice);
        Assert.Equal(2, quote.AskSize);
        Assert.Equal(["R"], quote.Conditions);
        Assert.Equal(new DateTime(2024, 3, 1, 15, 0, 0, DateTimeKind.Utc), quote.TimestampUtc);

        var trade = trades["AAPL"];
        Assert.Equal(126.55, trade.Price);
        Assert.Equal(1, trade.Size);
        Assert.Equal(96921, trade.Id);
        Assert.Equal(["@", "I"], trade.Conditions);
        Assert.Equal(new DateTime(2021, 2, 22, 15, 51, 44, 208, DateTimeKind.Utc), trade.TimestampUtc);
        Assert.All(_server.Requests, r => Assert.Equal("iex", r["feed"]));
    }

    [Fact]
    public async Task News_FollowsPages_NewestFirst_AndStopsAtLimit()
    {
        for (var i = 1; i <= 8; i++)
        {
            var created = new DateTime(2024, 3, i, 12, 0, 0, DateTimeKind.Utc);
            _server.AddNews(created, ["AAPL"], $$"""
                {"id":{{i}},"headline":"H{{i}}","summary":"S","author":"A","created_at":"{{created:yyyy-MM-dd'T'HH:mm:ss'Z'}}","updated_at":"{{created:yyyy-MM-dd'T'HH:mm:ss'Z'}}","url":"https://x/{{i}}","content":"","symbols":["AAPL"],"source":"benzinga","images":[]}
                """);
        }

        _server.AddNews(new DateTime(2024, 3, 9, 12, 0, 0, DateTimeKind.Utc), ["TSLA"], """{"id":99,"headline":"T","summary":"","author":"","created_at":"2024-03-09T12:00:00Z","updated_at":"2024-03-09T12:00:00Z","url":null,"symbols":["TSLA"],"source":"benzinga","images":[]}""");

        using var client = NewClient();
        var all = await client.GetNewsAsync(["AAPL"], Start, End, limit: 50);
        Assert.Equal([8L, 7, 6, 5, 4, 3, 2, 1], all.Select(a => a.Id));
        Assert.Equal(3, _server.RequestCount); // 3 + 3 + 2
        Assert.Equal(new DateTime(2024, 3, 8, 12, 0, 0, DateTimeKind.Utc), all[0].CreatedAtUtc);
        Assert.Equal("H8", all[0].Headline);
        Assert.Equal(["AAPL"], all[0].Symbols);

        _server.ClearRequests();
        var limited = await client.GetNewsAsync(["AAPL"], Start, End, limit: 4);
        Assert.Equal([8L, 7, 6, 5], limited.Select(a => a.Id));
        Assert.Equal(2, _server.RequestCount);
        Assert.Equal("1", _server.Requests[1]["limit"]);

        _server.ClearRequests();
        var tsla = await client.GetNewsAsync(["TSLA"], Start, End);
        Assert.Null(Assert.Single(tsla).Url);
    }

    internal static DateTime DailyT(int year, int month, int day) =>
        NewYorkTime.ToUtc(new DateOnly(year, month, day), TimeOnly.MinValue);

    private AlpacaDataOptions Options(string feed = "iex") =>
        new(FakeDataServer.KeyId, FakeDataServer.SecretKey, _server.BaseUrl, feed, TimeSpan.FromSeconds(5));

    private AlpacaDataClient NewClient(string feed = "iex") => new(Options(feed));
}

public sealed class BarCacheTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTime Start = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime End = new(2024, 3, 31, 0, 0, 0, DateTimeKind.Utc);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sentry-barcache-" + Guid.NewGuid().ToString("N"));
    private FakeDataServer _server = null!;

    private string DbPath => Path.Combine(_dir, "bars.db");

    public async Task InitializeAsync()
    {
        _server = await FakeDataServer.StartAsync();
        for (var day = 1; day <= 7; day++)
        {
            _server.AddBar("AAPL", AlpacaDataClientTests.DailyT(2024, 3, day), day, day + 1, day - 0.5, day + 0.25, 100 * day, day, day + 0.1);
            _server.AddBar("MSFT", AlpacaDataClientTests.DailyT(2024, 3, day), 10 * day, 10 * day + 1, 10 * day - 1, 10 * day + 0.5, 10 * day);
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task SecondIdenticalCall_MakesNoRequest()
    {
        using var client = NewClient();
        using var cache = BarCache.Open(DbPath);

        var first = await cache.GetBarsAsync(client, ["AAPL", "MSFT"], "1Day", Start, End);
        var requestsAfterFirst = _server.RequestCount;
        var second = await cache.GetBarsAsync(client, ["MSFT", "aapl"], "1Day", Start, End);

        Assert.Equal(5, requestsAfterFirst); // 14 bars, 3 per page
        Assert.Equal(requestsAfterFirst, _server.RequestCount);
        Assert.Equal(first["AAPL"], second["AAPL"]);
        Assert.Equal(first["MSFT"], second["MSFT"]);
        Assert.Equal(7, second["AAPL"].Count);
    }

    [Fact]
    public async Task DifferentRangeOrAdjustment_MakesNewRequests_OnlyForMissingSymbols()
    {
        using var client = NewClient();
        using var cache = BarCache.Open(DbPath);
        await cache.GetBarsAsync(client, ["AAPL"], "1Day", Start, End);

        _server.ClearRequests();
        var shorter = await cache.GetBarsAsync(client, ["AAPL"], "1Day", Start, AlpacaDataClientTests.DailyT(2024, 3, 3));
        Assert.Equal(3, shorter["AAPL"].Count);
        Assert.Single(_server.Requests);

        _server.ClearRequests();
        await cache.GetBarsAsync(client, ["AAPL"], "1Day", Start, End, adjustment: "all");
        Assert.Equal("all", Assert.Single(_server.Requests.Select(r => r["adjustment"]).Distinct()));

        _server.ClearRequests();
        await cache.GetBarsAsync(client, ["AAPL", "MSFT"], "1Day", Start, End);
        Assert.All(_server.Requests, r => Assert.Equal("MSFT", r["symbols"]));
        Assert.NotEmpty(_server.Requests);
    }

    [Fact]
    public async Task Cache_SurvivesReopeningTheFile_WithExactValues()
    {
        IReadOnlyList<AlpacaBar> original;
        using (var client = NewClient())
        using (var cache = BarCache.Open(DbPath))
        {
            original = (await cache.GetBarsAsync(client, ["AAPL"], "1Day", Start, End))["AAPL"];
        }

        _server.ClearRequests();
        using (var client = NewClient())
        using (var reopened = BarCache.Open(DbPath))
        {
            var again = (await reopened.GetBarsAsync(client, ["AAPL"], "1Day", Start, End))["AAPL"];
            Assert.Equal(original, again);
            Assert.All(again, b => Assert.Equal(DateTimeKind.Utc, b.TimestampUtc.Kind));
        }

        Assert.Equal(0, _server.RequestCount);
    }

    [Fact]
    public async Task RangeNotYetSettled_IsNotCached()
    {
        using var client = NewClient();
        using var cache = BarCache.Open(BarCache.MemoryPath);
        var end = DateTime.UtcNow.AddDays(1);

        await cache.GetBarsAsync(client, ["AAPL"], "1Day", Start, end);
        var afterFirst = _server.RequestCount;
        await cache.GetBarsAsync(client, ["AAPL"], "1Day", Start, end);

        Assert.Equal(2 * afterFirst, _server.RequestCount);
    }

    [Theory]
    [InlineData("1Day", "2024-03-05T03:59:59Z", "2024-03-05T05:00:00Z")] // EST: bar of Mar 4 final at NY midnight
    [InlineData("1Day", "2024-07-02T12:00:00Z", "2024-07-03T04:00:00Z")] // EDT: bar of Jul 2 still forming at noon
    [InlineData("1Min", "2024-03-05T15:00:00Z", "2024-03-05T15:16:00Z")]
    [InlineData("1Hour", "2024-03-05T15:00:00Z", "2024-03-05T16:15:00Z")]
    public void SettledAt_ByTimeframe(string timeframe, string end, string expected)
    {
        var parse = (string s) => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime;
        Assert.Equal(parse(expected), BarCache.SettledAtUtc(timeframe, parse(end)));
    }

    [Fact]
    public async Task CachedBarSource_ReturnsOnlyBarsStrictlyBeforeTheDate_AndCachesThem()
    {
        using var client = NewClient();
        using var cache = BarCache.Open(DbPath);
        var source = new CachedBarSource(client, cache);
        var before = new DateOnly(2024, 3, 5);

        var bars = source.Load("AAPL", before);

        Assert.Equal([new DateOnly(2024, 3, 1), new DateOnly(2024, 3, 2), new DateOnly(2024, 3, 3), new DateOnly(2024, 3, 4)], bars.Select(b => b.Date));
        Assert.Equal(new DailyBar(new DateOnly(2024, 3, 4), 4, 5, 3.5, 4.25, 400), bars[^1]);
        var request = _server.Requests[0];
        Assert.Equal("1Day", request["timeframe"]);
        Assert.Equal("split", request["adjustment"]);
        Assert.Equal("2023-01-30T05:00:00Z", request["start"]); // NY midnight, 400 days earlier
        Assert.Equal("2024-03-05T04:59:59Z", request["end"]);

        _server.ClearRequests();
        Assert.Equal(bars, source.Load("aapl", before));
        Assert.Equal(0, _server.RequestCount);
    }

    [Fact]
    public void CachedBarSource_DropsLookAheadBars_EvenWhenTheApiReturnsThem()
    {
        var api = new LookAheadApi();
        using var cache = BarCache.Open(BarCache.MemoryPath);
        var source = new CachedBarSource(api, cache);

        var bars = source.Load("SPY", new DateOnly(2024, 3, 5));

        Assert.Equal([new DateOnly(2024, 3, 4)], bars.Select(b => b.Date));
    }

    [Fact]
    public async Task CachedBarSource_ReportsApiErrors_AndReturnsNoHistory()
    {
        using var client = new AlpacaDataClient(new AlpacaDataOptions(FakeDataServer.KeyId, "not-the-secret-000000", _server.BaseUrl, MaxRetries: 0));
        using var cache = BarCache.Open(BarCache.MemoryPath);
        var errors = new List<string>();
        var source = new CachedBarSource(client, cache, reportError: errors.Add);

        Assert.Empty(source.Load("AAPL", new DateOnly(2024, 3, 5)));
        Assert.Contains("401", Assert.Single(errors), StringComparison.Ordinal);

        // Once the key is right, the prefetch fills the cache for every symbol with one paginated request.
        using var good = NewClient();
        var prefetching = new CachedBarSource(good, cache);
        await prefetching.PrefetchAsync(["AAPL", "MSFT"], new DateOnly(2024, 3, 5));
        _server.ClearRequests();
        Assert.Equal(4, prefetching.Load("MSFT", new DateOnly(2024, 3, 5)).Count);
        Assert.Equal(0, _server.RequestCount);
    }

    private AlpacaDataClient NewClient() =>
        new(new AlpacaDataOptions(FakeDataServer.KeyId, FakeDataServer.SecretKey, _server.BaseUrl, Timeout: TimeSpan.FromSeconds(5)));

    /// <summary>A misbehaving API that ignores <c>end</c>: returns the bar of the requested date and a later one too.</summary>
    private sealed class LookAheadApi : IAlpacaBarsApi
    {
        public string Feed => "iex";

        public Task<IReadOnlyDictionary<string, IReadOnlyList<AlpacaBar>>> GetBarsAsync(
            IReadOnlyList<string> symbols,
            string timeframe,
            DateTime startUtc,
            DateTime endUtc,
            string adjustment = "raw",
            CancellationToken cancellationToken = default)
        {
            IReadOnlyList<AlpacaBar> bars =
            [
                new(AlpacaDataClientTests.DailyT(2024, 3, 4), 1, 1, 1, 1, 1, 1, 1),
                new(AlpacaDataClientTests.DailyT(2024, 3, 5), 2, 2, 2, 2, 2, 2, 2),
                new(AlpacaDataClientTests.DailyT(2024, 3, 6), 3, 3, 3, 3, 3, 3, 3),
            ];
            return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<AlpacaBar>>>(
                new Dictionary<string, IReadOnlyList<AlpacaBar>> { [symbols[0]] = bars });
        }
    }
}
