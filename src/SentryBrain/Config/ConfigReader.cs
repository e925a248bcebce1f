using System.Globalization;

namespace SentryBrain.Config;

/// <summary>One effective setting, as `brain config` shows it.</summary>
public sealed record ConfigEntry(string Name, string Value, ValueOrigin Origin, bool Secret, string Description);

/// <summary>
/// Typed reads of variables with validation. Every read is recorded so the effective configuration
/// can be printed. Unlike the reference (bad numbers silently became defaults) a bad value is an error.
/// </summary>
public sealed class ConfigReader(ConfigSource source)
{
    private readonly List<ConfigEntry> _entries = [];
    private readonly List<string> _errors = [];

    public IReadOnlyList<ConfigEntry> Entries => _entries;

    public IReadOnlyList<string> Errors => _errors;

    public bool Bool(string name, bool fallback, string description)
    {
        var (raw, origin) = Read(name);
        var value = fallback;
        if (raw is not null)
        {
            switch (raw.Trim().ToLowerInvariant())
            {
                case "true" or "1" or "yes" or "on" or "y":
                    value = true;
                    break;
                case "false" or "0" or "no" or "off" or "n":
                    value = false;
                    break;
                default:
                    Fail(name, raw, "a boolean: true/false, 1/0, yes/no or on/off");
                    break;
            }
        }

        Record(name, value ? "true" : "false", origin, description);
        return value;
    }

    public double Double(string name, double fallback, string description, double min = double.MinValue, double max = double.MaxValue)
    {
        var (raw, origin) = Read(name);
        var value = fallback;
        if (raw is not null)
        {
            if (!double.TryParse(raw.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !double.IsFinite(parsed))
            {
                Fail(name, raw, $"a number{RangeText(min, max)}, e.g. {ConfigSource.Describe(fallback)}");
            }
            else if (parsed < min || parsed > max)
            {
                Fail(name, raw, $"a number{RangeText(min, max)}");
            }
            else
            {
                value = parsed;
            }
        }

        Record(name, ConfigSource.Describe(value), origin, description);
        return value;
    }

    public int Int(string name, int fallback, string description, int min = int.MinValue, int max = int.MaxValue)
    {
        var (raw, origin) = Read(name);
        var value = fallback;
        if (raw is not null)
        {
            if (!int.TryParse(raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                Fail(name, raw, $"a whole number{RangeText(min, max)}, e.g. {fallback.ToString(CultureInfo.InvariantCulture)}");
            }
            else if (parsed < min || parsed > max)
            {
                Fail(name, raw, $"a whole number{RangeText(min, max)}");
            }
            else
            {
                value = parsed;
            }
        }

        Record(name, value.ToString(CultureInfo.InvariantCulture), origin, description);
        return value;
    }

    public string String(string name, string fallback, string description, bool secret = false, IReadOnlyCollection<string>? allowed = null)
    {
        var (raw, origin) = Read(name);
        var value = raw?.Trim() ?? fallback;
        if (allowed is not null && !allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            Fail(name, raw ?? value, "one of: " + string.Join(", ", allowed));
            value = fallback;
        }

        Record(name, secret ? Mask(value) : value, origin, description, secret);
        return value;
    }

    /// <summary>
    /// A URL, shown with its credentials masked (<see cref="Urls.Redact"/>). Without <paramref name="allowUserInfo"/> a
    /// <c>user:password@</c> part is refused: services that authenticate otherwise (Alpaca's key headers) never need it.
    /// </summary>
    public string Url(string name, string fallback, string description, bool allowUserInfo, string? userInfoHint = null)
    {
        var (raw, origin) = Read(name);
        var value = raw?.Trim() ?? fallback;
        if (!allowUserInfo && Urls.HasUserInfo(value))
        {
            Fail(name, Urls.Redact(value), "a URL without user:password@" + (userInfoHint is null ? string.Empty : $" ({userInfoHint})"));
            value = fallback;
        }

        Record(name, Urls.Redact(value), origin, description, secret: allowUserInfo && Urls.HasUserInfo(value));
        return value;
    }

    /// <summary>First variable of <paramref name="names"/> that is set (fallback names, as the reference's ALPACA_API_* aliases).</summary>
    public string Secret(string description, params string[] names)
    {
        foreach (var name in names)
        {
            var (raw, origin) = Read(name);
            if (!string.IsNullOrWhiteSpace(raw))
            {
                // A key id may show its first characters (which account?); a secret shows none.
                var shown = name.Contains("SECRET", StringComparison.Ordinal) ? "****" : Mask(raw.Trim());
                Record(name, shown, origin, description, secret: true);
                return raw.Trim();
            }
        }

        Record(names[0], string.Empty, ValueOrigin.Default, description, secret: true);
        return string.Empty;
    }

    /// <summary>A comma-separated list of positive numbers, e.g. "1,2,3".</summary>
    public double[] DoubleList(string name, string fallback, string description, double min = 0, double max = double.MaxValue)
    {
        var (raw, origin) = Read(name);
        var text = (raw ?? fallback).Trim();
        var values = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < min || v > max)
            {
                Fail(name, text, $"comma-separated numbers{RangeText(min, max)}, e.g. {fallback}");
                values.Clear();
                foreach (var d in fallback.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    values.Add(double.Parse(d, CultureInfo.InvariantCulture));
                }

                break;
            }

            values.Add(v);
        }

        values.Sort();
        Record(name, string.Join(",", values.Select(v => ConfigSource.Describe(v))), origin, description);
        return [.. values];
    }

    /// <summary>A New York wall-clock time "HH:MM"; empty means "not set" when <paramref name="allowEmpty"/>.</summary>
    public TimeOnly? Time(string name, string fallback, string description, bool allowEmpty = false)
    {
        var (raw, origin) = Read(name);
        if (allowEmpty && source.Lookup(name) is { Value: { } set, Origin: var setOrigin } && set.Trim().Length == 0)
        {
            // Here an explicitly empty value means "off", not "use the default".
            Record(name, string.Empty, setOrigin, description);
            return null;
        }

        var text = (raw ?? fallback).Trim();
        TimeOnly? value = null;
        if (text.Length == 0 && allowEmpty)
        {
            Record(name, string.Empty, origin, description);
            return null;
        }

        if (TimeOnly.TryParseExact(text, ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            value = parsed;
        }
        else
        {
            Fail(name, text, "a New York time HH:MM, e.g. " + fallback);
            value = TimeOnly.ParseExact(fallback, "HH:mm", CultureInfo.InvariantCulture);
        }

        Record(name, value.Value.ToString("HH:mm", CultureInfo.InvariantCulture), origin, description);
        return value;
    }

    public static string Mask(string secret)
    {
        if (secret.Length == 0)
        {
            return string.Empty;
        }

        return secret.Length <= 8 ? "****" : string.Concat(secret.AsSpan(0, 4), "****");
    }

    /// <summary>Throws one exception listing every bad variable, so an operator fixes them all in one go.</summary>
    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new ConfigException("Invalid configuration:\n  " + string.Join("\n  ", _errors));
        }
    }

    private (string? Raw, ValueOrigin Origin) Read(string name)
    {
        var (raw, origin) = source.Lookup(name);
        // An empty variable means "unset" for numbers and booleans, as in most .env tooling.
        return raw is null || (raw.Trim().Length == 0 && origin != ValueOrigin.Default) ? (null, raw is null ? origin : ValueOrigin.Default) : (raw, origin);
    }

    private void Record(string name, string value, ValueOrigin origin, string description, bool secret = false)
    {
        _entries.RemoveAll(e => e.Name == name);
        _entries.Add(new ConfigEntry(name, value, origin, secret, description));
    }

    internal void Fail(string name, string raw, string expected)
    {
        // Never echo a value that could be a secret; names here are never secret-bearing.
        _errors.Add($"{name}={Quote(raw)} is not valid: expected {expected}.");
    }

    private static string Quote(string raw) => raw.Length > 40 ? $"\"{raw[..40]}…\"" : $"\"{raw}\"";

    private static string RangeText(double min, double max)
    {
        if (min == double.MinValue && max == double.MaxValue)
        {
            return string.Empty;
        }

        if (max == double.MaxValue)
        {
            return " ≥ " + ConfigSource.Describe(min);
        }

        return min == double.MinValue
            ? " ≤ " + ConfigSource.Describe(max)
            : $" between {ConfigSource.Describe(min)} and {ConfigSource.Describe(max)}";
    }

    private static string RangeText(int min, int max) => RangeText(min == int.MinValue ? double.MinValue : min, max == int.MaxValue ? double.MaxValue : max);
}
