using System.Text.Json;
using SentryBrain.Backtesting;
using SentryBrain.Learning;
using SentryBrain.Strategy;
using SentryBrain.Tests.Backtesting;
using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// <c>backtest --rules</c>: the same generated rules as live, applied to the backtest's buys, on the bundled S&amp;P 500
/// sample (Green Light). Counts are checked against runs that cannot buy at all (cash 1: every buy sizes to 0 shares,
/// so the symbol stays flat and every day's buy decision is recorded whatever the rules do): a rule that blocks a buy
/// there leaves the path unchanged, so its blocked buys are exactly the flat run's buys in its region.
/// </summary>
public sealed class GeneratedRulesBacktestTests
{
    private static readonly BarPanel Spy = BacktestFixtures.Spy;

    /// <summary>Orders start after 400 trading days of warm-up, when the ATR percentile (a year of ATRs) is known on every buy day.</summary>
    private const int TradeFrom = 400;

    private static GeneratedRule Rule(string name, string feature, string op, double threshold)
        => new() { Name = name, Conditions = [new RuleCondition(feature, op, threshold)] };

    private static BacktestResult Run(double cash, params GeneratedRule[] rules) => Run(cash, TradeFrom, rules);

    private static BacktestResult Run(double cash, int tradeFrom, params GeneratedRule[] rules)
    {
        var options = BacktestFixtures.Options(BacktestStrategy.GreenLight, record: true) with
        {
            Cash = cash,
            TradeFromDay = tradeFrom,
            Rules = rules.Length == 0 ? null : new BacktestRules("test", "0", rules),
        };
        return Backtester.Run(Spy, options);
    }

    /// <summary>Days whose decision was acted on (from <see cref="TradeFrom"/> to the day before the last, whose orders would fill after the data) with this action and reason prefix.</summary>
    private static HashSet<DateOnly> Days(BacktestResult r, TradeAction action, string reasonPrefix = "")
        => [.. r.Decisions.Where(d => d.Date >= Spy.Dates[TradeFrom] && d.Date < Spy.Dates[^1] && d.Action == action && d.Reason.StartsWith(reasonPrefix, StringComparison.Ordinal)).Select(d => d.Date)];

    private static int Blocked(BacktestResult r, string name) => r.RuleBlocks!.Single(b => b.Name == name).Blocked;

    [Fact]
    public void ARuleAndItsComplement_SplitTheFlatRunsBuys_AndTogetherBlockThemAll()
    {
        var flat = Run(1);
        Assert.Empty(flat.Fills);
        var buys = Days(flat, TradeAction.Buy);
        Assert.True(buys.Count > 100, $"{buys.Count} buy days"); // the sample has hundreds of Green Light entries

        var hot = Run(1, Rule("hot", "atr_percentile", ">=", 80));
        var calm = Run(1, Rule("calm", "atr_percentile", "<", 80));
        var blockedHot = Days(hot, TradeAction.Hold, "generated_rule:hot");
        var blockedCalm = Days(calm, TradeAction.Hold, "generated_rule:calm");

        // every blocked day was a buy day of the flat run, no day is blocked by both, and each buy day is either
        // blocked or still a buy (atr_percentile is known on every buy day: together the two rules cover them all)
        Assert.Subset(buys, blockedHot);
        Assert.Empty(blockedHot.Intersect(blockedCalm));
        Assert.Equal(buys.OrderBy(d => d), blockedHot.Union(blockedCalm).OrderBy(d => d));
        Assert.Equal(buys.Except(blockedHot).OrderBy(d => d), Days(hot, TradeAction.Buy).OrderBy(d => d));
        Assert.True(blockedHot.Count > 0 && blockedCalm.Count > 0, $"hot {blockedHot.Count}, calm {blockedCalm.Count}");
        Assert.Equal(blockedHot.Count, Blocked(hot, "hot"));
        Assert.Equal(blockedCalm.Count, Blocked(calm, "calm"));
    }

    [Fact]
    public void WithMoney_ARuleOnSomeBuys_MakesFewerTrades_AndRulesOnAllBuys_BlockExactlyTheFlatRunsBuys()
    {
        var free = Run(100_000);
        var flatBuys = Days(Run(1), TradeAction.Buy).Count;

        var some = Run(100_000, Rule("hot", "atr_percentile", ">=", 80));
        Assert.True(some.RoundTrips.Count < free.RoundTrips.Count, $"{some.RoundTrips.Count} trades with the rule, {free.RoundTrips.Count} without");
        Assert.True(Blocked(some, "hot") > 0);
        Assert.Equal(Days(some, TradeAction.Hold, "generated_rule:hot").Count, Blocked(some, "hot"));
        // a blocked buy places no order: nothing is bought at the next day's open
        var nextOpens = Days(some, TradeAction.Hold, "generated_rule:").Select(d => Spy.Dates[Array.IndexOf(Spy.Dates, d) + 1]).ToHashSet();
        Assert.DoesNotContain(some.Fills, f => f.Side == "buy" && nextOpens.Contains(f.Date));

        // Both halves: no buy ever happens, so the path is the flat run's and the counts are its buys (first rule first).
        var all = Run(100_000, Rule("hot", "atr_percentile", ">=", 80), Rule("calm", "atr_percentile", "<", 80));
        Assert.Empty(all.Fills);
        Assert.Equal(flatBuys, Blocked(all, "hot") + Blocked(all, "calm"));
        Assert.Equal(Days(Run(1, Rule("hot", "atr_percentile", ">=", 80)), TradeAction.Hold, "generated_rule:").Count, Blocked(all, "hot"));
    }

    [Fact]
    public void AnExpiredRule_BlocksOnlyTheBuysDecidedBeforeItsExpiry()
    {
        var expiry = new DateOnly(2010, 1, 1);
        var rule = Rule("hot", "atr_percentile", ">=", 80) with { ExpiresTs = BacktestRules.DecisionTime(expiry) };
        var blocked = Days(Run(1, rule), TradeAction.Hold, "generated_rule:hot");
        var always = Days(Run(1, rule with { ExpiresTs = null }), TradeAction.Hold, "generated_rule:hot");

        Assert.Equal(always.Where(d => d < expiry).OrderBy(d => d), blocked.OrderBy(d => d));
        Assert.Contains(always, d => d >= expiry); // the expiry mattered
    }

    [Fact]
    public void Cli_WritesTheRulesFileAndBlockedCountsIntoTheReport_AndRefusesABadRulesFile()
    {
        using var dir = BrainCli.NewFolder();
        File.WriteAllText(dir["rules.json"], """{"generated_rules":[{"name":"hot","conditions":[{"feature":"atr_percentile","op":">=","threshold":80}]},{"name":"never","conditions":[{"feature":"rsi","op":"<","threshold":-1}]}]}""");

        var with = BrainCli.Run(dir.Path, null, "backtest", "--rules", dir["rules.json"], "--report", dir["with"]);
        Assert.True(with.ExitCode == 0, with.ToString());
        var without = BrainCli.Run(dir.Path, null, "backtest", "--report", dir["without"]);
        Assert.True(without.ExitCode == 0, without.ToString());

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir["with"], "summary.json")));
        using var plain = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir["without"], "summary.json")));
        var rules = summary.RootElement.GetProperty("rules");
        Assert.Equal(dir["rules.json"], rules.GetProperty("file").GetString());
        Assert.Equal(64, rules.GetProperty("sha256").GetString()!.Length);
        var perRule = rules.GetProperty("per_rule").EnumerateArray().Select(r => (r.GetProperty("name").GetString(), r.GetProperty("condition").GetString(), r.GetProperty("blocked_buys").GetInt32())).ToList();
        var hot = Run(100_000, 0, Rule("hot", "atr_percentile", ">=", 80), Rule("never", "rsi", "<", -1)); // as the CLI: the whole sample, no warm-up before it
        Assert.Equal([("hot", "atr_percentile >= 80", Blocked(hot, "hot")), ("never", "rsi < -1", 0)], perRule);
        Assert.Equal(Blocked(hot, "hot"), rules.GetProperty("blocked_buys").GetInt32());
        Assert.Equal(hot.RoundTrips.Count, summary.RootElement.GetProperty("trades").GetInt32());
        Assert.True(summary.RootElement.GetProperty("trades").GetInt32() < plain.RootElement.GetProperty("trades").GetInt32());
        Assert.False(plain.RootElement.TryGetProperty("rules", out _)); // a run without rules keeps its report's shape
        Assert.Contains("## Generated rules", File.ReadAllText(Path.Combine(dir["with"], "summary.md")), StringComparison.Ordinal);
        Assert.Contains(rules.GetProperty("sha256").GetString()!, File.ReadAllText(Path.Combine(dir["with"], "manifest.json")), StringComparison.Ordinal);

        File.WriteAllText(dir["bad.json"], """{"generated_rules":[{"name":"x","conditions":[{"feature":"volume","op":">=","threshold":1}]}]}""");
        foreach (var bad in new[] { dir["bad.json"], dir["missing.json"], dir.Path })
        {
            var run = BrainCli.Run(dir.Path, null, "backtest", "--rules", bad, "--report", dir["bad-report"]);
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("--rules", run.Stderr, StringComparison.Ordinal);
            Assert.Contains(bad, run.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(dir["bad-report"])); // nothing ran
        }
    }
}
