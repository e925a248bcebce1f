using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Execution.Paper;
using SentryBrain.Replay;

namespace SentryBrain.Tests.Engine;

/// <summary>
/// Issue 10, break 1, through the whole consumer: with ACME held (the built-in scenario's first 2,803 lines), a quote
/// whose symbol is NUL + "ACME" is an error line, not an ACME quote that triggers a stop loss.
/// </summary>
public sealed class SymbolAliasingTests
{
    private const int AcmeHeldAfter = 2803;

    private static string[] ScenarioLines()
    {
        using var stream = new MemoryStream();
        Scenario.Write(stream);
        return Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static List<JsonElement> Run(IEnumerable<string> lines)
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        using var output = new MemoryStream();
        var result = ConsumeRunner.Run(input, output, BrainConfig.Load(ConfigSource.FromPairs()), NullLogger.Instance, _ => PaperBroker.Open(":memory:", 100_000));
        result.Broker?.Dispose();
        return Encoding.UTF8.GetString(output.ToArray())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();
    }

    private static IEnumerable<JsonElement> Kind(List<JsonElement> journal, string kind) => journal.Where(l => l.GetProperty("kind").GetString() == kind);

    private static string QuoteAt95(string symbolJson) =>
        $$$"""{"type":"quote","ts":"2026-03-02T14:40:23.00Z","payload":{"symbol":"{{{symbolJson}}}","bid":95.00,"ask":95.02,"bid_size":5,"ask_size":5}}""";

    [Theory]
    [InlineData("\\u0000ACME")]
    [InlineData("\\u0000\\u0000\\u0000\\u0000ACME")]
    [InlineData(" ACME")]
    public void NonTickerSymbol_WhileAcmeIsHeld_IsAnErrorLine_AndPlacesNoOrder(string symbolJson)
    {
        var prefix = ScenarioLines().Take(AcmeHeldAfter).ToList();
        var baseline = Run(prefix);
        var acmeBuys = Kind(baseline, "fill").Count(f => f.GetProperty("symbol").GetString() == "ACME" && f.GetProperty("side").GetString() == "buy");
        Assert.True(acmeBuys > 0, "the scenario's first lines no longer buy ACME: the test needs a stream in which ACME is held");

        // Control: the genuine ACME quote at 95 (−5 %, inside the outlier guard's 10 % band) does stop out the position, so the line below would too if it were ACME.
        var control = Run([.. prefix, QuoteAt95("ACME")]);
        Assert.Contains(Kind(control, "order"), o => o.GetProperty("symbol").GetString() == "ACME" && o.GetProperty("side").GetString() == "sell");

        var attacked = Run([.. prefix, QuoteAt95(symbolJson)]);

        var error = Assert.Single(Kind(attacked, "error"));
        Assert.Equal(AcmeHeldAfter + 1, error.GetProperty("line").GetInt32());
        Assert.Contains("symbol", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(Kind(baseline, "order").Count(), Kind(attacked, "order").Count());
        Assert.Equal(Kind(baseline, "fill").Count(), Kind(attacked, "fill").Count());
        Assert.DoesNotContain(Kind(attacked, "order"), o => o.GetProperty("side").GetString() == "sell");
    }
}
