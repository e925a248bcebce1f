using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Journal;
using SentryBrain.Replay;

namespace SentryBrain.Tests.Adversarial;

/// <summary>One order or fill as the issue compares them: what was traded, at what price, under which id.</summary>
public readonly record struct TradeLine(string Kind, string Symbol, string Side, long Qty, double? Price, string ClientOrderId)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind} {Side} {Qty} {Symbol} @ {Price?.ToString("R", CultureInfo.InvariantCulture) ?? "market"} ({ClientOrderId})");
}

/// <summary>The journal of one run, reduced to what the adversarial tests check.</summary>
public sealed record JournalView(
    IReadOnlyList<(long Line, string Error)> Errors,
    IReadOnlyList<TradeLine> Trades,
    IReadOnlyList<(string Ts, TradeLine Trade)> TimedTrades,
    long JournalLines,
    RunSummary Summary,
    long PeakManagedGrowthBytes)
{
    public IEnumerable<TradeLine> Fills => Trades.Where(t => t.Kind == "fill");

    public IEnumerable<(long Line, string Error)> InternalErrors => Errors.Where(e => e.Error.Contains("internal error", StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Runs NDJSON through <see cref="ConsumeRunner.Run"/> (the entry point of <c>brain consume</c>) with a real SQLite
/// paper ledger in a temporary folder, and reads the journal back.
/// </summary>
public static class AdversarialHarness
{
    /// <summary>
    /// The wall clock of every adversarial run: a week after the scenario's day (2026-03-02), so the clean stream
    /// is in the past and a far-future line is beyond it.
    /// </summary>
    public static readonly DateTimeOffset WallClock = new(2026, 3, 9, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Every adversarial run goes through here, with <paramref name="wallClock"/> as the engine's wall clock
    /// (FUTURE_TS_TOLERANCE_SEC is measured against it).
    /// </summary>
    public static ConsumeRunner.Result Consume(Stream input, Stream output, BrainConfig config, TimeProvider wallClock)
    {
        return ConsumeRunner.Run(input, output, config, NullLogger.Instance, brokerFactory: null, time: wallClock);
    }

    /// <summary>The engine itself, for the one check that reads <see cref="BrainEngine.TrackedSymbols"/>. Same wall clock as <see cref="Consume"/>.</summary>
    public static BrainEngine NewEngine(BrainConfig config, IBroker broker, JournalWriter journal, TimeProvider wallClock)
    {
        return new BrainEngine(config, broker, journal, NullLogger.Instance, wallClock);
    }

    public static FakeTimeProvider NewWallClock() => new(WallClock);

    /// <summary>
    /// The shipped defaults (the green-light strategy of <c>brain consume</c>) with every issue-10 limit set
    /// explicitly, so the tests do not depend on defaults chosen elsewhere. Extra pairs override.
    /// </summary>
    public static BrainConfig Config(string paperDbPath, params (string Key, string Value)[] overrides)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PAPER_DB_PATH"] = paperDbPath,
            ["TRADE_PAPER"] = "true",
            ["PAPER_STARTING_CASH"] = "100000",
            ["MAX_SYMBOLS"] = "5000",
            ["NEWS_MAX_SYMBOLS"] = "100",
            ["FUTURE_TS_TOLERANCE_SEC"] = "60",
            ["CLOCK_JUMP_CONFIRM_SEC"] = "300",
            ["CLOCK_JUMP_CONFIRM_EVENTS"] = "3",
            ["OUTLIER_CONFIRM_TICKS"] = "3",
            // OUTLIER_MAX_MOVE_PCT and OUTLIER_ATR_MULT keep their defaults on purpose: their unit (percent or
            // fraction) is chosen by the outlier work, and every spike below is ≥ 100× or ≤ 1/100 of the price,
            // outside any sensible default.
            ["SYMBOL_STATE_TTL_SEC"] = "86400",
        };
        foreach (var (key, value) in overrides)
        {
            pairs[key] = value;
        }

        return BrainConfig.Load(ConfigSource.FromPairs(pairs.Select(p => (p.Key, p.Value)).ToArray()));
    }

    public static byte[] ScenarioBytes()
    {
        using var stream = new MemoryStream();
        Scenario.Write(stream);
        return stream.ToArray();
    }

    public static List<byte[]> SplitLines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        if (start < bytes.Length)
        {
            lines.Add(bytes[start..]);
        }

        return lines;
    }

    public static byte[] JoinLines(IEnumerable<byte[]> lines)
    {
        using var stream = new MemoryStream();
        foreach (var line in lines)
        {
            stream.Write(line);
            stream.WriteByte((byte)'\n');
        }

        return stream.ToArray();
    }

    /// <summary>
    /// Runs <paramref name="input"/> through the consumer into a journal file (so the journal does not count as
    /// managed memory) and samples managed memory while the input is read. When the growth passes
    /// <paramref name="abortAboveBytes"/> the run is stopped with an exception naming the line reached, so an
    /// unbounded run fails fast instead of exhausting the machine.
    /// </summary>
    public static JournalView Run(byte[] input, BrainConfig config, string workDir, long abortAboveBytes = 600L << 20)
    {
        var journalPath = Path.Combine(workDir, "journal-" + Guid.NewGuid().ToString("N") + ".ndjson");
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        using var sampling = new SamplingStream(input, baseline, abortAboveBytes);
        RunSummary summary;
        using (var output = new FileStream(journalPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var result = Consume(sampling, output, config, NewWallClock());
            result.Broker?.Dispose();
            summary = result.Summary;
        }

        var view = ReadJournal(journalPath, summary, sampling.PeakGrowth);
        File.Delete(journalPath);
        return view;
    }

    private static JournalView ReadJournal(string path, RunSummary summary, long peakGrowth)
    {
        var errors = new List<(long, string)>();
        var trades = new List<TradeLine>();
        var timed = new List<(string, TradeLine)>();
        long count = 0;
        foreach (var text in File.ReadLines(path, Encoding.UTF8))
        {
            count++;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(text);
            }
            catch (JsonException ex)
            {
                throw new Xunit.Sdk.XunitException($"journal line {count} is not JSON ({ex.Message}): {Shorten(text)}");
            }

            using (doc)
            {
                var e = doc.RootElement;
                switch (e.GetProperty("kind").GetString())
                {
                    case "error":
                        errors.Add((e.GetProperty("line").GetInt64(), e.GetProperty("error").GetString() ?? string.Empty));
                        break;
                    case "order":
                        var order = new TradeLine("order", Str(e, "symbol"), Str(e, "side"), e.GetProperty("qty").GetInt64(),
                            e.GetProperty("limit_price").ValueKind == JsonValueKind.Number ? e.GetProperty("limit_price").GetDouble() : null, Str(e, "client_order_id"));
                        trades.Add(order);
                        timed.Add((Str(e, "ts"), order));
                        break;
                    case "fill":
                        var fill = new TradeLine("fill", Str(e, "symbol"), Str(e, "side"), e.GetProperty("qty").GetInt64(), e.GetProperty("price").GetDouble(), Str(e, "client_order_id"));
                        trades.Add(fill);
                        timed.Add((Str(e, "ts"), fill));
                        break;
                }
            }
        }

        return new JournalView(errors, trades, timed, count, summary, peakGrowth);
    }

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString() ?? string.Empty;

    public static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public static string Describe(IEnumerable<TradeLine> trades) => string.Join("\n  ", trades.Select(t => t.ToString()));

    /// <summary>The clean run's orders and fills must come out unchanged; the message lists both sequences.</summary>
    public static void AssertSameTrades(IReadOnlyList<TradeLine> clean, IReadOnlyList<TradeLine> actual, string what)
    {
        if (clean.SequenceEqual(actual))
        {
            return;
        }

        var missing = clean.Except(actual).ToList();
        var extra = actual.Except(clean).ToList();
        throw new Xunit.Sdk.XunitException(
            $"{what}: the orders and fills differ from the clean stream's.\n" +
            $"extra ({extra.Count}):\n  {Describe(extra.Take(20))}\nmissing ({missing.Count}):\n  {Describe(missing.Take(20))}\n" +
            $"clean ({clean.Count}):\n  {Describe(clean)}\nactual ({actual.Count}, first 30):\n  {Describe(actual.Take(30))}");
    }

    /// <summary>A read-only view of a byte array that samples managed memory on each read (reads are ≤ 64 KiB).</summary>
    private sealed class SamplingStream(byte[] data, long baseline, long abortAbove) : Stream
    {
        private long _position;
        private long _nextCollectionAt = abortAbove / 2;

        public long PeakGrowth { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            // GetTotalMemory counts garbage (and other tests' allocations: it is process-wide), so a reading near the
            // limit is checked again after a forced collection and only what survives it is recorded as growth
            var growth = GC.GetTotalMemory(forceFullCollection: false) - baseline;
            if (growth > _nextCollectionAt)
            {
                growth = GC.GetTotalMemory(forceFullCollection: true) - baseline;
                _nextCollectionAt = Math.Max(abortAbove / 2, growth + (abortAbove / 4));
                if (growth > abortAbove)
                {
                    throw new InvalidOperationException(
                        $"managed memory grew by {growth >> 20} MB (limit {abortAbove >> 20} MB) after {_position:N0} of {data.Length:N0} input bytes: the run was stopped");
                }
            }

            if (growth > PeakGrowth)
            {
                PeakGrowth = growth;
            }

            var n = (int)Math.Min(Math.Min(count, 64 * 1024), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
