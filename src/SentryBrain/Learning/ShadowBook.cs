using System.Globalization;
using Microsoft.Extensions.Logging;
using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Journal;

namespace SentryBrain.Learning;

/// <summary>
/// Shadow strategies (BEHAVIOR.md §6.4, <c>SHADOW_STRATEGY_ENABLED</c>): ghost exit models run on the live fills with
/// simulated exits. A live buy fill opens a ghost per model at its price and quantity, or adds to the open ghost at the
/// average price (the reference overwrote it); each held price (<see cref="OnHeldPrice"/>) closes the symbol's ghosts
/// whose P&amp;L reaches −stop or +take-profit at that price; a live sell that flattens the position closes the ghosts
/// still open at its price (a partial sell closes nothing). The live strategy's own round trips (first buy to flat)
/// are kept beside them, so promotion compares like with like. At the first clock tick of each New York trading date
/// one <c>shadow</c> journal line per model gives the promotion check (<see cref="ShadowPromotion"/>).
/// <para>
/// State lives in SQLite (<see cref="ShadowStore"/>) and survives a restart. The book belongs to the broker's ledger:
/// its session id is kept in the broker's state store, so a replay that starts a fresh ledger (or <c>--new-ledger</c>,
/// or another brain sharing the file) starts its own book and leaves the others alone. An in-memory ledger gets an
/// in-memory book; no broker, no book. A file that cannot be used leaves the book in memory for the run (an error is
/// logged): the consumer never stops for it. Per-symbol state goes when the live position is flat, so it is bounded
/// by the open positions.
/// </para>
/// </summary>
public sealed class ShadowBook : IFillObserver, IEngineListener, IDisposable
{
    /// <summary>Closed trades kept per model (and for live).</summary>
    public const int KeepTrades = 1000;

    /// <summary>The broker state store's key of the book's session id.</summary>
    public const string SessionKey = "shadow_session";

    /// <summary>P&amp;L within this many percent of a threshold counts as at it (a price exactly at the stop is a stop).</summary>
    private const double Epsilon = 1e-9;

    private readonly ShadowModel[] _models;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly TimeProvider _wall;
    private readonly Dictionary<string, SymbolGhosts> _symbols = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ShadowTrade>> _trades = new(StringComparer.Ordinal);
    private ShadowStore? _store;
    private bool _active;
    private DateOnly _lastCheck;

    /// <param name="wall">The wall clock (only to retire books no brain has written for a month).</param>
    public ShadowBook(IReadOnlyList<ShadowModel> models, string path, ILogger logger, TimeProvider? wall = null)
    {
        _models = [.. models];
        _path = path;
        _logger = logger;
        _wall = wall ?? TimeProvider.System;
        foreach (var model in _models)
        {
            _trades[model.Name] = [];
        }

        _trades[ShadowModels.Live] = [];
    }

    public IReadOnlyList<ShadowModel> Models => _models;

    /// <summary>Symbols with per-symbol state (an open live position or ghost).</summary>
    public int TrackedSymbols => _symbols.Count;

    /// <summary>Whether the book is written to a database (false: none, or it failed and the book went on in memory).</summary>
    public bool Persistent => _store is not null;

    /// <summary>Kept trades of a model (or of <see cref="ShadowModels.Live"/>), oldest first.</summary>
    public IReadOnlyList<ShadowTrade> Trades(string model) => _trades.TryGetValue(model, out var list) ? list : [];

    /// <summary>The open ghost of <paramref name="model"/> in <paramref name="symbol"/>, or null.</summary>
    public ShadowPosition? OpenGhost(string model, string symbol)
    {
        var index = Array.FindIndex(_models, m => m.Name == model);
        return index >= 0 && _symbols.TryGetValue(symbol, out var s) ? s.Ghosts[index] : null;
    }

    /// <summary>The promotion check of every model now (as journaled daily).</summary>
    public IReadOnlyList<ShadowVerdict> Verdicts()
        => [.. _models.Select(m => ShadowPromotion.Check(m.Name, _trades[m.Name], _trades[ShadowModels.Live]))];

    public void Attach(IStateStore? store)
    {
        _active = store is not null;
        if (store is null)
        {
            return;
        }

        var session = store.Load(SessionKey);
        if (string.IsNullOrEmpty(session))
        {
            session = Guid.NewGuid().ToString("N");
            store.Save(SessionKey, session);
        }

        var path = store.Durable ? _path : ":memory:";
        try
        {
            _store = ShadowStore.Open(path, _wall, out var movedAside);
            if (movedAside is not null)
            {
                _logger.LogError("Shadow database {Moved}", movedAside);
            }

            Load(_store, session);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _store?.Dispose();
            _store = null;
            _logger.LogError("Shadow database {Path} cannot be used ({Error}): the shadow book runs in memory for this run", path, ex.Message);
        }
    }

    private void Load(ShadowStore store, string session)
    {
        if (!store.Use(session))
        {
            _logger.LogInformation("Shadow database {Path}: a new book for this broker ledger ({Models} models)", store.Path, _models.Length);
            return;
        }

        if (DateOnly.TryParseExact(store.Meta("last_check") ?? string.Empty, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var checkedOn))
        {
            _lastCheck = checkedOn;
        }

        foreach (var (model, trades) in store.LoadTrades())
        {
            if (_trades.TryGetValue(model, out var list))
            {
                list.AddRange(trades.TakeLast(KeepTrades));
            }
        }

        foreach (var (model, symbol, position) in store.LoadOpen())
        {
            var ghosts = Symbol(symbol);
            if (model == ShadowModels.Live)
            {
                ghosts.Live = position;
            }
            else if (Array.FindIndex(_models, m => m.Name == model) is var index and >= 0)
            {
                ghosts.Ghosts[index] = position;
                ghosts.Open++;
            }
        }
    }

    public void OnFill(Fill fill, in FillContext context)
    {
        if (!_active || fill.Qty <= 0 || !(fill.Price > 0))
        {
            return;
        }

        if (fill.Side == OrderSide.Buy)
        {
            OnBuy(fill);
        }
        else
        {
            OnSell(fill, context.QtyAfter);
        }
    }

    private void OnBuy(Fill fill)
    {
        var s = Symbol(fill.Symbol);
        var live = s.Live = Add(s.Live, fill);
        for (var i = 0; i < _models.Length; i++)
        {
            s.Open += s.Ghosts[i] is null ? 1 : 0;
            s.Ghosts[i] = Add(s.Ghosts[i], fill);
        }

        Persist(store =>
        {
            store.Save(ShadowModels.Live, fill.Symbol, live);
            for (var i = 0; i < _models.Length; i++)
            {
                store.Save(_models[i].Name, fill.Symbol, s.Ghosts[i]!);
            }
        });
    }

    /// <summary>A buy into a position: opened when there is none, else added at the average price.</summary>
    private static ShadowPosition Add(ShadowPosition? p, Fill fill)
    {
        p ??= new ShadowPosition { EntryTs = fill.Ts };
        p.AvgPrice = ((p.Qty * p.AvgPrice) + (fill.Qty * fill.Price)) / (p.Qty + fill.Qty);
        p.Qty += fill.Qty;
        p.Bought += fill.Qty;
        p.Cost += fill.Qty * fill.Price;
        return p;
    }

    private void OnSell(Fill fill, long qtyAfter)
    {
        if (!_symbols.TryGetValue(fill.Symbol, out var s))
        {
            return; // a position bought before the book knew it
        }

        if (s.Live is { } live)
        {
            var sold = Math.Min(fill.Qty, live.Qty);
            live.Pnl += (fill.Price - live.AvgPrice) * sold;
            live.Qty -= sold;
        }

        if (qtyAfter > 0)
        {
            if (s.Live is { } still)
            {
                Persist(store => store.Save(ShadowModels.Live, fill.Symbol, still));
            }

            return;
        }

        // Flat: live's round trip ends, and every ghost still open closes at the exit's price.
        var closed = new List<ShadowTrade>(_models.Length + 1);
        if (s.Live is { Bought: > 0 } done)
        {
            closed.Add(new ShadowTrade(ShadowModels.Live, fill.Symbol, done.EntryTs, fill.Ts, done.Bought, done.Cost, done.Pnl, ShadowModels.Live));
        }

        for (var i = 0; i < _models.Length; i++)
        {
            if (s.Ghosts[i] is { } ghost)
            {
                closed.Add(Close(_models[i], fill.Symbol, ghost, fill.Price, fill.Ts, "live_exit"));
            }
        }

        _symbols.Remove(fill.Symbol);
        Record(closed, fill.Symbol, deleteAll: true);
    }

    public void OnHeldPrice(string symbol, double exitPrice, DateTime now)
    {
        if (!_active || !_symbols.TryGetValue(symbol, out var s) || s.Open == 0 || !(exitPrice > 0))
        {
            return;
        }

        List<ShadowTrade>? closed = null;
        for (var i = 0; i < _models.Length; i++)
        {
            if (s.Ghosts[i] is not { } ghost)
            {
                continue;
            }

            var model = _models[i];
            var pnlPct = (exitPrice - ghost.AvgPrice) / ghost.AvgPrice * 100;
            var reason = pnlPct <= -model.StopPct + Epsilon ? "stop" : pnlPct >= model.TakeProfitPct - Epsilon ? "take_profit" : null;
            if (reason is null)
            {
                continue;
            }

            (closed ??= []).Add(Close(model, symbol, ghost, exitPrice, now, reason));
            s.Ghosts[i] = null;
            s.Open--;
        }

        if (closed is not null)
        {
            Record(closed, symbol, deleteAll: false);
        }
    }

    private static ShadowTrade Close(ShadowModel model, string symbol, ShadowPosition ghost, double price, DateTime ts, string reason)
        => new(model.Name, symbol, ghost.EntryTs, ts, ghost.Qty, ghost.Cost, (price * ghost.Qty) - ghost.Cost, reason);

    private void Record(List<ShadowTrade> closed, string symbol, bool deleteAll)
    {
        foreach (var trade in closed)
        {
            var list = _trades[trade.Model];
            list.Add(trade);
            if (list.Count > KeepTrades)
            {
                list.RemoveAt(0);
            }
        }

        Persist(store =>
        {
            if (deleteAll)
            {
                store.Delete(ShadowModels.Live, symbol);
                foreach (var model in _models)
                {
                    store.Delete(model.Name, symbol);
                }
            }

            foreach (var trade in closed)
            {
                store.Add(trade, KeepTrades);
                if (!deleteAll)
                {
                    store.Delete(trade.Model, symbol);
                }
            }
        });
    }

    public void OnClock(DateTime now, DateOnly tradingDate, JournalWriter journal)
    {
        if (_active && tradingDate != _lastCheck)
        {
            Check(now, tradingDate, journal); // a method of its own: its closures are allocated only when it runs
        }
    }

    private void Check(DateTime now, DateOnly tradingDate, JournalWriter journal)
    {
        _lastCheck = tradingDate;
        Persist(store => store.SetMeta("last_check", tradingDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        foreach (var verdict in Verdicts())
        {
            journal.Line("shadow", now, w =>
            {
                w.WriteString("model"u8, verdict.Model);
                w.WriteNumber("ghost_trades"u8, verdict.Ghost.Trades);
                w.WriteNumber("ghost_return_pct"u8, Math.Round(verdict.Ghost.TotalReturnPct, 6));
                w.WriteNumber("live_trades"u8, verdict.Live.Trades);
                w.WriteNumber("live_return_pct"u8, Math.Round(verdict.Live.TotalReturnPct, 6));
                w.WriteBoolean("promote"u8, verdict.Promote);
            });
        }
    }

    /// <summary>Writes a change; a failing database is logged once and the book goes on in memory (money never depends on it).</summary>
    private void Persist(Action<ShadowStore> change)
    {
        if (_store is null)
        {
            return;
        }

        try
        {
            _store.Batch(change);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogError("Shadow database {Path} failed ({Error}): the shadow book goes on in memory for this run", _store.Path, ex.Message);
            _store.Dispose();
            _store = null;
        }
    }

    private SymbolGhosts Symbol(string symbol)
    {
        if (!_symbols.TryGetValue(symbol, out var s))
        {
            _symbols[symbol] = s = new SymbolGhosts(_models.Length);
        }

        return s;
    }

    public void Dispose()
    {
        _store?.Dispose();
        _store = null;
    }

    /// <summary>One symbol's live position and ghosts (one slot per model; null = none open).</summary>
    private sealed class SymbolGhosts(int models)
    {
        public ShadowPosition? Live { get; set; }

        public ShadowPosition?[] Ghosts { get; } = new ShadowPosition?[models];

        public int Open { get; set; }
    }
}
