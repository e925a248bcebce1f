namespace SentryBrain.Learning;

/// <summary>
/// One closed trade of a ghost model or of the live strategy (<see cref="ShadowModels.Live"/>): <see cref="Qty"/>
/// shares bought for <see cref="Cost"/> in total (adds included), closed for a P&amp;L of <see cref="Pnl"/> (currency).
/// Its return is on its own cost, so an add weighs by its quantity (the reference overwrote the entry).
/// </summary>
/// <param name="Reason"><c>stop</c> or <c>take_profit</c> (the ghost's own exit), <c>live_exit</c> (closed with the live position), or <c>live</c>.</param>
public sealed record ShadowTrade(string Model, string Symbol, DateTime EntryTs, DateTime ExitTs, long Qty, double Cost, double Pnl, string Reason)
{
    /// <summary>P&amp;L on cost, percent.</summary>
    public double ReturnPct => Cost > 0 ? Pnl / Cost * 100 : 0;
}

/// <summary>
/// Statistics of a list of trades (oldest first): win rate (P&amp;L &gt; 0), total return = Σ of the trades' returns
/// (percent of each trade's cost), average = total / trades, and the maximum drawdown of the cumulative return
/// (the largest fall of Σ returns from its running peak, the peak starting at 0), in percentage points.
/// </summary>
public readonly record struct ShadowStats(int Trades, double WinRate, double TotalReturnPct, double AvgReturnPct, double MaxDrawdownPct)
{
    public static ShadowStats Of(IEnumerable<ShadowTrade> trades)
    {
        var n = 0;
        var wins = 0;
        var cumulative = 0.0;
        var peak = 0.0;
        var drawdown = 0.0;
        foreach (var trade in trades)
        {
            n++;
            wins += trade.Pnl > 0 ? 1 : 0;
            cumulative += trade.ReturnPct;
            peak = Math.Max(peak, cumulative);
            drawdown = Math.Max(drawdown, peak - cumulative);
        }

        return n == 0 ? default : new ShadowStats(n, (double)wins / n, cumulative, cumulative / n, drawdown);
    }
}

/// <summary>The daily promotion check of one model against live over the same window.</summary>
public sealed record ShadowVerdict(string Model, ShadowStats Ghost, ShadowStats Live, bool Promote);

/// <summary>
/// Promotion (BEHAVIOR.md §6.4, which the reference never ran): a model is promoted when it has at least
/// <see cref="MinTrades"/> trades in its window (its last 1,000) and its total return beats the live strategy's over
/// the same window: the live trades entered at or after the entry of the model's first trade in the window (all kept
/// live trades while the model has none).
/// </summary>
public static class ShadowPromotion
{
    public const int MinTrades = 30;

    public static ShadowVerdict Check(string model, IReadOnlyList<ShadowTrade> ghost, IReadOnlyList<ShadowTrade> live)
    {
        var start = DateTime.MinValue;
        if (ghost.Count > 0)
        {
            start = DateTime.MaxValue;
            foreach (var trade in ghost)
            {
                start = trade.EntryTs < start ? trade.EntryTs : start;
            }
        }

        var g = ShadowStats.Of(ghost);
        var l = ShadowStats.Of(live.Where(t => t.EntryTs >= start));
        return new ShadowVerdict(model, g, l, g.Trades >= MinTrades && g.TotalReturnPct > l.TotalReturnPct);
    }
}
