using System.Text.Json;
using System.Text.Json.Serialization;

namespace SentryBrain.Signals.Sentiment.Evaluation;

/// <summary>
/// The one JSON object of <c>./brain sentiment eval --json</c>: <c>model</c>, <c>data</c>, <c>split</c>, <c>n</c>,
/// <c>accuracy</c>, <c>macro_f1</c>, <c>sentences_per_s</c>, <c>per_class</c> (label → precision, recall, f1,
/// support) and <c>confusion</c> (<c>labels</c>, and <c>rows</c>: one per true label, counts per predicted label).
/// </summary>
public sealed record SentimentEvaluationJson(
    string Model,
    string Data,
    string Split,
    int N,
    double Accuracy,
    double MacroF1,
    double? SentencesPerS,
    IReadOnlyDictionary<string, ClassMetricsJson> PerClass,
    ConfusionJson Confusion)
{
    public static SentimentEvaluationJson From(SentimentEvaluation evaluation, string model, string data, string split)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var perClass = new Dictionary<string, ClassMetricsJson>(StringComparer.Ordinal);
        foreach (var c in evaluation.PerClass)
        {
            perClass[SentimentResult.Name(c.Label)] = new ClassMetricsJson(c.Precision, c.Recall, c.F1, c.Support);
        }

        var labels = Enum.GetValues<SentimentLabel>().Select(SentimentResult.Name).ToArray();
        return new SentimentEvaluationJson(
            model, data, split, evaluation.N, evaluation.Accuracy, evaluation.MacroF1, evaluation.SentencesPerSecond, perClass,
            new ConfusionJson(labels, evaluation.Confusion.ToRows()));
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, SentimentEvaluationJsonContext.Default.SentimentEvaluationJson);
}

public sealed record ClassMetricsJson(double Precision, double Recall, double F1, int Support);

/// <summary>Rows = true label, columns = predicted, both in <see cref="Labels"/> order.</summary>
public sealed record ConfusionJson(IReadOnlyList<string> Labels, int[][] Rows);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SentimentEvaluationJson))]
internal sealed partial class SentimentEvaluationJsonContext : JsonSerializerContext;
