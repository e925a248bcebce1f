using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine;

namespace SentryBrain.Cli.Commands;

/// <summary>Shared start-up: configuration with clear errors, and logging to stderr.</summary>
internal static class Startup
{
    private static int _warned;

    /// <summary>Loads the configuration or prints why it is invalid (exit code 2).</summary>
    public static BrainConfig? LoadConfig(out IReadOnlyList<ConfigEntry> entries)
    {
        try
        {
            return BrainConfig.Load(Source(), out entries);
        }
        catch (ConfigException ex)
        {
            Console.Error.WriteLine(ex.Message);
            entries = [];
            return null;
        }
    }

    /// <summary>The process environment over <c>.env</c>; the file's unreadable lines are reported on stderr (once per process).</summary>
    public static ConfigSource Source(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var source = ConfigSource.FromProcess(overrides: overrides);
        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            foreach (var warning in source.Warnings)
            {
                Console.Error.WriteLine("warning: " + warning);
            }
        }

        return source;
    }

    /// <summary>The broker or its ledger could not be used (exit code 3): an error to stop on, not to log and go on.</summary>
    public static bool IsBrokerFailure(Exception ex) => ex is BrokerStartException or Microsoft.Data.Sqlite.SqliteException;

    /// <summary>Prints why the broker could not be used and returns exit code 3 (see <see cref="IsBrokerFailure"/>).</summary>
    public static int ReportBrokerFailure(Exception ex, BrainConfig config)
    {
        Console.Error.WriteLine(ex is BrokerStartException || ex.Message.Contains(config.PaperDbPath, StringComparison.Ordinal)
            ? OneLine(ex.Message)
            : $"Paper ledger {config.PaperDbPath} cannot be used: {OneLine(ex.Message)}");
        return 3;
    }

    /// <summary>A message on one line (errors of the CLI are one line each).</summary>
    public static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Logging to stderr at <paramref name="level"/> (LOG_LEVEL); see <see cref="StderrLoggerProvider"/>.</summary>
    public static ILoggerFactory Logging(string level)
    {
        var minimum = level switch
        {
            "DEBUG" => LogLevel.Debug,
            "WARNING" or "WARN" => LogLevel.Warning,
            "ERROR" => LogLevel.Error,
            "CRITICAL" => LogLevel.Critical,
            _ => LogLevel.Information,
        };
        var colors = !Console.IsErrorRedirected && !Terminal.NoColor;
        return new LoggerFactory([new StderrLoggerProvider(Console.Error, colors, TimeProvider.System)], new LoggerFilterOptions { MinLevel = minimum });
    }
}

/// <summary>
/// SIGTERM/SIGINT for the long-running commands. The first signal cancels <see cref="Token"/>: the command stops
/// reading, finishes the line (or entry) in flight, persists, acknowledges, writes its summary and exits 0. A second
/// signal is left to its default action, so a stop that hangs (a locked ledger, Redis down) can still be cut short:
/// the process then ends by that signal at once (exit status 128 + signal: 143 for SIGTERM, 130 for SIGINT).
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _received;

    public ShutdownSignals(string command, params PosixSignal[] signals)
    {
        foreach (var signal in signals)
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, c =>
            {
                if (Interlocked.Increment(ref _received) > 1)
                {
                    c.Cancel = false; // the default action: terminate now
                    return;
                }

                c.Cancel = true;
                Console.Error.WriteLine($"{command}: {c.Signal} received: finishing the work in flight, then persisting and writing the summary (send it again to end at once)");
                _cancel.Cancel();
            }));
        }
    }

    public CancellationToken Token => _cancel.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }
}
