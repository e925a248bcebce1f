using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SentryBrain.Engine;

/// <summary>
/// The watchlist from <c>ACTIVE_SYMBOLS_FILE</c> (with <c>OPPORTUNITY_ENGINE_ENABLED</c>), checked every
/// <see cref="CheckInterval"/> of event time and re-read when the file's modification time changes. Lines are
/// trimmed and upper-cased; blanks and '#' comments are skipped (the reference brain kept them). A missing file
/// keeps the last list; a read error keeps it too and is logged. Because the list gates buys, the journal of a
/// run then also depends on this file and on when it changed.
/// <para>
/// An in-process discovery job (on any thread) hands over a new list with <see cref="Publish"/>: it is applied at the
/// event loop's next <see cref="Refresh(DateTime)"/>, without waiting for the check interval, and carries the reasons
/// for each symbol. Only a different <b>set</b> of symbols is a change (<see cref="TakeChange"/>): a file touched or
/// rewritten with the same symbols, or the job's own copy of a published list seen again in the file, is not reported
/// twice. Publish before writing the file (and write it atomically: a temporary file, then a rename): a list seen in
/// the file first, in the moment between the job's write and its publish, is reported once, from the file, without
/// its reasons.
/// </para>
/// </summary>
public sealed class ActiveSymbols(string path, ILogger? logger = null) : IWatchlistProvider
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    /// <summary><see cref="WatchlistChange.Source"/> of a list read from the file.</summary>
    public const string FileSource = "file";

    /// <summary><see cref="WatchlistChange.Source"/> of a list handed over with <see cref="Publish"/>.</summary>
    public const string DiscoverySource = "discovery";

    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private DateTime _lastWrite = DateTime.MinValue;
    private long _lastWriteTicks;
    private DateTime _lastCheck;

    // Set by Publish on any thread, taken by the event loop.
    private Published? _published;

    // Event loop only: the list as last reported by TakeChange, and what is known about the change since.
    private HashSet<string>? _reported;
    private bool _changed;
    private string _source = FileSource;
    private Dictionary<string, string>? _reasons;

    public HashSet<string>? Symbols { get; private set; }

    IReadOnlySet<string>? IWatchlistProvider.Active => Symbols;

    public string Path { get; } = path;

    /// <summary>A list handed over with <see cref="Publish"/> that the event loop has not taken yet (any thread).</summary>
    public bool PublishPending => Volatile.Read(ref _published) is not null;

    /// <summary>Modification time of the file version last read (any thread); <see cref="DateTime.MinValue"/> before the first.</summary>
    public DateTime FileWriteTimeUtc => new(Volatile.Read(ref _lastWriteTicks), DateTimeKind.Utc);

    /// <summary>
    /// Hands over a new list from any thread (normalised as the file's lines are), with the reason each symbol was
    /// chosen (reasons of symbols not on the list are dropped). The event loop applies it at its next
    /// <see cref="Refresh(DateTime)"/>; a later call before then replaces it.
    /// </summary>
    public void Publish(IReadOnlyList<string> symbols, IReadOnlyDictionary<string, string>? reasons = null)
    {
        var set = Parse(symbols);
        Dictionary<string, string>? why = null;
        if (reasons is not null)
        {
            why = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (symbol, reason) in reasons)
            {
                var key = symbol.Trim().ToUpperInvariant();
                if (set.Contains(key))
                {
                    why[key] = reason;
                }
            }
        }

        Interlocked.Exchange(ref _published, new Published(set, why));
    }

    /// <summary>
    /// Applies a published list at once; re-reads the file when <see cref="CheckInterval"/> has passed since the last
    /// check (event time). With nothing published and no check due it is one volatile read and a comparison.
    /// </summary>
    public void Refresh(DateTime now)
    {
        if (Volatile.Read(ref _published) is not null)
        {
            ApplyPublished();
        }

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

            var symbols = Parse(File.ReadAllLines(Path));
            _lastWrite = info.LastWriteTimeUtc;
            Volatile.Write(ref _lastWriteTicks, _lastWrite.Ticks);

            // A list published before the file was written is newer than (or the same as) the file: apply it first,
            // so its reasons are kept and the file's copy of it is no change.
            ApplyPublished();
            Apply(symbols, FileSource, null);
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

    /// <summary>
    /// The change since the last call (event loop only): the first list is all added; a list that went back to the
    /// one last reported is no change. Source and reasons are those of the latest list applied.
    /// </summary>
    public WatchlistChange? TakeChange()
    {
        if (!_changed)
        {
            return null;
        }

        _changed = false;
        var current = Symbols!;
        var previous = _reported;
        if (previous is not null && previous.SetEquals(current))
        {
            return null;
        }

        _reported = current;
        var reasons = _reasons is { Count: > 0 } r ? r : null;
        return new WatchlistChange(
            _source,
            Sorted(current),
            previous is null ? Sorted(current) : Sorted(current.Where(s => !previous.Contains(s))),
            previous is null ? [] : Sorted(previous.Where(s => !current.Contains(s))),
            reasons);
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

    private void ApplyPublished()
    {
        if (Interlocked.Exchange(ref _published, null) is { } published)
        {
            Apply(published.Symbols, DiscoverySource, published.Reasons);
        }
    }

    /// <summary>Makes <paramref name="symbols"/> the list unless it is the same set as now.</summary>
    private void Apply(HashSet<string> symbols, string source, Dictionary<string, string>? reasons)
    {
        if (Symbols is not null && Symbols.SetEquals(symbols))
        {
            return;
        }

        Symbols = symbols;
        _changed = true;
        _source = source;
        _reasons = reasons;
    }

    private static string[] Sorted(IEnumerable<string> symbols)
    {
        var array = symbols.ToArray();
        Array.Sort(array, StringComparer.Ordinal);
        return array;
    }

    private sealed record Published(HashSet<string> Symbols, Dictionary<string, string>? Reasons);
}
