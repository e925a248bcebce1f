using System.Globalization;
using SentryBrain.Strategy;

namespace SentryBrain.Learning;

/// <summary><c>feature op threshold</c>; <see cref="Op"/> is <c>&gt;=</c> or <c>&lt;</c>.</summary>
public sealed record RuleCondition(string Feature, string Op, double Threshold)
{
    public const string AtLeast = ">=";
    public const string Below = "<";

    public bool Holds(double value) => Op == AtLeast ? value >= Threshold : value < Threshold;

    public override string ToString() => $"{Feature} {Op} {Threshold.ToString("0.####", CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A filter rule the optimizer found: buys whose signals meet every condition are blocked (journaled as a hold with
/// reason <c>generated_rule:&lt;name&gt;</c>). Carries the evidence it was proposed on (support and success rate in the
/// sample it was mined from and in the later, unseen part) and when it stops applying (<see cref="ExpiresTs"/>).
/// </summary>
public sealed record GeneratedRule
{
    /// <summary>e.g. <c>atr_percentile_ge_85_and_ofi_lt_0</c>: lower case, <c>[a-z0-9_.-]</c>.</summary>
    public required string Name { get; init; }

    /// <summary>One or two conditions, all of which must hold.</summary>
    public required IReadOnlyList<RuleCondition> Conditions { get; init; }

    /// <summary>Trades in the region, in sample.</summary>
    public int Support { get; init; }

    public double SuccessRateInSample { get; init; }

    /// <summary>Trades in the region in the later, unseen part of the buffer.</summary>
    public int SupportOutOfSample { get; init; }

    public double SuccessRateOutOfSample { get; init; }

    public DateTime CreatedTs { get; init; }

    /// <summary>When the rule stops applying; null = never (a hand-written rule).</summary>
    public DateTime? ExpiresTs { get; init; }

    public string Reason { get; init; } = string.Empty;

    /// <summary>The conditions as text: <c>atr_percentile &gt;= 85 and ofi &lt; 0</c>.</summary>
    public string Condition => string.Join(" and ", Conditions);

    /// <summary>Whether the rule applies at <paramref name="now"/> and every condition holds for these signals (an unknown value never matches).</summary>
    public bool Blocks(in DecisionSignals signals, DateTime now)
    {
        if (ExpiresTs is { } expires && now >= expires)
        {
            return false;
        }

        foreach (var condition in Conditions)
        {
            var index = RuleFeatures.Index(condition.Feature);
            if (index < 0 || RuleFeatures.FromSignals(signals, index) is not { } value || !condition.Holds(value))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// A rules file (BEHAVIOR.md §6.2, JSON, snake_case): the active one (<c>GENERATED_RULES_PATH</c>) or the proposed one.
/// <see cref="WrittenTs"/> is when the optimizer wrote it (a proposed file is promoted once it is old enough);
/// <see cref="PromotedTs"/> is set on an active file made by promotion.
/// </summary>
public sealed record RuleFile
{
    public DateTime? WrittenTs { get; init; }

    public DateTime? PromotedTs { get; init; }

    public IReadOnlyList<GeneratedRule> GeneratedRules { get; init; } = [];

    public IReadOnlyDictionary<string, double> FeatureImportances { get; init; } = new Dictionary<string, double>();
}
