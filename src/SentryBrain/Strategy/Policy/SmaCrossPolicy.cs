using SentryBrain.Backtesting;
using SentryBrain.Signals.Technical;

namespace SentryBrain.Strategy;

/// <summary>
/// The reference crossover as an <see cref="IDecisionPolicy"/>: with today's price p as today's close, when flat buy if
/// SMA<sub>fast</sub>(t) &gt; SMA<sub>slow</sub>(t) ∧ SMA<sub>fast</sub>(t−1) ≤ SMA<sub>slow</sub>(t−1) ∧ Wilder
/// RSI(t) &lt; max (else hold <c>rsi_filter</c>); when long sell everything if SMA<sub>fast</sub>(t) &lt;
/// SMA<sub>slow</sub>(t) ∧ SMA<sub>fast</sub>(t−1) ≥ SMA<sub>slow</sub>(t−1) (reason <c>sma_cross_down</c>).
/// Holds: <c>warming_up</c>, the entry gates' reason (<see cref="EntryGates.FirstClosed"/>), <c>no_cross</c>,
/// <c>holding</c>. Buys take all the cash (<see cref="IOrderHints.BuysWithAllCash"/>); no stop, no target.
/// </summary>
/// <remarks>
/// The averages and RSI come from the feed when it keeps them (<see cref="ICrossoverFeatures"/>: the backtest's daily
/// feed does, with running sums over the whole history, which is what the independent reference implementation and
/// the frozen regression values use). Otherwise they are computed here from <see cref="IMarketFeatures.DailyCloses"/>
/// plus today's price: the same values up to rounding in the last bits (window sums instead of running sums) and an
/// RSI seeded at the start of the 260 known closes instead of the first ever (its weight has decayed below 1e-8).
/// </remarks>
public sealed class SmaCrossPolicy : IDecisionPolicy, IOrderHints
{
    private static readonly DecisionSignals NoSignals = new(null, 0, 0, null, null, 0, 0, null);
    private static readonly PolicyDecision WarmingUp = HoldStep("warming_up");
    private static readonly PolicyDecision RsiFilter = HoldStep("rsi_filter");
    private static readonly PolicyDecision NoCross = HoldStep("no_cross");
    private static readonly PolicyDecision Holding = HoldStep("holding");
    private readonly SmaCrossParameters _p;
    private readonly bool _regularSessionOnly;

    /// <summary>Creates the policy.</summary>
    /// <param name="parameters">Periods and the RSI ceiling (<see cref="SmaCrossParameters.Default"/>: 10, 30, 14, 70).</param>
    /// <param name="regularSessionOnly"><c>STRATEGY_REGULAR_SESSION_ONLY</c>: entries only in the regular session.</param>
    public SmaCrossPolicy(SmaCrossParameters parameters, bool regularSessionOnly = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parameters.Fast, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(parameters.Slow, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(parameters.RsiPeriod, 1);
        _p = parameters;
        _regularSessionOnly = regularSessionOnly;
    }

    /// <summary>The periods and RSI ceiling.</summary>
    public SmaCrossParameters Parameters => _p;

    /// <inheritdoc/>
    public string Name => DecisionPolicies.SmaCross;

    /// <summary>True: a buy spends all the cash (the reference definition).</summary>
    public bool BuysWithAllCash => true;

    /// <summary>None: the crossover has no stop and no target.</summary>
    /// <param name="decision">Not read.</param>
    /// <returns>Both null.</returns>
    public ProtectiveLevels Levels(in Decision decision) => default;

    /// <inheritdoc/>
    public PolicyDecision Decide(in DecisionContext context)
    {
        var market = context.Market;
        var held = context.Position.Qty;
        var price = held > 0 ? market.ExitPrice : market.EntryPrice;
        var v = market is ICrossoverFeatures feed && feed.Crossover(_p) is { } kept ? kept : Compute(market, price);
        // Holds (almost every bar) are shared constants: no signals to build on the hot path.
        if (v.Fast is not { } f || v.Slow is not { } s || v.PreviousFast is not { } pf || v.PreviousSlow is not { } ps)
        {
            return WarmingUp;
        }

        if (held <= 0)
        {
            if (context.Gates.FirstClosed(price, _regularSessionOnly) is { } closed)
            {
                return HoldStep(closed);
            }

            if (f > s && pf <= ps)
            {
                return v.Rsi < _p.RsiMax
                    ? new PolicyDecision(new Decision(TradeAction.Buy, 0, "sma_cross_up", new DecisionSignals(null, 0, 0, v.Rsi, null, 0, price, null)))
                    : RsiFilter;
            }

            return NoCross;
        }

        return f < s && pf >= ps && !context.Gates.HasOpenSell
            ? new PolicyDecision(new Decision(TradeAction.Sell, held, "sma_cross_down", new DecisionSignals(null, 0, 0, v.Rsi, null, 0, price, null)))
            : Holding;
    }

    /// <summary>The crossover values from the completed daily closes and today's price (no state kept).</summary>
    /// <param name="market">The feed.</param>
    /// <param name="price">Today's price, taken as today's close.</param>
    /// <returns>The values; null members while fewer closes are known than a period needs.</returns>
    public CrossoverValues Compute(IMarketFeatures market, double price)
    {
        var count = market.DailyCloseCount;
        var closes = market.DailyCloses(count);
        double? fast = Mean(closes, _p.Fast, price);
        double? slow = Mean(closes, _p.Slow, price);
        double? previousFast = Mean(closes, _p.Fast, null);
        double? previousSlow = Mean(closes, _p.Slow, null);
        var rsi = new WilderRsi(_p.RsiPeriod);
        foreach (var close in closes)
        {
            rsi.Add(close);
        }

        rsi.Add(price);
        return new CrossoverValues(fast, slow, previousFast, previousSlow, rsi.Value);
    }

    /// <summary>Mean of the newest <paramref name="period"/> values of closes (+ <paramref name="today"/> when given).</summary>
    private static double? Mean(ReadOnlySpan<double> closes, int period, double? today)
    {
        var fromHistory = today is null ? period : period - 1;
        if (closes.Length < fromHistory || (today is { } t && !double.IsFinite(t)))
        {
            return null;
        }

        var sum = 0.0;
        foreach (var c in closes[^fromHistory..])
        {
            sum += c;
        }

        return (sum + (today ?? 0)) / period;
    }

    private static PolicyDecision HoldStep(string reason) => new(new Decision(TradeAction.Hold, 0, reason, NoSignals));
}

/// <summary>The values the crossover compares.</summary>
/// <param name="Fast">SMA of the fast period, today's price included.</param>
/// <param name="Slow">SMA of the slow period, today's price included.</param>
/// <param name="PreviousFast">SMA of the fast period at the previous close.</param>
/// <param name="PreviousSlow">SMA of the slow period at the previous close.</param>
/// <param name="Rsi">Wilder RSI, today's price included.</param>
public readonly record struct CrossoverValues(double? Fast, double? Slow, double? PreviousFast, double? PreviousSlow, double? Rsi);

/// <summary>
/// Optional: a feed that keeps running crossover indicators (the backtest's daily feed), so <see cref="SmaCrossPolicy"/>
/// reads them instead of recomputing them from <see cref="IMarketFeatures.DailyCloses"/>.
/// </summary>
public interface ICrossoverFeatures
{
    /// <summary>The crossover values for <paramref name="parameters"/>, or null when this feed does not keep them.</summary>
    /// <param name="parameters">The policy's periods.</param>
    /// <returns>The kept values, or null.</returns>
    CrossoverValues? Crossover(SmaCrossParameters parameters);
}
