using SentryBrain.Execution;
using SentryBrain.Rules;
using SentryBrain.Strategy;

namespace SentryBrain.Backtesting;

/// <summary>
/// The event-driven daily simulator. Per day t, in this order:
/// <list type="number">
/// <item>before the open, with <see cref="BacktestOptions.Screen"/>: the day's list from the bars before t
/// (<see cref="DailyScreen"/>); off the list a symbol may not be bought, but a held one keeps every exit, as live;</item>
/// <item>at the open: orders decided at the previous close fill at this open (sells first, so their cash can pay for
/// buys) with slippage against us and a commission per fill; a symbol without a bar today keeps its order until its
/// next bar;</item>
/// <item>during the day (unless <see cref="BacktestOptions.IntrabarExits"/> is off): held positions with a stop or
/// take-profit level (<see cref="IOrderHints.Levels"/>) are checked against the bar's low and high.
/// The open is checked first (a gap through a level fills at the open); then, <b>when both levels lie inside the
/// bar, the stop is assumed to have come first</b> (daily bars cannot tell the order, so the pessimistic reading);</item>
/// <item>at the close: equity is marked at the closes (the last known close for a symbol without a bar), the daily
/// cap (baseline = the previous close's equity) and the drawdown halt are updated, then each symbol with a bar
/// decides: the same <see cref="IDecisionPolicy"/> the live engine calls, fed by a <see cref="DailyMarketFeatures"/>
/// (the data feed) with this simulation as the fill model, so live and backtest differ only in those two. Buys are
/// sized by the live rules (<see cref="OrderPlanning.SizedBuyQty"/>, without the correlation reduction) at the close
/// price and capped by cash at the fill; a policy whose <see cref="IOrderHints.BuysWithAllCash"/> is set (sma_cross)
/// buys with all the cash, and sma_cross runs without the daily cap and the drawdown halt. No order is placed on the
/// last day.</item>
/// </list>
/// A decision at day t therefore sees only bars through t; orders fill at t+1's open (or, with
/// <c>BACKTEST_FILL_AT_NEXT_OPEN=false</c>, at t's close, which is optimistic: the decision and the fill share a price).
/// </summary>
public static class Backtester
{
    private const double RegimeSmaDays = 200;

    public static BacktestResult Run(BarPanel panel, BacktestOptions options, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ArgumentNullException.ThrowIfNull(options);
        return new Simulation(panel, options).Run(progress);
    }

    private sealed class Simulation
    {
        private readonly BarPanel _panel;
        private readonly BacktestOptions _options;
        private readonly Config.BrainConfig _config;
        private readonly int _n;
        private readonly IDecisionPolicy _policy;
        private readonly IOrderHints? _hints;
        private readonly DailyMarketFeatures[] _features;
        private readonly string? _killSwitch;
        private readonly long[] _qty;
        private readonly double[] _avg;
        private readonly double[] _mark;
        private readonly DateOnly[] _entryDate;
        private readonly double[] _peakPnl;
        private readonly bool[] _scaledAtVwap;
        private readonly ulong[] _levelsDone;
        private readonly double[] _stopPct;
        private readonly double[] _takeProfitPct;
        private readonly TradeAction[] _pendingSide;
        private readonly long[] _pendingQty;
        private readonly string?[] _pendingReason;
        private readonly int?[] _pendingScaleOut;
        private readonly double[] _tripCost;
        private readonly double[] _tripProceeds;
        private readonly long[] _tripBought;
        private readonly long[] _tripSold;
        private readonly int[] _tripExits;
        private readonly string[] _tripEntryReason;
        private readonly int[] _symbolDaysInMarket;
        private readonly bool[] _dataOnly;
        private readonly List<BacktestFill> _fills = [];
        private readonly List<RoundTrip> _trips = [];
        private readonly List<DecisionRecord> _decisions = [];
        private readonly List<double> _tripReturns = [];
        private readonly DailyCap _dailyCap;
        private readonly Drawdown _drawdown;
        private readonly int _regime;
        private readonly Signals.Technical.Sma? _regimeSma;
        private readonly DailyScreen? _screen;
        private double _cash;
        private int _pendingCount;
        private bool _spyBelow;

        public Simulation(BarPanel panel, BacktestOptions options)
        {
            _panel = panel;
            _options = options;
            _config = options.Config;
            _n = panel.Symbols.Length;
            // One stateless policy for every symbol; the per-symbol state is the feed's (and this simulation's).
            var crossover = options.Strategy == BacktestStrategy.SmaCross ? options.SmaCross ?? SmaCrossParameters.Default : null;
            _policy = DecisionPolicies.Create(BacktestOptions.Name(options.Strategy), _config, crossover);
            _hints = _policy as IOrderHints;
            _features = new DailyMarketFeatures[_n];
            for (var s = 0; s < _n; s++)
            {
                _features[s] = new DailyMarketFeatures(_config, crossover, crossoverOnly: crossover is not null);
            }

            // The reference crossover has no rules; the live strategies see KILL_SWITCH=true (the return-based switch is not modelled).
            _killSwitch = crossover is null && _config.KillSwitch ? "kill_switch_manual" : null;

            _qty = new long[_n];
            _avg = new double[_n];
            _mark = new double[_n];
            _entryDate = new DateOnly[_n];
            _peakPnl = new double[_n];
            _scaledAtVwap = new bool[_n];
            _levelsDone = new ulong[_n];
            _stopPct = new double[_n];
            _takeProfitPct = new double[_n];
            _pendingSide = new TradeAction[_n];
            _pendingQty = new long[_n];
            _pendingReason = new string?[_n];
            _pendingScaleOut = new int?[_n];
            _tripCost = new double[_n];
            _tripProceeds = new double[_n];
            _tripBought = new long[_n];
            _tripSold = new long[_n];
            _tripExits = new int[_n];
            _tripEntryReason = new string[_n];
            _symbolDaysInMarket = new int[_n];
            _dataOnly = [.. panel.Symbols.Select(symbol => options.DataOnlySymbols?.Contains(symbol, StringComparer.OrdinalIgnoreCase) == true)];
            Array.Fill(_peakPnl, double.NaN);
            Array.Fill(_stopPct, double.NaN);
            Array.Fill(_takeProfitPct, double.NaN);
            _cash = options.Cash;
            _dailyCap = new DailyCap(_config.DailyCapEnabled, _config.DailyCapPct, _config.DailyLossCapPct, _config.DailyCapSoftTrailingPct);
            _drawdown = new Drawdown(_config.DrawdownHaltEnabled, _config.MaxDrawdownPct);
            _regime = _config.Spy200maRegimeEnabled && options.Strategy != BacktestStrategy.SmaCross ? panel.IndexOf(options.RegimeSymbol) : -1;
            _regimeSma = _regime >= 0 ? new Signals.Technical.Sma((int)RegimeSmaDays) : null;
            _screen = options.Screen is { } screen ? new DailyScreen(panel, screen, [.. _dataOnly.Select(d => !d)]) : null;
        }

        public BacktestResult Run(Action<int, int>? progress)
        {
            var days = _panel.Days;
            var from = Math.Clamp(_options.TradeFromDay, 0, Math.Max(0, days - 1));
            var equity = new double[Math.Max(0, days - from)];
            var previousEquity = _options.Cash;
            int capDays = 0, lossCapDays = 0, daysInMarket = 0;
            long bars = 0;
            for (var t = 0; t < days; t++)
            {
                var date = _panel.Dates[t];
                if (_screen is not null && t >= from)
                {
                    _screen.Run(t); // the morning's list, from the bars before today
                }

                if (_pendingCount > 0)
                {
                    FillPending(t, date);
                }

                if (t >= from && _options.IntrabarExits)
                {
                    CheckIntrabar(t, date);
                }

                var markEquity = MarkToMarket(t);
                var capState = DailyCapState.Open;
                var halted = false;
                if (t >= from && _options.Strategy != BacktestStrategy.SmaCross)
                {
                    // The reference strategy has no rules. Baseline = the first equity of the day = the previous close's; then the close's equity.
                    _dailyCap.Update(date, previousEquity);
                    capState = _dailyCap.Update(date, markEquity);
                    halted = _drawdown.Update(markEquity, out _);
                    capDays += capState == DailyCapState.TargetReached ? 1 : 0;
                    lossCapDays += capState == DailyCapState.LossCapReached ? 1 : 0;
                }

                previousEquity = markEquity;

                if (_regimeSma is not null && _panel.HasBar(_regime, t))
                {
                    var close = _panel.Close[_regime][t];
                    _regimeSma.Add(close);
                    _spyBelow = _regimeSma.Value is { } sma && close < sma;
                }

                var trading = t >= from && (t < days - 1 || !_options.FillAtNextOpen);
                var inMarket = false;
                for (var s = 0; s < _n; s++)
                {
                    if (!_panel.HasBar(s, t) || _dataOnly[s])
                    {
                        inMarket |= _qty[s] > 0;
                        continue;
                    }

                    bars++;
                    var step = Decide(s, t, date, capState, halted, _spyBelow);
                    if (trading)
                    {
                        Act(s, date, step, markEquity, _panel.Close[s][t]);
                    }

                    if (_qty[s] > 0)
                    {
                        inMarket = true;
                        if (t >= from)
                        {
                            _symbolDaysInMarket[s]++;
                        }
                    }
                }

                if (t >= from)
                {
                    equity[t - from] = MarkToMarket(t);
                    daysInMarket += inMarket ? 1 : 0;
                }

                progress?.Invoke(t + 1, days);
            }

            return new BacktestResult
            {
                Dates = _panel.Dates[from..],
                Equity = equity,
                StartEquity = _options.Cash,
                Fills = _fills,
                RoundTrips = _trips,
                OpenPositions = _qty.Count(q => q > 0),
                DaysDailyCapHit = capDays,
                DaysLossCapHit = lossCapDays,
                DaysInMarket = daysInMarket,
                Symbols = _panel.Symbols,
                SymbolDaysInMarket = _symbolDaysInMarket,
                Decisions = _decisions,
                BarsProcessed = bars,
                Screens = _screen?.Days,
            };
        }

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
            features.Add(_panel.High[s][t], _panel.Low[s][t], close);
            if (_options.RecordDecisions)
            {
                _decisions.Add(new DecisionRecord(date, _panel.Symbols[s], step.Decision.Action, step.Decision.Qty, step.Decision.Reason));
            }
            else if (step.Decision.Action != TradeAction.Hold)
            {
                _decisions.Add(new DecisionRecord(date, _panel.Symbols[s], step.Decision.Action, step.Decision.Qty, step.Decision.Reason));
            }

            if (qty > 0 && step.Decision.Action == TradeAction.Hold)
            {
                // Keep the latest stop/take-profit distances of the held position for tomorrow's intrabar check.
                var (stop, takeProfit) = Levels(step.Decision);
                _stopPct[s] = stop ?? double.NaN;
                _takeProfitPct[s] = takeProfit ?? double.NaN;
            }

            return step;
        }

        private (double? StopPct, double? TakeProfitPct) Levels(in Decision decision)
            => _hints?.Levels(decision) is { } levels ? (levels.StopPct, levels.TakeProfitPct) : (null, null);

        private void Act(int s, DateOnly date, PolicyDecision step, double equity, double close)
        {
            var decision = step.Decision;
            if (decision.Action == TradeAction.Hold || _pendingSide[s] != TradeAction.Hold)
            {
                return;
            }

            if (decision.Action == TradeAction.Buy)
            {
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

                var (stop, takeProfit) = Levels(decision);
                _stopPct[s] = stop ?? double.NaN;
                _takeProfitPct[s] = takeProfit ?? double.NaN;
                Queue(s, TradeAction.Buy, qty, decision.Reason, null);
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
            _pendingCount++;
        }

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
            _pendingSide[s] = TradeAction.Hold;
            _pendingReason[s] = null;
            _pendingCount--;
            if (side == TradeAction.Buy)
            {
                Buy(s, date, price, qty, reason);
            }
            else if (side == TradeAction.Sell)
            {
                Sell(s, date, price, Math.Min(qty, _qty[s]), reason);
            }
        }

        private void Buy(int s, DateOnly date, double price, long qty, string reason)
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
            if (_qty[s] == 0)
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
        }

        private void Sell(int s, DateOnly date, double price, long qty, string reason)
        {
            if (qty <= 0)
            {
                return;
            }

            var fillPrice = price * (1 - (_options.SlippageBps / 10_000));
            var commission = _options.CommissionPerTrade;
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

        private double MarkToMarket(int t)
        {
            var equity = _cash;
            for (var s = 0; s < _n; s++)
            {
                if (_qty[s] == 0)
                {
                    continue;
                }

                if (_panel.HasBar(s, t))
                {
                    _mark[s] = _panel.Close[s][t];
                }

                equity += _qty[s] * _mark[s];
            }

            return equity;
        }
    }
}
