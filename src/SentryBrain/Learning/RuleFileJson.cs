using System.Text.Json;
using System.Text.Json.Serialization;
using SentryBrain.Storage;

namespace SentryBrain.Learning;

/// <summary>Reads and writes <see cref="RuleFile"/>s (snake_case JSON); writes are atomic (temp + rename).</summary>
public static class RuleFileJson
{
    /// <summary>The file, or null when it does not exist; throws <see cref="InvalidDataException"/> naming the problem when it is not a valid rules file.</summary>
    public static RuleFile? Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        return Parse(bytes, path);
    }

    public static RuleFile Parse(ReadOnlySpan<byte> json, string what)
    {
        RuleFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, RuleJsonContext.Default.RuleFile);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{what} is not a rules file: {ex.Message}", ex);
        }

        if (file is null)
        {
            throw new InvalidDataException($"{what} is not a rules file: it holds null");
        }

        foreach (var rule in file.GeneratedRules ?? [])
        {
            if (rule is null || string.IsNullOrWhiteSpace(rule.Name) || rule.Conditions is not { Count: > 0 })
            {
                throw new InvalidDataException($"{what}: a rule needs a name and at least one condition");
            }

            foreach (var condition in rule.Conditions)
            {
                if (condition is null || !RuleFeatures.IsKnown(condition.Feature ?? string.Empty)
                    || (condition.Op != RuleCondition.AtLeast && condition.Op != RuleCondition.Below) || !double.IsFinite(condition.Threshold))
                {
                    throw new InvalidDataException($"{what}: rule '{rule.Name}' has a condition that is not 'feature >= x' or 'feature < x' over a known feature ({string.Join(", ", RuleFeatures.Names)})");
                }
            }
        }

        return file with { GeneratedRules = file.GeneratedRules ?? [], FeatureImportances = file.FeatureImportances ?? new Dictionary<string, double>() };
    }

    public static void Write(string path, RuleFile file)
        => AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(file, RuleJsonContext.Default.RuleFile));
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(RuleFile))]
internal sealed partial class RuleJsonContext : JsonSerializerContext;
