using System.Diagnostics;
using System.IO.Pipes;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Market;
using SentryBrain.Market.Alpaca;
using SentryBrain.Screening;
using SentryBrain.Tests.Cli;
using SentryBrain.Tests.Engine;
using SentryBrain.Tests.Market.Alpaca;
using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Screening;

/// <summary>
/// Issue 12, discovery inside the consumer: <c>consume</c> with <c>DISCOVERY_ENABLED</c> screens on its injected clock
/// at the window's first slot, against the fake Alpaca data server, while it reads events; the next event applies the
/// list and the journal gets a <c>screen</c> line with source <c>discovery</c> and the reasons. A configuration it
/// cannot run with stops the consumer before anything is read.
/// </summary>
public sealed class ConsumerDiscoveryTests : IAsyncLifetime
{
    /// <summary>Tuesday 2026-03-03 (EST, UTC−5): 07:00 ET is 12:00 UTC.</summary>
    private static readonly DateOnly AsOf = new(2026, 3, 3);

    private static readonly DateTimeOffset WindowStart = new(2026, 3, 3, 12, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly string[] Quiet = ["AAA", "BBB", "CCC", "DDD"];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "consumer-discovery-" + Guid.NewGuid().ToString("N"));
    private FakeDataServer _server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _server = await FakeDataServer.StartAsync();
        _server.PageSize = AlpacaDataClient.BarsPageLimit;
        LoadBars(_server, AsOf);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string ActiveFile => Path.Combine(_dir, "active.txt");

    [Fact]
    public async Task Consume_screens_at_the_window_start_on_its_clock_and_journals_the_new_list_with_source_discovery()
    {
        var config = DiscoveryConfig();
        Assert.Null(ConsumerDiscovery.ConfigurationProblem(config));
        var clock = new TimerTrackingTimeProvider(WindowStart - TimeSpan.FromMinutes(1));
        _server.Clock = clock;
        using var input = new AnonymousPipeServerStream(PipeDirection.Out);
        using var output = new MemoryStream();
        var run = Task.Run(() =>
        {
            using var reading = new AnonymousPipeClientStream(PipeDirection.In, input.ClientSafePipeHandle);
            return ConsumeRunner.Run(reading, output, config, NullLogger.Instance, _ => null, clock);
        });

        await WriteLineAsync(input, SeamStreams.Quote(WindowStart.UtcDateTime.AddSeconds(-30), "AAA", 49.9, 50.1));

        // 06:59 ET is outside the window: the loop waits on the fake clock for 07:00, nothing is fetched meanwhile.
        await WaitUntilAsync(() => clock.NextDue == WindowStart, "the discovery loop to wait for 07:00 ET on the fake clock", run);
        Assert.Equal(0, _server.BarsRequestCount);
        Assert.False(File.Exists(ActiveFile));

        clock.AdvanceTo(WindowStart);
        await WaitUntilAsync(() => File.Exists(ActiveFile), "the discovery screen to write ACTIVE_SYMBOLS_FILE", run);

        // The next event takes the published list, before its own decision.
        await WriteLineAsync(input, SeamStreams.Quote(WindowStart.UtcDateTime.AddSeconds(30), "HOT", 54.0, 54.2));
        input.Dispose();
        var result = await run.WaitAsync(Patience);

        var journal = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var screen = Assert.Single(journal, l => Kind(l) == "screen");
        Assert.Equal("discovery", screen.GetProperty("source").GetString());
        Assert.Equal(["HOT", "SPIKE"], Strings(screen, "symbols"));
        Assert.Equal(["HOT", "SPIKE"], Strings(screen, "added"));
        Assert.Empty(Strings(screen, "removed"));
        var reasons = screen.GetProperty("reasons");
        Assert.StartsWith("|Z|=", reasons.GetProperty("HOT").GetString(), StringComparison.Ordinal);
        Assert.Contains("vol=3.00x", reasons.GetProperty("SPIKE").GetString(), StringComparison.Ordinal);

        // The screen line is journaled at the event that applied it, before that event's decision.
        var screenAt = Array.IndexOf(journal, screen);
        Assert.Equal("2026-03-03T12:00:30", screen.GetProperty("ts").GetString()![..19]);
        Assert.DoesNotContain(journal[..screenAt], l => Kind(l) == "decision" && l.GetProperty("symbol").GetString() == "HOT");
        Assert.Equal(2, result.Summary.Events);

        // One bars request, at the slot's time on the fake clock; the file holds the same list under its header.
        var request = Assert.Single(_server.BarsRequests);
        Assert.Equal(WindowStart, request.At);
        var file = File.ReadAllLines(ActiveFile);
        Assert.Equal(["HOT", "SPIKE"], file.Where(l => l.Length > 0 && l[0] != '#').Order(StringComparer.Ordinal));
        Assert.Contains(file, l => l.StartsWith("# SentryBrain screen at 2026-03-03T12:00:00Z", StringComparison.Ordinal));
    }

    [Fact]
    public void A_consumer_that_cannot_run_discovery_says_what_is_missing_and_reads_nothing()
    {
        using var dir = BrainCli.NewFolder();
        var result = BrainCli.RunWithInput(
            dir.Path,
            new Dictionary<string, string> { ["DISCOVERY_ENABLED"] = "true" },
            SeamStreams.Quote(WindowStart.UtcDateTime, "AAA", 49.9, 50.1) + "\n",
            Patience,
            "consume");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("DISCOVERY_ENABLED=true needs OPPORTUNITY_ENGINE_ENABLED=true", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("ACTIVE_SYMBOLS_FILE", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("APCA_API_KEY_ID", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public void The_configuration_maps_to_the_discovery_timetable_and_starts_nothing_when_off()
    {
        var config = DiscoveryConfig(("DISCOVERY_START_ET", "06:30"), ("DISCOVERY_END_ET", "09:00"), ("DISCOVERY_INTERVAL_MIN", "15"), ("SCREENER_RUN_AT_ET", ""));
        Assert.Equal(new DiscoveryTimes(new TimeOnly(6, 30), new TimeOnly(9, 0), 15, null), ConsumerDiscovery.TimesFrom(config.Screener));
        Assert.Equal(DiscoveryTimes.Default, ConsumerDiscovery.TimesFrom(new ScreenerSettings()));

        var off = config with { Screener = config.Screener with { DiscoveryEnabled = false } };
        Assert.Null(ConsumerDiscovery.ConfigurationProblem(off));
        Assert.Null(ConsumerDiscovery.Start(off, null, NullLogger.Instance, new TimerTrackingTimeProvider()));

        var noKeys = config with { AlpacaKeyId = string.Empty };
        var problem = ConsumerDiscovery.ConfigurationProblem(noKeys);
        Assert.NotNull(problem);
        Assert.DoesNotContain("OPPORTUNITY_ENGINE_ENABLED", problem, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ConsumerDiscovery.Start(noKeys, null, NullLogger.Instance, new TimerTrackingTimeProvider()));
    }

    [Fact]
    public void Discover_once_screens_now_writes_the_list_atomically_and_prints_it()
    {
        // Bars up to the session before the next one: should the next session move on while the test runs, the
        // screen only sees the same last bars (nothing newer exists), so the outcome cannot change.
        LoadBars(_server, Screener.DefaultAsOf(DateTime.UtcNow));
        using var dir = BrainCli.NewFolder();
        var env = new Dictionary<string, string>
        {
            ["APCA_API_KEY_ID"] = FakeDataServer.KeyId,
            ["APCA_API_SECRET_KEY"] = FakeDataServer.SecretKey,
            ["ALPACA_DATA_BASE_URL"] = _server.BaseUrl.ToString(),
            ["BAR_CACHE_PATH"] = dir["cache.db"],
            ["SCREENER_UNIVERSE"] = string.Join(',', ["HOT", "SPIKE", .. Quiet]),
        };

        var result = BrainCli.Run(dir.Path, env, "discover", "--once", "--out", dir["active.txt"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ HOT,SPIKE \(HOT \|Z\|=[0-9.]+ vol=[0-9.]+x; SPIKE \|Z\|=[0-9.]+ vol=3\.00x\)\n?$", result.Stdout);
        Assert.Equal(["HOT", "SPIKE"], File.ReadAllLines(dir["active.txt"]).Where(l => l.Length > 0 && l[0] != '#'));
        Assert.DoesNotContain(FakeDataServer.SecretKey, result.All, StringComparison.Ordinal);

        // Without keys it says so and writes nothing.
        var noKeys = BrainCli.Run(dir.Path, new Dictionary<string, string> { ["ACTIVE_SYMBOLS_FILE"] = dir["other.txt"] }, "discover", "--once");
        Assert.Equal(2, noKeys.ExitCode);
        Assert.Contains("APCA_API_KEY_ID", noKeys.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(dir["other.txt"]));
    }

    private BrainConfig DiscoveryConfig(params (string Key, string Value)[] extra) => BrainConfig.Load(ConfigSource.FromPairs(
    [
        ("OPPORTUNITY_ENGINE_ENABLED", "true"),
        ("ACTIVE_SYMBOLS_FILE", ActiveFile),
        ("DISCOVERY_ENABLED", "true"),
        ("APCA_API_KEY_ID", FakeDataServer.KeyId),
        ("APCA_API_SECRET_KEY", FakeDataServer.SecretKey),
        ("ALPACA_DATA_BASE_URL", _server.BaseUrl.ToString()),
        ("BAR_CACHE_PATH", Path.Combine(_dir, "bars-cache.db")),
        ("SCREENER_UNIVERSE", string.Join(',', ["HOT", "SPIKE", .. Quiet])),
        .. extra,
    ]));

    /// <summary>
    /// 40 sessions before <paramref name="asOf"/>: closes alternating ±0.4 % around 50 and volumes of 5 million (±1 %), so
    /// a quiet symbol has |Z| ≈ 1 and a volume ratio ≈ 1. HOT's last close jumps 8 % (|Z| far above 2) and SPIKE's last
    /// volume is 3× the 20 sessions before it (the spike day is not in its own average), so those two qualify.
    /// </summary>
    private static void LoadBars(FakeDataServer server, DateOnly asOf)
    {
        var sessions = new List<DateOnly>();
        for (var day = NyseCalendar.PreviousTradingDay(asOf); sessions.Count < 40; day = NyseCalendar.PreviousTradingDay(day))
        {
            sessions.Insert(0, day);
        }

        foreach (var symbol in (string[])["HOT", "SPIKE", .. Quiet])
        {
            var bars = new List<(DateTime, double, double, double, double, double)>();
            var close = 50.0;
            for (var i = 0; i < sessions.Count; i++)
            {
                var last = i == sessions.Count - 1;
                var open = close;
                close = last && symbol == "HOT" ? Math.Round(close * 1.08, 2) : Math.Round(close * (i % 2 == 0 ? 1.004 : 0.996), 2);
                var volume = 5_000_000.0 * (1 + (0.01 * ((i % 3) - 1)));
                if (last && symbol == "SPIKE")
                {
                    volume = 3 * bars.TakeLast(20).Average(b => b.Item6);
                }

                bars.Add((NewYorkTime.ToUtc(sessions[i], TimeOnly.MinValue), open, Math.Max(open, close), Math.Min(open, close), close, volume));
            }

            server.AddDailySeries(symbol, bars);
        }
    }

    private static string Kind(JsonElement line) => line.GetProperty("kind").GetString()!;

    private static string[] Strings(JsonElement line, string name) => [.. line.GetProperty(name).EnumerateArray().Select(e => e.GetString()!)];

    private static async Task WriteLineAsync(Stream input, string line)
    {
        await input.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
        await input.FlushAsync();
    }

    /// <summary>Polls (wall clock) until <paramref name="condition"/> holds; fails naming what it waited for, or with
    /// the consumer's own failure if it ended first.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what, Task consumer)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (consumer.IsCompleted)
            {
                await consumer;
                Assert.Fail($"the consumer ended while waiting for {what}");
            }

            Assert.True(waited.Elapsed < Patience, $"timed out after {Patience.TotalSeconds:0} s waiting for {what}");
            await Task.Delay(1);
        }
    }
}
