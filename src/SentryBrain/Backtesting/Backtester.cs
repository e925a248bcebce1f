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
/// <para>
/// This file holds the simulation's state and the day loop; the close's decisions and the orders they queue are in
/// Backtester.Decisions.cs; fills, the intrabar stop and take-profit check and round trips in Backtester.Fills.cs.
/// </para>
/// </summary>
public static partial class Backtester
{
    private const double RegimeSmaDays = 200;

    public static BacktestResult Run(BarPanel panel, BacktestOptions options, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ArgumentNullException.ThrowIfNull(options);
        return new Simulation(panel, options).Run(progress);
    }

    private sealed partial class Simulation
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
        private readonly Action<Learning.ExperienceRecord>? _experience;
        private readonly Strategy.DecisionSignals?[] _pendingSignals;
        private readonly Learning.ExperienceRecord?[] _tripEntry;
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
        private readonly BacktestNewsBook? _news;
        private double _cash;
        private int _pendingCount;
        private bool _spyBelow;
        private int _tripSeq;

        /// <summary>When today's decisions are made: the close (16:00 New York, or the early close), UTC; news visible by then counts.</summary>
        private DateTime _decisionAt;

        /// <summary>With an experience sink: the signals of the decision <see cref="Act"/> is handling (<see cref="Queue"/> keeps them with the order).</summary>
        private Strategy.DecisionSignals? _acting;

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
            _experience = options.Experience;
            _pendingSignals = new Strategy.DecisionSignals?[_n];
            _tripEntry = new Learning.ExperienceRecord?[_n];
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
            _news = options.News is { } news ? new BacktestNewsBook(news, panel.Symbols, _config.Sentiment) : null;
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
                if (_news is not null)
                {
                    _decisionAt = Market.NyseCalendar.CloseUtc(date);
                    _news.AdvanceTo(_decisionAt); // only news visible at the close
                }

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
                        _acting = _experience is null ? null : step.Decision.Signals;
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
                RuleBlocks = RuleBlockCounts(),
                News = _news?.Stats(),
            };
        }

        /// <summary>Equity at day t's closes: cash plus each holding at its close, or at its last known close without a bar today.</summary>
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
