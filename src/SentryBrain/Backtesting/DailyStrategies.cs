using SentryBrain.Config;
using SentryBrain.Market;
using SentryBrain.Rules;
using SentryBrain.Signals;
using SentryBrain.Signals.Technical;
using SentryBrain.Signals.Technical.Patterns;
using SentryBrain.Strategy;

namespace SentryBrain.Backtesting;

/// <summary>
/// What a per-symbol strategy sees at the close of day <see cref="Day"/>: that day's bar, the position and the
/// portfolio rules evaluated at that close. Nothing after the close of the day is reachable from here.
/// </summary>
public readonly record struct DayView(
    int Day,
    DateOnly Date,
    double Open,
    double High,
    double Low,
    double Close,
    double Volume,
    long HeldQty,
    double AvgEntryPrice,
    double? PeakPnlPct,
    int DaysHeld,
    bool ScaledAtVwap,
    ulong ScaleOutLevelsDone,
    bool HasOpenBuy,
    bool HasOpenSell,
    DailyCapState DailyCap,
    bool DrawdownHalted,
    bool SpyBelow200ma);

/// <summary>A decision and, for a scale-out, the level to mark done.</summary>
public readonly record struct StrategyStep(Decision Decision, int? ScaleOutLevel = null);

/// <summary>
/// One symbol's strategy state in a backtest: indicators updated once per bar (O(1) or O(window)), then the
/// shared pure decision function. Created per run and per symbol, so runs share nothing mutable.
/// </summary>
public abstract class SymbolStrategy
{
    /// <summary>Adds the bar of <paramref name="view"/> to the indicators and decides at its close.</summary>
    public abstract StrategyStep OnBar(in DayView view);

    /// <summary>Buys take every dollar of cash at the fill (sma_cross) instead of the live sizing rules.</summary>
    public virtual bool BuysWithAllCash => false;

    /// <summary>Daily ATR after the last bar (risk sizing), when the strategy tracks it.</summary>
    public virtual double? Atr => null;

    /// <summary>Stop and take-profit distances (percent of the entry) to check intrabar against high/low; null = none.</summary>
    public virtual (double? StopPct, double? TakeProfitPct) Levels(in Decision decision) => (null, null);

    public static SymbolStrategy Create(BacktestOptions options) => options.Strategy switch
    {
        BacktestStrategy.SmaCross => new SmaCrossStrategy(options.SmaCross ?? SmaCrossParameters.Default),
        BacktestStrategy.Consensus => new ConsensusDaily(options.Config),
        _ => new GreenLightDaily(options.Config),
    };

    protected static Decision Hold(string reason, double price) => new(TradeAction.Hold, 0, reason, Signals(price));

    protected static DecisionSignals Signals(double price) => new(null, 0, 0, null, null, 0, price, null);
}

/// <summary>
/// The reference crossover, exactly: on the close of day t, when flat, buy if SMA10(t) &gt; SMA30(t) ∧ SMA10(t−1) ≤
/// SMA30(t−1) ∧ Wilder RSI14(t) &lt; 70; when long, sell everything if SMA10(t) &lt; SMA30(t) ∧ SMA10(t−1) ≥
/// SMA30(t−1). The engine fills at the next open with floor(cash / fill price) shares.
/// </summary>
public sealed class SmaCrossStrategy(SmaCrossParameters p) : SymbolStrategy
{
    private static readonly StrategyStep WarmingUp = HoldStep("warming_up");
    private static readonly StrategyStep OrderPending = HoldStep("order_pending");
    private static readonly StrategyStep RsiFilter = HoldStep("rsi_filter");
    private static readonly StrategyStep NoCross = HoldStep("no_cross");
    private static readonly StrategyStep Holding = HoldStep("holding");
    private readonly Sma _fast = new(p.Fast);
    private readonly Sma _slow = new(p.Slow);
    private WilderRsi _rsi = new(p.RsiPeriod);
    private double? _previousFast;
    private double? _previousSlow;

    public override bool BuysWithAllCash => true;

    private static StrategyStep HoldStep(string reason) => new(Hold(reason, 0));

    public override StrategyStep OnBar(in DayView view)
    {
        _fast.Add(view.Close);
        _slow.Add(view.Close);
        _rsi.Add(view.Close);
        var fast = _fast.Value;
        var slow = _slow.Value;
        var rsi = _rsi.Value;
        var (previousFast, previousSlow) = (_previousFast, _previousSlow);
        _previousFast = fast;
        _previousSlow = slow;
        // Holds (almost every bar) are shared constants: no signals to build on the hot path.
        if (fast is not { } f || slow is not { } s || previousFast is not { } pf || previousSlow is not { } ps)
        {
            return WarmingUp;
        }

        if (view.HeldQty <= 0)
        {
            if (view.HasOpenBuy)
            {
                return OrderPending;
            }

            if (f > s && pf <= ps)
            {
                return rsi < p.RsiMax
                    ? new StrategyStep(new Decision(TradeAction.Buy, 0, "sma_cross_up", new DecisionSignals(null, 0, 0, rsi, null, 0, view.Close, null)))
                    : RsiFilter;
            }

            return NoCross;
        }

        return f < s && pf >= ps && !view.HasOpenSell
            ? new StrategyStep(new Decision(TradeAction.Sell, view.HeldQty, "sma_cross_down", new DecisionSignals(null, 0, 0, rsi, null, 0, view.Close, null)))
            : Holding;
    }
}

/// <summary>
/// Daily-bar indicators shared by the live strategies in a backtest, built from the same primitives as
/// <see cref="LiveIndicators"/> and with the live engine's timing: at the close of day t the daily indicators (ATR,
/// ATR percentile, RSI, structure, the technical score of the closes) are those of the <b>completed</b> days
/// through t−1, exactly what the live brain holds during day t, while the current price (day t's close) gives the
/// Z-score of today's return and the 1- and 5-day returns (<see cref="Observe"/>); the bar joins the history after
/// the decision (<see cref="Add"/>). So a backtest decision equals the live decision at that day's last print, and
/// nothing after day t is ever read. Closes live in a mirrored ring, so the newest N closes are always one
/// contiguous span: no copying, no allocation per bar.
/// </summary>
public sealed class DailyIndicators
{
    public const int History = LiveIndicators.DailyHistory;
    public const int TechnicalWindow = LiveIndicators.IntradayHistory;
    public const int VolatilityWindow = 30;

    private readonly double[] _closes = new double[2 * History];
    private readonly double[] _returns;
    private readonly double[] _volReturns = new double[VolatilityWindow];
    private readonly AtrPercentile _atrPercentile;
    private readonly int _structureSpan;
    private Atr _atr;
    private WilderRsi _rsi;
    private int _head;
    private int _count;
    private int _returnHead;
    private int _returnCount;
    private int _volHead;
    private int _volCount;
    private double _returnMean;
    private double _returnStd;

    public DailyIndicators(BrainConfig config)
    {
        _atr = new Atr(config.AtrPeriod);
        _atrPercentile = new AtrPercentile(config.AtrPercentileLookback);
        _rsi = new WilderRsi(config.RsiPeriod);
        _returns = new double[config.ZScorePeriod];
        // Structure looks at the EMA over period + 10 closes and at patterns over the last 40: a longer span gives the same answer.
        _structureSpan = Math.Min(History, Math.Max(config.StructureEmaPeriod + Structure.EmaExtraBars, 40));
    }

    /// <summary>Z-score of the observed price's return against the completed days' returns (null while warming up).</summary>
    public double? ZScore { get; private set; }

    public double? Return1d { get; private set; }

    public double? Return5d { get; private set; }

    /// <summary>Annualized volatility of the last 30 completed daily returns (population standard deviation · √252).</summary>
    public double? Volatility { get; private set; }

    public double? Atr => _atr.Value;

    public double? AtrPercentile => _atrPercentile.Value;

    public double? Rsi => _rsi.Value;

    public int Count => _count;

    /// <summary>The newest <paramref name="n"/> closes (at most <see cref="History"/>), oldest first.</summary>
    public ReadOnlySpan<double> Closes(int n)
    {
        n = Math.Min(n, _count);
        return _closes.AsSpan(_head + History - n, n);
    }

    /// <summary>Today's price against the completed days: Z-score of today's return so far, 1- and 5-day returns.</summary>
    public void Observe(double price)
    {
        var previous = _count > 0 ? _closes[_head + History - 1] : double.NaN;
        Return1d = previous > 0 ? (price / previous) - 1 : null;
        var fiveAgo = _count >= 5 ? _closes[_head + History - 5] : double.NaN;
        Return5d = fiveAgo > 0 ? (price / fiveAgo) - 1 : null;
        // As LiveIndicators.ZScore: ((price / last close) − 1 − mean) / sd of the previous daily returns.
        ZScore = previous > 0 && _returnCount == _returns.Length && _returnStd > 0 ? ((price / previous) - 1 - _returnMean) / _returnStd : null;
    }

    /// <summary>Day t's completed bar joins the history (after the decision at its close).</summary>
    public void Add(double high, double low, double close)
    {
        var previous = _count > 0 ? _closes[_head + History - 1] : double.NaN;
        if (previous > 0)
        {
            AddReturn((close / previous) - 1);
        }

        _atr.Add(high, low, close);
        if (_atr.Value is { } atr)
        {
            _atrPercentile.Add(atr);
        }

        _rsi.Add(close);
        _closes[_head] = close;
        _closes[_head + History] = close;
        _head = _head + 1 == History ? 0 : _head + 1;
        _count = Math.Min(_count + 1, History);
    }

    /// <summary>Structure on the completed days' closes (<see cref="Structure.IsOk"/>, as live).</summary>
    public bool? StructureOk(int emaPeriod) => Structure.IsOk(Closes(_structureSpan), emaPeriod);

    /// <summary>Technical score of the last <see cref="TechnicalWindow"/> completed daily closes (live: of the last 120 closed one-minute bars).</summary>
    public double? TechnicalScore(TechnicalScoreOptions options) => Signals.TechnicalScore.Compute(Closes(TechnicalWindow), options);

    public bool? MomentumOk() => Momentum.IsOk(Closes(TechnicalWindow));

    public double? Sma(int period)
    {
        if (period <= 0 || _count < period)
        {
            return null;
        }

        var sum = 0.0;
        foreach (var c in Closes(period))
        {
            sum += c;
        }

        return sum / period;
    }

    private void AddReturn(double r)
    {
        _returns[_returnHead] = r;
        _returnHead = (_returnHead + 1) % _returns.Length;
        _returnCount = Math.Min(_returnCount + 1, _returns.Length);
        if (_returnCount == _returns.Length)
        {
            (_returnMean, _returnStd) = ReturnsZScore.PopulationMeanStd(_returns);
        }

        _volReturns[_volHead] = r;
        _volHead = (_volHead + 1) % VolatilityWindow;
        _volCount = Math.Min(_volCount + 1, VolatilityWindow);
        Volatility = _volCount == VolatilityWindow ? ReturnsZScore.PopulationMeanStd(_volReturns).Std * Math.Sqrt(252) : null;
    }

}

/// <summary>
/// Green Light on daily bars: the live <see cref="PositionExits"/> and <see cref="GreenLightStrategy.Decide"/>,
/// fed from <see cref="DailyIndicators"/>. Inputs a daily bar cannot give are unknown (null), which the strategy
/// treats exactly as live: OFI (needs trades against quotes) passes; session VWAP (needs intraday bars) is absent,
/// so the VWAP exits and the VWAP half of the confluence test are off. Intraday time windows (close losers at
/// 15:50, health check at 16:00, no new buys after 15:45) have no meaning on a daily bar and are not applied.
/// prob_gain uses the 1- and 5-day returns and the 30-day volatility (as the reference backtest did). The
/// return-based kill switch (1/5-minute returns) is not modelled; <c>KILL_SWITCH=true</c> is.
/// Structure and the technical score are computed only when they can change the decision (flat, entry gates
/// open, structure not false, Z confluence met): the action and reason are the same as with them computed; only
/// the hold's detail token may read <c>technical_unknown</c> where it would have said <c>no_confluence</c>.
/// </summary>
public sealed class GreenLightDaily(BrainConfig config) : SymbolStrategy
{
    private static readonly DateTime Noon = new(1, 1, 1, 12, 0, 0, DateTimeKind.Unspecified);
    private readonly DailyIndicators _indicators = new(config);
    private readonly GreenLightParameters _parameters = GreenLightParameters.From(config);
    private readonly PositionExitParameters _exitParameters = PositionExits(config);
    private readonly TechnicalScoreOptions _technical = new(config.UseMacd, config.UsePatterns, config.PatternLookback, config.RsiPeriod);

    public override double? Atr => _indicators.Atr;

    public override (double? StopPct, double? TakeProfitPct) Levels(in Decision decision)
        => (decision.Signals.StopPct, decision.Signals.TakeProfitPct);

    public override StrategyStep OnBar(in DayView view)
    {
        _indicators.Observe(view.Close);
        var step = Decide(view);
        _indicators.Add(view.High, view.Low, view.Close);
        return step;
    }

    private StrategyStep Decide(in DayView view)
    {
        var price = view.Close;
        if (view.HeldQty > 0 && !view.HasOpenSell)
        {
            var eastern = view.Date.ToDateTime(TimeOnly.FromDateTime(Noon));
            var exitInput = new PositionExitInput(view.HeldQty, view.AvgEntryPrice, price, view.ScaleOutLevelsDone, eastern, view.DailyCap);
            if (Strategy.PositionExits.Evaluate(exitInput, _exitParameters) is { } exit)
            {
                return new StrategyStep(exit.Decision, exit.ScaleOutLevel);
            }
        }

        var killSwitch = config.KillSwitch ? "kill_switch_manual" : null;
        var gatesOpen = view.HeldQty == 0 && killSwitch is null && view.DailyCap == DailyCapState.Open && !view.DrawdownHalted
            && !view.HasOpenBuy && !view.HasOpenSell;
        bool? structure = null;
        double? technical = null;
        bool? momentum = null;
        if (gatesOpen)
        {
            structure = _indicators.StructureOk(config.StructureEmaPeriod);
            if (structure is null && config.TrendFilterEnabled && _indicators.Sma(config.TrendSmaPeriod) is { } sma)
            {
                structure = price > sma;
            }

            // Without session VWAP, confluence needs Z ≤ CONFLUENCE_Z_MAX (and the SPY tighten): when it fails, the
            // checklist ends at green_light_pattern whatever the technical score, so it is not computed.
            var z = _indicators.ZScore;
            var confluence = z <= _parameters.ConfluenceZMax && !(view.SpyBelow200ma && z > _parameters.SpyBelow200maZTighten);
            if (structure != false && confluence)
            {
                technical = _indicators.TechnicalScore(_technical);
                momentum = config.ScalpSkipMomentum ? null : _indicators.MomentumOk();
            }
        }

        var input = new GreenLightInput(
            RegularSession: true,
            HeldQty: view.HeldQty,
            AvgEntryPrice: view.AvgEntryPrice,
            CurrentPrice: price,
            PeakPnlPct: view.PeakPnlPct,
            DaysHeld: view.DaysHeld,
            ScaledAtVwap: view.ScaledAtVwap,
            InHealthCheckWindow: false,
            AtrStopPct: null,
            VwapDistancePct: null,
            AtrPct: _indicators.Atr is { } atr && price > 0 ? atr / price * 100 : null,
            ZScore: _indicators.ZScore,
            AtrPercentile: _indicators.AtrPercentile,
            StructureOk: structure,
            TechnicalScore: technical,
            MomentumOk: momentum,
            Ofi: null,
            Rsi: _indicators.Rsi,
            ProbGain: ProbGain.Compute(_indicators.Return1d, _indicators.Return5d, _indicators.Volatility),
            KillSwitchReason: killSwitch,
            DailyCap: view.DailyCap,
            DrawdownHalted: view.DrawdownHalted,
            NoNewBuysWindow: false,
            HasOpenBuy: view.HasOpenBuy,
            HasOpenSell: view.HasOpenSell,
            InCooldown: false,
            EntryAllowed: true,
            SpyBelow200ma: view.SpyBelow200ma);
        return new StrategyStep(GreenLightStrategy.Decide(input, _parameters));
    }

    /// <summary>The configured exits without the intraday time windows (a daily bar has no time of day).</summary>
    private static PositionExitParameters PositionExits(BrainConfig config)
        => PositionExitParameters.From(config) with { CloseLossesByEt = null, PortfolioHealthCheckEt = null };
}

/// <summary>
/// The composite/consensus strategy on daily bars: momentum from the 1- and 5-day returns in place of the 1- and
/// 5-minute returns, Wilder RSI of daily closes, no news (absent, so it does not count). Fixed stop and take profit.
/// </summary>
public sealed class ConsensusDaily(BrainConfig config) : SymbolStrategy
{
    private readonly DailyIndicators _indicators = new(config);
    private readonly ConsensusParameters _parameters = ConsensusParameters.From(config);

    public override double? Atr => _indicators.Atr;

    public override (double? StopPct, double? TakeProfitPct) Levels(in Decision decision)
        => (_parameters.StopLossPct > 0 ? _parameters.StopLossPct : null, _parameters.TakeProfitPct > 0 ? _parameters.TakeProfitPct : null);

    public override StrategyStep OnBar(in DayView view)
    {
        _indicators.Observe(view.Close);
        var input = new ConsensusInput(
            RegularSession: true,
            ExitPrice: view.Close,
            EntryPrice: view.Close,
            HeldQty: view.HeldQty,
            AvgEntryPrice: view.AvgEntryPrice,
            HasOpenBuy: view.HasOpenBuy,
            HasOpenSell: view.HasOpenSell,
            News: null,
            Return1m: _indicators.Return1d ?? 0,
            Return5m: _indicators.Return5d ?? 0,
            Rsi: _indicators.Rsi,
            KillSwitchReason: config.KillSwitch ? "kill_switch_manual" : null,
            DailyCap: view.DailyCap,
            InCooldown: false,
            EntryAllowed: true,
            DrawdownHalted: view.DrawdownHalted,
            NoNewBuysWindow: false);
        var step = new StrategyStep(ConsensusStrategy.Decide(input, _parameters));
        _indicators.Add(view.High, view.Low, view.Close);
        return step;
    }
}
