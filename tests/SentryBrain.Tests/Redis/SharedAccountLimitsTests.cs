using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Journal;
using SentryBrain.Rules;
using SentryBrain.Streams;

namespace SentryBrain.Tests.Redis;

[Collection("redis")]
public sealed class SharedAccountLimitsTests
{
    private static readonly DateOnly Day = new(2026, 3, 2);
    private static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task TwoBrainsReservingAtOnce_NeverTogetherExceedTheLimit()
    {
        using var a = RedisTestServer.Connect();
        using var b = RedisTestServer.Connect();
        var prefix = RedisTestServer.UniqueStream("account");
        var brains = new[] { new RedisAccountLimits(a.GetDatabase(), prefix, TimeProvider.System), new RedisAccountLimits(b.GetDatabase(), prefix, TimeProvider.System) };
        var granted = await Task.WhenAll(brains.Select(brain => Task.Run(() =>
            Enumerable.Range(0, 200).Count(_ => brain.TryReserveBuy(Day, 1000, 50_000)))));
        Assert.Equal(50, granted.Sum());
        Assert.Equal(50_000, brains[0].Spent(Day));
        Assert.False(brains[1].TryReserveBuy(Day, 0.01, 50_000));
        Assert.True(brains[1].TryReserveBuy(Day.AddDays(1), 1000, 50_000)); // a new trading date, a new budget
    }

    [Fact]
    public void AHaltLatchedByOneBrain_IsSeenByTheOther_AndKeepsTheFirstReason()
    {
        using var a = RedisTestServer.Connect();
        using var b = RedisTestServer.Connect();
        var prefix = RedisTestServer.UniqueStream("halt");
        var first = new RedisAccountLimits(a.GetDatabase(), prefix, TimeProvider.System);
        var second = new RedisAccountLimits(b.GetDatabase(), prefix, TimeProvider.System);
        Assert.Null(second.HaltReason(Day));
        first.Halt(Day, "drawdown");
        second.Halt(Day, "kill_switch");
        Assert.Equal("drawdown", second.HaltReason(Day));
        Assert.Null(second.HaltReason(Day.AddDays(1)));
    }

    [Fact]
    public void AnotherBrainsHalt_IsSeenWithinTheRefreshTime()
    {
        using var a = RedisTestServer.Connect();
        var prefix = RedisTestServer.UniqueStream("halt-cache");
        var time = new FakeTimeProvider();
        var reader = new RedisAccountLimits(a.GetDatabase(), prefix, time);
        var writer = new RedisAccountLimits(a.GetDatabase(), prefix, TimeProvider.System);
        Assert.Null(reader.HaltReason(Day));
        writer.Halt(Day, "daily_cap_TargetReached");
        time.Advance(RedisAccountLimits.HaltRefresh - TimeSpan.FromMilliseconds(1));
        Assert.Null(reader.HaltReason(Day)); // the cached "no halt" is still trusted
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("daily_cap_TargetReached", reader.HaltReason(Day));
    }

    [Fact]
    public void LocalLimits_HaveTheSameRules()
    {
        var local = new LocalAccountLimits();
        Assert.True(local.TryReserveBuy(Day, 600, 1000));
        Assert.False(local.TryReserveBuy(Day, 600, 1000));
        Assert.True(local.TryReserveBuy(Day, 400, 1000));
        Assert.False(local.TryReserveBuy(Day, double.NaN, 1000));
        local.Halt(Day, "x");
        local.Halt(Day, "y");
        Assert.Equal("x", local.HaltReason(Day));
    }

    private static string Line(string type, DateTime ts, string symbol, double r) => type == "quote"
        ? string.Create(CultureInfo.InvariantCulture, $$$"""{"type":"quote","ts":"{{{Rfc3339.Format(ts)}}}","payload":{"symbol":"{{{symbol}}}","bid":99.9,"ask":100.1,"bid_size":5,"ask_size":5,"volume_1m":1000,"volume_5m":5000,"return_1m":{{{r}}},"return_5m":{{{r}}},"session":"regular","volatility":0.3}}""")
        : string.Create(CultureInfo.InvariantCulture, $$$"""{"type":"trade","ts":"{{{Rfc3339.Format(ts)}}}","payload":{"symbol":"{{{symbol}}}","price":100,"size":100,"volume_1m":1000,"volume_5m":5000,"return_1m":{{{r}}},"return_5m":{{{r}}},"session":"regular","volatility":0.3}}""");

    /// <summary>Two engines (two brains owning different symbols) with one shared budget: the second buy does not fit.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TwoEngines_OneBudget_TheSecondBuyIsHeld(bool redis)
    {
        using var connection = redis ? RedisTestServer.Connect() : null;
        ISharedAccountLimits shared = connection is null ? new LocalAccountLimits() : new RedisAccountLimits(connection.GetDatabase(), RedisTestServer.UniqueStream("budget"), TimeProvider.System);
        var config = BrainConfig.Load(ConfigSource.FromPairs(
            ("STRATEGY_MODE", "consensus"), ("STRATEGY_INTERVAL_SEC", "0"), ("CONSENSUS_MIN_SOURCES_POSITIVE", "1"),
            ("USE_TECHNICAL_INDICATORS", "false"), ("TRADE_PAPER", "false"), ("USE_LIMIT_ORDERS", "false")));
        string RunBrain(string symbol)
        {
            using var output = new MemoryStream();
            using (var journal = new JournalWriter(output))
            {
                var engine = new BrainEngine(config, null, journal, NullLogger.Instance) { SharedLimits = shared, AccountDailyBuyLimit = 2000 };
                engine.ProcessLine(Encoding.UTF8.GetBytes(Line("quote", T0, symbol, 0.01)));
                engine.ProcessLine(Encoding.UTF8.GetBytes(Line("trade", T0.AddSeconds(1), symbol, 0.01)));
                engine.Finish();
            }

            return Encoding.UTF8.GetString(output.ToArray());
        }

        var first = RunBrain("ACME");
        var second = RunBrain("BOLT");
        Assert.Contains("\"action\":\"buy\"", first, StringComparison.Ordinal); // 12 shares × 100 = 1,200 of 2,000
        Assert.DoesNotContain("\"action\":\"buy\"", second, StringComparison.Ordinal);
        Assert.Contains("account_daily_buy_limit", second, StringComparison.Ordinal);
    }
}
