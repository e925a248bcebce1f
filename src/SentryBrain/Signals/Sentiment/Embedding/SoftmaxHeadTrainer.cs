namespace SentryBrain.Signals.Sentiment.Embedding;

/// <summary>
/// Fits a <see cref="SoftmaxHead"/>: standardises each feature (mean and population std of the training rows),
/// then minimises the mean cross-entropy + <see cref="DefaultL2"/>/2 · ‖W‖² (bias not penalised) with L-BFGS from
/// zero weights. Deterministic: same rows in the same order → the same head, bit for bit.
/// </summary>
public static class SoftmaxHeadTrainer
{
    /// <summary>Chosen by 5-fold cross-validation on the PhraseBank's training 80 % (0.05: 0.778, 0.1: 0.780, 0.2: 0.779, 0.4: 0.774).</summary>
    public const double DefaultL2 = 0.1;

    public const int MaxIterations = 300;

    /// <summary>Features below this spread carry nothing; their std is stored as 1 so they standardise to 0.</summary>
    private const double MinStd = 1e-6;

    private static readonly SentimentLabel[] ClassOrder = [SentimentLabel.Negative, SentimentLabel.Neutral, SentimentLabel.Positive];

    /// <param name="features">row-major, <paramref name="labels"/>.Count rows of <paramref name="featureCount"/> values.</param>
    public static SoftmaxHead Train(ReadOnlySpan<float> features, IReadOnlyList<SentimentLabel> labels, int featureCount, double l2 = DefaultL2)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(l2);
        var rows = labels.Count;
        if (rows == 0 || features.Length != rows * featureCount)
        {
            throw new ArgumentException($"expected {rows} rows of {featureCount} features, got {features.Length} values", nameof(features));
        }

        var (means, stds) = Standardisation(features, rows, featureCount);
        var z = new double[rows * featureCount];
        for (var r = 0; r < rows; r++)
        {
            for (var d = 0; d < featureCount; d++)
            {
                z[(r * featureCount) + d] = (features[(r * featureCount) + d] - means[d]) / stds[d];
            }
        }

        var y = labels.Select(l => Array.IndexOf(ClassOrder, l)).ToArray();
        var classes = ClassOrder.Length;
        var stride = featureCount + 1; // each class: its weights, then its bias
        var parameters = new double[classes * stride];
        var logits = new double[classes];
        double Loss(ReadOnlySpan<double> w, Span<double> gradient)
        {
            gradient.Clear();
            var loss = 0.0;
            for (var r = 0; r < rows; r++)
            {
                var x = z.AsSpan(r * featureCount, featureCount);
                var top = double.NegativeInfinity;
                for (var k = 0; k < classes; k++)
                {
                    var wk = w.Slice(k * stride, featureCount);
                    var s = w[(k * stride) + featureCount];
                    for (var d = 0; d < featureCount; d++)
                    {
                        s += wk[d] * x[d];
                    }

                    logits[k] = s;
                    top = Math.Max(top, s);
                }

                var sum = 0.0;
                for (var k = 0; k < classes; k++)
                {
                    logits[k] = Math.Exp(logits[k] - top);
                    sum += logits[k];
                }

                loss -= Math.Log(logits[y[r]] / sum);
                for (var k = 0; k < classes; k++)
                {
                    var error = (logits[k] / sum) - (k == y[r] ? 1 : 0);
                    var gk = gradient.Slice(k * stride, featureCount);
                    for (var d = 0; d < featureCount; d++)
                    {
                        gk[d] += error * x[d];
                    }

                    gradient[(k * stride) + featureCount] += error;
                }
            }

            loss /= rows;
            for (var i = 0; i < gradient.Length; i++)
            {
                gradient[i] /= rows;
                if (i % stride != featureCount)
                {
                    loss += 0.5 * l2 * w[i] * w[i];
                    gradient[i] += l2 * w[i];
                }
            }

            return loss;
        }

        Lbfgs.Minimize(Loss, parameters, MaxIterations);
        var weights = new double[classes * featureCount];
        var bias = new double[classes];
        for (var k = 0; k < classes; k++)
        {
            parameters.AsSpan(k * stride, featureCount).CopyTo(weights.AsSpan(k * featureCount));
            bias[k] = parameters[(k * stride) + featureCount];
        }

        return new SoftmaxHead(ClassOrder, means, stds, weights, bias);
    }

    private static (double[] Means, double[] Stds) Standardisation(ReadOnlySpan<float> features, int rows, int featureCount)
    {
        var means = new double[featureCount];
        var stds = new double[featureCount];
        for (var r = 0; r < rows; r++)
        {
            for (var d = 0; d < featureCount; d++)
            {
                means[d] += features[(r * featureCount) + d];
            }
        }

        for (var d = 0; d < featureCount; d++)
        {
            means[d] /= rows;
        }

        for (var r = 0; r < rows; r++)
        {
            for (var d = 0; d < featureCount; d++)
            {
                var e = features[(r * featureCount) + d] - means[d];
                stds[d] += e * e;
            }
        }

        for (var d = 0; d < featureCount; d++)
        {
            var std = Math.Sqrt(stds[d] / rows);
            stds[d] = std < MinStd ? 1 : std;
        }

        return (means, stds);
    }
}
