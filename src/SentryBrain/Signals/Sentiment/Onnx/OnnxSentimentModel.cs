using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SentryBrain.Config;

namespace SentryBrain.Signals.Sentiment.Onnx;

/// <summary>
/// <c>SENTIMENT_MODEL=onnx</c>: any BERT-family sequence classifier exported to ONNX (FinBERT, a financial
/// DistilBERT…) from <c>SENTIMENT_MODEL_DIR</c>: <c>model.onnx</c> + <c>tokenizer.json</c> (WordPiece) or
/// <c>vocab.txt</c> (+ <c>tokenizer_config.json</c>'s do_lower_case), + optional <c>config.json</c> for id2label.
/// Score = P(positive) − P(negative); label = the most probable class; blank text is neutral 0 without inference.
/// </summary>
public sealed class OnnxSentimentModel : ISentimentModel
{
    public const string ModelFile = "model.onnx";
    public const string VocabFile = "vocab.txt";
    public const string TokenizerFile = "tokenizer.json";
    public const string ConfigFile = "config.json";
    public const string TokenizerConfigFile = "tokenizer_config.json";

    private readonly BertOnnxRunner _runner;
    private readonly List<string> _pending = [];
    private int[] _pendingIndex = new int[16];
    private float[] _logits = new float[48];

    private OnnxSentimentModel(BertOnnxRunner runner, ClassifierLabels labels, string description)
    {
        _runner = runner;
        Labels = labels;
        Description = description;
    }

    public string Name => "onnx";

    public bool IsFast => false;

    public ClassifierLabels Labels { get; }

    /// <summary>One line for the start-up log: folder, tokenizer, casing, labels and where they came from.</summary>
    public string Description { get; }

    public BertOnnxRunner Runner => _runner;

    /// <summary>Loads the model of <c>settings.ModelDir</c>; every problem is a <see cref="SentimentModelException"/> naming the folder and the file expected.</summary>
    public static OnnxSentimentModel Load(SentimentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var dir = settings.ModelDir;
        const string Expected = "expected model.onnx + vocab.txt or tokenizer.json (+ config.json)";
        string Fail(string what) => $"SENTIMENT_MODEL_DIR={dir}: {what}";

        if (!Directory.Exists(dir))
        {
            throw new SentimentModelException(Fail($"folder not found; {Expected}"));
        }

        var modelPath = Path.Combine(dir, ModelFile);
        if (!File.Exists(modelPath))
        {
            throw new SentimentModelException(Fail($"{ModelFile} not found; {Expected}"));
        }

        var (tokenizer, tokenizerSource) = LoadTokenizer(dir, Fail, Expected);
        var labels = LoadLabels(dir, Fail);

        BertOnnxRunner runner;
        try
        {
            runner = BertOnnxRunner.Create(modelPath, tokenizer, settings);
        }
        catch (OnnxRuntimeException e)
        {
            throw new SentimentModelException(Fail($"{ModelFile} cannot be loaded by ONNX Runtime ({e.Message}); {Expected}"), e);
        }
        catch (InvalidDataException e)
        {
            throw new SentimentModelException(Fail($"{ModelFile} is not a BERT-family classifier: {e.Message}"), e);
        }

        try
        {
            if (runner.LogitCount == 0)
            {
                throw new SentimentModelException(Fail($"{ModelFile} has no [batch, labels] logits output: export a sequence classifier (AutoModelForSequenceClassification)"));
            }

            labels ??= ClassifierLabels.Assumed(runner.LogitCount)
                ?? throw new SentimentModelException(Fail($"{ModelFile} has {runner.LogitCount} outputs and there is no {ConfigFile}: add one with id2label naming positive and negative"));
            if (labels.ByIndex.Count != runner.LogitCount)
            {
                throw new SentimentModelException(Fail($"{ConfigFile} id2label names {labels.ByIndex.Count} labels but {ModelFile} has {runner.LogitCount} outputs"));
            }

            var description = $"onnx: {dir} ({ModelFile} + {tokenizerSource}, {(tokenizer.LowerCase ? "lowercased" : "cased")}, labels {labels.Source}, {runner.MaxTokens} tokens, batch {runner.BatchSize}, {Math.Max(1, settings.Threads)} thread(s))";
            return new OnnxSentimentModel(runner, labels, description);
        }
        catch
        {
            runner.Dispose();
            throw;
        }
    }

    private static (BertInputTokenizer Tokenizer, string Source) LoadTokenizer(string dir, Func<string, string> fail, string expected)
    {
        var json = Path.Combine(dir, TokenizerFile);
        var vocab = Path.Combine(dir, VocabFile);
        try
        {
            if (File.Exists(json))
            {
                return (TokenizerJson.Load(json), TokenizerFile);
            }

            if (File.Exists(vocab))
            {
                return (BertInputTokenizer.FromVocabFile(vocab, DoLowerCase(dir)), VocabFile);
            }
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException or ArgumentException or InvalidOperationException)
        {
            var file = File.Exists(json) ? TokenizerFile : VocabFile;
            throw new SentimentModelException(fail($"{file} cannot be read: {e.Message}"), e);
        }

        throw new SentimentModelException(fail($"neither {VocabFile} nor {TokenizerFile} found; {expected}"));
    }

    // vocab.txt carries no casing: tokenizer_config.json's do_lower_case says it when present, else the vocabulary's look.
    private static bool? DoLowerCase(string dir)
    {
        var path = Path.Combine(dir, TokenizerConfigFile);
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        using var doc = Parse(stream, path);
        return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("do_lower_case", out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean()
            : null;
    }

    private static JsonDocument Parse(Stream stream, string path)
    {
        try
        {
            return JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)} is not valid JSON ({e.Message})", e);
        }
    }

    private static ClassifierLabels? LoadLabels(string dir, Func<string, string> fail)
    {
        var path = Path.Combine(dir, ConfigFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var stream = File.OpenRead(path);
            return ClassifierLabels.FromConfig(stream);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new SentimentModelException(fail($"{ConfigFile} cannot be used: {e.Message}"), e);
        }
    }

    public void Score(IReadOnlyList<string> texts, Span<SentimentResult> results)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (results.Length != texts.Count)
        {
            throw new ArgumentException($"{texts.Count} texts but {results.Length} results", nameof(results));
        }

        _pending.Clear();
        if (_pendingIndex.Length < texts.Count)
        {
            _pendingIndex = new int[Math.Max(texts.Count, _pendingIndex.Length * 2)];
        }

        for (var i = 0; i < texts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i]))
            {
                results[i] = SentimentResult.Neutral;
            }
            else
            {
                _pendingIndex[_pending.Count] = i;
                _pending.Add(texts[i]);
            }
        }

        if (_pending.Count == 0)
        {
            return;
        }

        var width = _runner.LogitCount;
        if (_logits.Length < _pending.Count * width)
        {
            _logits = new float[Math.Max(_pending.Count * width, _logits.Length * 2)];
        }

        var logits = _logits.AsSpan(0, _pending.Count * width);
        _runner.Logits(_pending, logits);
        for (var p = 0; p < _pending.Count; p++)
        {
            var result = Labels.Score(logits.Slice(p * width, width));
            results[_pendingIndex[p]] = double.IsFinite(result.Score) ? result : SentimentResult.Neutral;
        }

        _pending.Clear();
    }

    public void Dispose() => _runner.Dispose();
}
