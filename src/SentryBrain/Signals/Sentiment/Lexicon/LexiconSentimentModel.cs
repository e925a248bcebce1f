namespace SentryBrain.Signals.Sentiment.Lexicon;

/// <summary>
/// <c>SENTIMENT_MODEL=lexicon</c>: the AFINN-165 financial-news word list blended with VADER's lexicon, negation and
/// the phrases of financial headlines (<see cref="LexiconScorer"/>). The raw valence sum x is squashed like VADER's
/// compound, x / √(x² + 15), into [−1, 1]; |x| below <see cref="RawNeutralBand"/> is neutral.
/// </summary>
public sealed class LexiconSentimentModel : ISentimentModel
{
    /// <summary>
    /// A text needs a valence sum of at least 3 (a phrase and a word, or three words' worth) to be positive or negative:
    /// chosen on the PhraseBank's 80 % training split among 1, 1.5, …, 4.
    /// </summary>
    public const double RawNeutralBand = 3;

    /// <summary>VADER's normalisation constant: a sum of ±√15 ≈ ±3.9 maps to ±0.71.</summary>
    public const double NormalizeAlpha = 15;

    public static readonly LexiconSentimentModel Default = new(FinanceLexicon.Default);

    private readonly FinanceLexicon _lexicon;

    internal LexiconSentimentModel(FinanceLexicon lexicon)
    {
        _lexicon = lexicon;
    }

    /// <summary><see cref="RawNeutralBand"/> on the score's scale: |score| below this is neutral.</summary>
    public static double NeutralBand { get; } = Normalize(RawNeutralBand);

    public string Name => "lexicon";

    public bool IsFast => true;

    public void Score(IReadOnlyList<string> texts, Span<SentimentResult> results)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (results.Length != texts.Count)
        {
            throw new ArgumentException($"results holds {results.Length} slots for {texts.Count} texts", nameof(results));
        }

        for (var i = 0; i < texts.Count; i++)
        {
            results[i] = Score(texts[i]);
        }
    }

    /// <summary>One text's score and label; null, empty or blank text is neutral 0.</summary>
    public SentimentResult Score(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return SentimentResult.Neutral;
        }

        var raw = LexiconScorer.RawScore(_lexicon, text);
        var label = raw >= RawNeutralBand ? SentimentLabel.Positive : raw <= -RawNeutralBand ? SentimentLabel.Negative : SentimentLabel.Neutral;
        return new SentimentResult(Normalize(raw), label);
    }

    /// <summary>x / √(x² + 15), clamped to [−1, 1].</summary>
    public static double Normalize(double raw) => Math.Clamp(raw / Math.Sqrt((raw * raw) + NormalizeAlpha), -1.0, 1.0);

    public void Dispose()
    {
    }
}
