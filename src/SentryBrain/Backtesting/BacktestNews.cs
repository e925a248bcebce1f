using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Backtesting;

/// <summary>
/// Recorded news for a backtest (<c>backtest --news FILE</c>): the tape and each item's score by the configured model,
/// computed once before the simulation (<see cref="Score"/>). Immutable, so the parallel runs of a sweep share it; each
/// run replays it point-in-time with its own <see cref="BacktestNewsBook"/>.
/// </summary>
/// <param name="Tape">The items in visible-time order.</param>
/// <param name="Scores">The score of <c>Tape.Items[i]</c> in [−1, 1].</param>
/// <param name="Model">The <c>SENTIMENT_MODEL</c> that scored them.</param>
public sealed record BacktestNews(NewsTape Tape, IReadOnlyList<double> Scores, string Model)
{
    /// <summary>
    /// Scores every item of <paramref name="tape"/> with <paramref name="model"/>: the headline and the cleaned summary
    /// (<see cref="NewsSentiment.Texts"/>) blended by <see cref="NewsSentiment.Blend"/>, as the engine does. Each distinct
    /// text is scored once (a story repeated by several sources costs one inference), in batches of
    /// <paramref name="batchSize"/>, in first-seen order, so the scores do not depend on timing.
    /// </summary>
    /// <param name="progress">Texts scored so far and the total, after each batch (slow models: a progress line).</param>
    public static BacktestNews Score(NewsTape tape, ISentimentModel model, int batchSize, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var texts = new List<string>();
        var slots = new (int Head, int Summary)[tape.Items.Count];
        for (var i = 0; i < tape.Items.Count; i++)
        {
            var news = tape.Items[i].News;
            var (head, summary) = NewsSentiment.Texts(news.Headline, news.Summary);
            slots[i] = (Slot(head), Slot(summary));
        }

        var results = new SentimentResult[texts.Count];
        var batch = new List<string>(Math.Min(batchSize, Math.Max(1, texts.Count)));
        for (var start = 0; start < texts.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, texts.Count - start);
            batch.Clear();
            for (var k = 0; k < count; k++)
            {
                batch.Add(texts[start + k]);
            }

            model.Score(batch, results.AsSpan(start, count));
            progress?.Invoke(start + count, texts.Count);
        }

        var scores = new double[tape.Items.Count];
        for (var i = 0; i < scores.Length; i++)
        {
            var (head, summary) = slots[i];
            var score = head < 0 ? 0.0 : NewsSentiment.Blend(results[head].Score, summary < 0 ? null : results[summary].Score);
            scores[i] = double.IsFinite(score) ? Math.Clamp(score, -1.0, 1.0) : 0.0;
        }

        return new BacktestNews(tape, scores, model.Name);

        int Slot(string? text)
        {
            if (text is null)
            {
                return -1;
            }

            if (!index.TryGetValue(text, out var slot))
            {
                slot = texts.Count;
                index[text] = slot;
                texts.Add(text);
            }

            return slot;
        }
    }
}
