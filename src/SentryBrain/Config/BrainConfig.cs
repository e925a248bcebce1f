namespace SentryBrain.Config;

public enum StrategyMode
{
    Consensus = 0,
    GreenLight = 1,

    /// <summary>The reference SMA crossover (<see cref="Strategy.SmaCrossPolicy"/>); live it reads the daily closes of the live indicators.</summary>
    SmaCross = 2,
}

/// <summary>
/// The effective configuration. Variable names and defaults are the reference brain's (BEHAVIOR.md §10)
/// so an existing <c>.env</c> works unchanged; docs/CONFIG.md lists every variable.
/// </summary>
public sealed record BrainConfig
{
    // Logging and execution
    public string LogLevel { get; init; } = "INFO";
    public bool TradePaper { get; init; } = true;
    public bool AlpacaPaper { get; init; } = true;
    public string AlpacaKeyId { get; init; } = string.Empty;
    public string AlpacaSecretKey { get; init; } = string.Empty;
    public string PaperDbPath { get; init; } = "data/paper.db";
    public string AlpacaBaseUrl { get; init; } = "https://paper-api.alpaca.markets";
    public bool AlpacaLive { get; init; }
    public string AlpacaStateDbPath { get; init; } = "data/alpaca.db";
    public double AlpacaPollSec { get; init; } = 2;
    public int AlpacaRequestsPerMin { get; init; } = 200;
    public bool AlpacaTradeUpdates { get; init; }
    public double PaperStartingCash { get; init; } = 100_000;

    // Strategy: composite/consensus (README of the reference)
    public StrategyMode StrategyMode { get; init; } = StrategyMode.GreenLight;
    public bool UseConsensus { get; init; } = true;
    public int ConsensusMinSourcesPositive { get; init; } = 2;
    public double ConsensusPositiveThreshold { get; init; } = 0.15;
    public bool UseTechnicalIndicators { get; init; } = true;
    public int RsiPeriod { get; init; } = 14;
    public double MomentumScale1m { get; init; } = 100;
    public double MomentumScale5m { get; init; } = 50;
    public double NewsMaxAgeSec { get; init; } = 3600;
    public int NewsMaxSymbols { get; init; } = Events.EventParser.DefaultNewsMaxSymbols;
    public double StrategyIntervalSec { get; init; } = 45;
    public bool RegularSessionOnly { get; init; } = true;

    // Exits
    public double StopLossPct { get; init; } = 1.0;
    public double TakeProfitPct { get; init; } = 2.0;

    // Sizing and orders
    public double PositionSizePct { get; init; } = 0.05;
    public double MaxPositionPct { get; init; } = 0.06;
    public int StrategyMaxQty { get; init; } = 12;
    public double OrderCooldownSec { get; init; } = 30;
    public bool UseLimitOrders { get; init; } = true;
    public double LimitOrderOffsetBps { get; init; } = 5;
    public double OrderStaleSec { get; init; } = 60;

    // Rules
    public bool KillSwitch { get; init; }
    public double KillSwitchSentimentThreshold { get; init; } = -0.50;
    public double KillSwitchReturnThreshold { get; init; } = -0.05;
    public double KillSwitchRearmMin { get; init; }
    public bool DailyCapEnabled { get; init; } = true;
    public double DailyCapPct { get; init; } = 0.25;
    public double DailyLossCapPct { get; init; } = 1.0;

    // Green Light strategy (BEHAVIOR §4): exits
    public bool UseAtrStop { get; init; } = true;
    public int AtrPeriod { get; init; } = 20;
    public double AtrStopMultiple { get; init; } = 2.0;
    public double TakeProfitRMultiple { get; init; } = 1.2;
    public double BreakevenActivationPct { get; init; } = 1.0;
    public double TrailingStopActivationPct { get; init; } = 2.0;
    public double TrailingStopPct { get; init; } = 1.0;
    public int MaxHoldDays { get; init; } = 10;
    public bool ScaleOutEnabled { get; init; } = true;
    public double[] ScaleOutLevelsPct { get; init; } = [1, 2, 3];
    public double ScaleOutPctPerLevel { get; init; } = 25;
    public bool TakeProfitAtVwap { get; init; } = true;
    public bool ScaleOut50AtVwap { get; init; } = true;
    public bool BreakevenAtHalfwayToVwap { get; init; } = true;
    public bool TrailingAtrAboveVwap { get; init; } = true;
    public double TrailingAtrMultiple { get; init; } = 1.5;

    // Green Light strategy: indicators and checklist
    public bool UseMacd { get; init; } = true;
    public bool UsePatterns { get; init; } = true;
    public int PatternLookback { get; init; } = 40;
    public int VwapLookback { get; init; } = 20;
    public int ZScorePeriod { get; init; } = 20;
    public int AtrPercentileLookback { get; init; } = 60;
    public int StructureEmaPeriod { get; init; } = 50;
    public bool TrendFilterEnabled { get; init; }
    public int TrendSmaPeriod { get; init; } = 20;
    public bool UseOfi { get; init; } = true;
    public double OfiSurgeForEntry { get; init; }
    public int OfiWindowTrades { get; init; } = 100;
    public double ConfluenceZMax { get; init; } = 0.5;
    public double TechnicalMinForEntry { get; init; } = -0.35;
    public double RsiOverbought { get; init; } = 80;
    public double RsiOverboughtOfiMin { get; init; } = 0.10;
    public bool ScalpSkipMomentum { get; init; } = true;
    public double ProbGainThreshold { get; init; } = 0.12;

    // Risk and sizing (BEHAVIOR §4–§5)
    public double DailyCapSoftTrailingPct { get; init; }
    public bool FlatWhenDailyTargetHit { get; init; }
    public bool DrawdownHaltEnabled { get; init; } = true;
    public double MaxDrawdownPct { get; init; } = 5.0;
    public TimeOnly? NoNewBuysAfterEt { get; init; } = new(15, 45);
    public TimeOnly? PortfolioHealthCheckEt { get; init; } = new(16, 0);
    public bool OvernightCarryEnabled { get; init; } = true;
    public TimeOnly? CloseLossesByEt { get; init; } = new(15, 50);
    public double RiskPctPerTrade { get; init; }
    public bool KellySizingEnabled { get; init; }
    public double KellyFractionCap { get; init; } = 0.25;
    public int KellyLookbackTrades { get; init; } = 50;
    public bool CorrelationCheckEnabled { get; init; }
    public double CorrelationThreshold { get; init; } = 0.7;
    public double CorrelationSizeReduction { get; init; } = 0.5;
    public bool Spy200maRegimeEnabled { get; init; }
    public double SpyBelow200maLongSizeMultiplier { get; init; } = 0.5;
    public double SpyBelow200maZTighten { get; init; } = -2.8;

    // Bars
    public string BarsCsvDir { get; init; } = string.Empty;

    // Backtest (BEHAVIOR §7)
    public bool BacktestFillAtNextOpen { get; init; } = true;
    public double BacktestSlippageBps { get; init; }
    public double BacktestCommissionPerTrade { get; init; }

    // Universe and memory
    public bool OpportunityEngineEnabled { get; init; }
    public string ActiveSymbolsFile { get; init; } = string.Empty;
    public double SymbolStateTtlSec { get; init; } = 1800;
    public int MaxSymbols { get; init; } = 10_000;

    // Event time (EventClock)
    public double FutureTsToleranceSec { get; init; } = 60;
    public double ClockJumpConfirmSec { get; init; } = 900;
    public int ClockJumpConfirmEvents { get; init; } = 3;

    /// <summary>A trade, quote, news or volatility event this many seconds behind the stream clock is stale: counted, never traded on.</summary>
    public double LateEventToleranceSec { get; init; } = 5;

    /// <summary>The per-symbol outlier guard (OUTLIER_*), kept in its own record.</summary>
    public Market.OutlierSettings Outliers { get; init; } = new();

    /// <summary>Redis stream settings (REDIS_*), kept in their own record.</summary>
    public Streams.RedisSettings Redis { get; init; } = new();

    /// <summary>Screener and discovery settings (SCREENER_*, DISCOVERY_*, TICKERS), kept in their own record.</summary>
    public ScreenerSettings Screener { get; init; } = new();

    /// <summary>Experience buffer, optimizer, generated rules, shadow and conviction settings, kept in their own record.</summary>
    public LearningSettings Learning { get; init; } = new();

    /// <summary>News sentiment model and point-in-time news settings (SENTIMENT_*, NEWS_HALF_LIFE_MIN…), kept in their own record.</summary>
    public SentimentSettings Sentiment { get; init; } = new();

    public bool HasAlpacaKeys => AlpacaKeyId.Length > 0 && AlpacaSecretKey.Length > 0;

    public static BrainConfig Load(ConfigSource source) => Load(source, out _);

    /// <summary>Reads and validates every variable; throws <see cref="ConfigException"/> naming each bad one.</summary>
    public static BrainConfig Load(ConfigSource source, out IReadOnlyList<ConfigEntry> entries)
    {
        var r = new ConfigReader(source);
        var d = new BrainConfig();
        var config = new BrainConfig
        {
            LogLevel = r.String("LOG_LEVEL", d.LogLevel, "stderr log level", allowed: ["DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL"]).ToUpperInvariant(),
            TradePaper = r.Bool("TRADE_PAPER", d.TradePaper, "send orders (false = decisions only)"),
            AlpacaPaper = r.Bool("APCA_PAPER", d.AlpacaPaper, "Alpaca paper endpoint"),
            AlpacaKeyId = r.Secret("Alpaca key id", "APCA_API_KEY_ID", "ALPACA_API_KEY_ID"),
            AlpacaSecretKey = r.Secret("Alpaca secret key", "APCA_API_SECRET_KEY", "ALPACA_API_SECRET_KEY"),
            PaperDbPath = r.String("PAPER_DB_PATH", d.PaperDbPath, "embedded paper broker ledger (SQLite)"),
            AlpacaBaseUrl = r.Url("APCA_API_BASE_URL", d.AlpacaBaseUrl, "Alpaca trading API (paper by default); no user:password@ (refused)", allowUserInfo: false, userInfoHint: "Alpaca keys go in APCA_API_KEY_ID and APCA_API_SECRET_KEY"),
            AlpacaLive = r.Bool("ALPACA_LIVE", d.AlpacaLive, "allow the live (real money) Alpaca host"),
            AlpacaStateDbPath = r.String("ALPACA_STATE_DB", d.AlpacaStateDbPath, "order intents and risk state when trading on Alpaca (SQLite)"),
            AlpacaPollSec = r.Double("ALPACA_POLL_SEC", d.AlpacaPollSec, "event-time seconds between polls of open Alpaca orders", min: 0.1),
            AlpacaRequestsPerMin = r.Int("ALPACA_REQUESTS_PER_MIN", d.AlpacaRequestsPerMin, "client-side rate limit per Alpaca account (requests/min)", min: 1, max: 100000),
            AlpacaTradeUpdates = r.Bool("ALPACA_TRADE_UPDATES", d.AlpacaTradeUpdates, "also follow orders through Alpaca's trade-updates WebSocket (polling stays on)"),
            PaperStartingCash = r.Double("PAPER_STARTING_CASH", d.PaperStartingCash, "cash of a new paper ledger", min: 1),

            StrategyMode = ParseMode(r.String("STRATEGY_MODE", "green_light", "strategy: consensus (composite of news, momentum, RSI), green_light, or sma_cross (SMA10/SMA30 crossover with an RSI14 filter, on daily closes)", allowed: ["consensus", "green_light", "sma_cross"])),
            UseConsensus = r.Bool("USE_CONSENSUS", d.UseConsensus, "require N positive sources to buy"),
            ConsensusMinSourcesPositive = r.Int("CONSENSUS_MIN_SOURCES_POSITIVE", d.ConsensusMinSourcesPositive, "sources that must agree", min: 1, max: 4),
            ConsensusPositiveThreshold = r.Double("CONSENSUS_POSITIVE_THRESHOLD", d.ConsensusPositiveThreshold, "score at which a source counts as positive", min: 0, max: 1),
            UseTechnicalIndicators = r.Bool("USE_TECHNICAL_INDICATORS", d.UseTechnicalIndicators, "RSI on 1-minute bars as a consensus source"),
            RsiPeriod = r.Int("RSI_PERIOD", d.RsiPeriod, "RSI period (1-minute bars)", min: 2, max: 500),
            MomentumScale1m = r.Double("MOMENTUM_SCALE_1M", d.MomentumScale1m, "momentum = 0.6·clamp(scale·return_1m) + …", min: 0),
            MomentumScale5m = r.Double("MOMENTUM_SCALE_5M", d.MomentumScale5m, "… + 0.4·clamp(scale·return_5m)", min: 0),
            NewsMaxAgeSec = r.Double("NEWS_MAX_AGE_SEC", d.NewsMaxAgeSec, "how long a headline's score stays a source", min: 0),
            NewsMaxSymbols = r.Int("NEWS_MAX_SYMBOLS", d.NewsMaxSymbols, "a news item naming more distinct valid symbols is rejected (not per-symbol news)", min: 1),
            StrategyIntervalSec = r.Double("STRATEGY_INTERVAL_SEC", d.StrategyIntervalSec, "event-time seconds between entry evaluations per symbol (0 = every event)", min: 0),
            RegularSessionOnly = r.Bool("STRATEGY_REGULAR_SESSION_ONLY", d.RegularSessionOnly, "trade only in the regular session"),

            StopLossPct = r.Double("STOP_LOSS_PCT", d.StopLossPct, "stop loss, percent (1.0 = 1 %)", min: 0.01, max: 100),
            TakeProfitPct = r.Double("TAKE_PROFIT_PCT", d.TakeProfitPct, "take profit, percent (0 = off)", min: 0, max: 1000),

            PositionSizePct = r.Double("POSITION_SIZE_PCT", d.PositionSizePct, "target position, fraction of equity (0.05 = 5 %)", min: 0.0001, max: 1),
            MaxPositionPct = r.Double("MAX_POSITION_PCT", d.MaxPositionPct, "hard cap per symbol, fraction of equity", min: 0.0001, max: 1),
            StrategyMaxQty = r.Int("STRATEGY_MAX_QTY", d.StrategyMaxQty, "most shares per order", min: 1),
            OrderCooldownSec = r.Double("ORDER_COOLDOWN_SEC", d.OrderCooldownSec, "seconds between orders per symbol", min: 0),
            OrderStaleSec = r.Double("ORDER_STALE_SEC", d.OrderStaleSec, "cancel an open limit order older than this; an exit is then re-sent at market (0 = never)", min: 0),
            UseLimitOrders = r.Bool("USE_LIMIT_ORDERS", d.UseLimitOrders, "marketable limit entries instead of market"),
            LimitOrderOffsetBps = r.Double("LIMIT_ORDER_OFFSET_BPS", d.LimitOrderOffsetBps, "limit price offset beyond the quote, bps", min: 0, max: 1000),

            KillSwitch = r.Bool("KILL_SWITCH", d.KillSwitch, "start with buys halted"),
            KillSwitchSentimentThreshold = r.Double("KILL_SWITCH_SENTIMENT_THRESHOLD", d.KillSwitchSentimentThreshold, "news score that halts buys in its symbols", min: -1, max: 0),
            KillSwitchReturnThreshold = r.Double("KILL_SWITCH_RETURN_THRESHOLD", d.KillSwitchReturnThreshold, "1m/5m return that halts all buys (decimal)", min: -1, max: 0),
            KillSwitchRearmMin = r.Double("KILL_SWITCH_REARM_MIN", d.KillSwitchRearmMin, "minutes after which an automatic kill-switch trip re-arms (0 = at the next New York trading date)", min: 0, max: 100_000),
            DailyCapEnabled = r.Bool("DAILY_CAP_ENABLED", d.DailyCapEnabled, "stop new buys once the day's target is made"),
            DailyCapPct = r.Double("DAILY_CAP_PCT", d.DailyCapPct, "daily profit target, percent of the day's opening equity", min: 0.0001, max: 100),
            DailyLossCapPct = r.Double("DAILY_LOSS_CAP_PCT", d.DailyLossCapPct, "daily loss that halts new buys, percent", min: 0.0001, max: 100),

            OpportunityEngineEnabled = r.Bool("OPPORTUNITY_ENGINE_ENABLED", d.OpportunityEngineEnabled, "restrict the watchlist to ACTIVE_SYMBOLS_FILE"),
            ActiveSymbolsFile = r.String("ACTIVE_SYMBOLS_FILE", d.ActiveSymbolsFile, "active symbols, one per line"),
            SymbolStateTtlSec = r.Double("SYMBOL_STATE_TTL_SEC", d.SymbolStateTtlSec, "forget idle symbols (not held, no open order) after this many event-time seconds", min: 60),
            FutureTsToleranceSec = r.Double("FUTURE_TS_TOLERANCE_SEC", d.FutureTsToleranceSec, "reject events whose ts is more than this many seconds after the wall clock", min: 0, max: 86_400),
            ClockJumpConfirmSec = r.Double("CLOCK_JUMP_CONFIRM_SEC", d.ClockJumpConfirmSec, "an event more than this many seconds ahead of the stream's clock is held until later events confirm the new time", min: 1, max: 31_536_000),
            LateEventToleranceSec = r.Double("LATE_EVENT_TOLERANCE_SEC", d.LateEventToleranceSec, "a trade, quote, news or volatility event more than this many seconds behind the stream clock is stale: counted and skipped (a stale price must not trigger an exit or a fill)", min: 0, max: 86_400),
            ClockJumpConfirmEvents = r.Int("CLOCK_JUMP_CONFIRM_EVENTS", d.ClockJumpConfirmEvents, "events near or after a held jump that confirm it (the jump is rejected if the stream goes on near the old clock)", min: 1, max: 100),
            MaxSymbols = r.Int("MAX_SYMBOLS", d.MaxSymbols, "most symbols tracked at once; an event for a new symbol past it is rejected (held symbols are always tracked)", min: 1, max: 10_000_000),

            UseAtrStop = r.Bool("USE_ATR_STOP", d.UseAtrStop, "stop at ATR_STOP_MULTIPLE × daily ATR when ATR is known"),
            AtrPeriod = r.Int("ATR_PERIOD", d.AtrPeriod, "ATR period (Wilder), daily bars", min: 2, max: 500),
            AtrStopMultiple = r.Double("ATR_STOP_MULTIPLE", d.AtrStopMultiple, "stop distance in ATRs", min: 0.1, max: 50),
            TakeProfitRMultiple = r.Double("TAKE_PROFIT_R_MULTIPLE", d.TakeProfitRMultiple, "take profit as a multiple of the ATR stop", min: 0, max: 50),
            BreakevenActivationPct = r.Double("BREAKEVEN_ACTIVATION_PCT", d.BreakevenActivationPct, "peak gain (percent) that arms the breakeven exit (0 = off)", min: 0, max: 100),
            TrailingStopActivationPct = r.Double("TRAILING_STOP_ACTIVATION_PCT", d.TrailingStopActivationPct, "peak gain (percent) that arms the trailing stop (0 = off)", min: 0, max: 100),
            TrailingStopPct = r.Double("TRAILING_STOP_PCT", d.TrailingStopPct, "trailing stop distance below the peak gain, percent", min: 0, max: 100),
            MaxHoldDays = r.Int("MAX_HOLD_DAYS", d.MaxHoldDays, "sell after this many days held (0 = off)", min: 0, max: 10_000),
            ScaleOutEnabled = r.Bool("SCALE_OUT_ENABLED", d.ScaleOutEnabled, "sell part of a winner at each level"),
            ScaleOutLevelsPct = r.DoubleList("SCALE_OUT_LEVELS_PCT", "1,2,3", "gain levels (percent) for scale-outs", min: 0.01, max: 1000),
            ScaleOutPctPerLevel = r.Double("SCALE_OUT_PCT_PER_LEVEL", d.ScaleOutPctPerLevel, "percent of the position sold at each level", min: 1, max: 100),
            TakeProfitAtVwap = r.Bool("TAKE_PROFIT_AT_VWAP", d.TakeProfitAtVwap, "take profit when price reaches VWAP"),
            ScaleOut50AtVwap = r.Bool("SCALE_OUT_50_AT_VWAP", d.ScaleOut50AtVwap, "sell half at VWAP first"),
            BreakevenAtHalfwayToVwap = r.Bool("BREAKEVEN_AT_HALFWAY_TO_VWAP", d.BreakevenAtHalfwayToVwap, "breakeven exit once halfway to VWAP"),
            TrailingAtrAboveVwap = r.Bool("TRAILING_ATR_ABOVE_VWAP", d.TrailingAtrAboveVwap, "ATR trail once above VWAP"),
            TrailingAtrMultiple = r.Double("TRAILING_ATR_MULTIPLE", d.TrailingAtrMultiple, "ATR trail distance in ATRs", min: 0.1, max: 50),

            UseMacd = r.Bool("USE_MACD", d.UseMacd, "MACD in the technical score"),
            UsePatterns = r.Bool("USE_PATTERNS", d.UsePatterns, "chart patterns in the technical score"),
            PatternLookback = r.Int("PATTERN_LOOKBACK", d.PatternLookback, "bars searched for patterns", min: 10, max: 1000),
            VwapLookback = r.Int("VWAP_LOOKBACK", d.VwapLookback, "rolling VWAP window, bars", min: 1, max: 1000),
            ZScorePeriod = r.Int("ZSCORE_PERIOD", d.ZScorePeriod, "returns Z-score window", min: 2, max: 1000),
            AtrPercentileLookback = r.Int("ATR_PERCENTILE_LOOKBACK", d.AtrPercentileLookback, "ATR percentile window", min: 2, max: 5000),
            StructureEmaPeriod = r.Int("STRUCTURE_EMA_PERIOD", d.StructureEmaPeriod, "EMA of the structure (trend) filter", min: 2, max: 1000),
            TrendFilterEnabled = r.Bool("TREND_FILTER_ENABLED", d.TrendFilterEnabled, "require price above its SMA when structure is unknown"),
            TrendSmaPeriod = r.Int("TREND_SMA_PERIOD", d.TrendSmaPeriod, "SMA period of the trend filter", min: 2, max: 1000),
            UseOfi = r.Bool("USE_OFI", d.UseOfi, "order-flow imbalance from trades vs quotes"),
            OfiSurgeForEntry = r.Double("OFI_SURGE_FOR_ENTRY", d.OfiSurgeForEntry, "minimum OFI to enter", min: -1, max: 1),
            OfiWindowTrades = r.Int("OFI_WINDOW_TRADES", d.OfiWindowTrades, "classified trades in the OFI window", min: 1, max: 100_000),
            ConfluenceZMax = r.Double("CONFLUENCE_Z_MAX", d.ConfluenceZMax, "entries need Z ≤ this (or price at/above VWAP)", min: -20, max: 20),
            TechnicalMinForEntry = r.Double("TECHNICAL_MIN_FOR_ENTRY", d.TechnicalMinForEntry, "minimum technical score to enter", min: -1, max: 1),
            RsiOverbought = r.Double("RSI_OVERBOUGHT", d.RsiOverbought, "RSI above which entries need OFI support", min: 50, max: 100),
            RsiOverboughtOfiMin = r.Double("RSI_OVERBOUGHT_OFI_MIN", d.RsiOverboughtOfiMin, "OFI needed when RSI is overbought", min: -1, max: 1),
            ScalpSkipMomentum = r.Bool("SCALP_SKIP_MOMENTUM", d.ScalpSkipMomentum, "skip the momentum checklist item"),
            ProbGainThreshold = r.Double("PROB_GAIN_THRESHOLD", d.ProbGainThreshold, "minimum prob_gain to enter", min: 0, max: 1),

            DailyCapSoftTrailingPct = r.Double("DAILY_CAP_SOFT_TRAILING_PCT", d.DailyCapSoftTrailingPct, "after the target, keep buying until P&L gives back this much from the day's peak (0 = stop at the target)", min: 0, max: 100),
            FlatWhenDailyTargetHit = r.Bool("FLAT_WHEN_DAILY_TARGET_HIT", d.FlatWhenDailyTargetHit, "close everything once the daily target is hit"),
            DrawdownHaltEnabled = r.Bool("DRAWDOWN_HALT_ENABLED", d.DrawdownHaltEnabled, "halt new buys on drawdown from the equity peak"),
            MaxDrawdownPct = r.Double("MAX_DRAWDOWN_PCT", d.MaxDrawdownPct, "drawdown from the equity peak that halts new buys, percent", min: 0.01, max: 100),
            NoNewBuysAfterEt = r.Time("NO_NEW_BUYS_AFTER_ET", "15:45", "no new buys from this New York time (empty = off)", allowEmpty: true),
            PortfolioHealthCheckEt = r.Time("PORTFOLIO_HEALTH_CHECK_ET", "16:00", "sell losers from this New York time (empty = off)", allowEmpty: true),
            OvernightCarryEnabled = r.Bool("OVERNIGHT_CARRY_ENABLED", d.OvernightCarryEnabled, "carry winners overnight; close losers before the close"),
            CloseLossesByEt = r.Time("CLOSE_LOSSES_BY_ET", "15:50", "close losing positions from this New York time (empty = off)", allowEmpty: true),
            RiskPctPerTrade = r.Double("RISK_PCT_PER_TRADE", d.RiskPctPerTrade, "risk per trade, percent of equity, sized with the ATR stop (0 = use POSITION_SIZE_PCT)", min: 0, max: 100),
            KellySizingEnabled = r.Bool("KELLY_SIZING_ENABLED", d.KellySizingEnabled, "scale risk by the Kelly fraction of recent trades"),
            KellyFractionCap = r.Double("KELLY_FRACTION_CAP", d.KellyFractionCap, "cap on the Kelly fraction", min: 0, max: 1),
            KellyLookbackTrades = r.Int("KELLY_LOOKBACK_TRADES", d.KellyLookbackTrades, "round trips in the Kelly estimate", min: 1, max: 100_000),
            CorrelationCheckEnabled = r.Bool("CORRELATION_CHECK_ENABLED", d.CorrelationCheckEnabled, "shrink size when correlated with a holding"),
            CorrelationThreshold = r.Double("CORRELATION_THRESHOLD", d.CorrelationThreshold, "correlation that counts as high", min: 0, max: 1),
            CorrelationSizeReduction = r.Double("CORRELATION_SIZE_REDUCTION", d.CorrelationSizeReduction, "size multiplier when correlated", min: 0, max: 1),
            Spy200maRegimeEnabled = r.Bool("SPY_200MA_REGIME_ENABLED", d.Spy200maRegimeEnabled, "stricter entries and smaller size while SPY is below its 200-day SMA"),
            SpyBelow200maLongSizeMultiplier = r.Double("SPY_BELOW_200MA_LONG_SIZE_MULTIPLIER", d.SpyBelow200maLongSizeMultiplier, "size multiplier below the SPY 200-day SMA", min: 0, max: 1),
            SpyBelow200maZTighten = r.Double("SPY_BELOW_200MA_Z_TIGHTEN", d.SpyBelow200maZTighten, "entries need Z ≤ this below the SPY 200-day SMA", min: -20, max: 20),

            Outliers = Market.OutlierSettings.Read(r),

            BarsCsvDir = r.String("BARS_CSV_DIR", d.BarsCsvDir, "folder of <SYMBOL>.csv daily bars to warm indicators up (empty = none)"),

            BacktestFillAtNextOpen = r.Bool("BACKTEST_FILL_AT_NEXT_OPEN", d.BacktestFillAtNextOpen, "backtest orders fill at the next bar's open (false = at the decision bar's close, optimistic)"),
            BacktestSlippageBps = r.Double("BACKTEST_SLIPPAGE_BPS", d.BacktestSlippageBps, "backtest slippage against us on every fill, basis points", min: 0, max: 10_000),
            BacktestCommissionPerTrade = r.Double("BACKTEST_COMMISSION_PER_TRADE", d.BacktestCommissionPerTrade, "backtest commission per fill, dollars", min: 0, max: 1_000_000),
            Redis = Streams.RedisSettings.Read(r),
            Screener = ScreenerSettings.Read(r),
            Learning = LearningSettings.Read(r),
            Sentiment = SentimentSettings.Read(r),
        };
        r.ThrowIfInvalid();
        entries = r.Entries;
        return config;
    }

    private static StrategyMode ParseMode(string text)
        => text.Equals("green_light", StringComparison.OrdinalIgnoreCase) ? StrategyMode.GreenLight
            : text.Equals("sma_cross", StringComparison.OrdinalIgnoreCase) ? StrategyMode.SmaCross
            : StrategyMode.Consensus;
}
