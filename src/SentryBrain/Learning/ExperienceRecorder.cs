using System.Text.Json;
using Microsoft.Extensions.Logging;
using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Strategy;

namespace SentryBrain.Learning;

/// <summary>
/// Writes the experience buffer live (BEHAVIOR.md §6.1, done right): one line per entry and exit <b>fill</b>.
/// <list type="bullet">
/// <item>At submission (<see cref="OnSubmitted"/>) the decision's reason and signals are remembered by client order id
/// (until the order's quantity has filled, for at most <see cref="MaxPendingAge"/>, at most <see cref="MaxPending"/>
/// orders); a re-sent exit (<c>…-r1</c>) finds the decision of the order it replaces.</item>
/// <item>A buy fill into a flat position opens a trade, whose id is that fill's client order id; a buy into an open
/// trade (an add, or the next part of the same order) keeps it. Each buy fill is an <c>entry</c> line with its
/// decision's signals.</item>
/// <item>Each sell fill is an <c>exit</c> line of the quantity it closed: P&amp;L against the position's average entry
/// (<see cref="FillContext.EntryPrice"/>), the exit reason, and the trade's first entry (id, time, reason, price,
/// setup and features), so every exit is a full training row. The trade ends when the position is flat.</item>
/// <item>Open trades (symbol → entry line) live in the broker's state store (<see cref="Attach"/>), so an exit after a
/// restart is still linked to its entry.</item>
/// </list>
/// A write that fails (disk full, permissions) is logged (the first failure, and the recovery) and dropped: the
/// buffer never stops an order or the consumer. Called on the event loop only.
/// </summary>
public sealed class ExperienceRecorder : IFillObserver, IEngineListener, IDisposable
{
    public const int MaxPending = 1024;
    public const string StateKey = "experience_open_trades";
    public static readonly TimeSpan MaxPendingAge = TimeSpan.FromDays(3);

    private readonly ExperienceBuffer _buffer;
    private readonly ILogger _logger;
    private readonly string _source;
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, DateTime At)> _pendingOrder = new();
    private readonly Dictionary<string, ExperienceRecord> _open = new(StringComparer.Ordinal);
    private IStateStore? _store;
    private long _failing;

    public ExperienceRecorder(ExperienceBuffer buffer, ILogger logger, string source = ExperienceRows.Live)
    {
        _buffer = buffer;
        _logger = logger;
        _source = source;
    }

    /// <summary>Lines written.</summary>
    public long Written { get; private set; }

    /// <summary>Writes that failed (the line lost, or written with a failed trim).</summary>
    public long Failed { get; private set; }

    /// <summary>Orders whose decision is remembered (diagnostics and tests).</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Open trades by symbol: their first entry line.</summary>
    public IReadOnlyDictionary<string, ExperienceRecord> OpenTrades => _open;

    public void Attach(IStateStore? store)
    {
        _store = store;
        _open.Clear();
        if (store?.Load(StateKey) is not { Length: > 0 } saved)
        {
            return;
        }

        try
        {
            foreach (var (symbol, line) in JsonSerializer.Deserialize<Dictionary<string, string>>(saved) ?? [])
            {
                if (ExperienceJson.Parse(line, out _) is { Action: "entry" } entry)
                {
                    _open[symbol] = entry;
                }
            }
        }
        catch (JsonException ex)
        {
            _logger.LogWarning("Experience buffer: the saved open trades are unreadable ({Error}); exits of trades opened before this start are not linked to their entries", ex.Message);
        }
    }

    public void OnSubmitted(OrderRequest request, in Decision decision, DateTime now)
    {
        Forget(now);
        _pending[request.ClientOrderId] = new Pending(decision.Reason, decision.Signals, request.Qty);
        _pendingOrder.Enqueue((request.ClientOrderId, now));
    }

    public void OnFill(Fill fill, in FillContext context)
    {
        var pending = Find(fill.ClientOrderId);
        ExperienceRecord line;
        if (fill.Side == OrderSide.Buy)
        {
            var flatBefore = context.QtyAfter - fill.Qty <= 0;
            var opens = flatBefore || !_open.ContainsKey(fill.Symbol);
            var tradeId = opens ? fill.ClientOrderId : _open[fill.Symbol].TradeId;
            line = ExperienceRows.Entry(fill.Symbol, fill.Ts, tradeId, fill.ClientOrderId, fill.Price, fill.Qty, pending?.Reason ?? "unknown", pending?.Signals, _source);
            if (opens)
            {
                _open[fill.Symbol] = line;
                SaveOpen();
            }
        }
        else
        {
            var reason = pending?.Reason ?? (OrderPlanning.FirstAttemptId(fill.ClientOrderId) is null ? "unknown" : "exit_reprice");
            line = ExperienceRows.Exit(_open.GetValueOrDefault(fill.Symbol), fill.Symbol, fill.Ts, fill.ClientOrderId, fill.Price, fill.Qty, reason, context.EntryPrice, _source);
            if (context.QtyAfter <= 0 && _open.Remove(fill.Symbol))
            {
                SaveOpen();
            }
        }

        if (pending is not null)
        {
            pending.Remaining -= fill.Qty;
            if (pending.Remaining <= 0)
            {
                _pending.Remove(pending.Id ?? fill.ClientOrderId);
            }
        }

        Write(line);
    }

    /// <summary>Trims the buffer to its maximum (a clean shutdown).</summary>
    public void Dispose()
    {
        try
        {
            _buffer.Dispose();
        }
        catch (Exception ex) when (IsWriteFailure(ex))
        {
            _logger.LogWarning("Experience buffer {Path}: trim at shutdown failed: {Error}", _buffer.Path, ex.Message);
        }
    }

    private void Write(ExperienceRecord line)
    {
        try
        {
            _buffer.Append(line);
            Written++;
            if (_failing > 0)
            {
                _logger.LogInformation("Experience buffer {Path} writable again after {Failed} failed writes", _buffer.Path, _failing);
                _failing = 0;
            }
        }
        catch (Exception ex) when (IsWriteFailure(ex))
        {
            Failed++;
            if (_failing++ == 0)
            {
                _logger.LogWarning("Experience buffer {Path}: cannot write ({Error}); further failures are counted, not logged, until a write succeeds", _buffer.Path, ex.Message);
            }
        }
    }

    private static bool IsWriteFailure(Exception ex)
        => ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or System.Security.SecurityException;

    private void SaveOpen()
    {
        if (_store is null)
        {
            return;
        }

        var map = new Dictionary<string, string>(_open.Count, StringComparer.Ordinal);
        foreach (var (symbol, entry) in _open)
        {
            map[symbol] = ExperienceJson.ToLine(entry);
        }

        _store.Save(StateKey, JsonSerializer.Serialize(map));
    }

    /// <summary>The decision of an order, or of the exit a re-sent exit (<c>…-rN</c>) replaces.</summary>
    private Pending? Find(string clientOrderId)
    {
        if (_pending.TryGetValue(clientOrderId, out var pending))
        {
            pending.Id = clientOrderId;
            return pending;
        }

        if (OrderPlanning.FirstAttemptId(clientOrderId) is { } first && _pending.TryGetValue(first, out pending))
        {
            pending.Id = first;
            return pending;
        }

        return null;
    }

    /// <summary>Drops decisions of orders older than <see cref="MaxPendingAge"/> (expired, rejected, canceled) and beyond <see cref="MaxPending"/>.</summary>
    private void Forget(DateTime now)
    {
        while (_pendingOrder.TryPeek(out var oldest) && (_pendingOrder.Count >= MaxPending || now - oldest.At > MaxPendingAge || !_pending.ContainsKey(oldest.Id)))
        {
            _pendingOrder.Dequeue();
            _pending.Remove(oldest.Id);
        }
    }

    private sealed class Pending(string reason, DecisionSignals signals, long qty)
    {
        public string Reason { get; } = reason;

        public DecisionSignals Signals { get; } = signals;

        public long Remaining { get; set; } = qty;

        /// <summary>The key it is remembered under (set when found).</summary>
        public string? Id { get; set; }
    }
}
