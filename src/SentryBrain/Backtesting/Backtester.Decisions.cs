using SentryBrain.Execution;
using SentryBrain.Learning;
using SentryBrain.Rules;
using SentryBrain.Strategy;

namespace SentryBrain.Backtesting;

public static partial class Backtester
{
    /// <summary>
    /// At the close: a symbol with a bar is decided by the live <see cref="IDecisionPolicy"/> (with the screen's list as
    /// the buy gate), and a buy (sized by the live rules) or a sell becomes the symbol's one pending order; with
    /// <c>BACKTEST_FILL_AT_NEXT_OPEN=false</c> it fills at once, at the close.
    /// </summary>
    private sealed partial class Simulation
    {
        private PolicyDecision Decide(int s, int t, DateOnly date, DailyCapState capState, bool halted, bool spyBelow)
        {
            var close = _panel.Close[s][t];
            _mark[s] = close;
            var qty = _qty[s];
            double? peak = null;
            if (qty > 0 && GreenLightStrategy.PnlPct(qty, _avg[s], close) is { } pnl)
            {
                _peakPnl[s] = double.IsNaN(_peakPnl[s]) ? pnl : Math.Max(_peakPnl[s], pnl);
                peak = _peakPnl[s];
            }

            var features = _features[s];
            features.Observe(close);
            if (_news is not null)
            {
                features.ObserveNews(_news.Fresh(s, _decisionAt));
            }

            var position = new HeldPosition(qty, _avg[s], peak, qty > 0 ? date.DayNumber - _entryDate[s].DayNumber : 0, _scaledAtVwap[s], _levelsDone[s], VwapTarget: false);
            var gates = new EntryGates(
                RegularSession: true,
                EntryAllowed: _screen?.IsListed(s) ?? true, // the live watchlist gate: only buys need the list
                KillSwitchReason: _killSwitch,
                DailyCap: capState,
                DrawdownHalted: halted,
                NoNewBuysWindow: false,
                HasOpenBuy: _pendingSide[s] == TradeAction.Buy,
                HasOpenSell: _pendingSide[s] == TradeAction.Sell,
                InCooldown: false,
                SpyBelow200ma: spyBelow);
            // A daily bar has no time of day: no EasternTime, so no intraday windows.
            var context = new DecisionContext(_panel.Symbols[s], date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), null, position, gates, features);
            var step = _policy.Decide(context);
            step = step with { Decision = LearningSignals.Enrich(step.Decision, features) };
            features.Add(_panel.High[s][t], _panel.Low[s][t], close);
            if (_options.RecordDecisions || step.Decision.Action != TradeAction.Hold)
            {
                _decisions.Add(new DecisionRecord(date, _panel.Symbols[s], step.Decision.Action, step.Decision.Qty, step.Decision.Reason, step.Decision.Signals.News));
            }

            if (qty > 0 && step.Decision.Action == TradeAction.Hold)
            {
                // Keep the latest stop/take-profit distances of the held position for tomorrow's intrabar check.
                KeepLevels(s, step.Decision);
            }

            return step;
        }

        /// <summary>The stop and take-profit distances (%) of <paramref name="decision"/> for the intrabar check; NaN where the policy sets none.</summary>
        private void KeepLevels(int s, in Decision decision)
        {
            var levels = _hints?.Levels(decision);
            _stopPct[s] = levels?.StopPct ?? double.NaN;
            _takeProfitPct[s] = levels?.TakeProfitPct ?? double.NaN;
        }

        private void Act(int s, DateOnly date, PolicyDecision step, double equity, double close)
        {
            var decision = step.Decision;
            if (decision.Action == TradeAction.Hold || _pendingSide[s] != TradeAction.Hold)
            {
                return;
            }

            if (decision.Action == TradeAction.Buy)
            {
                if (BlockedByRule(s, date, decision))
                {
                    return; // before sizing, as a hold: no order
                }

                long qty;
                if (_hints?.BuysWithAllCash == true)
                {
                    qty = long.MaxValue; // floor(cash / fill price) at the fill
                }
                else
                {
                    // The live consumer's sizing; the correlation reduction is not applied in backtests.
                    qty = OrderPlanning.SizedBuyQty(_config, equity, close, _qty[s], _features[s].Atr, _tripReturns, correlatedWithHolding: false, _spyBelow);
                    if (qty <= 0)
                    {
                        return;
                    }
                }

                KeepLevels(s, decision);
                Queue(s, TradeAction.Buy, qty, decision.Reason, null);
                _news?.Entered(s, _decisionAt, onNews: _features[s].News is not null); // one headline, one entry
            }
            else
            {
                var qty = Math.Min(decision.Qty <= 0 ? _qty[s] : decision.Qty, _qty[s]);
                if (qty <= 0)
                {
                    return;
                }

                // Scale-out progress is remembered when the order is sent, as live (a level is never retried).
                if (step.ScaleOutLevel is { } level)
                {
                    _levelsDone[s] = PositionExits.MarkDone(_levelsDone[s], level);
                }
                else if (decision.Reason == "scale_out_50_at_vwap")
                {
                    _scaledAtVwap[s] = true;
                }

                Queue(s, TradeAction.Sell, qty, decision.Reason, step.ScaleOutLevel);
            }

            if (!_options.FillAtNextOpen)
            {
                FillAt(s, date, close);
            }
        }

        private void Queue(int s, TradeAction side, long qty, string reason, int? scaleOut)
        {
            _pendingSide[s] = side;
            _pendingQty[s] = qty;
            _pendingReason[s] = reason;
            _pendingScaleOut[s] = scaleOut;
            _pendingSignals[s] = _acting;
            _pendingCount++;
        }
    }
}
