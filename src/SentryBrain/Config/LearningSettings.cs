namespace SentryBrain.Config;

/// <summary>
/// The learning loop's settings (BEHAVIOR.md §6, §10): experience buffer, optimizer and generated rules, shadow
/// strategies, conviction sizing. Names and defaults are the reference's where it had them; see docs/CONFIG.md.
/// Conviction sizing is off by default: the reference recorded conviction but never sized with it, so turning it on
/// silently would change order sizes for an existing <c>.env</c>.
/// </summary>
public sealed record LearningSettings
{
    public bool ExperienceBufferEnabled { get; init; } = true;

    public string ExperienceBufferPath { get; init; } = "data/experience_buffer.jsonl";

    /// <summary>Lines kept when the buffer is trimmed; 0 = never trim.</summary>
    public int ExperienceBufferMaxLines { get; init; } = 20_000;

    public string GeneratedRulesPath { get; init; } = "data/generated_filter_rules.json";

    public string GeneratedRulesProposedPath { get; init; } = "data/generated_filter_rules_proposed.json";

    /// <summary>Trades a rule's region must hold (in sample) before it can be proposed.</summary>
    public int RuleMinSupport { get; init; } = 20;

    /// <summary>A region whose success rate is below this (in and out of sample) becomes a blocking rule.</summary>
    public double RuleMaxSuccessRate { get; init; } = 0.40;

    /// <summary>Days after which a generated rule expires unless a later optimizer run proposes it again.</summary>
    public int RuleTtlDays { get; init; } = 30;

    /// <summary>Hours a proposed rule file waits before it is promoted to active.</summary>
    public double RulePromotionHours { get; init; } = 24;

    /// <summary>The consumer's daily optimizer run, New York time, on trading days; null = off.</summary>
    public TimeOnly? OptimizerRunAtEt { get; init; } = new(16, 5);

    /// <summary>Days of the buffer the scheduled run learns from (0 = all).</summary>
    public int OptimizerRollingDays { get; init; } = 30;

    public bool ShadowStrategyEnabled { get; init; } = true;

    public string ShadowDbPath { get; init; } = "data/shadow.db";

    /// <summary>Extra ghost models beyond the reference's three: <c>name:stop%:tp%</c> entries, comma separated.</summary>
    public string ShadowParameterSets { get; init; } = string.Empty;

    public bool ConvictionSizingEnabled { get; init; }

    /// <summary>Outcomes remembered per setup.</summary>
    public int ConvictionWindow { get; init; } = 100;

    internal static LearningSettings Read(ConfigReader r)
    {
        var d = new LearningSettings();
        var settings = new LearningSettings
        {
            ExperienceBufferEnabled = r.Bool("EXPERIENCE_BUFFER_ENABLED", d.ExperienceBufferEnabled, "record every entry and exit fill with its signals (JSONL) for the optimizer"),
            ExperienceBufferPath = r.String("EXPERIENCE_BUFFER_PATH", d.ExperienceBufferPath, "experience buffer file (JSONL)"),
            ExperienceBufferMaxLines = r.Int("EXPERIENCE_BUFFER_MAX_LINES", d.ExperienceBufferMaxLines, "lines kept when the buffer is trimmed (0 = never trim)", min: 0, max: 100_000_000),
            GeneratedRulesPath = r.String("GENERATED_RULES_PATH", d.GeneratedRulesPath, "active generated filter rules (JSON), checked before every buy"),
            GeneratedRulesProposedPath = r.String("GENERATED_RULES_PROPOSED_PATH", d.GeneratedRulesProposedPath, "proposed rules, promoted to GENERATED_RULES_PATH after RULE_PROMOTION_HOURS"),
            RuleMinSupport = r.Int("RULE_MIN_SUPPORT", d.RuleMinSupport, "trades a generated rule's region must hold in sample", min: 3, max: 1_000_000),
            RuleMaxSuccessRate = r.Double("RULE_MAX_SUCCESS_RATE", d.RuleMaxSuccessRate, "a region succeeding less often than this, in and out of sample, becomes a blocking rule", min: 0.01, max: 0.99),
            RuleTtlDays = r.Int("RULE_TTL_DAYS", d.RuleTtlDays, "days a generated rule stays active unless proposed again", min: 1, max: 3650),
            RulePromotionHours = r.Double("RULE_PROMOTION_HOURS", d.RulePromotionHours, "hours a proposed rule file waits before promotion", min: 0, max: 8760),
            OptimizerRunAtEt = r.Time("OPTIMIZER_RUN_AT_ET", "16:05", "the consumer's daily optimizer run, New York time, on trading days (empty = off)", allowEmpty: true),
            OptimizerRollingDays = r.Int("OPTIMIZER_ROLLING_DAYS", d.OptimizerRollingDays, "days of the buffer the scheduled optimizer learns from (0 = all)", min: 0, max: 36_500),
            ShadowStrategyEnabled = r.Bool("SHADOW_STRATEGY_ENABLED", d.ShadowStrategyEnabled, "run ghost exit models beside the live strategy and compare them daily"),
            ShadowDbPath = r.String("SHADOW_DB_PATH", d.ShadowDbPath, "ghost models' trades and statistics (SQLite)"),
            ShadowParameterSets = r.String("SHADOW_PARAMETER_SETS", d.ShadowParameterSets, "extra ghost models, name:stop%:take-profit% comma separated (e.g. loose:2:4)"),
            ConvictionSizingEnabled = r.Bool("CONVICTION_SIZING_ENABLED", d.ConvictionSizingEnabled, "scale buys 0.5–1.5× by the recent outcomes of the same setup"),
            ConvictionWindow = r.Int("CONVICTION_WINDOW", d.ConvictionWindow, "outcomes remembered per setup", min: 3, max: 100_000),
        };
        if (Learning.ShadowModels.Problem(settings.ShadowParameterSets) is { } problem)
        {
            r.Fail(Learning.ShadowModels.Variable, settings.ShadowParameterSets, $"{Learning.ShadowModels.Expected}; {problem}");
        }

        return settings;
    }
}
