namespace SentryBrain.Execution.Alpaca;

/// <summary>An order the brain believes is open (from its own store).</summary>
public sealed record LocalOpenOrder(string ClientOrderId, string Symbol, string Side, decimal Qty);

/// <summary>A position whose local and broker quantities differ; the broker's quantity is adopted.</summary>
public sealed record PositionDifference(string Symbol, decimal LocalQty, decimal BrokerQty, decimal BrokerAvgEntryPrice);

/// <summary>What start-up reconciliation found; every item is to be journaled.</summary>
public sealed record ReconciliationResult(
    IReadOnlyList<AlpacaOrder> AdoptedOrders,
    IReadOnlyList<LocalOpenOrder> MissingAtBroker,
    IReadOnlyList<PositionDifference> AdoptedPositions)
{
    public bool InSync => AdoptedOrders.Count == 0 && MissingAtBroker.Count == 0 && AdoptedPositions.Count == 0;
}

/// <summary>
/// Start-up reconciliation as a pure function: the broker is the truth. Open orders the brain does not know are
/// adopted (so the open-order guard sees them and no double buy follows); orders the brain thinks are open but the
/// broker does not list are marked (the caller looks each up by <c>client_order_id</c> to learn its final state);
/// positions are replaced by the broker's, and every difference is reported.
/// </summary>
public static class Reconciliation
{
    public static ReconciliationResult Reconcile(
        IReadOnlyList<LocalOpenOrder> localOpenOrders,
        IReadOnlyDictionary<string, decimal> localPositions,
        IReadOnlyList<AlpacaOrder> brokerOpenOrders,
        IReadOnlyList<AlpacaPosition> brokerPositions)
    {
        var local = localOpenOrders.Select(o => o.ClientOrderId).ToHashSet(StringComparer.Ordinal);
        var broker = brokerOpenOrders.Select(o => o.ClientOrderId).ToHashSet(StringComparer.Ordinal);
        var adopted = brokerOpenOrders.Where(o => !local.Contains(o.ClientOrderId)).OrderBy(o => o.ClientOrderId, StringComparer.Ordinal).ToList();
        var missing = localOpenOrders.Where(o => !broker.Contains(o.ClientOrderId)).OrderBy(o => o.ClientOrderId, StringComparer.Ordinal).ToList();

        var differences = new List<PositionDifference>();
        var brokerBySymbol = new Dictionary<string, AlpacaPosition>(StringComparer.Ordinal);
        foreach (var p in brokerPositions)
        {
            brokerBySymbol[p.Symbol] = p;
        }

        foreach (var symbol in brokerBySymbol.Keys.Union(localPositions.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var localQty = localPositions.GetValueOrDefault(symbol);
            var brokerPosition = brokerBySymbol.GetValueOrDefault(symbol);
            var brokerQty = brokerPosition is null ? 0 : SignedQty(brokerPosition);
            if (localQty != brokerQty)
            {
                differences.Add(new PositionDifference(symbol, localQty, brokerQty, brokerPosition?.AvgEntryPrice ?? 0));
            }
        }

        return new ReconciliationResult(adopted, missing, differences);
    }

    /// <summary>Alpaca reports short positions with side "short" and (in some versions) a positive qty.</summary>
    private static decimal SignedQty(AlpacaPosition p) =>
        p.Side.Equals("short", StringComparison.OrdinalIgnoreCase) ? -Math.Abs(p.Qty) : Math.Abs(p.Qty);
}
