using System.Security.Cryptography;
using SentryBrain.Events;

namespace SentryBrain.Backtesting;

/// <summary>A recorded news item and the moment it became visible: its <c>created_at</c>, else the envelope's <c>ts</c>.</summary>
/// <param name="News">The parsed event.</param>
/// <param name="VisibleAt">UTC; a decision sees the item only at or after this time.</param>
/// <param name="Line">1-based line in the file (ties in <paramref name="VisibleAt"/> keep file order).</param>
public sealed record NewsTapeItem(NewsEvent News, DateTime VisibleAt, int Line);

/// <summary>A line of a news file that is not a valid event: skipped, reported with its line number.</summary>
public readonly record struct NewsLineIssue(string File, int Line, string Reason)
{
    public override string ToString() => $"{File}:{Line}: {Reason}";
}

/// <summary>A news file or its content cannot be used at all (missing, a folder, no valid line).</summary>
public sealed class NewsTapeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The news events of a recorded stream (wire format, BEHAVIOR.md §1, one envelope per line, parsed by the engine's
/// <see cref="EventParser"/>) in visible-time order. Lines of other types (trades, quotes…) are counted and ignored, blank
/// lines skipped. A bad line is skipped and reported with its line number, like a bad bar row: one broken line of a
/// long recording should not void it. A file where no line is a valid event is not a recording: an error.
/// </summary>
/// <param name="Path">The file as given.</param>
/// <param name="Sha256">The file's SHA-256 (hex, lower case), so the manifest pins the exact news.</param>
/// <param name="Lines">Non-blank lines read.</param>
/// <param name="Items">The news items, sorted by <see cref="NewsTapeItem.VisibleAt"/>, stable (file order on ties).</param>
/// <param name="OtherLines">Valid lines of other event types, ignored.</param>
/// <param name="BadLines">Lines skipped as invalid.</param>
/// <param name="Issues">The first <see cref="MaxIssues"/> of them, in file order.</param>
public sealed record NewsTape(string Path, string Sha256, int Lines, IReadOnlyList<NewsTapeItem> Items, int OtherLines, int BadLines, IReadOnlyList<NewsLineIssue> Issues)
{
    /// <summary>Bad lines kept with their reason; beyond this only counted.</summary>
    public const int MaxIssues = 1000;

    /// <summary>Reads <paramref name="path"/>; a missing file, a folder or a file without one valid event is a <see cref="NewsTapeException"/>.</summary>
    /// <param name="newsMaxSymbols">NEWS_MAX_SYMBOLS, as the live parser: an item naming more symbols is a bad line.</param>
    public static NewsTape Read(string path, int newsMaxSymbols = EventParser.DefaultNewsMaxSymbols)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new NewsTapeException($"--news {path} is a folder, not a news file");
        }

        if (!File.Exists(path))
        {
            throw new NewsTapeException($"--news: the file {path} does not exist");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NewsTapeException($"--news: cannot read {path}: {ex.Message}", ex);
        }

        var tape = Parse(bytes, path, newsMaxSymbols);
        if (tape.Lines > 0 && tape.BadLines == tape.Lines)
        {
            var first = tape.Issues[0];
            throw new NewsTapeException($"--news {path}: none of its {tape.Lines} lines is a wire-format event (first: line {first.Line}: {first.Reason})");
        }

        return tape;
    }

    /// <summary>Parses NDJSON bytes (LF or CRLF lines) named <paramref name="file"/> in messages.</summary>
    public static NewsTape Parse(ReadOnlySpan<byte> bytes, string file, int newsMaxSymbols = EventParser.DefaultNewsMaxSymbols)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var parser = new EventParser(newsMaxSymbols: newsMaxSymbols);
        var items = new List<NewsTapeItem>();
        var issues = new List<NewsLineIssue>();
        int lines = 0, other = 0, bad = 0, lineNo = 0;
        var rest = bytes;
        while (rest.Length > 0)
        {
            lineNo++;
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.Trim(" \t"u8).IsEmpty)
            {
                continue;
            }

            lines++;
            var evt = parser.Parse(line, out var error);
            switch (evt)
            {
                case NewsEvent news:
                    items.Add(new NewsTapeItem(news, news.CreatedAt ?? news.Ts, lineNo));
                    break;
                case null:
                    bad++;
                    if (issues.Count < MaxIssues)
                    {
                        issues.Add(new NewsLineIssue(file, lineNo, error ?? "not a valid event"));
                    }

                    break;
                default:
                    other++;
                    break;
            }
        }

        // List.Sort is not stable: the line number breaks ties, so equal times keep file order.
        items.Sort(static (a, b) => a.VisibleAt != b.VisibleAt ? a.VisibleAt.CompareTo(b.VisibleAt) : a.Line.CompareTo(b.Line));
        return new NewsTape(file, sha, lines, items, other, bad, issues);
    }
}
