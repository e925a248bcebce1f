using SentryBrain.Events;
using SentryBrain.Execution;

namespace SentryBrain.Engine;

/// <summary>
/// Positions and open orders as the brain knows them. With a broker, the broker is the source of truth (the feed's
/// positions and orders lines only tell it to look again: the feed may lag our own fills). Without one
/// (<c>TRADE_PAPER=false</c>) they are the feed's last positions and orders lines.
/// </summary>
public sealed class Holdings
{
    private readonly Dictionary<string, FeedPosition> _feedPositions = new(StringComparer.Ordinal);
    private readonly HashSet<(string Symbol, string Side)> _feedOpenOrders = [];

    /// <summary>The broker, once opened; null = decisions only.</summary>
    public IBroker? Broker { get; set; }

    public (long Qty, double AvgEntry) PositionOf(string symbol)
    {
        if (Broker is not null)
        {
            var p = Broker.PositionOf(symbol);
            return p is null ? (0, 0) : (p.Qty, p.AvgEntryPrice);
        }

        if (_feedPositions.TryGetValue(symbol, out var feed) && feed.Qty != 0)
        {
            var qty = (long)Math.Truncate(feed.Qty);
            return (qty, qty != 0 ? Math.Abs(feed.CostBasis / feed.Qty) : 0);
        }

        return (0, 0);
    }

    public bool HasOpenOrder(string symbol, OrderSide side)
        => Broker is not null ? Broker.HasOpenOrder(symbol, side) : _feedOpenOrders.Contains((symbol, side.Wire()));

    /// <summary>A position or an open order on either side: the symbol's exits must keep being managed.</summary>
    public bool IsHeld(string symbol) => PositionOf(symbol).Qty != 0 || HasOpenOrder(symbol, OrderSide.Buy) || HasOpenOrder(symbol, OrderSide.Sell);

    /// <summary>Entries per table (diagnostics): the feed's last positions and open orders (replaced by each line, never pruned: they say what is held).</summary>
    internal (int FeedPositions, int FeedOpenOrders) Counts => (_feedPositions.Count, _feedOpenOrders.Count);

    public void OnPositions(PositionsEvent positions)
    {
        if (Broker is not null)
        {
            Broker.OnFeedUpdate();
            return;
        }

        _feedPositions.Clear();
        foreach (var p in positions.Positions)
        {
            _feedPositions[p.Symbol] = p;
        }
    }

    public void OnOrders(OrdersEvent orders)
    {
        if (Broker is not null)
        {
            Broker.OnFeedUpdate();
            return;
        }

        _feedOpenOrders.Clear();
        foreach (var o in orders.Orders)
        {
            _feedOpenOrders.Add((o.Symbol, o.Side.ToLowerInvariant()));
        }
    }
}
