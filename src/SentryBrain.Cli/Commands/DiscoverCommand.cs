using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using SentryBrain.Screening;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// `brain discover`: the pre-market discovery loop on its own, for a consumer that only reads
/// <c>ACTIVE_SYMBOLS_FILE</c> (another process, another machine, or one started before discovery was wanted). It
/// screens at the discovery slots (DISCOVERY_START_ET … DISCOVERY_END_ET every DISCOVERY_INTERVAL_MIN, and
/// SCREENER_RUN_AT_ET) on trading days and writes the top DISCOVERY_TOP_N atomically; the consumer reloads the file.
/// Each new list is one line on stdout. <c>--once</c> screens now and exits. SIGINT/SIGTERM stop it cleanly.
/// </summary>
internal static class DiscoverCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = "active list file written atomically (default ACTIVE_SYMBOLS_FILE)" };
        var once = new Option<bool>("--once") { Description = "screen once now (for the next session) and exit, whatever the time" };
        var command = new Command("discover", "Pre-market discovery loop: screen at the DISCOVERY_* times on trading days and keep the active list file up to date")
        {
            output, once,
        };
        command.SetAction(parse => Usage.Run("discover", () => Run(parse.GetValue(output), parse.GetValue(once))));
        return command;
    }

    private static int Run(string? output, bool once)
    {
        var config = Startup.LoadConfig(out _);
        if (config is null)
        {
            return 2;
        }

        var path = output ?? config.ActiveSymbolsFile;
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException("discover needs a file to keep the list in: --out FILE or ACTIVE_SYMBOLS_FILE");
        }

        if (!config.HasAlpacaKeys)
        {
            throw new UsageException("discover reads daily bars from Alpaca: set APCA_API_KEY_ID and APCA_API_SECRET_KEY (or use `./brain screen --data csv:DIR`)");
        }

        config = config with { ActiveSymbolsFile = path };
        using var shutdown = new ShutdownSignals("discover", PosixSignal.SIGTERM, PosixSignal.SIGINT);
        using var logging = Startup.Logging(config.LogLevel);
        var logger = logging.CreateLogger("discover");
        var time = TimeProvider.System;
        using var services = ScreenServices.Create(config, time);
        var published = 0;
        var job = services.NewDiscoveryJob(
            config,
            report =>
            {
                Interlocked.Increment(ref published);
                var reasons = string.Join("; ", report.Selected.Select(s => $"{s.Symbol} {s.Reason}"));
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.RunAtUtc:yyyy-MM-ddTHH:mm:ssZ} {string.Join(',', report.SelectedSymbols)} ({reasons})"));
                Console.Out.Flush();
            },
            logger,
            time);

        if (once)
        {
            try
            {
                job.RunAsync(time.GetUtcNow().UtcDateTime, shutdown.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
            {
                return 0;
            }

            if (published == 0)
            {
                Console.Error.WriteLine($"discover: no new list (nothing qualified, or the screen failed: see above); {path} is unchanged");
            }

            return 0;
        }

        var loop = new DiscoveryLoop(ConsumerDiscovery.TimesFrom(config.Screener), job.RunAsync, time, logger);
        loop.Start();
        try
        {
            shutdown.Token.WaitHandle.WaitOne();
        }
        finally
        {
            loop.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        logger.LogInformation("Discovery stopped after {Runs} runs ({Published} lists published, {Failures} failed)", loop.Runs, published, loop.Failures);
        return 0;
    }
}
