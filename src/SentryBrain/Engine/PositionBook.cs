using System.Text.Json;
using System.Text.Json.Serialization;
using SentryBrain.Execution;

namespace SentryBrain.Engine;

/// <summary>What the exit rules remember about one open position beyond the broker's qty and average price.</summary>
public sealed class PositionMemory
{
    /// <summary>Event time of the first fill of the current position (the reference used "first sighting").</summary>
    public DateTime EntryTs { get; set; }

    /// <summary>Best unrealized P&amp;L (percent) since entry.</summary>
    public double PeakPnlPct { get; set; }

    /// <summary>The 50 % at VWAP scale-out was done.</summary>
    public bool ScaledAtVwap { get; set; }

    /// <summary>
    /// Bought below the session VWAP, so VWAP is a target above the entry (mean reversion). Only then do the VWAP
    /// exits apply: for a position bought at or above VWAP they would sell at once, at a loss.
    /// </summary>
    public bool VwapTarget { get; set; }

    /// <summary>Bit i set: scale-out level i (of SCALE_OUT_LEVELS_PCT) was done.</summary>
    public ulong ScaleOutLevelsDone { get; set; }
}

/// <summary>
/// Entry time, peak P&amp;L and scale-out progress per held symbol, persisted with the ledger so that trailing
/// stops, breakevens, max-hold and scale-outs continue across a restart (the reference lost all of them).
/// </summary>
public sealed class PositionBook
{
    public const string StateKey = "positions";

    private readonly Dictionary<string, PositionMemory> _positions = new(StringComparer.Ordinal);
    private readonly IStateStore? _store;
    private readonly Dictionary<string, double> _persistedPeaks = new(StringComparer.Ordinal);

    public PositionBook(IStateStore? store)
    {
        _store = store;
        if (store?.Load(StateKey) is { } json)
        {
            try
            {
                var saved = JsonSerializer.Deserialize(json, PositionBookJsonContext.Default.DictionaryStringPositionMemory);
                foreach (var (symbol, memory) in saved ?? [])
                {
                    _positions[symbol] = memory;
                    _persistedPeaks[symbol] = memory.PeakPnlPct;
                }
            }
            catch (JsonException)
            {
                // Unreadable memory: positions keep trading with fresh peaks rather than stopping the brain.
            }
        }
    }

    public PositionMemory? Get(string symbol) => _positions.GetValueOrDefault(symbol);

    /// <summary>Keeps the book in step with a fill: a buy into a flat book opens, a sell to zero closes.</summary>
    public void OnFill(Fill fill, long qtyAfter, bool vwapTarget = false)
    {
        if (qtyAfter <= 0)
        {
            _positions.Remove(fill.Symbol);
            _persistedPeaks.Remove(fill.Symbol);
        }
        else if (!_positions.ContainsKey(fill.Symbol))
        {
            _positions[fill.Symbol] = new PositionMemory { EntryTs = fill.Ts, VwapTarget = vwapTarget };
        }

        Save();
    }

    /// <summary>Drops memory of symbols the broker no longer holds (e.g. a position closed while the brain was down).</summary>
    public void Reconcile(Func<string, long> heldQty)
    {
        var stale = _positions.Keys.Where(s => heldQty(s) <= 0).ToList();
        foreach (var symbol in stale)
        {
            _positions.Remove(symbol);
        }

        if (stale.Count > 0)
        {
            Save();
        }
    }

    /// <summary>Drops memory of symbols not held (<paramref name="isHeld"/>: a position or an open order); saved when any went.</summary>
    public void Forget(Func<string, bool> isHeld)
    {
        var stale = _positions.Keys.Concat(_persistedPeaks.Keys).Where(s => !isHeld(s)).Distinct().ToList();
        var changed = false;
        foreach (var symbol in stale)
        {
            changed |= _positions.Remove(symbol);
            _persistedPeaks.Remove(symbol);
        }

        if (changed)
        {
            Save();
        }
    }

    /// <summary>Entries per table (diagnostics): position memories, last persisted peaks.</summary>
    internal (int Positions, int PersistedPeaks) Counts => (_positions.Count, _persistedPeaks.Count);

    /// <summary>Records the current P&amp;L; persists when the peak rose by ≥ 0.1 point since last written.</summary>
    public void OnPnl(string symbol, double pnlPct, DateTime now)
    {
        if (!_positions.TryGetValue(symbol, out var memory))
        {
            // Held but unknown (ledger from before the book existed): start remembering from now.
            memory = new PositionMemory { EntryTs = now };
            _positions[symbol] = memory;
        }

        if (pnlPct > memory.PeakPnlPct)
        {
            memory.PeakPnlPct = pnlPct;
            if (pnlPct >= _persistedPeaks.GetValueOrDefault(symbol, double.MinValue) + 0.1)
            {
                Save();
            }
        }
    }

    /// <summary>Persists after a scale-out flag changed.</summary>
    public void Save()
    {
        if (_store is null)
        {
            return;
        }

        _store.Save(StateKey, JsonSerializer.Serialize(_positions, PositionBookJsonContext.Default.DictionaryStringPositionMemory));
        foreach (var (symbol, memory) in _positions)
        {
            _persistedPeaks[symbol] = memory.PeakPnlPct;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Dictionary<string, PositionMemory>))]
internal sealed partial class PositionBookJsonContext : JsonSerializerContext;
