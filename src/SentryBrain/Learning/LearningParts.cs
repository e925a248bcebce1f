using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine;

namespace SentryBrain.Learning;

/// <summary>
/// Adds the learning loop's engine parts the configuration asks for (<see cref="LearningSettings"/>): the experience
/// recorder (a fill observer), the generated-rules gate (a pre-trade gate, before any reserving gate), shadow
/// strategies (a fill observer) and conviction sizing (the size multiplier).
/// </summary>
public static class LearningParts
{
    /// <param name="owned">Receives what the caller must dispose when the run ends (background jobs, databases).</param>
    public static EngineParts Add(EngineParts parts, BrainConfig config, ILogger logger, TimeProvider time, ICollection<IDisposable> owned)
    {
        var learning = config.Learning;
        var observers = new List<IFillObserver>(parts.FillObservers);
        var gates = new List<IPreTradeGate>(parts.PreTradeGates);
        var sizeMultiplier = parts.SizeMultiplier;
        var listeners = new List<IEngineListener>(parts.Listeners);

        // experience buffer (EXPERIENCE_BUFFER_*)

        // generated rules (GENERATED_RULES_PATH)

        // shadow strategies (SHADOW_STRATEGY_ENABLED)

        // conviction sizing (CONVICTION_SIZING_ENABLED)

        // optimizer schedule (OPTIMIZER_RUN_AT_ET)
        if (OptimizerSchedule.Start(learning, logger, time) is { } schedule)
        {
            owned.Add(schedule);
            listeners.Add(schedule);
        }

        _ = learning;
        _ = logger;
        _ = time;
        _ = owned;
        return parts with { FillObservers = observers, PreTradeGates = gates, SizeMultiplier = sizeMultiplier, Listeners = listeners };
    }
}
