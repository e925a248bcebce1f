// A namespace apart: SentryBrain.Tests.Engine.News would hide the News(...) line builders the engine tests call.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Journal;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Tests.Engine;

namespace SentryBrain.Tests.EngineNews;

/// <summary>
/// A sentiment model for the news tests: a fixed score per headline or summary (else <see cref="Fallback"/>), fast or
/// slow (<see cref="IsFast"/>: slow models run on the engine's scoring worker), and optionally gated: each call signals
/// <see cref="Entered"/> and blocks until the test <see cref="Open"/>s the gate.
/// </summary>
internal sealed class ScriptedModel(bool fast, IReadOnlyDictionary<string, double>? scores = null, bool gated = false) : ISentimentModel
{
    private readonly ManualResetEventSlim _gate = new(!gated);

    public double Fallback { get; init; }

    public string Name => fast ? "scripted-fast" : "scripted-slow";

    public bool IsFast => fast;

    /// <summary>Released once per call to <see cref="Score"/>, before the gate.</summary>
    public SemaphoreSlim Entered { get; } = new(0);

    public int Calls => Volatile.Read(ref _calls);

    private int _calls;

    public void Open() => _gate.Set();

    public void Score(IReadOnlyList<string> texts, Span<SentimentResult> results)
    {
        Interlocked.Increment(ref _calls);
        Entered.Release();
        _gate.Wait();
        for (var i = 0; i < texts.Count; i++)
        {
            var score = scores is not null && scores.TryGetValue(texts[i], out var s) ? s : Fallback;
            results[i] = new SentimentResult(score, SentimentLabel.Neutral);
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Waits for the next call to <see cref="Score"/>, failing the test after 30 s.</summary>
    public void AwaitEntered()
        => Assert.True(Entered.Wait(TimeSpan.FromSeconds(30)), "the model was never called (the engine did not hand the news to its scorer)");
}

/// <summary>A logger that keeps messages and signals when one containing <see cref="Watch"/> is written.</summary>
internal sealed class WatchingLogger(string watch) : ILogger
{
    public ManualResetEventSlim Seen { get; } = new(false);

    public List<string> Messages { get; } = [];

    public string Watch => watch;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        lock (Messages)
        {
            Messages.Add(message);
        }

        if (message.Contains(watch, StringComparison.Ordinal))
        {
            Seen.Set();
        }
    }
}

/// <summary>Lines and a runner for the news tests through <see cref="BrainEngine"/> (decisions only: no broker).</summary>
internal static class NewsStreams
{
    public static readonly DateTime T0 = SeamStreams.T0;

    /// <summary>A news line; <paramref name="createdAt"/> null = no <c>created_at</c> field.</summary>
    public static string News(DateTime ts, string id, string headline, DateTime? createdAt, string[] symbols, string source = "test", string summary = "")
    {
        var created = createdAt is { } c ? $",\"created_at\":\"{Rfc3339.Format(c)}\"" : string.Empty;
        var list = string.Join(",", symbols.Select(s => "\"" + s + "\""));
        return string.Create(CultureInfo.InvariantCulture, $$$"""{"type":"news","ts":"{{{Rfc3339.Format(ts)}}}","payload":{"id":"{{{id}}}","headline":"{{{headline}}}","author":"Desk"{{{created}}},"summary":"{{{summary}}}","url":"https://example.test/n/{{{id}}}","symbols":[{{{list}}}],"source":"{{{source}}}"}}""");
    }

    /// <summary>A quote with rising returns: the consensus strategy (one source enough) buys on momentum, so every quote journals a decision.</summary>
    public static string UpQuote(DateTime ts, string symbol) => SeamStreams.Quote(ts, symbol, 99.99, 100.00, SeamStreams.Up, SeamStreams.Up);

    /// <summary>Consensus, decisions only; clock jumps up to a day are taken at once (the streams skip ahead by minutes or hours).</summary>
    public static BrainConfig NewsConfig(params (string Key, string Value)[] extra) => SeamStreams.ConsensusConfig([("TRADE_PAPER", "false"), ("CLOCK_JUMP_CONFIRM_SEC", "86400"), .. extra]);

    /// <summary>Runs <paramref name="lines"/> through an engine with <paramref name="model"/> (waiting for a slow one when <paramref name="wait"/>) and finishes it.</summary>
    public static (string Journal, BrainEngine Engine) Run(IEnumerable<string> lines, BrainConfig config, ISentimentModel model, bool wait = true, TimeProvider? time = null, ILogger? logger = null)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(T0.AddDays(1)));
        using var output = new MemoryStream();
        BrainEngine engine;
        using (var journal = new JournalWriter(output))
        {
            engine = new BrainEngine(config, _ => null, journal, logger ?? NullLogger.Instance, new EngineParts { Sentiment = model, WaitForSentiment = wait }, time);
            foreach (var line in lines)
            {
                engine.ProcessLine(Encoding.UTF8.GetBytes(line));
            }

            engine.Finish();
        }

        return (Encoding.UTF8.GetString(output.ToArray()), engine);
    }

    /// <summary>The journal writes signals rounded to 6 decimals: expected values are compared at that precision.</summary>
    public const int Journaled = 6;

    /// <summary>The decision lines of <paramref name="journal"/> for <paramref name="symbol"/>: (ts, signals.news, signals.news_market).</summary>
    public static List<(DateTime Ts, double? News, double? Market)> Decisions(string journal, string symbol)
    {
        var list = new List<(DateTime, double?, double?)>();
        foreach (var line in journal.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            if (e.GetProperty("kind").GetString() != "decision" || e.GetProperty("symbol").GetString() != symbol)
            {
                continue;
            }

            var signals = e.GetProperty("signals");
            double? news = signals.GetProperty("news").ValueKind == JsonValueKind.Null ? null : signals.GetProperty("news").GetDouble();
            double? market = signals.TryGetProperty("news_market", out var m) ? m.GetDouble() : null;
            list.Add((DateTime.Parse(e.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), news, market));
        }

        return list;
    }
}
