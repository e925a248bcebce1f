using System.Globalization;

namespace SentryBrain.Learning;

/// <summary>
/// A ghost exit model: a position opened with every live buy, closed when its P&amp;L at the held price reaches
/// −<see cref="StopPct"/> or +<see cref="TakeProfitPct"/> (percent, 1.0 = 1 %), else with the live exit.
/// </summary>
public sealed record ShadowModel(string Name, double StopPct, double TakeProfitPct);

/// <summary>
/// The ghost models: the reference's three (BEHAVIOR.md §6.4: tight 0.5 %/1.5 %, wide 1.5 %/3 %, scalp 1 %/1 %) and
/// the extra ones of <c>SHADOW_PARAMETER_SETS</c> (<c>name:stop%:tp%</c>, comma separated, e.g. <c>loose:2:4</c>).
/// </summary>
public static class ShadowModels
{
    public const string Variable = "SHADOW_PARAMETER_SETS";

    /// <summary>The name the live strategy's own trades are kept under (no model may take it).</summary>
    public const string Live = "live";

    /// <summary>At most this many extra models (each costs a loop step per held price and a row per trade).</summary>
    public const int MaxExtra = 16;

    public const string Expected = "comma-separated name:stop%:take-profit% entries, e.g. loose:2:4 (name: 1-32 of a-z 0-9 _ -, "
        + "unique and not tight/wide/scalp/live; stop and take-profit: numbers > 0 and ≤ 100)";

    public static IReadOnlyList<ShadowModel> Reference { get; } =
    [
        new("tight", 0.5, 1.5),
        new("wide", 1.5, 3.0),
        new("scalp", 1.0, 1.0),
    ];

    /// <summary>The reference models and the configured ones.</summary>
    /// <exception cref="ArgumentException">The text is not valid; the message names <c>SHADOW_PARAMETER_SETS</c>.</exception>
    public static IReadOnlyList<ShadowModel> From(string? parameterSets)
    {
        var models = new List<ShadowModel>(Reference);
        if (Problem(parameterSets, models) is { } problem)
        {
            throw new ArgumentException($"{Variable}=\"{parameterSets}\" is not valid: {problem} (expected {Expected}).", nameof(parameterSets));
        }

        return models;
    }

    /// <summary>Why <paramref name="parameterSets"/> is not valid, or null (empty is valid: no extra models).</summary>
    public static string? Problem(string? parameterSets) => Problem(parameterSets, new List<ShadowModel>(Reference));

    private static string? Problem(string? parameterSets, List<ShadowModel> models)
    {
        if (string.IsNullOrWhiteSpace(parameterSets))
        {
            return null;
        }

        var entries = parameterSets.Split(',', StringSplitOptions.TrimEntries);
        if (entries.Length > MaxExtra)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{entries.Length} entries, at most {MaxExtra}");
        }

        foreach (var entry in entries)
        {
            var parts = entry.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length != 3)
            {
                return $"entry '{entry}' is not name:stop%:take-profit%";
            }

            var name = parts[0];
            if (name.Length is 0 or > 32 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-'))
            {
                return $"model name '{name}' must be 1-32 of a-z 0-9 _ -";
            }

            if (name == Live || models.Any(m => m.Name == name))
            {
                return $"model name '{name}' is taken";
            }

            if (Percent(parts[1]) is not { } stop)
            {
                return $"stop '{parts[1]}' of '{name}' is not a number > 0 and ≤ 100";
            }

            if (Percent(parts[2]) is not { } takeProfit)
            {
                return $"take-profit '{parts[2]}' of '{name}' is not a number > 0 and ≤ 100";
            }

            models.Add(new ShadowModel(name, stop, takeProfit));
        }

        return null;
    }

    private static double? Percent(string text)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v > 0 && v <= 100 ? v : null;
}
