using Microsoft.Extensions.Time.Testing;
using SentryBrain.Config;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.Embedding;

namespace SentryBrain.Tests.Signals.Sentiment.Embedding;

/// <summary>One MiniLM session and one head trained on <see cref="ObviousFinance"/> for a test class (loading the model takes a second or two).</summary>
public sealed class EncoderFixture : IDisposable
{
    public static readonly DateTimeOffset Created = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public EncoderFixture()
    {
        Featurizer = NewFeaturizer();
        Trained = Train(Featurizer);
    }

    public static SentimentSettings Settings(string modelDir = "unused") => new() { Model = "embedding", ModelDir = modelDir, Threads = 1, BatchSize = 4, MaxTokens = 128 };

    public EmbeddingFeaturizer Featurizer { get; }

    public EmbeddingTrainingResult Trained { get; }

    public static EmbeddingFeaturizer NewFeaturizer()
    {
        var s = Settings();
        return new EmbeddingFeaturizer(new MiniLmEncoder(s), Vader.Default);
    }

    public static EmbeddingTrainingResult Train(EmbeddingFeaturizer featurizer)
        => EmbeddingTraining.Run(featurizer, ObviousFinance.Sentences, split: false, "obvious.csv", new FakeTimeProvider(Created));

    public void Dispose() => Featurizer.Dispose();
}
