using SentryBrain.Backtesting;
using SentryBrain.Config;

namespace SentryBrain.Strategy;

/// <summary>The built-in policies by name (<c>STRATEGY_MODE</c> live, <c>--strategy</c> in backtests).</summary>
public static class DecisionPolicies
{
    /// <summary>Name of <see cref="GreenLightPolicy"/>.</summary>
    public const string GreenLight = "green_light";

    /// <summary>Name of <see cref="ConsensusPolicy"/>.</summary>
    public const string Consensus = "consensus";

    /// <summary>Name of <see cref="SmaCrossPolicy"/>.</summary>
    public const string SmaCross = "sma_cross";

    /// <summary>The built-in names.</summary>
    public static IReadOnlyList<string> Names { get; } = [GreenLight, Consensus, SmaCross];

    /// <summary>The policy <c>STRATEGY_MODE</c> selects, configured from <paramref name="config"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>A new policy (stateless: share it across symbols).</returns>
    public static IDecisionPolicy Create(BrainConfig config) => Create(Name(config.StrategyMode), config);

    /// <summary>The named policy, configured from <paramref name="config"/>.</summary>
    /// <param name="name"><c>green_light</c>, <c>consensus</c> or <c>sma_cross</c> (case-insensitive).</param>
    /// <param name="config">The configuration (parameters, exits, <c>STRATEGY_REGULAR_SESSION_ONLY</c>).</param>
    /// <param name="smaCross">sma_cross periods; null = <see cref="SmaCrossParameters.Default"/>.</param>
    /// <returns>A new policy (stateless: share it across symbols).</returns>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static IDecisionPolicy Create(string name, BrainConfig config, SmaCrossParameters? smaCross = null)
        => name.Trim().ToLowerInvariant() switch
        {
            GreenLight => new GreenLightPolicy(GreenLightParameters.From(config), PositionExitParameters.From(config)),
            Consensus => new ConsensusPolicy(ConsensusParameters.From(config)),
            SmaCross => new SmaCrossPolicy(smaCross ?? SmaCrossParameters.Default, config.RegularSessionOnly),
            _ => throw new ArgumentException($"unknown strategy '{name}' ({string.Join(", ", Names)})", nameof(name)),
        };

    /// <summary>The policy name of a <c>STRATEGY_MODE</c>.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns>Its name.</returns>
    public static string Name(StrategyMode mode) => mode switch
    {
        StrategyMode.GreenLight => GreenLight,
        StrategyMode.SmaCross => SmaCross,
        _ => Consensus,
    };
}
