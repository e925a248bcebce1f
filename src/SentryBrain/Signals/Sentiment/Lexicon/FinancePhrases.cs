namespace SentryBrain.Signals.Sentiment.Lexicon;

/// <summary>
/// The finance vocabulary the <c>lexicon</c> model adds to the word lists: negators, the metrics a report moves
/// (profit, sales… are good when they rise; loss, costs… are bad when they rise), the verbs that move them, and the
/// fixed phrases of financial headlines. A general list written from how results and analyst news are phrased,
/// not from any evaluation sentence. All words lower case; phrases are tokens joined by one space.
/// </summary>
internal static class FinancePhrases
{
    /// <summary>Valences are on the AFINN scale (−5..5), like the word list.</summary>
    public const int MaxPhraseTokens = 5;

    /// <summary>A negator within this many tokens before a word (or phrase) flips its valence.</summary>
    public const int NegationWindow = 3;

    /// <summary>How far before a direction word its metric may stand ("operating profit for the third quarter of 2007 rose").</summary>
    public const int MetricWindowBefore = 12;

    /// <summary>How far after a direction word its metric may stand ("a rise in profit", "higher net sales").</summary>
    public const int MetricWindowAfter = 2;

    /// <summary>Valence of a metric moving (before <see cref="LexiconScorer.PhraseWeight"/>): +2 for "profit rose", −2 for "costs rose".</summary>
    public const int MetricMoveValence = 2;

    // "n't" endings (didn't, won't) are negators too; the scorer checks the suffix.
    public static readonly string[] Negators =
    [
        "not", "no", "never", "without", "cannot", "nor", "neither", "none", "nothing", "nowhere",
    ];

    /// <summary>Metrics that are good news when they rise: results, volumes, prices, jobs, guidance and analysts' numbers.</summary>
    public static readonly string[] GoodMetrics =
    [
        "profit", "profits", "earnings", "sales", "revenue", "revenues", "income", "ebit", "ebita", "ebitda", "turnover",
        "margin", "margins", "orders", "order", "eps", "dividend", "dividends", "result", "results", "demand", "deliveries",
        "volume", "volumes", "production", "output", "traffic", "passengers", "price", "prices", "share", "shares", "stock",
        "profitability", "productivity", "efficiency", "jobs", "employment", "guidance", "outlook", "forecast", "forecasts",
        "estimate", "estimates", "target", "targets", "rating",
    ];

    /// <summary>Metrics that are bad news when they rise (and good news when they narrow or fall).</summary>
    public static readonly string[] BadMetrics =
    [
        "loss", "losses", "costs", "cost", "expenses", "expenditure", "expenditures", "debt", "debts", "unemployment",
        "layoffs", "charges", "writedowns", "impairment", "impairments", "deficit",
    ];

    /// <summary>Verbs and adverbs of a metric going up (including raised/lifted guidance, a widened loss).</summary>
    public static readonly string[] Rising =
    [
        "rose", "rise", "rises", "rising", "risen", "increased", "increase", "increases", "increasing", "grew", "grow", "grows",
        "growing", "grown", "improved", "improve", "improves", "improving", "improvement", "jumped", "jump", "jumps", "climbed",
        "climb", "climbs", "surged", "surge", "surges", "soared", "soar", "soaring", "advanced", "gained", "gain", "gains",
        "doubled", "double", "doubling", "tripled", "up", "higher", "boosted", "boost", "raised", "raise", "raises", "raising",
        "lifted", "lift", "lifts", "lifting", "widened", "widen", "widening",
    ];

    /// <summary>Verbs and adverbs of a metric going down (including cut/lowered guidance, a narrowed loss).</summary>
    public static readonly string[] Falling =
    [
        "fell", "fall", "falls", "falling", "fallen", "decreased", "decrease", "decreases", "decreasing", "declined", "decline",
        "declines", "declining", "dropped", "drop", "drops", "dropping", "slumped", "slump", "plunged", "plunge", "tumbled",
        "slipped", "shrank", "shrunk", "contracted", "contract", "down", "lower", "weakened", "weaken", "deteriorated", "slid",
        "sank", "cut", "cuts", "cutting", "lowered", "lowers", "lowering", "narrowed", "narrow", "narrows", "narrowing", "reduced", "reduce", "reduces",
        "reducing", "reduction",
    ];

    /// <summary>
    /// Phrases that name a result line in the red. Alone they are bad news; when a verb moves them ("net loss
    /// narrowed") the move is the news and the phrase's own valence is taken back.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, int> MetricPhrases = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["operating loss"] = -2,
        ["net loss"] = -2,
        ["pretax loss"] = -2,
        ["pre-tax loss"] = -2,
    };

    /// <summary>
    /// Events of financial news and their valence: results against estimates, profit warnings, a loss line,
    /// swinging to a profit or a loss, analyst rating changes, job cuts. Their words are spent: a verb after them
    /// looks past them for its metric ("beats estimates and raises guidance" is two pieces of good news). Guidance and
    /// outlook moves are the metric rule's ("raises guidance" = a good metric rising), not listed here.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, int> Phrases = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["beat estimates"] = 3,
        ["beats estimates"] = 3,
        ["beat expectations"] = 3,
        ["beats expectations"] = 3,
        ["beat forecasts"] = 3,
        ["topped estimates"] = 3,
        ["exceeded expectations"] = 3,
        ["above expectations"] = 2,
        ["better than expected"] = 2,
        ["missed estimates"] = -3,
        ["misses estimates"] = -3,
        ["miss estimates"] = -3,
        ["missed expectations"] = -3,
        ["misses expectations"] = -3,
        ["missed forecasts"] = -3,
        ["below expectations"] = -2,
        ["worse than expected"] = -2,
        ["profit warning"] = -3,
        ["swung to a profit"] = 3,
        ["turned to a profit"] = 3,
        ["returned to profit"] = 3,
        ["swung to a net profit"] = 3,
        ["swung to an operating profit"] = 3,
        ["turned to an operating profit"] = 3,
        ["swung to a loss"] = -3,
        ["turned to a loss"] = -3,
        ["swung to a net loss"] = -3,
        ["swung to an operating loss"] = -3,
        ["turned to an operating loss"] = -3,
        ["upgrade"] = 2,
        ["upgraded"] = 2,
        ["upgrades"] = 2,
        ["downgrade"] = -2,
        ["downgraded"] = -2,
        ["downgrades"] = -2,
        ["laid off"] = -2,
        ["lay off"] = -2,
        ["layoffs"] = -2,
        ["redundant"] = -2,
        ["redundancies"] = -2,
        ["job cuts"] = -2,
        ["personnel reductions"] = -2,
        ["staff reductions"] = -2,
    };
}
