using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Execution.Paper;

namespace SentryBrain.Tests.Engine;

/// <summary>Issue 10, break 4 (news): NEWS_MAX_SYMBOLS reaches the consumer's parser, and a capped story is one error line.</summary>
public sealed class NewsSymbolCapTests
{
    private static List<JsonElement> Consume(BrainConfig config, params string[] lines)
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        using var output = new MemoryStream();
        var result = ConsumeRunner.Run(input, output, config, NullLogger.Instance, _ => PaperBroker.Open(":memory:", 100_000));
        result.Broker?.Dispose();
        return [.. Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private const string ThreeSymbols = """{"type":"news","ts":"2026-03-02T15:00:00Z","payload":{"id":1,"headline":"Sector update","symbols":["AAA","BBB","CCC","AAA"]}}""";

    [Fact]
    public void NewsNamingMoreSymbolsThanTheCap_IsOneErrorLine()
    {
        var journal = Consume(BrainConfig.Load(ConfigSource.FromPairs(("NEWS_MAX_SYMBOLS", "2"))), ThreeSymbols);

        var error = Assert.Single(journal, l => l.GetProperty("kind").GetString() == "error");
        Assert.Equal(1, error.GetProperty("line").GetInt32());
        Assert.Equal("news item names more than 2 distinct symbols (NEWS_MAX_SYMBOLS)", error.GetProperty("error").GetString());
    }

    [Fact]
    public void NewsWithinTheCap_IsAccepted_DuplicatesNotCounted()
    {
        var journal = Consume(BrainConfig.Load(ConfigSource.FromPairs(("NEWS_MAX_SYMBOLS", "3"))), ThreeSymbols);

        Assert.DoesNotContain(journal, l => l.GetProperty("kind").GetString() == "error");
    }

    [Fact]
    public void Setting_DefaultsTo100_AndMustBeAtLeastOne()
    {
        Assert.Equal(100, BrainConfig.Load(ConfigSource.FromPairs()).NewsMaxSymbols);
        Assert.Equal(EventParser.DefaultNewsMaxSymbols, BrainConfig.Load(ConfigSource.FromPairs()).NewsMaxSymbols);

        var ex = Assert.ThrowsAny<Exception>(() => BrainConfig.Load(ConfigSource.FromPairs(("NEWS_MAX_SYMBOLS", "0"))));
        Assert.Contains("NEWS_MAX_SYMBOLS", ex.Message, StringComparison.Ordinal);
    }
}
