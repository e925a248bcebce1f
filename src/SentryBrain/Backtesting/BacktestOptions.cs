using SentryBrain.Config;

namespace SentryBrain.Backtesting;

/// <summary>Which strategy a backtest runs.</summary>
public enum BacktestStrategy
{
    /// <summary>The live Green Light strategy (<see cref="Strategy.GreenLightStrategy"/>) fed from daily indicators.</summary>
    GreenLight = 0,

    /// <summary>The live composite/consensus strategy (<see cref="Strategy.ConsensusStrategy"/>) on daily returns and RSI.</summary>
    Consensus = 1,

    /// <summary>The reference SMA10/SMA30 crossover with an RSI14 filter, for comparing with other engines.</summary>
    SmaCross = 2,
}

/// <summary>
/// The knobs of <see cref="Strategy.SmaCrossPolicy"/>. The defaults are the reference definition (issue 6): SMA10/SMA30
/// crossover, Wilder RSI14 &lt; 70 to enter. Sweepable as <c>SMA_FAST</c>, <c>SMA_SLOW</c>, <c>SMA_RSI_MAX</c>.
/// </summary>
public sealed record SmaCrossParameters(int Fast = 10, int Slow = 30, int RsiPeriod = 14, double RsiMax = 70)
{
    public static SmaCrossParameters Default { get; } = new();
}

/// <summary>Everything one backtest run needs besides the bars; immutable, so parallel runs share nothing mutable.</summary>
/// <param name="Strategy">The strategy.</param>
/// <param name="Config">The brain's configuration: strategy, rules and sizing read it exactly as the live consumer does.</param>
/// <param name="Cash">Starting cash (<c>--cash</c>, 100,000).</param>
/// <param name="SmaCross">sma_cross parameters.</param>
/// <param name="TradeFromDay">
/// First day index on which orders may be placed; earlier days only warm the indicators up (walk-forward test
/// windows). Equity and statistics start at this day.
/// </param>
/// <param name="RegimeSymbol">The symbol whose 200-day SMA drives the regime filter when <c>SPY_200MA_REGIME_ENABLED</c>.</param>
/// <param name="RecordDecisions">Keep every decision, holds included (tests: look-ahead and parity).</param>
/// <param name="DataOnlySymbols">Symbols loaded only for the regime filter (SPY): never traded.</param>
/// <param name="IntrabarExits">Check stops and take profits against each bar's open, low and high (off: judged at the close only, as on a one-print-per-day replay).</param>
/// <param name="Screen">Re-screen the traded symbols every morning and buy only the day's list (<c>--screen N</c>); null: every symbol may be bought.</param>
/// <param name="Rules">Generated rules applied to buys (<c>--rules FILE</c>): a buy in a rule's region is a hold; null: none.</param>
public sealed record BacktestOptions(
    BacktestStrategy Strategy,
    BrainConfig Config,
    double Cash = 100_000,
    SmaCrossParameters? SmaCross = null,
    int TradeFromDay = 0,
    string RegimeSymbol = "SPY",
    bool RecordDecisions = false,
    IReadOnlyList<string>? DataOnlySymbols = null,
    bool IntrabarExits = true,
    BacktestScreen? Screen = null,
    BacktestRules? Rules = null)
{
    public bool FillAtNextOpen => Config.BacktestFillAtNextOpen;

    /// <summary>
    /// Receives an experience line (<see cref="Learning.ExperienceRecord"/>, source <c>backtest</c>) at every simulated
    /// fill, in fill order (<c>backtest --experience PATH</c>); null = none. Called on the simulation's thread: give
    /// it to one run only, not to the parallel runs of a sweep.
    /// </summary>
    public Action<Learning.ExperienceRecord>? Experience { get; init; }

    /// <summary>
    /// Recorded news, scored (<c>backtest --news FILE</c>): the feed's <see cref="DailyMarketFeatures.News"/> replays it
    /// point-in-time; null = no news (the feed's news is unknown, as before).
    /// </summary>
    public BacktestNews? News { get; init; }

    public double SlippageBps => Config.BacktestSlippageBps;

    public double CommissionPerTrade => Config.BacktestCommissionPerTrade;

    public static string Name(BacktestStrategy strategy) => strategy switch
    {
        BacktestStrategy.Consensus => "consensus",
        BacktestStrategy.SmaCross => "sma_cross",
        _ => "green_light",
    };

    public static BacktestStrategy Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "green_light" or "greenlight" => BacktestStrategy.GreenLight,
        "consensus" => BacktestStrategy.Consensus,
        "sma_cross" or "smacross" => BacktestStrategy.SmaCross,
        _ => throw new ArgumentException($"unknown strategy '{name}' (green_light, consensus or sma_cross)", nameof(name)),
    };
}
