using System.Globalization;

namespace SentryBrain.Backtesting;

/// <summary>The report folder cannot be used as asked (an existing report without <c>--force</c>, a file in the way).</summary>
public sealed class ReportFolderException(string message) : IOException(message);

/// <summary>
/// Where a backtest report goes, and how it gets there without mixing two runs: the files are written into a hidden
/// staging folder beside the target and moved into place only when all of them were written, so a failed run leaves
/// nothing behind. Default folders are named by the UTC second and get a suffix (<c>-2</c>, <c>-3</c>, …) when that
/// name is taken; the claim is a rename, which fails when the name exists, so two runs in the same second cannot
/// share a folder. An explicit folder that exists and is not empty is used only with <c>force</c>, and then only the
/// files of a report are replaced.
/// </summary>
public static class ReportFolder
{
    /// <summary>Every file a report (single run, sweep or walk-forward) may contain: what <c>--force</c> replaces.</summary>
    public static readonly IReadOnlyList<string> ReportFiles =
    [
        "summary.md", "summary.json", "trades.csv", "fills.csv", "equity.csv", "equity.png", "drawdown.png", "manifest.json",
        "sweep.csv", "walk_forward.csv", BacktestScreenReport.CsvFile,
    ];

    /// <summary>Why <paramref name="directory"/> cannot take a report (checked before the run), or null when it can.</summary>
    public static string? CheckTarget(string? directory, bool force)
    {
        if (directory is null)
        {
            return null;
        }

        if (directory.Trim().Length == 0)
        {
            return "--report: the folder name is empty";
        }

        if (File.Exists(directory))
        {
            return $"--report {directory} is a file, not a folder";
        }

        return !force && Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any()
            ? $"--report {directory} already exists and is not empty; pass --force to replace its report files, or choose another folder"
            : null;
    }

    /// <summary>
    /// Writes a report with <paramref name="write"/> (given the folder to write into) and puts it in place: in
    /// <paramref name="directory"/> when given, else in a new folder under <paramref name="defaultRoot"/> named by
    /// <paramref name="clock"/>'s UTC second. Returns the folder. If <paramref name="write"/> throws, nothing is left.
    /// </summary>
    public static string Publish(string? directory, bool force, string defaultRoot, TimeProvider clock, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(write);
        if (CheckTarget(directory, force) is { } problem)
        {
            throw new ReportFolderException(problem);
        }

        var parent = Path.GetDirectoryName(Path.GetFullPath(directory ?? Path.Combine(defaultRoot, "x")))!;
        var createdParent = !Directory.Exists(parent);
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".report-{Guid.NewGuid():N}.partial");
        Directory.CreateDirectory(staging);
        try
        {
            write(staging);
            return directory is null ? ClaimUnique(staging, parent, clock) : MoveInto(staging, directory, force);
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            if (createdParent && !Directory.EnumerateFileSystemEntries(parent).Any())
            {
                Directory.Delete(parent); // e.g. reports/ made for this run only
            }

            throw;
        }
    }

    private static string ClaimUnique(string staging, string root, TimeProvider clock)
    {
        var name = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        for (var n = 1; n < 10_000; n++)
        {
            var candidate = Path.Combine(root, n == 1 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}-{n}"));
            if (Directory.Exists(candidate) || File.Exists(candidate))
            {
                continue;
            }

            try
            {
                Directory.Move(staging, candidate);
                return candidate;
            }
            catch (IOException) when (Directory.Exists(candidate) || File.Exists(candidate))
            {
                // another run took this name between the check and the rename: try the next one
            }
        }

        throw new ReportFolderException($"no free report folder name under {root} for {name}");
    }

    private static string MoveInto(string staging, string directory, bool force)
    {
        if (!Directory.Exists(directory))
        {
            try
            {
                Directory.Move(staging, directory);
                return directory;
            }
            catch (IOException) when (Directory.Exists(directory))
            {
                // created meanwhile: handled below like any existing folder
            }
        }

        if (!force && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new ReportFolderException(CheckTarget(directory, force) ?? $"--report {directory} already exists");
        }

        // Only a report's own files are replaced: a stale sweep.csv must not sit beside a new trades.csv, but a
        // user's other files in the folder are not ours to delete.
        foreach (var name in ReportFiles)
        {
            File.Delete(Path.Combine(directory, name));
        }

        foreach (var file in Directory.EnumerateFiles(staging))
        {
            File.Move(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
        }

        Directory.Delete(staging, recursive: true);
        return directory;
    }
}
