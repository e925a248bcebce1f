using SentryBrain.Strategy;

namespace SentryBrain.Learning;

/// <summary>
/// The features the optimizer learns from and generated rules test, by name, read the same way from a live decision's
/// signals (<see cref="FromSignals"/>) and from an experience line (<see cref="FromRecord"/>): one definition, so a rule
/// mined from the buffer means the same thing at buy time. Booleans are 1/0; null = unknown (a rule never matches on an
/// unknown value).
/// </summary>
public static class RuleFeatures
{
    public static readonly IReadOnlyList<string> Names =
    [
        "z_score", "rsi", "macd_above_zero", "ofi", "atr_pct", "atr_percentile", "technical_score", "prob_gain",
        "structure_ok", "regime_trend", "regime_range", "sentiment", "vwap_distance_pct",
    ];

    public static bool IsKnown(string name) => Index(name) >= 0;

    public static int Index(string name)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public static double? FromSignals(in DecisionSignals s, int feature) => feature switch
    {
        0 => s.ZScore,
        1 => s.Rsi,
        2 => Flag(s.MacdAboveZero),
        3 => s.Ofi,
        4 => s.AtrPct,
        5 => s.AtrPercentile,
        6 => s.TechnicalScore,
        7 => s.ProbGain,
        8 => Flag(s.StructureOk),
        9 => RegimeIs(s.Regime, MarketRegime.Trend),
        10 => RegimeIs(s.Regime, MarketRegime.Range),
        11 => s.News,
        12 => s.VwapDistancePct,
        _ => null,
    };

    public static double? FromRecord(ExperienceRecord r, int feature) => feature switch
    {
        0 => r.ZScore,
        1 => r.Rsi,
        2 => Flag(r.MacdAboveZero),
        3 => r.Ofi,
        4 => r.AtrPct,
        5 => r.AtrPercentile,
        6 => r.TechnicalScore,
        7 => r.ProbGain,
        8 => Flag(r.StructureOk),
        9 => RegimeIs(r.Regime, MarketRegime.Trend),
        10 => RegimeIs(r.Regime, MarketRegime.Range),
        11 => r.Sentiment,
        12 => r.VwapDistancePct,
        _ => null,
    };

    private static double? Flag(bool? value) => value is { } b ? (b ? 1 : 0) : null;

    private static double? RegimeIs(string? regime, string which) => regime is null ? null : string.Equals(regime, which, StringComparison.Ordinal) ? 1 : 0;
}
