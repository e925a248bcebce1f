using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine.News;
using SentryBrain.Execution;
using SentryBrain.Execution.Alpaca;
using SentryBrain.Execution.Paper;
using SentryBrain.Journal;
using SentryBrain.Learning;
using SentryBrain.Screening;
using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Engine;

/// <summary>Wires input, engine, broker and journal for <c>brain consume</c> (and the demo and tests).</summary>
public static class ConsumeRunner
{
    public sealed record Result(RunSummary Summary, double WallSeconds, IBroker? Broker);

    /// <summary>
    /// Reads <paramref name="input"/> to the end, writes the journal to <paramref name="output"/>. The broker is left open
    /// for the caller to inspect and dispose. <paramref name="time"/> is the wall clock (default: the system clock).
    /// Cancelling <paramref name="cancel"/> (a signal) stops reading, even in a read of an idle pipe: the line in
    /// flight is finished, lines not yet processed are left, and the run ends as at the end of the input (risk state
    /// persisted, summary written). With <c>DISCOVERY_ENABLED</c> the discovery loop runs on <paramref name="time"/>
    /// meanwhile (<see cref="ConsumerDiscovery"/>); a configuration it cannot run with throws an
    /// <see cref="ArgumentException"/> before any input is read. News is scored by <paramref name="sentiment"/> (loaded
    /// and disposed by the caller; default VADER); with <c>SENTIMENT_WAIT=auto</c> a slow model's scores are waited
    /// for when <paramref name="replay"/> (stdin is a replay: deterministic journal), not otherwise (the live path).
    /// </summary>
    public static Result Run(Stream input, Stream output, BrainConfig config, ILogger logger, Func<DateTime, IBroker?>? brokerFactory = null, TimeProvider? time = null, ISentimentModel? sentiment = null, bool replay = true, CancellationToken cancel = default)
    {
        brokerFactory ??= firstTs => OpenDefaultBroker(config, firstTs, logger);
        time ??= TimeProvider.System;
        using var journal = new JournalWriter(output);
        var learning = new List<IDisposable>();
        using var stopLearning = new DisposeAll(learning);
        var parts = LearningParts.Add(EngineParts.FromConfig(config, logger), config, logger, time, learning) with
        {
            Sentiment = sentiment ?? VaderSentimentModel.Default,
            WaitForSentiment = NewsIntake.ShouldWait(config.Sentiment, replay),
        };
        using var engine = new BrainEngine(config, brokerFactory, journal, logger, parts, time);

        // Discovery screens in the background and hands its lists to the watchlist; stopped before the summary.
        using var discovery = ConsumerDiscovery.Start(config, parts.Watchlist, logger, time);
        using var cancellable = cancel.CanBeCanceled ? new CancellableInputStream(input, cancel) : null;
        var reader = new LineReader(cancellable ?? input) { BeforeRead = journal.Flush };
        var clock = Stopwatch.StartNew();
        while (!cancel.IsCancellationRequested)
        {
            LineResult result;
            ReadOnlySpan<byte> line;
            try
            {
                result = reader.Next(out line);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                break;
            }

            if (result == LineResult.End)
            {
                break;
            }

            if (result == LineResult.TooLong)
            {
                engine.RejectTooLong();
            }
            else
            {
                try
                {
                    engine.ProcessLine(line);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException and not Microsoft.Data.Sqlite.SqliteException and not BrokerStartException)
                {
                    // A bug must not stop a brain that runs for weeks: report the line and go on.
                    // Ledger errors are different: continuing without a working ledger could lose orders.
                    engine.ReportInternalError(ex);
                    logger.LogError(ex, "Internal error on line {Line}; continuing", reader.LineNumber);
                }
            }
        }

        if (cancel.IsCancellationRequested)
        {
            logger.LogInformation("Stopped by a signal after line {Line}; input not yet processed is left unread", reader.LineNumber);
        }

        discovery?.Dispose();
        var summary = engine.Finish();
        var wall = clock.Elapsed.TotalSeconds;
        logger.LogInformation(
            "Consumed {Lines} lines ({Events} events, {Rejected} rejected) in {Wall:0.000} s: {Rate} lines/s; {Decisions} decisions, {Orders} orders, {Fills} fills",
            summary.Lines, summary.Events, summary.Rejected, wall, (summary.Lines / Math.Max(wall, 1e-9)).ToString("N0", CultureInfo.InvariantCulture), summary.Decisions, summary.Orders, summary.Fills);
        return new Result(summary, wall, engine.Broker);
    }

    /// <summary>
    /// The embedded paper broker, unless orders are off (<c>TRADE_PAPER=false</c>). When the ledger's last event
    /// is later than the stream's first one, the input is a replay of the past: a flat ledger (no positions, no open
    /// orders) is archived and a fresh one started, so replays are reproducible and a real restart (time moves on)
    /// continues. A ledger that still holds something is never archived by itself: the run stops
    /// (<see cref="BrokerStartException"/>) unless <paramref name="newLedger"/> (<c>consume --new-ledger</c>) asks
    /// for a new ledger on purpose; then the old one is archived whatever it holds.
    /// </summary>
    public static IBroker? OpenDefaultBroker(BrainConfig config, DateTime firstEventTs, ILogger logger, bool newLedger = false)
    {
        if (!config.TradePaper)
        {
            logger.LogInformation("TRADE_PAPER=false: decisions only, no orders");
            return null;
        }

        if (config.HasAlpacaKeys)
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["APCA_API_KEY_ID"] = config.AlpacaKeyId,
                ["APCA_API_SECRET_KEY"] = config.AlpacaSecretKey,
                ["APCA_API_BASE_URL"] = config.AlpacaBaseUrl,
                ["ALPACA_LIVE"] = config.AlpacaLive ? "true" : "false",
            };
            var options = AlpacaOptions.FromConfig(env);
            if (options.IsLive)
            {
                logger.LogCritical("*** LIVE TRADING: orders go to {Url} with REAL MONEY (ALPACA_LIVE=true) ***", options.TradingBaseUrl);
            }

            return AlpacaBroker.Open(options, config.AlpacaStateDbPath, logger, TimeSpan.FromSeconds(config.AlpacaPollSec), config.AlpacaRequestsPerMin, config.AlpacaTradeUpdates);
        }

        var path = config.PaperDbPath;
        var existed = path != ":memory:" && File.Exists(path);
        var broker = PaperBroker.Open(path, config.PaperStartingCash);
        var ahead = broker.LastEventTs is { } last && last > firstEventTs;
        if (existed && (ahead || newLedger))
        {
            var held = (Positions: broker.Positions.Count, Orders: broker.OpenOrders.Count);
            var lastTs = broker.LastEventTs;
            broker.Dispose();
            if (!newLedger && (held.Positions > 0 || held.Orders > 0))
            {
                throw new BrokerStartException(
                    $"The paper ledger {path} is ahead of this stream (ledger {lastTs:o}, stream starts {firstEventTs:o}) and holds "
                    + $"{held.Positions} open position(s) and {held.Orders} open order(s): it was not archived and nothing was traded. "
                    + "To start a new ledger on purpose, run consume with --new-ledger (the old one is kept as "
                    + $"{path}.<time>.bak), or with --ledger PATH for another file.");
            }

            var stamp = lastTs?.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture) ?? "no-events";
            var suffix = stamp;
            for (var n = 2; File.Exists($"{path}.{suffix}.bak"); n++)
            {
                suffix = $"{stamp}-{n}";
            }

            PaperBroker.Archive(path, suffix);
            if (newLedger)
            {
                logger.LogWarning(
                    "--new-ledger: archived the paper ledger {Path} ({Positions} positions, {Orders} open orders, last event {Ledger:o}) with suffix {Suffix} and started a fresh one",
                    path, held.Positions, held.Orders, lastTs, suffix);
            }
            else
            {
                logger.LogWarning(
                    "The paper ledger {Path} is ahead of this stream (ledger {Ledger:o}, stream starts {First:o}) and holds no positions or open orders: treating the input as a replay, archived the ledger with suffix {Suffix} and started a fresh one",
                    path, lastTs, firstEventTs, suffix);
            }

            broker = PaperBroker.Open(path, config.PaperStartingCash);
        }

        logger.LogInformation("Paper broker: ledger {Path}, cash {Cash:0.00}, {Positions} positions, {Open} open orders", config.PaperDbPath, broker.Cash, broker.Positions.Count, broker.OpenOrders.Count);
        return broker;
    }
}
