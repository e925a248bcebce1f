using SentryBrain.Rules;

namespace SentryBrain.Strategy;

/// <summary>
/// The reference brain's "Green Light" strategy (BEHAVIOR §4, §5) as a pure function: no I/O, no clock, no
/// configuration reading. Reasons are stable codes without numbers; the numbers behind them are in
/// <see cref="Decision.Signals"/>. All percentages are in percent (1.0 = 1 %).
/// </summary>
/// <remarks>
/// <para><b>Stops and targets.</b> ATR stop % = <see cref="GreenLightInput.AtrStopPct"/>, or when that is unknown
/// <see cref="GreenLightInput.AtrPct"/> × <see cref="GreenLightParameters.AtrStopMultiple"/>. Stop = ATR stop % when
/// <see cref="GreenLightParameters.UseAtrStop"/> and the ATR stop is known, else
/// <see cref="GreenLightParameters.StopLossPct"/> (0 ⇒ off). Take profit = ATR stop % ×
/// <see cref="GreenLightParameters.TakeProfitRMultiple"/> while the ATR stop is in force (an R multiple of the stop
/// actually used, as the reference code does), else <see cref="GreenLightParameters.TakeProfitPct"/> (0 ⇒ off).
/// P&amp;L is computed here (<see cref="PnlPct"/>) from the average entry and the current price; the peak is the
/// larger of the caller's peak and the current P&amp;L.</para>
/// <para><b>Order of evaluation</b> (first match wins; numbers are BEHAVIOR §4's steps).
/// Short position (qty &lt; 0) ⇒ hold <c>short_position_not_managed</c>.
/// Long position (qty &gt; 0), exits, in every session and whatever the entry gates say:
/// open sell ⇒ hold <c>exit_pending</c>;
/// 2. health-check window ∧ P&amp;L &lt; 0 ⇒ <c>portfolio_health_check_loser</c>;
/// 3. P&amp;L ≤ −stop ⇒ <c>stop_loss</c>;
/// 4. take-profit-at-VWAP ∧ scale-out-50 ∧ not yet scaled ∧ VWAP distance ≥ 0 ⇒ sell max(1, qty / 2)
/// <c>scale_out_50_at_vwap</c> (the caller then sets <see cref="GreenLightInput.ScaledAtVwap"/>);
/// 5. take-profit-at-VWAP ∧ VWAP distance ≥ 0 ⇒ <c>take_profit_at_vwap</c>;
/// 6. take profit on ∧ P&amp;L ≥ take profit ⇒ <c>take_profit</c>;
/// 7. trailing-ATR-above-VWAP ∧ VWAP distance ≥ 0 ∧ ATR known: price ≤ entry·(1 + peak/100) −
/// <see cref="GreenLightParameters.TrailingAtrMultiple"/>·ATR$ ⇒ <c>trailing_atr_above_vwap</c>, where ATR$ =
/// price·ATR%/100 (or price·ATR stop %/100/<see cref="GreenLightParameters.AtrStopMultiple"/>). <b>Unreachable while
/// step 5 is on</b> (any VWAP distance ≥ 0 already sold at step 5); the order is kept as the reference's and the step
/// works when <see cref="GreenLightParameters.TakeProfitAtVwap"/> is off;
/// 8. breakeven-halfway-to-VWAP ∧ VWAP distance known: VWAP = price/(1 + distance/100) &gt; entry ∧ (peak price −
/// entry)/(VWAP − entry) ≥ 0.5 ∧ P&amp;L ≤ 0 ⇒ <c>breakeven_halfway_to_vwap</c>;
/// 9. breakeven activation on ∧ peak ≥ activation ∧ P&amp;L ≤ 0 ⇒ <c>breakeven</c>;
/// 10. trailing activation and distance on ∧ peak ≥ activation ∧ P&amp;L &lt; peak − distance ⇒ <c>trailing_stop</c>;
/// 11. max hold on ∧ days held ≥ max ⇒ <c>max_hold_days</c>;
/// otherwise hold <c>holding</c> (no adding to a position; the reference said <c>green_light_not_met</c>).
/// Flat (qty = 0), entry gates: 1. regular-session-only ∧ not regular ⇒ <c>session_closed</c>;
/// not on the watchlist ⇒ <c>not_on_watchlist</c>; 12. kill switch ⇒ the caller's reason (<c>kill_switch_*</c>);
/// 13. daily cap ⇒ <c>daily_cap_reached</c> / <c>daily_loss_cap_reached</c>; 14. drawdown ⇒ <c>drawdown_halt</c>;
/// no-new-buys time ⇒ <c>no_new_buys_after</c>; open buy or sell ⇒ <c>order_pending</c>; cooldown ⇒
/// <c>cooldown</c>; no price ⇒ <c>no_price</c> (the shared gates, <see cref="EntryGates.FirstClosed"/>);
/// 15. the checklist, first failing item wins: (1) structure explicitly false ⇒ <c>green_light_structure</c>;
/// (2) pattern: technical score known and ≥ <see cref="GreenLightParameters.TechnicalMinForEntry"/>, and confluence
/// (Z ≤ <see cref="GreenLightParameters.ConfluenceZMax"/> ∨ VWAP distance ≥ 0), and while SPY is below its 200-day
/// SMA Z ≤ <see cref="GreenLightParameters.SpyBelow200maZTighten"/> when Z is known, else <c>green_light_pattern</c>;
/// (3) momentum (unless <see cref="GreenLightParameters.ScalpSkipMomentum"/>) must be known and true, else
/// <c>green_light_momentum</c>; (4) OFI unknown or ≥ <see cref="GreenLightParameters.OfiSurgeForEntry"/>, else
/// <c>green_light_ofi</c>; (5) RSI &gt; <see cref="GreenLightParameters.RsiOverbought"/> needs OFI ≥
/// <see cref="GreenLightParameters.RsiOverboughtOfiMin"/>, else <c>green_light_rsi_overbought</c>; (6) prob_gain ≥
/// <see cref="GreenLightParameters.ProbGainThreshold"/>, else <c>green_light_prob_gain</c> (the reference fell
/// through to <c>green_light_not_met</c>); all pass ⇒ buy <c>green_light_4pt</c> with qty 0 (the engine sizes it).
/// <see cref="DecisionSignals.Detail"/> names the failing sub-condition and the unknown inputs that passed
/// (<c>structure_unknown</c>, <c>ofi_unknown</c>).</para>
/// <para><b>Deliberate fixes vs the reference</b> (BEHAVIOR §12 weaknesses 9, 10, 11, 15, 16, 21):
/// exits are evaluated in every session, the session gate blocks entries only (the reference's step 1 blocked exits
/// too); the watchlist gates entries only, so held symbols off the watchlist get every exit (16); every sell is for
/// the whole position, no 12-share cap (15), except step 4 which sells half; a short is not treated as flat: entries
/// are blocked while short and no long exit fires on it (21); ATR, VWAP and Z are supplied live, so steps 3–8 work
/// (9); step 8 measures "halfway to VWAP" at the peak price instead of the current price — the reference's test
/// (current − entry)/(VWAP − entry) ≥ 0.5 with VWAP &gt; entry implies P&amp;L &gt; 0, so together with P&amp;L ≤ 0
/// it could never fire; missing data passes only for structure and OFI (logged in the detail), while an unknown
/// technical score, unknown confluence (Z and VWAP both unknown) or unknown momentum now fail their item (10); an
/// unknown RSI raises no overbought veto; <c>NO_NEW_BUYS_AFTER_ET</c> and the SPY Z tighten are enforced (11);
/// buy qty is 0 (the reference put a placeholder 1).</para>
/// </remarks>
public static class GreenLightStrategy
{
    public static Decision Decide(in GreenLightInput input, GreenLightParameters p)
    {
        var atrPct = Positive(input.AtrPct);
        var atrStopPct = Positive(input.AtrStopPct) ?? (atrPct is { } a && p.AtrStopMultiple > 0 ? a * p.AtrStopMultiple : null);
        var atrStopInUse = p.UseAtrStop && atrStopPct is not null;
        double? stopPct = atrStopInUse ? atrStopPct : p.StopLossPct > 0 ? p.StopLossPct : null;
        double? takeProfitPct = atrStopInUse && p.TakeProfitRMultiple > 0
            ? atrStopPct * p.TakeProfitRMultiple
            : p.TakeProfitPct > 0 ? p.TakeProfitPct : null;
        var pnl = PnlPct(input.HeldQty, input.AvgEntryPrice, input.CurrentPrice);
        var peak = Finite(input.PeakPnlPct);
        if (pnl is { } current)
        {
            peak = Math.Max(peak ?? current, current);
        }

        var signals = new DecisionSignals(
            News: null,
            Momentum: 0,
            Social: 0,
            Rsi: Finite(input.Rsi),
            RsiScore: null,
            PositiveSources: 0,
            Price: input.CurrentPrice,
            PnlPct: pnl,
            PeakPnlPct: peak,
            StopPct: stopPct,
            TakeProfitPct: takeProfitPct,
            AtrStopPct: atrStopPct,
            AtrPct: atrPct,
            VwapDistancePct: Finite(input.VwapDistancePct),
            ZScore: Finite(input.ZScore),
            AtrPercentile: Finite(input.AtrPercentile),
            StructureOk: input.StructureOk,
            TechnicalScore: Finite(input.TechnicalScore),
            MomentumOk: input.MomentumOk,
            Ofi: Finite(input.Ofi),
            ProbGain: input.ProbGain);

        if (input.HeldQty < 0)
        {
            return Hold("short_position_not_managed", signals);
        }

        return input.HeldQty > 0 ? DecideExit(input, p, signals) : DecideEntry(input, p, signals);
    }

    /// <summary>
    /// Unrealized P&amp;L in percent of the average entry: long (price − entry)/entry·100, short (entry −
    /// price)/entry·100; null when flat or a price is not positive.
    /// </summary>
    public static double? PnlPct(long qty, double avgEntryPrice, double price)
    {
        if (qty == 0 || !(avgEntryPrice > 0) || !(price > 0) || !double.IsFinite(avgEntryPrice) || !double.IsFinite(price))
        {
            return null;
        }

        return qty > 0
            ? (price - avgEntryPrice) / avgEntryPrice * 100
            : (avgEntryPrice - price) / avgEntryPrice * 100;
    }

    private static Decision DecideExit(in GreenLightInput input, GreenLightParameters p, in DecisionSignals s)
    {
        var qty = input.HeldQty;
        var pnl = s.PnlPct;
        var peak = s.PeakPnlPct;
        var distance = s.VwapDistancePct;
        var price = input.CurrentPrice;
        var entry = input.AvgEntryPrice;
        var pricesKnown = entry > 0 && price > 0 && double.IsFinite(entry) && double.IsFinite(price);

        if (input.HasOpenSell)
        {
            return Hold("exit_pending", s);
        }

        // 2. Portfolio health check.
        if (input.InHealthCheckWindow && pnl < 0)
        {
            return Sell(qty, "portfolio_health_check_loser", s);
        }

        // 3. Stop loss (ATR or fixed).
        if (s.StopPct is { } stop && pnl <= -stop)
        {
            return Sell(qty, "stop_loss", s);
        }

        // 4. Scale out half at VWAP, once.
        if (p.TakeProfitAtVwap && p.ScaleOut50AtVwap && !input.ScaledAtVwap && distance >= 0)
        {
            return Sell(Math.Max(1, qty / 2), "scale_out_50_at_vwap", s);
        }

        // 5. Take profit at VWAP.
        if (p.TakeProfitAtVwap && distance >= 0)
        {
            return Sell(qty, "take_profit_at_vwap", s);
        }

        // 6. Take profit (ATR R multiple or fixed).
        if (s.TakeProfitPct is { } takeProfit && pnl >= takeProfit)
        {
            return Sell(qty, "take_profit", s);
        }

        // 7. ATR trail above VWAP (unreachable while step 5 is on).
        if (p.TrailingAtrAboveVwap && distance >= 0 && pricesKnown && peak is { } peakPct
            && AtrPrice(price, s.AtrPct, s.AtrStopPct, p.AtrStopMultiple) is { } atr)
        {
            var peakPrice = entry * (1 + (peakPct / 100));
            if (price <= peakPrice - (p.TrailingAtrMultiple * atr))
            {
                return Sell(qty, "trailing_atr_above_vwap", s);
            }
        }

        // 8. Breakeven once the peak got halfway from entry to VWAP.
        if (p.BreakevenAtHalfwayToVwap && distance is { } d && pricesKnown && peak is { } best && pnl <= 0)
        {
            var vwap = price / (1 + (d / 100));
            if (vwap > entry)
            {
                var peakPrice = entry * (1 + (best / 100));
                if ((peakPrice - entry) / (vwap - entry) >= 0.5)
                {
                    return Sell(qty, "breakeven_halfway_to_vwap", s);
                }
            }
        }

        // 9. Breakeven.
        if (p.BreakevenActivationPct > 0 && peak >= p.BreakevenActivationPct && pnl <= 0)
        {
            return Sell(qty, "breakeven", s);
        }

        // 10. Trailing stop on P&L.
        if (p.TrailingStopActivationPct > 0 && p.TrailingStopPct > 0 && peak is { } top
            && top >= p.TrailingStopActivationPct && pnl < top - p.TrailingStopPct)
        {
            return Sell(qty, "trailing_stop", s);
        }

        // 11. Time stop.
        if (p.MaxHoldDays > 0 && input.DaysHeld >= p.MaxHoldDays)
        {
            return Sell(qty, "max_hold_days", s);
        }

        return Hold("holding", s);
    }

    private static Decision DecideEntry(in GreenLightInput input, GreenLightParameters p, in DecisionSignals s)
    {
        var gates = new EntryGates(
            input.RegularSession, input.EntryAllowed, input.KillSwitchReason, input.DailyCap, input.DrawdownHalted,
            input.NoNewBuysWindow, input.HasOpenBuy, input.HasOpenSell, input.InCooldown, input.SpyBelow200ma);
        if (gates.FirstClosed(input.CurrentPrice, p.RegularSessionOnly) is { } closed)
        {
            return Hold(closed, s);
        }

        return Checklist(input, p, s);
    }

    private static Decision Checklist(in GreenLightInput input, GreenLightParameters p, in DecisionSignals s)
    {
        // (1) Structure: only an explicit false blocks.
        if (input.StructureOk == false)
        {
            return Hold("green_light_structure", s);
        }

        var unknown = input.StructureOk is null ? "structure_unknown" : null;

        // (2) Pattern at confluence.
        if (s.TechnicalScore is not { } technical)
        {
            return Hold("green_light_pattern", Detail(s, unknown, "technical_unknown"));
        }

        if (technical < p.TechnicalMinForEntry)
        {
            return Hold("green_light_pattern", Detail(s, unknown, "technical_below_min"));
        }

        var z = s.ZScore;
        var distance = s.VwapDistancePct;
        if (z is null && distance is null)
        {
            return Hold("green_light_pattern", Detail(s, unknown, "confluence_unknown"));
        }

        if (!(z <= p.ConfluenceZMax || distance >= 0))
        {
            return Hold("green_light_pattern", Detail(s, unknown, "no_confluence"));
        }

        if (input.SpyBelow200ma && z > p.SpyBelow200maZTighten)
        {
            return Hold("green_light_pattern", Detail(s, unknown, "spy_below_200ma_z"));
        }

        // (3) Momentum.
        if (!p.ScalpSkipMomentum && input.MomentumOk != true)
        {
            return Hold("green_light_momentum", Detail(s, unknown, input.MomentumOk is null ? "momentum_unknown" : null));
        }

        // (4) Order-flow imbalance: unknown passes.
        if (s.Ofi < p.OfiSurgeForEntry)
        {
            return Hold("green_light_ofi", Detail(s, unknown, null));
        }

        if (s.Ofi is null)
        {
            unknown = unknown is null ? "ofi_unknown" : unknown + ",ofi_unknown";
        }

        // (5) Overbought RSI needs order-flow support.
        if (s.Rsi > p.RsiOverbought && !(s.Ofi >= p.RsiOverboughtOfiMin))
        {
            return Hold("green_light_rsi_overbought", Detail(s, unknown, null));
        }

        // (6) prob_gain.
        if (!(input.ProbGain >= p.ProbGainThreshold))
        {
            return Hold("green_light_prob_gain", Detail(s, unknown, null));
        }

        return new Decision(TradeAction.Buy, 0, "green_light_4pt", Detail(s, unknown, null));
    }

    /// <summary>ATR in price units: from ATR % when known, else from the ATR stop % and its multiple.</summary>
    private static double? AtrPrice(double price, double? atrPct, double? atrStopPct, double atrStopMultiple)
    {
        if (atrPct is { } a)
        {
            return price * a / 100;
        }

        return atrStopPct is { } stop && atrStopMultiple > 0 ? price * stop / 100 / atrStopMultiple : null;
    }

    private static DecisionSignals Detail(in DecisionSignals s, string? first, string? second)
    {
        var detail = first is null ? second : second is null ? first : first + "," + second;
        return s with { Detail = detail };
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private static double? Positive(double? value) => value is { } v && double.IsFinite(v) && v > 0 ? v : null;

    private static Decision Sell(long qty, string reason, in DecisionSignals signals) => new(TradeAction.Sell, qty, reason, signals);

    private static Decision Hold(string reason, in DecisionSignals signals) => new(TradeAction.Hold, 0, reason, signals);
}
