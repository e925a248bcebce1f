using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Execution.Paper;
using SentryBrain.Journal;

namespace SentryBrain.Tests.Engine;

/// <summary>
/// MAX_SYMBOLS (issue 10, break 4): a flood of new symbols cannot grow the symbol table past the cap; each line for a
/// new symbol past it is rejected with its own error line; held symbols are tracked (and keep their exits) whatever
/// the flood; idle symbols pruned after SYMBOL_STATE_TTL_SEC make room again.
/// </summary>
public sealed class SymbolCapTests
{
    private const int Cap = 50;

    // Monday 2026-03-02 09:31 New York (EST, UTC−5): the regular session.
    private static readonly DateTime T0 = new(2026, 3, 2, 14, 31, 0, DateTimeKind.Utc);

    private static BrainConfig Config(int cap = Cap) => new()
    {
        MaxSymbols = cap,
        SymbolStateTtlSec = 600,
        UseAtrStop = false, // fixed STOP_LOSS_PCT 1 %
        StrategyIntervalSec = 0,
    };

    private static string Ts(DateTime ts) => Rfc3339.Format(ts);

    private static byte[] QuoteLine(DateTime ts, string symbol, double bid, double ask) => Encoding.UTF8.GetBytes(string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"type":"quote","ts":"{{{Ts(ts)}}}","payload":{"symbol":"{{{symbol}}}","bid":{{{bid}}},"ask":{{{ask}}},"bid_size":5,"ask_size":5,"session":"regular"}}"""));

    private static string Symbol(int i) => "F" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>A paper broker holding 10 shares of <paramref name="symbol"/> bought at 10.01 (the ask).</summary>
    private static PaperBroker BrokerHolding(params string[] symbols)
    {
        var broker = PaperBroker.Open(":memory:", 100_000);
        foreach (var symbol in symbols)
        {
            broker.OnQuote(symbol, 10.00, 10.01, T0.AddMinutes(-1));
            var result = broker.Submit(new OrderRequest("b-" + symbol, symbol, OrderSide.Buy, 10, OrderType.Market, null, "test"), T0.AddMinutes(-1));
            Assert.Equal(10, broker.PositionOf(symbol)!.Qty);
            Assert.Single(result.Fills);
        }

        return broker;
    }

    private static List<JsonElement> Parse(MemoryStream journal)
    {
        var lines = new List<JsonElement>();
        foreach (var line in Encoding.UTF8.GetString(journal.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            lines.Add(JsonDocument.Parse(line).RootElement.Clone());
        }

        return lines;
    }

    private static string Kind(JsonElement e) => e.GetProperty("kind").GetString()!;

    [Fact]
    public void BurstOfNewSymbols_NeverExceedsTheCap_EachExcessLineIsAnError_AndAHeldSymbolKeepsItsStopLoss()
    {
        using var broker = BrokerHolding("HELD", "LATE");
        var output = new MemoryStream();
        using var journal = new JournalWriter(output);
        var engine = new BrainEngine(Config(), broker, journal, NullLogger.Instance);
        engine.ProcessLine(QuoteLine(T0, "HELD", 10.00, 10.01)); // line 1: HELD tracked, −0.1 %: holds
        const int burst = 100_000;
        var most = 0;
        for (var i = 0; i < burst; i++)
        {
            // 100,000 new symbols within 50 s of event time (0.5 ms apart).
            engine.ProcessLine(QuoteLine(T0.AddTicks((i + 1) * 5_000), Symbol(i), 20.00, 20.02));
            most = Math.Max(most, engine.TrackedSymbols);
            Assert.True(most <= Cap, $"{most} symbols tracked after line {i + 2}, cap {Cap}");
        }

        // HELD is tracked: a 2 % drop fires its stop loss. LATE is held but was never seen: it is tracked past the cap.
        engine.ProcessLine(QuoteLine(T0.AddSeconds(55), "HELD", 9.80, 9.81));
        engine.ProcessLine(QuoteLine(T0.AddSeconds(56), "LATE", 9.80, 9.81));
        var summary = engine.Finish();

        var lines = Parse(output);
        var errors = lines.Where(e => Kind(e) == "error").ToList();
        // Line 1 (HELD) and the first 49 new symbols fill the table of 50; lines 51 … 100,001 are rejected.
        Assert.Equal(burst - (Cap - 1), errors.Count);
        Assert.Equal(51, errors[0].GetProperty("line").GetInt64());
        Assert.Equal(100_001, errors[^1].GetProperty("line").GetInt64());
        var first = errors[0].GetProperty("error").GetString()!;
        Assert.Contains(Symbol(Cap - 1), first, StringComparison.Ordinal);
        Assert.Contains("MAX_SYMBOLS=50", first, StringComparison.Ordinal);
        Assert.Equal(summary.Lines, summary.Events + summary.Rejected);
        Assert.Equal(burst - (Cap - 1), summary.Rejected);

        var sells = lines.Where(e => Kind(e) == "fill" && e.GetProperty("side").GetString() == "sell")
            .Select(e => (e.GetProperty("symbol").GetString(), e.GetProperty("qty").GetInt64(), e.GetProperty("price").GetDouble()))
            .ToList();
        Assert.Equal([("HELD", 10L, 9.80), ("LATE", 10L, 9.80)], sells);
        Assert.Contains(lines, e => Kind(e) == "decision" && e.GetProperty("symbol").GetString() == "HELD" && e.GetProperty("reason").GetString() == "stop_loss");
        Assert.True(engine.TrackedSymbols <= Cap + 1, $"{engine.TrackedSymbols} tracked"); // + LATE, held
    }

    [Fact]
    public void IdleSymbols_PrunedAfterTheTtl_MakeRoomForNewOnes()
    {
        using var broker = BrokerHolding("HELD");
        var output = new MemoryStream();
        using var journal = new JournalWriter(output);
        var engine = new BrainEngine(Config(), broker, journal, NullLogger.Instance);
        engine.ProcessLine(QuoteLine(T0, "HELD", 10.00, 10.01));
        for (var i = 0; i < 200; i++)
        {
            engine.ProcessLine(QuoteLine(T0.AddSeconds(1), Symbol(i), 20.00, 20.02)); // 49 fit, 151 rejected
        }

        Assert.Equal(Cap, engine.TrackedSymbols);
        // The clock moves on with HELD's quotes (held: never pruned); 601 s later the 49 are idle past the TTL.
        engine.ProcessLine(QuoteLine(T0.AddSeconds(300), "HELD", 10.00, 10.01));
        engine.ProcessLine(QuoteLine(T0.AddSeconds(602), "HELD", 10.00, 10.01));
        journal.Flush();
        var errorsBefore = Parse(output).Count(e => Kind(e) == "error");
        engine.ProcessLine(QuoteLine(T0.AddSeconds(603), "NEW1", 30.00, 30.02));
        engine.ProcessLine(QuoteLine(T0.AddSeconds(604), "NEW2", 30.00, 30.02));

        journal.Flush();
        Assert.Equal(151, errorsBefore);
        Assert.Equal(151, Parse(output).Count(e => Kind(e) == "error")); // NEW1 and NEW2 were accepted
        Assert.True(engine.TrackedSymbols <= 3, $"{engine.TrackedSymbols} tracked"); // HELD, NEW1, NEW2
    }

    [Fact]
    public void ASymbolAlreadyTracked_IsNeverRejected_WhenTheTableIsFull()
    {
        using var broker = PaperBroker.Open(":memory:", 100_000);
        var output = new MemoryStream();
        using var journal = new JournalWriter(output);
        var engine = new BrainEngine(Config(cap: 2), broker, journal, NullLogger.Instance);
        engine.ProcessLine(QuoteLine(T0, "AAA", 10.00, 10.01));
        engine.ProcessLine(QuoteLine(T0, "BBB", 10.00, 10.01));
        engine.ProcessLine(QuoteLine(T0, "CCC", 10.00, 10.01)); // rejected
        engine.ProcessLine(QuoteLine(T0.AddSeconds(1), "AAA", 10.00, 10.01));
        engine.ProcessLine(QuoteLine(T0.AddSeconds(1), "BBB", 10.00, 10.01));
        var summary = engine.Finish();

        var error = Assert.Single(Parse(output), e => Kind(e) == "error");
        Assert.Equal(3, error.GetProperty("line").GetInt64());
        Assert.Equal((5L, 4L, 1L), (summary.Lines, summary.Events, summary.Rejected));
    }

    /// <summary>
    /// The widest line: one news item naming 5,000 distinct symbols. It may only write lines for the symbols that can be
    /// tracked (a decision each, plus an order and a fill for one that trades), so at most 3 × MAX_SYMBOLS lines;
    /// today it wrote a decision for every symbol it named.
    /// </summary>
    [Fact]
    public void OneNewsLine_WritesABoundedNumberOfJournalLines()
    {
        using var broker = PaperBroker.Open(":memory:", 100_000);
        var output = new MemoryStream();
        using var journal = new JournalWriter(output);
        // NEWS_MAX_SYMBOLS raised past the list, so the engine's own bound (MAX_SYMBOLS) is what is tested here.
        var engine = new BrainEngine(Config() with { StrategyMode = StrategyMode.Consensus, NewsMaxSymbols = 10_000 }, broker, journal, NullLogger.Instance);
        engine.ProcessLine(QuoteLine(T0, "AAA", 10.00, 10.01));
        var before = output.Length;
        var symbols = string.Join(',', Enumerable.Range(0, 5_000).Select(i => "\"" + Symbol(i) + "\""));
        engine.ProcessLine(Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"type":"news","ts":"{{{Ts(T0.AddSeconds(1))}}}","payload":{"id":1,"headline":"Record profits and a great beat","summary":"strong growth","symbols":[{{{symbols}}}],"source":"test"}}""")));
        journal.Flush();

        var written = Encoding.UTF8.GetString(output.ToArray()[(int)before..]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(written.Length <= 3 * Cap, $"one news line wrote {written.Length} journal lines (bound {3 * Cap})");
        Assert.DoesNotContain(written, l => l.Contains("\"kind\":\"error\"", StringComparison.Ordinal)); // news for tracked symbols is used
        Assert.True(engine.TrackedSymbols <= Cap, $"{engine.TrackedSymbols} tracked");
    }

    /// <summary>Positions and orders lines only replace the feed's view (no broker) or hint the broker: they write nothing, however long.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PositionsAndOrdersLines_WriteNoJournalLines(bool withBroker)
    {
        using var broker = withBroker ? PaperBroker.Open(":memory:", 100_000) : null;
        var output = new MemoryStream();
        using var journal = new JournalWriter(output);
        var engine = new BrainEngine(Config(), broker, journal, NullLogger.Instance);
        engine.ProcessLine(QuoteLine(T0, "AAA", 10.00, 10.01));
        journal.Flush();
        var before = output.Length;
        var positions = string.Join(',', Enumerable.Range(0, 5_000).Select(i => $$$"""{"symbol":"{{{Symbol(i)}}}","qty":"1","side":"long","cost_basis":"10"}"""));
        var orders = string.Join(',', Enumerable.Range(0, 5_000).Select(i => $$$"""{"id":"o{{{i}}}","symbol":"{{{Symbol(i)}}}","side":"buy","qty":"1","filled_qty":"0","type":"limit","status":"new"}"""));
        engine.ProcessLine(Encoding.UTF8.GetBytes($$$"""{"type":"positions","ts":"{{{Ts(T0.AddSeconds(1))}}}","payload":{"positions":[{{{positions}}}]}}"""));
        engine.ProcessLine(Encoding.UTF8.GetBytes($$$"""{"type":"orders","ts":"{{{Ts(T0.AddSeconds(2))}}}","payload":{"orders":[{{{orders}}}]}}"""));
        journal.Flush();

        Assert.Equal(before, output.Length);
        Assert.Equal(1, engine.TrackedSymbols);
    }
}
