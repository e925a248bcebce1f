using SentryBrain.Market.Bars;
using SentryBrain.Tests.Signals.Technical;

namespace SentryBrain.Tests.Market;

public class BarCsvTests
{
    private const string Header = "date,open,high,low,close,volume";

    [Fact]
    public void AaplSample_ReadsAllRows_UsingClose_NotAdjClose()
    {
        var bars = BarCsv.ReadFile(SampleFiles.PathOf(SampleFiles.Aapl));
        Assert.Equal(1260, bars.Count);
        Assert.Equal(new DailyBar(new DateOnly(2013, 5, 13), 64.501427, 65.414284, 64.5, 64.96286, 79237200), bars[0]);
        Assert.Equal(new DailyBar(new DateOnly(2018, 5, 11), 189.490005, 190.059998, 187.449997, 188.589996, 25806600), bars[^1]);
        Assert.True(bars.Zip(bars.Skip(1)).All(p => p.First.Date < p.Second.Date));
    }

    [Fact]
    public void Sp500Sample_ReadsAllRows_WithLowerCaseHeader_AndAdjcloseIgnored()
    {
        var bars = BarCsv.ReadFile(SampleFiles.PathOf(SampleFiles.Sp500));
        Assert.Equal(5105, bars.Count);
        Assert.Equal(new DailyBar(new DateOnly(2000, 1, 3), 1469.25, 1478, 1438.359985, 1455.219971, 931800000), bars[0]);
        Assert.Equal(new DateOnly(2020, 4, 17), bars[^1].Date);
    }

    [Fact]
    public void Header_IsCaseInsensitive_InAnyOrder_WithExtraAndQuotedColumns()
    {
        var csv = "\"Volume\",Adj Close,CLOSE,Low,High,Open,Date,Note\r\n1000,9.5,10.5,9,11,10,2024-03-01,x\r\n";
        var bar = Assert.Single(BarCsv.Read(new StringReader(csv)));
        Assert.Equal(new DailyBar(new DateOnly(2024, 3, 1), 10, 11, 9, 10.5, 1000), bar);
    }

    [Fact]
    public void Rows_AreSortedByDateAscending()
    {
        var csv = $"{Header}\n2024-01-03,1,1,1,3,1\n2024-01-01,1,1,1,1,1\n\n2024-01-02,1,1,1,2,1\n";
        var bars = BarCsv.Read(new StringReader(csv));
        Assert.Equal([1.0, 2.0, 3.0], bars.Select(b => b.Close));
    }

    [Fact]
    public void HeaderOnly_GivesNoBars()
    {
        Assert.Empty(BarCsv.Read(new StringReader(Header + "\n")));
    }

    [Theory]
    [InlineData("", 1, "empty file")]
    [InlineData("date,open,high,low,close\n2024-01-01,1,1,1,1\n", 1, "missing column 'volume'")]
    [InlineData("date,open,high,low,close,volume,close\n", 1, "'close' appears twice")]
    [InlineData(Header + "\n2024-01-01,1,1,1,1,1\n2024-01-02,1,1,1,1\n", 3, "expected at least 6 fields")]
    [InlineData(Header + "\n01/02/2024,1,1,1,1,1\n", 2, "bad date '01/02/2024'")]
    [InlineData(Header + "\n2024-01-01,1,1,1,null,1\n", 2, "bad close 'null'")]
    [InlineData(Header + "\n2024-01-01,1,1,1,1,NaN\n", 2, "bad volume 'NaN'")]
    [InlineData(Header + "\n2024-01-01,1,1,1,1,1\n\n2024-01-02,1,1,1,-1,1\n", 4, "negative close")]
    [InlineData(Header + "\n2024-01-01,1,1,2,1,1\n", 2, "high 1 is below low 2")]
    [InlineData(Header + "\n2024-01-01,1,1,1,1,1\n2024-01-01,1,1,1,1,1\n", 3, "duplicate date 2024-01-01 (first on line 2)")]
    public void BadInput_ThrowsBarCsvException_NamingTheLine(string csv, int line, string reason)
    {
        var ex = Assert.Throws<BarCsvException>(() => BarCsv.Read(new StringReader(csv), "bars.csv"));
        Assert.Equal(line, ex.LineNumber);
        Assert.StartsWith($"bars.csv:{line}: ", ex.Message);
        Assert.Contains(reason, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
