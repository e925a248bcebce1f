namespace SentryBrain.Strategy;

/// <summary>
/// The composite/consensus strategy as an <see cref="IDecisionPolicy"/>: <see cref="ConsensusStrategy.Decide"/> on
/// the feed's news, 1- and 5-period returns (minutes live, days on daily bars) and RSI. Fixed stop and take profit.
/// </summary>
public sealed class ConsensusPolicy : IDecisionPolicy, IOrderHints
{
    private readonly ConsensusParameters _parameters;
    private readonly ProtectiveLevels _levels;

    /// <summary>Creates the policy.</summary>
    /// <param name="parameters">The consensus knobs (<see cref="ConsensusParameters.From"/>).</param>
    public ConsensusPolicy(ConsensusParameters parameters)
    {
        _parameters = parameters;
        _levels = new ProtectiveLevels(
            parameters.StopLossPct > 0 ? parameters.StopLossPct : null,
            parameters.TakeProfitPct > 0 ? parameters.TakeProfitPct : null);
    }

    /// <inheritdoc/>
    public string Name => DecisionPolicies.Consensus;

    /// <inheritdoc/>
    public bool BuysWithAllCash => false;

    /// <summary>The configured fixed stop loss and take profit, whatever the decision.</summary>
    /// <param name="decision">A consensus decision (not read).</param>
    /// <returns><c>STOP_LOSS_PCT</c> and <c>TAKE_PROFIT_PCT</c> (null when 0).</returns>
    public ProtectiveLevels Levels(in Decision decision) => _levels;

    /// <inheritdoc/>
    public PolicyDecision Decide(in DecisionContext context)
    {
        var market = context.Market;
        var gates = context.Gates;
        var input = new ConsensusInput(
            RegularSession: gates.RegularSession,
            ExitPrice: market.ExitPrice,
            EntryPrice: market.EntryPrice,
            HeldQty: context.Position.Qty,
            AvgEntryPrice: context.Position.AvgEntryPrice,
            HasOpenBuy: gates.HasOpenBuy,
            HasOpenSell: gates.HasOpenSell,
            News: market.News,
            Return1m: market.Return1,
            Return5m: market.Return5,
            Rsi: market.Rsi,
            KillSwitchReason: gates.KillSwitchReason,
            DailyCap: gates.DailyCap,
            InCooldown: gates.InCooldown,
            EntryAllowed: gates.EntryAllowed,
            DrawdownHalted: gates.DrawdownHalted,
            NoNewBuysWindow: gates.NoNewBuysWindow);
        return new PolicyDecision(ConsensusStrategy.Decide(input, _parameters));
    }
}
