namespace SentryBrain.Signals.Sentiment.Evaluation;

/// <summary>
/// Counts of (true label, predicted label) over the three sentiment classes, rows = true, columns = predicted, in
/// <see cref="SentimentLabel"/> order (negative, neutral, positive). Immutable.
/// </summary>
public sealed class ConfusionMatrix
{
    public const int Classes = 3;

    private readonly int[] _counts;

    private ConfusionMatrix(int[] counts)
    {
        _counts = counts;
    }

    /// <summary>Tallies pairs of the same index; the lists must be of the same length.</summary>
    public static ConfusionMatrix From(IReadOnlyList<SentimentLabel> truth, IReadOnlyList<SentimentLabel> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count)
        {
            throw new ArgumentException($"{truth.Count} true labels but {predicted.Count} predictions", nameof(predicted));
        }

        var counts = new int[Classes * Classes];
        for (var i = 0; i < truth.Count; i++)
        {
            counts[(Index(truth[i]) * Classes) + Index(predicted[i])]++;
        }

        return new ConfusionMatrix(counts);
    }

    /// <summary>A matrix from its rows (true label) of columns (predicted), each in negative, neutral, positive order.</summary>
    public static ConfusionMatrix FromRows(int[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Length != Classes || rows.Any(r => r is null || r.Length != Classes) || rows.Any(r => r.Any(c => c < 0)))
        {
            throw new ArgumentException("a confusion matrix is 3 rows of 3 non-negative counts", nameof(rows));
        }

        return new ConfusionMatrix([.. rows.SelectMany(r => r)]);
    }

    /// <summary>Sentences whose true label is <paramref name="truth"/> and predicted label <paramref name="predicted"/>.</summary>
    public int this[SentimentLabel truth, SentimentLabel predicted] => _counts[(Index(truth) * Classes) + Index(predicted)];

    public int Total => _counts.Sum();

    /// <summary>Sentences predicted right (the diagonal).</summary>
    public int Correct => this[SentimentLabel.Negative, SentimentLabel.Negative] + this[SentimentLabel.Neutral, SentimentLabel.Neutral] + this[SentimentLabel.Positive, SentimentLabel.Positive];

    /// <summary>Sentences truly of <paramref name="label"/> (its row's sum).</summary>
    public int Support(SentimentLabel label) => Enum.GetValues<SentimentLabel>().Sum(p => this[label, p]);

    /// <summary>Sentences predicted as <paramref name="label"/> (its column's sum).</summary>
    public int PredictedCount(SentimentLabel label) => Enum.GetValues<SentimentLabel>().Sum(t => this[t, label]);

    /// <summary>The rows (true label) of columns (predicted), a copy.</summary>
    public int[][] ToRows() => [.. Enumerable.Range(0, Classes).Select(r => _counts.AsSpan(r * Classes, Classes).ToArray())];

    private static int Index(SentimentLabel label) => label switch
    {
        SentimentLabel.Negative => 0,
        SentimentLabel.Neutral => 1,
        SentimentLabel.Positive => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(label), label, "not a sentiment class"),
    };
}
