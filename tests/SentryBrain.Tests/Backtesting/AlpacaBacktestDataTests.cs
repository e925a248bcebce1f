using SentryBrain.Backtesting;
using SentryBrain.Market.Alpaca;
using SentryBrain.Tests.Market.Alpaca;

namespace SentryBrain.Tests.Backtesting;

/// <summary><c>--data alpaca</c> against the in-process fake data server (loopback only): New York dates, bad bars reported, cache reused.</summary>
public sealed class AlpacaBacktestDataTests : IAsyncLifetime
{
    private FakeDataServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeDataServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task LoadAlpaca_NamesBarsByNewYorkDate_SkipsBadBars_AndUsesTheCacheTheSecondTime()
    {
        // Daily bars start at New York midnight: 04:00 or 05:00 UTC.
        _server.AddBar("AAPL", new DateTime(2024, 3, 4, 5, 0, 0, DateTimeKind.Utc), 10, 11, 9, 10.5, 100);
        _server.AddBar("AAPL", new DateTime(2024, 3, 5, 5, 0, 0, DateTimeKind.Utc), 10, 9, 11, 10.5, 100); // high < low
        _server.AddBar("AAPL", new DateTime(2024, 3, 11, 4, 0, 0, DateTimeKind.Utc), 11, 12, 10, 11.5, 100);
        using var client = new AlpacaDataClient(new AlpacaDataOptions(FakeDataServer.KeyId, FakeDataServer.SecretKey, _server.BaseUrl, Timeout: TimeSpan.FromSeconds(5)));
        using var cache = BarCache.Open(BarCache.MemoryPath);
        var issues = new List<BarIssue>();

        var series = await BacktestData.LoadAlpacaAsync(client, cache, ["AAPL"], new DateOnly(2024, 3, 1), new DateOnly(2024, 3, 29), issues);
        var requests = _server.RequestCount;
        await BacktestData.LoadAlpacaAsync(client, cache, ["AAPL"], new DateOnly(2024, 3, 1), new DateOnly(2024, 3, 29), []);

        var bars = Assert.Single(series).Bars;
        Assert.Equal([new DateOnly(2024, 3, 4), new DateOnly(2024, 3, 11)], bars.Select(b => b.Date));
        var issue = Assert.Single(issues);
        Assert.Equal("alpaca:AAPL", issue.Source);
        Assert.Equal(requests, _server.RequestCount);
    }
}
