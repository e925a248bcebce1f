using System.CommandLine;
using SentryBrain.Market.Bars;
using SentryBrain.Signals.Technical;

namespace SentryBrain.Cli.Commands;

internal static class IndicatorsCommand
{
    public static Command Create()
    {
        var bars = new Option<FileInfo>("--bars")
        {
            Description = "Daily bars CSV (date,open,high,low,close,volume; extra columns ignored), e.g. samples/aapl_2013-2018_daily.csv",
            Required = true,
        };
        var command = new Command("indicators", "Print daily RSI(14), MACD(12,26,9), ATR(14), returns z-score(20) and rolling VWAP(20) as CSV, computed with the streaming indicators") { bars };
        command.SetAction(parse => Run(parse.GetValue(bars)!.FullName, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Reads the bars and writes the CSV; a file that cannot be read gives one line on stderr and exit code 2.</summary>
    internal static int Run(string path, TextWriter output, TextWriter error)
    {
        IReadOnlyList<DailyBar> bars;
        try
        {
            bars = BarCsv.ReadFile(path);
        }
        catch (Exception ex) when (ex is BarCsvException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"indicators: {OneLine(ex.Message)}");
            return 2;
        }

        try
        {
            IndicatorReport.WriteCsv(bars, output);
            output.Flush();
            return 0;
        }
        catch (IOException)
        {
            return 0; // reader closed the pipe (e.g. `| head`): not an error
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
