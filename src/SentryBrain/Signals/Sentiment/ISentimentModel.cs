namespace SentryBrain.Signals.Sentiment;

public enum SentimentLabel
{
    Negative,
    Neutral,
    Positive,
}

/// <summary>One text's sentiment: <paramref name="Score"/> ∈ [−1, 1] (P(positive) − P(negative) for classifiers) and the predicted class.</summary>
public readonly record struct SentimentResult(double Score, SentimentLabel Label)
{
    public static readonly SentimentResult Neutral = new(0, SentimentLabel.Neutral);

    public static string Name(SentimentLabel label) => label switch
    {
        SentimentLabel.Negative => "negative",
        SentimentLabel.Positive => "positive",
        _ => "neutral",
    };

    /// <summary>negative / neutral / positive (any case, trimmed); null for anything else.</summary>
    public static SentimentLabel? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "negative" => SentimentLabel.Negative,
        "neutral" => SentimentLabel.Neutral,
        "positive" => SentimentLabel.Positive,
        _ => null,
    };
}

/// <summary>
/// A text sentiment model (<c>SENTIMENT_MODEL</c>): VADER, the finance lexicon, an ONNX classifier or embeddings with
/// a trained head. Scores a batch of plain texts (no HTML: callers clean summaries first). Implementations are safe
/// to call from one thread at a time; the engine calls the slow ones from its scoring worker only.
/// </summary>
public interface ISentimentModel : IDisposable
{
    /// <summary>The <c>SENTIMENT_MODEL</c> name: vader, lexicon, onnx or embedding.</summary>
    string Name { get; }

    /// <summary>True when a text costs microseconds (VADER, lexicon): the engine scores on the event loop, no worker.</summary>
    bool IsFast { get; }

    /// <summary>Scores <paramref name="texts"/> into <paramref name="results"/> (same length). Empty or blank text scores neutral 0.</summary>
    void Score(IReadOnlyList<string> texts, Span<SentimentResult> results);
}
