using System.Text.Json;
using SentryBrain.Learning;
using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// <c>./brain optimize</c> end to end on synthetic buffers (<see cref="OptimizerBuffers"/>), as a child process in a
/// temp folder whose relative paths (the default data/… files, a relative --buffer) resolve inside it.
/// "Within 5 points" of a planted threshold: 5 points of atr_percentile's 0–100 scale, so [80, 90]; for ofi, whose
/// scale is −1…1, the same 5 % of its range, so [−0.1, 0.1] around the planted 0.
/// </summary>
public class OptimizerCliTests
{
    [Fact]
    public void Planted_region_is_found_through_the_CLI_and_written_to_the_active_file()
    {
        using var dir = BrainCli.NewFolder();
        OptimizerBuffers.Write(dir["buffer.jsonl"], OptimizerBuffers.Exits(5000, seed: 1, OptimizerBuffers.Planted));

        var result = BrainCli.Run(dir.Path, null, "optimize", "--buffer", "buffer.jsonl", "--write-rules");

        Assert.True(result.ExitCode == 0, result.ToString());
        var active = RuleFileJson.Read(dir["data/generated_filter_rules.json"]);
        Assert.NotNull(active);
        var rule = Assert.Single(active.GeneratedRules);
        Assert.Equal(2, rule.Conditions.Count);
        var atr = Assert.Single(rule.Conditions, c => c.Feature == "atr_percentile");
        var ofi = Assert.Single(rule.Conditions, c => c.Feature == "ofi");
        Assert.Equal(RuleCondition.AtLeast, atr.Op);
        Assert.InRange(atr.Threshold, 80, 90);
        Assert.Equal(RuleCondition.Below, ofi.Op);
        Assert.InRange(ofi.Threshold, -0.1, 0.1);
        Assert.StartsWith("atr_percentile_ge_", rule.Name, StringComparison.Ordinal);
        Assert.Contains("_and_ofi_lt_", rule.Name, StringComparison.Ordinal);
        Assert.True(rule.Support >= 20, $"support {rule.Support}");
        Assert.True(rule.SuccessRateInSample < 0.4 && rule.SuccessRateOutOfSample < 0.4, $"{rule.SuccessRateInSample} / {rule.SuccessRateOutOfSample}");
        Assert.NotNull(rule.ExpiresTs);
        Assert.Equal(TimeSpan.FromDays(30), rule.ExpiresTs.Value - rule.CreatedTs);
        Assert.Contains(rule.Name, result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(dir["data/generated_filter_rules_proposed.json"]), "--write-rules writes the active file only");
    }

    [Fact]
    public void Json_report_and_png_chart()
    {
        using var dir = BrainCli.NewFolder();
        OptimizerBuffers.Write(dir["b.jsonl"], OptimizerBuffers.Exits(600, seed: 3, OptimizerBuffers.Planted));

        var result = BrainCli.Run(dir.Path, null, "optimize", "--buffer", "b.jsonl", "--json", "--report", "out");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal(600, doc.RootElement.GetProperty("exits").GetInt32());
        Assert.True(doc.RootElement.GetProperty("forest").GetProperty("trained").GetBoolean());
        Assert.Equal(13, doc.RootElement.GetProperty("forest").GetProperty("importances").GetArrayLength());
        var png = File.ReadAllBytes(dir["out/feature_importances.png"]);
        Assert.True(png.AsSpan(0, 4).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }), "a PNG file");
        Assert.True(File.Exists(dir["out/optimize.json"]));
    }

    [Fact]
    public void Malformed_line_is_reported_with_its_number_and_skipped()
    {
        using var dir = BrainCli.NewFolder();
        var lines = OptimizerBuffers.Exits(30, seed: 4, OptimizerBuffers.Flat).Select(ExperienceJson.ToLine).ToList();
        lines.Insert(6, "{\"action\":\"exit\",\"symbol\":"); // line 7: truncated JSON
        File.WriteAllText(dir["b.jsonl"], string.Join('\n', lines) + "\n");

        var result = BrainCli.Run(dir.Path, null, "optimize", "--buffer", "b.jsonl", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("line 7:", result.Stderr, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal(30, doc.RootElement.GetProperty("exits").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("bad_line_count").GetInt32());
    }

    [Fact]
    public void Too_few_exits_say_so_and_propose_nothing()
    {
        using var dir = BrainCli.NewFolder();
        OptimizerBuffers.Write(dir["b.jsonl"], OptimizerBuffers.Exits(12, seed: 5, OptimizerBuffers.Planted));

        var result = BrainCli.Run(dir.Path, null, "optimize", "--buffer", "b.jsonl", "--write-proposed");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("fewer than --min-samples 20", result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(dir["data/generated_filter_rules_proposed.json"]));
    }

    [Fact]
    public void Missing_buffer_and_bad_arguments_exit_2_with_a_message()
    {
        using var dir = BrainCli.NewFolder();

        var missing = BrainCli.Run(dir.Path, null, "optimize", "--buffer", "nope.jsonl");
        var negative = BrainCli.Run(dir.Path, null, "optimize", "--buffer", "nope.jsonl", "--rolling-days", "-1");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope.jsonl does not exist", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, negative.ExitCode);
        Assert.Contains("--rolling-days", negative.Stderr, StringComparison.Ordinal);
    }
}
