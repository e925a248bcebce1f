using System.Text.Json;

namespace SentryBrain.Signals.Sentiment.Onnx;

/// <summary>
/// What each logit of a sentiment classifier means, from <c>config.json</c>'s <c>id2label</c> (matched
/// case-insensitively: positive/negative/neutral, also bullish/bearish), or assumed when there is no config.json:
/// [negative, neutral, positive] for 3 outputs, [negative, positive] for 2.
/// </summary>
public sealed record ClassifierLabels(IReadOnlyList<SentimentLabel?> ByIndex, string Source)
{
    public int PositiveIndex => IndexOf(SentimentLabel.Positive);

    public int NegativeIndex => IndexOf(SentimentLabel.Negative);

    /// <summary>The labels for a model of <paramref name="outputs"/> logits and no config.json; null when no convention exists.</summary>
    public static ClassifierLabels? Assumed(int outputs) => outputs switch
    {
        3 => new ClassifierLabels([SentimentLabel.Negative, SentimentLabel.Neutral, SentimentLabel.Positive], "assumed [negative, neutral, positive]: no config.json"),
        2 => new ClassifierLabels([SentimentLabel.Negative, SentimentLabel.Positive], "assumed [negative, positive]: no config.json"),
        _ => null,
    };

    /// <summary>Reads <c>id2label</c>; throws <see cref="InvalidDataException"/> for a file that is not JSON, has no usable id2label, or lacks positive or negative.</summary>
    public static ClassifierLabels FromConfig(Stream json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"config.json is not valid JSON ({e.Message})", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("id2label", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("config.json has no id2label object (e.g. {\"0\": \"positive\", \"1\": \"negative\", \"2\": \"neutral\"})");
            }

            var names = new SortedDictionary<int, string>();
            foreach (var entry in map.EnumerateObject())
            {
                if (!int.TryParse(entry.Name, out var id) || id < 0 || id > 1000 || entry.Value.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDataException($"config.json id2label entry \"{entry.Name}\" is not an index with a label name");
                }

                names[id] = entry.Value.GetString()!;
            }

            if (names.Count == 0 || names.Keys.Last() != names.Count - 1)
            {
                throw new InvalidDataException($"config.json id2label must number its labels 0..n-1 (got {string.Join(", ", names.Keys)})");
            }

            var labels = names.Values.Select(Match).ToList();
            var result = new ClassifierLabels(labels, $"config.json id2label [{string.Join(", ", names.Values)}]");
            if (result.PositiveIndex < 0 || result.NegativeIndex < 0)
            {
                throw new InvalidDataException($"config.json id2label [{string.Join(", ", names.Values)}] has no positive and negative label: the score is P(positive) − P(negative)");
            }

            return result;
        }
    }

    private static SentimentLabel? Match(string name) => name.Trim().ToLowerInvariant() switch
    {
        "positive" or "bullish" => SentimentLabel.Positive,
        "negative" or "bearish" => SentimentLabel.Negative,
        "neutral" => SentimentLabel.Neutral,
        _ => null,
    };

    private int IndexOf(SentimentLabel label)
    {
        for (var i = 0; i < ByIndex.Count; i++)
        {
            if (ByIndex[i] == label)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Score = P(positive) − P(negative) from the softmax of <paramref name="logits"/>; label = the argmax (an unnamed class reads neutral).</summary>
    public SentimentResult Score(ReadOnlySpan<float> logits)
    {
        var max = double.NegativeInfinity;
        var best = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            if (logits[i] > max)
            {
                max = logits[i];
                best = i;
            }
        }

        var sum = 0.0;
        for (var i = 0; i < logits.Length; i++)
        {
            sum += Math.Exp(logits[i] - max);
        }

        var positive = Math.Exp(logits[PositiveIndex] - max) / sum;
        var negative = Math.Exp(logits[NegativeIndex] - max) / sum;
        return new SentimentResult(positive - negative, ByIndex[best] ?? SentimentLabel.Neutral);
    }
}
