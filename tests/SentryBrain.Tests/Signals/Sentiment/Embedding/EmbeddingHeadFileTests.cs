using System.Text.Json.Nodes;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.Embedding;

namespace SentryBrain.Tests.Signals.Sentiment.Embedding;

public sealed class EmbeddingHeadFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sb-head-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string HeadPath => EmbeddingHeadFile.PathIn(_dir);

    /// <summary>A head of the right shape with distinct, exactly representable values (no encoder needed).</summary>
    private static SoftmaxHead SyntheticHead()
    {
        const int d = EmbeddingFeaturizer.FeatureCount;
        var means = Enumerable.Range(0, d).Select(i => i / 8.0).ToArray();
        var stds = Enumerable.Range(0, d).Select(i => 1 + (i % 5 / 4.0)).ToArray();
        var weights = Enumerable.Range(0, 3 * d).Select(i => ((i % 7) - 3) / 16.0).ToArray();
        return new SoftmaxHead([SentimentLabel.Negative, SentimentLabel.Neutral, SentimentLabel.Positive], means, stds, weights, [0.5, -0.25, 0.125]);
    }

    private static readonly EmbeddingHeadProvenance Provenance = new("set.csv", 50, "train-80", 40, 10, 0.9, 0.8, new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));

    [Fact]
    public void Write_then_read_returns_the_same_numbers_and_provenance()
    {
        var head = SyntheticHead();
        EmbeddingHeadFile.Write(HeadPath, head, Provenance, 0.1);
        var (read, provenance) = EmbeddingHeadFile.Read(HeadPath);
        Assert.Equal(head.Labels, read.Labels);
        Assert.True(head.Means.SequenceEqual(read.Means));
        Assert.True(head.Stds.SequenceEqual(read.Stds));
        Assert.True(head.Weights.SequenceEqual(read.Weights));
        Assert.True(head.Bias.SequenceEqual(read.Bias));
        Assert.Equal(Provenance, provenance);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp")); // atomic write left no temporary behind
    }

    [Fact]
    public void Corrupt_json_is_a_clear_error_naming_the_file()
    {
        File.WriteAllText(HeadPath, "{ \"format\": \"sentrybrain-embedding-head\", ");
        var ex = Assert.Throws<SentimentModelException>(() => EmbeddingHeadFile.Read(HeadPath));
        Assert.Contains(HeadPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("sentiment train", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("features", "12", "12 features")]
    [InlineData("version", "2", "version 2")]
    [InlineData("means", "[1, 2, 3]", "means has 3 values")]
    [InlineData("bias", "[0, 0]", "bias")]
    [InlineData("bias", "[\"NaN\", 0, 0]", "is not a number")]
    [InlineData("stds", null, "\"stds\" is missing")]
    [InlineData("labels", "[\"negative\", \"negative\", \"positive\"]", "once each")]
    [InlineData("labels", "[\"bad\", \"neutral\", \"positive\"]", "is not negative, neutral or positive")]
    [InlineData("extra_features", "[]", "extra features")]
    public void A_mismatched_or_damaged_head_is_refused_with_the_reason(string field, string? json, string reason)
    {
        EmbeddingHeadFile.Write(HeadPath, SyntheticHead(), Provenance, 0.1);
        var root = JsonNode.Parse(File.ReadAllText(HeadPath))!.AsObject();
        if (json is null)
        {
            root.Remove(field);
        }
        else
        {
            root[field] = JsonNode.Parse(json);
        }

        File.WriteAllText(HeadPath, root.ToJsonString());
        var ex = Assert.Throws<SentimentModelException>(() => EmbeddingHeadFile.Read(HeadPath));
        Assert.Contains(HeadPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_head_of_another_encoder_or_pooling_is_refused()
    {
        EmbeddingHeadFile.Write(HeadPath, SyntheticHead(), Provenance, 0.1);
        var root = JsonNode.Parse(File.ReadAllText(HeadPath))!.AsObject();
        root["encoders"]![0]!["pooling"] = "mean";
        File.WriteAllText(HeadPath, root.ToJsonString());
        var ex = Assert.Throws<SentimentModelException>(() => EmbeddingHeadFile.Read(HeadPath));
        Assert.Contains("mean pooling", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_overflowing_weight_is_refused_rather_than_read_as_infinity()
    {
        EmbeddingHeadFile.Write(HeadPath, SyntheticHead(), Provenance, 0.1);
        var text = File.ReadAllText(HeadPath);
        var at = text.IndexOf("\"weights\"", StringComparison.Ordinal);
        var firstNumber = text.IndexOf("0.", at, StringComparison.Ordinal) - 1; // the first weight: -0.1875
        text = text[..firstNumber] + "1e999" + text[text.IndexOf(',', firstNumber)..];
        File.WriteAllText(HeadPath, text);
        Assert.Throws<SentimentModelException>(() => EmbeddingHeadFile.Read(HeadPath));
    }
}
