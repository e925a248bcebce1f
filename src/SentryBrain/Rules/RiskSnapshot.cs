using System.Text.Json;
using System.Text.Json.Serialization;

namespace SentryBrain.Rules;

/// <summary>
/// The risk latches of one New York trading date, persisted so that a restart the same day keeps them:
/// the daily-cap baseline and state, and the kill-switch trips. A snapshot of another date is ignored.
/// </summary>
public sealed record RiskSnapshot(
    DateOnly Date,
    double Baseline,
    DailyCapState DailyCap,
    bool MarketKilled,
    string? MarketKillReason,
    string[] KilledSymbols,
    double PeakEquity = 0,
    DateTime? MarketKilledAt = null,
    Dictionary<string, DateTime>? KilledAt = null)
{
    public const string StateKey = "risk";

    public static RiskSnapshot Capture(DateOnly date, DailyCap cap, KillSwitch killSwitch, Drawdown? drawdown = null) => new(
        date,
        cap.Date == date ? cap.Baseline : 0,
        cap.Date == date ? cap.State : DailyCapState.Open,
        killSwitch.MarketTripped,
        killSwitch.MarketReason,
        [.. killSwitch.TrippedSymbols.Keys.Order(StringComparer.Ordinal)],
        drawdown?.PeakEquity ?? 0,
        killSwitch.MarketTrippedAt,
        killSwitch.TrippedSymbols.ToDictionary(StringComparer.Ordinal));

    /// <summary>
    /// Applies the snapshot: the equity peak always (drawdown spans days); the daily latches only when the snapshot
    /// belongs to <paramref name="date"/>. Returns whether the daily part applied.
    /// </summary>
    public bool RestoreInto(DateOnly date, DailyCap cap, KillSwitch killSwitch, Drawdown? drawdown = null)
    {
        if (PeakEquity > 0)
        {
            drawdown?.Restore(PeakEquity);
        }

        if (Date != date)
        {
            return false;
        }

        if (Baseline > 0)
        {
            cap.Restore(Date, Baseline, DailyCap);
        }

        killSwitch.Restore(
            MarketKilled,
            MarketKillReason,
            MarketKilledAt,
            KilledSymbols.Select(symbol => new KeyValuePair<string, DateTime>(symbol, KilledAt?.GetValueOrDefault(symbol) ?? default)));
        return true;
    }

    public string ToJson() => JsonSerializer.Serialize(this, RiskJsonContext.Default.RiskSnapshot);

    /// <summary>Null when the text is not a snapshot (a corrupt value must not stop the brain; the caller logs it).</summary>
    public static RiskSnapshot? FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, RiskJsonContext.Default.RiskSnapshot);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RiskSnapshot))]
internal sealed partial class RiskJsonContext : JsonSerializerContext;
