using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Journal;

namespace SentryBrain.Tests.Engine;

/// <summary>One run of <see cref="ConsumeRunner.Run"/> over in-memory input, with its journal parsed for assertions.</summary>
internal sealed record JournalRun(string Journal, IReadOnlyList<JsonElement> Lines, RunSummary Summary, IBroker? Broker) : IDisposable
{
    public IEnumerable<JsonElement> OfKind(string kind) => Lines.Where(l => Str(l, "kind") == kind);

    /// <summary>The raw journal lines of one kind, byte for byte as written.</summary>
    public IEnumerable<string> RawOfKind(string kind) => Journal.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Where(l => l.StartsWith($"{{\"kind\":\"{kind}\"", StringComparison.Ordinal));

    public IEnumerable<JsonElement> Decisions(string? symbol = null, string? action = null) => OfKind("decision")
        .Where(d => (symbol is null || Str(d, "symbol") == symbol) && (action is null || Str(d, "action") == action));

    public IEnumerable<(long Line, string Error)> Errors => OfKind("error").Select(e => (e.GetProperty("line").GetInt64(), Str(e, "error")));

    public void Dispose() => Broker?.Dispose();

    public static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    /// <param name="time">The wall clock; null = the system clock, as <c>brain consume</c> uses.</param>
    public static JournalRun Consume(byte[] input, BrainConfig config, Func<DateTime, IBroker?>? brokerFactory, TimeProvider? time = null)
    {
        using var inStream = new MemoryStream(input);
        using var outStream = new MemoryStream();
        var result = ConsumeRunner.Run(inStream, outStream, config, NullLogger.Instance, brokerFactory, time);
        var text = Encoding.UTF8.GetString(outStream.ToArray());
        var lines = new List<JsonElement>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            lines.Add(doc.RootElement.Clone());
        }

        return new JournalRun(text, lines, result.Summary, result.Broker);
    }
}
