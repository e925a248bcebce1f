using System.Globalization;
using System.Text.Json;
using SentryBrain.Storage;

namespace SentryBrain.Signals.Sentiment.Embedding;

/// <summary>What a head was trained on, recorded in its file so a reader knows where its accuracy comes from.</summary>
/// <param name="File">the CSV's file name (no folder).</param>
/// <param name="Rows">rows in the file.</param>
/// <param name="Split">"train-80" (held-out 20 % left out) or "all".</param>
public sealed record EmbeddingHeadProvenance(string File, int Rows, string Split, int TrainRows, int HeldOutRows, double TrainingAccuracy, double? HeldOutAccuracy, DateTimeOffset CreatedUtc);

/// <summary>
/// <c>SENTIMENT_MODEL_DIR/embedding_head.json</c>: format and version, the encoder and pooling the head expects, the
/// feature standardisation, weights and label order, and its <see cref="EmbeddingHeadProvenance"/>. Written
/// atomically; read with every field checked, so a missing, corrupt or mismatched head is a
/// <see cref="SentimentModelException"/> naming the file, never NaN scores.
/// </summary>
public static class EmbeddingHeadFile
{
    public const string FileName = "embedding_head.json";
    public const string Format = "sentrybrain-embedding-head";
    public const int Version = 1;
    public const string TrainCommand = "./brain sentiment train --data FILE.csv";

    public static string PathIn(string modelDir) => System.IO.Path.Combine(modelDir, FileName);

    public static void Write(string path, SoftmaxHead head, EmbeddingHeadProvenance provenance, double l2)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(provenance);
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("version", Version);
            w.WriteStartArray("encoders");
            w.WriteStartObject();
            w.WriteString("name", MiniLmEncoder.ModelName);
            w.WriteString("package", MiniLmEncoder.Package);
            w.WriteString("pooling", MiniLmEncoder.Pooling);
            w.WriteNumber("features", MiniLmEncoder.FeatureCount);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("extra_features");
            foreach (var name in EmbeddingFeaturizer.ExtraFeatures)
            {
                w.WriteStringValue(name);
            }

            w.WriteEndArray();
            w.WriteNumber("features", head.FeatureCount);
            w.WriteString("head", "softmax");
            w.WriteNumber("l2", l2);
            w.WriteStartArray("labels");
            foreach (var label in head.Labels)
            {
                w.WriteStringValue(SentimentResult.Name(label));
            }

            w.WriteEndArray();
            w.WriteStartObject("trained_on");
            w.WriteString("file", provenance.File);
            w.WriteNumber("rows", provenance.Rows);
            w.WriteString("split", provenance.Split);
            w.WriteNumber("train_rows", provenance.TrainRows);
            w.WriteNumber("held_out_rows", provenance.HeldOutRows);
            w.WriteNumber("training_accuracy", provenance.TrainingAccuracy);
            if (provenance.HeldOutAccuracy is { } heldOut)
            {
                w.WriteNumber("held_out_accuracy", heldOut);
            }
            else
            {
                w.WriteNull("held_out_accuracy");
            }

            w.WriteEndObject();
            w.WriteString("created_utc", provenance.CreatedUtc.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            Numbers(w, "bias", head.Bias);
            Numbers(w, "means", head.Means);
            Numbers(w, "stds", head.Stds);
            w.WriteStartArray("weights");
            for (var k = 0; k < head.Labels.Count; k++)
            {
                Numbers(w, null, head.Weights.Slice(k * head.FeatureCount, head.FeatureCount));
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>The head in <paramref name="path"/>, checked against the features this build computes.</summary>
    public static (SoftmaxHead Head, EmbeddingHeadProvenance? Provenance) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new SentimentModelException($"{path} not found: run {TrainCommand} (SENTIMENT_MODEL=embedding needs a trained head in SENTIMENT_MODEL_DIR)");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return Parse(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new SentimentModelException($"{path} is not a usable embedding head ({ex.Message}): retrain it with {TrainCommand}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SentimentModelException($"{path} cannot be read: {ex.Message}", ex);
        }
    }

    private static (SoftmaxHead, EmbeddingHeadProvenance?) Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || Required(root, "format").GetString() != Format)
        {
            throw new InvalidDataException($"\"format\" is not \"{Format}\"");
        }

        var version = Required(root, "version").GetInt32();
        if (version != Version)
        {
            throw new InvalidDataException($"version {version}, this build reads version {Version}");
        }

        var encoders = Required(root, "encoders");
        var encoder = encoders.GetArrayLength() == 1 ? encoders[0] : throw new InvalidDataException("expected one encoder");
        var name = Required(encoder, "name").GetString();
        var pooling = Required(encoder, "pooling").GetString();
        if (name != MiniLmEncoder.ModelName || pooling != MiniLmEncoder.Pooling)
        {
            throw new InvalidDataException($"trained on encoder {name} with {pooling} pooling; this build computes {MiniLmEncoder.ModelName} with {MiniLmEncoder.Pooling}");
        }

        var extra = Required(root, "extra_features").EnumerateArray().Select(e => e.GetString()).ToArray();
        if (!extra.SequenceEqual(EmbeddingFeaturizer.ExtraFeatures))
        {
            throw new InvalidDataException($"extra features [{string.Join(", ", extra)}], this build computes [{string.Join(", ", EmbeddingFeaturizer.ExtraFeatures)}]");
        }

        var features = Required(root, "features").GetInt32();
        if (features != EmbeddingFeaturizer.FeatureCount)
        {
            throw new InvalidDataException($"{features} features, this build computes {EmbeddingFeaturizer.FeatureCount}");
        }

        var labels = Required(root, "labels").EnumerateArray()
            .Select(e => SentimentResult.Parse(e.GetString()) ?? throw new InvalidDataException($"label {e} is not negative, neutral or positive"))
            .ToArray();
        var weightRows = Required(root, "weights");
        if (weightRows.GetArrayLength() != labels.Length)
        {
            throw new InvalidDataException($"{weightRows.GetArrayLength()} weight rows for {labels.Length} labels");
        }

        var weights = new List<double>(labels.Length * features);
        foreach (var row in weightRows.EnumerateArray())
        {
            var values = Doubles(row, "weights");
            if (values.Length != features)
            {
                throw new InvalidDataException($"a weight row has {values.Length} values, not {features}");
            }

            weights.AddRange(values);
        }

        var means = Doubles(Required(root, "means"), "means");
        var stds = Doubles(Required(root, "stds"), "stds");
        if (means.Length != features || stds.Length != features)
        {
            throw new InvalidDataException($"means has {means.Length} values and stds {stds.Length}, not {features}");
        }

        var head = new SoftmaxHead(labels, means, stds, weights, Doubles(Required(root, "bias"), "bias"));
        return (head, Provenance(root));
    }

    private static EmbeddingHeadProvenance? Provenance(JsonElement root)
    {
        if (!root.TryGetProperty("trained_on", out var t) || t.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var heldOut = t.TryGetProperty("held_out_accuracy", out var h) && h.ValueKind == JsonValueKind.Number ? h.GetDouble() : (double?)null;
        var created = root.TryGetProperty("created_utc", out var c) && c.ValueKind == JsonValueKind.String
            ? DateTimeOffset.Parse(c.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
            : DateTimeOffset.MinValue;
        return new EmbeddingHeadProvenance(
            Required(t, "file").GetString() ?? string.Empty,
            Required(t, "rows").GetInt32(),
            Required(t, "split").GetString() ?? string.Empty,
            Required(t, "train_rows").GetInt32(),
            Required(t, "held_out_rows").GetInt32(),
            Required(t, "training_accuracy").GetDouble(),
            heldOut,
            created);
    }

    private static JsonElement Required(JsonElement parent, string name)
        => parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new InvalidDataException($"\"{name}\" is missing");

    private static double[] Doubles(JsonElement array, string name)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"\"{name}\" is not an array of numbers");
        }

        var values = new double[array.GetArrayLength()];
        var i = 0;
        foreach (var e in array.EnumerateArray())
        {
            // NaN and infinities are not JSON numbers; a string such as "NaN" lands here too.
            values[i++] = e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw new InvalidDataException($"\"{name}\"[{i}] is not a number");
        }

        return values;
    }

    private static void Numbers(Utf8JsonWriter w, string? name, ReadOnlySpan<double> values)
    {
        if (name is null)
        {
            w.WriteStartArray();
        }
        else
        {
            w.WriteStartArray(name);
        }

        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }
}
