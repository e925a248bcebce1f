using System.Text.Json;

namespace SentryBrain.Signals.Sentiment.Onnx;

/// <summary>
/// Reads a HuggingFace <c>tokenizer.json</c> with a WordPiece model (BERT, DistilBERT, FinBERT…): its vocabulary,
/// lowercasing/accent stripping from the normalizer and the [CLS]/[SEP]/[PAD]/[UNK] spellings. Byte-level BPE
/// (RoBERTa family) is refused with a message: Microsoft.ML.Tokenizers' BPE cannot be configured from this file
/// faithfully enough to match the model's training ids.
/// </summary>
public static class TokenizerJson
{
    /// <summary>Throws <see cref="InvalidDataException"/> (message says what is wrong) for a file that is not a WordPiece tokenizer.json.</summary>
    public static BertInputTokenizer Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    public static BertInputTokenizer Load(Stream json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("tokenizer.json has no \"model\" object");
        }

        var type = model.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (!string.Equals(type, "WordPiece", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"tokenizer.json has a {type ?? "untyped"} model; only WordPiece (BERT-family) tokenizers are supported: export the model with a vocab.txt, or use a BERT/DistilBERT-based model (RoBERTa byte-level BPE is not supported)");
        }

        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("tokenizer.json's WordPiece model has no \"vocab\" object");
        }

        var tokens = TokensById(vocab);
        var (lowerCase, stripAccents) = Normalization(root);
        var defaults = BertInputTokenizer.TokenNames.Default;
        var names = defaults with
        {
            Unknown = StringOr(model, "unk_token", defaults.Unknown),
            SubwordPrefix = StringOr(model, "continuing_subword_prefix", defaults.SubwordPrefix),
            Cls = SpecialToken(root, "cls", defaults.Cls),
            Sep = SpecialToken(root, "sep", defaults.Sep),
            Pad = root.TryGetProperty("padding", out var padding) && padding.ValueKind == JsonValueKind.Object ? StringOr(padding, "pad_token", defaults.Pad) : defaults.Pad,
        };
        return BertInputTokenizer.FromTokens(tokens, lowerCase, stripAccents, names);
    }

    private static List<string> TokensById(JsonElement vocab)
    {
        var byId = new SortedDictionary<int, string>();
        foreach (var entry in vocab.EnumerateObject())
        {
            if (!entry.Value.TryGetInt32(out var id) || id < 0)
            {
                throw new InvalidDataException($"tokenizer.json: the id of vocabulary token \"{entry.Name}\" is not a non-negative integer");
            }

            if (!byId.TryAdd(id, entry.Name))
            {
                throw new InvalidDataException($"tokenizer.json: id {id} is given to both \"{byId[id]}\" and \"{entry.Name}\"");
            }
        }

        // vocab.txt form: line number = id; gaps get placeholders no text can produce.
        var tokens = new List<string>(byId.Count);
        foreach (var (id, token) in byId)
        {
            while (tokens.Count < id)
            {
                tokens.Add($"[unused-id-{tokens.Count}]");
            }

            tokens.Add(token);
        }

        return tokens;
    }

    // BertNormalizer { lowercase, strip_accents (null = follow lowercase) } or a Sequence of Lowercase/StripAccents/NFD…
    private static (bool LowerCase, bool? StripAccents) Normalization(JsonElement root)
    {
        if (!root.TryGetProperty("normalizer", out var normalizer) || normalizer.ValueKind != JsonValueKind.Object)
        {
            return (false, false);
        }

        var lower = false;
        bool? strip = null;
        Visit(normalizer);
        return (lower, strip ?? (lower ? null : false));

        void Visit(JsonElement n)
        {
            switch (n.TryGetProperty("type", out var t) ? t.GetString() : null)
            {
                case "BertNormalizer":
                    lower |= !n.TryGetProperty("lowercase", out var l) || l.ValueKind != JsonValueKind.False;
                    if (n.TryGetProperty("strip_accents", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        strip = s.ValueKind == JsonValueKind.True;
                    }

                    break;
                case "Lowercase":
                    lower = true;
                    break;
                case "StripAccents":
                    strip = true;
                    break;
                case "Sequence" when n.TryGetProperty("normalizers", out var list) && list.ValueKind == JsonValueKind.Array:
                    foreach (var child in list.EnumerateArray())
                    {
                        Visit(child);
                    }

                    break;
            }
        }
    }

    // BertProcessing: "cls": ["[CLS]", 101]; TemplateProcessing: "single": [{"SpecialToken": {"id": "[CLS]"}}, …].
    private static string SpecialToken(JsonElement root, string role, string fallback)
    {
        if (!root.TryGetProperty("post_processor", out var post) || post.ValueKind != JsonValueKind.Object)
        {
            return fallback;
        }

        if (post.TryGetProperty(role, out var pair) && pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() > 0 && pair[0].ValueKind == JsonValueKind.String)
        {
            return pair[0].GetString()!;
        }

        if (post.TryGetProperty("single", out var single) && single.ValueKind == JsonValueKind.Array)
        {
            var specials = single.EnumerateArray()
                .Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("SpecialToken", out _))
                .Select(e => e.GetProperty("SpecialToken").TryGetProperty("id", out var id) ? id.GetString() : null)
                .ToList();
            var index = role == "cls" ? 0 : specials.Count - 1;
            if (specials.Count >= 2 && specials[index] is { } name)
            {
                return name;
            }
        }

        return fallback;
    }

    private static string StringOr(JsonElement e, string name, string fallback)
        => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : fallback;
}
