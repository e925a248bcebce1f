using SentryBrain.Rules;
using SentryBrain.Signals;

namespace SentryBrain.Strategy;

/// <summary>Everything one decision looks at, gathered by the engine. No I/O, no clock.</summary>
public readonly record struct ConsensusInput(
    bool RegularSession,
    double ExitPrice,
    double EntryPrice,
    long HeldQty,
    double AvgEntryPrice,
    bool HasOpenBuy,
    bool HasOpenSell,
    double? News,
    double Return1m,
    double Return5m,
    double? Rsi,
    string? KillSwitchReason,
    DailyCapState DailyCap,
    bool InCooldown,
    bool EntryAllowed,
    bool DrawdownHalted = false,
    bool NoNewBuysWindow = false);

/// <summary>Parameters of the composite/consensus strategy (from <see cref="Config.BrainConfig"/>).</summary>
public sealed record ConsensusParameters(
    bool UseConsensus,
    int MinSourcesPositive,
    double PositiveThreshold,
    bool UseRsi,
    double MomentumScale1m,
    double MomentumScale5m,
    double StopLossPct,
    double TakeProfitPct,
    bool RegularSessionOnly)
{
    public static ConsensusParameters From(Config.BrainConfig c) => new(
        c.UseConsensus,
        c.ConsensusMinSourcesPositive,
        c.ConsensusPositiveThreshold,
        c.UseTechnicalIndicators,
        c.MomentumScale1m,
        c.MomentumScale5m,
        c.StopLossPct,
        c.TakeProfitPct,
        c.RegularSessionOnly);
}

/// <summary>
/// The reference README's composite/consensus strategy as a pure function. Sources: news sentiment,
/// social (placeholder 0), momentum and, when enabled and warmed up, the RSI score of 1-minute bars.
/// A buy needs at least N sources at or above the threshold. Exits: fixed stop loss and take profit,
/// judged on the price we could sell at. Order of evaluation, first match wins:
/// exits (stop, take profit, pending exit) → the shared entry gates (<see cref="EntryGates.FirstClosed"/>: session,
/// watchlist, kill switch, daily cap, drawdown, no-new-buys time, open order, cooldown, price) → consensus → buy.
/// </summary>
public static class ConsensusStrategy
{
    public static Decision Decide(in ConsensusInput input, ConsensusParameters p)
    {
        var momentum = ConsensusSignals.Momentum(input.Return1m, input.Return5m, p.MomentumScale1m, p.MomentumScale5m);
        double? rsiScore = p.UseRsi && input.Rsi is { } rsi ? ConsensusSignals.RsiScore(rsi) : null;
        var positive = CountPositive(input.News, momentum, rsiScore, p.PositiveThreshold);
        double? pnlPct = input.HeldQty > 0 && input.AvgEntryPrice > 0 && input.ExitPrice > 0
            ? (input.ExitPrice - input.AvgEntryPrice) / input.AvgEntryPrice * 100
            : null;
        var signals = new DecisionSignals(input.News, momentum, ConsensusSignals.Social, input.Rsi, rsiScore, positive, input.HeldQty > 0 ? input.ExitPrice : input.EntryPrice, pnlPct);

        if (input.HeldQty > 0)
        {
            return DecideExit(input, p, signals, pnlPct);
        }

        var gates = new EntryGates(
            input.RegularSession, input.EntryAllowed, input.KillSwitchReason, input.DailyCap, input.DrawdownHalted,
            input.NoNewBuysWindow, input.HasOpenBuy, input.HasOpenSell, input.InCooldown, SpyBelow200ma: false);
        if (gates.FirstClosed(input.EntryPrice, p.RegularSessionOnly) is { } closed)
        {
            return Hold(closed, signals);
        }

        if (p.UseConsensus)
        {
            return positive >= p.MinSourcesPositive
                ? new Decision(TradeAction.Buy, 0, "consensus_buy", signals)
                : Hold("consensus_not_met", signals);
        }

        var composite = Composite(input.News, momentum, rsiScore);
        return composite >= p.PositiveThreshold
            ? new Decision(TradeAction.Buy, 0, "composite_buy", signals)
            : Hold("composite_below_threshold", signals);
    }

    /// <summary>Number of sources at or above the threshold; absent sources (no news, RSI warming up) do not count.</summary>
    public static int CountPositive(double? news, double momentum, double? rsiScore, double threshold)
    {
        var n = 0;
        if (news >= threshold)
        {
            n++;
        }

        if (ConsensusSignals.Social >= threshold)
        {
            n++;
        }

        if (momentum >= threshold)
        {
            n++;
        }

        if (rsiScore >= threshold)
        {
            n++;
        }

        return n;
    }

    /// <summary>Mean of the sources, absent ones counting as 0 (the reference's composite).</summary>
    public static double Composite(double? news, double momentum, double? rsiScore)
    {
        var sum = (news ?? 0) + ConsensusSignals.Social + momentum;
        var count = 3;
        if (rsiScore is { } r)
        {
            sum += r;
            count++;
        }

        return ConsensusSignals.Clamp(sum / count);
    }

    private static Decision DecideExit(in ConsensusInput input, ConsensusParameters p, DecisionSignals signals, double? pnlPct)
    {
        if (input.HasOpenSell)
        {
            return Hold("exit_pending", signals);
        }

        if (pnlPct is { } pl)
        {
            if (pl <= -p.StopLossPct)
            {
                return new Decision(TradeAction.Sell, input.HeldQty, "stop_loss", signals);
            }

            if (p.TakeProfitPct > 0 && pl >= p.TakeProfitPct)
            {
                return new Decision(TradeAction.Sell, input.HeldQty, "take_profit", signals);
            }
        }

        return Hold("holding", signals);
    }

    private static Decision Hold(string reason, DecisionSignals signals) => new(TradeAction.Hold, 0, reason, signals);
}
