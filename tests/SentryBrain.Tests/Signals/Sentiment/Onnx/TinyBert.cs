using System.Text;
using System.Text.Json;

namespace SentryBrain.Tests.Signals.Sentiment.Onnx;

/// <summary>
/// A genuinely BERT-shaped sequence classifier small enough to write by hand: token + position + token-type
/// embeddings, LayerNormalization, one single-head self-attention layer honouring the attention mask, a residual
/// LayerNormalization, [CLS] pooling through tanh, and a 3-way classifier. Weights are deterministic: small
/// pseudo-random values plus a "sentiment" direction (dims 0 and 1) that positive words push up and negative words
/// push down, read by the classifier's positive and negative columns. <see cref="Reference"/> is an independent
/// forward pass in doubles over the same weights, so the tests check ONNX Runtime + our runner against arithmetic.
/// </summary>
internal sealed class TinyBert
{
    public const int Hidden = 8;
    public const int Positions = 512;
    public const int Classes = 3;

    public static readonly string[] Vocab =
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
        "the", "company", "shares", "market", "quarter", "in", "and", "of", "a",
        "profit", "rose", "good", "strong", "growth", "beat", "gain",
        "loss", "fell", "bad", "weak", "decline", "miss", "cut",
        "cafe", "市", "##s", "##ed", "##ing", "##ly", ".", ",", "!", "<", ">", "/", "p", "b",
    ];

    public static readonly string[] PositiveWords = ["profit", "rose", "good", "strong", "growth", "beat", "gain"];
    public static readonly string[] NegativeWords = ["loss", "fell", "bad", "weak", "decline", "miss", "cut"];

    private readonly float[] _word;
    private readonly float[] _position;
    private readonly float[] _type;
    private readonly float[] _ln1Gain;
    private readonly float[] _ln1Bias;
    private readonly float[] _wq;
    private readonly float[] _bq;
    private readonly float[] _wk;
    private readonly float[] _bk;
    private readonly float[] _wv;
    private readonly float[] _bv;
    private readonly float[] _wo;
    private readonly float[] _bo;
    private readonly float[] _ln2Gain;
    private readonly float[] _ln2Bias;
    private readonly float[] _wp;
    private readonly float[] _bp;
    private readonly float[] _wc;
    private readonly float[] _bc;

    /// <param name="labelOrder">What each logit means, e.g. FinBERT's ["positive", "negative", "neutral"].</param>
    public TinyBert(string[] labelOrder)
    {
        LabelOrder = labelOrder;
        var seed = 1;
        float[] Noise(int n, float scale)
        {
            var a = new float[n];
            for (var i = 0; i < n; i++)
            {
                // Deterministic, platform-independent pseudo-random values in [-scale, scale].
                seed = (int)((seed * 1103515245L + 12345) & 0x7fffffff);
                a[i] = scale * ((seed / (float)0x7fffffff * 2) - 1);
            }

            return a;
        }

        // Zeroes the sentiment dims of a [rows, Hidden] array.
        static float[] Clean(float[] a)
        {
            for (var r = 0; r < a.Length / Hidden; r++)
            {
                a[r * Hidden] = 0;
                a[(r * Hidden) + 1] = 0;
            }

            return a;
        }

        // Output dims 0 and 1 of x·W read input dims 0 and 1 only (identity there).
        static float[] Channel(float[] w)
        {
            for (var i = 0; i < Hidden; i++)
            {
                for (var j = 0; j < 2; j++)
                {
                    w[(i * Hidden) + j] = i == j ? 1 : 0;
                }
            }

            return w;
        }

        float[] Identity(float diagonal, float noise)
        {
            var a = Noise(Hidden * Hidden, noise);
            for (var i = 0; i < Hidden; i++)
            {
                a[(i * Hidden) + i] += diagonal;
            }

            return a;
        }

        // Dims 0 and 1 are a clean sentiment channel: only sentiment words write them, and no layer mixes other
        // dims into them, so a text without sentiment words keeps dim0 − dim1 ≈ 0 (LayerNorm shifts both alike).
        _word = Noise(Vocab.Length * Hidden, 0.5f);
        for (var t = 0; t < Vocab.Length; t++)
        {
            var s = PositiveWords.Contains(Vocab[t]) ? 3f : NegativeWords.Contains(Vocab[t]) ? -3f : 0f;
            _word[(t * Hidden) + 0] = s;
            _word[(t * Hidden) + 1] = -s;
        }

        _position = Clean(Noise(Positions * Hidden, 0.1f));
        _type = Clean(Noise(2 * Hidden, 0.1f));
        _ln1Gain = Clean(Noise(Hidden, 0.1f)).Select(v => v + 1).ToArray();
        _ln1Bias = Clean(Noise(Hidden, 0.05f));
        _wq = Noise(Hidden * Hidden, 0.4f);
        _bq = Noise(Hidden, 0.1f);
        _wk = Noise(Hidden * Hidden, 0.4f);
        _bk = Noise(Hidden, 0.1f);
        _wv = Channel(Identity(1, 0.1f));
        _bv = Clean(Noise(Hidden, 0.05f));
        _wo = Channel(Identity(1, 0.1f));
        _bo = Clean(Noise(Hidden, 0.05f));
        _ln2Gain = Clean(Noise(Hidden, 0.1f)).Select(v => v + 1).ToArray();
        _ln2Bias = Clean(Noise(Hidden, 0.05f));
        _wp = Channel(Identity(1, 0.1f));
        _bp = Clean(Noise(Hidden, 0.05f));

        // Classifier columns by meaning: positive reads +dim0 −dim1, negative the opposite, neutral a bias.
        _wc = Noise(Hidden * Classes, 0.1f);
        _bc = new float[Classes];
        for (var c = 0; c < Classes; c++)
        {
            var sign = labelOrder[c] switch { "positive" => 3f, "negative" => -3f, _ => 0f };
            _wc[(0 * Classes) + c] += sign;
            _wc[(1 * Classes) + c] -= sign;
        }

        // Calibrate: a text without sentiment words ("[CLS] [SEP]") has equal positive and negative logits and neutral ahead by 0.5.
        var baseline = Reference([Id("[CLS]"), Id("[SEP]")]);
        for (var c = 0; c < Classes; c++)
        {
            _bc[c] = (float)(-baseline[c] + (labelOrder[c] == "neutral" ? 0.5 : 0.0));
        }
    }

    public string[] LabelOrder { get; }

    public static int Id(string token) => Array.IndexOf(Vocab, token);

    /// <summary>The ONNX model: inputs input_ids/attention_mask[/token_type_ids] of <paramref name="indexType"/>, output logits [batch, 3].</summary>
    public byte[] ToOnnx(int indexType = OnnxGraph.Int64, bool tokenTypes = true)
    {
        var g = new OnnxGraph();
        g.Input("input_ids", indexType, "batch", "sequence");
        g.Input("attention_mask", indexType, "batch", "sequence");
        if (tokenTypes)
        {
            g.Input("token_type_ids", indexType, "batch", "sequence");
        }

        g.Output("logits", OnnxGraph.Float, "batch", (long)Classes);

        var word = g.Initializer("word_embeddings", _word, Vocab.Length, Hidden);
        var position = g.Initializer("position_embeddings", _position, Positions, Hidden);
        var zero = g.Initializer("zero", [0L]);
        var one = g.Initializer("one", [1L]);
        var axis1 = g.Initializer("axis1", [1L], 1);

        var embedded = g.Node("Gather", [word, "input_ids"], "word_e");
        var shape = g.Node("Shape", ["input_ids"], "ids_shape");
        var length = g.Node("Gather", [shape, one], "seq_len", ("axis", 0L));
        var positions = g.Node("Range", [zero, length, one], "positions");
        var positionE = g.Node("Gather", [position, positions], "position_e");
        var sum = g.Node("Add", [embedded, positionE], "sum_wp");
        if (tokenTypes)
        {
            var type = g.Initializer("token_type_embeddings", _type, 2, Hidden);
            var typeE = g.Node("Gather", [type, "token_type_ids"], "type_e");
            sum = g.Node("Add", [sum, typeE], "sum_wpt");
        }
        else
        {
            sum = g.Node("Add", [sum, g.Initializer("type0", _type[..Hidden], Hidden)], "sum_wpt");
        }

        var x = g.Node("LayerNormalization", [sum, g.Initializer("ln1_g", _ln1Gain, Hidden), g.Initializer("ln1_b", _ln1Bias, Hidden)], "x", ("axis", -1L), ("epsilon", 1e-12f));
        string Dense(string input, string name, float[] w, float[] b, long inWidth, long outWidth)
            => g.Node("Add", [g.Node("MatMul", [input, g.Initializer(name + "_w", w, inWidth, outWidth)], name + "_mm"), g.Initializer(name + "_b", b, outWidth)], name);

        var q = Dense(x, "q", _wq, _bq, Hidden, Hidden);
        var k = Dense(x, "k", _wk, _bk, Hidden, Hidden);
        var v = Dense(x, "v", _wv, _bv, Hidden, Hidden);
        var kt = g.Node("Transpose", [k], "kt", ("perm", new long[] { 0, 2, 1 }));
        var scores = g.Node("Mul", [g.Node("MatMul", [q, kt], "qk"), g.Initializer("inv_sqrt_h", [1 / MathF.Sqrt(Hidden)])], "scores");

        // BERT's extended mask: (1 − mask) × −10000 added to every query's scores.
        var maskF = g.Node("Cast", ["attention_mask"], "mask_f", ("to", (long)OnnxGraph.Float));
        var inverted = g.Node("Sub", [g.Initializer("one_f", [1f]), maskF], "mask_inv");
        var additive = g.Node("Mul", [inverted, g.Initializer("minus_big", [-10000f])], "mask_add");
        var mask3 = g.Node("Unsqueeze", [additive, axis1], "mask_3d");
        var masked = g.Node("Add", [scores, mask3], "scores_masked");
        var probabilities = g.Node("Softmax", [masked], "attention", ("axis", -1L));
        var context = g.Node("MatMul", [probabilities, v], "context");
        var attended = Dense(context, "o", _wo, _bo, Hidden, Hidden);
        var residual = g.Node("Add", [x, attended], "residual");
        var x2 = g.Node("LayerNormalization", [residual, g.Initializer("ln2_g", _ln2Gain, Hidden), g.Initializer("ln2_b", _ln2Bias, Hidden)], "x2", ("axis", -1L), ("epsilon", 1e-12f));

        var cls = g.Node("Gather", [x2, zero], "cls", ("axis", 1L));
        var pooled = g.Node("Tanh", [Dense(cls, "pool", _wp, _bp, Hidden, Hidden)], "pooled");
        g.Node("Add", [g.Node("MatMul", [pooled, g.Initializer("cls_w", _wc, Hidden, Classes)], "cls_mm"), g.Initializer("cls_b", _bc, Classes)], "logits");
        return g.ToModel();
    }

    /// <summary>The logits of one unpadded row of ids, computed in doubles straight from the weights.</summary>
    public double[] Reference(IReadOnlyList<int> ids)
    {
        var n = ids.Count;
        var x = new double[n][];
        for (var t = 0; t < n; t++)
        {
            var e = new double[Hidden];
            for (var h = 0; h < Hidden; h++)
            {
                e[h] = _word[(ids[t] * Hidden) + h] + _position[(t * Hidden) + h] + _type[h];
            }

            x[t] = LayerNorm(e, _ln1Gain, _ln1Bias);
        }

        var q = x.Select(r => Dense(r, _wq, _bq, Hidden)).ToArray();
        var k = x.Select(r => Dense(r, _wk, _bk, Hidden)).ToArray();
        var v = x.Select(r => Dense(r, _wv, _bv, Hidden)).ToArray();

        // Only [CLS] (row 0) reaches the classifier.
        var scores = new double[n];
        for (var j = 0; j < n; j++)
        {
            scores[j] = Enumerable.Range(0, Hidden).Sum(h => q[0][h] * k[j][h]) / Math.Sqrt(Hidden);
        }

        var weights = Softmax(scores);
        var context = new double[Hidden];
        for (var j = 0; j < n; j++)
        {
            for (var h = 0; h < Hidden; h++)
            {
                context[h] += weights[j] * v[j][h];
            }
        }

        var attended = Dense(context, _wo, _bo, Hidden);
        var cls = LayerNorm(x[0].Zip(attended, (a, b) => a + b).ToArray(), _ln2Gain, _ln2Bias);
        var pooled = Dense(cls, _wp, _bp, Hidden).Select(Math.Tanh).ToArray();
        return Dense(pooled, _wc, _bc, Classes);
    }

    /// <summary>P(positive) − P(negative) of the reference logits.</summary>
    public double ReferenceScore(IReadOnlyList<int> ids)
    {
        var p = Softmax(Reference(ids));
        return p[Array.IndexOf(LabelOrder, "positive")] - p[Array.IndexOf(LabelOrder, "negative")];
    }

    public static double[] Softmax(double[] z)
    {
        var max = z.Max();
        var e = z.Select(v => Math.Exp(v - max)).ToArray();
        var sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    private static double[] Dense(double[] input, float[] w, float[] b, int outWidth)
    {
        var y = new double[outWidth];
        for (var o = 0; o < outWidth; o++)
        {
            y[o] = b[o];
            for (var i = 0; i < input.Length; i++)
            {
                y[o] += input[i] * w[(i * outWidth) + o];
            }
        }

        return y;
    }

    private static double[] LayerNorm(double[] x, float[] gain, float[] bias)
    {
        var mean = x.Average();
        var variance = x.Select(v => (v - mean) * (v - mean)).Average();
        var sd = Math.Sqrt(variance + 1e-12);
        return x.Select((v, i) => ((v - mean) / sd * gain[i]) + bias[i]).ToArray();
    }

    /// <summary>
    /// Writes a model folder: model.onnx, vocab.txt and/or tokenizer.json, and config.json with id2label in this
    /// model's label order unless <paramref name="config"/> is false.
    /// </summary>
    public string WriteFolder(string dir, bool vocabTxt = true, bool tokenizerJson = false, bool config = true, int indexType = OnnxGraph.Int64, bool tokenTypes = true)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), ToOnnx(indexType, tokenTypes));
        if (vocabTxt)
        {
            File.WriteAllText(Path.Combine(dir, "vocab.txt"), string.Join('\n', Vocab) + "\n", new UTF8Encoding(false));
        }

        if (tokenizerJson)
        {
            File.WriteAllText(Path.Combine(dir, "tokenizer.json"), TokenizerJsonText(), new UTF8Encoding(false));
        }

        if (config)
        {
            var id2label = LabelOrder.Select((l, i) => (i, l)).ToDictionary(p => p.i.ToString(), p => p.l);
            File.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(new { architectures = new[] { "BertForSequenceClassification" }, id2label }));
        }

        return dir;
    }

    /// <summary>A HuggingFace tokenizer.json for <see cref="Vocab"/> in the shape transformers writes for BERT.</summary>
    public static string TokenizerJsonText()
    {
        var vocab = Vocab.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
        var special = new Dictionary<string, object>
        {
            ["[CLS]"] = new { id = "[CLS]", ids = new[] { Id("[CLS]") }, tokens = new[] { "[CLS]" } },
            ["[SEP]"] = new { id = "[SEP]", ids = new[] { Id("[SEP]") }, tokens = new[] { "[SEP]" } },
        };
        var json = new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["normalizer"] = new { type = "BertNormalizer", clean_text = true, handle_chinese_chars = true, strip_accents = (bool?)null, lowercase = true },
            ["pre_tokenizer"] = new { type = "BertPreTokenizer" },
            ["post_processor"] = new Dictionary<string, object>
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new object[] { new { SpecialToken = new { id = "[CLS]", type_id = 0 } }, new { Sequence = new { id = "A", type_id = 0 } }, new { SpecialToken = new { id = "[SEP]", type_id = 0 } } },
                ["special_tokens"] = special,
            },
            ["model"] = new { type = "WordPiece", unk_token = "[UNK]", continuing_subword_prefix = "##", max_input_chars_per_word = 100, vocab },
        };
        return JsonSerializer.Serialize(json);
    }
}
