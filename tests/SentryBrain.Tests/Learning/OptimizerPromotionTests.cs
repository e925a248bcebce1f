using SentryBrain.Learning;
using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Learning;

/// <summary>Proposed → active after RULE_PROMOTION_HOURS on a fake clock, merging, and expiry (BEHAVIOR.md §6.2).</summary>
public sealed class OptimizerPromotionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sb-promo-").FullName;

    private string Active => Path.Combine(_folder, "active.json");

    private string Proposed => Path.Combine(_folder, "proposed.json");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static GeneratedRule Rule(string name, string feature, double threshold, DateTime created, DateTime? expires) => new()
    {
        Name = name,
        Conditions = [new RuleCondition(feature, RuleCondition.AtLeast, threshold)],
        Support = 30,
        CreatedTs = created,
        ExpiresTs = expires,
    };

    [Fact]
    public void Proposal_is_promoted_once_24_hours_old_and_not_before()
    {
        var buffer = Path.Combine(_folder, "b.jsonl");
        OptimizerBuffers.Write(buffer, OptimizerBuffers.Exits(5000, seed: 2, OptimizerBuffers.Planted));
        var options = OptimizerBuffers.Options(_folder, buffer) with { WriteProposed = true };
        var clock = new TimerTrackingTimeProvider(new DateTimeOffset(2026, 8, 3, 20, 5, 0, TimeSpan.Zero));
        DateTime Now() => clock.GetUtcNow().UtcDateTime;
        var start = Now();

        var first = Optimizer.Run(options, Now());
        var name = Assert.Single(first.Rules).Name;
        Assert.Equal(start, RuleFileJson.Read(Proposed)!.WrittenTs);
        Assert.False(File.Exists(Active));

        // 23 h later: too young; the same rules proposed again keep the first written_ts (the wait does not restart).
        clock.Advance(TimeSpan.FromHours(23));
        var early = Optimizer.Run(options, Now());
        Assert.Empty(early.Promoted);
        Assert.False(File.Exists(Active));
        Assert.Equal(start, RuleFileJson.Read(Proposed)!.WrittenTs);
        Assert.Contains(early.Notes, n => n.Contains("23 h old", StringComparison.Ordinal));

        // 24 h after the first run: promoted into the active file, promoted_ts set; the run proposes again.
        clock.Advance(TimeSpan.FromHours(1));
        var promoted = Optimizer.Run(options, Now());
        Assert.Equal(name, Assert.Single(promoted.Promoted).Name);
        var active = RuleFileJson.Read(Active)!;
        Assert.Equal(Now(), active.PromotedTs);
        Assert.Equal(name, Assert.Single(active.GeneratedRules).Name);
        Assert.Equal(Now(), RuleFileJson.Read(Proposed)!.WrittenTs);
    }

    [Fact]
    public void Promotion_replaces_same_names_keeps_others_and_drops_expired()
    {
        var t = new DateTime(2026, 9, 1, 20, 5, 0, DateTimeKind.Utc);
        RuleFileJson.Write(Active, new RuleFile
        {
            WrittenTs = t.AddDays(-10),
            GeneratedRules =
            [
                Rule("old_expired", "rsi", 70, t.AddDays(-31), t.AddDays(-1)),
                Rule("kept", "z_score", 2, t.AddDays(-5), t.AddDays(25)),
                Rule("replaced", "atr_pct", 3, t.AddDays(-5), t.AddDays(25)),
            ],
        });
        RulePromotion.WriteProposed(Proposed, [Rule("replaced", "atr_pct", 4, t.AddDays(-1), t.AddDays(29)), Rule("new", "ofi", 0.5, t.AddDays(-1), t.AddDays(29))], new Dictionary<string, double>(), t.AddDays(-1));

        var change = RulePromotion.Promote(Active, Proposed, 24, t);

        Assert.Equal(["replaced", "new"], change.Activated.Select(r => r.Name));
        Assert.Equal("old_expired", Assert.Single(change.Expired).Name);
        var active = RuleFileJson.Read(Active)!;
        Assert.Equal(["kept", "replaced", "new"], active.GeneratedRules.Select(r => r.Name));
        Assert.Equal(4, active.GeneratedRules.Single(r => r.Name == "replaced").Conditions[0].Threshold);
        Assert.False(File.Exists(Proposed));
    }

    [Fact]
    public void Write_rules_drops_expired_rules_even_with_nothing_new()
    {
        var t = new DateTime(2026, 9, 1, 20, 5, 0, DateTimeKind.Utc);
        RuleFileJson.Write(Active, new RuleFile { GeneratedRules = [Rule("stale", "rsi", 70, t.AddDays(-31), t.AddDays(-1)), Rule("fresh", "rsi", 80, t, t.AddDays(30))] });

        var change = RulePromotion.WriteActive(Active, [], new Dictionary<string, double>(), t);
        var again = RulePromotion.WriteActive(Active, [], new Dictionary<string, double>(), t);

        Assert.Equal("stale", Assert.Single(change.Expired).Name);
        Assert.Equal(["fresh"], RuleFileJson.Read(Active)!.GeneratedRules.Select(r => r.Name));
        Assert.False(again.Written, "nothing changed: the active file is not rewritten");
    }

    [Fact]
    public void Malformed_proposed_file_is_an_error_and_nothing_is_changed()
    {
        File.WriteAllText(Proposed, "{ not json");

        var ex = Assert.Throws<InvalidDataException>(() => RulePromotion.Promote(Active, Proposed, 24, new DateTime(2026, 9, 1, 20, 5, 0, DateTimeKind.Utc)));

        Assert.Contains(Proposed, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Active));
        Assert.True(File.Exists(Proposed));
    }
}
