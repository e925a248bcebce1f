namespace SentryBrain.Config;

/// <summary>
/// News sentiment settings: which model scores news (<c>SENTIMENT_MODEL</c>), where its files are, how the scores of
/// several items combine over time, and whether a replay waits for an item's score. See docs/CONFIG.md.
/// </summary>
public sealed record SentimentSettings
{
    public static readonly IReadOnlyList<string> Models = ["vader", "lexicon", "onnx", "embedding"];

    /// <summary>vader (default) | lexicon | onnx | embedding.</summary>
    public string Model { get; init; } = "vader";

    /// <summary>Folder of the <c>onnx</c> model (model.onnx + vocab.txt or tokenizer.json [+ config.json]) or of the <c>embedding</c> head.</summary>
    public string ModelDir { get; init; } = "models/sentiment";

    /// <summary>Half-life of a news item's weight in a symbol's (and the market's) sentiment, minutes; 0 = only the newest item counts.</summary>
    public double NewsHalfLifeMin { get; init; } = 60;

    /// <summary>Texts per inference batch on the scoring worker.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Tokens per text, [CLS] and [SEP] included; longer texts are truncated.</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>Threads ONNX Runtime may use inside one inference (1 keeps the event loop's core free).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>auto (stdin and backtests wait, Redis does not) | true | false: wait for a model's score of a news item before the next event of its symbols.</summary>
    public string Wait { get; init; } = "auto";

    /// <summary>Longest wait for one news item's score before the item keeps its VADER score; milliseconds.</summary>
    public int WaitTimeoutMs { get; init; } = 10_000;

    /// <summary>Minutes during which a near-identical headline on the same symbol is the same story.</summary>
    public double NewsDedupeWindowMin { get; init; } = 1440;

    /// <summary>
    /// Half-life of a news item's weight in a backtest (<c>backtest --news</c>), minutes. Not NEWS_HALF_LIFE_MIN: a daily
    /// backtest decides once a day at the close, so a live 60-minute half-life would leave a morning headline at 2^−6
    /// of its score by the close; one day keeps the day's news whole and lets yesterday's count half.
    /// </summary>
    public double BacktestNewsHalfLifeMin { get; init; } = 1440;

    /// <summary>
    /// Age (calendar days, from the newest item's <c>created_at</c>) after which a symbol's news is no longer a source in
    /// a backtest; the live NEWS_MAX_AGE_SEC (one hour) would drop everything but the last hour before a close. Three
    /// days reach over a weekend: Friday-evening news still counts at Monday's close.
    /// </summary>
    public double BacktestNewsMaxAgeDays { get; init; } = 3;

    internal static SentimentSettings Read(ConfigReader r)
    {
        var d = new SentimentSettings();
        return new SentimentSettings
        {
            Model = r.String("SENTIMENT_MODEL", d.Model, "news sentiment model: vader, lexicon (VADER + finance word list), onnx (a BERT-family classifier in SENTIMENT_MODEL_DIR) or embedding (MiniLM embeddings + the head of ./brain sentiment train)", allowed: [.. Models]).ToLowerInvariant(),
            ModelDir = r.String("SENTIMENT_MODEL_DIR", d.ModelDir, "folder of the onnx model (model.onnx + vocab.txt or tokenizer.json, optional config.json) or of the embedding head"),
            NewsHalfLifeMin = r.Double("NEWS_HALF_LIFE_MIN", d.NewsHalfLifeMin, "half-life of a news item's weight in a symbol's sentiment, minutes (0 = the newest item only)", min: 0, max: 525_600),
            BatchSize = r.Int("SENTIMENT_BATCH_SIZE", d.BatchSize, "texts per inference batch on the news scoring worker", min: 1, max: 1024),
            MaxTokens = r.Int("SENTIMENT_MAX_TOKENS", d.MaxTokens, "tokens per text for onnx/embedding models ([CLS] and [SEP] included); longer texts are truncated", min: 8, max: 512),
            Threads = r.Int("SENTIMENT_THREADS", d.Threads, "threads ONNX Runtime uses inside one inference", min: 1, max: 64),
            Wait = r.String("SENTIMENT_WAIT", d.Wait, "wait for a model's news score before the next event of its symbols: auto (stdin and backtests wait, Redis does not), true or false", allowed: ["auto", "true", "false"]).ToLowerInvariant(),
            WaitTimeoutMs = r.Int("SENTIMENT_WAIT_TIMEOUT_MS", d.WaitTimeoutMs, "longest wait for one news score before the item keeps its VADER score, milliseconds", min: 1, max: 600_000),
            NewsDedupeWindowMin = r.Double("NEWS_DEDUPE_WINDOW_MIN", d.NewsDedupeWindowMin, "minutes during which a near-identical headline on the same symbol counts as the same story", min: 0, max: 525_600),
            BacktestNewsHalfLifeMin = r.Double("BACKTEST_NEWS_HALF_LIFE_MIN", d.BacktestNewsHalfLifeMin, "backtest --news: half-life of a news item's weight, minutes (a daily close is hours after most news, so longer than NEWS_HALF_LIFE_MIN; 0 = the newest item only)", min: 0, max: 525_600),
            BacktestNewsMaxAgeDays = r.Double("BACKTEST_NEWS_MAX_AGE_DAYS", d.BacktestNewsMaxAgeDays, "backtest --news: a symbol's news stops being a source this many calendar days after its newest item (3 reaches over a weekend; live: NEWS_MAX_AGE_SEC)", min: 0, max: 3650),
        };
    }
}
