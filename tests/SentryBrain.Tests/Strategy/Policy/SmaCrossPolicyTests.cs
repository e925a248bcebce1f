using SentryBrain.Backtesting;
using SentryBrain.Config;
using SentryBrain.Strategy;
using SentryBrain.Tests.Signals.Technical;

namespace SentryBrain.Tests.Strategy.Policy;

public class SmaCrossPolicyTests
{
    // Small periods so the golden values can be worked out by hand.
    private static readonly SmaCrossParameters Small = new(Fast: 2, Slow: 3, RsiPeriod: 2, RsiMax: 90);

    private static PolicyDecision Decide(SmaCrossPolicy policy, IMarketFeatures market, HeldPosition position, EntryGates? gates = null)
        => policy.Decide(new DecisionContext("ACME", new DateTime(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc), null, position, gates ?? EntryGates.Open, market));

    private static StubMarket Market(double price, params double[] closes) => new() { Entry = price, Exit = price, Closes = closes };

    [Fact]
    public void CrossUp_FromTheDailyClosesAndTodaysPrice()
    {
        // Closes 10, 12, 11, 10 and today 13: SMA2 10.5 → 11.5, SMA3 11 → 11.33: fast crosses above slow.
        // Wilder RSI2 of the changes +2, −1, −1, +3: seed (1, 0.5), then (0.5, 0.75), then (1.75, 0.375) ⇒ 100 − 100/(1 + 14/3) = 82.35.
        var market = Market(13, 10, 12, 11, 10);
        var values = new SmaCrossPolicy(Small).Compute(market, 13);
        Assert.Equal(11.5, values.Fast!.Value, 12);
        Assert.Equal(34.0 / 3, values.Slow!.Value, 12);
        Assert.Equal(10.5, values.PreviousFast!.Value, 12);
        Assert.Equal(11, values.PreviousSlow!.Value, 12);
        Assert.Equal(100 - (300.0 / 17), values.Rsi!.Value, 9);

        var buy = Decide(new SmaCrossPolicy(Small), market, HeldPosition.Flat).Decision;
        Assert.Equal((TradeAction.Buy, "sma_cross_up", 13.0), (buy.Action, buy.Reason, buy.Signals.Price));
        Assert.Equal("rsi_filter", Decide(new SmaCrossPolicy(Small with { RsiMax = 70 }), market, HeldPosition.Flat).Decision.Reason);
    }

    [Fact]
    public void CrossUp_ClosedGate_HoldsWithTheGatesReason()
    {
        var market = Market(13, 10, 12, 11, 10);
        var policy = new SmaCrossPolicy(Small);

        Assert.Equal("kill_switch_manual", Decide(policy, market, HeldPosition.Flat, EntryGates.Open with { KillSwitchReason = "kill_switch_manual" }).Decision.Reason);
        Assert.Equal("order_pending", Decide(policy, market, HeldPosition.Flat, EntryGates.Open with { HasOpenBuy = true }).Decision.Reason);
        Assert.Equal("session_closed", Decide(policy, market, HeldPosition.Flat, EntryGates.Open with { RegularSession = false }).Decision.Reason);
        Assert.Equal("sma_cross_up", Decide(new SmaCrossPolicy(Small, regularSessionOnly: false), market, HeldPosition.Flat, EntryGates.Open with { RegularSession = false }).Decision.Reason);
    }

    [Fact]
    public void CrossDown_SellsTheWholePosition_UnlessASellIsOpen()
    {
        // Closes 12, 10, 11, 12 and today 9: SMA2 11.5 → 10.5, SMA3 11 → 10.67: fast crosses below slow.
        var market = Market(9, 12, 10, 11, 12);
        var policy = new SmaCrossPolicy(Small);
        var held = new HeldPosition(7, 10, null, 3, false, 0, false);

        var sell = Decide(policy, market, held, EntryGates.Open with { KillSwitchReason = "kill_switch_manual" }).Decision; // exits are not gated
        Assert.Equal((TradeAction.Sell, 7L, "sma_cross_down"), (sell.Action, sell.Qty, sell.Reason));
        Assert.Equal("holding", Decide(policy, market, held, EntryGates.Open with { HasOpenSell = true }).Decision.Reason);
        Assert.Equal("no_cross", Decide(policy, market, HeldPosition.Flat).Decision.Reason);
    }

    [Fact]
    public void TooFewCloses_WarmsUp()
    {
        // The previous SMA3 needs three completed closes.
        Assert.Equal("warming_up", Decide(new SmaCrossPolicy(Small), Market(13, 10, 12), HeldPosition.Flat).Decision.Reason);
        Assert.Equal("no_cross", Decide(new SmaCrossPolicy(Small), Market(13, 13, 13, 13), HeldPosition.Flat).Decision.Reason);
    }

    [Fact]
    public void DailyFeed_KeepsTheSameValues_AsComputedFromTheCloses()
    {
        var feed = new DailyMarketFeatures(BrainConfig.Load(ConfigSource.FromPairs()), Small, crossoverOnly: true);
        foreach (var close in new[] { 10.0, 12, 11, 10 })
        {
            feed.Observe(close);
            feed.Add(close, close, close);
        }

        feed.Observe(13);
        var kept = feed.Crossover(Small)!.Value;
        var computed = new SmaCrossPolicy(Small).Compute(Market(13, 10, 12, 11, 10), 13);

        Assert.Equal(computed.Fast!.Value, kept.Fast!.Value, 12);
        Assert.Equal(computed.Slow!.Value, kept.Slow!.Value, 12);
        Assert.Equal(computed.PreviousFast!.Value, kept.PreviousFast!.Value, 12);
        Assert.Equal(computed.PreviousSlow!.Value, kept.PreviousSlow!.Value, 12);
        Assert.Equal(computed.Rsi!.Value, kept.Rsi!.Value, 9);
        Assert.Null(feed.Crossover(SmaCrossParameters.Default)); // kept only for its own periods
    }

    /// <summary>
    /// On the whole S&amp;P 500 sample (5,000+ days, so the 260-close window and the RSI's seed differ from the running
    /// indicators), a feed without the running indicators (live) decides exactly as the backtest's feed, flat and held.
    /// </summary>
    [Fact]
    public void WithoutRunningIndicators_DecisionsMatchTheBacktestFeed_OnTheSample()
    {
        var config = BrainConfig.Load(ConfigSource.FromPairs());
        var feed = new DailyMarketFeatures(config, SmaCrossParameters.Default);
        var policy = new SmaCrossPolicy(SmaCrossParameters.Default);
        var held = new HeldPosition(10, 100, null, 1, false, 0, false);
        var days = 0;
        var trades = 0;
        foreach (var bar in SampleFiles.Sp500Daily)
        {
            feed.Observe(bar.Close);
            foreach (var position in new[] { HeldPosition.Flat, held })
            {
                var exact = Decide(policy, feed, position).Decision;
                var computed = Decide(policy, new WithoutCrossover(feed), position).Decision;
                Assert.Equal((bar.Date, exact.Action, exact.Reason), (bar.Date, computed.Action, computed.Reason));
                trades += exact.Action == TradeAction.Hold ? 0 : 1;
            }

            feed.Add(bar.High, bar.Low, bar.Close);
            days++;
        }

        Assert.True(days > 5000 && trades > 100, $"{days} days, {trades} buys and sells");
    }

    /// <summary>The same feed without <see cref="ICrossoverFeatures"/>: the policy computes from the closes.</summary>
    private sealed class WithoutCrossover(IMarketFeatures inner) : IMarketFeatures
    {
        public double EntryPrice => inner.EntryPrice;

        public double ExitPrice => inner.ExitPrice;

        public bool SignalsPrecomputed => inner.SignalsPrecomputed;

        public double? AtrPercentile => inner.AtrPercentile;

        public double? Ofi => inner.Ofi;

        public double? Rsi => inner.Rsi;

        public double ProbGain => inner.ProbGain;

        public double? News => inner.News;

        public double Return1 => inner.Return1;

        public double Return5 => inner.Return5;

        public int DailyCloseCount => inner.DailyCloseCount;

        public double? ZScore(double price) => inner.ZScore(price);

        public double? AtrPct(double price) => inner.AtrPct(price);

        public double? VwapDistancePct(double price) => inner.VwapDistancePct(price);

        public bool? StructureOk() => inner.StructureOk();

        public double? TechnicalScore() => inner.TechnicalScore();

        public bool? MomentumOk() => inner.MomentumOk();

        public ReadOnlySpan<double> DailyCloses(int n) => inner.DailyCloses(n);
    }
}
