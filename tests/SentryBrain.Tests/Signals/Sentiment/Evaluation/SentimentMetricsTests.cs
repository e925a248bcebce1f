using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.Evaluation;
using static SentryBrain.Signals.Sentiment.SentimentLabel;

namespace SentryBrain.Tests.Signals.Sentiment.Evaluation;

public sealed class SentimentMetricsTests
{
    [Fact]
    public void ConfusionMatrixCountsRowsTrueColumnsPredicted()
    {
        SentimentLabel[] truth = [Negative, Negative, Negative, Neutral, Neutral, Neutral, Neutral, Positive, Positive, Positive];
        SentimentLabel[] predicted = [Negative, Negative, Neutral, Neutral, Neutral, Positive, Negative, Positive, Positive, Neutral];
        var m = ConfusionMatrix.From(truth, predicted);

        Assert.Equal([[2, 1, 0], [1, 2, 1], [0, 1, 2]], m.ToRows());
        Assert.Equal(10, m.Total);
        Assert.Equal(6, m.Correct);
        Assert.Equal(4, m.Support(Neutral));
        Assert.Equal(4, m.PredictedCount(Neutral));
        Assert.Equal(1, m[Neutral, Positive]);
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.From(truth, predicted[..9]));
    }

    [Fact]
    public void HandWorkedMetrics()
    {
        // rows true, columns predicted: negative [2 1 0], neutral [1 2 1], positive [0 1 2]
        // accuracy 6/10; negative P = 2/3 (column 2+1+0), R = 2/3; neutral P = 2/4, R = 2/4; positive P = R = 2/3
        // macro-F1 = (2/3 + 1/2 + 2/3) / 3 = 11/18
        var e = SentimentMetrics.Evaluate(ConfusionMatrix.FromRows([[2, 1, 0], [1, 2, 1], [0, 1, 2]]), TimeSpan.FromSeconds(2));

        Assert.Equal(10, e.N);
        Assert.Equal(0.6, e.Accuracy, 12);
        Assert.Equal(11.0 / 18, e.MacroF1, 12);
        AssertClass(e.For(Negative), 2.0 / 3, 2.0 / 3, 2.0 / 3, 3);
        AssertClass(e.For(Neutral), 0.5, 0.5, 0.5, 4);
        AssertClass(e.For(Positive), 2.0 / 3, 2.0 / 3, 2.0 / 3, 3);
        Assert.Equal(5.0, e.SentencesPerSecond); // 10 sentences in 2 s
    }

    [Fact]
    public void UnequalPrecisionAndRecall()
    {
        // negative [3 1 0], neutral [2 5 3], positive [0 0 6]: n = 20, accuracy 14/20
        // negative P = 3/5 R = 3/4 F1 = 2·(3/5)(3/4)/(3/5 + 3/4) = 0.9/1.35 = 2/3
        // neutral  P = 5/6 R = 5/10 F1 = 2·(5/6)(1/2)/(5/6 + 1/2) = (5/6)/(4/3) = 5/8
        // positive P = 6/9 R = 6/6 F1 = 2·(2/3)(1)/(5/3) = 4/5
        var e = SentimentMetrics.Evaluate(ConfusionMatrix.FromRows([[3, 1, 0], [2, 5, 3], [0, 0, 6]]), TimeSpan.FromSeconds(4));

        Assert.Equal(0.7, e.Accuracy, 12);
        AssertClass(e.For(Negative), 0.6, 0.75, 2.0 / 3, 4);
        AssertClass(e.For(Neutral), 5.0 / 6, 0.5, 5.0 / 8, 10);
        AssertClass(e.For(Positive), 2.0 / 3, 1, 0.8, 6);
        Assert.Equal(((2.0 / 3) + (5.0 / 8) + 0.8) / 3, e.MacroF1, 12);
        Assert.Equal(5.0, e.SentencesPerSecond);
    }

    [Fact]
    public void ClassNeverPredictedOrAbsentCountsZero()
    {
        // everything predicted neutral: negative and positive have no predictions (P = 0) and F1 0;
        // neutral P = 2/4, R = 2/2, F1 = 2·0.5·1/1.5 = 2/3; macro-F1 = 2/9
        var e = SentimentMetrics.Evaluate([Negative, Neutral, Neutral, Positive], [Neutral, Neutral, Neutral, Neutral], TimeSpan.Zero);

        Assert.Equal(0.5, e.Accuracy, 12);
        Assert.Equal(new ClassMetrics(Negative, 0, 0, 0, 1), e.For(Negative));
        Assert.Equal(2.0 / 3, e.For(Neutral).F1, 12);
        Assert.Equal(2.0 / 9, e.MacroF1, 12);
        Assert.Null(e.SentencesPerSecond); // no time measured

        var empty = SentimentMetrics.Evaluate([], [], TimeSpan.FromSeconds(1));
        Assert.Equal((0, 0.0, 0.0), (empty.N, empty.Accuracy, empty.MacroF1));
    }

    [Fact]
    public void FromRowsRefusesAMalformedMatrix()
    {
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.FromRows([[1, 2], [3, 4]]));
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.FromRows([[1, 2, 3], [4, 5, 6], [7, -8, 9]]));
    }

    private static void AssertClass(ClassMetrics actual, double precision, double recall, double f1, int support)
    {
        Assert.Equal(precision, actual.Precision, 12);
        Assert.Equal(recall, actual.Recall, 12);
        Assert.Equal(f1, actual.F1, 12);
        Assert.Equal(support, actual.Support);
    }
}
