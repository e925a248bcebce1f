using System.CommandLine;
using System.Globalization;
using System.Reflection;
using SentryBrain.Signals.Technical;

namespace SentryBrain.Tests.Signals.Technical;

public class IndicatorsCommandTests
{
    // Independent values for samples/aapl_2013-2018_daily.csv at the first defined rows, computed once with the
    // Python reference in GoldenData.cs (functions rsi, macd, atr, zscore, vwap over the file's High/Low/Close/Volume
    // read as exact fractions):
    //   14 2013-06-03 rsi14 47.04671560909128  atr14 1.644796
    //   19 2013-06-10 vwap20 63.12039060363509
    //   21 2013-06-12 zscore20 -0.8243579218963778
    //   25 2013-06-18 macd -0.582159443635028
    //   33 2013-06-28 macd -1.7815643745069376  signal -1.1941179121620664  hist -0.587446462344871
    //   1259 2018-05-11 rsi14 69.23547794759713 macd 4.449043292678021 signal 2.121955332283041
    //        hist 2.3270879603949806 atr14 3.894560343661247 zscore20 -0.6351664337957346 vwap20 174.02032780596235
    private const double Tolerance = 1e-9;

    [Fact]
    public void Csv_ForAaplSample_HasHeader_AndFirstValuesAtTheDocumentedIndices()
    {
        var writer = new StringWriter();
        IndicatorReport.WriteCsv(SampleFiles.AaplDaily, writer);
        var rows = Parse(writer.ToString());

        Assert.Equal(["date", "rsi14", "macd", "macd_signal", "macd_hist", "atr14", "zscore20", "vwap20"], rows[0]);
        var data = rows[1..];
        Assert.Equal(1260, data.Length);
        Assert.Equal("2013-05-13", data[0][0]);
        Assert.Equal("2018-05-11", data[^1][0]);

        AssertFirstDefined(data, "rsi14", 14);
        AssertFirstDefined(data, "macd", 25);
        AssertFirstDefined(data, "macd_signal", 33);
        AssertFirstDefined(data, "macd_hist", 33);
        AssertFirstDefined(data, "atr14", 14);
        AssertFirstDefined(data, "zscore20", 21);
        AssertFirstDefined(data, "vwap20", 19);

        Assert.Equal("2013-06-03", data[14][0]);
        AssertValue(data[14], "rsi14", 47.04671560909128);
        AssertValue(data[14], "atr14", 1.644796);
        AssertValue(data[19], "vwap20", 63.12039060363509);
        AssertValue(data[21], "zscore20", -0.8243579218963778);
        AssertValue(data[25], "macd", -0.582159443635028);
        AssertValue(data[33], "macd", -1.7815643745069376);
        AssertValue(data[33], "macd_signal", -1.1941179121620664);
        AssertValue(data[33], "macd_hist", -0.587446462344871);
        AssertValue(data[^1], "rsi14", 69.23547794759713);
        AssertValue(data[^1], "macd", 4.449043292678021);
        AssertValue(data[^1], "macd_signal", 2.121955332283041);
        AssertValue(data[^1], "macd_hist", 2.3270879603949806);
        AssertValue(data[^1], "atr14", 3.894560343661247);
        AssertValue(data[^1], "zscore20", -0.6351664337957346);
        AssertValue(data[^1], "vwap20", 174.02032780596235);
    }

    [Fact]
    public void Csv_NumbersRoundTrip_ToTheSeriesValues()
    {
        var bars = SampleFiles.AaplDaily;
        var writer = new StringWriter();
        IndicatorReport.WriteCsv(bars, writer);
        var data = Parse(writer.ToString())[1..];
        var closes = GoldenData.Closes(bars);
        var rsi = WilderRsi.Series(closes, 14);
        var atr = Atr.Series(bars, 14);
        var vwap = RollingVwap.Series(bars, 20);
        for (var i = 0; i < bars.Length; i++)
        {
            Assert.Equal(rsi[i], Number(data[i][1]));
            Assert.Equal(atr[i], Number(data[i][5]));
            Assert.Equal(vwap[i], Number(data[i][7]));
        }
    }

    [Fact]
    public void Command_PrintsTheCsv_ForTheAaplSample()
    {
        var (code, output, error) = Invoke("--bars", SampleFiles.PathOf(SampleFiles.Aapl));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var expected = new StringWriter();
        IndicatorReport.WriteCsv(SampleFiles.AaplDaily, expected);
        Assert.Equal(expected.ToString(), output);
    }

    [Fact]
    public void Command_BadRow_GivesOneLineErrorWithLineNumber_AndExitCode2()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sentrybrain-bad-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "date,open,high,low,close,volume\n2024-01-02,1,2,1,1.5,100\n2024-01-03,1,2,1,null,100\n");
        try
        {
            var (code, output, error) = Invoke("--bars", path);
            Assert.Equal(2, code);
            Assert.Equal("", output);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(":3:", line);
            Assert.Contains("close", line);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Command_MissingFile_GivesOneLineError_AndExitCode2()
    {
        var (code, output, error) = Invoke("--bars", Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.csv"));
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Runs `brain indicators ARGS` in-process (the CLI types are internal to the brain assembly).</summary>
    private static (int Code, string Output, string Error) Invoke(params string[] args)
    {
        var type = Type.GetType("SentryBrain.Cli.Commands.IndicatorsCommand, brain", throwOnError: true)!;
        var command = (Command)type.GetMethod("Create", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, null)!;
        var output = new StringWriter();
        var error = new StringWriter();
        var code = command.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private static string[][] Parse(string csv)
    {
        Assert.EndsWith("\n", csv);
        return csv.TrimEnd('\n').Split('\n').Select(line => line.Split(',')).ToArray();
    }

    private static double? Number(string field) => field.Length == 0 ? null : double.Parse(field, CultureInfo.InvariantCulture);

    private static int Column(string name) => Array.IndexOf(IndicatorReport.CsvHeader.Split(','), name);

    private static void AssertFirstDefined(string[][] data, string column, int index)
    {
        var c = Column(column);
        for (var i = 0; i < index; i++)
        {
            Assert.True(data[i][c].Length == 0, $"{column} row {i} should be empty, got '{data[i][c]}'");
        }

        Assert.True(data[index][c].Length > 0, $"{column} row {index} should be the first value");
    }

    private static void AssertValue(string[] row, string column, double expected)
    {
        var actual = Number(row[Column(column)]);
        Assert.True(actual is { } a && Math.Abs(a - expected) <= Tolerance, $"{row[0]} {column}: expected {expected}, got {actual}");
    }
}
