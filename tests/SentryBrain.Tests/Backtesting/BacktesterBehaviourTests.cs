using SentryBrain.Backtesting;
using SentryBrain.Market.Bars;
using SentryBrain.Strategy;

namespace SentryBrain.Tests.Backtesting;

public class BacktesterBehaviourTests
{
    public static TheoryData<BacktestStrategy> Strategies => [BacktestStrategy.GreenLight, BacktestStrategy.Consensus, BacktestStrategy.SmaCross];

    /// <summary>
    /// Changing any bar after day t never changes a decision made on or before day t: every bar after t is replaced
    /// by wild values (prices ×3 or ÷3, alternating, volume ×10), and the decisions through t must be identical.
    /// </summary>
    [Theory]
    [MemberData(nameof(Strategies))]
    public void Decisions_UpToDayT_DoNotDependOnLaterBars(BacktestStrategy strategy)
    {
        var panel = BacktestFixtures.Aapl;
        var options = BacktestFixtures.Options(strategy, record: true);
        var original = Backtester.Run(panel, options).Decisions;
        var changedLater = 0;
        foreach (var t in new[] { 40, 200, 611, 1000, panel.Days - 2 })
        {
            var changed = Backtester.Run(Perturbed(panel, t), options).Decisions;
            var cut = panel.Dates[t];
            var before = original.Where(d => d.Date <= cut).ToList();
            var after = changed.Where(d => d.Date <= cut).ToList();
            Assert.Equal(before, after);
            changedLater += original.SequenceEqual(changed) ? 0 : 1;
        }

        Assert.True(changedLater > 0, "the perturbation should change some later decision");
    }

    [Fact]
    public void SummaryJson_SameRunTwice_IsByteIdentical()
    {
        var options = BacktestFixtures.Options(BacktestStrategy.GreenLight);
        var first = BacktestReport.SummaryJson("green_light", options, BacktestStatistics.Compute(Backtester.Run(BacktestFixtures.Spy, options)));
        var second = BacktestReport.SummaryJson("green_light", options, BacktestStatistics.Compute(Backtester.Run(BacktestFixtures.Spy, options)));

        Assert.Equal(first, second);
        Assert.DoesNotContain("elapsed", first, StringComparison.Ordinal);
        foreach (var key in new[] { "start_equity", "end_equity", "total_return", "cagr", "sharpe", "sortino", "max_drawdown", "trades", "win_rate", "profit_factor", "exposure" })
        {
            Assert.Contains($"\"{key}\":", first, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void BarReader_ReportsBadRowsWithFileAndLine_AndSkipsThem()
    {
        const string csv = """
            Date,Open,High,Low,Close,Adj Close,Volume
            2020-01-02,10,11,9,10.5,10.5,100
            2020-01-03,10,9,11,10.5,10.5,100
            2020-01-06,-1,11,9,10.5,10.5,100
            2020-01-07,abc,11,9,10.5,10.5,100
            2020-01-02,10,11,9,10.5,10.5,100
            not-a-date,10,11,9,10.5,10.5,100
            2020-01-08,10,11,9,10.7,10.7,100
            """;
        var issues = new List<BarIssue>();
        var bars = BacktestBarReader.Read(new StringReader(csv), "X.csv", issues);

        Assert.Equal([new DateOnly(2020, 1, 2), new DateOnly(2020, 1, 8)], bars.Select(b => b.Date));
        Assert.Equal([3, 4, 5, 6, 7], issues.Select(i => i.Line));
        Assert.All(issues, i => Assert.StartsWith("X.csv:", i.ToString(), StringComparison.Ordinal));
        Assert.Contains("duplicate", issues[3].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Panel_AlignsByDate_NotByIndex_WithMissingDaysAsNaN()
    {
        var a = new SymbolBars("A", [Bar(2, 10), Bar(3, 11), Bar(6, 12)], "a");
        var b = new SymbolBars("B", [Bar(3, 20), Bar(7, 21)], "b");
        var panel = BarPanel.Align([a, b]);

        Assert.Equal([2, 3, 6, 7], panel.Dates.Select(d => d.Day));
        Assert.Equal([10, 11, 12, double.NaN], panel.Close[0]);
        Assert.Equal([double.NaN, 20, double.NaN, 21], panel.Close[1]);
        Assert.Equal(5, panel.BarCount);
    }

    [Fact]
    public void PendingOrder_ForASymbolWithoutABarNextDay_FillsAtItsNextOpen()
    {
        // The V series of the regression test buys on the close of t = 52; A then misses t = 53 (a halt) while B trades.
        var panel = BacktestFixtures.FromCloses("A", VSeries());
        var other = new SymbolBars("B", [.. panel.Dates.Select(d => new DailyBar(d, 50, 50, 50, 50, 1))], "b");
        var halted = new SymbolBars("A", [.. Enumerable.Range(0, panel.Days).Where(t => t != 53).Select(t => Bar(panel, 0, t))], "a");
        var withHalt = BarPanel.Align([halted, other]);
        var result = Backtester.Run(withHalt, BacktestFixtures.Options(BacktestStrategy.SmaCross));

        var fill = result.Fills.First(f => f.Symbol == "A");
        Assert.Equal(panel.Dates[54], fill.Date);
        Assert.Equal(withHalt.Open[0][54], fill.Price);
        Assert.True(double.IsNaN(withHalt.Close[0][53]));
    }

    private static List<double> VSeries()
    {
        var closes = new List<double>();
        for (var i = 0; i < 90; i++)
        {
            closes.Add(i <= 39 ? 140 - i : i <= 69 ? 101 + (i - 39) : 131 - (i - 69));
        }

        return closes;
    }

    [Fact]
    public void Intrabar_WhenStopAndTargetAreBothInsideTheBar_TheStopWins()
    {
        // Consensus with a 1 % stop and 2 % target: a bar whose range covers both levels must exit at the stop.
        var config = BacktestFixtures.Defaults with { StopLossPct = 1, TakeProfitPct = 2, ConsensusPositiveThreshold = 0.0001, ConsensusMinSourcesPositive = 1 };
        var bars = new List<DailyBar>();
        var d = new DateOnly(2021, 3, 1);
        for (var i = 0; i < 20; i++)
        {
            bars.Add(new DailyBar(d.AddDays(i), 100 + i, 100.5 + i, 99.5 + i, 100 + i + 0.5, 1000));
        }

        var panel = BarPanel.Align([new SymbolBars("A", bars, "a")]);
        var result = Backtester.Run(panel, BacktestFixtures.Options(BacktestStrategy.Consensus, config));
        var buy = result.Fills.First(f => f.Side == "buy");
        var t = Array.IndexOf(panel.Dates, buy.Date);

        // Replace the bar after the fill by one covering both the stop and the target, opening in between.
        var wide = bars.ToList();
        wide[t + 1] = new DailyBar(bars[t + 1].Date, buy.Price, buy.Price * 1.05, buy.Price * 0.95, buy.Price, 1000);
        var again = Backtester.Run(BarPanel.Align([new SymbolBars("A", wide, "a")]), BacktestFixtures.Options(BacktestStrategy.Consensus, config));
        var exit = again.Fills.First(f => f.Side == "sell");

        Assert.Equal("stop_loss_intrabar", exit.Reason);
        Assert.Equal(buy.Price * 0.99, exit.Price, 9);
    }

    [Fact]
    public void ScaleOut_SellsPartOfThePosition_AndTheRoundTripClosesLater()
    {
        var result = Backtester.Run(BacktestFixtures.Aapl, BacktestFixtures.Options(BacktestStrategy.GreenLight));

        var scaleOut = result.Fills.First(f => f.Reason.StartsWith("scale_out_", StringComparison.Ordinal));
        var bought = result.Fills.Last(f => f.Side == "buy" && f.Symbol == scaleOut.Symbol && f.Date <= scaleOut.Date);
        Assert.InRange(scaleOut.Qty, 1, bought.Qty - 1);
        var trip = result.RoundTrips.First(r => r.ExitDate >= scaleOut.Date);
        Assert.True(trip.Exits >= 2);
        Assert.Equal(trip.Qty, result.Fills.Where(f => f.Side == "sell" && f.Date >= trip.EntryDate && f.Date <= trip.ExitDate).Sum(f => f.Qty));
    }

    [Fact]
    public void CommissionAndSlippage_LowerTheResult_ByTheirExactAmounts()
    {
        var closes = new List<double>();
        for (var i = 0; i < 90; i++)
        {
            closes.Add(i <= 39 ? 140 - i : i <= 69 ? 101 + (i - 39) : 131 - (i - 69));
        }

        // Same V series as the regression test: buy at 114, sell at 118. With 10 bps and $1 per fill:
        // buy at 114·1.001 = 114.114, qty = floor((100,000 − 1)/114.114) = 876; sell at 118·0.999 = 117.882.
        var config = BacktestFixtures.Defaults with { BacktestSlippageBps = 10, BacktestCommissionPerTrade = 1 };
        var result = Backtester.Run(BacktestFixtures.FromCloses("T", closes), BacktestFixtures.Options(BacktestStrategy.SmaCross, config));
        var trip = Assert.Single(result.RoundTrips);

        Assert.Equal(876, trip.Qty);
        var expected = 100_000 - (876 * 114.114) - 1 + (876 * 117.882) - 1;
        Assert.Equal(expected, BacktestStatistics.Compute(result).EndEquity, 6);
    }

    [Fact]
    public void SweepAndWalkForward_AreDeterministic_AndOneRowPerPointOrFold()
    {
        var panel = BacktestFixtures.Aapl;
        var grid = Experiments.Grid(["SMA_FAST=5,10", "SMA_SLOW=20,30"]);
        Assert.Equal(4, grid.Count);
        BacktestOptions OptionsFor(GridPoint p) => BacktestFixtures.Options(BacktestStrategy.SmaCross) with
        {
            SmaCross = new SmaCrossParameters(int.Parse(p.Values[0].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(p.Values[1].Value, System.Globalization.CultureInfo.InvariantCulture)),
        };

        var parallel = Experiments.Sweep(panel, grid, OptionsFor);
        var sequential = Experiments.Sweep(panel, grid, OptionsFor, parallelism: 1);
        Assert.Equal(Experiments.Csv(sequential), Experiments.Csv(parallel));
        var tenThirty = parallel.Single(r => r.Point.ToString() == "SMA_FAST=10 SMA_SLOW=30");
        Assert.Equal(132_458.931942, tenThirty.Summary.EndEquity, 6);

        var folds = Experiments.WalkForward(panel, 252, 126, grid, OptionsFor);
        Assert.Equal((panel.Days - 252) / 126, folds.Count);
        Assert.Equal(Experiments.Csv(folds), Experiments.Csv(Experiments.WalkForward(panel, 252, 126, grid, OptionsFor, parallelism: 1)));
        Assert.All(folds, f => Assert.Equal(126, f.Summary.Days));
    }

    private static DailyBar Bar(int day, double close) => new(new DateOnly(2024, 1, day), close, close, close, close, 1);

    private static DailyBar Bar(BarPanel p, int s, int t) => new(p.Dates[t], p.Open[s][t], p.High[s][t], p.Low[s][t], p.Close[s][t], p.Volume[s][t]);

    private static BarPanel Perturbed(BarPanel panel, int t)
    {
        var bars = new List<DailyBar>();
        for (var i = 0; i < panel.Days; i++)
        {
            var b = Bar(panel, 0, i);
            if (i > t)
            {
                var f = i % 2 == 0 ? 3.0 : 1 / 3.0;
                b = new DailyBar(b.Date, b.Open * f, b.High * f, b.Low * f, b.Close * f, b.Volume * 10);
            }

            bars.Add(b);
        }

        return BarPanel.Align([new SymbolBars(panel.Symbols[0], bars, "perturbed")]);
    }

    [Fact]
    public void Decisions_AreTheSharedStrategiesReasons()
    {
        var result = Backtester.Run(BacktestFixtures.Aapl, BacktestFixtures.Options(BacktestStrategy.GreenLight));
        Assert.Contains(result.Decisions, d => d.Action == TradeAction.Buy && d.Reason == "green_light_4pt");
    }
}
