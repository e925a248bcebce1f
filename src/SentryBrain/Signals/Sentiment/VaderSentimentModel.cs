namespace SentryBrain.Signals.Sentiment;

/// <summary>VADER's compound score (<c>SENTIMENT_MODEL=vader</c>), labelled with VADER's own ±0.05 cut.</summary>
public sealed class VaderSentimentModel(Vader vader) : ISentimentModel
{
    /// <summary>VADER's documented neutral band: |compound| &lt; 0.05 is neutral.</summary>
    public const double NeutralBand = 0.05;

    public static readonly VaderSentimentModel Default = new(Vader.Default);

    public string Name => "vader";

    public bool IsFast => true;

    public void Score(IReadOnlyList<string> texts, Span<SentimentResult> results)
    {
        for (var i = 0; i < texts.Count; i++)
        {
            var compound = string.IsNullOrWhiteSpace(texts[i]) ? 0.0 : vader.PolarityScores(texts[i]).Compound;
            results[i] = new SentimentResult(compound, LabelOf(compound, NeutralBand));
        }
    }

    /// <summary>Positive above <paramref name="band"/>, negative below −band, neutral between.</summary>
    public static SentimentLabel LabelOf(double score, double band)
        => score >= band ? SentimentLabel.Positive : score <= -band ? SentimentLabel.Negative : SentimentLabel.Neutral;

    public void Dispose()
    {
    }
}
