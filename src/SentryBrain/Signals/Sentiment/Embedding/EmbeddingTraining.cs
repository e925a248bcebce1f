namespace SentryBrain.Signals.Sentiment.Embedding;

/// <summary>The outcome of <see cref="EmbeddingTraining.Run"/>: the head, what it was trained on, and how long embedding took.</summary>
public sealed record EmbeddingTrainingResult(SoftmaxHead Head, EmbeddingHeadProvenance Provenance, double L2, TimeSpan EmbeddingTime);

/// <summary>
/// <c>sentiment train</c>: featurises the sentences (the slow part: one MiniLM pass each), fits the softmax head on
/// the training rows (the 80 % of <see cref="LabelledSentences.Split"/> with <c>split</c>, else all) and measures
/// its accuracy on them and on the held-out 20 %.
/// </summary>
public static class EmbeddingTraining
{
    /// <param name="progress">(sentences embedded, total) after each batch.</param>
    public static EmbeddingTrainingResult Run(
        EmbeddingFeaturizer featurizer,
        IReadOnlyList<LabelledSentence> sentences,
        bool split,
        string sourceName,
        TimeProvider time,
        Action<int, int>? progress = null,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(featurizer);
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(time);
        var (train, heldOut) = split ? LabelledSentences.Split(sentences) : (sentences, []);
        var missing = Enum.GetValues<SentimentLabel>().Where(l => !train.Any(s => s.Label == l)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidDataException($"{sourceName}: the training rows have no {string.Join(" or ", missing.Select(SentimentResult.Name))} sentence; each label needs at least one");
        }

        var blank = train.Concat(heldOut).FirstOrDefault(s => string.IsNullOrWhiteSpace(s.Text));
        if (blank is not null)
        {
            throw new InvalidDataException($"{sourceName}: a {SentimentResult.Name(blank.Label)} row has no text");
        }

        // Training rows first, then the held-out ones: one featurisation pass covers both.
        var texts = train.Concat(heldOut).Select(s => s.Text).ToArray();
        var started = time.GetTimestamp();
        var features = featurizer.FeaturizeAll(texts, progress, cancel);
        var embeddingTime = time.GetElapsedTime(started);
        const int d = EmbeddingFeaturizer.FeatureCount;
        var trainFeatures = features.AsSpan(0, train.Count * d);
        var head = SoftmaxHeadTrainer.Train(trainFeatures, [.. train.Select(s => s.Label)], d);
        var trainingAccuracy = Accuracy(head, features.AsSpan(0, train.Count * d), train);
        double? heldOutAccuracy = split ? Accuracy(head, features.AsSpan(train.Count * d), heldOut) : null;
        var provenance = new EmbeddingHeadProvenance(
            Path.GetFileName(sourceName), sentences.Count, split ? "train-80" : "all", train.Count, heldOut.Count, trainingAccuracy, heldOutAccuracy, time.GetUtcNow());
        return new EmbeddingTrainingResult(head, provenance, SoftmaxHeadTrainer.DefaultL2, embeddingTime);
    }

    /// <summary>Share of <paramref name="rows"/> whose most probable label is their own.</summary>
    public static double Accuracy(SoftmaxHead head, ReadOnlySpan<float> features, IReadOnlyList<LabelledSentence> rows)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return 0;
        }

        Span<double> p = stackalloc double[3];
        var right = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            head.Probabilities(features.Slice(i * head.FeatureCount, head.FeatureCount), p);
            right += head.Result(p).Label == rows[i].Label ? 1 : 0;
        }

        return (double)right / rows.Count;
    }
}
