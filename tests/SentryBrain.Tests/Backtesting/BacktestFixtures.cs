using SentryBrain.Backtesting;
using SentryBrain.Config;
using SentryBrain.Market.Bars;
using SentryBrain.Tests.Signals.Technical;

namespace SentryBrain.Tests.Backtesting;

/// <summary>Bars and options shared by the backtest tests.</summary>
internal static class BacktestFixtures
{
    /// <summary>The reference defaults, independent of the machine's environment and .env.</summary>
    public static BrainConfig Defaults { get; } = BrainConfig.Load(ConfigSource.FromPairs());

    public static BarPanel Sample(string symbol, string file)
    {
        var issues = new List<BarIssue>();
        var bars = BacktestBarReader.ReadFile(symbol, SampleFiles.PathOf(file), issues);
        Assert.Empty(issues);
        return BarPanel.Align([bars]);
    }

    public static BarPanel Aapl => Sample("AAPL", SampleFiles.Aapl);

    public static BarPanel Spy => Sample("SPY", SampleFiles.Sp500);

    /// <summary>Closes only; open(t) = close(t−1) (open(0) = close(0)), high/low = max/min of open and close.</summary>
    public static BarPanel FromCloses(string symbol, IReadOnlyList<double> closes, DateOnly? first = null)
    {
        var start = first ?? new DateOnly(2020, 1, 1);
        var bars = new List<DailyBar>();
        for (var i = 0; i < closes.Count; i++)
        {
            var open = i == 0 ? closes[0] : closes[i - 1];
            bars.Add(new DailyBar(start.AddDays(i), open, Math.Max(open, closes[i]), Math.Min(open, closes[i]), closes[i], 1_000));
        }

        return BarPanel.Align([new SymbolBars(symbol, bars, "test")]);
    }

    public static BacktestOptions Options(BacktestStrategy strategy, BrainConfig? config = null, bool record = false)
        => new(strategy, config ?? Defaults, 100_000, SmaCrossParameters.Default, RecordDecisions: record);
}
