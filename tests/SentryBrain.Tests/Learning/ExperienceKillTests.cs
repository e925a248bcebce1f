using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using SentryBrain.Learning;
using SentryBrain.Tests.Cli;
using SentryBrain.Tests.Redis;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// A trim killed (SIGKILL) at any moment leaves the buffer whole: exactly the old content or exactly the trimmed one,
/// never a part. The real CLI (<c>brain experience trim</c>) trims a 300,000-line buffer in a child process and is
/// killed when its temporary file appears (while it reads), when the temporary file has content (while it writes),
/// and when the temporary file is complete (flush to disk and rename); the next trim cleans up the stale file.
/// </summary>
public sealed class ExperienceKillTests : IDisposable
{
    private const int Lines = 300_000;
    private const int Keep = 150_000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempFolder _dir = BrainCli.NewFolder();

    public void Dispose() => _dir.Dispose();

    private enum Moment
    {
        /// <summary>As soon as the temporary file exists: the child is reading the buffer.</summary>
        TempAppears,

        /// <summary>The temporary file has bytes: the child is writing the kept lines.</summary>
        TempHasContent,

        /// <summary>The temporary file holds every kept byte: flushing to disk or renaming.</summary>
        TempComplete,
    }

    [Fact]
    public void KilledTrim_LeavesTheOldOrTheNewBuffer_NeverAPart_AndTheNextTrimCleansUp()
    {
        var original = _dir["original.jsonl"];
        using (var writer = new StreamWriter(original, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" })
        {
            for (var i = 1; i <= Lines; i++)
            {
                writer.WriteLine(ExperienceJson.ToLine(ExperienceBufferTests.Numbered(i)));
            }
        }

        var oldBytes = File.ReadAllBytes(original);
        var trimmedBytes = Encoding.UTF8.GetBytes(string.Join(string.Empty, File.ReadLines(original).Skip(Lines - Keep).Select(l => l + "\n")));
        var oldHash = SHA256.HashData(oldBytes);
        var trimmedHash = SHA256.HashData(trimmedBytes);
        var buffer = _dir["b.jsonl"];

        var killedMidTrim = 0;
        foreach (var moment in Enum.GetValues<Moment>())
        {
            File.Copy(original, buffer, overwrite: true);
            var (killed, stderr) = TrimAndKill(buffer, moment, trimmedBytes.Length);
            var now = SHA256.HashData(File.ReadAllBytes(buffer));
            var whole = now.SequenceEqual(oldHash) ? "old" : now.SequenceEqual(trimmedHash) ? "trimmed" : null;
            Assert.True(whole is not null, $"after a kill at {moment} the buffer is neither the old nor the trimmed file ({new FileInfo(buffer).Length} bytes); stderr: {stderr}");
            if (killed && whole == "old")
            {
                killedMidTrim++;
            }

            if (moment == Moment.TempAppears)
            {
                // The temporary file exists from the start of the read (≈ 50 MB): the kill must land inside the trim.
                Assert.True(killed, $"the trim ended before it could be killed at {moment}; stderr: {stderr}");
                Assert.Equal("old", whole);
                Assert.NotEmpty(TempFiles());
            }
        }

        Assert.True(killedMidTrim >= 1);

        // The next trim (not killed) removes the temporary files of the killed ones and trims.
        File.Copy(original, buffer, overwrite: true);
        var stale = TempFiles().Length;
        var again = BrainCli.Run(_dir.Path, null, "experience", "trim", "--buffer", buffer, "--max-lines", Keep.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"kept the last 150,000 of 300,000 lines", again.Stdout, StringComparison.Ordinal);
        Assert.Contains($"removed {stale} temporary file(s) of an interrupted trim", again.Stdout, StringComparison.Ordinal);
        Assert.Empty(TempFiles());
        Assert.True(SHA256.HashData(File.ReadAllBytes(buffer)).SequenceEqual(trimmedHash), "the trim after the kills did not leave the last 150,000 lines");
    }

    private string[] TempFiles() => Directory.GetFiles(_dir.Path, ".b.jsonl.*.tmp");

    /// <summary>Starts the trim and SIGKILLs it at <paramref name="moment"/>; whether it was killed before it ended.</summary>
    private (bool Killed, string Stderr) TrimAndKill(string buffer, Moment moment, long trimmedLength)
    {
        var info = new ProcessStartInfo("dotnet", [BrainProcess.CliPath(), "experience", "trim", "--buffer", buffer, "--max-lines", Keep.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir.Path,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        var pattern = $".b.jsonl.{process.Id}.*.tmp";
        var clock = Stopwatch.StartNew();
        var killed = false;
        while (!process.HasExited)
        {
            Assert.True(clock.Elapsed < Patience, $"no trim of {moment} reached within {Patience.TotalSeconds} s");
            var temp = Directory.GetFiles(_dir.Path, pattern).FirstOrDefault();
            var length = temp is null ? -1 : Length(temp);
            var now = moment switch
            {
                Moment.TempAppears => temp is not null,
                Moment.TempHasContent => length > 0,
                _ => length >= trimmedLength,
            };
            if (now)
            {
                try
                {
                    process.Kill(); // SIGKILL on Linux
                    killed = true;
                }
                catch (InvalidOperationException)
                {
                    // it ended first
                }

                break;
            }

            Thread.Yield();
        }

        Assert.True(process.WaitForExit(Patience), "the trim did not end after the kill");
        return (killed && process.ExitCode != 0, stderr.Wait(Patience) ? stderr.Result : "(stderr not closed)");
    }

    private static long Length(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
