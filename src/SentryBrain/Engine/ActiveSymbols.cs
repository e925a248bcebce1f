using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SentryBrain.Engine;

/// <summary>
/// The watchlist from <c>ACTIVE_SYMBOLS_FILE</c> (with <c>OPPORTUNITY_ENGINE_ENABLED</c>), checked every
/// <see cref="CheckInterval"/> of event time and re-read when the file's modification time changes. Lines are
/// trimmed and upper-cased; blanks and '#' comments are skipped (the reference brain kept them). A missing file
/// keeps the last list; a read error keeps it too and is logged. Because the list gates buys, the journal of a
/// run then also depends on this file and on when it changed.
/// </summary>
public sealed class ActiveSymbols(string path, ILogger? logger = null) : IWatchlistProvider
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private DateTime _lastWrite = DateTime.MinValue;
    private DateTime _lastCheck;

    public HashSet<string>? Symbols { get; private set; }

    IReadOnlySet<string>? IWatchlistProvider.Active => Symbols;

    public string Path { get; } = path;

    /// <summary>Re-reads the file when <see cref="CheckInterval"/> has passed since the last check (event time).</summary>
    public void Refresh(DateTime now)
    {
        if (now - _lastCheck < CheckInterval)
        {
            return;
        }

        _lastCheck = now;
        Load();
    }

    /// <summary>Reads the file now if it changed; a read error is logged and the last list kept.</summary>
    public void Load()
    {
        if (Refresh() is { } error)
        {
            _logger.LogWarning("Cannot read ACTIVE_SYMBOLS_FILE {Path}: {Error}", Path, error);
        }
    }

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
