using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine;

namespace SentryBrain.Learning;

/// <summary>
/// Adds the learning loop's engine parts the configuration asks for (<see cref="LearningSettings"/>): the experience
/// recorder (a fill observer), the generated-rules gate (a pre-trade gate, before any reserving gate), shadow
/// strategies (a fill observer), conviction sizing (the size multiplier) and the optimizer's daily run (a listener that
/// journals its results).
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
        if (learning.ExperienceBufferEnabled)
        {
            // Touches the disk only at the first fill; a fill observer and an engine listener (its open trades live in the broker's state).
            var recorder = new ExperienceRecorder(new ExperienceBuffer(learning.ExperienceBufferPath, learning.ExperienceBufferMaxLines), logger);
            observers.Add(recorder);
            owned.Add(recorder);
        }

        // generated rules (GENERATED_RULES_PATH)
        // Always on (no file = no rules); first, so a refused buy never reaches a gate that reserves something.
        gates.Insert(0, new GeneratedRulesGate(learning.GeneratedRulesPath, logger, time));

        // shadow strategies (SHADOW_STRATEGY_ENABLED)
        if (learning.ShadowStrategyEnabled)
        {
            // SHADOW_PARAMETER_SETS was validated with the configuration; a value set in code is checked here (ArgumentException).
            var shadow = new ShadowBook(ShadowModels.From(learning.ShadowParameterSets), learning.ShadowDbPath, logger, time);
            owned.Add(shadow);
            observers.Add(shadow);
        }

        // conviction sizing (CONVICTION_SIZING_ENABLED)
        if (learning.ConvictionSizingEnabled)
        {
            var conviction = new ConvictionSizer(learning.ConvictionWindow, logger);
            sizeMultiplier = conviction;
            observers.Add(conviction);
        }

        // optimizer schedule (OPTIMIZER_RUN_AT_ET)
        if (OptimizerSchedule.Start(learning, logger, time) is { } schedule)
        {
            owned.Add(schedule);
            listeners.Add(schedule);
        }

        return parts with { FillObservers = observers, PreTradeGates = gates, SizeMultiplier = sizeMultiplier, Listeners = listeners };
    }
}
