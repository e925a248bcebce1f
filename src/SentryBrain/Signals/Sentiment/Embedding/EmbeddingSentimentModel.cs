using SentryBrain.Config;

namespace SentryBrain.Signals.Sentiment.Embedding;

/// <summary>
/// <c>SENTIMENT_MODEL=embedding</c>: MiniLM poolings + VADER features (<see cref="EmbeddingFeaturizer"/>) through the
/// softmax head of <c>SENTIMENT_MODEL_DIR/embedding_head.json</c>; score = P(positive) − P(negative), label = the
/// most probable class. The head is read first (a missing one fails before the 90 MB model loads), then the ONNX
/// session is built: everything at construction, nothing on the first text. One caller at a time.
/// </summary>
public sealed class EmbeddingSentimentModel : ISentimentModel
{
    private readonly EmbeddingFeaturizer _featurizer;
    private readonly SoftmaxHead _head;
    private readonly List<string> _pending = [];
    private readonly List<int> _slots = [];
    private readonly float[] _features;
    private readonly double[] _probabilities = new double[3];

    public EmbeddingSentimentModel(SentimentSettings settings)
        : this(LoadHead(settings), settings)
    {
    }

    public EmbeddingSentimentModel(SoftmaxHead head, SentimentSettings settings)
        : this(head, new EmbeddingFeaturizer(new MiniLmEncoder(settings), Vader.Default))
    {
    }

    /// <summary>Takes ownership of <paramref name="featurizer"/>.</summary>
    public EmbeddingSentimentModel(SoftmaxHead head, EmbeddingFeaturizer featurizer)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(featurizer);
        if (head.FeatureCount != EmbeddingFeaturizer.FeatureCount)
        {
            throw new SentimentModelException($"the embedding head has {head.FeatureCount} features, the featurizer computes {EmbeddingFeaturizer.FeatureCount}");
        }

        _head = head;
        _featurizer = featurizer;
        _features = new float[featurizer.BatchSize * EmbeddingFeaturizer.FeatureCount];
    }

    public string Name => "embedding";

    public bool IsFast => false;

    public SoftmaxHead Head => _head;

    public void Score(IReadOnlyList<string> texts, Span<SentimentResult> results)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (results.Length < texts.Count)
        {
            throw new ArgumentException($"results has room for {results.Length} of {texts.Count} texts", nameof(results));
        }

        _pending.Clear();
        _slots.Clear();
        for (var i = 0; i < texts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i]))
            {
                results[i] = SentimentResult.Neutral; // no inference for nothing to read
            }
            else
            {
                _pending.Add(texts[i]);
                _slots.Add(i);
            }
        }

        for (var start = 0; start < _pending.Count; start += _featurizer.BatchSize)
        {
            var count = Math.Min(_featurizer.BatchSize, _pending.Count - start);
            _featurizer.Featurize(_pending, start, count, _features);
            for (var j = 0; j < count; j++)
            {
                _head.Probabilities(_features.AsSpan(j * EmbeddingFeaturizer.FeatureCount, EmbeddingFeaturizer.FeatureCount), _probabilities);
                results[_slots[start + j]] = _head.Result(_probabilities);
            }
        }

        _pending.Clear();
    }

    private static SoftmaxHead LoadHead(SentimentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return EmbeddingHeadFile.Read(EmbeddingHeadFile.PathIn(settings.ModelDir)).Head;
    }

    public void Dispose() => _featurizer.Dispose();
}
