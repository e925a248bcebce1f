using System.Text;
using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution.Paper;
using SentryBrain.Replay;

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
}
