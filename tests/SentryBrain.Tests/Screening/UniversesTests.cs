using SentryBrain.Execution.Alpaca;
using SentryBrain.Screening;

namespace SentryBrain.Tests.Screening;

/// <summary>The universes of BEHAVIOR.md §8.1, with our differences: a missing or empty list is an error, never an empty universe.</summary>
public sealed class UniversesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-universes-" + Guid.NewGuid().ToString("N"));

    public UniversesTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private UniverseContext Context(string tickers = "") => new(DataDirectory: _dir, Tickers: tickers);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Lab12_IsTheReferencesTwelve()
    {
        var u = Universes.Resolve("lab_12", Context());

        Assert.Equal("lab_12", u.Name);
        Assert.Equal(["CRWD", "SNOW", "DDOG", "NET", "MDB", "DECK", "POOL", "SOFI", "XPO", "HIMS", "FIVE", "ZS"], u.Symbols);
        Assert.Empty(u.Problems);
    }

    [Theory]
    [InlineData("sp500")]
    [InlineData("snp500")]
    [InlineData(" SP500 ")]
    public void Sp500_IsShipped_WithSectors(string spec)
    {
        var u = Universes.Resolve(spec, Context());

        Assert.Equal("sp500", u.Name);
        Assert.True(u.Symbols.Count >= 500, $"{u.Symbols.Count} symbols");
        Assert.Contains("AAPL", u.Symbols);
        Assert.Contains("BRK.B", u.Symbols); // a class share with a dot
        Assert.Equal(u.Symbols.Count, u.Symbols.Distinct().Count());
        Assert.All(u.Symbols, s => Assert.True(Universes.IsValidSymbol(s), s));
        Assert.Equal("Information Technology", u.Sectors["AAPL"]);
        Assert.Equal("Financials", u.Sectors["BRK.B"]);
        Assert.Equal("Industrials", u.Sectors["MMM"]); // a row whose headquarters field is quoted ("Saint Paul, Minnesota")
        Assert.Empty(u.Problems);
    }

    [Theory]
    [InlineData("sp400", "sp400")]
    [InlineData("nasdaq100", "nasdaq100")]
    [InlineData("r2000", "r2000")]
    [InlineData("russell2000", "r2000")]
    public void IndexLists_AreReadFromTheDataDirectory(string spec, string file)
    {
        Write(file + ".txt", "# constituents\nMSFT\nabc\n\nZZZ # trailing comment\nMSFT\n");

        var u = Universes.Resolve(spec, Context());

        Assert.Equal(file, u.Name);
        Assert.Equal(["MSFT", "ABC", "ZZZ"], u.Symbols);
    }

    [Theory]
    [InlineData("sp400")]
    [InlineData("nasdaq100")]
    [InlineData("r2000")]
    public void MissingIndexList_IsAnError_NamingThePathAndHowToMakeIt(string name)
    {
        var e = Assert.Throws<UniverseException>(() => Universes.Resolve(name, Context()));

        var path = Path.Combine(_dir, name + ".txt");
        Assert.Contains(path, e.Message);
        Assert.Contains("does not exist", e.Message);
        Assert.Contains($"create {path} with one symbol a line", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only comments\n\n   \n# more\n")]
    public void EmptyIndexList_IsAnError_NamingThePathAndHowToMakeIt(string text)
    {
        var path = Write("sp400.txt", text);

        var e = Assert.Throws<UniverseException>(() => Universes.Resolve("sp400", Context()));

        Assert.Contains($"{path} holds no symbols", e.Message);
        Assert.Contains($"create {path} with one symbol a line", e.Message);
    }

    [Fact]
    public void IndexListOfOnlyBadLines_IsAnError_ThatQuotesTheFirstProblem()
    {
        var path = Write("nasdaq100.txt", "BRK/B\n1ABC\n");

        var e = Assert.Throws<UniverseException>(() => Universes.Resolve("nasdaq100", Context()));

        Assert.Contains("2 lines are not symbols", e.Message);
        Assert.Contains($"{path}:1: 'BRK/B' is not a symbol", e.Message);
    }

    [Fact]
    public void Combined_ConcatenatesR2000Sp500Nasdaq100_DeduplicatedInFirstSeenOrder()
    {
        Write("r2000.txt", "ZZZZ\nAAPL\nYYYY\nzzzz\n");
        Write("nasdaq100.txt", "MSFT\nQQQX\nYYYY\n");

        var u = Universes.Resolve("r2000_sp500_nasdaq100", Context());
        var sp500 = Universes.Resolve("sp500", Context()).Symbols;

        // r2000 first (ZZZZ, AAPL, YYYY), then sp500 without AAPL, then nasdaq100's names not seen before.
        var expected = new List<string> { "ZZZZ", "AAPL", "YYYY" };
        expected.AddRange(sp500.Where(s => s != "AAPL"));
        expected.AddRange(new[] { "MSFT", "QQQX" }.Where(s => !sp500.Contains(s)));
        Assert.Equal(expected, u.Symbols);
        Assert.Equal("r2000_sp500_nasdaq100", u.Name);
    }

    [Theory]
    [InlineData("r2000.txt")]
    [InlineData("nasdaq100.txt")]
    public void Combined_FailsWhenAnyPartIsMissing(string present)
    {
        Write(present, "ZZZZ\n");

        var e = Assert.Throws<UniverseException>(() => Universes.Resolve("r2000_sp500_nasdaq100", Context()));

        var missing = present == "r2000.txt" ? "nasdaq100.txt" : "r2000.txt";
        Assert.Contains(Path.Combine(_dir, missing), e.Message);
    }

    [Fact]
    public void Env_ReadsTickers_AndEmptyTickersIsAnError()
    {
        var u = Universes.Resolve("env", Context(" aapl, MSFT ,,brk.b,AAPL "));
        Assert.Equal("env", u.Name);
        Assert.Equal(["AAPL", "MSFT", "BRK.B"], u.Symbols);

        var empty = Assert.Throws<UniverseException>(() => Universes.Resolve("env", Context("")));
        Assert.Contains("TICKERS", empty.Message);
        var blanks = Assert.Throws<UniverseException>(() => Universes.Resolve("env", Context(" , ,")));
        Assert.Contains("TICKERS", blanks.Message);
    }

    [Fact]
    public void File_SkipsCommentsAndBlanks_UpperCases_ReportsBadLinesByNumber_AndKeepsDuplicatesOnce()
    {
        var path = Write("mine.txt", string.Join('\n',
            "# my list", //              1
            "aapl", //                   2
            "", //                       3
            "  MSFT   # trailing", //    4
            "BRK/B", //                  5
            "TOOLONGSYMBOL1", //         6
            "1ABC", //                   7
            "\u001b[31mX", //            8: an ANSI escape
            "brk.b", //                  9
            "AAPL", //                  10: duplicate
            "   ", //                   11
            "BF-B\r")); //              12: CRLF line end

        var u = Universes.Resolve("file:" + path, Context());

        Assert.Equal("file:" + path, u.Name);
        Assert.Equal(["AAPL", "MSFT", "BRK.B", "BF-B"], u.Symbols);
        Assert.Equal(4, u.Problems.Count);
        Assert.StartsWith($"{path}:5: 'BRK/B' is not a symbol", u.Problems[0]);
        Assert.StartsWith($"{path}:6: 'TOOLONGSYMBOL1' is not a symbol", u.Problems[1]);
        Assert.StartsWith($"{path}:7: '1ABC' is not a symbol", u.Problems[2]);
        Assert.StartsWith($"{path}:8: '?[31mX' is not a symbol", u.Problems[3]);
        Assert.All(u.Problems, p => Assert.DoesNotContain(p, char.IsControl));
    }

    [Fact]
    public void File_ALongBadLineIsShortened()
    {
        var path = Write("long.txt", "AAPL\n" + new string('x', 50) + "\u0007\n");

        var u = Universes.Resolve("file:" + path, Context());

        Assert.Equal($"{path}:2: '{new string('x', 20)}…' is not a symbol (letters A-Z, '.', '-', at most 10 characters)", Assert.Single(u.Problems));
    }

    [Fact]
    public void File_MissingOrEmpty_IsAnError_NamingThePath()
    {
        var missing = Path.Combine(_dir, "nope.txt");
        var e = Assert.Throws<UniverseException>(() => Universes.Resolve("file:" + missing, Context()));
        Assert.Contains($"the list {missing} does not exist", e.Message);
        Assert.Contains($"write one symbol a line into {missing}", e.Message);

        var empty = Write("empty.txt", "# nothing\n");
        var e2 = Assert.Throws<UniverseException>(() => Universes.Resolve("file:" + empty, Context()));
        Assert.Contains($"{empty} holds no symbols", e2.Message);

        var e3 = Assert.Throws<UniverseException>(() => Universes.Resolve("file:", Context()));
        Assert.Contains("file: needs a path", e3.Message);
    }

    [Fact]
    public void CommaList_IsUpperCasedAndDeduplicated()
    {
        var u = Universes.Resolve("AAPL,msft, NVDA ,AAPL", Context());

        Assert.Equal("list", u.Name);
        Assert.Equal(["AAPL", "MSFT", "NVDA"], u.Symbols);
        Assert.Equal(["TSLA"], Universes.Resolve("TSLA", Context()).Symbols); // one upper-case symbol is a list of one
    }

    [Fact]
    public void CommaList_ReportsBadEntries()
    {
        var u = Universes.Resolve("AAPL,BRK/B", Context());

        Assert.Equal(["AAPL"], u.Symbols);
        Assert.StartsWith("--universe:2: 'BRK/B' is not a symbol", Assert.Single(u.Problems));
        Assert.Throws<UniverseException>(() => Universes.Resolve("BRK/B,1ABC", Context()));
    }

    [Theory]
    [InlineData("sp600")]
    [InlineData("nasdaq")]
    [InlineData("Lab12")]
    public void UnknownLowerCaseName_IsAnError_ListingTheNames(string spec)
    {
        var e = Assert.Throws<UniverseException>(() => Universes.Resolve(spec, Context()));

        Assert.Contains($"unknown universe '{spec}'", e.Message);
        foreach (var name in new[] { "lab_12", "sp500", "sp400", "nasdaq100", "r2000", "r2000_sp500_nasdaq100", "env", "alpaca_equity", "alpaca_equity_500", "file:PATH" })
        {
            Assert.Contains(name, e.Message);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task EmptySpec_IsAnError(string spec)
    {
        var e = await Assert.ThrowsAsync<UniverseException>(() => Universes.ResolveAsync(spec, Context()));
        Assert.Contains("--universe", e.Message);
    }

    [Theory]
    [InlineData("A", true)]
    [InlineData("BRK.B", true)]
    [InlineData("BF-B", true)]
    [InlineData("ABCDEFGHIJ", true)] // 10 characters
    [InlineData("ABCDEFGHIJK", false)] // 11
    [InlineData("", false)]
    [InlineData("aapl", false)] // upper case only; the readers upper-case first
    [InlineData(".A", false)]
    [InlineData("1ABC", false)]
    [InlineData("BRK/B", false)]
    [InlineData("AB C", false)]
    public void IsValidSymbol(string symbol, bool valid) => Assert.Equal(valid, Universes.IsValidSymbol(symbol));

    private static AlpacaAsset Asset(string symbol, bool tradable = true, string status = "active", string assetClass = "us_equity") =>
        new(Guid.NewGuid().ToString(), assetClass, "NASDAQ", symbol, symbol + " Inc", status, tradable, false, false, false);

    [Fact]
    public async Task AlpacaEquity_KeepsActiveTradableUsEquities_Sorted_AndTheFirst500()
    {
        var assets = new List<AlpacaAsset>
        {
            Asset("MSFT"), Asset("AAPL"), Asset("DEAD", status: "inactive"), Asset("NOTR", tradable: false),
            Asset("BTCUSD", assetClass: "crypto"), Asset("BRK.B"),
        };
        for (var i = 0; i < 600; i++)
        {
            assets.Add(Asset("Z" + new string((char)('A' + (i / 26 % 26)), 1) + (char)('A' + (i % 26)) + (char)('A' + (i / 676))));
        }

        var context = Context() with { ListAssets = _ => Task.FromResult<IReadOnlyList<AlpacaAsset>>(assets) };

        var all = await Universes.ResolveAsync("alpaca_equity", context);
        var first = await Universes.ResolveAsync("ALPACA_EQUITY_500", context);

        Assert.Equal(["AAPL", "BRK.B", "MSFT"], all.Symbols.Take(3));
        Assert.Equal(603, all.Symbols.Count);
        Assert.DoesNotContain("DEAD", all.Symbols);
        Assert.DoesNotContain("NOTR", all.Symbols);
        Assert.Equal(500, first.Symbols.Count);
        Assert.Equal(all.Symbols.Take(500), first.Symbols);
    }

    [Fact]
    public async Task AlpacaEquity_WithoutKeys_IsAnError()
    {
        var e = await Assert.ThrowsAsync<UniverseException>(() => Universes.ResolveAsync("alpaca_equity", Context()));
        Assert.Contains("APCA_API_KEY_ID", e.Message);
        Assert.Throws<InvalidOperationException>(() => Universes.Resolve("alpaca_equity", Context()));
    }
}
