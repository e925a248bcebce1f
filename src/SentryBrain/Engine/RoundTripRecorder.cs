using System.Globalization;
using SentryBrain.Execution;

namespace SentryBrain.Engine;

/// <summary>
/// The returns (percent) of the last <see cref="MaxRoundTrips"/> closed trades, for Kelly sizing: each sell fill
/// against the average entry of the position it closes. Kept in the state store, so sizing survives a restart.
/// </summary>
public sealed class RoundTripRecorder : IFillObserver
{
    public const int MaxRoundTrips = 500;
    private const string StateKey = "round_trips";
    private readonly List<double> _returns = [];
    private readonly IStateStore? _store;

    public RoundTripRecorder(IStateStore? store)
    {
        _store = store;
        foreach (var part in (store?.Load(StateKey) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var r))
            {
                _returns.Add(r);
            }
        }
    }

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<double> Returns => _returns;

    public void OnFill(Fill fill, in FillContext context)
    {
        if (fill.Side != OrderSide.Sell || context.EntryPrice <= 0)
        {
            return;
        }

        _returns.Add((fill.Price - context.EntryPrice) / context.EntryPrice * 100);
        if (_returns.Count > MaxRoundTrips)
        {
            _returns.RemoveAt(0);
        }

        _store?.Save(StateKey, string.Join(',', _returns.Select(r => r.ToString("R", CultureInfo.InvariantCulture))));
    }
}
