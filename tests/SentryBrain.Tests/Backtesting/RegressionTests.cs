using SentryBrain.Backtesting;

namespace SentryBrain.Tests.Backtesting;

/// <summary>
/// LEAN-style regression tests: fixed settings on fixed data give exactly these trades and end equity. The sma_cross
/// numbers are worked out independently (by hand below, and by <c>sma_cross_reference.py</c> beside this file, a
/// plain-Python implementation of the definition that shares no code with the engine); the green_light and
/// consensus numbers are frozen (see <see cref="LiveStrategies_OnSamples_AreFrozen"/>).
/// </summary>
public class RegressionTests
{
    /// <summary>
    /// A "V then Λ" series, closes c(i) (opens = the previous close):
    /// c(i) = 140 − i for i = 0..39 (down to 101), then +1 a day to the peak c(69) = 131, then −1 a day to c(89) = 111.
    /// <para><b>Buy.</b> Let k = days since the bottom (t = 39 + k). For k ≤ 9 the SMA10 window straddles the bottom:
    /// SMA10 − 101 = Σ_{j=k−9..k} |j| / 10 = ((9−k)(10−k) + k(k+1)) / 20; for k ≥ 9 it is k − 4.5. SMA30 − 101 =
    /// ((29−k)(30−k) + k(k+1)) / 60 for k ≤ 29. k = 12: SMA10 = 101 + 7.5 = 108.5, SMA30 = 101 + 462/60 = 108.7
    /// (SMA10 ≤ SMA30); k = 13: SMA10 = 109.5, SMA30 = 101 + 454/60 = 108.567 (SMA10 &gt; SMA30): the cross is at
    /// t = 52 (f − s = (−2k² + 118k − 1140)/60 is positive for 12.17 &lt; k ≤ 29, and both SMAs rise by 1 a day after
    /// k = 29, so there is no other cross on the way up; on the way down before the bottom SMA10 &lt; SMA30).</para>
    /// <para><b>RSI14 at t = 52.</b> Changes 1..39 are −1, so at the seed (t = 14) avg gain = 0, avg loss = 1, and it
    /// stays so to t = 39. Then 13 gains of +1: avg gain = 1 − (13/14)^13, avg loss = (13/14)^13. (13/14)^13 =
    /// e^(13·ln(13/14)) = e^(−0.963403) = 0.381605, so RS = 0.618395/0.381605 = 1.62050 and RSI = 100 − 100/2.62050 =
    /// 61.84 &lt; 70: buy at the close of t = 52, filled at the open of t = 53 = c(52) = 114:
    /// floor(100,000 / 114) = 877 shares (877 × 114 = 99,978), cash left 22.</para>
    /// <para><b>Sell.</b> The peak at t = 69 comes 30 days after the bottom, so the mirror of the same arithmetic puts the
    /// downward cross at m = 13 days after the peak: t = 82 (at m = 12 SMA10 = 131 − 7.5 = 123.5 ≥ SMA30 = 131 − 7.7 =
    /// 123.3; at m = 13 SMA10 = 131 − 8.5 = 122.5 &lt; SMA30 = 131 − 454/60 = 123.433). Filled at the open of t = 83 = c(82) = 118:
    /// 877 × 118 = 103,486. End equity = 22 + 103,486 = <b>103,508</b>, flat, <b>1</b> round trip.</para>
    /// </summary>
    [Fact]
    public void SmaCross_VShapedSeries_MatchesTheHandCalculation()
    {
        var closes = new List<double>();
        for (var i = 0; i < 90; i++)
        {
            closes.Add(i <= 39 ? 140 - i : i <= 69 ? 101 + (i - 39) : 131 - (i - 69));
        }

        var result = Backtester.Run(BacktestFixtures.FromCloses("TEST", closes), BacktestFixtures.Options(BacktestStrategy.SmaCross));
        var summary = BacktestStatistics.Compute(result);

        var trip = Assert.Single(result.RoundTrips);
        Assert.Equal(new DateOnly(2020, 1, 1).AddDays(53), trip.EntryDate);
        Assert.Equal(new DateOnly(2020, 1, 1).AddDays(83), trip.ExitDate);
        Assert.Equal(877, trip.Qty);
        Assert.Equal(114, trip.EntryPrice);
        Assert.Equal(118, trip.ExitPrice);
        Assert.Equal(103_508, summary.EndEquity, 6);
        Assert.Equal(1, summary.Trades);
        Assert.Equal(0, summary.OpenPositions);
    }

    /// <summary>
    /// Flat at 100 for 41 days, then 110. At t = 41 SMA10 = (9·100 + 110)/10 = 101 &gt; SMA30 = (29·100 + 110)/30 =
    /// 100.33 and the day before both were 100 (≤): a cross. But every earlier change was 0, so avg gain = 10/14,
    /// avg loss = 0 and RSI14 = 100 ≥ 70: the filter blocks the buy. No trade, end equity 100,000.
    /// </summary>
    [Fact]
    public void SmaCross_CrossWithOverboughtRsi_DoesNotBuy()
    {
        var closes = Enumerable.Repeat(100.0, 41).Append(110).Append(110).ToList();
        var result = Backtester.Run(BacktestFixtures.FromCloses("TEST", closes), BacktestFixtures.Options(BacktestStrategy.SmaCross, record: true));

        Assert.Empty(result.Fills);
        Assert.Equal(100_000, BacktestStatistics.Compute(result).EndEquity);
        Assert.Contains(result.Decisions, d => d.Reason == "rsi_filter" && d.Date == new DateOnly(2020, 1, 1).AddDays(41));
    }

    /// <summary>
    /// The whole AAPL sample with sma_cross. Expected values from sma_cross_reference.py (independent plain Python):
    /// "round trips 25 open shares 702 end equity 132458.931942" — the last position is still open and is marked at
    /// the last close. The S&amp;P 500 file gives "round trips 87 open shares 57 end equity 164421.01516400016".
    /// </summary>
    [Theory]
    [InlineData("AAPL", 25, 132_458.931942)]
    [InlineData("SPY", 87, 164_421.01516400016)]
    public void SmaCross_OnSamples_MatchesTheIndependentImplementation(string symbol, int trades, double endEquity)
    {
        var panel = symbol == "AAPL" ? BacktestFixtures.Aapl : BacktestFixtures.Spy;
        var summary = BacktestStatistics.Compute(Backtester.Run(panel, BacktestFixtures.Options(BacktestStrategy.SmaCross)));

        Assert.Equal(trades, summary.Trades);
        Assert.Equal(1, summary.OpenPositions);
        Assert.Equal(endEquity, summary.EndEquity, 6);
    }

    /// <summary>
    /// Frozen: the first run of this engine (reference defaults, <c>BrainConfig.Load</c> of an empty environment,
    /// whole sample files) after its exits were checked by reading trades.csv and fills.csv by hand (scale-outs sell
    /// part of the position; stops/targets are hit intrabar or at gaps; max_hold_days after 10 calendar days). They
    /// are not independent numbers: they pin today's behaviour so that any change in a decision shows up here, and
    /// must be re-frozen deliberately (with the reason in the commit) when the strategy or rules change on purpose.
    /// </summary>
    [Theory]
    [InlineData(BacktestStrategy.GreenLight, "AAPL", 134, 413, 100_673.62232980195)]
    [InlineData(BacktestStrategy.GreenLight, "SPY", 486, 1252, 102_984.64433765675)]
    [InlineData(BacktestStrategy.Consensus, "AAPL", 66, 132, 100_260.21169935999)]
    [InlineData(BacktestStrategy.Consensus, "SPY", 282, 564, 100_633.13173723017)]
    public void LiveStrategies_OnSamples_AreFrozen(BacktestStrategy strategy, string symbol, int trades, int fills, double endEquity)
    {
        var panel = symbol == "AAPL" ? BacktestFixtures.Aapl : BacktestFixtures.Spy;
        var summary = BacktestStatistics.Compute(Backtester.Run(panel, BacktestFixtures.Options(strategy)));

        Assert.Equal(trades, summary.Trades);
        Assert.Equal(fills, summary.Fills);
        Assert.Equal(endEquity, summary.EndEquity, 6);
    }
}
