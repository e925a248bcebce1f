using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Strategy;

namespace SentryBrain.Learning;

/// <summary>
/// Conviction (BEHAVIOR.md "Conviction"): the reward of one exit and the size multiplier of a window of rewards.
/// Reward: −2 when the exit reason has <c>stop_loss</c>; +1 for <c>take_profit</c> or <c>scale_out</c>; else +1 when
/// the P&amp;L is ≥ 1 %, −2 when ≤ −1 %, 0 between (null when neither the reason nor the P&amp;L tells).
/// Multiplier: 1.0 with fewer than <see cref="MinOutcomes"/> outcomes; else a continuous, piecewise linear function
/// of the average reward a ∈ [−2, 1] through (−2, 0.5), (0, 1.0) and (1, 1.5): 1 + a/4 for a &lt; 0, 1 + a/2 for
/// a ≥ 0, clamped to [0.5, 1.5]. (The reference mapped a = 0 to 1.1 while its comment said 1.0 and jumped from 1.3 to
/// 1.5 at a = 0.5; BEHAVIOR.md §12 item 28.)
/// </summary>
public static class Conviction
{
    public const int MinOutcomes = 3;
    public const double Min = 0.5;
    public const double Max = 1.5;

    public static int? Reward(string? exitReason, double? pnlPct)
    {
        if (exitReason is not null)
        {
            if (exitReason.Contains("stop_loss", StringComparison.Ordinal))
            {
                return -2;
            }

            if (exitReason.Contains("take_profit", StringComparison.Ordinal) || exitReason.Contains("scale_out", StringComparison.Ordinal))
            {
                return 1;
            }
        }

        return pnlPct switch
        {
            null => null,
            >= 1 => 1,
            <= -1 => -2,
            _ => 0,
        };
    }

    /// <param name="count">Outcomes in the window.</param>
    /// <param name="sum">Their sum.</param>
    public static double Multiplier(int count, int sum) => count < MinOutcomes ? 1.0 : FromAverage((double)sum / count);

    public static double FromAverage(double average)
    {
        var m = average < 0 ? 1 + (average / 4) : 1 + (average / 2);
        return Math.Clamp(m, Min, Max);
    }
}

/// <summary>
/// Conviction sizing (<c>CONVICTION_SIZING_ENABLED</c>): the size multiplier of a buy is <see cref="Conviction"/>'s
/// function of the last <c>CONVICTION_WINDOW</c> outcomes of the same setup (<see cref="DecisionSignals.Setup"/>,
/// e.g. <c>green_light_4pt|regime=trend</c>). Each open position remembers the setup of the buy that opened it (linked
/// by client order id through <see cref="OnSubmitted"/>); each exit order (its first fill; a re-sent exit counts with
/// the original) adds one outcome to that setup, with the exit decision's reason and the P&amp;L against the average
/// entry. Outcomes and open setups are kept in the broker's state store (key <c>conviction</c>, written on change),
/// for at most <see cref="MaxSetups"/> setups (the least recently updated go first).
/// </summary>
public sealed class ConvictionSizer : ISizeMultiplier, IFillObserver, IEngineListener
{
    public const string StateKey = "conviction";
    public const int MaxSetups = 256;

    /// <summary>Orders in flight remembered (their setup or exit reason); more are forgotten oldest first.</summary>
    private const int MaxOrders = 512;

    private readonly int _window;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Outcomes> _setups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _openSetup = new(StringComparer.Ordinal);
    private readonly RecentMap _buySetups = new(MaxOrders);
    private readonly RecentMap _sellReasons = new(MaxOrders);
    private readonly RecentMap _scored = new(MaxOrders);
    private IStateStore? _store;
    private long _clock;

    public ConvictionSizer(int window, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, Conviction.MinOutcomes);
        _window = window;
        _logger = logger;
    }

    /// <summary>The outcomes of a setup in the window, oldest first.</summary>
    public IReadOnlyList<int> OutcomesOf(string setup) => _setups.TryGetValue(setup, out var o) ? [.. o.Values] : [];

    public int Setups => _setups.Count;

    /// <summary>The setup remembered for an open position, or null.</summary>
    public string? OpenSetup(string symbol) => _openSetup.GetValueOrDefault(symbol);

    public double Multiplier(string setup) => _setups.TryGetValue(setup, out var o) ? Conviction.Multiplier(o.Values.Count, o.Sum) : 1.0;

    public double Multiplier(string symbol, in Decision decision) => decision.Signals.Setup is { } setup ? Multiplier(setup) : 1.0;

    public void Attach(IStateStore? store)
    {
        _store = store;
        if (store?.Load(StateKey) is not { Length: > 0 } text)
        {
            return;
        }

        try
        {
            Read(text);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _setups.Clear();
            _openSetup.Clear();
            _logger.LogWarning("Conviction state in the broker's store is unreadable ({Error}): starting with no outcomes", ex.Message);
        }
    }

    public void OnSubmitted(OrderRequest request, in Decision decision, DateTime now)
    {
        if (request.Side == OrderSide.Buy)
        {
            if (decision.Signals.Setup is { } setup)
            {
                _buySetups.Set(request.ClientOrderId, setup);
            }
        }
        else
        {
            _sellReasons.Set(request.ClientOrderId, decision.Reason);
        }
    }

    public void OnFill(Fill fill, in FillContext context)
    {
        var changed = false;
        if (fill.Side == OrderSide.Buy)
        {
            // The buy that opened the position names its setup; adds keep it.
            if (context.QtyAfter == fill.Qty && _buySetups.Get(fill.ClientOrderId) is { } setup)
            {
                _openSetup[fill.Symbol] = setup;
                changed = true;
            }
        }
        else
        {
            var order = OrderPlanning.FirstAttemptId(fill.ClientOrderId) ?? fill.ClientOrderId;
            if (_scored.Get(order) is null && _openSetup.TryGetValue(fill.Symbol, out var setup))
            {
                _scored.Set(order, string.Empty);
                double? pnl = context.EntryPrice > 0 ? (fill.Price - context.EntryPrice) / context.EntryPrice * 100 : null;
                if (Conviction.Reward(_sellReasons.Get(order), pnl) is { } reward)
                {
                    AddOutcome(setup, reward);
                    changed = true;
                }
            }

            if (context.QtyAfter <= 0)
            {
                changed |= _openSetup.Remove(fill.Symbol);
            }
        }

        if (changed)
        {
            Save();
        }
    }

    /// <summary>Adds an outcome to a setup's window (for tests and replays of recorded outcomes).</summary>
    public void AddOutcome(string setup, int reward)
    {
        if (!_setups.TryGetValue(setup, out var outcomes))
        {
            if (_setups.Count >= MaxSetups)
            {
                var oldest = _setups.MinBy(kv => kv.Value.Used).Key;
                _setups.Remove(oldest);
            }

            _setups[setup] = outcomes = new Outcomes();
        }

        outcomes.Add(reward, _window);
        outcomes.Used = ++_clock;
    }

    private void Save()
    {
        if (_store is null)
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("open"u8);
            foreach (var (symbol, setup) in _openSetup)
            {
                w.WriteString(symbol, setup);
            }

            w.WriteEndObject();
            w.WriteStartArray("setups"u8);
            foreach (var (setup, outcomes) in _setups.OrderBy(kv => kv.Value.Used))
            {
                w.WriteStartObject();
                w.WriteString("setup"u8, setup);
                w.WriteString("outcomes"u8, string.Join(',', outcomes.Values.Select(v => v.ToString(CultureInfo.InvariantCulture))));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        _store.Save(StateKey, Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private void Read(string text)
    {
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        if (root.TryGetProperty("open", out var open))
        {
            foreach (var p in open.EnumerateObject())
            {
                _openSetup[p.Name] = p.Value.GetString() ?? throw new FormatException($"open setup of {p.Name} is not a string");
            }
        }

        if (root.TryGetProperty("setups", out var setups))
        {
            foreach (var s in setups.EnumerateArray())
            {
                var setup = s.GetProperty("setup").GetString() ?? throw new FormatException("a setup without a name");
                foreach (var part in (s.GetProperty("outcomes").GetString() ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var reward = int.Parse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                    if (reward is not (-2 or 0 or 1))
                    {
                        throw new FormatException($"outcome {reward} of {setup} is not -2, 0 or 1");
                    }

                    AddOutcome(setup, reward);
                }
            }
        }
    }

    /// <summary>A setup's last outcomes (at most the window) and their running sum.</summary>
    private sealed class Outcomes
    {
        public Queue<int> Values { get; } = new();

        public int Sum { get; private set; }

        public long Used { get; set; }

        public void Add(int reward, int window)
        {
            Values.Enqueue(reward);
            Sum += reward;
            while (Values.Count > window)
            {
                Sum -= Values.Dequeue();
            }
        }
    }

    /// <summary>A map that keeps only its most recently added <c>capacity</c> keys.</summary>
    private sealed class RecentMap(int capacity)
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private readonly Queue<string> _order = new();

        public string? Get(string key) => _values.GetValueOrDefault(key);

        public void Set(string key, string value)
        {
            if (_values.TryAdd(key, value))
            {
                _order.Enqueue(key);
                if (_order.Count > capacity)
                {
                    _values.Remove(_order.Dequeue());
                }
            }
            else
            {
                _values[key] = value;
            }
        }
    }
}
