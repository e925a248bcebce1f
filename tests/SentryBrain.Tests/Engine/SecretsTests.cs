using System.Text;
using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution.Paper;
using SentryBrain.Replay;
using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.Engine;

/// <summary>Secrets never appear in logs, the journal or the printed configuration.</summary>
public sealed class SecretsTests
{
    private const string KeyId = "test-key-id-must-not-leak";
    private const string Secret = "sEcReT-0123456789-abcdefghijklmnop";

    internal sealed class CapturingLogger(StringBuilder sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            sink.AppendLine(formatter(state, exception));
            sink.AppendLine(exception?.ToString());
        }
    }

    [Fact]
    public void ConsumeWithKeysSet_NeverWritesTheKeyOrSecret_ToLogsOrJournal()
    {
        var config = BrainConfig.Load(ConfigSource.FromPairs(
            ("APCA_API_KEY_ID", KeyId),
            ("APCA_API_SECRET_KEY", Secret),
            ("LOG_LEVEL", "DEBUG")));
        var events = new MemoryStream();
        Scenario.Write(events);
        events.Position = 0;
        var journal = new MemoryStream();
        var logs = new StringBuilder();

        var result = ConsumeRunner.Run(events, journal, config, new CapturingLogger(logs), _ => PaperBroker.Open(":memory:", 100_000));
        result.Broker?.Dispose();

        var everything = logs + Encoding.UTF8.GetString(journal.ToArray());
        Assert.True(result.Summary.Orders > 0); // the run did trade, so order paths were exercised
        Assert.DoesNotContain(KeyId, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret[..12], everything, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigEntries_MaskKeyAndSecret_AndBadValuesAreNotEchoedForSecrets()
    {
        BrainConfig.Load(ConfigSource.FromPairs(("APCA_API_KEY_ID", KeyId), ("APCA_API_SECRET_KEY", Secret)), out var entries);
        var printed = string.Join("\n", entries.Select(e => $"{e.Name}={e.Value}"));
        Assert.DoesNotContain(Secret, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyId, printed, StringComparison.Ordinal);
        Assert.Contains("APCA_API_SECRET_KEY=****", printed, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret[..4], printed, StringComparison.Ordinal);
    }

    private const string UrlSecret = "supersecretvalue123";

    public static TheoryData<string, string, string[]> UrlsWithCredentials => new()
    {
        // Alpaca authenticates with key headers: a user:password@ in its URLs is refused at start-up, without echoing it.
        { "APCA_API_BASE_URL", $"http://u:{UrlSecret}@127.0.0.1:9", ["paper-order"] },
        { "APCA_API_BASE_URL", $"http://u:{UrlSecret}@127.0.0.1:9", ["config"] },
        { "APCA_API_BASE_URL", $"http://u:{UrlSecret}@127.0.0.1:9", ["consume"] },
        { "ALPACA_DATA_BASE_URL", $"http://u:{UrlSecret}@127.0.0.1:9", ["paper-order"] },
        { "ALPACA_DATA_BASE_URL", $"http://u:{UrlSecret}@127.0.0.1:9", ["backtest", "--data", "alpaca", "--symbols", "AAPL"] },

        // Redis does use a password in its URL: accepted, but masked wherever the URL is shown.
        { "REDIS_URL", $"redis://user:{UrlSecret}@127.0.0.1:1", ["config"] },
        { "REDIS_URL", $"redis://:{UrlSecret}@127.0.0.1:1", ["config"] },
        { "REDIS_ADDR", $"redis://user:{UrlSecret}@127.0.0.1:1", ["config"] },
        { "REDIS_URL", $"redis://user:{UrlSecret}@127.0.0.1:1", ["publish"] },
        { "REDIS_URL", $"127.0.0.1:1,password={UrlSecret}", ["publish"] },
    };

    [Theory]
    [MemberData(nameof(UrlsWithCredentials))]
    public void CredentialsInAUrl_NeverAppear_InAnythingTheCliPrints(string variable, string url, string[] args)
    {
        using var dir = BrainCli.NewFolder();
        var env = new Dictionary<string, string>
        {
            ["APCA_API_KEY_ID"] = KeyId,
            ["APCA_API_SECRET_KEY"] = Secret,
            ["LOG_LEVEL"] = "DEBUG",
            [variable] = url,
        };

        var result = BrainCli.Run(dir.Path, env, TimeSpan.FromSeconds(60), args);

        Assert.True(result.All.Length > 0, "the command printed nothing: " + result);
        Assert.DoesNotContain(UrlSecret[..6], result.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret[..12], result.All, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyId, result.All, StringComparison.Ordinal);
    }

    [Fact]
    public void AlpacaUrlWithCredentials_IsRefused_WithAMessageThatNamesTheVariable()
    {
        using var dir = BrainCli.NewFolder();
        var result = BrainCli.Run(dir.Path, new Dictionary<string, string> { ["APCA_API_BASE_URL"] = $"https://u:{UrlSecret}@paper-api.alpaca.markets" }, "config");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("APCA_API_BASE_URL", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("user:password@", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(UrlSecret[..6], result.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://u:pw@127.0.0.1:9", "http://***@127.0.0.1:9")]
    [InlineData("redis://user:pw@host:6379/2", "redis://***@host:6379/2")]
    [InlineData("rediss://:pw@host", "rediss://***@host")]
    [InlineData("user:pw@host:6379", "***@host:6379")]
    [InlineData("host:6379,password=pw,ssl=true", "host:6379,password=***,ssl=true")]
    [InlineData("host:6379,user=u,PASSWORD=pw", "host:6379,user=***,PASSWORD=***")]
    [InlineData("https://paper-api.alpaca.markets/v2?x=a@b", "https://paper-api.alpaca.markets/v2?x=a@b")]
    [InlineData("redis://127.0.0.1:6379", "redis://127.0.0.1:6379")]
    [InlineData("", "")]
    public void Redact_MasksUserInfoAndPasswordOptions_AndLeavesTheRestReadable(string url, string expected)
        => Assert.Equal(expected, Urls.Redact(url));
}
