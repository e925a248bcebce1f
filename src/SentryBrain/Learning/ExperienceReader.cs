namespace SentryBrain.Learning;

/// <summary>A buffer line that could not be read: its 1-based number and why.</summary>
public sealed record BadLine(long Number, string Error);

/// <summary>What <see cref="ExperienceReader.Read"/> found: the records kept (file order), the lines refused, and how many were left out by the time filter.</summary>
public sealed record ExperienceReadResult(string Path, IReadOnlyList<ExperienceRecord> Records, IReadOnlyList<BadLine> BadLines, long BadLineCount, long Lines, long TooOld);

/// <summary>
/// Reads an experience buffer (JSONL, <see cref="ExperienceJson"/>) for the optimizer. Blank lines are skipped; a line
/// that cannot be read is reported with its line number and skipped (the first <see cref="MaxBadLinesKept"/> kept with
/// their reason, all counted). A relative path is taken from the current directory (the reference silently ignored
/// it). With <c>since</c>, records whose <c>ts</c> is earlier are left out (the rolling window).
/// </summary>
public static class ExperienceReader
{
    public const int MaxBadLinesKept = 20;

    /// <exception cref="FileNotFoundException">No such file (the message names it).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public static ExperienceReadResult Read(string path, DateTime? since = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new IOException($"experience buffer {full} is a folder, not a file");
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"experience buffer {full} does not exist", full);
        }

        var records = new List<ExperienceRecord>();
        var bad = new List<BadLine>();
        long badCount = 0, number = 0, tooOld = 0;
        foreach (var line in ExperienceFile.Read(full))
        {
            number = line.Number;
            if (line.Record is not { } record)
            {
                badCount++;
                if (bad.Count < MaxBadLinesKept)
                {
                    bad.Add(new BadLine(line.Number, line.Error ?? "unreadable"));
                }

                continue;
            }

            if (since is { } from && record.Ts < from)
            {
                tooOld++;
                continue;
            }

            records.Add(record);
        }

        return new ExperienceReadResult(full, records, bad, badCount, number, tooOld);
    }
}
