using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.Embedding;

namespace SentryBrain.Tests.Signals.Sentiment.Embedding;

public sealed class SoftmaxHeadTests
{
    private static readonly SentimentLabel[] Order = [SentimentLabel.Negative, SentimentLabel.Neutral, SentimentLabel.Positive];

    [Fact]
    public void Probabilities_and_score_match_a_hand_calculation()
    {
        // x = (3, 1), means (1, 1), stds (2, 1) → z = (1, 0). Logits: negative 0, neutral 0, positive ln 2 + 0
        // → softmax (1/4, 1/4, 1/2); score = 1/2 − 1/4 = 0.25, label positive.
        var head = new SoftmaxHead(Order, [1, 1], [2, 1], [0, 5, 0, -5, Math.Log(2), 7], [0, 0, 0]);
        Span<double> p = stackalloc double[3];
        head.Probabilities([3f, 1f], p);
        Assert.Equal(0.25, p[0], 12);
        Assert.Equal(0.25, p[1], 12);
        Assert.Equal(0.5, p[2], 12);
        var result = head.Result(p);
        Assert.Equal(0.25, result.Score, 12);
        Assert.Equal(SentimentLabel.Positive, result.Label);
    }

    [Fact]
    public void Label_order_in_the_head_is_respected()
    {
        // Same numbers, rows listed positive, neutral, negative: probabilities (1/2, 1/4, 1/4) → label positive.
        var head = new SoftmaxHead([SentimentLabel.Positive, SentimentLabel.Neutral, SentimentLabel.Negative], [0], [1], [Math.Log(2), 0, 0], [0, 0, 0]);
        Span<double> p = stackalloc double[3];
        head.Probabilities([1f], p);
        Assert.Equal(new SentimentResult(0.25, SentimentLabel.Positive), head.Result(p) with { Score = Math.Round(head.Result(p).Score, 12) });
    }

    [Fact]
    public void Non_finite_or_misshapen_parameters_are_refused()
    {
        Assert.Throws<InvalidDataException>(() => new SoftmaxHead(Order, [0], [1], [double.NaN, 0, 0], [0, 0, 0]));
        Assert.Throws<InvalidDataException>(() => new SoftmaxHead(Order, [0], [0], [0, 0, 0], [0, 0, 0]));
        Assert.Throws<InvalidDataException>(() => new SoftmaxHead(Order, [0, 0], [1, 1], [0, 0, 0], [0, 0, 0]));
        Assert.Throws<InvalidDataException>(() => new SoftmaxHead([SentimentLabel.Neutral, SentimentLabel.Neutral, SentimentLabel.Positive], [0], [1], [0, 0, 0], [0, 0, 0]));
    }

    [Fact]
    public void The_trainer_separates_three_ordered_clusters_symmetrically()
    {
        // One feature: negative around −1, neutral around 0, positive around +1, mirrored, so the fitted head must
        // give score(x) = −score(−x) and label each cluster correctly.
        float[] xs = [-1.2f, -1f, -0.8f, -0.1f, 0f, 0.1f, 0.8f, 1f, 1.2f];
        SentimentLabel[] ys = [.. Order.SelectMany(l => Enumerable.Repeat(l, 3))];
        var head = SoftmaxHeadTrainer.Train(xs, ys, 1);
        Span<double> p = stackalloc double[3];
        for (var i = 0; i < xs.Length; i++)
        {
            head.Probabilities([xs[i]], p);
            Assert.Equal(ys[i], head.Result(p).Label);
        }

        head.Probabilities([0.9f], p);
        var plus = head.Result(p).Score;
        head.Probabilities([-0.9f], p);
        Assert.Equal(-plus, head.Result(p).Score, 9);
        Assert.True(plus > 0.3, $"score at +0.9 is {plus}");
    }

    [Fact]
    public void Lbfgs_finds_the_minimum_of_a_quadratic()
    {
        // f = (a − 3)² + 10 (b + 1)²: minimum at (3, −1).
        double F(ReadOnlySpan<double> x, Span<double> g)
        {
            g[0] = 2 * (x[0] - 3);
            g[1] = 20 * (x[1] + 1);
            return ((x[0] - 3) * (x[0] - 3)) + (10 * (x[1] + 1) * (x[1] + 1));
        }

        var x = new double[2];
        SentryBrain.Signals.Sentiment.Embedding.Lbfgs.Minimize(F, x, 100, gradientTolerance: 1e-10, relativeTolerance: 0);
        Assert.Equal(3, x[0], 6);
        Assert.Equal(-1, x[1], 6);
    }
}
