using Microsoft.ML.OnnxRuntime;
using SentryBrain.Config;

namespace SentryBrain.Signals.Sentiment.Onnx;

/// <summary>
/// Runs a BERT-family ONNX model over texts: tokenises each text ([CLS] … [SEP], at most <c>MaxTokens</c>), groups
/// texts of similar length into batches of <c>BatchSize</c> padded to the longest, and returns either the classifier
/// logits per text (<see cref="Logits"/>) or pooled token embeddings (<see cref="Pooled"/>, <see cref="Embeddings"/>:
/// sentence transformers such as MiniLM). Input names and element types (int64 or int32) come from the model; token_type_ids
/// is optional. Buffers are kept between calls; one call runs at a time.
/// </summary>
public sealed class BertOnnxRunner : IDisposable
{
    private static readonly string[] LogitsNames = ["logits", "output", "outputs"];
    private static readonly string[] HiddenNames = ["last_hidden_state", "token_embeddings", "hidden_states"];

    private readonly Lock _gate = new();
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _runOptions = new();
    private readonly InputTensor _ids;
    private readonly InputTensor _mask;
    private readonly InputTensor? _types;
    private readonly string[] _inputNames;
    private readonly string? _logitsOutput;
    private readonly string? _hiddenOutput;

    // Token ids of the texts of one call, back to back; offsets/lengths/order per text.
    private int[] _arena;
    private int[] _offsets = new int[16];
    private int[] _lengths = new int[16];
    private long[] _sortKeys = new long[16];
    private int[] _order = new int[16];

    // Pooling sums in double: a 512-token text loses no precision.
    private readonly double[] _sums;

    private BertOnnxRunner(InferenceSession session, SessionOptions options, BertInputTokenizer tokenizer, SentimentSettings settings)
    {
        _session = session;
        _options = options;
        Tokenizer = tokenizer;
        MaxTokens = Math.Clamp(settings.MaxTokens, 3, 512);
        BatchSize = Math.Max(1, settings.BatchSize);
        _arena = new int[BatchSize * MaxTokens];

        var inputs = session.InputMetadata;
        _ids = InputTensor.For(inputs, "input_ids", BatchSize * MaxTokens) ?? throw new InvalidDataException($"the model has no input_ids input (inputs: {string.Join(", ", inputs.Keys)})");
        _mask = InputTensor.For(inputs, "attention_mask", BatchSize * MaxTokens) ?? throw new InvalidDataException($"the model has no attention_mask input (inputs: {string.Join(", ", inputs.Keys)})");
        _types = InputTensor.For(inputs, "token_type_ids", BatchSize * MaxTokens);
        var unknown = inputs.Keys.Except(["input_ids", "attention_mask", "token_type_ids"]).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidDataException($"the model has inputs a BERT runner cannot fill: {string.Join(", ", unknown)} (expected input_ids, attention_mask and optionally token_type_ids)");
        }

        _inputNames = _types is null ? [_ids.Name, _mask.Name] : [_ids.Name, _mask.Name, _types.Name];
        _logitsOutput = PickOutput(session.OutputMetadata, LogitsNames, rank: 2);
        _hiddenOutput = PickOutput(session.OutputMetadata, HiddenNames, rank: 3);
        if (_logitsOutput is null && _hiddenOutput is null)
        {
            throw new InvalidDataException($"the model has neither a [batch, labels] logits output nor a [batch, tokens, hidden] output (outputs: {string.Join(", ", session.OutputMetadata.Keys)})");
        }

        // A probe run at load: fails now on a model that loads but cannot run, learns the output widths, warms up.
        if (_logitsOutput is not null)
        {
            LogitCount = Probe(_logitsOutput);
        }

        if (_hiddenOutput is not null)
        {
            HiddenSize = Probe(_hiddenOutput);
        }

        _sums = new double[HiddenSize];
    }

    public BertInputTokenizer Tokenizer { get; }

    /// <summary>Tokens per text, [CLS] and [SEP] included.</summary>
    public int MaxTokens { get; }

    public int BatchSize { get; }

    /// <summary>Classes of the logits output; 0 when the model has none.</summary>
    public int LogitCount { get; }

    /// <summary>Width of the token embeddings (and of <see cref="Embeddings"/>); 0 when the model has none.</summary>
    public int HiddenSize { get; }

    /// <summary>
    /// Loads <paramref name="model"/> (a path or the bytes of an .onnx file) with <c>settings.Threads</c> intra-op
    /// threads, one inter-op thread and full graph optimisation. Throws <see cref="OnnxRuntimeException"/> for a file
    /// ONNX Runtime cannot read and <see cref="InvalidDataException"/> for a model without BERT inputs/outputs.
    /// </summary>
    public static BertOnnxRunner Create(string modelPath, BertInputTokenizer tokenizer, SentimentSettings settings)
        => Create(options => new InferenceSession(modelPath, options), tokenizer, settings);

    public static BertOnnxRunner Create(byte[] model, BertInputTokenizer tokenizer, SentimentSettings settings)
        => Create(options => new InferenceSession(model, options), tokenizer, settings);

    private static BertOnnxRunner Create(Func<SessionOptions, InferenceSession> open, BertInputTokenizer tokenizer, SentimentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(settings);
        var options = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, settings.Threads),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        InferenceSession? session = null;
        try
        {
            session = open(options);
            return new BertOnnxRunner(session, options, tokenizer, settings);
        }
        catch
        {
            session?.Dispose();
            options.Dispose();
            throw;
        }
    }

    /// <summary>Writes the logits of text i into <c>logits[i*LogitCount ..]</c>.</summary>
    public void Logits(IReadOnlyList<string> texts, Span<float> logits)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var width = _logitsOutput is null ? throw new InvalidOperationException("the model has no logits output") : LogitCount;
        Check(texts.Count, width, logits.Length);
        Run(texts, _logitsOutput, width, logits, pooling: null);
    }

    /// <summary>Writes the attention-masked mean of text i's token embeddings (L2-normalised if asked) into <c>embeddings[i*HiddenSize ..]</c>.</summary>
    public void Embeddings(IReadOnlyList<string> texts, Span<float> embeddings, bool normalize = true)
        => Pooled(texts, embeddings, normalize ? TokenPooling.NormalizedMean : TokenPooling.Mean);

    /// <summary>Writes text i's token embeddings pooled by <paramref name="pooling"/> into <c>destination[i*PooledWidth(pooling) ..]</c>.</summary>
    public void Pooled(IReadOnlyList<string> texts, Span<float> destination, TokenPooling pooling)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var width = _hiddenOutput is null ? throw new InvalidOperationException("the model has no token embeddings output") : PooledWidth(pooling);
        Check(texts.Count, width, destination.Length);
        Run(texts, _hiddenOutput, width, destination, pooling);
    }

    /// <summary>Floats per text that <paramref name="pooling"/> writes.</summary>
    public int PooledWidth(TokenPooling pooling) => pooling == TokenPooling.MeanMaxCls ? 3 * HiddenSize : HiddenSize;

    /// <summary>The ids text <paramref name="text"/> becomes (for tests and diagnostics).</summary>
    public int[] Encode(string text) => Tokenizer.Encode(text, MaxTokens);

    private static void Check(int count, int width, int length)
    {
        if (length != count * width)
        {
            throw new ArgumentException($"the destination holds {length} floats; {count} texts × {width} need {count * width}");
        }
    }

    // pooling null: the output is per-text logits, copied as they are.
    private void Run(IReadOnlyList<string> texts, string output, int width, Span<float> destination, TokenPooling? pooling)
    {
        lock (_gate)
        {
            var count = texts.Count;
            Tokenize(texts);
            for (var start = 0; start < count; start += BatchSize)
            {
                RunBatch(_order.AsSpan(start, Math.Min(BatchSize, count - start)), output, width, destination, pooling);
            }
        }
    }

    // Tokenises every text, then orders them by length so each batch pads little.
    private void Tokenize(IReadOnlyList<string> texts)
    {
        var count = texts.Count;
        if (_offsets.Length < count)
        {
            var size = Math.Max(count, _offsets.Length * 2);
            _offsets = new int[size];
            _lengths = new int[size];
            _sortKeys = new long[size];
            _order = new int[size];
        }

        var used = 0;
        for (var i = 0; i < count; i++)
        {
            if (_arena.Length - used < MaxTokens)
            {
                Array.Resize(ref _arena, Math.Max(_arena.Length * 2, used + MaxTokens));
            }

            var n = Tokenizer.Encode(texts[i] ?? string.Empty, _arena.AsSpan(used, MaxTokens));
            _offsets[i] = used;
            _lengths[i] = n;
            _sortKeys[i] = ((long)n << 32) | (uint)i;
            _order[i] = i;
            used += n;
        }

        if (count > BatchSize)
        {
            Array.Sort(_sortKeys, _order, 0, count);
        }
    }

    private void RunBatch(ReadOnlySpan<int> rows, string output, int width, Span<float> destination, TokenPooling? pooling)
    {
        var b = rows.Length;
        var longest = 0;
        foreach (var row in rows)
        {
            longest = Math.Max(longest, _lengths[row]);
        }

        for (var r = 0; r < b; r++)
        {
            var ids = _arena.AsSpan(_offsets[rows[r]], _lengths[rows[r]]);
            var at = r * longest;
            for (var t = 0; t < longest; t++)
            {
                var real = t < ids.Length;
                _ids.Set(at + t, real ? ids[t] : Tokenizer.PadId);
                _mask.Set(at + t, real ? 1 : 0);
                _types?.Set(at + t, 0);
            }
        }

        long[] shape = [b, longest];
        using var idsValue = _ids.Value(b * longest, shape);
        using var maskValue = _mask.Value(b * longest, shape);
        using var typesValue = _types?.Value(b * longest, shape);
        OrtValue[] values = typesValue is null ? [idsValue, maskValue] : [idsValue, maskValue, typesValue];
        using var results = _session.Run(_runOptions, _inputNames, values, [output]);
        var result = results[0];
        var data = result.GetTensorDataAsSpan<float>();
        if (pooling is not { } how)
        {
            for (var r = 0; r < b; r++)
            {
                data.Slice(r * width, width).CopyTo(destination.Slice(rows[r] * width, width));
            }

            return;
        }

        var hidden = HiddenSize;
        for (var r = 0; r < b; r++)
        {
            Pool(data.Slice(r * longest * hidden, longest * hidden), _lengths[rows[r]], destination.Slice(rows[r] * width, width), how);
        }
    }

    // Over the text's real tokens: the attention mask is 1 exactly for the first `tokens` positions.
    private void Pool(ReadOnlySpan<float> states, int tokens, Span<float> into, TokenPooling pooling)
    {
        var width = HiddenSize;
        var sums = _sums.AsSpan();
        sums.Clear();
        for (var t = 0; t < tokens; t++)
        {
            var token = states.Slice(t * width, width);
            for (var k = 0; k < width; k++)
            {
                sums[k] += token[k];
            }
        }

        var scale = 1.0 / Math.Max(tokens, 1);
        if (pooling == TokenPooling.NormalizedMean)
        {
            var norm = 0.0;
            foreach (var v in sums)
            {
                norm += v * v;
            }

            scale = 1 / Math.Max(Math.Sqrt(norm), 1e-12); // the mean's own scale cancels out
        }

        var mean = into[..width];
        for (var k = 0; k < width; k++)
        {
            mean[k] = (float)(sums[k] * scale);
        }

        if (pooling != TokenPooling.MeanMaxCls)
        {
            return;
        }

        var max = into.Slice(width, width);
        states[..width].CopyTo(max);
        for (var t = 1; t < tokens; t++)
        {
            var token = states.Slice(t * width, width);
            for (var k = 0; k < width; k++)
            {
                max[k] = Math.Max(max[k], token[k]);
            }
        }

        states[..width].CopyTo(into.Slice(2 * width, width)); // [CLS] comes first
    }

    private int Probe(string output)
    {
        // One text, "[CLS] [SEP]".
        _ids.Set(0, Tokenizer.ClsId);
        _ids.Set(1, Tokenizer.SepId);
        for (var t = 0; t < 2; t++)
        {
            _mask.Set(t, 1);
            _types?.Set(t, 0);
        }

        long[] shape = [1, 2];
        using var idsValue = _ids.Value(2, shape);
        using var maskValue = _mask.Value(2, shape);
        using var typesValue = _types?.Value(2, shape);
        OrtValue[] values = typesValue is null ? [idsValue, maskValue] : [idsValue, maskValue, typesValue];
        using var results = _session.Run(_runOptions, _inputNames, values, [output]);
        var dims = results[0].GetTensorTypeAndShape().Shape;
        var width = (int)dims[^1];
        if (width <= 0)
        {
            throw new InvalidDataException($"the model's {output} output has no width (shape [{string.Join(", ", dims)}])");
        }

        return width;
    }

    private static string? PickOutput(IReadOnlyDictionary<string, NodeMetadata> outputs, string[] preferred, int rank)
    {
        foreach (var name in preferred)
        {
            if (outputs.TryGetValue(name, out var meta) && meta.ElementType == typeof(float) && meta.Dimensions.Length == rank)
            {
                return name;
            }
        }

        // A sentence encoder's pooler output is [batch, hidden] too: beside token embeddings, only a named logits counts.
        if (rank == 2 && outputs.Values.Any(o => o.Dimensions.Length == 3))
        {
            return null;
        }

        return outputs.FirstOrDefault(o => o.Value.ElementType == typeof(float) && o.Value.Dimensions.Length == rank).Key;
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
        _options.Dispose();
    }

    /// <summary>One model input: its name and a reusable int64 or int32 buffer of BatchSize × MaxTokens.</summary>
    private sealed class InputTensor
    {
        private readonly long[]? _int64;
        private readonly int[]? _int32;

        private InputTensor(string name, long[]? int64, int[]? int32)
        {
            Name = name;
            _int64 = int64;
            _int32 = int32;
        }

        public string Name { get; }

        public static InputTensor? For(IReadOnlyDictionary<string, NodeMetadata> inputs, string name, int capacity)
        {
            if (!inputs.TryGetValue(name, out var meta))
            {
                return null;
            }

            if (meta.ElementType == typeof(long))
            {
                return new InputTensor(name, new long[capacity], null);
            }

            if (meta.ElementType == typeof(int))
            {
                return new InputTensor(name, null, new int[capacity]);
            }

            throw new InvalidDataException($"the model's {name} input is {meta.ElementType.Name}; a BERT runner feeds int64 or int32");
        }

        public void Set(int index, int value)
        {
            if (_int64 is not null)
            {
                _int64[index] = value;
            }
            else
            {
                _int32![index] = value;
            }
        }

        // Wraps the first `length` elements without copying; the buffer outlives the value.
        public OrtValue Value(int length, long[] shape)
            => _int64 is not null
                ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _int64.AsMemory(0, length), shape)
                : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _int32!.AsMemory(0, length), shape);
    }
}
