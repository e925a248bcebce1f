namespace SentryBrain.Strategy;

/// <summary>
/// Green Light as an <see cref="IDecisionPolicy"/>: for a long without an open sell, the positions-driven exits first
/// (<see cref="PositionExits.Evaluate"/>: daily-target flatten, close losers, health check, scale-out levels), then
/// <see cref="GreenLightStrategy.Decide"/> (stops and targets, the entry gates, the checklist) on inputs read from
/// <see cref="DecisionContext.Market"/>.
/// </summary>
/// <remarks>
/// Without <see cref="DecisionContext.EasternTime"/> (daily bars) the intraday windows are off: no close-losers or
/// health-check exits. A position's VWAP distance is used only when <see cref="HeldPosition.VwapTarget"/>. When the
/// feed's signals are not precomputed, structure, the technical score and momentum are asked for only when they can
/// change the decision (flat, every entry gate open, structure not false, confluence met): the action and reason are
/// the same as with them computed; only a hold's detail token may read <c>technical_unknown</c> where it would have
/// said <c>no_confluence</c>.
/// </remarks>
public sealed class GreenLightPolicy : IDecisionPolicy, IOrderHints
{
    private readonly GreenLightParameters _parameters;
    private readonly PositionExitParameters _exits;
    private readonly PositionExitParameters _dailyExits;

    /// <summary>Creates the policy.</summary>
    /// <param name="parameters">The Green Light knobs (<see cref="GreenLightParameters.From"/>).</param>
    /// <param name="exits">The positions-driven exits (<see cref="PositionExitParameters.From"/>).</param>
    public GreenLightPolicy(GreenLightParameters parameters, PositionExitParameters exits)
    {
        _parameters = parameters;
        _exits = exits;
        _dailyExits = exits with { CloseLossesByEt = null, PortfolioHealthCheckEt = null };
    }

    /// <inheritdoc/>
    public string Name => DecisionPolicies.GreenLight;

    /// <inheritdoc/>
    public bool BuysWithAllCash => false;

    /// <summary>The ATR (or fixed) stop and take profit the decision's signals carry.</summary>
    /// <param name="decision">A Green Light decision.</param>
    /// <returns>Its stop and take-profit distances.</returns>
    public ProtectiveLevels Levels(in Decision decision) => new(decision.Signals.StopPct, decision.Signals.TakeProfitPct);

    /// <inheritdoc/>
    public PolicyDecision Decide(in DecisionContext context)
    {
        var market = context.Market;
        var position = context.Position;
        var gates = context.Gates;
        var held = position.Qty;
        var price = held > 0 ? market.ExitPrice : market.EntryPrice;
        var exits = context.EasternTime is null ? _dailyExits : _exits;
        // Daily bars: any time of day will do, the windows are off.
        var eastern = context.EasternTime ?? DateTime.SpecifyKind(context.Time.Date.AddHours(12), DateTimeKind.Unspecified);
        if (held > 0 && !gates.HasOpenSell)
        {
            var exitInput = new PositionExitInput(held, position.AvgEntryPrice, price, position.ScaleOutLevelsDone, eastern, gates.DailyCap);
            if (PositionExits.Evaluate(exitInput, exits) is { } exit)
            {
                return new PolicyDecision(exit.Decision, exit.ScaleOutLevel);
            }
        }

        var vwapDistance = market.VwapDistancePct(price);
        var zScore = market.ZScore(price);
        bool? structure = null;
        double? technical = null;
        bool? momentum = null;
        if (market.SignalsPrecomputed)
        {
            structure = market.StructureOk();
            technical = market.TechnicalScore();
            momentum = market.MomentumOk();
        }
        else if (held == 0 && gates.FirstClosed(price, _parameters.RegularSessionOnly) is null)
        {
            structure = market.StructureOk();
            // Confluence (and the SPY tighten) failing ends the checklist at green_light_pattern whatever the score.
            var confluence = (zScore <= _parameters.ConfluenceZMax || vwapDistance >= 0)
                && !(gates.SpyBelow200ma && zScore > _parameters.SpyBelow200maZTighten);
            if (structure != false && confluence)
            {
                technical = market.TechnicalScore();
                momentum = _parameters.ScalpSkipMomentum ? null : market.MomentumOk();
            }
        }

        var input = new GreenLightInput(
            RegularSession: gates.RegularSession,
            HeldQty: held,
            AvgEntryPrice: position.AvgEntryPrice,
            CurrentPrice: price,
            PeakPnlPct: position.PeakPnlPct,
            DaysHeld: position.DaysHeld,
            ScaledAtVwap: position.ScaledAtVwap,
            InHealthCheckWindow: context.EasternTime is { } et && PositionExits.IsHealthCheckWindow(et, exits),
            AtrStopPct: null,
            VwapDistancePct: held > 0 && !position.VwapTarget ? null : vwapDistance,
            AtrPct: market.AtrPct(price),
            ZScore: zScore,
            AtrPercentile: market.AtrPercentile,
            StructureOk: structure,
            TechnicalScore: technical,
            MomentumOk: momentum,
            Ofi: market.Ofi,
            Rsi: market.Rsi,
            ProbGain: market.ProbGain,
            KillSwitchReason: gates.KillSwitchReason,
            DailyCap: gates.DailyCap,
            DrawdownHalted: gates.DrawdownHalted,
            NoNewBuysWindow: gates.NoNewBuysWindow,
            HasOpenBuy: gates.HasOpenBuy,
            HasOpenSell: gates.HasOpenSell,
            InCooldown: gates.InCooldown,
            EntryAllowed: gates.EntryAllowed,
            SpyBelow200ma: gates.SpyBelow200ma);
        return new PolicyDecision(GreenLightStrategy.Decide(input, _parameters));
    }
}
