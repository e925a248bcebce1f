using System.Globalization;

namespace SentryBrain.Learning;

/// <summary>What a promotion or an active-file write changed: rules that became active, and expired rules dropped.</summary>
public sealed record RuleFileChange(IReadOnlyList<GeneratedRule> Activated, IReadOnlyList<GeneratedRule> Expired, bool Written, string? Note)
{
    public static readonly RuleFileChange None = new([], [], false, null);
}

/// <summary>
/// The rules files of BEHAVIOR.md §6.2, through <see cref="RuleFileJson"/> (atomic writes). A proposed file whose
/// <c>written_ts</c> is at least the promotion delay old is merged into the active file (<see cref="Promote"/>):
/// rules of the same name are replaced, the other active rules kept unless expired, <c>promoted_ts</c> set, and the
/// proposed file removed. <see cref="WriteActive"/> merges the same way without waiting. Whenever the active file is
/// rewritten, expired rules leave it. The delay is checked with <see cref="Tolerance"/> to spare: a daily run at the
/// same time promotes the previous day's proposal even when that run finished a few seconds later than this one
/// started (the reference's check could keep slipping by a day, BEHAVIOR.md §12 item 26).
/// </summary>
public static class RulePromotion
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <exception cref="InvalidDataException">A rules file is malformed (nothing is changed).</exception>
    public static RuleFileChange Promote(string activePath, string proposedPath, double promotionHours, DateTime now)
    {
        var proposed = RuleFileJson.Read(proposedPath);
        if (proposed is null)
        {
            return RuleFileChange.None;
        }

        if (proposed.WrittenTs is not { } written)
        {
            throw new InvalidDataException($"{proposedPath} has no written_ts: cannot tell when it may be promoted");
        }

        var age = now - written;
        if (age < TimeSpan.FromHours(promotionHours) - Tolerance)
        {
            return RuleFileChange.None with
            {
                Note = string.Create(CultureInfo.InvariantCulture, $"{proposedPath} is {age.TotalHours:0.#} h old; it is promoted once {promotionHours:0.#} h old"),
            };
        }

        var change = Merge(activePath, proposed.GeneratedRules, proposed.FeatureImportances, now, promoted: true);
        File.Delete(proposedPath);
        return change with { Note = $"promoted {proposedPath} (written {written:yyyy-MM-dd HH:mm} UTC) into {activePath}" };
    }

    /// <summary>
    /// Merges <paramref name="rules"/> into the active file now; writes only when something changes (new rules or expired
    /// ones to drop), or when there is no active file yet: then it is written even with no rule, so the file a
    /// <c>backtest --rules</c> or the consumer reads says "no rules" rather than being missing.
    /// </summary>
    /// <exception cref="InvalidDataException">The active file is malformed (it is left alone).</exception>
    public static RuleFileChange WriteActive(string activePath, IReadOnlyList<GeneratedRule> rules, IReadOnlyDictionary<string, double> importances, DateTime now)
        => Merge(activePath, rules, importances, now, promoted: false);

    /// <summary>
    /// Writes the proposal. When a pending proposal with exactly the same rule names is there, its <c>written_ts</c>
    /// is kept, so proposing the same rules again (a second run the same day) does not restart the wait; any other
    /// set of rules waits from now.
    /// </summary>
    /// <exception cref="InvalidDataException">The pending proposal is malformed (it is left alone).</exception>
    public static void WriteProposed(string proposedPath, IReadOnlyList<GeneratedRule> rules, IReadOnlyDictionary<string, double> importances, DateTime now)
    {
        var pending = RuleFileJson.Read(proposedPath);
        var same = pending?.WrittenTs is not null
            && pending.GeneratedRules.Select(r => r.Name).Order(StringComparer.Ordinal).SequenceEqual(rules.Select(r => r.Name).Order(StringComparer.Ordinal), StringComparer.Ordinal);
        var written = same && pending!.WrittenTs < now ? pending.WrittenTs!.Value : now;
        RuleFileJson.Write(proposedPath, new RuleFile { WrittenTs = written, GeneratedRules = rules, FeatureImportances = importances });
    }

    public static bool IsExpired(GeneratedRule rule, DateTime now) => rule.ExpiresTs is { } expires && now >= expires;

    private static RuleFileChange Merge(string activePath, IReadOnlyList<GeneratedRule> incoming, IReadOnlyDictionary<string, double> importances, DateTime now, bool promoted)
    {
        var active = RuleFileJson.Read(activePath);
        var fresh = incoming.Where(r => !IsExpired(r, now)).ToList();
        var names = fresh.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var kept = new List<GeneratedRule>();
        var expired = new List<GeneratedRule>();
        foreach (var rule in active?.GeneratedRules ?? [])
        {
            if (names.Contains(rule.Name))
            {
                continue;
            }

            (IsExpired(rule, now) ? expired : kept).Add(rule);
        }

        if (fresh.Count == 0 && expired.Count == 0 && (promoted || active is not null))
        {
            return RuleFileChange.None;
        }

        var file = new RuleFile
        {
            WrittenTs = now,
            PromotedTs = promoted ? now : active?.PromotedTs,
            GeneratedRules = [.. kept, .. fresh],
            FeatureImportances = fresh.Count > 0 || active is null ? importances : active.FeatureImportances,
        };
        RuleFileJson.Write(activePath, file);
        return new RuleFileChange(fresh, expired, true, null);
    }
}
