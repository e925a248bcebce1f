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

    /// <summary>Lines of the <c>.env</c> file that were ignored or are suspicious, as "file:line: what" (never a value).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public static ConfigSource FromProcess(string? dotEnvPath = ".env", IReadOnlyDictionary<string, string>? overrides = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var warnings = new List<string>();
        var dotEnv = dotEnvPath is not null && File.Exists(dotEnvPath)
            ? ParseDotEnv(File.ReadAllLines(dotEnvPath), dotEnvPath, warnings)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        return new ConfigSource(environment, dotEnv) { Warnings = warnings };
    }

    public static ConfigSource FromPairs(params (string Key, string Value)[] pairs)
    {
        var environment = pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new ConfigSource(environment, new Dictionary<string, string>(StringComparer.Ordinal));
    }

    /// <summary>Parses KEY=VALUE lines: '#' comments, optional 'export ', single or double quotes, inline ' #' comments on unquoted values.</summary>
    public static Dictionary<string, string> ParseDotEnv(IEnumerable<string> lines) => ParseDotEnv(lines, ".env", null);

    /// <summary>
    /// As <see cref="ParseDotEnv(IEnumerable{string})"/>, and adds to <paramref name="warnings"/> one "file:line: …" per
    /// line that was ignored (no NAME=value), has an unclosed quote or sets a name again. A warning names at most the
    /// variable, never the line's text: a line without '=' may well be a pasted secret.
    /// </summary>
    public static Dictionary<string, string> ParseDotEnv(IEnumerable<string> lines, string fileName, List<string>? warnings)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var setOn = new Dictionary<string, int>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
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
                warnings?.Add($"{fileName}:{number}: ignored: unreadable line (expected NAME=value)");
                continue;
            }

            var key = line[..eq].Trim();
            if (!IsName(key))
            {
                warnings?.Add($"{fileName}:{number}: ignored: unreadable line (the text before '=' is not a variable name)");
                continue;
            }

            var value = line[(eq + 1)..].Trim();
            var quoted = value.Length >= 1 && (value[0] == '"' || value[0] == '\'');
            var close = value.Length >= 2 && quoted ? value.IndexOf(value[0], 1) : -1;
            if (close > 0 && (close == value.Length - 1 || value[(close + 1)..].TrimStart().StartsWith('#')))
            {
                value = value[1..close]; // KEY="value" or KEY="value" # comment
            }
            else
            {
                if (quoted && close < 0)
                {
                    warnings?.Add($"{fileName}:{number}: {key}: the opening quote is never closed; the value is used as written");
                }

                var comment = value.IndexOf(" #", StringComparison.Ordinal);
                if (comment >= 0)
                {
                    value = value[..comment].TrimEnd();
                }
            }

            if (setOn.TryGetValue(key, out var earlier))
            {
                warnings?.Add($"{fileName}:{number}: {key} is set again (line {earlier}'s value is replaced)");
            }

            setOn[key] = number;
            values[key] = value;
        }

        return values;
    }

    private static bool IsName(string key)
    {
        if (key.Length == 0 || char.IsAsciiDigit(key[0]))
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '.')
            {
                return false;
            }
        }

        return true;
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
