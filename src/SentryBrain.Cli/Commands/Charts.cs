using SentryBrain.Backtesting;

namespace SentryBrain.Cli.Commands;

/// <summary>equity.png and drawdown.png of a backtest (ScottPlot, rendered by SkiaSharp's self-contained Linux build).</summary>
internal static class Charts
{
    public const int Width = 1200;
    public const int Height = 500;

    public static void Write(string directory, BacktestResult result)
    {
        var xs = result.Dates.Select(d => d.ToDateTime(TimeOnly.MinValue).ToOADate()).ToArray();
        var drawdown = BacktestStatistics.Drawdowns(result.StartEquity, result.Equity).Select(d => -d * 100).ToArray();

        var equity = new ScottPlot.Plot();
        equity.Add.ScatterLine(xs, result.Equity);
        equity.Axes.DateTimeTicksBottom();
        equity.Title("Equity");
        equity.YLabel("equity ($)");
        equity.SavePng(Path.Combine(directory, "equity.png"), Width, Height);

        var dd = new ScottPlot.Plot();
        var line = dd.Add.ScatterLine(xs, drawdown);
        line.FillY = true;
        line.Color = ScottPlot.Colors.Red;
        dd.Axes.DateTimeTicksBottom();
        dd.Title("Drawdown");
        dd.YLabel("drawdown (%)");
        dd.SavePng(Path.Combine(directory, "drawdown.png"), Width, Height);
    }
}
