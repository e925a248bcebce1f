using System.Text;

namespace SentryBrain.Screening;

/// <summary>
/// Writes the active list (<c>ACTIVE_SYMBOLS_FILE</c>) atomically: the full text goes to a temporary file beside it,
/// is flushed to disk, and replaces the old file in one rename, so the consumer reading it (and a crash at any
/// moment) sees the old list or the new one, never half of one. Header lines start with '#', which every reader of
/// the file skips; symbols follow, one a line.
/// </summary>
public static class ActiveListFile
{
    public static void Write(string path, IReadOnlyList<string> symbols, IEnumerable<string> headerLines)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var text = new StringBuilder();
        foreach (var line in headerLines)
        {
            // One header line each: a newline inside would start an uncommented line the reader takes for a symbol.
            text.Append("# ").Append(line.ReplaceLineEndings(" ")).Append('\n');
        }

        foreach (var symbol in symbols)
        {
            if (!Universes.IsValidSymbol(symbol))
            {
                throw new ArgumentException($"'{symbol}' is not a symbol", nameof(symbols));
            }

            text.Append(symbol).Append('\n');
        }

        Storage.AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text.ToString()));
    }
}
