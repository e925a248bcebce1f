using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Market;
using SentryBrain.Market.Alpaca;
using SentryBrain.Screening;
using SentryBrain.Tests.Market.Alpaca;
using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Screening;

/// <summary>
/// <c>SCREENER_USE_OFI</c> end to end: bars, latest trades and latest quotes from the fake Alpaca data server, the
/// <see cref="Screener"/> with an <see cref="AlpacaScreenOfi"/>, and the run time on a fake clock. The market is 300
/// symbols whose last return Z is planted: X (index 50) at about 3.0 and Y (index 51) at about 3.2, the rest below 1.
/// </summary>
public sealed class OfiScreenTests : IAsyncLifetime
{
    private const int Count = 300;
    private const int X = 50;
    private const int Y = 51;
    private const string QuotesPath = "/v2/stocks/quotes/latest";
    private const string TradesPath = "/v2/stocks/trades/latest";

    private static readonly DateOnly AsOf = new(2026, 3, 17); // a Tuesday

    /// <summary>08:00 New York time on the as-of day: a pre-market screen, for that session.</summary>
    private static readonly DateTimeOffset PreMarket = new(2026, 3, 17, 12, 0, 0, TimeSpan.Zero);

    /// <summary>19:59 New York time the evening before: the prints a pre-market screen sees.</summary>
    private static readonly DateTime LastPrint = new(2026, 3, 16, 23, 59, 0, DateTimeKind.Utc);

    private static readonly ScreenCriteria Criteria = new();
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, double[]> _closes = new(StringComparer.Ordinal);
    private FakeDataServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeDataServer.StartAsync();
        _server.PageSize = AlpacaDataClient.BarsPageLimit;
        LoadMarket();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task OFI_of_the_best_candidates_reorders_two_close_names_and_only_the_candidates_are_asked_for()
    {
        // Computed here: Y leads X on Z alone by about 0.2; X's trade at the ask adds 1, Y's at the mid adds 0.
        var (x, y) = (Ticker(X), Ticker(Y));
        var zX = ExpectedZ(x);
        var zY = ExpectedZ(y);
        Assert.InRange(Math.Abs(zY) - Math.Abs(zX), 0.1, 0.5);
        SetPrint(x, OfiAt.Ask);
        SetPrint(y, OfiAt.Mid);
        SetPrint(Ticker(Count - 1), OfiAt.Bid); // the best unqualified name: |−1| counts like +1
        SetPrint(Ticker(Count - 2), OfiAt.Ask, LastPrint.AddDays(-3)); // stale: no OFI
        var candidates = ExpectedCandidates(20);
        Assert.Contains(x, candidates);
        Assert.Contains(y, candidates);

        var clock = new TimerTrackingTimeProvider(PreMarket);
        using var client = NewClient(clock);
        var plain = await Within(NewScreener(client, clock, ofi: null).RunAsync(new ScreenRequest(Universe(), Criteria, 1, AsOf)));
        Assert.Equal([y], plain.SelectedSymbols);
        Assert.DoesNotContain(_server.Requests, r => r.Path is QuotesPath or TradesPath);

        _server.ClearRequests();
        var report = await Within(NewScreener(client, clock, new AlpacaScreenOfi(client)).RunAsync(new ScreenRequest(Universe(), Criteria, 1, AsOf)));

        Assert.Equal([x], report.SelectedSymbols);
        var byName = report.Ranked.ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        Assert.Equal([x, y], report.Ranked.Take(2).Select(s => s.Symbol));
        Assert.Equal(1.0, byName[x].Ofi!.Value, 1e-9);
        Assert.Equal(Math.Abs(zX) + 1, byName[x].Score, 1e-9);
        Assert.EndsWith("ofi=+1.00", byName[x].Reason, StringComparison.Ordinal);
        Assert.Equal(0.0, byName[y].Ofi!.Value, 1e-9);
        Assert.Equal(Math.Abs(zY), byName[y].Score, 1e-9);
        var best = byName[Ticker(Count - 1)];
        Assert.Equal(-1.0, best.Ofi!.Value, 1e-9);
        Assert.Equal(Math.Abs(ExpectedZ(best.Symbol)) + 1, best.Score, 1e-9);
        Assert.EndsWith("ofi=-1.00", best.Reason, StringComparison.Ordinal);
        Assert.Null(byName[Ticker(Count - 2)].Ofi);
        Assert.All(report.Ranked.Where(s => !candidates.Contains(s.Symbol)), s => Assert.Null(s.Ofi));
        Assert.Contains(report.Notes, n => n.Contains("for 19 of the 20 best candidates", StringComparison.Ordinal));

        // One request each for trades and quotes, naming exactly the 20 candidates, not the 300 symbols.
        var quotes = Assert.Single(_server.Requests, r => r.Path == QuotesPath);
        var trades = Assert.Single(_server.Requests, r => r.Path == TradesPath);
        Assert.Equal(candidates.Order(StringComparer.Ordinal), quotes.Symbols.Order(StringComparer.Ordinal));
        Assert.Equal(candidates.Order(StringComparer.Ordinal), trades.Symbols.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_failing_latest_quote_endpoint_leaves_the_screen_without_OFI_and_a_note()
    {
        SetPrint(Ticker(X), OfiAt.Ask);
        var failure = _server.AddFault((r, _) => r.Path == QuotesPath, int.MaxValue, 500);
        var clock = new TimerTrackingTimeProvider(PreMarket);
        using var client = NewClient(clock);

        var run = NewScreener(client, clock, new AlpacaScreenOfi(client)).RunAsync(new ScreenRequest(Universe(), Criteria, 1, AsOf));
        var report = await DriveAsync(run, clock);

        Assert.Equal([Ticker(Y)], report.SelectedSymbols); // the first pass's list stands
        Assert.All(report.Ranked, s => Assert.Null(s.Ofi));
        var note = Assert.Single(report.Notes, n => n.StartsWith("OFI skipped", StringComparison.Ordinal));
        Assert.Contains("HTTP 500", note, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeDataServer.SecretKey, note, StringComparison.Ordinal);
        Assert.Equal(3, failure.Hits); // the client's two retries, on the fake clock
        Assert.Empty(report.Failed);
    }

    [Fact]
    public async Task A_screen_for_another_session_than_the_live_one_skips_OFI_with_a_note_and_no_request()
    {
        SetPrint(Ticker(X), OfiAt.Ask);
        var clock = new TimerTrackingTimeProvider(PreMarket.AddDays(1)); // Wednesday morning: live is the 18th
        using var client = NewClient(clock);

        var report = await Within(NewScreener(client, clock, new AlpacaScreenOfi(client)).RunAsync(new ScreenRequest(Universe(), Criteria, 1, AsOf)));

        Assert.Equal([Ticker(Y)], report.SelectedSymbols);
        Assert.Contains(report.Notes, n => n.StartsWith("OFI skipped: the screen is for 2026-03-17", StringComparison.Ordinal) && n.Contains("2026-03-18", StringComparison.Ordinal));
        Assert.DoesNotContain(_server.Requests, r => r.Path is QuotesPath or TradesPath);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Discovery_uses_the_OFI_source_only_when_SCREENER_USE_OFI_is_on(bool useOfi)
    {
        SetPrint(Ticker(X), OfiAt.Ask);
        var config = new BrainConfig
        {
            Screener = new ScreenerSettings { Universe = "env", Tickers = string.Join(',', Universe().Symbols), DiscoveryTopN = 1, UseOfi = useOfi },
        };
        var clock = new TimerTrackingTimeProvider(PreMarket);
        using var client = NewClient(clock);
        var published = new List<ScreenReport>();
        var bars = new AlpacaScreenBars(new ChunkedBarFetcher(client, null, new ChunkPlan(100, 4), clock), 35);
        var job = new DiscoveryJob(config, bars, new UniverseContext(Tickers: config.Screener.Tickers), published.Add, NullLogger.Instance, clock, new AlpacaScreenOfi(client));

        await job.RunAsync(PreMarket.UtcDateTime, CancellationToken.None).WaitAsync(Patience);

        var report = Assert.Single(published);
        Assert.Equal([Ticker(useOfi ? X : Y)], report.SelectedSymbols);
        Assert.Equal(useOfi, _server.Requests.Any(r => r.Path == QuotesPath));
    }

    private enum OfiAt
    {
        Bid,
        Mid,
        Ask,
    }

    private static Screener NewScreener(AlpacaDataClient client, TimeProvider clock, IScreenOfiSource? ofi) =>
        new(new AlpacaScreenBars(new ChunkedBarFetcher(client, null, new ChunkPlan(100, 4), clock), 35), clock, ofi);

    private AlpacaDataClient NewClient(TimeProvider clock) =>
        new(new AlpacaDataOptions(FakeDataServer.KeyId, FakeDataServer.SecretKey, _server.BaseUrl, Timeout: TimeSpan.FromSeconds(30)), timeProvider: clock);

    private static Universe Universe() =>
        new("synthetic", [.. Enumerable.Range(0, Count).Select(Ticker)], [], new Dictionary<string, string>());

    /// <summary>
    /// 30 sessions before <see cref="AsOf"/> with returns alternating +1 % and −1 % at a constant 5 M volume, then a
    /// last return of 0.01·i/300 (Z below 1, a distinct score per symbol), 3.0 % for X and 3.2 % for Y. Every symbol
    /// has a 0.10-wide quote around its last close with a trade at its mid, both from the previous evening.
    /// </summary>
    private void LoadMarket()
    {
        var sessions = new DateOnly[30];
        var day = AsOf;
        for (var i = sessions.Length - 1; i >= 0; i--)
        {
            day = NyseCalendar.PreviousTradingDay(day);
            sessions[i] = day;
        }

        for (var s = 0; s < Count; s++)
        {
            var close = new double[sessions.Length];
            close[0] = 40 + (s * 0.25);
            for (var j = 1; j < close.Length - 1; j++)
            {
                close[j] = close[j - 1] * (j % 2 == 0 ? 1.01 : 0.99);
            }

            close[^1] = close[^2] * (1 + (s switch { X => 0.030, Y => 0.032, _ => 0.01 * s / Count }));
            var symbol = Ticker(s);
            _closes[symbol] = close;
            _server.AddDailySeries(symbol, close.Select((c, j) => (NewYorkTime.ToUtc(sessions[j], TimeOnly.MinValue), c, c * 1.005, c * 0.995, c, 5_000_000.0)));
            SetPrint(symbol, OfiAt.Mid);
        }
    }

    private void SetPrint(string symbol, OfiAt at, DateTime? time = null)
    {
        var t = (time ?? LastPrint).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var last = _closes[symbol][^1];
        var (bid, ask) = (Math.Round(last, 2) - 0.05, Math.Round(last, 2) + 0.05);
        var price = at switch { OfiAt.Bid => bid, OfiAt.Ask => ask, _ => (bid + ask) / 2 };
        _server.SetQuote(symbol, string.Create(CultureInfo.InvariantCulture, $$"""{"t":"{{t}}","bp":{{bid:R}},"bs":3,"bx":"V","ap":{{ask:R}},"as":2,"ax":"V","c":["R"],"z":"A"}"""));
        _server.SetTrade(symbol, string.Create(CultureInfo.InvariantCulture, $$"""{"t":"{{t}}","p":{{price:R}},"s":100,"x":"V","i":7,"c":["@"],"z":"A"}"""));
    }

    /// <summary>Z of the last return against the 20 before it (population standard deviation), computed here.</summary>
    private double ExpectedZ(string symbol)
    {
        var c = _closes[symbol];
        var returns = Enumerable.Range(c.Length - 21, 21).Select(j => (c[j] / c[j - 1]) - 1).ToArray();
        var window = returns[..20];
        var mean = window.Average();
        var std = Math.Sqrt(window.Select(r => (r - mean) * (r - mean)).Average());
        return (returns[20] - mean) / std;
    }

    /// <summary>The first pass's best <paramref name="n"/>: qualified (|Z| above 2) first, then |Z| (volume is flat), then symbol.</summary>
    private HashSet<string> ExpectedCandidates(int n) =>
        [.. _closes.Keys
            .Select(s => (Symbol: s, AbsZ: Math.Abs(ExpectedZ(s))))
            .OrderBy(s => s.AbsZ > Criteria.ZThreshold ? 0 : 1)
            .ThenByDescending(s => s.AbsZ)
            .ThenBy(s => s.Symbol, StringComparer.Ordinal)
            .Take(n)
            .Select(s => s.Symbol)];

    /// <summary>Moves the fake clock to each armed timer (the client's retry back-off) until the screen is done.</summary>
    private static async Task<T> DriveAsync<T>(Task<T> run, TimerTrackingTimeProvider clock)
    {
        var patience = System.Diagnostics.Stopwatch.StartNew();
        while (!run.IsCompleted)
        {
            Assert.True(patience.Elapsed < Patience, "the screen did not finish");
            if (clock.NextDue is { } due)
            {
                clock.AdvanceTo(due);
                continue;
            }

            await Task.Yield();
            await Task.Delay(1);
        }

        return await run;
    }

    private static Task<T> Within<T>(Task<T> task) => task.WaitAsync(Patience);

    private static string Ticker(int i) =>
        new([(char)('A' + (i / 17576 % 26)), (char)('A' + (i / 676 % 26)), (char)('A' + (i / 26 % 26)), (char)('A' + (i % 26))]);
}
