using System.Text;
using SentryBrain.Events;

namespace SentryBrain.Tests.Events;

/// <summary>
/// Issue 10, breaks 1, 4 (news), 5, 6 and 14 at the parser: aliasing through the escaped path, invalid UTF-8,
/// duplicate keys (identically on the fast and the full path), error texts in the user's terms, and the news
/// symbol cap.
/// </summary>
public sealed class ParserHardeningTests
{
    private const string Ts = "2026-03-02T15:04:05Z";

    private static MarketEvent? Parse(EventParser parser, byte[] line, out string? error) => parser.Parse(line, out error);

    private static MarketEvent? Parse(string line, out string? error) => new EventParser().Parse(Encoding.UTF8.GetBytes(line), out error);

    private static string Reject(byte[] line, EventParser? parser = null)
    {
        var evt = (parser ?? new EventParser()).Parse(line, out var error);
        Assert.True(evt is null, $"accepted: {Encoding.UTF8.GetString(line)}");
        Assert.False(string.IsNullOrEmpty(error));
        return error!;
    }

    private static string Reject(string line) => Reject(Encoding.UTF8.GetBytes(line));

    /// <summary>An unrelated envelope field with an escape: the hand-written fast path declines it, so the full path runs.</summary>
    private static string WithEscapedField(string line) => "{\"note\":\"\\u0041\"," + line[1..];

    private static byte[] WithEscapedField(byte[] line) => [.. "{\"note\":\"\\u0041\","u8, .. line.AsSpan(1)];

    // ---- 1: aliasing through the escaped path and the string overload -----------------------------------

    [Theory]
    [InlineData("\\u0000ACME")]
    [InlineData("\\u0000\\u0000ACME")]
    [InlineData(" ACME")]
    [InlineData("ACME ")]
    [InlineData("\\u0020ACME")]
    [InlineData("\\tACME")]
    [InlineData("AC\\u0000ME")]
    public void NonTickerSymbol_AfterAcmeIsKnown_IsRejected_OnEveryPath(string symbol)
    {
        var parser = new EventParser();
        var acme = Parse(parser, Encoding.UTF8.GetBytes($$$"""{"type":"quote","ts":"{{{Ts}}}","payload":{"symbol":"ACME","bid":90.00,"ask":90.02,"bid_size":5,"ask_size":5}}"""), out var error);
        Assert.True(acme is QuoteEvent { Symbol: "ACME" }, error);

        var quote = $$$"""{"type":"quote","ts":"{{{Ts}}}","payload":{"symbol":"{{{symbol}}}","bid":90.00,"ask":90.02,"bid_size":5,"ask_size":5}}""";
        var vol = $$$"""{"type":"volatility","ts":"{{{Ts}}}","payload":{"symbol":"{{{symbol}}}","annualized_vol_30d":0.3}}""";
        var position = $$$"""{"type":"positions","ts":"{{{Ts}}}","payload":{"positions":[{"symbol":"{{{symbol}}}","qty":"12","side":"long"}]}}""";
        var order = $$$"""{"type":"orders","ts":"{{{Ts}}}","payload":{"orders":[{"id":"1","symbol":"{{{symbol}}}","side":"sell","qty":"12"}]}}""";

        Assert.Contains("symbol", Reject(Encoding.UTF8.GetBytes(quote), parser), StringComparison.Ordinal);
        Assert.Contains("symbol", Reject(Encoding.UTF8.GetBytes(WithEscapedField(quote)), parser), StringComparison.Ordinal);
        Assert.Contains("symbol", Reject(Encoding.UTF8.GetBytes(vol), parser), StringComparison.Ordinal);
        Assert.Contains("symbol", Reject(Encoding.UTF8.GetBytes(position), parser), StringComparison.Ordinal);
        Assert.Contains("symbol", Reject(Encoding.UTF8.GetBytes(order), parser), StringComparison.Ordinal);

        // In a news list an invalid symbol is dropped (news stays liberal), never read as ACME.
        var news = Parse(parser, Encoding.UTF8.GetBytes($$$"""{"type":"news","ts":"{{{Ts}}}","payload":{"id":1,"headline":"h","symbols":["{{{symbol}}}"]}}"""), out error);
        Assert.Empty(Assert.IsType<NewsEvent>(news).Symbols);
    }

    [Fact]
    public void EscapedSymbol_ThatSpellsAcme_IsAcme()
    {
        // JSON escapes are only another spelling: "\u0041CME" is the string ACME.
        var parser = new EventParser();
        var quote = Parse(parser, """{"type":"quote","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"\u0041CME","bid":90.00,"ask":90.02}}"""u8.ToArray(), out var error);

        Assert.Equal("ACME", Assert.IsType<QuoteEvent>(quote).Symbol);
        Assert.Null(error);
    }

    // ---- 5: invalid UTF-8 ----------------------------------------------------------------------------------

    private static readonly byte[][] InvalidSequences =
    [
        [0xFF],             // never valid
        [0x80],             // lone continuation byte
        [0xC0, 0xAF],       // overlong '/'
        [0xED, 0xA0, 0x80], // UTF-16 surrogate D800
        [0xE2, 0x82],       // truncated three-byte sequence
        [0xF4, 0x90, 0x80, 0x80], // above U+10FFFF
    ];

    public static TheoryData<string> LinesWithAHole() =>
    [
        """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1,"session":"reg#ular"}}""",
        """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1,"cond":"#"}}""",
        """{"type":"quote","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","bid":1.5,"ask":1.6,"x#":1}}""",
        """{"type":"quote","src":"a#b","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","bid":1.5,"ask":1.6}}""",
        """{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":1,"headline":"Acme #wins","symbols":["ACME"]}}""",
        """{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":1,"headline":"h","summary":"<p>#</p>","symbols":["ACME"]}}""",
        """{"type":"orders","ts":"2026-03-02T15:04:05Z","payload":{"orders":[{"id":"#","symbol":"TRI","side":"buy","qty":"1"}]}}""",
    ];

    [Theory]
    [MemberData(nameof(LinesWithAHole))]
    public void InvalidUtf8_InAnyString_IsRejected_OnBothPaths(string template)
    {
        // The template is valid as written (the control), and rejected with each invalid sequence in place of '#'.
        var hole = template.IndexOf('#', StringComparison.Ordinal);
        var valid = Encoding.UTF8.GetBytes(template.Replace("#", "é", StringComparison.Ordinal));
        Assert.True(new EventParser().Parse(valid, out var error) is not null, error);
        Assert.True(new EventParser().Parse(WithEscapedField(valid), out error) is not null, error);

        foreach (var bad in InvalidSequences)
        {
            byte[] line = [.. Encoding.UTF8.GetBytes(template[..hole]), .. bad, .. Encoding.UTF8.GetBytes(template[(hole + 1)..])];
            var column = Encoding.UTF8.GetByteCount(template[..hole]) + 1;

            Assert.Equal($"invalid UTF-8 at column {column}", Reject(line));
            Assert.Equal($"invalid UTF-8 at column {column + 16}", Reject(WithEscapedField(line))); // {"note":"\u0041", adds 16 bytes
        }
    }

    // ---- 6: duplicate keys, identically on both paths ------------------------------------------------------

    /// <summary>(line, accepted, taken by the fast path when accepted).</summary>
    public static TheoryData<string, bool, bool> DuplicateKeyLines() => new()
    {
        // accepted: no key repeats within one object (the same name in different objects is fine)
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1}}""", true, true },
        { """{"type":"quote","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","bid":1.5,"ask":1.6,"bid_size":1,"ask_size":2}}""", true, true },
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","symbol":"X","payload":{"symbol":"MSFT","price":1.5,"size":1,"prices":2,"pric":3}}""", true, true },
        { """{"payload":{"symbol":"MSFT","price":1.5,"size":1},"ts":"2026-03-02T15:04:05Z","type":"trade"}""", true, true },
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"payload":{"symbol":"MSFT","price":1.5,"size":1,"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10}}""", true, false },
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1,"meta":{"a":1,"b":{"a":2}}}}""", true, false },

        // rejected: a key repeated in one object, at any level
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":-5,"price":100,"size":1}}""", false, false },
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":100,"price":100,"size":1}}""", false, false },
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","symbol":"ACME","price":1.5,"size":1}}""", false, false },
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1,"session":"regular","session":"post_close"}}""", false, false },
        { """{"type":"quote","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","bid":1.5,"ask":1.6,"bid_size":1,"bid_size":2}}""", false, false },
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1,"x":1,"x":1}}""", false, false },
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1,"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"a":11}}""", false, false },
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1,"meta":{"a":1,"a":2}}}""", false, false },
        { """{"type":"trade","type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1}}""", false, false },
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","ts":"2026-03-02T15:04:06Z","payload":{"symbol":"MSFT","price":1.5,"size":1}}""", false, false },
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5},"payload":{"size":1}}""", false, false },
        { """{"type":"trade","seq":1,"ts":"2026-03-02T15:04:05Z","seq":2,"payload":{"symbol":"MSFT","price":1.5,"size":1}}""", false, false },
        { """{"type":"trade","ts":"2026-03-02T15:04:05Z","a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"j":11,"payload":{"symbol":"MSFT","price":1.5,"size":1}}""", false, false },
        { """{"payload":{"symbol":"MSFT","price":1.5,"price":2,"size":1},"ts":"2026-03-02T15:04:05Z","type":"trade"}""", false, false },
    };

    [Theory]
    [MemberData(nameof(DuplicateKeyLines))]
    public void DuplicateKeys_AreRejected_IdenticallyOnTheFastAndTheFullPath(string line, bool accepted, bool fastPath)
    {
        var plain = Encoding.UTF8.GetBytes(line);
        var escaped = Encoding.UTF8.GetBytes(WithEscapedField(line));

        // The escaped variant really goes through the full path; the plain line is the fast path's to decide
        // (it may hand a duplicate over to the full path, but must never accept one).
        Assert.False(new EventParser().TryParseFast(escaped, out _, out _), "the escaped variant was taken by the fast path");
        if (fastPath)
        {
            Assert.True(new EventParser().TryParseFast(plain, out var fast, out var fastError) && fast is not null, $"fast path did not accept: {fastError}");
        }

        var viaFast = new EventParser().Parse(plain, out var errorFast);
        var viaFull = new EventParser().Parse(escaped, out var errorFull);

        Assert.True(accepted == viaFast is not null, $"fast path: {(viaFast is null ? "rejected: " + errorFast : "accepted")}");
        Assert.True(accepted == viaFull is not null, $"full path: {(viaFull is null ? "rejected: " + errorFull : "accepted")}");
        if (!accepted)
        {
            Assert.Contains("duplicate key", errorFast, StringComparison.Ordinal);
            Assert.Equal(WithoutColumn(errorFast!), WithoutColumn(errorFull!));
        }
    }

    private static string WithoutColumn(string error) => System.Text.RegularExpressions.Regex.Replace(error, " at column [0-9]+", string.Empty);

    [Theory]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"pr\u0069ce":2,"size":1}}""")]
    [InlineData("""{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":1,"headline":"a","headline":"b","symbols":["ACME"]}}""")]
    [InlineData("""{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":1,"headline":"a","symbols":["ACME"]},"payload":{"id":2}}""")]
    [InlineData("""{"type":"volatility","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","annualized_vol_30d":0.2,"annualized_vol_30d":9}}""")]
    [InlineData("""{"type":"positions","ts":"2026-03-02T15:04:05Z","payload":{"positions":[{"symbol":"GERN","qty":"12","qty":"-12","side":"long"}]}}""")]
    [InlineData("""{"type":"orders","ts":"2026-03-02T15:04:05Z","payload":{"orders":[{"id":"1","symbol":"TRI","side":"buy","side":"sell","qty":"1"}]}}""")]
    [InlineData("""{"type":"heartbeat","ts":"2026-03-02T15:04:05Z","payload":{"n":1,"n":2}}""")]
    public void DuplicateKeys_InEscapedOrNonTickLines_AreRejected(string line)
    {
        Assert.Contains("duplicate key", Reject(line), StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateKey_Message_NamesTheKeyAndItsColumn()
    {
        const string line = """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":-5,"price":100,"size":1}}""";
        var second = line.LastIndexOf("\"price\"", StringComparison.Ordinal) + 1; // 1-based column of the repeated key

        Assert.Equal($"duplicate key 'price' at column {second}", Reject(line));
    }

    // ---- 14: error texts in the user's terms ----------------------------------------------------------------

    [Theory]
    [InlineData("""{'type':'trade'}""", "'type'")]                                      // the first '
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{}} x""", "x")] // the x after the object
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{}}{}""", "{}")] // the second object
    [InlineData("""{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":1} /* c */}""", "/*")] // the comment
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"a":1,}}""", "}}")] // the brace after a trailing comma
    public void MalformedJson_SaysInvalidJsonAtAColumn_WithoutReaderInternals(string line, string culprit)
    {
        var column = line.LastIndexOf(culprit, StringComparison.Ordinal) + 1;

        var error = Reject(line);

        Assert.StartsWith($"invalid JSON at column {column}: ", error, StringComparison.Ordinal);
        AssertNoInternals(error);
    }

    [Theory]
    [InlineData("""{"type": trade}""")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","pri""")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1}""")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":01.5,"size":1}}""")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"a":[1,2,}}""")]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":1,"headline":5}}""")]
    [InlineData("""{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":1,"symbols":"ACME"}}""")]
    [InlineData("""{"type":"volatility","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","annualized_vol_30d":"abc"}}""")]
    [InlineData("""{"type":"positions","ts":"2026-03-02T15:04:05Z","payload":{"positions":[{"symbol":"GERN","qty":true}]}}""")]
    [InlineData("""{"type":"orders","ts":"2026-03-02T15:04:05Z","payload":{"orders":{"id":"1"}}}""")]
    public void ErrorTexts_NeverShowReaderInternals(string line)
    {
        AssertNoInternals(Reject(line));
    }

    [Theory]
    [InlineData("""{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":1,"headline":5}}""", "field 'headline' has the wrong type")]
    [InlineData("""{"type":"volatility","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","annualized_vol_30d":"abc"}}""", "field 'annualized_vol_30d' has the wrong type")]
    [InlineData("""{"type":"positions","ts":"2026-03-02T15:04:05Z","payload":{"positions":[{"symbol":"GERN","qty":true}]}}""", "field 'positions[0].qty' has the wrong type")]
    public void WrongTypeInAPayload_NamesTheField(string line, string expected)
    {
        Assert.Equal(expected, Reject(line));
    }

    private static void AssertNoInternals(string error)
    {
        foreach (var leak in new[] { "LineNumber", "BytePositionInLine", "Path:", "$.", "System.", "JsonToken", "Utf8JsonReader" })
        {
            Assert.DoesNotContain(leak, error, StringComparison.Ordinal);
        }
    }

    // ---- 4 (news): linear de-duplication and the symbol cap -------------------------------------------------

    private static byte[] NewsLine(IEnumerable<string> symbols)
    {
        var sb = new StringBuilder("""{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":1,"headline":"h","symbols":[""");
        var first = true;
        foreach (var s in symbols)
        {
            sb.Append(first ? "\"" : ",\"").Append(s).Append('"');
            first = false;
        }

        return Encoding.UTF8.GetBytes(sb.Append("]}}").ToString());
    }

    private static string Ticker(int i)
    {
        // base-26 letters: A, B, …, Z, BA, BB, … — distinct, valid tickers of at most 4 letters for i < 26^4
        var chars = new Stack<char>();
        do
        {
            chars.Push((char)('A' + (i % 26)));
            i /= 26;
        }
        while (i > 0);
        return new string([.. chars]);
    }

    [Fact]
    public void News_RemovesDuplicatesInOrder_AndDropsNonTickers()
    {
        var news = new EventParser().Parse(NewsLine(["msft", "ACME", "MSFT", "bad sym", "acme", "TRI", "MSFT", "", "TRI"]), out var error);

        Assert.Equal(["MSFT", "ACME", "TRI"], Assert.IsType<NewsEvent>(news).Symbols);
        Assert.Null(error);
    }

    [Fact]
    public void News_WithExactlyTheCap_IsAccepted_AndDuplicatesDoNotCount()
    {
        var symbols = Enumerable.Range(0, 3).Select(Ticker).ToList();
        var line = NewsLine([.. symbols, .. symbols, .. symbols]);

        var news = new EventParser(newsMaxSymbols: 3).Parse(line, out var error);

        Assert.Equal(symbols, Assert.IsType<NewsEvent>(news).Symbols);
        Assert.Null(error);
    }

    [Fact]
    public void News_NamingMoreDistinctSymbolsThanTheCap_IsRejected()
    {
        var line = NewsLine(Enumerable.Range(0, 4).Select(Ticker));

        var error = Reject(line, new EventParser(newsMaxSymbols: 3));

        Assert.Equal("news item names more than 3 distinct symbols (NEWS_MAX_SYMBOLS)", error);
    }

    [Fact]
    public void News_With110000Symbols_IsRejectedByTheDefaultCap_WithoutGrowingTheSymbolTable()
    {
        // The issue's line: 110,000 distinct tickers, ≈ 0.9 MB.
        var line = NewsLine(Enumerable.Range(0, 110_000).Select(Ticker));
        Assert.InRange(line.Length, 600_000, 1_048_576);
        var parser = new EventParser();

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var evt = parser.Parse(line, out var error);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Null(evt);
        Assert.Equal($"news item names more than {EventParser.DefaultNewsMaxSymbols} distinct symbols (NEWS_MAX_SYMBOLS)", error);
        Assert.True(parser.Symbols.Count <= EventParser.DefaultNewsMaxSymbols + 1, $"{parser.Symbols.Count} symbols interned");

        // Generous: the line's strings once (≈ 110,000 × 30 B) plus the reader's buffers, not a per-symbol blow-up.
        Assert.True(allocated < 64L * 1024 * 1024, $"allocated {allocated:N0} bytes");
    }
}
