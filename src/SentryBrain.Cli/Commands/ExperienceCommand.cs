using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SentryBrain.Learning;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// `brain experience trim|stats`: the experience buffer by hand. <c>trim</c> keeps the last <c>--max-lines</c> lines
/// (default EXPERIENCE_BUFFER_MAX_LINES) with the consumer's atomic trim (a kill leaves the old or the new file);
/// <c>stats</c> counts lines, entries and exits (how many linked to an entry, how many with features), lists bad lines
/// with their numbers, and prints the first and last time. Both take <c>--buffer PATH</c> (default
/// EXPERIENCE_BUFFER_PATH). Do not trim a buffer a running consumer appends to: lines it writes during the trim are lost.
/// </summary>
internal static class ExperienceCommand
{
    public static Command Create()
    {
        var command = new Command("experience", "Experience buffer: trim it to its last lines, or count what it holds");
        command.Subcommands.Add(Trim());
        command.Subcommands.Add(Stats());
        return command;
    }

    private static Option<string?> BufferOption() => new("--buffer") { Description = "buffer file (default EXPERIENCE_BUFFER_PATH)" };

    private static Command Trim()
    {
        var buffer = BufferOption();
        var maxLines = new Option<int?>("--max-lines") { Description = "lines kept (default EXPERIENCE_BUFFER_MAX_LINES; 0 there = never trim)" };
        var command = new Command("trim", "Keep the buffer's last lines (atomic: temporary file, flushed, renamed)") { buffer, maxLines };
        command.SetAction(parse => Usage.Run("experience trim", () =>
        {
            var (path, configMax) = Defaults(parse.GetValue(buffer));
            var keep = parse.GetValue(maxLines) is { } given ? Usage.AtLeast(given, 1, "--max-lines") : configMax;
            if (keep <= 0)
            {
                Console.WriteLine($"{path}: EXPERIENCE_BUFFER_MAX_LINES=0 (never trim); give --max-lines N to trim anyway");
                return 0;
            }

            var clock = Stopwatch.StartNew();
            var result = Run(() => ExperienceBuffer.Trim(path, keep), path);
            var stale = result.StaleTempFiles > 0 ? $"; removed {result.StaleTempFiles} temporary file(s) of an interrupted trim" : string.Empty;
            Console.WriteLine(result.Rewrote
                ? string.Create(CultureInfo.InvariantCulture, $"{path}: kept the last {result.After:N0} of {result.Before:N0} lines in {clock.Elapsed.TotalSeconds:0.00} s{stale}")
                : string.Create(CultureInfo.InvariantCulture, $"{path}: {result.Before:N0} lines, at most {keep:N0}: unchanged{stale}"));
            return 0;
        }));
        return command;
    }

    private static Command Stats()
    {
        var buffer = BufferOption();
        var command = new Command("stats", "Count lines, entries, exits and bad lines (with their numbers); first and last time") { buffer };
        command.SetAction(parse => Usage.Run("experience stats", () =>
        {
            var (path, _) = Defaults(parse.GetValue(buffer));
            if (!File.Exists(path))
            {
                throw new UsageException($"no buffer at {path}");
            }

            var s = Run(() => ExperienceFile.Stats(path), path);
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(path);
            Console.WriteLine(string.Create(c, $"lines    {s.Lines:N0}"));
            Console.WriteLine(string.Create(c, $"entries  {s.Entries:N0}"));
            Console.WriteLine(string.Create(c, $"exits    {s.Exits:N0} ({s.ExitsLinked:N0} linked to their entry, {s.ExitsWithFeatures:N0} with features)"));
            Console.WriteLine(string.Create(c, $"bad      {s.BadCount:N0}"));
            Console.WriteLine(s.FirstTs is { } first && s.LastTs is { } last
                ? string.Create(c, $"first    {first:yyyy-MM-ddTHH:mm:ssZ}\nlast     {last:yyyy-MM-ddTHH:mm:ssZ}")
                : "first    -\nlast     -");
            foreach (var (line, error) in s.BadLines)
            {
                Console.WriteLine(string.Create(c, $"bad line {line}: {error}"));
            }

            if (s.BadCount > s.BadLines.Count)
            {
                Console.WriteLine(string.Create(c, $"… and {s.BadCount - s.BadLines.Count:N0} more bad lines"));
            }

            return 0;
        }));
        return command;
    }

    private static (string Path, int MaxLines) Defaults(string? buffer)
    {
        var config = Startup.LoadConfig(out _) ?? throw new UsageException("the configuration is invalid (see above)");
        var path = buffer ?? config.Learning.ExperienceBufferPath;
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException("--buffer is empty");
        }

        return (path, config.Learning.ExperienceBufferMaxLines);
    }

    private static T Run<T>(Func<T> work, string path)
    {
        try
        {
            return work();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: {Startup.OneLine(ex.Message)}");
        }
    }
}
