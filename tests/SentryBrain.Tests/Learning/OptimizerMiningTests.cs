using SentryBrain.Learning;

namespace SentryBrain.Tests.Learning;

/// <summary>The optimizer in process: what it proposes on planted, structure-less and decaying buffers, and its pieces.</summary>
public class OptimizerMiningTests
{
    private static readonly DateTime Now = new(2026, 8, 1, 20, 0, 0, DateTimeKind.Utc);

    private static OptimizerReport RunOn(List<ExperienceRecord> records, Func<OptimizerOptions, OptimizerOptions>? change = null)
    {
        var folder = Directory.CreateTempSubdirectory("sb-opt-").FullName;
        try
        {
            var buffer = Path.Combine(folder, "b.jsonl");
            OptimizerBuffers.Write(buffer, records);
            var options = OptimizerBuffers.Options(folder, buffer);
            return Optimizer.Run(change?.Invoke(options) ?? options, Now);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    public void Buffer_without_structure_proposes_nothing(int seed)
    {
        var report = RunOn(OptimizerBuffers.Exits(3000, seed, OptimizerBuffers.Flat));

        Assert.True(report.Rules.Count == 0, "proposed: " + string.Join(", ", report.Rules.Select(r => r.Name)));
        Assert.True(report.Mining!.RegionsTested > 100_000, $"tested {report.Mining.RegionsTested} regions");
    }

    [Fact]
    public void Region_that_loses_only_in_the_first_half_of_the_time_range_is_not_proposed()
    {
        var report = RunOn(OptimizerBuffers.Exits(4000, seed: 21, OptimizerBuffers.FirstHalfOnly));

        Assert.Empty(report.Rules);

        // It was the best region in sample, and the later trades turned it down.
        Assert.NotEmpty(report.Mining!.Rejected);
        var rejected = report.Mining.Rejected[0];
        Assert.Contains(rejected.Conditions, c => c.Feature == "atr_percentile");
        Assert.True(rejected.SuccessRate < 0.4, $"in sample {rejected.SuccessRate}");
        Assert.True(rejected.SuccessRateOutOfSample > 0.6, $"out of sample {rejected.SuccessRateOutOfSample}");
    }

    [Fact]
    public void Planted_region_is_found_on_several_seeds()
    {
        foreach (var seed in new[] { 2, 3, 4 })
        {
            var report = RunOn(OptimizerBuffers.Exits(5000, seed, OptimizerBuffers.Planted));
            var rule = Assert.Single(report.Rules);
            Assert.InRange(Assert.Single(rule.Conditions, c => c.Feature == "atr_percentile" && c.Op == RuleCondition.AtLeast).Threshold, 80, 90);
            Assert.InRange(Assert.Single(rule.Conditions, c => c.Feature == "ofi" && c.Op == RuleCondition.Below).Threshold, -0.1, 0.1);

            // The forest ranks the two planted features first.
            Assert.Equal(["atr_percentile", "ofi"], report.Forest!.Importances.Take(2).Select(i => i.Feature).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void One_class_only_says_so_and_never_crashes()
    {
        var allLosses = OptimizerBuffers.Exits(200, seed: 6, OptimizerBuffers.Flat).Select(r => r with { PnlPct = -3 }).ToList();

        var report = RunOn(allLosses);

        Assert.Empty(report.Rules);
        Assert.Contains(report.Notes, n => n.Contains("one class only", StringComparison.Ordinal));
    }

    [Fact]
    public void Rolling_days_keeps_only_the_recent_exits()
    {
        // 400 exits, exit i at 2026-01-05 15:00 UTC + i/2 days. Since = Now − 30 days = 2026-07-02 20:00 UTC, which is
        // 31+28+31+30+31+30 − 3 = 178 days and 5 hours (178.21 days) after the start; i/2 ≥ 178.21 ⇒ i ≥ 357:
        // 43 exits (i = 357 … 399) kept, 357 left out.
        var report = RunOn(OptimizerBuffers.Exits(400, seed: 7, OptimizerBuffers.Flat), o => o with { RollingDays = 30 });

        Assert.Equal(43, report.Exits);
        Assert.Equal(357, report.OutsideWindow);
    }

    [Fact]
    public void All_unknown_feature_is_dropped_and_reported()
    {
        var records = OptimizerBuffers.Exits(300, seed: 8, OptimizerBuffers.Planted).Select(r => r with { Sentiment = null }).ToList();

        var report = RunOn(records);

        Assert.Equal(["sentiment"], report.DroppedFeatures);
        Assert.DoesNotContain("sentiment", report.Features);
        Assert.Contains(report.Notes, n => n.Contains("sentiment", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("take_profit_2pct", null, -0.5, true)] // take_profit wins whatever the P&L
    [InlineData("scale_out", null, null, true)]
    [InlineData("stop_loss", null, 5.0, false)] // stop_loss loses whatever the P&L
    [InlineData("strategy_exit", "stop_loss", 0.0, false)] // found in the exit reason too
    [InlineData("strategy_exit", null, -1.0, false)] // ≤ −1 %
    [InlineData("strategy_exit", null, 2.0, true)] // ≥ 2 %
    [InlineData("strategy_exit", null, 1.99, false)] // in between: failure
    [InlineData("strategy_exit", null, null, false)] // unknown P&L: failure
    public void Labels_follow_behavior_6_2(string reason, string? exitReason, double? pnl, bool success)
    {
        var exit = new ExperienceRecord { Action = "exit", Symbol = "X", Ts = Now, Reason = reason, ExitReason = exitReason, PnlPct = pnl };

        Assert.Equal(success, TradeLabels.IsSuccess(exit));
    }

    [Fact]
    public void Wilson_upper_bound_matches_the_hand_value()
    {
        // n = 10, k = 2, z = 2: p = 0.2; (p + z²/2n + z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)
        // = (0.2 + 0.2 + 2·√(0.016 + 0.01)) / 1.4 = (0.4 + 0.322490) / 1.4 = 0.516064
        Assert.Equal(0.516064, RuleMiner.WilsonUpper(10, 2, 2), 5);
    }

    [Fact]
    public void Thresholds_are_rounded_quantiles_and_booleans_split_at_one_half()
    {
        // 0, 1, …, 100: the 2.5 % quantiles are 2.5, 5, … 97.5 ⇒ indices round(q·100) = 2 or 3, 5, 8 …; range 100 ⇒ step 1.
        var values = Enumerable.Range(0, 101).Select(i => (float)i).ToArray();
        var thresholds = RuleMiner.Thresholds(values);

        Assert.Equal(39, thresholds.Count);
        Assert.Contains(85.0, thresholds);
        Assert.All(thresholds, t => Assert.Equal(Math.Round(t), t));
        Assert.Equal([0.5], RuleMiner.Thresholds([0f, 1f, 1f, float.NaN]));
        Assert.Empty(RuleMiner.Thresholds([3f, 3f, float.NaN]));
    }

    [Fact]
    public void Reader_skips_blank_lines_and_filters_by_time()
    {
        var path = Path.GetTempFileName();
        try
        {
            var records = OptimizerBuffers.Exits(3, seed: 9, OptimizerBuffers.Flat);
            File.WriteAllText(path, ExperienceJson.ToLine(records[0]) + "\n\n" + ExperienceJson.ToLine(records[2]) + "\nnot json\n");

            var all = ExperienceReader.Read(path);
            var recent = ExperienceReader.Read(path, since: records[1].Ts);

            Assert.Equal(2, all.Records.Count);
            Assert.Equal(4, all.BadLines.Single().Number);
            Assert.Single(recent.Records);
            Assert.Equal(1, recent.TooOld);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
