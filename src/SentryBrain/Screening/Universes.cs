using System.Globalization;
using SentryBrain.Execution.Alpaca;

namespace SentryBrain.Screening;

/// <summary>The symbols a screen looks at, where they came from, lines that were not symbols, and sectors when known.</summary>
public sealed record Universe(
    string Name,
    IReadOnlyList<string> Symbols,
    IReadOnlyList<string> Problems,
    IReadOnlyDictionary<string, string> Sectors);

/// <summary>A universe that cannot be used (missing or empty list, unknown name); the message says what to do.</summary>
public sealed class UniverseException(string message) : Exception(message);

/// <param name="DataDirectory">Where <c>data/&lt;name&gt;.txt</c> lists live (relative to the working directory).</param>
/// <param name="Tickers">The <c>env</c> universe (<c>TICKERS</c>).</param>
/// <param name="ListAssets">Alpaca's <c>GET /v2/assets?status=active&amp;asset_class=us_equity</c>; null when there are no keys.</param>
public sealed record UniverseContext(
    string DataDirectory = "data",
    string Tickers = "",
    Func<CancellationToken, Task<IReadOnlyList<AlpacaAsset>>>? ListAssets = null);

/// <summary>
/// Resolves <c>--universe</c> / <c>SCREENER_UNIVERSE</c> (BEHAVIOR.md §8.1): <c>lab_12</c>; <c>sp500</c> (shipped,
/// with sectors); <c>sp400</c>, <c>nasdaq100</c>, <c>r2000</c> (<c>data/&lt;name&gt;.txt</c>); their concatenation
/// <c>r2000_sp500_nasdaq100</c>; <c>env</c> (<c>TICKERS</c>); <c>alpaca_equity</c> and <c>alpaca_equity_500</c>
/// (active, tradable US equities, sorted); <c>file:PATH</c>; or a comma list. Unlike the reference, a missing or empty
/// list is an error naming the file expected, never a silent empty universe, and an unknown lower-case name is an
/// error rather than a one-symbol universe. Symbols are upper-cased and de-duplicated in first-seen order.
/// </summary>
public static class Universes
{
    /// <summary>The reference's hand-picked twelve.</summary>
    public static readonly IReadOnlyList<string> Lab12 = ["CRWD", "SNOW", "DDOG", "NET", "MDB", "DECK", "POOL", "SOFI", "XPO", "HIMS", "FIVE", "ZS"];

    public static readonly IReadOnlyList<string> Names =
        ["lab_12", "sp500", "sp400", "nasdaq100", "r2000", "r2000_sp500_nasdaq100", "env", "alpaca_equity", "alpaca_equity_500", "file:PATH", "SYM1,SYM2,…"];

    public const int MaxSymbolLength = 10;

    private static readonly Lazy<(string[] Symbols, Dictionary<string, string> Sectors)> Sp500 = new(LoadSp500);

    /// <summary>Upper-case letters, '.', '-', starting with a letter, at most <see cref="MaxSymbolLength"/> characters.</summary>
    public static bool IsValidSymbol(string symbol)
    {
        if (symbol.Length is 0 or > MaxSymbolLength || symbol[0] is < 'A' or > 'Z')
        {
            return false;
        }

        foreach (var c in symbol)
        {
            if (c is not ((>= 'A' and <= 'Z') or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sectors of the shipped S&amp;P 500 list (GICS), by symbol.</summary>
    public static IReadOnlyDictionary<string, string> Sp500Sectors => Sp500.Value.Sectors;

    public static async Task<Universe> ResolveAsync(string spec, UniverseContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = (spec ?? string.Empty).Trim();
        if (name.Length == 0)
        {
            throw new UniverseException("the universe is empty: pass --universe (or set SCREENER_UNIVERSE), e.g. sp500, lab_12, file:PATH or AAPL,MSFT");
        }

        switch (name.ToLowerInvariant())
        {
            case "alpaca_equity":
            case "alpaca_equity_500":
                return await AlpacaEquityAsync(name.ToLowerInvariant(), context, cancellationToken).ConfigureAwait(false);
            default:
                return Resolve(name, context);
        }
    }

    /// <summary>Every universe except the Alpaca ones (which need a request: <see cref="ResolveAsync"/>).</summary>
    public static Universe Resolve(string spec, UniverseContext context)
    {
        var name = spec.Trim();
        var lower = name.ToLowerInvariant();
        if (name.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            var path = name[5..].Trim();
            return FromFile(name, path, $"write one symbol a line into {path} ('#' starts a comment)");
        }

        switch (lower)
        {
            case "lab_12":
                return new Universe("lab_12", Lab12, [], Sp500Sectors);
            case "sp500":
            case "snp500":
                return new Universe("sp500", Sp500.Value.Symbols, [], Sp500Sectors);
            case "sp400":
            case "nasdaq100":
            case "r2000":
            case "russell2000":
                return IndexFile(lower == "russell2000" ? "r2000" : lower, context);
            case "r2000_sp500_nasdaq100":
                return Combine("r2000_sp500_nasdaq100", [IndexFile("r2000", context), Resolve("sp500", context), IndexFile("nasdaq100", context)]);
            case "env":
                return FromText("env", context.Tickers, "TICKERS",
                    "the env universe reads TICKERS: set it to a comma list, e.g. TICKERS=AAPL,MSFT");
            case "alpaca_equity":
            case "alpaca_equity_500":
                throw new InvalidOperationException("the Alpaca universes need a request: use ResolveAsync");
        }

        if (!name.Contains(',') && name.Any(char.IsLower))
        {
            throw new UniverseException($"unknown universe '{name}': use one of {string.Join(", ", Names)} (symbols are upper case)");
        }

        return FromText("list", name, "--universe", "pass symbols separated by commas, e.g. AAPL,MSFT");
    }

    /// <summary>
    /// Symbols of a list file's lines: text after '#' dropped, blanks skipped, upper-cased; lines that are not a
    /// symbol are reported as "source:line: …" and skipped.
    /// </summary>
    public static (List<string> Symbols, List<string> Problems) ParseLines(IEnumerable<string> lines, string source)
    {
        var symbols = new List<string>();
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var text = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (text.Length == 0)
            {
                continue;
            }

            var symbol = text.ToUpperInvariant();
            if (!IsValidSymbol(symbol))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{source}:{number}: '{Shorten(text)}' is not a symbol (letters A-Z, '.', '-', at most {MaxSymbolLength} characters)"));
                continue;
            }

            if (seen.Add(symbol))
            {
                symbols.Add(symbol);
            }
        }

        return (symbols, problems);
    }

    private static Universe IndexFile(string name, UniverseContext context)
    {
        var path = Path.Combine(context.DataDirectory, name + ".txt");
        return FromFile(name, path,
            $"the {name} list cannot be shipped: create {path} with one symbol a line (e.g. from the index provider's constituents export), or screen another universe (sp500 is shipped)");
    }

    private static Universe FromFile(string name, string path, string howToMake)
    {
        if (path.Length == 0)
        {
            throw new UniverseException("file: needs a path, e.g. --universe file:data/mylist.txt");
        }

        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UniverseException($"universe '{name}': the list {path} does not exist: {howToMake}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UniverseException($"universe '{name}': cannot read {path}: {ex.Message}");
        }

        var (symbols, problems) = ParseLines(lines, path);
        if (symbols.Count == 0)
        {
            var why = problems.Count > 0 ? $" ({problems.Count} lines are not symbols: {problems[0]})" : string.Empty;
            throw new UniverseException($"universe '{name}': {path} holds no symbols{why}: {howToMake}");
        }

        return new Universe(name, symbols, problems, Sp500Sectors);
    }

    private static Universe FromText(string name, string text, string source, string howToMake)
    {
        var (symbols, problems) = ParseLines(text.Split(','), source);
        if (symbols.Count == 0)
        {
            var why = problems.Count > 0 ? $" ({problems[0]})" : string.Empty;
            throw new UniverseException($"universe '{name}' holds no symbols{why}: {howToMake}");
        }

        return new Universe(name, symbols, problems, Sp500Sectors);
    }

    private static Universe Combine(string name, IReadOnlyList<Universe> parts)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var symbols = new List<string>();
        foreach (var part in parts)
        {
            symbols.AddRange(part.Symbols.Where(seen.Add));
        }

        return new Universe(name, symbols, [.. parts.SelectMany(p => p.Problems)], Sp500Sectors);
    }

    private static async Task<Universe> AlpacaEquityAsync(string name, UniverseContext context, CancellationToken cancellationToken)
    {
        if (context.ListAssets is null)
        {
            throw new UniverseException($"universe '{name}' asks Alpaca for its assets: set APCA_API_KEY_ID and APCA_API_SECRET_KEY");
        }

        var assets = await context.ListAssets(cancellationToken).ConfigureAwait(false);
        var tradable = assets
            .Where(a => a.Tradable && a.Status.Equals("active", StringComparison.OrdinalIgnoreCase)
                && a.Class.Equals("us_equity", StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Symbol)
            .Order(StringComparer.Ordinal);
        var (symbols, problems) = ParseLines(tradable, "GET /v2/assets");
        if (name == "alpaca_equity_500" && symbols.Count > 500)
        {
            symbols.RemoveRange(500, symbols.Count - 500);
        }

        if (symbols.Count == 0)
        {
            throw new UniverseException($"universe '{name}': Alpaca returned no active, tradable US equity ({assets.Count} assets in the answer)");
        }

        return new Universe(name, symbols, problems, Sp500Sectors);
    }

    private static (string[] Symbols, Dictionary<string, string> Sectors) LoadSp500()
    {
        using var stream = typeof(Universes).Assembly.GetManifestResourceStream("SentryBrain.sp500_constituents.csv")
            ?? throw new InvalidOperationException("the embedded S&P 500 list is missing from the build");
        using var reader = new StreamReader(stream);
        _ = reader.ReadLine(); // header: Symbol,Security,GICS Sector,…
        var symbols = new List<string>();
        var sectors = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var fields = SplitCsv(line);
            if (fields.Count < 3 || !IsValidSymbol(fields[0].Trim()))
            {
                continue;
            }

            var symbol = fields[0].Trim();
            if (sectors.TryAdd(symbol, fields[2].Trim()))
            {
                symbols.Add(symbol);
            }
        }

        return ([.. symbols], sectors);
    }

    /// <summary>One CSV line's fields, with RFC 4180 quotes ("Saint Paul, Minnesota").</summary>
    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return fields;
    }

    /// <summary>At most 20 characters of a bad line, control characters shown as '?' (a hostile file cannot drive the terminal).</summary>
    private static string Shorten(string text)
    {
        var cut = text.Length > 20 ? text[..20] + "…" : text;
        return string.Create(cut.Length, cut, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}
