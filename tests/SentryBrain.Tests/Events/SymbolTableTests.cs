using System.Text;
using SentryBrain.Events;

namespace SentryBrain.Tests.Events;

/// <summary>
/// Issue 10, break 1: a symbol that is not a ticker must never come back as one that is. The table caches short
/// symbols under a packed key; these tests enumerate every byte value at every position of short symbols against a
/// reference predicate written here, independently of the table's code.
/// </summary>
public sealed class SymbolTableTests
{
    /// <summary>The ticker rule, stated plainly: 1–16 bytes of A–Z, a–z, 0–9, '.', '-', '/'; upper-cased.</summary>
    private static string? Reference(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length is < 1 or > 16)
        {
            return null;
        }

        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            var ok = b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'-' or (byte)'/';
            if (!ok)
            {
                return null;
            }

            chars[i] = b is >= (byte)'a' and <= (byte)'z' ? (char)(b - 32) : (char)b;
        }

        return new string(chars);
    }

    /// <summary>The same rule over UTF-16 text: every char must be one of those ASCII bytes (no trimming, no culture).</summary>
    private static string? Reference(string text)
    {
        foreach (var c in text)
        {
            if (c > 0x7F)
            {
                return null;
            }
        }

        return Reference(Encoding.ASCII.GetBytes(text));
    }

    private static readonly string[] Bases = ["A", "AC", "ACM", "ACME", "ACMEB", "ACMEBC", "ACMEBCD", "ACMEBCDE", "ACMEBCDEF"];

    /// <summary>Every byte value 0–255 replacing, and inserted at, every position of each base (lengths 1–10), plus NUL prefixes.</summary>
    private static List<byte[]> Mutations()
    {
        var cases = new List<byte[]>();
        foreach (var text in Bases)
        {
            var b = Encoding.ASCII.GetBytes(text);
            for (var p = 0; p < b.Length; p++)
            {
                for (var v = 0; v <= 255; v++)
                {
                    var replaced = (byte[])b.Clone();
                    replaced[p] = (byte)v;
                    cases.Add(replaced);
                }
            }

            for (var p = 0; p <= b.Length; p++)
            {
                for (var v = 0; v <= 255; v++)
                {
                    cases.Add([.. b[..p], (byte)v, .. b[p..]]);
                }
            }

            for (var zeros = 1; zeros <= 8; zeros++)
            {
                cases.Add([.. new byte[zeros], .. b]);
                cases.Add([.. b, .. new byte[zeros]]);
            }
        }

        return cases;
    }

    /// <summary>Every contiguous piece of every base: the tickers a packed-key collision could return.</summary>
    private static IEnumerable<byte[]> AliasTargets()
    {
        foreach (var text in Bases)
        {
            for (var start = 0; start < text.Length; start++)
            {
                for (var end = start + 1; end <= text.Length; end++)
                {
                    yield return Encoding.ASCII.GetBytes(text[start..end]);
                    yield return Encoding.ASCII.GetBytes(text[start..end].ToLowerInvariant());
                }
            }
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    [Fact]
    public void Intern_AgreesWithTheReference_ForEveryByteAtEveryPosition_OnAColdAndAWarmTable()
    {
        var cases = Mutations();
        Assert.True(cases.Count > 9 * 256 * 9, $"only {cases.Count} cases");

        // Cold: each case on a fresh table, so nothing cached can answer for it.
        var failures = new List<string>();
        foreach (var c in cases)
        {
            var got = new SymbolTable().Intern(c);
            if (got != Reference(c))
            {
                failures.Add($"cold {Hex(c)}: got {(got is null ? "null" : "'" + got + "'")}, want {Reference(c) ?? "null"}");
            }
        }

        // Warm: every valid case and every piece of every base interned first (so the cache holds anything a
        // collision could return), then every case asked twice.
        var table = new SymbolTable();
        foreach (var target in AliasTargets())
        {
            Assert.NotNull(table.Intern(target));
        }

        foreach (var c in cases.Where(c => Reference(c) is not null))
        {
            table.Intern(c);
        }

        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var c in cases)
            {
                var want = Reference(c);
                var got = table.Intern(c);
                if (got != want)
                {
                    failures.Add($"warm {Hex(c)}: got {(got is null ? "null" : "'" + got + "'")}, want {want ?? "null"}");
                }
                else if (want is not null)
                {
                    // One string per ticker, whatever case or path it arrived by.
                    Assert.Same(table.Intern(Encoding.ASCII.GetBytes(want)), got);
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count * 3} look-ups disagree with the reference, e.g.:\n" + string.Join('\n', failures.Take(10)));
    }

    [Fact]
    public void Intern_OfLeadingNulAcme_AfterAcme_IsNotAcme()
    {
        var table = new SymbolTable();
        Assert.Equal("ACME", table.Intern("ACME"u8));

        Assert.Null(table.Intern("\0ACME"u8));
        Assert.Null(table.Intern("\0\0\0\0ACME"u8));
        Assert.Null(table.Intern("\0ACME"));
    }

    [Fact]
    public void InternString_AgreesWithTheReference_ForEveryLatin1CharAndSomeLookalikes_AtEveryPosition()
    {
        var table = new SymbolTable();
        foreach (var target in AliasTargets())
        {
            table.Intern(target);
        }

        // ſ (U+017F) and ı (U+0131) upper-case to S and I under culture-aware rules; K (U+212A) is the Kelvin sign;
        // fullwidth letters look like tickers. None of them is one.
        char[] extra = ['\u017F', '\u0131', '\u212A', '\uFF21', '\u00A0', '\u2007', '\u200B', '\uFEFF', '\uD800'];
        var chars = Enumerable.Range(0, 256).Select(c => (char)c).Concat(extra).ToArray();
        var failures = new List<string>();
        foreach (var text in Bases)
        {
            for (var p = 0; p < text.Length; p++)
            {
                foreach (var c in chars)
                {
                    foreach (var candidate in new[] { text[..p] + c + text[(p + 1)..], text[..p] + c + text[p..] })
                    {
                        var got = table.Intern(candidate);
                        if (got != Reference(candidate))
                        {
                            failures.Add($"'{string.Concat(candidate.Select(ch => ch < 0x20 || ch > 0x7E ? $"\\u{(int)ch:X4}" : ch.ToString()))}': got {got ?? "null"}, want {Reference(candidate) ?? "null"}");
                        }
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} disagree with the reference, e.g.:\n" + string.Join('\n', failures.Take(10)));
    }

    [Theory]
    [InlineData(" ACME")]
    [InlineData("ACME ")]
    [InlineData("\tACME")]
    [InlineData("ACME\n")]
    [InlineData("\u00A0ACME")]
    public void InternString_DoesNotTrim_WhiteSpaceIsNotPartOfATicker(string text)
    {
        var table = new SymbolTable();
        Assert.Equal("ACME", table.Intern("ACME"));

        Assert.Null(table.Intern(text));
    }

    /// <summary>
    /// The direct-mapped cache in front of the look-up never answers with another ticker: 5,000 tickers (far more than
    /// its 64 slots, so they collide) interned in random order and case, before and after the table starts afresh past
    /// <see cref="SymbolTable.MaxSymbols"/>, always give their own upper-case text.
    /// </summary>
    [Fact]
    public void Intern_RepeatedInRandomOrder_AlwaysGivesTheSameTicker_AcrossAReset()
    {
        var table = new SymbolTable();
        var rng = new Random(9);
        var tickers = Enumerable.Range(0, 5_000).Select(k => "T" + k.ToString(System.Globalization.CultureInfo.InvariantCulture) + (k % 3 == 0 ? ".A" : "")).ToArray();
        void Check(int rounds)
        {
            for (var r = 0; r < rounds; r++)
            {
                var ticker = tickers[rng.Next(tickers.Length)];
                var sent = rng.Next(2) == 0 ? ticker : ticker.ToLowerInvariant();
                Assert.Equal(ticker, table.Intern(System.Text.Encoding.ASCII.GetBytes(sent)));
            }
        }

        Check(50_000);
        for (var k = 0; table.Count < SymbolTable.MaxSymbols; k++)
        {
            table.Intern(System.Text.Encoding.ASCII.GetBytes("Z" + k.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        table.Intern("RESET"u8); // past the cap: the table starts afresh
        Assert.True(table.Count < 10, $"{table.Count} symbols after the reset");
        Check(50_000);
    }
}
