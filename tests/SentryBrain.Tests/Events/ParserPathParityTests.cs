using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Unicode;
using SentryBrain.Events;
using SentryBrain.Replay;
using Xunit.Abstractions;

namespace SentryBrain.Tests.Events;

/// <summary>
/// Issue 11, point 5: the hand-written scanner (<see cref="EventParser.TryParseFast"/>) and the full
/// Utf8JsonReader path (<see cref="EventParser.ParseFull"/>) run on the same lines. Where the scanner handles a line,
/// the reader must give the same event, field by field and bit by bit, or the same error text; where it declines,
/// the public <see cref="EventParser.Parse"/> must give exactly the reader's answer. Inputs: every line of the engine
/// sample, 20,000 synthetic lines, a table of hand-made edge cases, every prefix of the engine's lines, and seeded
/// mutations of them.
/// </summary>
public sealed class ParserPathParityTests(ITestOutputHelper output)
{
    private const string Ts = "2026-03-02T15:04:05.120331123Z";

    private static readonly (string Key, string Value)[] Trade =
    [
        ("symbol", "\"MSFT\""), ("price", "401.27"), ("size", "35"), ("volume_1m", "18250"), ("volume_5m", "96410"),
        ("return_1m", "0.00042"), ("return_5m", "-0.0013"), ("session", "\"regular\""), ("volatility", "0.2741"),
    ];

    private static readonly (string Key, string Value)[] Quote =
    [
        ("symbol", "\"MSFT\""), ("bid", "401.25"), ("ask", "401.29"), ("bid_size", "3"), ("ask_size", "5"), ("mid", "401.27"),
        ("volume_1m", "18250"), ("volume_5m", "96410"), ("return_1m", "0.00041"), ("return_5m", "-0.0013"),
        ("session", "\"regular\""), ("volatility", "0.2741"),
    ];

    private const string NewsPayload = """{"author":"Staff","created_at":"2026-03-02T15:04:06Z","headline":"Acme wins contract","id":41877120,"source":"benzinga","summary":"...","symbols":["ACME","MSFT"],"updated_at":"","url":"https://example.test/a"}""";
    private const string VolatilityPayload = """{"annualized_vol_30d":0.2741,"symbol":"MSFT"}""";
    private const string PositionsPayload = """{"positions":[{"cost_basis":"19.80","current_price":1.63,"market_value":"19.56","qty":"12","side":"long","symbol":"GERN","unrealized_pl":"-0.24","unrealized_plpc":"-0.0121"}]}""";
    private const string OrdersPayload = """{"orders":[{"created_at":"2026-03-02T15:03:50Z","filled_qty":"0","id":"b0b6dd9d","qty":"12","side":"buy","status":"new","symbol":"TRI","type":"limit"}]}""";

    /// <summary>Number texts for every numeric field: JSON numbers, numeric strings, and values of the wrong kind.</summary>
    private static readonly string[] Numbers =
    [
        "0", "-0", "0.0", "-0.0", "1", "-1", "0.5", "-0.5", "-1.0000001", "-0.9999999", "1e2", "1E2", "1e-2", "1e+2", "1.5e+3", "-1.5E-3",
        "1e308", "1.7976931348623157e308", "1e309", "-1e309", "1e400", "4.9e-324", "2.5e-324", "1e-400", "1e-320",
        "100", "100.0000001", "50", "50.0000001", "49.99", "10000000", "10000000.000001", "9999999.99", "1000000000",
        "1000000000.5", "1000000001", "1000000000000", "1000000000001", "999999999999.9", "35.7", "3.5e1", "9007199254740993",
        "123456789012345678901234567890", "0.1234567890123456789012345", "0.00000000000000000000000000001",
        "401.270000000000000000000000000000000000000001", "1" + new string('0', 400), "0." + new string('0', 400) + "1",
        new string('9', 1000),
        "\"401.27\"", "\"0\"", "\"-0\"", "\"1e2\"", "\"1E+2\"", "\"-1\"", "\"\"", "\" 1\"", "\"1 \"", "\"NaN\"", "\"nan\"", "\"-NaN\"",
        "\"Infinity\"", "\"-Infinity\"", "\"inf\"", "\"+1\"", "\"0x10\"", "\"1,000\"", "\"1_000\"", "\".5\"", "\"5.\"", "\"01\"", "\"-\"",
        "\"1e400\"", "\"\\u0031\"", "\"1\\u0030\"", "\"١\"", "\"1.5.5\"",
        "null", "true", "false", "[]", "[1]", "{}", "{\"a\":1}", "\"x\"",
        "01", "-01", "1.", ".5", "-", "+1", "NaN", "Infinity", "-Infinity", "1e", "1e+", "--1", "1.2.3", "0x1", "1.5e3.2", "1ee2", "- 1",
    ];

    private static readonly string[] Symbols =
    [
        "\"MSFT\"", "\"msft\"", "\"MsFt\"", "\"BRK.B\"", "\"BRK/B\"", "\"BF-B\"", "\"A\"", "\"123\"", "\"...\"", "\"ABCDEFGH\"", "\"ABCDEFGHI\"",
        "\"ABCDEFGHIJKLMNOP\"", "\"ABCDEFGHIJKLMNOPQ\"", "\"\"", "\" MSFT\"", "\"MSFT \"", "\"MS FT\"", "\"MS_FT\"", "\"MSFT\\u0000\"",
        "\"\\u0000MSFT\"", "\"\\u004dSFT\"", "\"\\u006dsft\"", "\"M\\\"SFT\"", "\"\\\\\"", "\"\\/\"", "\"M\\/S\"", "\"Ä\"", "\"MSFT€\"",
        "\"😀\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\t\"", "\"M\tSFT\"", "\"ＭＳＦＴ\"", "\"MSFT\u007f\"",
        "null", "123", "true", "false", "[]", "[\"MSFT\"]", "{}", "{\"s\":\"MSFT\"}",
    ];

    private static readonly string[] Sessions =
    [
        "\"regular\"", "\"pre_open\"", "\"pre\"", "\"premarket\"", "\"post_close\"", "\"post\"", "\"afterhours\"", "\"PRE\"", "\"Pre_Open\"",
        "\"closed\"", "\"\"", "\"pre\\u005fopen\"", "\"post\\u005fclose\"", "null", "1", "true", "false", "[]", "[\"pre\"]", "{}", "{\"a\":\"pre\"}",
    ];

    private static readonly string[] Times =
    [
        Ts, "2026-03-02T15:04:05Z", "2026-03-02T15:04:05.1Z", "2026-03-02T15:04:05.1234567Z", "2026-03-02T15:04:05.12345678901234Z",
        "2026-03-02t15:04:05z", "2026-03-02 15:04:05Z", "2026-03-02T15:04:05+01:00", "2026-03-02T15:04:05-05:00", "2026-03-02T15:04:05+00:00",
        "2026-03-02T15:04:05", "2026-03-02T15:04:05.Z", "2026-03-02T15:04:60Z", "2026-03-02T15:04:61Z", "2026-03-02T24:00:00Z",
        "2024-02-29T00:00:00Z", "2026-02-29T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-01:00", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-3-2T15:04:05Z", "2026-03-02T15:04:05+0100",
        "2026-03-02T15:04:05+24:00", "2026-03-02T15:04:05ZZ", "", "now", "2026-03-02T15:04:05\\u005a", "\\u0032026-03-02T15:04:05Z",
    ];

    private static readonly string[] OtherValues =
    [
        "1", "-1.5e3", "\"x\"", "\"\"", "\"é\"", "\"😀\"", "\"\\u00e9\"", "\"\\\"\"", "\"\\n\"", "null", "true", "false", "[]", "[1,2,{\"a\":[]}]",
        "{}", "{\"a\":1}", "{\"a\":{\"b\":1}}", "{\"a\":\"\\u0041\"}", "{\"a\":[1]}", "{\"a\":1,\"a\":2}",
    ];

    // ---- the inputs --------------------------------------------------------------------------------------

    [Fact]
    public void EngineSample_EveryLine_BothPathsAgree()
    {
        var path = Path.Combine(DocsTests.RepoRoot(), "tests", "SentryBrain.Tests", "Fixtures", "engine_events_sample.ndjson");
        var lines = File.ReadAllLines(path);
        var check = new Parity(output);
        check.RunAll("sample", lines);

        check.AssertAgreed();
        Assert.Equal(3000, check.Lines);
        Assert.Equal(0, check.Rejected);
        // Every trade and quote of the engine takes the fast path; nothing else does.
        Assert.Equal(lines.Count(l => l.StartsWith("{\"type\":\"trade\"", StringComparison.Ordinal) || l.StartsWith("{\"type\":\"quote\"", StringComparison.Ordinal)), check.FastAccepted);
        Assert.Equal(check.Lines - check.FastAccepted, check.Declined);
    }

    [Fact]
    public void SyntheticStream_20000Lines_BothPathsAgree()
    {
        using var stream = new MemoryStream();
        SyntheticStream.Write(new SyntheticOptions(20_000, 50, 1105), stream);
        var text = Encoding.UTF8.GetString(stream.ToArray());
        var lines = text[..^1].Split('\n');
        var check = new Parity(output);
        check.RunAll("synthetic", lines);

        check.AssertAgreed();
        Assert.Equal(20_000, check.Lines);
        Assert.Equal(0, check.Rejected);
        Assert.True(check.FastAccepted > 15_000, $"only {check.FastAccepted} lines took the fast path");
    }

    [Fact]
    public void EdgeCases_BothPathsAgree()
    {
        var check = new Parity(output);
        foreach (var (name, line) in EdgeCases())
        {
            check.Run(name, line);
        }

        check.AssertAgreed();
        // The table reaches both outcomes of the fast path and a good share of declined lines.
        Assert.True(check.Lines > 2_000, $"{check.Lines} cases");
        Assert.True(check.FastAccepted > 400, $"fast path accepted {check.FastAccepted}");
        Assert.True(check.FastRejected > 200, $"fast path rejected {check.FastRejected}");
        Assert.True(check.Declined > 800, $"fast path declined {check.Declined}");
        Assert.True(check.InvalidUtf8 > 0, "no invalid UTF-8 case");
    }

    [Fact]
    public void EveryPrefix_OfEngineLines_BothPathsAgree()
    {
        var check = new Parity(output);
        foreach (var line in BaseLines())
        {
            for (var n = 0; n <= line.Length; n++)
            {
                check.Run($"prefix {n}", Encoding.UTF8.GetBytes(line[..n]));
            }
        }

        check.AssertAgreed();
        Assert.True(check.Rejected >= check.Lines - 20, "nearly every prefix is rejected"); // a whole line and its padded ends parse
    }

    [Fact]
    public void SeededMutations_OfEngineLines_BothPathsAgree()
    {
        const string Alphabet = "{}[]\":,.-+eE0123456789 \t\r\nnultrfase\\u/xX_é";
        var random = new Random(1105);
        var bases = BaseLines().ToArray();
        var check = new Parity(output);
        for (var k = 0; k < 20_000; k++)
        {
            var line = new StringBuilder(bases[random.Next(bases.Length)]);
            var ops = 1 + random.Next(3);
            for (var o = 0; o < ops && line.Length > 0; o++)
            {
                var at = random.Next(line.Length);
                var span = Math.Min(1 + random.Next(8), line.Length - at);
                switch (random.Next(5))
                {
                    case 0:
                        line.Remove(at, 1);
                        break;
                    case 1:
                        line.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                        break;
                    case 2:
                        line[at] = Alphabet[random.Next(Alphabet.Length)];
                        break;
                    case 3:
                        line.Insert(at, line.ToString(at, span));
                        break;
                    default:
                        line.Remove(at, span);
                        break;
                }
            }

            check.Run($"mutation {k}", Encoding.UTF8.GetBytes(line.ToString()));
        }

        check.AssertAgreed();
        Assert.True(check.FastAccepted > 1_000 && check.FastRejected > 100 && check.Declined > 5_000, check.Summary);
    }

    /// <summary>
    /// Found by this test: a key escaping an unpaired surrogate made the full path's duplicate check throw out of
    /// <see cref="EventParser.Parse"/> (InvalidOperationException) instead of rejecting the line.
    /// </summary>
    [Theory]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1,"size":1,"\ud800":1}}""")]
    [InlineData("""{"type":"quote","ts":"2026-03-02T15:04:05Z","payload":{"\udc00\ud800":1,"symbol":"MSFT","bid":1,"ask":2}}""")]
    [InlineData("""{"\ud83d":1,"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1,"size":1}}""")]
    [InlineData("""{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":1,"x":{"\ude00":[]}}}""")]
    [InlineData("""{"type":"bar","ts":"2026-03-02T15:04:05Z","payload":{"a":{"\ud800":1},"b":1,"b":2}}""")]
    [InlineData("""{"type":"bar","ts":"2026-03-02T15:04:05Z","payload":{"b":1,"b":2,"a":{"\ud800":1}}}""")]
    public void KeyWithUnpairedSurrogate_IsRejected_NotThrown(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var evt = new EventParser().Parse(bytes, out var error);

        Assert.Null(evt);
        Assert.False(string.IsNullOrEmpty(error));
        Assert.False(new EventParser().TryParseFast(bytes, out _, out _), "the fast path took an escaped key");
        Assert.Equal(error, new EventParser().ParseFull(bytes, out var fullError) is null ? fullError : "accepted");
    }

    // ---- the comparison ----------------------------------------------------------------------------------

    /// <summary>Runs lines through both paths and the public Parse, each with a parser of its own; keeps every disagreement.</summary>
    private sealed class Parity(ITestOutputHelper output)
    {
        private readonly EventParser _fast = new();
        private readonly EventParser _full = new();
        private readonly EventParser _public = new();
        private readonly List<string> _failures = [];

        public int Lines { get; private set; }

        public int FastAccepted { get; private set; }

        public int FastRejected { get; private set; }

        public int Declined { get; private set; }

        public int Rejected { get; private set; }

        public int InvalidUtf8 { get; private set; }

        public string Summary => $"{Lines} lines: fast path accepted {FastAccepted}, rejected {FastRejected}, declined {Declined}; invalid UTF-8 {InvalidUtf8}; rejected in all {Rejected}";

        public void RunAll(string name, IEnumerable<string> lines)
        {
            foreach (var line in lines)
            {
                Run(name, Encoding.UTF8.GetBytes(line));
            }
        }

        public void Run(string name, byte[] line)
        {
            Lines++;
            try
            {
                Compare(name, line);
            }
            catch (Exception ex)
            {
                // The parser must answer every line with an event or an error, never an exception.
                Expect(false, name, line, $"threw {ex.GetType().Name}: {ex.Message}");
            }
        }

        private void Compare(string name, byte[] line)
        {
            var viaParse = _public.Parse(line, out var parseError);
            if (viaParse is null)
            {
                Rejected++;
            }

            if (!Utf8.IsValid(line))
            {
                // Neither path runs: Parse rejects the line up front.
                InvalidUtf8++;
                Expect(viaParse is null && parseError?.StartsWith("invalid UTF-8 at column ", StringComparison.Ordinal) == true, name, line, $"invalid UTF-8 not rejected: {Describe(viaParse)} / {parseError}");
                return;
            }

            var viaReader = _full.ParseFull(line, out var readerError);
            Expect((viaReader is null) != (readerError is null), name, line, $"reader path gave event {Describe(viaReader)} and error {readerError}");
            MarketEvent? expected;
            string? expectedError;
            if (_fast.TryParseFast(line, out var viaFast, out var fastError))
            {
                if (viaFast is null)
                {
                    FastRejected++;
                }
                else
                {
                    FastAccepted++;
                }

                Expect(viaFast is null or TradeEvent or QuoteEvent && (viaFast is null) != (fastError is null), name, line, $"fast path gave event {Describe(viaFast)} and error {fastError}");
                Expect(
                    Describe(viaFast) == Describe(viaReader) && Equals(viaFast, viaReader) && fastError == readerError,
                    name,
                    line,
                    $"fast path: {Describe(viaFast)} / {fastError ?? "no error"}; reader path: {Describe(viaReader)} / {readerError ?? "no error"}");
                (expected, expectedError) = (viaFast, fastError);
            }
            else
            {
                Declined++;
                Expect(viaFast is null && fastError is null, name, line, $"declined but left {Describe(viaFast)} / {fastError}");
                (expected, expectedError) = (viaReader, readerError);
            }

            Expect(
                Describe(viaParse) == Describe(expected) && parseError == expectedError,
                name,
                line,
                $"Parse: {Describe(viaParse)} / {parseError ?? "no error"}; expected {Describe(expected)} / {expectedError ?? "no error"}");
        }

        public void AssertAgreed()
        {
            output.WriteLine(Summary);
            Assert.True(_failures.Count == 0, $"{_failures.Count} disagreements ({Summary}):\n" + string.Join("\n", _failures.Take(25)));
        }

        private void Expect(bool condition, string name, byte[] line, string what)
        {
            if (!condition)
            {
                _failures.Add($"[{name}] {Show(line)}\n    {what}");
            }
        }

        private static string Show(byte[] line)
        {
            var text = Encoding.UTF8.GetString(line);
            text = text.Length <= 300 ? text : text[..300] + "…";
            return text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
        }
    }

    /// <summary>Every public property, recursively; doubles by their bits, so −0 and 0 or two NaNs never pass for each other.</summary>
    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        double d => d.ToString("R", CultureInfo.InvariantCulture) + "#" + BitConverter.DoubleToInt64Bits(d).ToString("X16", CultureInfo.InvariantCulture),
        DateTime t => t.Ticks.ToString(CultureInfo.InvariantCulture) + t.Kind,
        Enum or long or int or bool => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Describe)) + "]",
        _ => value.GetType().Name + " { "
            + string.Join(", ", value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name + " = " + Describe(p.GetValue(value))))
            + " }",
    };

    // ---- the lines ---------------------------------------------------------------------------------------

    private static string Field(string key, string value) => $"\"{key}\":{value}";

    private static string Payload(IEnumerable<(string Key, string Value)> fields) => "{" + string.Join(",", fields.Select(f => Field(f.Key, f.Value))) + "}";

    private static string Envelope(string type, string payload, string ts = Ts) => $"{{\"type\":\"{type}\",\"ts\":\"{ts}\",\"payload\":{payload}}}";

    private static string Line(string type, IEnumerable<(string Key, string Value)> fields) => Envelope(type, Payload(fields));

    private static (string Key, string Value)[] With((string Key, string Value)[] fields, string key, string value) =>
        [.. fields.Select(f => f.Key == key ? (key, value) : f)];

    private static IEnumerable<string> BaseLines()
    {
        yield return Line("trade", Trade);
        yield return Line("quote", Quote);
        yield return Envelope("news", NewsPayload);
        yield return Envelope("volatility", VolatilityPayload);
        yield return Envelope("positions", PositionsPayload);
        yield return Envelope("orders", OrdersPayload);
        yield return $"{{\"ts\":\"{Ts}\",\"payload\":{Payload(Trade)},\"type\":\"trade\"}}";
        yield return $"  {{ \"type\" : \"quote\" , \"ts\" : \"{Ts}\" , \"payload\" : {{ \"bid\" : 1.5 , \"ask\" : 1.75 , \"symbol\" : \"x\" , \"bid_size\" : \"7\" , \"note\" : null }} }}\t";
    }

    /// <summary>The hand-made table: name and line (bytes, so BOMs and invalid UTF-8 can be among them).</summary>
    private static IEnumerable<(string Name, byte[] Line)> EdgeCases()
    {
        static (string, byte[]) Case(string name, string line) => (name, Encoding.UTF8.GetBytes(line));

        var ticks = new[] { ("trade", Trade), ("quote", Quote) };

        // Every type the parser knows, and some it does not.
        foreach (var line in BaseLines())
        {
            yield return Case("base", line);
        }

        foreach (var type in new[] { "bar", "bars", "status", "heartbeat", "", "TRADE", "Trade", "trade ", " quote", "tradex", "news\u00e9" })
        {
            yield return Case($"type '{type}'", Line(type, Trade));
        }

        foreach (var (type, payload) in new[] { ("news", Payload(Trade)), ("volatility", Payload(Quote)), ("trade", NewsPayload), ("quote", VolatilityPayload), ("trade", PositionsPayload), ("quote", OrdersPayload) })
        {
            yield return Case($"{type} with another payload", Envelope(type, payload));
        }

        foreach (var (type, fields) in ticks)
        {
            var payload = Payload(fields);

            // Envelope key orders, and unknown envelope keys around them.
            string[] parts = [$"\"type\":\"{type}\"", $"\"ts\":\"{Ts}\"", $"\"payload\":{payload}"];
            foreach (var order in Permutations([0, 1, 2]))
            {
                yield return Case($"{type} envelope order", "{" + string.Join(",", order.Select(i => parts[i])) + "}");
                foreach (var other in OtherValues)
                {
                    for (var at = 0; at <= 3; at += 3)
                    {
                        var withOther = order.Select(i => parts[i]).ToList();
                        withOther.Insert(at, Field("note", other));
                        yield return Case($"{type} envelope extra", "{" + string.Join(",", withOther) + "}");
                    }
                }
            }

            // Payload key orders.
            var random = new Random(type.Length);
            yield return Case($"{type} reversed", Line(type, fields.Reverse()));
            for (var k = 0; k < 40; k++)
            {
                yield return Case($"{type} shuffled", Line(type, fields.OrderBy(_ => random.Next())));
            }

            // White space between every pair of tokens, and non-JSON white space.
            var tokens = Tokens(type, fields);
            foreach (var ws in new[] { " ", "\t", "\r", "\n", "\r\n", " \t\r\n ", new string(' ', 200) })
            {
                yield return Case($"{type} ws everywhere", string.Concat(tokens.Select(t => ws + t)) + ws);
                yield return Case($"{type} ws leading", ws + string.Concat(tokens));
                yield return Case($"{type} ws trailing", string.Concat(tokens) + ws);
                yield return Case($"{type} ws around colons", string.Concat(tokens.Select(t => t == ":" ? ws + t + ws : t)));
                yield return Case($"{type} ws around commas", string.Concat(tokens.Select(t => t == "," ? ws + t + ws : t)));
                yield return Case($"{type} ws inside braces", string.Concat(tokens.Select(t => t is "{" or "}" ? ws + t + ws : t)));
                for (var k = 0; k < 10; k++)
                {
                    yield return Case($"{type} ws random", string.Concat(tokens.Select(t => (random.Next(3) == 0 ? ws : string.Empty) + t)));
                }
            }

            foreach (var ws in new[] { "\f", "\v", "\u00a0", "\u2028", "\u0000", "\u001f", "\u3000", "\ufeff" })
            {
                yield return Case($"{type} bad ws inside", string.Concat(tokens.Select(t => t == "," ? ws + t : t)));
                yield return Case($"{type} bad ws leading", ws + string.Concat(tokens));
                yield return Case($"{type} bad ws trailing", string.Concat(tokens) + ws);
            }

            // Every numeric field with every number text; symbols; sessions.
            foreach (var (key, _) in fields.Where(f => f.Key is not "symbol" and not "session"))
            {
                foreach (var number in Numbers)
                {
                    yield return Case($"{type} {key}={number}", Line(type, With(fields, key, number)));
                }
            }

            foreach (var symbol in Symbols)
            {
                yield return Case($"{type} symbol={symbol}", Line(type, With(fields, "symbol", symbol)));
            }

            foreach (var session in Sessions)
            {
                yield return Case($"{type} session={session}", Line(type, With(fields, "session", session)));
            }

            // Missing fields: each one, pairs, all.
            foreach (var (key, _) in fields)
            {
                yield return Case($"{type} without {key}", Line(type, fields.Where(f => f.Key != key)));
                yield return Case($"{type} {key} null", Line(type, With(fields, key, "null")));
                foreach (var (other, _) in fields.Where(f => string.CompareOrdinal(f.Key, key) > 0))
                {
                    yield return Case($"{type} without {key}, {other}", Line(type, fields.Where(f => f.Key != key && f.Key != other)));
                }
            }

            yield return Case($"{type} empty payload", Envelope(type, "{}"));
            yield return Case($"{type} empty payload ws", Envelope(type, "{ \t }"));
            yield return Case($"{type} only symbol", Envelope(type, "{\"symbol\":\"MSFT\"}"));
            yield return Case($"{type} only unknowns", Envelope(type, "{\"a\":1,\"b\":\"x\",\"c\":null}"));

            // Duplicate keys: each field twice (same value, other value, null), in the payload and by escape.
            foreach (var (key, value) in fields)
            {
                yield return Case($"{type} {key} twice", Line(type, [.. fields, (key, value)]));
                yield return Case($"{type} {key} twice, other value", Line(type, [.. fields, (key, key == "symbol" ? "\"AAPL\"" : "1")]));
                yield return Case($"{type} {key} twice, null first", Line(type, [(key, "null"), .. fields]));
                yield return Case($"{type} {key} twice, escaped", Line(type, [.. fields, ("\\u00" + ((int)key[0]).ToString("x2", CultureInfo.InvariantCulture) + key[1..], value)]));
                yield return Case($"{type} {key} escaped", Line(type, fields.Select(f => f.Key == key ? ("\\u00" + ((int)key[0]).ToString("x2", CultureInfo.InvariantCulture) + key[1..], f.Value) : f)));
            }

            foreach (var key in new[] { "type", "ts", "payload", "note" })
            {
                var duplicate = key switch
                {
                    "type" => $"\"type\":\"{type}\"",
                    "ts" => $"\"ts\":\"{Ts}\"",
                    "payload" => $"\"payload\":{payload}",
                    _ => "\"note\":1",
                };
                yield return Case($"{type} envelope {key} twice", "{" + duplicate + "," + Envelope(type, payload)[1..^1] + "," + duplicate + "}");
                yield return Case($"{type} envelope {key} twice, after", Envelope(type, payload)[..^1] + "," + duplicate + "}");
            }

            // Unknown keys: each kind of value, first, middle and last; case variants of known keys; many distinct keys.
            foreach (var other in OtherValues)
            {
                yield return Case($"{type} unknown first {other}", Line(type, [("note", other), .. fields]));
                yield return Case($"{type} unknown middle {other}", Line(type, [.. fields.Take(3), ("note", other), .. fields.Skip(3)]));
                yield return Case($"{type} unknown last {other}", Line(type, [.. fields, ("note", other)]));
            }

            foreach (var key in new[] { "Price", "SYMBOL", "Bid", "symbol ", " symbol", "sym", "", "\u00e9", "😀", "\\u0000", "\\\"", "ts", "type", "payload" })
            {
                yield return Case($"{type} key '{key}'", Line(type, [.. fields, (key, "1")]));
            }

            for (var n = 6; n <= 11; n++)
            {
                var unknowns = Enumerable.Range(0, n).Select(i => ($"x{i}", i.ToString(CultureInfo.InvariantCulture))).ToArray();
                yield return Case($"{type} {n} unknown keys", Line(type, [.. fields, .. unknowns]));
                yield return Case($"{type} {n} unknown keys, last repeated", Line(type, [.. fields, .. unknowns, ("x0", "0")]));
                yield return Case($"{type} {n} unknown keys, one repeated at the end", Line(type, [.. fields, .. unknowns, ($"x{n - 1}", "0")]));
                var envelopeUnknowns = string.Concat(unknowns.Select(u => Field(u.Item1, u.Item2) + ","));
                yield return Case($"{type} {n} unknown envelope keys", "{" + envelopeUnknowns + Envelope(type, payload)[1..]);
                yield return Case($"{type} {n} unknown envelope keys, repeated", "{" + envelopeUnknowns + Envelope(type, payload)[1..^1] + ",\"x0\":0}");
            }

            // Wrong types and values of the envelope.
            foreach (var value in new[] { "1", "null", "true", "{}", "[]", "\"\"", "\"tr\\u0061de\"", $"\"{type}\\u0000\"", "[\"trade\"]" })
            {
                yield return Case($"{type} type={value}", $"{{\"type\":{value},\"ts\":\"{Ts}\",\"payload\":{payload}}}");
            }

            foreach (var ts in Times)
            {
                yield return Case($"{type} ts={ts}", Envelope(type, payload, ts));
            }

            foreach (var value in new[] { "1772463845", "1772463845.120331", "1.772463845e9", "-1", "0", "null", "true", "{}", "[]", $"[\"{Ts}\"]", $"{{\"t\":\"{Ts}\"}}" })
            {
                yield return Case($"{type} ts={value}", $"{{\"type\":\"{type}\",\"ts\":{value},\"payload\":{payload}}}");
            }

            foreach (var value in new[] { "null", "[]", "\"x\"", "1", "true", "[{}]", $"[{payload}]", $"\"{payload.Replace("\"", "\\\"", StringComparison.Ordinal)}\"" })
            {
                yield return Case($"{type} payload={value}", Envelope(type, value));
            }

            yield return Case($"{type} without payload", $"{{\"type\":\"{type}\",\"ts\":\"{Ts}\"}}");
            yield return Case($"{type} without ts", $"{{\"type\":\"{type}\",\"payload\":{payload}}}");
            yield return Case($"{type} without type", $"{{\"ts\":\"{Ts}\",\"payload\":{payload}}}");

            // Nesting: in the payload, in the envelope, around the depth limit.
            for (var depth = 1; depth <= 18; depth++)
            {
                var nested = new string('[', depth) + new string(']', depth);
                var nestedObject = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                yield return Case($"{type} nested array {depth}", Line(type, [.. fields, ("note", nested)]));
                yield return Case($"{type} nested object {depth}", Line(type, [.. fields, ("note", nestedObject)]));
                yield return Case($"{type} nested envelope {depth}", "{\"note\":" + nestedObject + "," + Envelope(type, payload)[1..]);
            }

            yield return Case($"{type} payload in payload", Line(type, [.. fields, ("payload", payload)]));

            // Truncation and what may follow the object.
            var full = Line(type, fields);
            foreach (var tail in new[] { "x", ",", "}", "]", "{}", "[]", "0", "null", "\"\"", ",{}", " x", "//", "/* */", "\u00e9", full })
            {
                yield return Case($"{type} tail {tail}", full + tail);
            }

            yield return Case($"{type} without closing brace", full[..^1]);
            yield return Case($"{type} without closing braces", full[..^2]);
            yield return Case($"{type} without opening brace", full[1..]);
            yield return Case($"{type} as array", "[" + full + "]");
            yield return Case($"{type} trailing comma", full[..^2] + ",}}");
            yield return Case($"{type} trailing comma envelope", full[..^1] + ",}");
            yield return Case($"{type} single quotes", full.Replace('"', '\''));
            yield return Case($"{type} comment", "/* c */" + full);
            yield return (type + " BOM", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(full)]);
            yield return (type + " UTF-16", Encoding.Unicode.GetBytes(full));
            yield return (type + " invalid UTF-8 in symbol", Encoding.UTF8.GetBytes(full.Replace("MSFT", "MS\u0001T", StringComparison.Ordinal)).Select(b => b == 1 ? (byte)0xFF : b).ToArray());
            yield return (type + " overlong UTF-8 in unknown", Encoding.UTF8.GetBytes(Line(type, [.. fields, ("note", "\"a\u0001\"")])).Select(b => b == 1 ? (byte)0xC0 : b).ToArray());
            yield return (type + " lone surrogate bytes", [.. Encoding.UTF8.GetBytes(full[..^2]), .. Encoding.UTF8.GetBytes(",\"n\":\""), 0xED, 0xA0, 0x80, .. Encoding.UTF8.GetBytes("\"}}")]);

            // Unicode and escapes elsewhere in the line.
            foreach (var text in new[] { "\"Müller ünd 😀\"", "\"\\u00fc\\ud83d\\ude00\"", "\"\\\"quoted\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\x41\"", "\"\\u12\"", "\"\u2028\"" })
            {
                yield return Case($"{type} unicode {text}", Line(type, [.. fields, ("note", text)]));
                yield return Case($"{type} unicode key {text}", Line(type, [.. fields, (text[1..^1], "1")]));
                yield return Case($"{type} unicode envelope {text}", "{\"note\":" + text + "," + Envelope(type, payload)[1..]);
                yield return Case($"{type} unicode envelope key {text}", "{" + text + ":1," + Envelope(type, payload)[1..]);
                yield return Case($"{type} unicode nested key {text}", Line(type, [.. fields, ("note", "{" + text + ":1}")]));
            }
        }

        // Quotes: crossed, locked, mid against bid and ask.
        foreach (var (bid, ask, mid) in new[] { ("10", "9", "9.5"), ("10", "10", "10"), ("10", "10.01", "null"), ("10", "10.01", "0"), ("10", "10.01", "-1"), ("10", "10.01", "20000000"), ("9999999", "10000000", "null"), ("10000000", "10000000", "null"), ("0", "1", "0.5"), ("1", "0", "0.5"), ("1e-320", "2e-320", "null"), ("5e-324", "5e-324", "null") })
        {
            yield return Case($"quote {bid}/{ask}/{mid}", Line("quote", With(With(With(Quote, "bid", bid), "ask", ask), "mid", mid)));
        }

        // Other types: declined by the fast path, read by the reader.
        foreach (var (key, value) in new[]
        {
            ("id", "\"abc\""), ("id", "null"), ("id", "{}"), ("id", "1.5e3"), ("id", "-0"), ("headline", "1"), ("headline", "null"), ("headline", "\"\\u00e9😀\""),
            ("symbols", "null"), ("symbols", "[]"), ("symbols", "[\"A\",\"a\",\"A\",null,\"\",\" B\",\"toolongtoolongtoolong\"]"), ("symbols", "\"MSFT\""), ("symbols", "[1]"),
            ("symbols", "[" + string.Join(",", Enumerable.Range(0, 120).Select(i => $"\"S{i}\"")) + "]"), ("created_at", "\"bad\""), ("created_at", "\"\""), ("created_at", "null"), ("created_at", "1"),
            ("summary", "[]"), ("url", "{}"), ("source", "\"x\\ny\""),
        })
        {
            yield return Case($"news {key}={value}", Envelope("news", NewsPayload[..^1] + "," + Field(key == "id" ? "id" : key, value) + "}"));
            yield return Case($"news only {key}={value}", Envelope("news", "{" + Field(key, value) + "}"));
        }

        foreach (var value in new[] { "0.2741", "\"0.2741\"", "0", "-0.1", "50", "50.1", "1e400", "null", "true", "\"x\"", "[]" })
        {
            yield return Case($"volatility vol={value}", Envelope("volatility", $"{{\"annualized_vol_30d\":{value},\"symbol\":\"MSFT\"}}"));
        }

        foreach (var symbol in new[] { "\"msft\"", "\"\"", "null", "1", "\"MS FT\"", "\"\\u004dSFT\"" })
        {
            yield return Case($"volatility symbol={symbol}", Envelope("volatility", $"{{\"annualized_vol_30d\":0.3,\"symbol\":{symbol}}}"));
            yield return Case($"positions symbol={symbol}", Envelope("positions", $"{{\"positions\":[{{\"symbol\":{symbol},\"qty\":\"1\"}}]}}"));
            yield return Case($"orders symbol={symbol}", Envelope("orders", $"{{\"orders\":[{{\"symbol\":{symbol},\"qty\":\"1\"}}]}}"));
        }

        foreach (var qty in new[] { "\"12\"", "\"-3\"", "-3", "\"abc\"", "\"\"", "1e10", "\"1e9\"", "null", "true", "\"NaN\"" })
        {
            yield return Case($"positions qty={qty}", Envelope("positions", $"{{\"positions\":[{{\"symbol\":\"A\",\"qty\":{qty},\"side\":\"short\"}}]}}"));
            yield return Case($"orders qty={qty}", Envelope("orders", $"{{\"orders\":[{{\"symbol\":\"A\",\"qty\":{qty},\"filled_qty\":{qty}}}]}}"));
        }

        foreach (var list in new[] { "null", "[]", "[null]", "{}", "1", "[1]", "[{}]", "[{\"symbol\":\"A\",\"symbol\":\"B\"}]" })
        {
            yield return Case($"positions={list}", Envelope("positions", $"{{\"positions\":{list}}}"));
            yield return Case($"orders={list}", Envelope("orders", $"{{\"orders\":{list}}}"));
        }

        foreach (var (type, payload) in new[] { ("news", NewsPayload), ("volatility", VolatilityPayload), ("positions", PositionsPayload), ("orders", OrdersPayload), ("bar", Payload(Trade)) })
        {
            yield return Case($"{type} payload first", $"{{\"payload\":{payload},\"type\":\"{type}\",\"ts\":\"{Ts}\"}}");
            yield return Case($"{type} duplicate in payload", Envelope(type, payload[..^1] + "," + payload[1..]));
            yield return Case($"{type} ts bad", Envelope(type, payload, "yesterday"));
            yield return Case($"{type} ws", " " + Envelope(type, payload).Replace(",", " ,\t", StringComparison.Ordinal) + " ");
            yield return Case($"{type} payload null", Envelope(type, "null"));
            yield return Case($"{type} payload []", Envelope(type, "[]"));
            yield return Case($"{type} truncated", Envelope(type, payload)[..^3]);
        }

        // Lines that are not envelopes at all.
        foreach (var line in new[] { "", " ", "\t", "\r", "{}", "[]", "null", "1", "\"trade\"", "{", "}", "{\"type\"}", "{\"type\":}", "{\"type\":\"trade\"", "{\"type\":\"trade\",}", "{,}", "{\"\":1}", "\ufeff", "\ufeff{}" })
        {
            yield return Case($"not an envelope '{line}'", line);
        }
    }

    /// <summary>The tokens of a tick line with no white space: braces, keys, colons, values, commas.</summary>
    private static List<string> Tokens(string type, (string Key, string Value)[] fields)
    {
        var tokens = new List<string> { "{", "\"type\"", ":", $"\"{type}\"", ",", "\"ts\"", ":", $"\"{Ts}\"", ",", "\"payload\"", ":", "{" };
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                tokens.Add(",");
            }

            tokens.AddRange([$"\"{fields[i].Key}\"", ":", fields[i].Value]);
        }

        tokens.AddRange(["}", "}"]);
        return tokens;
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Length; i++)
        {
            foreach (var rest in Permutations([.. items[..i], .. items[(i + 1)..]]))
            {
                yield return [items[i], .. rest];
            }
        }
    }
}
