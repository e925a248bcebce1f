using System.Text;

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
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public SymbolTable()
    {
        _lookup = _symbols.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _symbols.Count;

    /// <summary>Returns the interned upper-case symbol, or null when the bytes are not a plausible ticker.</summary>
    public string? Intern(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == 0 || utf8.Length > MaxLength)
        {
            return null;
        }

        ulong key = 0;
        if (utf8.Length <= 8)
        {
            for (var i = 0; i < utf8.Length; i++)
            {
                key = (key << 8) | utf8[i];
            }

            if (_packed.TryGetValue(key, out var known))
            {
                return known;
            }
        }

        Span<char> chars = stackalloc char[MaxLength];
        for (var i = 0; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if (b is >= (byte)'a' and <= (byte)'z')
            {
                b = (byte)(b - 32);
            }

            if (!(b is >= (byte)'A' and <= (byte)'Z' || b is >= (byte)'0' and <= (byte)'9' || b is (byte)'.' or (byte)'-' or (byte)'/'))
            {
                return null;
            }

            chars[i] = (char)b;
        }

        var symbol = Intern(chars[..utf8.Length]);
        if (utf8.Length <= 8)
        {
            _packed[key] = symbol; // keyed by the bytes as sent, so "msft" and "MSFT" both map to "MSFT"
        }

        return symbol;
    }

    public string? Intern(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var bytes = Encoding.UTF8.GetBytes(text.Trim());
        return Intern(bytes);
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
        }

        var symbol = new string(upper);
        _symbols[symbol] = symbol;
        return symbol;
    }
}
