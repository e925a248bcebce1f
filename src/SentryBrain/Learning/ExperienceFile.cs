namespace SentryBrain.Learning;

/// <summary>One line of an experience file: its number (1-based, blank lines counted) and its record or why it has none.</summary>
public readonly record struct ExperienceLine(long Number, ExperienceRecord? Record, string? Error);

/// <summary>What an experience file holds (<c>./brain experience stats</c>).</summary>
/// <param name="Lines">Non-blank lines.</param>
/// <param name="BadLines">Line numbers and reasons of the lines that are no record (the first <see cref="ExperienceFile.MaxBadLinesListed"/>).</param>
/// <param name="BadCount">All bad lines.</param>
/// <param name="FirstTs">Earliest record time; null without records.</param>
/// <param name="LastTs">Latest record time.</param>
public sealed record ExperienceStats(
    long Lines,
    long Entries,
    long Exits,
    long BadCount,
    IReadOnlyList<(long Line, string Error)> BadLines,
    long ExitsLinked,
    long ExitsWithFeatures,
    DateTime? FirstTs,
    DateTime? LastTs);

/// <summary>Reads an experience buffer file line by line (this format and the reference's, <see cref="ExperienceJson"/>).</summary>
public static class ExperienceFile
{
    public const int MaxBadLinesListed = 50;

    /// <summary>Every non-blank line in file order; a missing file reads as none.</summary>
    public static IEnumerable<ExperienceLine> Read(string path)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16));
        long number = 0;
        while (reader.ReadLine() is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var record = ExperienceJson.Parse(text, out var error);
            yield return new ExperienceLine(number, record, error);
        }
    }

    public static ExperienceStats Stats(string path)
    {
        long lines = 0, entries = 0, exits = 0, bad = 0, linked = 0, withFeatures = 0;
        var badLines = new List<(long, string)>();
        DateTime? first = null, last = null;
        foreach (var line in Read(path))
        {
            lines++;
            if (line.Record is not { } r)
            {
                bad++;
                if (badLines.Count < MaxBadLinesListed)
                {
                    badLines.Add((line.Number, line.Error ?? "unreadable"));
                }

                continue;
            }

            if (r.Action == "entry")
            {
                entries++;
            }
            else
            {
                exits++;
                linked += r.TradeId is null ? 0 : 1;
                withFeatures += HasFeatures(r) ? 1 : 0;
            }

            first = first is { } f && f <= r.Ts ? f : r.Ts;
            last = last is { } l && l >= r.Ts ? l : r.Ts;
        }

        return new ExperienceStats(lines, entries, exits, bad, badLines, linked, withFeatures, first, last);
    }

    /// <summary>Whether the record carries at least one feature the optimizer learns from.</summary>
    public static bool HasFeatures(ExperienceRecord r)
    {
        for (var i = 0; i < RuleFeatures.Names.Count; i++)
        {
            if (RuleFeatures.FromRecord(r, i) is not null)
            {
                return true;
            }
        }

        return false;
    }
}
