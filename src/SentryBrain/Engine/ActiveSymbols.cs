namespace SentryBrain.Engine;

/// <summary>
/// The watchlist from <c>ACTIVE_SYMBOLS_FILE</c>, re-read when the file's modification time changes.
/// Lines are trimmed and upper-cased; blanks and '#' comments are skipped (the reference brain kept them).
/// A missing file keeps the last list; a read error keeps it too and is reported.
/// </summary>
public sealed class ActiveSymbols(string path)
{
    private DateTime _lastWrite = DateTime.MinValue;

    public HashSet<string>? Symbols { get; private set; }

    public string Path { get; } = path;

    /// <summary>Reloads when changed; returns an error message when the file could not be read.</summary>
    public string? Refresh()
    {
        try
        {
            var info = new FileInfo(Path);
            if (!info.Exists || info.LastWriteTimeUtc == _lastWrite)
            {
                return null;
            }

            _lastWrite = info.LastWriteTimeUtc;
            Symbols = Parse(File.ReadAllLines(Path));
            return null;
        }
        catch (IOException ex)
        {
            return ex.Message;
        }
        catch (UnauthorizedAccessException ex)
        {
            return ex.Message;
        }
    }

    public static HashSet<string> Parse(IEnumerable<string> lines)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length > 0 && line[0] != '#')
            {
                set.Add(line.ToUpperInvariant());
            }
        }

        return set;
    }
}
