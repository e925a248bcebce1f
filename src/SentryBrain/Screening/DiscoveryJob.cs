using Microsoft.Extensions.Logging;
using SentryBrain.Config;

namespace SentryBrain.Screening;

/// <summary>
/// One discovery screen inside the consumer (BEHAVIOR.md §8.5): the configured universe, the next session's list
/// (top <c>DISCOVERY_TOP_N</c>), handed to the engine through <paramref name="publish"/> (which journals it on the
/// event loop), then written atomically to <c>ACTIVE_SYMBOLS_FILE</c>. Nothing qualifying, or no bars at all, leaves
/// the file and the engine's list as they were (the reference fell back to the first N universe names). Runs on a
/// background thread; every failure is logged and the next slot tries again. <paramref name="ofi"/> is used only
/// when <c>SCREENER_USE_OFI</c> is on.
/// </summary>
public sealed class DiscoveryJob(
    BrainConfig config,
    IScreenBarSource bars,
    UniverseContext universeContext,
    Action<ScreenReport> publish,
    ILogger logger,
    TimeProvider? time = null,
    IScreenOfiSource? ofi = null)
{
    private readonly Screener _screener = new(bars, time, config.Screener.UseOfi ? ofi : null);

    /// <summary>The last report that changed the list (null until one did).</summary>
    public ScreenReport? LastPublished { get; private set; }

    public async Task RunAsync(DateTime slotUtc, CancellationToken cancellationToken)
    {
        var s = config.Screener;
        try
        {
            var universe = await Universes.ResolveAsync(s.Universe, universeContext, cancellationToken).ConfigureAwait(false);
            var request = new ScreenRequest(universe, ScreenCriteria.From(s), s.DiscoveryTopN, Screener.DefaultAsOf(slotUtc));
            var report = await _screener.RunAsync(request, null, cancellationToken).ConfigureAwait(false);
            if (report.FailedSymbolCount > 0)
            {
                logger.LogWarning("Discovery: {Failed} of {Total} symbols could not be fetched ({Error})", report.FailedSymbolCount, report.UniverseSize, report.Failed[0].Error);
            }

            if (report.Selected.Count == 0)
            {
                logger.LogInformation("Discovery at {Slot:HH:mm}Z: nothing qualified among {Scored} scored symbols of {Universe}; the active list is unchanged", slotUtc, report.Ranked.Count, report.Universe);
                return;
            }

            // Publish first: the engine then takes the list with its reasons, and sees the file's copy as no change.
            LastPublished = report;
            publish(report);
            if (config.ActiveSymbolsFile.Length > 0)
            {
                ActiveListFile.Write(config.ActiveSymbolsFile, report.SelectedSymbols, report.HeaderLines());
            }

            logger.LogInformation("Discovery at {Slot:HH:mm}Z: {Symbols} ({Elapsed:0.0} s)", slotUtc, string.Join(",", report.SelectedSymbols), report.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is UniverseException or IOException or UnauthorizedAccessException or Execution.Alpaca.AlpacaApiException or HttpRequestException)
        {
            logger.LogWarning("Discovery at {Slot:HH:mm}Z failed: {Error}; the active list is unchanged", slotUtc, ex.Message);
        }
    }
}
