using SentryBrain.Market.Bars;

namespace SentryBrain.Tests.Market;

public sealed class CsvFolderBarSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sb-bars-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Load_ReturnsOnlyBarsBeforeTheDate_NoLookAhead()
    {
        File.WriteAllText(Path.Combine(_dir, "ACME.csv"), "Date,Open,High,Low,Close,Volume\n2026-02-26,10,11,9,10.5,100\n2026-02-27,10.5,12,10,11,200\n2026-03-02,11,13,11,12,300\n");
        var bars = new CsvFolderBarSource(_dir).Load("ACME", new DateOnly(2026, 3, 2));
        Assert.Equal([new DateOnly(2026, 2, 26), new DateOnly(2026, 2, 27)], bars.Select(b => b.Date));
        Assert.Equal(11, bars[^1].Close);
    }

    [Fact]
    public void MissingFile_IsNoHistory_AndBadFile_IsReportedOnce_AsNoHistory()
    {
        File.WriteAllText(Path.Combine(_dir, "BAD.csv"), "date,open,high,low,close,volume\n2026-01-02,1,1,1,oops,5\n");
        var errors = new List<string>();
        var source = new CsvFolderBarSource(_dir, errors.Add);
        Assert.Empty(source.Load("NONE", new DateOnly(2026, 3, 2)));
        Assert.Empty(errors);
        Assert.Empty(source.Load("BAD", new DateOnly(2026, 3, 2)));
        var error = Assert.Single(errors);
        Assert.Contains("BAD.csv:2", error, StringComparison.Ordinal);
    }
}
