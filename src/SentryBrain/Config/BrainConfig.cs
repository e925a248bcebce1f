namespace SentryBrain.Config;

public enum StrategyMode
{
    Consensus = 0,
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
    public double PaperStartingCash { get; init; } = 100_000;

    // Strategy: composite/consensus (README of the reference)
    public StrategyMode StrategyMode { get; init; } = StrategyMode.Consensus;
    public bool UseConsensus { get; init; } = true;
    public int ConsensusMinSourcesPositive { get; init; } = 2;
    public double ConsensusPositiveThreshold { get; init; } = 0.15;
    public bool UseTechnicalIndicators { get; init; } = true;
    public int RsiPeriod { get; init; } = 14;
    public double MomentumScale1m { get; init; } = 100;
    public double MomentumScale5m { get; init; } = 50;
    public double NewsMaxAgeSec { get; init; } = 3600;
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

    // Rules
    public bool KillSwitch { get; init; }
    public double KillSwitchSentimentThreshold { get; init; } = -0.50;
    public double KillSwitchReturnThreshold { get; init; } = -0.05;
    public bool DailyCapEnabled { get; init; } = true;
    public double DailyCapPct { get; init; } = 0.25;
    public double DailyLossCapPct { get; init; } = 1.0;

    // Universe and memory
    public bool OpportunityEngineEnabled { get; init; }
    public string ActiveSymbolsFile { get; init; } = string.Empty;
    public double SymbolStateTtlSec { get; init; } = 1800;

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
            PaperStartingCash = r.Double("PAPER_STARTING_CASH", d.PaperStartingCash, "cash of a new paper ledger", min: 1),

            StrategyMode = ParseMode(r.String("STRATEGY_MODE", "consensus", "strategy", allowed: ["consensus"])),
            UseConsensus = r.Bool("USE_CONSENSUS", d.UseConsensus, "require N positive sources to buy"),
            ConsensusMinSourcesPositive = r.Int("CONSENSUS_MIN_SOURCES_POSITIVE", d.ConsensusMinSourcesPositive, "sources that must agree", min: 1, max: 4),
            ConsensusPositiveThreshold = r.Double("CONSENSUS_POSITIVE_THRESHOLD", d.ConsensusPositiveThreshold, "score at which a source counts as positive", min: 0, max: 1),
            UseTechnicalIndicators = r.Bool("USE_TECHNICAL_INDICATORS", d.UseTechnicalIndicators, "RSI on 1-minute bars as a consensus source"),
            RsiPeriod = r.Int("RSI_PERIOD", d.RsiPeriod, "RSI period (1-minute bars)", min: 2, max: 500),
            MomentumScale1m = r.Double("MOMENTUM_SCALE_1M", d.MomentumScale1m, "momentum = 0.6·clamp(scale·return_1m) + …", min: 0),
            MomentumScale5m = r.Double("MOMENTUM_SCALE_5M", d.MomentumScale5m, "… + 0.4·clamp(scale·return_5m)", min: 0),
            NewsMaxAgeSec = r.Double("NEWS_MAX_AGE_SEC", d.NewsMaxAgeSec, "how long a headline's score stays a source", min: 0),
            StrategyIntervalSec = r.Double("STRATEGY_INTERVAL_SEC", d.StrategyIntervalSec, "event-time seconds between entry evaluations per symbol (0 = every event)", min: 0),
            RegularSessionOnly = r.Bool("STRATEGY_REGULAR_SESSION_ONLY", d.RegularSessionOnly, "trade only in the regular session"),

            StopLossPct = r.Double("STOP_LOSS_PCT", d.StopLossPct, "stop loss, percent (1.0 = 1 %)", min: 0.01, max: 100),
            TakeProfitPct = r.Double("TAKE_PROFIT_PCT", d.TakeProfitPct, "take profit, percent (0 = off)", min: 0, max: 1000),

            PositionSizePct = r.Double("POSITION_SIZE_PCT", d.PositionSizePct, "target position, fraction of equity (0.05 = 5 %)", min: 0.0001, max: 1),
            MaxPositionPct = r.Double("MAX_POSITION_PCT", d.MaxPositionPct, "hard cap per symbol, fraction of equity", min: 0.0001, max: 1),
            StrategyMaxQty = r.Int("STRATEGY_MAX_QTY", d.StrategyMaxQty, "most shares per order", min: 1),
            OrderCooldownSec = r.Double("ORDER_COOLDOWN_SEC", d.OrderCooldownSec, "seconds between orders per symbol", min: 0),
            UseLimitOrders = r.Bool("USE_LIMIT_ORDERS", d.UseLimitOrders, "marketable limit entries instead of market"),
            LimitOrderOffsetBps = r.Double("LIMIT_ORDER_OFFSET_BPS", d.LimitOrderOffsetBps, "limit price offset beyond the quote, bps", min: 0, max: 1000),

            KillSwitch = r.Bool("KILL_SWITCH", d.KillSwitch, "start with buys halted"),
            KillSwitchSentimentThreshold = r.Double("KILL_SWITCH_SENTIMENT_THRESHOLD", d.KillSwitchSentimentThreshold, "news score that halts buys in its symbols", min: -1, max: 0),
            KillSwitchReturnThreshold = r.Double("KILL_SWITCH_RETURN_THRESHOLD", d.KillSwitchReturnThreshold, "1m/5m return that halts all buys (decimal)", min: -1, max: 0),
            DailyCapEnabled = r.Bool("DAILY_CAP_ENABLED", d.DailyCapEnabled, "stop new buys once the day's target is made"),
            DailyCapPct = r.Double("DAILY_CAP_PCT", d.DailyCapPct, "daily profit target, percent of the day's opening equity", min: 0.0001, max: 100),
            DailyLossCapPct = r.Double("DAILY_LOSS_CAP_PCT", d.DailyLossCapPct, "daily loss that halts new buys, percent", min: 0.0001, max: 100),

            OpportunityEngineEnabled = r.Bool("OPPORTUNITY_ENGINE_ENABLED", d.OpportunityEngineEnabled, "restrict the watchlist to ACTIVE_SYMBOLS_FILE"),
            ActiveSymbolsFile = r.String("ACTIVE_SYMBOLS_FILE", d.ActiveSymbolsFile, "active symbols, one per line"),
            SymbolStateTtlSec = r.Double("SYMBOL_STATE_TTL_SEC", d.SymbolStateTtlSec, "forget idle symbols (not held, no open order) after this many event-time seconds", min: 60),
        };
        r.ThrowIfInvalid();
        entries = r.Entries;
        return config;
    }

    private static StrategyMode ParseMode(string text) => StrategyMode.Consensus;
}
