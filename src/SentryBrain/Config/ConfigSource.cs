using System.Globalization;

namespace SentryBrain.Config;

/// <summary>Where an effective setting came from.</summary>
public enum ValueOrigin
{
    Default = 0,
    DotEnv = 1,
    Environment = 2,
}

/// <summary>Raised when a variable has a value we cannot accept; the message names it and the accepted form.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>
/// Raw key/value pairs from the process environment and a <c>.env</c> file. The process wins,
/// so an operator can override a file value for one run without editing it.
/// </summary>
public sealed class ConfigSource
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly IReadOnlyDictionary<string, string> _dotEnv;

    public ConfigSource(IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string> dotEnv)
    {
        _environment = environment;
        _dotEnv = dotEnv;
    }

    public static ConfigSource FromProcess(string? dotEnvPath = ".env")
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        var dotEnv = dotEnvPath is not null && File.Exists(dotEnvPath)
            ? ParseDotEnv(File.ReadAllLines(dotEnvPath))
            : new Dictionary<string, string>(StringComparer.Ordinal);
        return new ConfigSource(environment, dotEnv);
    }

    public static ConfigSource FromPairs(params (string Key, string Value)[] pairs)
    {
        var environment = pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new ConfigSource(environment, new Dictionary<string, string>(StringComparer.Ordinal));
    }

    /// <summary>Parses KEY=VALUE lines: '#' comments, optional 'export ', single or double quotes, inline ' #' comments on unquoted values.</summary>
    public static Dictionary<string, string> ParseDotEnv(IEnumerable<string> lines)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var eq = line.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            var close = value.Length >= 2 && (value[0] == '"' || value[0] == '\'') ? value.IndexOf(value[0], 1) : -1;
            if (close > 0 && (close == value.Length - 1 || value[(close + 1)..].TrimStart().StartsWith('#')))
            {
                value = value[1..close]; // KEY="value" or KEY="value" # comment
            }
            else
            {
                var comment = value.IndexOf(" #", StringComparison.Ordinal);
                if (comment >= 0)
                {
                    value = value[..comment].TrimEnd();
                }
            }

            values[key] = value;
        }

        return values;
    }

    public (string? Value, ValueOrigin Origin) Lookup(string name)
    {
        if (_environment.TryGetValue(name, out var env))
        {
            return (env, ValueOrigin.Environment);
        }

        return _dotEnv.TryGetValue(name, out var file) ? (file, ValueOrigin.DotEnv) : (null, ValueOrigin.Default);
    }

    internal static string Describe(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
