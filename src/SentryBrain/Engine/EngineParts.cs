using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Market.Bars;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Strategy;

namespace SentryBrain.Engine;

/// <summary>
/// The replaceable parts of the engine, passed in by whoever builds it (<see cref="FromConfig"/> gives the
/// configured defaults). Each is a small interface at a real seam: the data the engine cannot know by itself
/// (daily history, the active list, news sentiment) and the hooks later features attach to (fills, buy gates,
/// sizing).
/// </summary>
public sealed record EngineParts
{
    /// <summary>The strategy; null = the one <c>STRATEGY_MODE</c> names (<see cref="DecisionPolicies.Create(BrainConfig)"/>).</summary>
    public IDecisionPolicy? Policy { get; init; }

    /// <summary>Daily bars that warm up live indicators (<c>BARS_CSV_DIR</c>); null = warm up from the stream only.</summary>
    public IDailyBarSource? BarSource { get; init; }

    /// <summary>The symbols new buys are allowed in; null = every symbol.</summary>
    public IWatchlistProvider? Watchlist { get; init; }

    /// <summary>
    /// Scores news (<c>SENTIMENT_MODEL</c>, loaded by the caller at start-up with <see cref="SentimentModels.Load"/> and
    /// disposed by it): a fast model on the event loop, a slow one on the engine's scoring worker.
    /// </summary>
    public ISentimentModel Sentiment { get; init; } = VaderSentimentModel.Default;

    /// <summary>Wait for a slow model's news scores so a replay is deterministic (<see cref="News.NewsIntake.ShouldWait"/>); false = live.</summary>
    public bool WaitForSentiment { get; init; }

    /// <summary>Run in order before a sized buy is sent (the shared account gate, when set, runs after them).</summary>
    public IReadOnlyList<IPreTradeGate> PreTradeGates { get; init; } = [];

    public ISizeMultiplier SizeMultiplier { get; init; } = UnitSize.Instance;

    /// <summary>Told of every fill after the journal line (the round-trip recorder is always first).</summary>
    public IReadOnlyList<IFillObserver> FillObservers { get; init; } = [];

    /// <summary>Parts that only listen (state, held prices, clock ticks); the other parts that implement <see cref="IEngineListener"/> are called too.</summary>
    public IReadOnlyList<IEngineListener> Listeners { get; init; } = [];

    /// <summary>
    /// The defaults the configuration asks for: the CSV bar folder (<c>BARS_CSV_DIR</c>, read with warnings for
    /// unusable files) and, with <c>OPPORTUNITY_ENGINE_ENABLED</c>, the <c>ACTIVE_SYMBOLS_FILE</c> watchlist (read now).
    /// </summary>
    public static EngineParts FromConfig(BrainConfig config, ILogger logger)
    {
        ActiveSymbols? watchlist = null;
        if (config.OpportunityEngineEnabled && config.ActiveSymbolsFile.Length > 0)
        {
            watchlist = new ActiveSymbols(config.ActiveSymbolsFile, logger);
            watchlist.Load();
        }

        return new EngineParts
        {
            BarSource = config.BarsCsvDir.Length > 0
                ? new CsvFolderBarSource(config.BarsCsvDir, error => logger.LogWarning("Bar history unusable: {Error}", error))
                : null,
            Watchlist = watchlist,
        };
    }
}
