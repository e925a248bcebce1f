using System.Globalization;
using System.Text.Json;
using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// Generated rules end to end through <c>brain consume</c> (a child process, <c>GENERATED_RULES_PATH</c> set): the
/// built-in scenario (<c>brain replay</c>), whose first Green Light buy is read from a run without rules; a rule whose
/// region contains that buy turns it into a hold <c>generated_rule:&lt;name&gt;</c> without an order, and a rule whose
/// region excludes it changes nothing but the journal's <c>rule</c> line.
/// </summary>
public sealed class GeneratedRulesConsumeTests
{
    private static readonly Lazy<string> Scenario = new(() =>
    {
        using var dir = BrainCli.NewFolder();
        var replay = BrainCli.Run(dir.Path, null, "replay");
        Assert.True(replay.ExitCode == 0, replay.ToString());
        return replay.Stdout;
    });

    /// <summary>Runs the scenario through <c>consume</c> in a fresh folder (fresh paper ledger), with a rules file if given; returns the journal lines.</summary>
    private static List<string> Consume(string? rulesJson)
    {
        using var dir = BrainCli.NewFolder();
        var env = new Dictionary<string, string>();
        if (rulesJson is not null)
        {
            File.WriteAllText(dir["rules.json"], rulesJson);
            env["GENERATED_RULES_PATH"] = dir["rules.json"];
        }
        else
        {
            env["GENERATED_RULES_PATH"] = dir["no-rules.json"]; // missing: no rules
        }

        var run = BrainCli.RunWithInput(dir.Path, env, Scenario.Value, TimeSpan.FromSeconds(120), "consume");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("Generated rules file", run.Stderr, StringComparison.Ordinal); // no problem reported
        return [.. run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static JsonElement Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    private static string S(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static string Rules(string name, params (string Feature, string Op, double Threshold)[] conditions)
        => "{\"generated_rules\":[{\"name\":\"" + name + "\",\"conditions\":["
           + string.Join(',', conditions.Select(c => string.Create(CultureInfo.InvariantCulture, $$"""{"feature":"{{c.Feature}}","op":"{{c.Op}}","threshold":{{c.Threshold:R}}}""")))
           + "],\"expires_ts\":\"2099-01-01T00:00:00Z\"}]}";

    [Fact]
    public void ARuleAroundTheFirstBuy_TurnsItIntoAHold_WithoutAnOrder_AndARuleAwayFromIt_ChangesNothing()
    {
        var baseline = Consume(null);
        var decisions = baseline.Select(Parse).Where(l => S(l, "kind") == "decision").ToList();
        var buy = decisions.First(d => S(d, "action") == "buy");
        var (ts, symbol) = (S(buy, "ts"), S(buy, "symbol"));
        var signals = buy.GetProperty("signals");
        var ofi = signals.GetProperty("ofi").GetDouble();
        var probGain = signals.GetProperty("prob_gain").GetDouble();
        Assert.Contains(baseline.Select(Parse), l => S(l, "kind") == "order" && S(l, "ts") == ts && S(l, "symbol") == symbol && S(l, "side") == "buy");
        Assert.DoesNotContain(baseline, l => l.Contains("\"kind\":\"rule\"", StringComparison.Ordinal));

        // The region [ofi − 0.001, ∞) × (−∞, prob_gain + 0.001) holds the buy (the journal rounds to 6 decimals).
        var blocked = Consume(Rules("first_buy_region", ("ofi", ">=", ofi - 0.001), ("prob_gain", "<", probGain + 0.001))).Select(Parse).ToList();
        var ruleLine = Assert.Single(blocked, l => S(l, "kind") == "rule");
        Assert.Equal(("active", "first_buy_region"), (S(ruleLine, "action"), S(ruleLine, "name")));
        var hold = Assert.Single(blocked, l => S(l, "kind") == "decision" && S(l, "ts") == ts && S(l, "symbol") == symbol);
        Assert.Equal(("hold", "generated_rule:first_buy_region"), (S(hold, "action"), S(hold, "reason")));
        Assert.Equal(buy.GetProperty("signals").GetRawText(), hold.GetProperty("signals").GetRawText()); // the same decision, refused
        Assert.DoesNotContain(blocked, l => S(l, "kind") == "order" && S(l, "ts") == ts && S(l, "symbol") == symbol);

        // Just above the buy's ofi: the region excludes it, and the journal is the baseline's plus the rule line.
        var away = Consume(Rules("elsewhere", ("ofi", ">=", ofi + 0.001), ("prob_gain", "<", probGain + 0.001)));
        var rule = Assert.Single(away, l => l.StartsWith("{\"kind\":\"rule\"", StringComparison.Ordinal));
        Assert.Contains("\"name\":\"elsewhere\"", rule, StringComparison.Ordinal);
        Assert.Equal(baseline, away.Where(l => l != rule));
    }
}
