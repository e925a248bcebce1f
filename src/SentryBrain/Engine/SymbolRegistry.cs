using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Market;
using SentryBrain.Market.Bars;

namespace SentryBrain.Engine;

/// <summary>
/// The symbols the engine tracks and their state: created on first sight (live indicators warmed up from the daily
/// bar source when the strategy reads them), capped at <c>MAX_SYMBOLS</c> (<see cref="SymbolCap"/>), and pruned
/// when idle for <c>SYMBOL_STATE_TTL_SEC</c> or off the watchlist — never while held (a position or an open order).
/// Off-list symbols are pruned every minute of event time, and at once when the list changes
/// (<see cref="PruneOffList"/>). SPY stays while <c>SPY_200MA_REGIME_ENABLED</c> reads it, on the list or not
/// (idle, it is pruned like any symbol and warmed up again when it comes back).
/// </summary>
public sealed class SymbolRegistry
{
    private const int PruneCheckEveryEvents = 4096;
    private static readonly TimeSpan PruneInterval = TimeSpan.FromSeconds(60);

    private readonly BrainConfig _config;
    private readonly bool _withIndicators;
    private readonly LiveIndicatorOptions _indicatorOptions;
    private readonly IDailyBarSource? _barSource;
    private readonly Func<string, bool> _isHeld;
    private readonly IWatchlistProvider? _watchlist;
    private readonly ILogger _logger;
    private readonly Dictionary<string, SymbolState> _states = new(StringComparer.Ordinal);
    private readonly List<string> _pruneScratch = [];
    private readonly string? _pinned;
    private DateTime _lastPrune;
    private DateTime _now;
    private DateOnly _tradingDate;

    /// <param name="withIndicators">Keep <see cref="LiveIndicators"/> per symbol (the strategy reads them).</param>
    public SymbolRegistry(BrainConfig config, bool withIndicators, IDailyBarSource? barSource, IWatchlistProvider? watchlist, Func<string, bool> isHeld, ILogger logger)
    {
        _config = config;
        _withIndicators = withIndicators;
        _indicatorOptions = LiveIndicatorOptions.From(config);
        _barSource = barSource;
        _watchlist = watchlist;
        _isHeld = isHeld;
        _logger = logger;
        _pinned = config.Spy200maRegimeEnabled ? SpyRegime.Symbol : null;
        Cap = new SymbolCap(config.MaxSymbols, _states, isHeld, PruneIdle);
    }

    public SymbolCap Cap { get; }

    public int Count => _states.Count;

    public SymbolState? Find(string symbol) => _states.GetValueOrDefault(symbol);

    /// <summary>The mark price of a tracked symbol, for equity; null when unknown.</summary>
    public double? MarkPrice(string symbol) => _states.TryGetValue(symbol, out var s) && s.MarkPrice > 0 ? s.MarkPrice : null;

    /// <summary>The symbol's state, created on first use (call only after <see cref="Cap"/> admitted it).</summary>
    public SymbolState Get(string symbol)
    {
        if (!_states.TryGetValue(symbol, out var state))
        {
            LiveIndicators? indicators = null;
            if (_withIndicators)
            {
                indicators = new LiveIndicators(_indicatorOptions);
                if (_barSource?.Load(symbol, _tradingDate) is { Count: > 0 } history)
                {
                    indicators.WarmUp(history);
                }

                indicators.RollDay(_tradingDate);
            }

            // Only the trend filter reads the price history, and no engine rule reads closed bars: keep no more.
            var prices = _config.TrendFilterEnabled ? Math.Min(_config.TrendSmaPeriod, SymbolState.PriceHistoryLength) : 0;
            state = new SymbolState(symbol, _config.RsiPeriod, indicators, prices, barHistory: 0);
            _states[symbol] = state;
        }

        return state;
    }

    /// <summary>Event time moved on (<paramref name="date"/> is its trading date).</summary>
    public void OnClock(DateTime now, DateOnly date)
    {
        _now = now;
        if (date == _tradingDate)
        {
            return;
        }

        _tradingDate = date;
        foreach (var state in _states.Values)
        {
            state.Indicators?.RollDay(date);
        }
    }

    /// <summary>
    /// Called per event: every 4,096 events, prunes if a minute of event time has passed since the last prune.
    /// Returns true when it pruned (the engine then prunes its other per-symbol tables too).
    /// </summary>
    public bool MaybePrune(long events)
    {
        if (events % PruneCheckEveryEvents == 0 && _now - _lastPrune >= PruneInterval)
        {
            PruneIdle();
            return true;
        }

        return false;
    }

    /// <summary>The list changed: forgets at once every symbol off it that is neither held nor with an open order; returns how many.</summary>
    public int PruneOffList()
    {
        if (_watchlist?.Active is not { } watch)
        {
            return 0;
        }

        _pruneScratch.Clear();
        foreach (var symbol in _states.Keys)
        {
            if (OffList(watch, symbol) && !_isHeld(symbol))
            {
                _pruneScratch.Add(symbol);
            }
        }

        foreach (var symbol in _pruneScratch)
        {
            _states.Remove(symbol);
        }

        return _pruneScratch.Count;
    }

    private bool OffList(IReadOnlySet<string>? watch, string symbol)
        => watch is not null && !watch.Contains(symbol) && !string.Equals(symbol, _pinned, StringComparison.Ordinal);

    /// <summary>Forgets symbols that are idle (or off the watchlist), not held and without open orders.</summary>
    private void PruneIdle()
    {
        _lastPrune = _now;
        var idleBefore = _now.AddSeconds(-_config.SymbolStateTtlSec);
        var watch = _watchlist?.Active;
        _pruneScratch.Clear();
        foreach (var (symbol, state) in _states)
        {
            var stale = state.LastEventTs < idleBefore || OffList(watch, symbol);
            if (stale && !_isHeld(symbol))
            {
                _pruneScratch.Add(symbol);
            }
        }

        foreach (var symbol in _pruneScratch)
        {
            _states.Remove(symbol);
        }

        if (_pruneScratch.Count > 0)
        {
            _logger.LogDebug("Pruned {Count} idle symbols; tracking {Tracked}", _pruneScratch.Count, _states.Count);
        }
    }
}
