using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Execution.Paper;
using SentryBrain.Journal;

namespace SentryBrain.Tests.Engine;

/// <summary>An in-memory <see cref="IStateStore"/> that counts its writes (persistence must happen only on change).</summary>
internal sealed class CountingStore : IStateStore
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public int Saves { get; private set; }

    public string? Load(string key) => _values.GetValueOrDefault(key);

    public void Save(string key, string value)
    {
        Saves++;
        _values[key] = value;
    }
}

/// <summary>
/// A real <see cref="PaperBroker"/> (SQLite in memory) behind a seam that can act like a remote broker: with
/// <see cref="DeferCancels"/> a cancel is only recorded (its confirmation comes later, as <see cref="Confirm"/>),
/// and <see cref="HeldOverride"/> replaces the held quantity the desk reads (a partial fill the paper ledger cannot make).
/// </summary>
internal sealed class ScriptedBroker(PaperBroker inner) : IBroker
{
    public PaperBroker Inner { get; } = inner;

    public bool DeferCancels { get; set; }

    public List<(string Id, DateTime At)> Cancels { get; } = [];

    public Dictionary<string, long> HeldOverride { get; } = new(StringComparer.Ordinal);

    public string Name => Inner.Name;

    public IStateStore? State => Inner.State;

    public double Cash => Inner.Cash;

    public IReadOnlyCollection<BrokerPosition> Positions => Inner.Positions;

    public IReadOnlyCollection<BrokerOrder> OpenOrders => Inner.OpenOrders;

    /// <summary>The broker confirms a deferred cancel: the update a remote broker would report later.</summary>
    public BrokerUpdate Confirm(string clientOrderId, DateTime now) => Inner.Cancel(clientOrderId, now);

    public SubmitResult Submit(OrderRequest request, DateTime now) => Inner.Submit(request, now);

    public BrokerUpdate OnQuote(string symbol, double bid, double ask, long bidSize, long askSize, DateTime now) => Inner.OnQuote(symbol, bid, ask, bidSize, askSize, now);

    public BrokerUpdate OnClock(DateTime now) => Inner.OnClock(now);

    public BrokerUpdate Cancel(string clientOrderId, DateTime now)
    {
        Cancels.Add((clientOrderId, now));
        return DeferCancels ? BrokerUpdate.None : Inner.Cancel(clientOrderId, now);
    }

    public BrokerOrder? FindOrder(string clientOrderId) => Inner.FindOrder(clientOrderId);

    public BrokerPosition? PositionOf(string symbol)
    {
        var position = Inner.PositionOf(symbol);
        return HeldOverride.TryGetValue(symbol, out var qty) ? new BrokerPosition(symbol, qty, position?.AvgEntryPrice ?? 0) : position;
    }

    public bool HasOpenOrder(string symbol, OrderSide side) => Inner.HasOpenOrder(symbol, side);

    public double Equity(Func<string, double?> markPrice) => Inner.Equity(markPrice);

    public void Dispose() => Inner.Dispose();
}

/// <summary>Records every fill it is told of, with its context, in order.</summary>
internal sealed class RecordingObserver : IFillObserver
{
    public List<(Fill Fill, FillContext Context)> Seen { get; } = [];

    public void OnFill(Fill fill, in FillContext context) => Seen.Add((fill, context));
}

/// <summary>A journal written to memory and read back as parsed lines.</summary>
internal sealed class JournalCapture : IDisposable
{
    private readonly MemoryStream _stream = new();

    public JournalCapture()
    {
        Writer = new JournalWriter(_stream);
    }

    public JournalWriter Writer { get; }

    public string Text
    {
        get
        {
            Writer.Flush();
            return Encoding.UTF8.GetString(_stream.ToArray());
        }
    }

    public List<JsonElement> Lines
    {
        get
        {
            var lines = new List<JsonElement>();
            foreach (var line in Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var doc = JsonDocument.Parse(line);
                lines.Add(doc.RootElement.Clone());
            }

            return lines;
        }
    }

    public IEnumerable<JsonElement> OfKind(string kind) => Lines.Where(l => Str(l, "kind") == kind);

    public static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public void Dispose()
    {
        Writer.Dispose();
        _stream.Dispose();
    }
}

/// <summary>Lines, configurations and a runner for the extension-point tests through <see cref="BrainEngine"/>.</summary>
internal static class SeamStreams
{
    /// <summary>Monday 2026-03-02 10:00 ET (EST, UTC−5): regular session.</summary>
    public static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    public static readonly DateOnly Day = new(2026, 3, 2);

    /// <summary>return_1m = return_5m = 0.01: momentum 0.6·1 + 0.4·0.5 = 0.8 ≥ 0.15, one positive source: a consensus buy.</summary>
    public const double Up = 0.01;

    /// <summary>
    /// Consensus, every event evaluated, one positive source enough, RSI off (as ConsumeTests.HandConfig). Sizing:
    /// 100 000 · 5 % / 100 = 50, capped by STRATEGY_MAX_QTY at 12; the buy limit is ask · (1 + 5 bps) rounded up to the
    /// cent: 100.00 → 100.05.
    /// </summary>
    public static BrainConfig ConsensusConfig(params (string Key, string Value)[] extra) => BrainConfig.Load(ConfigSource.FromPairs(
        [("STRATEGY_MODE", "consensus"), ("STRATEGY_INTERVAL_SEC", "0"), ("CONSENSUS_MIN_SOURCES_POSITIVE", "1"), ("USE_TECHNICAL_INDICATORS", "false"), .. extra]));

    public static string Quote(DateTime ts, string symbol, double bid, double ask, double r1m = 0, double r5m = 0)
        => GreenLightStreams.Quote(ts, symbol, bid, ask, r1m, r5m).Json;

    public static string News(DateTime ts, string symbol, string headline) => GreenLightStreams.News(ts, symbol, headline, "").Json;

    /// <summary>Runs the lines through an engine built with <paramref name="parts"/>; the wall clock is a fixed fake a day later.</summary>
    public static GreenLightRun Run(IEnumerable<string> lines, BrainConfig config, EngineParts parts, Func<DateTime, IBroker?>? broker = null, Action<BrainEngine>? setUp = null)
    {
        broker ??= _ => PaperBroker.Open(":memory:", 100_000);
        var wall = new FakeTimeProvider(new DateTimeOffset(T0.AddDays(1)));
        using var output = new MemoryStream();
        BrainEngine engine;
        using (var journal = new JournalWriter(output))
        {
            engine = new BrainEngine(config, broker, journal, NullLogger.Instance, parts, wall);
            setUp?.Invoke(engine);
            foreach (var line in lines)
            {
                engine.ProcessLine(Encoding.UTF8.GetBytes(line));
            }

            engine.Finish();
        }

        return new GreenLightRun(Encoding.UTF8.GetString(output.ToArray()), engine);
    }

    public static QuoteEvent QuoteEvent(DateTime ts, string symbol, double bid, double ask)
        => new(ts, symbol, bid, ask, 5, 5, (bid + ask) / 2, 1000, 5000, 0, 0, FeedSession.Regular, 0.3);
}
