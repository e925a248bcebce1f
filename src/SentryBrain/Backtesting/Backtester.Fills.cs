using SentryBrain.Execution;
using SentryBrain.Learning;
using SentryBrain.Market;
using SentryBrain.Strategy;

namespace SentryBrain.Backtesting;

public static partial class Backtester
{
    /// <summary>
    /// Order simulation: pending orders fill at the open (sells first) or at the close, with slippage against us and a
    /// commission per fill; held positions' stop and take-profit levels are checked against the bar's range; a position
    /// sold to zero becomes a <see cref="RoundTrip"/>. With <see cref="BacktestOptions.Experience"/>, every fill is also an
    /// experience line (<see cref="ExperienceRows"/>, as live): time = the fill day's 16:00 New York, a trade id per round
    /// trip, an entry with the signals of the decision that queued it, an exit with its trade's first entry and the
    /// P&amp;L of its quantity against the average entry (slippage included, commission not).
    /// </summary>
    private sealed partial class Simulation
    {
        private void FillPending(int t, DateOnly date)
        {
            // Sells first: their cash pays for today's buys.
            for (var pass = 0; pass < 2 && _pendingCount > 0; pass++)
            {
                var side = pass == 0 ? TradeAction.Sell : TradeAction.Buy;
                for (var s = 0; s < _n; s++)
                {
                    if (_pendingSide[s] == side && _panel.HasBar(s, t))
                    {
                        FillAt(s, date, _panel.Open[s][t]);
                    }
                }
            }
        }

        private void FillAt(int s, DateOnly date, double price)
        {
            var side = _pendingSide[s];
            var reason = _pendingReason[s] ?? string.Empty;
            var qty = _pendingQty[s];
            var signals = _pendingSignals[s];
            _pendingSide[s] = TradeAction.Hold;
            _pendingReason[s] = null;
            _pendingSignals[s] = null;
            _pendingCount--;
            if (side == TradeAction.Buy)
            {
                Buy(s, date, price, qty, reason, signals);
            }
            else if (side == TradeAction.Sell)
            {
                Sell(s, date, price, Math.Min(qty, _qty[s]), reason);
            }
        }

        private void Buy(int s, DateOnly date, double price, long qty, string reason, DecisionSignals? signals)
        {
            var fillPrice = price * (1 + (_options.SlippageBps / 10_000));
            var commission = _options.CommissionPerTrade;
            var affordable = OrderPlanning.AffordableQty(_cash - commission, fillPrice);
            qty = Math.Min(qty, affordable);
            if (qty <= 0)
            {
                return;
            }

            var cost = (qty * fillPrice) + commission;
            _cash -= cost;
            var opens = _qty[s] == 0;
            if (opens)
            {
                _entryDate[s] = date;
                _peakPnl[s] = double.NaN;
                _scaledAtVwap[s] = false;
                _levelsDone[s] = 0;
                _tripCost[s] = 0;
                _tripProceeds[s] = 0;
                _tripBought[s] = 0;
                _tripSold[s] = 0;
                _tripExits[s] = 0;
                _tripEntryReason[s] = reason;
            }

            _avg[s] = ((_avg[s] * _qty[s]) + (qty * fillPrice)) / (_qty[s] + qty);
            _qty[s] += qty;
            _mark[s] = price;
            _tripCost[s] += cost;
            _tripBought[s] += qty;
            _fills.Add(new BacktestFill(date, _panel.Symbols[s], "buy", qty, fillPrice, commission, reason));
            if (_experience is not null)
            {
                var symbol = _panel.Symbols[s];
                var tradeId = opens || _tripEntry[s] is null ? $"bt-{symbol}-{date:yyyyMMdd}-{++_tripSeq}" : _tripEntry[s]!.TradeId;
                var line = ExperienceRows.Entry(symbol, ExperienceTs(date), tradeId, null, fillPrice, qty, reason, signals, ExperienceRows.Backtest);
                if (opens || _tripEntry[s] is null)
                {
                    _tripEntry[s] = line;
                }

                _experience(line);
            }
        }

        /// <summary>An experience line's time: the fill day's session close, 16:00 New York, in UTC.</summary>
        private static DateTime ExperienceTs(DateOnly date) => NewYorkTime.ToUtc(date, NewYorkTime.RegularClose);

        private void Sell(int s, DateOnly date, double price, long qty, string reason)
        {
            if (qty <= 0)
            {
                return;
            }

            var fillPrice = price * (1 - (_options.SlippageBps / 10_000));
            var commission = _options.CommissionPerTrade;
            if (_experience is not null)
            {
                _experience(ExperienceRows.Exit(_tripEntry[s], _panel.Symbols[s], ExperienceTs(date), null, fillPrice, qty, reason, _avg[s], ExperienceRows.Backtest));
                if (qty >= _qty[s])
                {
                    _tripEntry[s] = null;
                }
            }

            var proceeds = (qty * fillPrice) - commission;
            _cash += proceeds;
            _qty[s] -= qty;
            _tripProceeds[s] += proceeds;
            _tripSold[s] += qty;
            _tripExits[s]++;
            _fills.Add(new BacktestFill(date, _panel.Symbols[s], "sell", qty, fillPrice, commission, reason));
            if (_qty[s] > 0)
            {
                return;
            }

            var pnl = _tripProceeds[s] - _tripCost[s];
            var returnPct = _tripCost[s] > 0 ? pnl / _tripCost[s] * 100 : 0;
            _trips.Add(new RoundTrip(
                _panel.Symbols[s],
                _entryDate[s],
                date,
                _tripBought[s],
                _tripCost[s] / _tripBought[s],
                _tripProceeds[s] / _tripSold[s],
                pnl,
                returnPct,
                _tripExits[s],
                _tripEntryReason[s],
                reason));
            _tripReturns.Add(returnPct);
            _avg[s] = 0;
            _qty[s] = 0;
            _peakPnl[s] = double.NaN;
            _stopPct[s] = double.NaN;
            _takeProfitPct[s] = double.NaN;
        }

        /// <summary>Stop and take profit against the bar's range; the open first (gaps), then the stop before the target.</summary>
        private void CheckIntrabar(int t, DateOnly date)
        {
            for (var s = 0; s < _n; s++)
            {
                if (_qty[s] <= 0 || _pendingSide[s] == TradeAction.Sell || !_panel.HasBar(s, t)
                    || (double.IsNaN(_stopPct[s]) && double.IsNaN(_takeProfitPct[s])))
                {
                    continue;
                }

                var stopPrice = double.IsNaN(_stopPct[s]) ? double.NaN : _avg[s] * (1 - (_stopPct[s] / 100));
                var targetPrice = double.IsNaN(_takeProfitPct[s]) ? double.NaN : _avg[s] * (1 + (_takeProfitPct[s] / 100));
                var open = _panel.Open[s][t];
                if (open <= stopPrice)
                {
                    Sell(s, date, open, _qty[s], "stop_loss_gap");
                }
                else if (open >= targetPrice)
                {
                    Sell(s, date, open, _qty[s], "take_profit_gap");
                }
                else if (_panel.Low[s][t] <= stopPrice)
                {
                    Sell(s, date, stopPrice, _qty[s], "stop_loss_intrabar");
                }
                else if (_panel.High[s][t] >= targetPrice)
                {
                    Sell(s, date, targetPrice, _qty[s], "take_profit_intrabar");
                }
            }
        }
    }
}
