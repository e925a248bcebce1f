using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Learning;
using SentryBrain.Strategy;
using SentryBrain.Tests.Cli;
using SentryBrain.Tests.Engine;
using static SentryBrain.Tests.Engine.SeamStreams;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// Issue 13, first acceptance point, end to end: a synthetic buffer where <c>atr_percentile ≥ 85 and ofi &lt; 0</c> loses
/// 80 % of the time → the real <c>./brain optimize --write-rules</c> → the active rules file → the engine wired as
/// <c>consume</c> wires it (<see cref="LearningParts"/>) → the next buy whose signals are in that region is a hold
/// <c>generated_rule:&lt;name&gt;</c> with no order, while buys outside it (one condition only, or neither) go through.
/// The buy signals come from a fixed policy (the region is a property of the decision's signals, whatever strategy
/// made them); engine, gate, rules file and journal are the real ones.
/// </summary>
public sealed class LearningLoopAcceptanceTests
{
    [Fact]
    public void ARuleMinedByOptimize_BlocksTheNextLiveBuyInItsRegion_AndOnlyThere()
    {
        using var dir = BrainCli.NewFolder();
        OptimizerBuffers.Write(dir["buffer.jsonl"], OptimizerBuffers.Exits(5000, seed: 11, OptimizerBuffers.Planted));
        var optimize = BrainCli.Run(dir.Path, null, "optimize", "--buffer", "buffer.jsonl", "--write-rules");
        Assert.True(optimize.ExitCode == 0, optimize.ToString());
        var rule = Assert.Single(RuleFileJson.Read(dir["data/generated_filter_rules.json"])!.GeneratedRules);

        var config = ConsensusConfig(
            ("GENERATED_RULES_PATH", dir["data/generated_filter_rules.json"]),
            ("EXPERIENCE_BUFFER_ENABLED", "false"),
            ("SHADOW_STRATEGY_ENABLED", "false"));
        // HOT is deep in the planted region; WARM meets only the ATR condition, COOL neither.
        var policy = new FixedSignalsPolicy(new Dictionary<string, (double Atr, double Ofi)>
        {
            ["HOT"] = (97, -0.6),
            ["WARM"] = (97, 0.6),
            ["COOL"] = (30, -0.6),
        });
        var parts = LearningParts.Add(new EngineParts { Policy = policy }, config, NullLogger.Instance, new FakeTimeProvider(new DateTimeOffset(T0)), []);
        var lines = new[] { "HOT", "WARM", "COOL" }.Select((symbol, i) => Quote(T0.AddSeconds(i), symbol, 99.99, 100.00));

        var run = Run(lines, config, parts);

        var decisions = run.OfKind("decision").ToDictionary(d => GreenLightRun.Str(d, "symbol"), d => (GreenLightRun.Str(d, "action"), GreenLightRun.Str(d, "reason")));
        Assert.Equal(("hold", "generated_rule:" + rule.Name), decisions["HOT"]);
        Assert.Equal(("buy", "fixed_buy"), decisions["WARM"]);
        Assert.Equal(("buy", "fixed_buy"), decisions["COOL"]);
        Assert.Equal(["COOL", "WARM"], run.OfKind("order").Select(o => GreenLightRun.Str(o, "symbol")).Order(StringComparer.Ordinal));
        var active = Assert.Single(run.OfKind("rule"));
        Assert.Equal(("active", rule.Name), (GreenLightRun.Str(active, "action"), GreenLightRun.Str(active, "name")));
    }

    /// <summary>Buys every flat symbol it is asked about, with the given atr_percentile and ofi in the signals.</summary>
    private sealed class FixedSignalsPolicy(IReadOnlyDictionary<string, (double Atr, double Ofi)> signals) : IDecisionPolicy
    {
        public string Name => "fixed";

        public PolicyDecision Decide(in DecisionContext context)
        {
            var (atr, ofi) = signals[context.Symbol];
            var s = new DecisionSignals(null, 0, 0, null, null, 0, context.Market.EntryPrice, null, AtrPercentile: atr, Ofi: ofi);
            return context.Position.Qty > 0 || context.Gates.FirstClosed(context.Market.EntryPrice, regularSessionOnly: true) is not null
                ? new PolicyDecision(new Decision(TradeAction.Hold, 0, "fixed_hold", s))
                : new PolicyDecision(new Decision(TradeAction.Buy, 0, "fixed_buy", s));
        }
    }
}
