namespace SentryBrain.Signals.Sentiment.Embedding;

/// <summary>
/// A multinomial logistic regression over standardised features: p = softmax(W · (x − mean) / std + b), one row of
/// W per label. Immutable: the constructor copies and checks its arrays (finite, stds &gt; 0, matching lengths, the
/// three labels once each), so a loaded head cannot turn into NaN scores later.
/// </summary>
public sealed class SoftmaxHead
{
    private readonly double[] _means;
    private readonly double[] _stds;
    private readonly double[] _weights;
    private readonly double[] _bias;
    private readonly SentimentLabel[] _labels;

    public SoftmaxHead(IReadOnlyList<SentimentLabel> labels, IReadOnlyList<double> means, IReadOnlyList<double> stds, IReadOnlyList<double> weights, IReadOnlyList<double> bias)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(stds);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        if (labels.Count != 3 || labels.Distinct().Count() != 3 || labels.Any(l => !Enum.IsDefined(l)))
        {
            throw new InvalidDataException("labels must be negative, neutral and positive, once each");
        }

        var features = means.Count;
        if (features == 0 || stds.Count != features)
        {
            throw new InvalidDataException($"means has {features} values and stds {stds.Count}: they must be equal and non-zero");
        }

        if (weights.Count != labels.Count * features || bias.Count != labels.Count)
        {
            throw new InvalidDataException($"weights must be {labels.Count} × {features} and bias {labels.Count} values, not {weights.Count} and {bias.Count}");
        }

        _labels = [.. labels];
        _means = Finite(means, nameof(means));
        _stds = Finite(stds, nameof(stds));
        _weights = Finite(weights, nameof(weights));
        _bias = Finite(bias, nameof(bias));
        if (_stds.Any(s => s <= 0))
        {
            throw new InvalidDataException("stds must be > 0");
        }
    }

    public int FeatureCount => _means.Length;

    /// <summary>The label of each class, in the order of the weight rows.</summary>
    public IReadOnlyList<SentimentLabel> Labels => _labels;

    public ReadOnlySpan<double> Means => _means;

    public ReadOnlySpan<double> Stds => _stds;

    /// <summary>Row-major: label k's weights are [k × FeatureCount, (k + 1) × FeatureCount).</summary>
    public ReadOnlySpan<double> Weights => _weights;

    public ReadOnlySpan<double> Bias => _bias;

    /// <summary>Class probabilities of one feature row (<paramref name="probabilities"/> in <see cref="Labels"/> order).</summary>
    public void Probabilities(ReadOnlySpan<float> features, Span<double> probabilities)
    {
        if (features.Length != _means.Length)
        {
            throw new ArgumentException($"expected {_means.Length} features, got {features.Length}", nameof(features));
        }

        var classes = _labels.Length;
        var top = double.NegativeInfinity;
        for (var k = 0; k < classes; k++)
        {
            var w = _weights.AsSpan(k * _means.Length, _means.Length);
            var z = _bias[k];
            for (var d = 0; d < w.Length; d++)
            {
                z += w[d] * ((features[d] - _means[d]) / _stds[d]);
            }

            probabilities[k] = z;
            top = Math.Max(top, z);
        }

        var sum = 0.0;
        for (var k = 0; k < classes; k++)
        {
            probabilities[k] = Math.Exp(probabilities[k] - top);
            sum += probabilities[k];
        }

        for (var k = 0; k < classes; k++)
        {
            probabilities[k] /= sum;
        }
    }

    /// <summary>Score P(positive) − P(negative) and the most probable label (ties: the earlier class).</summary>
    public SentimentResult Result(ReadOnlySpan<double> probabilities)
    {
        double positive = 0, negative = 0, best = double.NegativeInfinity;
        var label = SentimentLabel.Neutral;
        for (var k = 0; k < _labels.Length; k++)
        {
            var p = probabilities[k];
            if (_labels[k] == SentimentLabel.Positive)
            {
                positive = p;
            }
            else if (_labels[k] == SentimentLabel.Negative)
            {
                negative = p;
            }

            if (p > best)
            {
                best = p;
                label = _labels[k];
            }
        }

        return new SentimentResult(Math.Clamp(positive - negative, -1, 1), label);
    }

    private static double[] Finite(IReadOnlyList<double> values, string name)
    {
        var copy = values.ToArray();
        for (var i = 0; i < copy.Length; i++)
        {
            if (!double.IsFinite(copy[i]))
            {
                throw new InvalidDataException($"{name}[{i}] is {copy[i]}: every value must be a finite number");
            }
        }

        return copy;
    }
}
