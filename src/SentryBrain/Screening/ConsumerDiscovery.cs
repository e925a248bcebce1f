using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine;

namespace SentryBrain.Screening;

/// <summary>
/// Discovery inside the long-running consumer (<c>DISCOVERY_ENABLED</c>): a <see cref="DiscoveryLoop"/> on the
/// consumer's clock runs a <see cref="DiscoveryJob"/> at the <see cref="DiscoverySchedule"/> slots, and each new list
/// goes to the engine's <see cref="ActiveSymbols"/> with <see cref="ActiveSymbols.Publish"/>. The event loop takes it
/// at its next event (it never waits for a screen) and journals a <c>screen</c> line with source <c>discovery</c>.
/// Disposing stops the loop, waiting for a screen in progress to see its cancellation, then closes the Alpaca
/// clients and the bar cache.
/// </summary>
public sealed class ConsumerDiscovery : IDisposable
{
    private readonly ScreenServices _services;
    private int _disposed;

    private ConsumerDiscovery(ScreenServices services, DiscoveryJob job, DiscoveryLoop loop)
    {
        _services = services;
        Job = job;
        Loop = loop;
    }

    public DiscoveryJob Job { get; }

    public DiscoveryLoop Loop { get; }

    /// <summary>The timetable the configuration asks for (DISCOVERY_START_ET, _END_ET, _INTERVAL_MIN, SCREENER_RUN_AT_ET).</summary>
    public static DiscoveryTimes TimesFrom(ScreenerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(settings.DiscoveryStartEt, settings.DiscoveryEndEt, settings.DiscoveryIntervalMin, settings.RunAtEt);
    }

    /// <summary>
    /// Why the consumer cannot run discovery with this configuration, as a message for the user; null when it can or
    /// when discovery is off. Checked before any input is read, so a misconfigured consumer stops at once instead of
    /// trading on a list that will never come.
    /// </summary>
    public static string? ConfigurationProblem(BrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.Screener.DiscoveryEnabled)
        {
            return null;
        }

        var missing = new List<string>();
        if (!config.OpportunityEngineEnabled)
        {
            missing.Add("OPPORTUNITY_ENGINE_ENABLED=true (without it buys are not limited to the list, so a discovered list would change nothing)");
        }

        if (config.ActiveSymbolsFile.Length == 0)
        {
            missing.Add("ACTIVE_SYMBOLS_FILE (where the list is kept, so a restart starts from the last one)");
        }

        if (!config.HasAlpacaKeys)
        {
            missing.Add("APCA_API_KEY_ID and APCA_API_SECRET_KEY (discovery reads daily bars from Alpaca's data API)");
        }

        return missing.Count == 0
            ? null
            : "DISCOVERY_ENABLED=true needs " + string.Join("; and ", missing) + ". Set them, or DISCOVERY_ENABLED=false and run `./brain screen` yourself.";
    }

    /// <summary>
    /// Starts discovery when the configuration asks for it; null when it does not. Throws an
    /// <see cref="ArgumentException"/> with <see cref="ConfigurationProblem"/>'s message when it cannot run.
    /// </summary>
    /// <param name="watchlist">The engine's watchlist (<see cref="EngineParts.Watchlist"/>); it must be the
    /// <see cref="ActiveSymbols"/> of <c>ACTIVE_SYMBOLS_FILE</c>.</param>
    public static ConsumerDiscovery? Start(BrainConfig config, IWatchlistProvider? watchlist, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        if (ConfigurationProblem(config) is { } problem)
        {
            throw new ArgumentException(problem, nameof(config));
        }

        if (!config.Screener.DiscoveryEnabled)
        {
            return null;
        }

        if (watchlist is not ActiveSymbols active)
        {
            throw new ArgumentException("discovery publishes to the ACTIVE_SYMBOLS_FILE watchlist, and the engine has none", nameof(watchlist));
        }

        var times = TimesFrom(config.Screener);
        var services = ScreenServices.Create(config, time);
        try
        {
            var job = services.NewDiscoveryJob(config, report => active.Publish(report.SelectedSymbols, report.Reasons), logger, time);
            var loop = new DiscoveryLoop(times, job.RunAsync, time, logger);
            loop.Start();
            return new ConsumerDiscovery(services, job, loop);
        }
        catch
        {
            services.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The loop's continuations run on the pool (it cancels with CancelAsync), so blocking here cannot deadlock.
        Loop.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _services.Dispose();
    }
}
