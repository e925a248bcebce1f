namespace SentryBrain.Signals.Sentiment.Evaluation;

/// <summary>Scores a labelled set with a model in batches and measures it (<c>./brain sentiment eval</c>).</summary>
public static class SentimentEvaluator
{
    /// <summary>
    /// Scores <paramref name="sentences"/> <paramref name="batchSize"/> at a time; the clock of <paramref name="time"/>
    /// runs over the scoring only (not the file reading). <paramref name="progress"/> gets (scored, total) after each batch.
    /// </summary>
    public static SentimentEvaluation Run(
        ISentimentModel model,
        IReadOnlyList<LabelledSentence> sentences,
        int batchSize,
        TimeProvider time,
        Action<int, int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);

        var truth = new SentimentLabel[sentences.Count];
        var predicted = new SentimentLabel[sentences.Count];
        var texts = new string[Math.Min(batchSize, sentences.Count)];
        var results = new SentimentResult[texts.Length];
        var start = time.GetTimestamp();
        for (var first = 0; first < sentences.Count; first += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(batchSize, sentences.Count - first);
            var batch = count == texts.Length ? texts : new string[count];
            for (var k = 0; k < count; k++)
            {
                batch[k] = sentences[first + k].Text;
                truth[first + k] = sentences[first + k].Label;
            }

            var scored = results.AsSpan(0, count);
            model.Score(batch, scored);
            for (var k = 0; k < count; k++)
            {
                predicted[first + k] = scored[k].Label;
            }

            progress?.Invoke(first + count, sentences.Count);
        }

        return SentimentMetrics.Evaluate(truth, predicted, time.GetElapsedTime(start));
    }
}
