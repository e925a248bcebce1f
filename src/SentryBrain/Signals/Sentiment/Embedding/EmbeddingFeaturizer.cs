namespace SentryBrain.Signals.Sentiment.Embedding;

/// <summary>
/// The features the embedding head reads for one text: MiniLM's three poolings (<see cref="MiniLmEncoder"/>) then
/// VADER's negative, neutral, positive and compound scores, which add the lexicon's negation and intensity rules
/// the embeddings blur (+0.5 point held-out on the PhraseBank). Batches the encoder; not thread-safe.
/// </summary>
public sealed class EmbeddingFeaturizer(MiniLmEncoder encoder, Vader vader) : IDisposable
{
    public const int VaderCount = 4;
    public const int FeatureCount = MiniLmEncoder.FeatureCount + VaderCount;

    /// <summary>What the head file records of the features, checked when a head is loaded.</summary>
    public static readonly string[] ExtraFeatures = ["vader.neg", "vader.neu", "vader.pos", "vader.compound"];

    private readonly string[] _batch = new string[encoder.BatchSize];
    private readonly float[] _encoded = new float[encoder.BatchSize * MiniLmEncoder.FeatureCount];

    public int BatchSize => encoder.BatchSize;

    /// <summary>
    /// Features of <paramref name="texts"/>[start .. start + count) (none blank; count ≤ <see cref="BatchSize"/>)
    /// into consecutive rows of <paramref name="features"/>.
    /// </summary>
    public void Featurize(IReadOnlyList<string> texts, int start, int count, Span<float> features)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BatchSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(features.Length, count * FeatureCount);
        for (var i = 0; i < count; i++)
        {
            _batch[i] = texts[start + i];
        }

        var batch = count == _batch.Length ? _batch : _batch[..count];
        encoder.Encode(batch, _encoded);
        for (var i = 0; i < count; i++)
        {
            var row = features.Slice(i * FeatureCount, FeatureCount);
            _encoded.AsSpan(i * MiniLmEncoder.FeatureCount, MiniLmEncoder.FeatureCount).CopyTo(row);
            var s = vader.PolarityScores(batch[i]);
            row[MiniLmEncoder.FeatureCount] = (float)s.Negative;
            row[MiniLmEncoder.FeatureCount + 1] = (float)s.Neutral;
            row[MiniLmEncoder.FeatureCount + 2] = (float)s.Positive;
            row[MiniLmEncoder.FeatureCount + 3] = (float)s.Compound;
        }

        Array.Clear(_batch);
    }

    /// <summary>Features of every text (none blank) as one row-major array; <paramref name="progress"/> gets (done, total) after each batch.</summary>
    public float[] FeaturizeAll(IReadOnlyList<string> texts, Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var features = new float[texts.Count * FeatureCount];
        for (var start = 0; start < texts.Count; start += BatchSize)
        {
            cancel.ThrowIfCancellationRequested();
            var count = Math.Min(BatchSize, texts.Count - start);
            Featurize(texts, start, count, features.AsSpan(start * FeatureCount, count * FeatureCount));
            progress?.Invoke(start + count, texts.Count);
        }

        return features;
    }

    public void Dispose() => encoder.Dispose();
}
