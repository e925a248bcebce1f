using Microsoft.Extensions.Time.Testing;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.Evaluation;
using static SentryBrain.Signals.Sentiment.SentimentLabel;

namespace SentryBrain.Tests.Signals.Sentiment.Evaluation;

public sealed class SentimentEvaluatorTests
{
    /// <summary>Predicts the label named by the text's first word; each batch costs one second of the fake clock.</summary>
    private sealed class EchoModel(FakeTimeProvider time) : ISentimentModel
    {
        public List<int> Batches { get; } = [];

        public string Name => "echo";

        public bool IsFast => false;

        public void Score(IReadOnlyList<string> texts, Span<SentimentResult> results)
        {
            Batches.Add(texts.Count);
            for (var i = 0; i < texts.Count; i++)
            {
                var label = SentimentResult.Parse(texts[i].Split(' ')[0]) ?? Neutral;
                results[i] = new SentimentResult(label == Positive ? 1 : label == Negative ? -1 : 0, label);
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public void ScoresInBatchesAndTimesTheScoring()
    {
        var time = new FakeTimeProvider();
        var model = new EchoModel(time);
        LabelledSentence[] set =
        [
            new(Negative, "negative a"), new(Negative, "neutral b"), new(Neutral, "neutral c"), new(Neutral, "neutral d"),
            new(Neutral, "positive e"), new(Positive, "positive f"), new(Positive, "positive g"), new(Positive, "negative h"),
            new(Positive, "positive i"), new(Neutral, "neutral j"),
        ];
        var progress = new List<(int, int)>();

        var e = SentimentEvaluator.Run(model, set, 4, time, (done, total) => progress.Add((done, total)));

        Assert.Equal([4, 4, 2], model.Batches);
        Assert.Equal([(4, 10), (8, 10), (10, 10)], progress);

        // rows true: negative [1 1 0], neutral [0 3 1], positive [1 0 3]; 7 of 10 right
        Assert.Equal([[1, 1, 0], [0, 3, 1], [1, 0, 3]], e.Confusion.ToRows());
        Assert.Equal(0.7, e.Accuracy, 12);
        Assert.Equal(10.0 / 3, e.SentencesPerSecond!.Value, 12); // 3 batches, 3 fake seconds
    }
}
