using System.Diagnostics;
using SentryBrain.Engine;
using SentryBrain.Screening;

namespace SentryBrain.Tests.Screening;

/// <summary>The active list's writer against its reader (<see cref="ActiveSymbols.Parse"/>): headers, validation, atomic replace.</summary>
public sealed class ActiveListFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-active-" + Guid.NewGuid().ToString("N"));

    public ActiveListFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ListPath => Path.Combine(_dir, "active.txt");

    [Fact]
    public void HeaderLinesStartWithHash_ThenOneSymbolALine()
    {
        ActiveListFile.Write(ListPath, ["AAPL", "BRK.B"], ["screen 2026-03-10", "|Z| > 2"]);

        Assert.Equal("# screen 2026-03-10\n# |Z| > 2\nAAPL\nBRK.B\n", File.ReadAllText(ListPath));
        Assert.Equal(["AAPL", "BRK.B"], ActiveSymbols.Parse(File.ReadAllLines(ListPath)).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("first\nEVIL")]
    [InlineData("first\r\nEVIL")]
    [InlineData("first\rEVIL")]
    [InlineData("first\u2028EVIL")]
    [InlineData("first\u0085EVIL")]
    [InlineData("\nEVIL\n")]
    public void AHeaderWithANewline_CannotInjectASymbol(string header)
    {
        ActiveListFile.Write(ListPath, ["AAPL"], [header, "ok"]);

        Assert.Equal(["AAPL"], ActiveSymbols.Parse(File.ReadAllLines(ListPath)));
        Assert.All(File.ReadAllLines(ListPath)[..^1], line => Assert.StartsWith("# ", line));
    }

    [Theory]
    [InlineData("aapl")]
    [InlineData("BRK/B")]
    [InlineData("")]
    [InlineData("AAPL\nEVIL")]
    [InlineData("TOOLONGSYMBOL")]
    public void AnInvalidSymbol_Throws_AndThePreviousFileIsUntouched(string bad)
    {
        ActiveListFile.Write(ListPath, ["MSFT", "NVDA"], ["old"]);
        var before = File.ReadAllText(ListPath);

        var e = Assert.Throws<ArgumentException>(() => ActiveListFile.Write(ListPath, ["AAPL", bad], ["new"]));

        Assert.Equal("symbols", e.ParamName);
        Assert.Equal(before, File.ReadAllText(ListPath));
        Assert.Equal(["active.txt"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void AnExistingFileIsReplaced_AndNoTemporaryFileIsLeftBehind()
    {
        File.WriteAllText(ListPath, "OLD1\nOLD2\nOLD3\nOLD4\n");

        ActiveListFile.Write(ListPath, ["NEW"], []);

        Assert.Equal("NEW\n", File.ReadAllText(ListPath));
        Assert.Equal(["active.txt"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void AnEmptyList_IsWritten_AsHeadersOnly()
    {
        ActiveListFile.Write(ListPath, [], ["nothing qualified"]);

        Assert.Empty(ActiveSymbols.Parse(File.ReadAllLines(ListPath)));
    }

    [Fact]
    public void TheDirectoryIsCreatedIfMissing()
    {
        var path = Path.Combine(_dir, "a", "b", "active.txt");

        ActiveListFile.Write(path, ["AAPL"], ["h"]);

        Assert.Equal(["AAPL"], ActiveSymbols.Parse(File.ReadAllLines(path)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void ABlankPath_Throws(string path) =>
        Assert.ThrowsAny<ArgumentException>(() => ActiveListFile.Write(path, ["AAPL"], []));

    [Fact]
    public async Task AConcurrentReader_SeesTheOldOrTheNewList_NeverPartOfOne()
    {
        // Two lists of different lengths, so a torn read (half of one, or a truncated file) cannot parse as either.
        string[] even = [.. Enumerable.Range(0, 300).Select(i => "E" + Letters(i))];
        string[] odd = [.. Enumerable.Range(0, 40).Select(i => "O" + Letters(i))];
        var evenSet = new HashSet<string>(even);
        var oddSet = new HashSet<string>(odd);
        ActiveListFile.Write(ListPath, even, ["start"]);

        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var seen = ActiveSymbols.Parse(File.ReadAllLines(ListPath));
                if (!seen.SetEquals(evenSet) && !seen.SetEquals(oddSet))
                {
                    throw new InvalidOperationException($"a reader saw {seen.Count} symbols, neither list");
                }

                reads++;
            }
        });

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            ActiveListFile.Write(ListPath, i % 2 == 0 ? odd : even, [$"write {i}"]);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "200 rewrites took over a minute");
        }

        await stop.CancelAsync();
        await reader.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(reads > 0);
        Assert.True(ActiveSymbols.Parse(File.ReadAllLines(ListPath)).SetEquals(evenSet)); // the 200th write (i = 199)
        Assert.Equal(["active.txt"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    private static string Letters(int i) => $"{(char)('A' + (i / 26 % 26))}{(char)('A' + (i % 26))}";
}
