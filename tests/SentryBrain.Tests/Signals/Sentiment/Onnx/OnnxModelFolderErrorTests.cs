using SentryBrain.Config;
using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Tests.Signals.Sentiment.Onnx;

/// <summary>A missing or broken SENTIMENT_MODEL_DIR is a start-up error naming the folder and the file expected.</summary>
public sealed class OnnxModelFolderErrorTests : IDisposable
{
    private static readonly string[] FinBertOrder = ["positive", "negative", "neutral"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "sb-onnx-err-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string Good(string name) => new TinyBert(FinBertOrder).WriteFolder(Path.Combine(_root, name));

    private static SentimentModelException Fails(string dir)
        => Assert.Throws<SentimentModelException>(() => SentimentModels.Load(new SentimentSettings { Model = "onnx", ModelDir = dir }).Dispose());

    private static void Names(SentimentModelException e, string dir, params string[] parts)
    {
        Assert.StartsWith($"SENTIMENT_MODEL_DIR={dir}: ", e.Message);
        foreach (var part in parts)
        {
            Assert.Contains(part, e.Message);
        }
    }

    [Fact]
    public void A_missing_folder_names_the_folder_and_the_files_expected()
    {
        var dir = Path.Combine(_root, "nowhere");
        Names(Fails(dir), dir, "folder not found", "model.onnx", "vocab.txt", "tokenizer.json");
    }

    [Fact]
    public void A_missing_model_onnx()
    {
        var dir = Good("no-model");
        File.Delete(Path.Combine(dir, "model.onnx"));
        Names(Fails(dir), dir, "model.onnx not found; expected model.onnx + vocab.txt or tokenizer.json (+ config.json)");
    }

    [Fact]
    public void Missing_tokenizer_files()
    {
        var dir = Good("no-vocab");
        File.Delete(Path.Combine(dir, "vocab.txt"));
        Names(Fails(dir), dir, "neither vocab.txt nor tokenizer.json found");
    }

    [Fact]
    public void A_corrupt_model_onnx()
    {
        var dir = Good("corrupt-model");
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 % 251))]);
        Names(Fails(dir), dir, "model.onnx cannot be loaded");
    }

    [Fact]
    public void A_truncated_model_onnx()
    {
        var dir = Good("truncated-model");
        var path = Path.Combine(dir, "model.onnx");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..1000]);
        Names(Fails(dir), dir, "model.onnx cannot be loaded");
    }

    [Fact]
    public void A_corrupt_config_json()
    {
        var dir = Good("corrupt-config");
        File.WriteAllText(Path.Combine(dir, "config.json"), "{ \"id2label\": { \"0\": \"positive\", ");
        Names(Fails(dir), dir, "config.json", "not valid JSON");
    }

    [Fact]
    public void Labels_without_positive_or_negative()
    {
        var dir = Good("label-n");
        File.WriteAllText(Path.Combine(dir, "config.json"), """{"id2label": {"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"}}""");
        Names(Fails(dir), dir, "config.json", "no positive and negative label");
    }

    [Fact]
    public void Labels_that_do_not_match_the_outputs()
    {
        var dir = Good("label-count");
        File.WriteAllText(Path.Combine(dir, "config.json"), """{"id2label": {"0": "negative", "1": "positive"}}""");
        Names(Fails(dir), dir, "names 2 labels", "3 outputs");
    }

    [Fact]
    public void A_corrupt_vocab_txt()
    {
        var dir = Good("bad-vocab");
        File.WriteAllText(Path.Combine(dir, "vocab.txt"), "<s>\n</s>\nhello\n");
        Names(Fails(dir), dir, "vocab.txt cannot be read", "[CLS]");
    }

    [Fact]
    public void A_RoBERTa_tokenizer_json_is_a_clear_not_supported()
    {
        var dir = Good("roberta");
        File.Delete(Path.Combine(dir, "vocab.txt"));
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), """{"model": {"type": "BPE", "vocab": {"<s>": 0}, "merges": []}}""");
        Names(Fails(dir), dir, "tokenizer.json cannot be read", "BPE", "vocab.txt");
    }

    [Fact]
    public void A_model_that_is_not_a_classifier()
    {
        var dir = Good("not-bert");
        var g = new OnnxGraph();
        g.Input("x", OnnxGraph.Float, "batch", 4L);
        g.Output("y", OnnxGraph.Float, "batch", 4L);
        g.Node("Relu", ["x"], "y");
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), g.ToModel());
        Names(Fails(dir), dir, "model.onnx is not a BERT-family classifier", "input_ids");
    }
}
