using SentryBrain.Config;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.Embedding;

namespace SentryBrain.Tests.Signals.Sentiment.Embedding;

public sealed class EmbeddingSentimentModelTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sb-embed-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_head_trained_on_obvious_sentences_labels_unseen_obvious_ones()
    {
        var result = fixture.Trained;
        Assert.Equal(42, result.Provenance.Rows);
        Assert.Equal("all", result.Provenance.Split);
        Assert.Null(result.Provenance.HeldOutAccuracy);

        using var model = new EmbeddingSentimentModel(result.Head, EncoderFixture.NewFeaturizer());
        var scores = Score(model, [.. ObviousFinance.HeldOut.Select(s => s.Text)]);
        for (var i = 0; i < scores.Length; i++)
        {
            var expected = ObviousFinance.HeldOut[i];
            Assert.True(expected.Label == scores[i].Label, $"'{expected.Text}': expected {expected.Label}, got {scores[i]}");
            Assert.InRange(scores[i].Score, -1, 1);
            if (expected.Label == SentimentLabel.Positive)
            {
                Assert.True(scores[i].Score > 0, $"'{expected.Text}' scored {scores[i].Score}");
            }
            else if (expected.Label == SentimentLabel.Negative)
            {
                Assert.True(scores[i].Score < 0, $"'{expected.Text}' scored {scores[i].Score}");
            }
        }
    }

    [Fact]
    public void Training_twice_writes_the_same_head_file_byte_for_byte()
    {
        var first = Path.Combine(_dir, "a", EmbeddingHeadFile.FileName);
        var second = Path.Combine(_dir, "b", EmbeddingHeadFile.FileName);
        var one = fixture.Trained;
        using var featurizer = EncoderFixture.NewFeaturizer();
        var two = EncoderFixture.Train(featurizer);
        EmbeddingHeadFile.Write(first, one.Head, one.Provenance, one.L2);
        EmbeddingHeadFile.Write(second, two.Head, two.Provenance, two.L2);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void A_saved_head_loaded_through_SentimentModels_scores_exactly_as_the_trained_one()
    {
        var trained = fixture.Trained;
        EmbeddingHeadFile.Write(EmbeddingHeadFile.PathIn(_dir), trained.Head, trained.Provenance, trained.L2);
        string[] texts = [.. ObviousFinance.HeldOut.Select(s => s.Text), "Operating profit rose to EUR 13.1 mn from EUR 8.7 mn."];

        using var loaded = SentimentModels.Load(EncoderFixture.Settings(_dir));
        Assert.Equal("embedding", loaded.Name);
        Assert.False(loaded.IsFast);
        var viaFile = Score(loaded, texts);
        using var fresh = new EmbeddingSentimentModel(trained.Head, EncoderFixture.NewFeaturizer());
        var inMemory = Score(fresh, texts);
        Assert.Equal(inMemory, viaFile);

        var (_, provenance) = EmbeddingHeadFile.Read(EmbeddingHeadFile.PathIn(_dir));
        Assert.Equal(trained.Provenance with { CreatedUtc = EncoderFixture.Created }, provenance);
    }

    [Fact]
    public void Blank_texts_are_neutral_zero_and_the_others_keep_their_places_across_batches()
    {
        using var model = new EmbeddingSentimentModel(fixture.Trained.Head, EncoderFixture.NewFeaturizer());
        var positive = ObviousFinance.HeldOut[0].Text;
        var negative = ObviousFinance.HeldOut[2].Text;
        // Batch size 4: nine texts, five blank, make the scorer skip and refill across batch boundaries.
        string[] texts = ["", positive, "   ", negative, "\n\t", positive, negative, string.Empty, negative];
        var results = Score(model, texts);
        foreach (var i in new[] { 0, 2, 4, 7 })
        {
            Assert.Equal(SentimentResult.Neutral, results[i]);
        }

        var alone = Score(model, [positive, negative]);
        foreach (var i in new[] { 1, 5 })
        {
            Assert.Equal(alone[0].Label, results[i].Label);
            Assert.Equal(alone[0].Score, results[i].Score, 4); // padding in a wider batch moves the last float bits only
        }

        foreach (var i in new[] { 3, 6, 8 })
        {
            Assert.Equal(alone[1].Label, results[i].Label);
            Assert.Equal(alone[1].Score, results[i].Score, 4);
        }
    }

    [Fact]
    public void Long_html_non_ascii_and_emoji_texts_score_within_range()
    {
        using var model = new EmbeddingSentimentModel(fixture.Trained.Head, EncoderFixture.NewFeaturizer());
        string[] texts =
        [
            string.Concat(Enumerable.Repeat("Revenue grew strongly and beat estimates. ", 250)), // 10,500 characters: truncated to 128 tokens
            "<p>Profit <b>doubled</b> &amp; guidance raised</p>",
            "Umsatz und Gewinn stiegen kräftig — 利益が増加した",
            "Shares 🚀🚀 after record earnings 📈",
            "x",
        ];
        var results = Score(model, texts);
        Assert.All(results, r => Assert.InRange(r.Score, -1, 1));

        // Truncation at 128 tokens: the encoder reads the 10,500 characters exactly as their first 2,000 (≈ 400 tokens).
        using var encoder = new MiniLmEncoder(new SentimentSettings { Threads = 1, MaxTokens = 128, BatchSize = 2 });
        var features = new float[2 * MiniLmEncoder.FeatureCount];
        encoder.Encode([texts[0], texts[0][..2000]], features);
        Assert.True(features.AsSpan(0, MiniLmEncoder.FeatureCount).SequenceEqual(features.AsSpan(MiniLmEncoder.FeatureCount)));
        Assert.True(features.All(float.IsFinite));
    }

    [Fact]
    public void A_missing_head_is_a_start_up_error_naming_the_file_and_the_command_that_makes_it()
    {
        var ex = Assert.Throws<SentimentModelException>(() => SentimentModels.Load(EncoderFixture.Settings(_dir)));
        Assert.Contains(Path.Combine(_dir, "embedding_head.json"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("./brain sentiment train --data FILE.csv", ex.Message, StringComparison.Ordinal);
    }

    private static SentimentResult[] Score(ISentimentModel model, string[] texts)
    {
        var results = new SentimentResult[texts.Length];
        model.Score(texts, results);
        return results;
    }
}
