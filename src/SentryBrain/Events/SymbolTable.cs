namespace SentryBrain.Events;

/// <summary>
/// Interns ticker symbols straight from UTF-8 bytes, so the hot path allocates a symbol string once per
/// ticker, not once per event. Symbols are upper-cased and must look like a ticker.
/// </summary>
public sealed class SymbolTable
{
    public const int MaxLength = 16;

    /// <summary>Past this many distinct tickers the table starts afresh, so a stream of junk symbols cannot grow it forever.</summary>
    public const int MaxSymbols = 100_000;

    private readonly Dictionary<string, string> _symbols = new(StringComparer.Ordinal);

    // Tickers of up to 8 bytes (nearly all) packed into one integer key: a cheaper look-up than hashing chars.
    private readonly Dictionary<ulong, string> _packed = [];
    private const int RecentBits = 6;
    private readonly (ulong Key, string? Symbol)[] _recent = new (ulong, string?)[1 << RecentBits];
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public SymbolTable()
    {
        _lookup = _symbols.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _symbols.Count;

    /// <summary>Returns the interned upper-case symbol, or null when the bytes are not a plausible ticker.</summary>
    public string? Intern(ReadOnlySpan<byte> utf8)
    {
        var n = utf8.Length;
        if (n == 0 || n > MaxLength)
        {
            return null;
        }

        // Validate before any look-up, so only ticker bytes ever reach the cache. None of them is 0, which makes
        // the big-endian packing of up to 8 bytes injective: "\0ACME" can no longer share ACME's key.
        ReadOnlySpan<byte> table = TickerChars;
        ulong key = 0;
        for (var i = 0; i < n; i++)
        {
            var b = utf8[i];
            if (table[b] == 0)
            {
                return null;
            }

            key = (key << 8) | b;
        }

        if (n <= 8)
        {
            // A stream repeats a few dozen tickers: a direct-mapped slot by key answers before the dictionary does.
            ref var slot = ref _recent[(int)((key * 0x9E3779B97F4A7C15UL) >> (64 - RecentBits))];
            if (slot.Key == key && slot.Symbol is { } recent)
            {
                return recent;
            }

            if (_packed.TryGetValue(key, out var known))
            {
                slot = (key, known);
                return known; // the usual case: no upper-case copy is built
            }
        }

        Span<char> chars = stackalloc char[MaxLength];
        for (var i = 0; i < n; i++)
        {
            chars[i] = (char)table[utf8[i]];
        }

        var symbol = Intern(chars[..n]);
        if (n <= 8)
        {
            _packed[key] = symbol; // keyed by the bytes as sent, so "msft" and "MSFT" both map to "MSFT"
        }

        return symbol;
    }

    /// <summary>
    /// The same rule for text that was already decoded (escaped JSON strings, the source-generated payloads). No
    /// trimming: " ACME" is not a ticker on the fast path either, and must not become one here.
    /// </summary>
    public string? Intern(string? text)
    {
        if (text is null || text.Length == 0 || text.Length > MaxLength)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[MaxLength];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c > 0x7F)
            {
                return null; // every ticker byte is ASCII
            }

            bytes[i] = (byte)c;
        }

        return Intern(bytes[..text.Length]);
    }

    /// <summary>Ticker bytes (A–Z, a–z, 0–9, '.', '-', '/') mapped to their upper case; 0 for every other byte.</summary>
    private static readonly byte[] TickerChars = BuildTable();

    private static byte[] BuildTable()
    {
        var t = new byte[256];
        for (var c = 'A'; c <= 'Z'; c++)
        {
            t[c] = (byte)c;
            t[c + 32] = (byte)c;
        }

        for (var c = '0'; c <= '9'; c++)
        {
            t[c] = (byte)c;
        }

        t['.'] = (byte)'.';
        t['-'] = (byte)'-';
        t['/'] = (byte)'/';
        return t;
    }

    private string Intern(ReadOnlySpan<char> upper)
    {
        if (_lookup.TryGetValue(upper, out var existing))
        {
            return existing;
        }

        if (_symbols.Count >= MaxSymbols)
        {
            // Strings already handed out stay valid (state is keyed by value, not by reference).
            _symbols.Clear();
            _packed.Clear();
            Array.Clear(_recent);
        }

        var symbol = new string(upper);
        _symbols[symbol] = symbol;
        return symbol;
    }
}
