using System.Globalization;
using SentryBrain.Learning;
using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.Learning;

/// <summary>The buffer file: appends flushed per line, the line count, trimming (bounded, atomic, stale temporary files) and part-lines.</summary>
public sealed class ExperienceBufferTests : IDisposable
{
    private readonly TempFolder _dir = BrainCli.NewFolder();

    public void Dispose() => _dir.Dispose();

    internal static ExperienceRecord Numbered(long i) => new()
    {
        Action = i % 2 == 0 ? "entry" : "exit",
        Symbol = "S" + (i % 7).ToString(CultureInfo.InvariantCulture),
        Ts = new DateTime(2026, 3, 2, 14, 30, 0, DateTimeKind.Utc).AddSeconds(i),
        TradeId = "t" + i.ToString(CultureInfo.InvariantCulture),
        Price = 100,
        Qty = i,
        Reason = "n" + i.ToString(CultureInfo.InvariantCulture),
    };

    [Fact]
    public void FiftyThousandAppends_WithMaxTwentyThousand_LeaveExactlyTheLastTwentyThousand_IntactAndInOrder()
    {
        var path = _dir["data/experience_buffer.jsonl"];
        var buffer = new ExperienceBuffer(path, 20_000);
        var most = 0L;
        for (var i = 1; i <= 50_000; i++)
        {
            buffer.Append(Numbered(i));
            most = Math.Max(most, buffer.Lines);
        }

        // Trimmed while appending, never past max + slack (2,000), then to exactly max at close.
        Assert.True(buffer.Trims >= 10, $"only {buffer.Trims} trims during 50,000 appends");
        Assert.True(most <= 22_000, $"the buffer reached {most} lines");
        buffer.Dispose();

        var lines = File.ReadAllLines(path);
        Assert.Equal(20_000, lines.Length);
        for (var k = 0; k < lines.Length; k++)
        {
            // Line k is append number 30,001 + k, byte for byte as written.
            Assert.Equal(ExperienceJson.ToLine(Numbered(30_001 + k)), lines[k]);
        }

        Assert.Empty(Directory.GetFiles(_dir["data"], "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void LineCount_IsLearnedFromTheFileAtTheFirstAppend_SoATrimHappensAcrossRestarts()
    {
        var path = _dir["b.jsonl"];
        File.WriteAllLines(path, Enumerable.Range(1, 110).Select(i => ExperienceJson.ToLine(Numbered(i))));
        var buffer = new ExperienceBuffer(path, 100); // slack 10: 110 lines are not over yet

        buffer.Append(Numbered(111));

        Assert.Equal(100, buffer.Lines); // 111 > 110 → trimmed to the last 100 (12 … 111)
        var lines = File.ReadAllLines(path);
        Assert.Equal(100, lines.Length);
        Assert.Equal(ExperienceJson.ToLine(Numbered(12)), lines[0]);
        Assert.Equal(ExperienceJson.ToLine(Numbered(111)), lines[^1]);
    }

    [Fact]
    public void MaxLinesZero_NeverTrims()
    {
        var path = _dir["b.jsonl"];
        using (var buffer = new ExperienceBuffer(path, 0))
        {
            for (var i = 1; i <= 300; i++)
            {
                buffer.Append(Numbered(i));
            }

            Assert.Equal(0, buffer.Trims);
        }

        Assert.Equal(300, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void AFinalLineWithoutNewline_FromACrashMidAppend_IsNotGluedToTheNextLine()
    {
        var path = _dir["b.jsonl"];
        var whole = ExperienceJson.ToLine(Numbered(1));
        var cut = ExperienceJson.ToLine(Numbered(2))[..40];
        File.WriteAllText(path, whole + "\n" + cut);

        var buffer = new ExperienceBuffer(path, 100);
        buffer.Append(Numbered(3));

        Assert.Equal([whole, cut, ExperienceJson.ToLine(Numbered(3))], File.ReadAllLines(path));
        Assert.Equal(3, buffer.Lines);
        var stats = ExperienceFile.Stats(path);
        Assert.Equal(2, stats.Lines - stats.BadCount);
        Assert.Equal(2, Assert.Single(stats.BadLines).Line);
    }

    [Fact]
    public void Trim_RemovesTheTemporaryFileOfAKilledTrim_ButNotOneOfARunningProcess()
    {
        var path = _dir["b.jsonl"];
        File.WriteAllLines(path, Enumerable.Range(1, 10).Select(i => ExperienceJson.ToLine(Numbered(i))));
        // AtomicFile's temporary names: .NAME.PID.GUID.tmp. int.MaxValue is no process; this test process is one.
        var dead = _dir[$".b.jsonl.{int.MaxValue}.{Guid.NewGuid():N}.tmp"];
        var alive = _dir[$".b.jsonl.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"];
        File.WriteAllText(dead, "half a trim");
        File.WriteAllText(alive, "a trim in progress");

        var result = ExperienceBuffer.Trim(path, 4);

        Assert.Equal(new ExperienceBuffer.TrimResult(10, 4, 1), result);
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(alive));
        Assert.Equal(Enumerable.Range(7, 4).Select(i => ExperienceJson.ToLine(Numbered(i))), File.ReadAllLines(path));
    }

    [Fact]
    public void Trim_OfABufferWithinItsMaximum_LeavesTheFileAsItIs()
    {
        var path = _dir["b.jsonl"];
        var text = string.Join("\n", Enumerable.Range(1, 5).Select(i => ExperienceJson.ToLine(Numbered(i)))) + "\n\n";
        File.WriteAllText(path, text);

        var result = ExperienceBuffer.Trim(path, 5);

        Assert.False(result.Rewrote);
        Assert.Equal(text, File.ReadAllText(path)); // untouched, blank line included
        Assert.Equal(new ExperienceBuffer.TrimResult(0, 0, 0), ExperienceBuffer.Trim(_dir["missing.jsonl"], 5));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }

    [Fact]
    public void Trim_KeepsLinesByteForByte_AcrossReadChunks_AndDropsBlankLinesAndCarriageReturns()
    {
        // Lines of 100 kB cross the 64 kB read buffer; a CRLF line and blank lines come from a hand-edited file.
        var big = Enumerable.Range(0, 6).Select(i => "{\"pad\":\"" + new string((char)('a' + i), 100_000) + "\"}").ToList();
        var path = _dir["b.jsonl"];
        File.WriteAllText(path, big[0] + "\n\n" + big[1] + "\r\n" + big[2] + "\n   \n" + big[3] + "\n" + big[4] + "\n" + big[5]);

        var result = ExperienceBuffer.Trim(path, 3);

        Assert.Equal(new ExperienceBuffer.TrimResult(6, 3, 0), result);
        Assert.Equal(big[3] + "\n" + big[4] + "\n" + big[5] + "\n", File.ReadAllText(path));
    }
}
