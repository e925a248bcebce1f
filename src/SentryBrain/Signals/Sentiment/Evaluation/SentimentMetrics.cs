namespace SentryBrain.Signals.Sentiment.Evaluation;

/// <summary>Precision, recall and F1 of one class, and how many sentences truly belong to it.</summary>
public sealed record ClassMetrics(SentimentLabel Label, double Precision, double Recall, double F1, int Support);

/// <summary>How a model did on a labelled set: accuracy, macro-F1, per-class figures, the confusion matrix, speed.</summary>
public sealed record SentimentEvaluation(
    int N,
    double Accuracy,
    double MacroF1,
    IReadOnlyList<ClassMetrics> PerClass,
    ConfusionMatrix Confusion,
    double? SentencesPerSecond)
{
    public ClassMetrics For(SentimentLabel label) => PerClass.Single(c => c.Label == label);
}

/// <summary>
/// Classification metrics of a three-class sentiment model, as pure functions of the confusion matrix. A ratio
/// with nothing to divide by (no sentence predicted as a class, or none of it in the set) is 0, as scikit-learn's
/// <c>zero_division=0</c>; macro-F1 is the unweighted mean of the three classes' F1.
/// </summary>
public static class SentimentMetrics
{
    public static SentimentEvaluation Evaluate(IReadOnlyList<SentimentLabel> truth, IReadOnlyList<SentimentLabel> predicted, TimeSpan elapsed)
        => Evaluate(ConfusionMatrix.From(truth, predicted), elapsed);

    /// <summary>The metrics of <paramref name="confusion"/>; sentences/s is null when <paramref name="elapsed"/> is not positive.</summary>
    public static SentimentEvaluation Evaluate(ConfusionMatrix confusion, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        var perClass = Enum.GetValues<SentimentLabel>().Select(label => ForClass(confusion, label)).ToArray();
        var n = confusion.Total;
        return new SentimentEvaluation(
            n,
            Ratio(confusion.Correct, n),
            perClass.Average(c => c.F1),
            perClass,
            confusion,
            elapsed > TimeSpan.Zero ? n / elapsed.TotalSeconds : null);
    }

    public static ClassMetrics ForClass(ConfusionMatrix confusion, SentimentLabel label)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        var truePositives = confusion[label, label];
        var support = confusion.Support(label);
        var precision = Ratio(truePositives, confusion.PredictedCount(label));
        var recall = Ratio(truePositives, support);
        var f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
        return new ClassMetrics(label, precision, recall, f1, support);
    }

    private static double Ratio(int numerator, int denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
