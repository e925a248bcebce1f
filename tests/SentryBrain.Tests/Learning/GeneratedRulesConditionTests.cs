using SentryBrain.Learning;
using SentryBrain.Strategy;

namespace SentryBrain.Tests.Learning;

/// <summary><see cref="GeneratedRule.Blocks"/>: conditions, boundaries, unknown values, expiry, conjunctions.</summary>
public sealed class GeneratedRulesConditionTests
{
    private static readonly DateTime Now = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    private static DecisionSignals Signals(double? atrPercentile = null, double? ofi = null, bool? macdAboveZero = null, string? regime = null, double? news = null)
        => new(news, 0, 0, null, null, 0, 100, null, AtrPercentile: atrPercentile, Ofi: ofi, MacdAboveZero: macdAboveZero, Regime: regime);

    private static GeneratedRule Rule(DateTime? expires = null, params RuleCondition[] conditions)
        => new() { Name = "r", Conditions = conditions, ExpiresTs = expires };

    [Theory]
    [InlineData(84.999, false)]
    [InlineData(85.0, true)] // ">=" includes the threshold
    [InlineData(99.0, true)]
    public void AtLeast_HoldsFromTheThresholdUp(double value, bool blocks)
        => Assert.Equal(blocks, Rule(null, new RuleCondition("atr_percentile", ">=", 85)).Blocks(Signals(atrPercentile: value), Now));

    [Theory]
    [InlineData(-0.001, true)]
    [InlineData(0.0, false)] // "<" excludes the threshold
    [InlineData(0.3, false)]
    public void Below_HoldsStrictlyUnderTheThreshold(double value, bool blocks)
        => Assert.Equal(blocks, Rule(null, new RuleCondition("ofi", "<", 0)).Blocks(Signals(ofi: value), Now));

    [Fact]
    public void AnUnknownValue_NeverMatches_EitherWay()
    {
        var unknown = Signals(); // every feature null
        Assert.False(Rule(null, new RuleCondition("atr_percentile", ">=", double.MinValue)).Blocks(unknown, Now));
        Assert.False(Rule(null, new RuleCondition("atr_percentile", "<", double.MaxValue)).Blocks(unknown, Now));
        Assert.False(Rule(null, new RuleCondition("regime_trend", ">=", 0)).Blocks(unknown, Now));
    }

    [Fact]
    public void BothConditions_AreNeeded()
    {
        var rule = Rule(null, new RuleCondition("atr_percentile", ">=", 85), new RuleCondition("ofi", "<", 0));

        Assert.True(rule.Blocks(Signals(90, -0.2), Now));
        Assert.False(rule.Blocks(Signals(90, 0.2), Now)); // only the first holds
        Assert.False(rule.Blocks(Signals(50, -0.2), Now)); // only the second holds
        Assert.False(rule.Blocks(Signals(90, null), Now)); // the second is unknown
        Assert.Equal("atr_percentile >= 85 and ofi < 0", rule.Condition);
    }

    [Fact]
    public void AnExpiredRule_IsIgnored_FromItsExpiryOn()
    {
        var rule = Rule(Now, new RuleCondition("ofi", "<", 0));

        Assert.True(rule.Blocks(Signals(ofi: -1), Now.AddTicks(-1)));
        Assert.False(rule.Blocks(Signals(ofi: -1), Now)); // expires_ts itself is past
        Assert.False(rule.Blocks(Signals(ofi: -1), Now.AddDays(1)));
    }

    [Fact]
    public void Flags_And_Regimes_AreOneOrZero()
    {
        var macdUp = Rule(null, new RuleCondition("macd_above_zero", ">=", 1));
        Assert.True(macdUp.Blocks(Signals(macdAboveZero: true), Now));
        Assert.False(macdUp.Blocks(Signals(macdAboveZero: false), Now));

        var range = Rule(null, new RuleCondition("regime_range", ">=", 0.5));
        Assert.True(range.Blocks(Signals(regime: "range"), Now));
        Assert.False(range.Blocks(Signals(regime: "trend"), Now));

        // sentiment is the decision's news score
        Assert.True(Rule(null, new RuleCondition("sentiment", "<", -0.5)).Blocks(Signals(news: -0.8), Now));
    }
}
