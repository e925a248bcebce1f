using SentryBrain.Config;

namespace SentryBrain.Signals.Sentiment;

/// <summary>
/// Builds the model <c>SENTIMENT_MODEL</c> names. Loading happens here, at start-up, never on the first news of the
/// event loop; a missing or broken model folder is a <see cref="SentimentModelException"/> naming the file expected.
/// </summary>
public static class SentimentModels
{
    public static ISentimentModel Load(SentimentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Model switch
        {
            "vader" => VaderSentimentModel.Default,
            "lexicon" => throw new NotSupportedException("lexicon: not built yet"),
            "onnx" => throw new NotSupportedException("onnx: not built yet"),
            "embedding" => new Embedding.EmbeddingSentimentModel(settings),
            _ => throw new SentimentModelException($"SENTIMENT_MODEL={settings.Model} is not one of: {string.Join(", ", SentimentSettings.Models)}"),
        };
    }
}

/// <summary>A sentiment model that cannot be loaded: the message names the folder and the file expected.</summary>
public sealed class SentimentModelException(string message, Exception? inner = null) : Exception(message, inner);
