using SentryBrain.Config;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.Onnx;

namespace SentryBrain.Tests.Signals.Sentiment.Onnx;

/// <summary>The onnx scorer on a tiny BERT classifier written at test time, checked against a hand forward pass.</summary>
public sealed class OnnxSentimentModelTests : IDisposable
{
    private static readonly string[] FinBertOrder = ["positive", "negative", "neutral"];
    private static readonly string[] DefaultOrder = ["negative", "neutral", "positive"];

    private static readonly string[] Sentences =
    [
        "profit rose",
        "the company reported a loss",
        "shares fell and growth was weak",
        "strong quarter, good growth in the market!",
        "the market",
        "profits beat and shares rose strongly",
        "cut",
        "loss loss loss but profit",
        "the company and the market and the quarter of shares",
        "decline",
    ];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "sb-onnx-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string Folder(string name) => Path.Combine(_root, name);

    private static SentimentSettings Settings(string dir, int maxTokens = 512, int batch = 16)
        => new() { Model = "onnx", ModelDir = dir, MaxTokens = maxTokens, BatchSize = batch, Threads = 1 };

    private static SentimentResult[] Score(ISentimentModel model, params string[] texts)
    {
        var results = new SentimentResult[texts.Length];
        model.Score(texts, results);
        return results;
    }

    [Fact]
    public void FinBert_label_order_from_config_json_is_honoured_and_score_is_P_positive_minus_P_negative()
    {
        var bert = new TinyBert(FinBertOrder);
        using var model = (OnnxSentimentModel)SentimentModels.Load(Settings(bert.WriteFolder(Folder("finbert"))));

        Assert.Equal("onnx", model.Name);
        Assert.False(model.IsFast);
        Assert.Equal(0, model.Labels.PositiveIndex);
        Assert.Equal(1, model.Labels.NegativeIndex);
        var results = Score(model, Sentences);
        for (var i = 0; i < Sentences.Length; i++)
        {
            var ids = model.Runner.Encode(Sentences[i]);
            var expected = bert.ReferenceScore(ids);
            Assert.True(Math.Abs(expected - results[i].Score) < 1e-4, $"\"{Sentences[i]}\": onnx {results[i].Score}, hand forward pass {expected}");
            var argmax = Array.IndexOf(TinyBert.Softmax(bert.Reference(ids)), TinyBert.Softmax(bert.Reference(ids)).Max());
            Assert.Equal(SentimentResult.Parse(FinBertOrder[argmax]), results[i].Label);
        }

        var all = string.Join("; ", results.Select(r => $"{r.Score:F3} {r.Label}"));
        Assert.True(results[0].Label == SentimentLabel.Positive && results[0].Score > 0.3, $"profit rose: {results[0]} (all: {all})");
        Assert.True(results[1].Label == SentimentLabel.Negative && results[1].Score < -0.3, $"a loss: {results[1]} (all: {all})");
        Assert.True(results[4].Label == SentimentLabel.Neutral, $"the market: {results[4]} (all: {all})");
    }

    [Fact]
    public void Without_config_json_three_outputs_are_read_as_negative_neutral_positive()
    {
        var bert = new TinyBert(DefaultOrder);
        using var model = (OnnxSentimentModel)SentimentModels.Load(Settings(bert.WriteFolder(Folder("plain"), config: false)));

        Assert.Contains("assumed [negative, neutral, positive]", model.Description);
        var results = Score(model, Sentences);
        for (var i = 0; i < Sentences.Length; i++)
        {
            Assert.True(Math.Abs(bert.ReferenceScore(model.Runner.Encode(Sentences[i])) - results[i].Score) < 1e-4, Sentences[i]);
        }

        Assert.Equal(SentimentLabel.Positive, results[0].Label);
        Assert.Equal(SentimentLabel.Negative, results[1].Label);
    }

    [Fact]
    public void A_FinBert_ordered_model_read_without_its_config_gets_the_wrong_labels_so_the_config_is_what_matters()
    {
        var bert = new TinyBert(FinBertOrder);
        using var withConfig = SentimentModels.Load(Settings(bert.WriteFolder(Folder("with"))));
        using var without = SentimentModels.Load(Settings(bert.WriteFolder(Folder("without"), config: false)));

        Assert.Equal(SentimentLabel.Positive, Score(withConfig, "profit rose")[0].Label);
        Assert.NotEqual(SentimentLabel.Positive, Score(without, "profit rose")[0].Label);
    }

    [Fact]
    public void Batched_scores_equal_one_at_a_time_so_padding_and_the_mask_are_right()
    {
        var bert = new TinyBert(FinBertOrder);
        var dir = bert.WriteFolder(Folder("batch"));
        using var batched = SentimentModels.Load(Settings(dir, batch: 4));
        using var single = SentimentModels.Load(Settings(dir, batch: 1));

        var texts = Sentences.Concat(["", "  ", "profit"]).Concat(Sentences.Reverse()).ToArray();
        var together = Score(batched, texts);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = Score(single, texts[i])[0];
            Assert.True(Math.Abs(alone.Score - together[i].Score) < 1e-5, $"\"{texts[i]}\": batched {together[i].Score}, alone {alone.Score}");
            Assert.Equal(alone.Label, together[i].Label);
        }
    }

    [Fact]
    public void Empty_and_blank_texts_are_neutral_zero()
    {
        var bert = new TinyBert(FinBertOrder);
        using var model = SentimentModels.Load(Settings(bert.WriteFolder(Folder("blank"))));

        var results = Score(model, "", " \t\n ", "profit rose");
        Assert.Equal(SentimentResult.Neutral, results[0]);
        Assert.Equal(SentimentResult.Neutral, results[1]);
        Assert.Equal(SentimentLabel.Positive, results[2].Label);
    }

    [Fact]
    public void A_10000_character_text_is_truncated_to_MaxTokens_and_scores_like_its_first_tokens()
    {
        const int MaxTokens = 16;
        var bert = new TinyBert(FinBertOrder);
        using var model = (OnnxSentimentModel)SentimentModels.Load(Settings(bert.WriteFolder(Folder("long")), maxTokens: MaxTokens));
        string[] words = ["profit", "loss", "the", "market", "rose", "weak", "company", "good"];
        var text = new System.Text.StringBuilder();
        for (var i = 0; text.Length < 10_000; i++)
        {
            text.Append(words[(i * 5) % words.Length]).Append(' ');
        }

        var longText = text.ToString()[..10_000];
        var firstWords = string.Join(' ', longText.Split(' ').Take(MaxTokens - 2));

        var ids = model.Runner.Encode(longText);
        Assert.Equal(MaxTokens, ids.Length);
        Assert.Equal(model.Runner.Encode(firstWords), ids);
        var results = Score(model, longText, firstWords);
        Assert.Equal(results[1].Score, results[0].Score, 6);
        Assert.True(Math.Abs(bert.ReferenceScore(ids) - results[0].Score) < 1e-4);
    }

    [Fact]
    public void Int32_inputs_and_a_model_without_token_type_ids_score_the_same()
    {
        var bert = new TinyBert(FinBertOrder);
        using var int64 = SentimentModels.Load(Settings(bert.WriteFolder(Folder("i64"))));
        using var int32 = SentimentModels.Load(Settings(bert.WriteFolder(Folder("i32"), indexType: OnnxGraph.Int32)));
        using var noTypes = SentimentModels.Load(Settings(bert.WriteFolder(Folder("notypes"), tokenTypes: false)));

        var a = Score(int64, Sentences);
        var b = Score(int32, Sentences);
        var c = Score(noTypes, Sentences);
        for (var i = 0; i < Sentences.Length; i++)
        {
            Assert.Equal(a[i].Score, b[i].Score, 6);
            Assert.Equal(a[i].Score, c[i].Score, 6);
        }
    }

    [Fact]
    public void A_tokenizer_json_folder_tokenises_and_scores_like_the_vocab_txt_folder()
    {
        var bert = new TinyBert(FinBertOrder);
        using var vocab = (OnnxSentimentModel)SentimentModels.Load(Settings(bert.WriteFolder(Folder("vocab"))));
        using var json = (OnnxSentimentModel)SentimentModels.Load(Settings(bert.WriteFolder(Folder("json"), vocabTxt: false, tokenizerJson: true)));

        Assert.Contains("tokenizer.json", json.Description);
        foreach (var text in TokenizationTests.EdgeCases.Concat(Sentences))
        {
            Assert.Equal(vocab.Runner.Encode(text), json.Runner.Encode(text));
        }

        Assert.Equal(Score(vocab, Sentences), Score(json, Sentences));
    }

    [Fact]
    public void Edge_case_texts_score_without_error()
    {
        var bert = new TinyBert(FinBertOrder);
        using var model = SentimentModels.Load(Settings(bert.WriteFolder(Folder("edge")), maxTokens: 64, batch: 3));

        var results = Score(model, TokenizationTests.EdgeCases);
        Assert.All(results, r => Assert.True(double.IsFinite(r.Score) && r.Score is >= -1 and <= 1, r.ToString()));
    }
}
