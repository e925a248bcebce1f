using System.Text.Json;

namespace SentryBrain.Tests.Cli;

/// <summary>
/// <c>brain sentiment</c> and <c>brain sentiment eval</c> as a user runs them. Expected figures are worked by hand
/// from the lexicon's rules (see LexiconSentimentModelTests): "Profit rose" sums +4 → 4/√31 = 0.7184, positive;
/// "Profit fell" −4; "Growth" 2 → 2/√19 = 0.4588, neutral; "Bad" −3, negative; "Operating profit" 2, neutral;
/// "Net loss narrowed" +4; "The company beats estimates" +6, positive; "The company said that" 0.
/// </summary>
public sealed class SentimentCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    // true label, text → what the lexicon predicts:
    // positive ×3 → positive, positive, neutral; negative ×2 → negative, positive; neutral ×3 → neutral, neutral, negative
    private const string TinyCsv = """
        result,content
        positive,"Profit rose, the company said"
        positive,Net loss narrowed
        positive,Growth
        negative,Profit fell
        negative,The company beats estimates
        neutral,The company said that
        neutral,Operating profit
        neutral,Bad
        """;

    private static Dictionary<string, string> Env(string model = "vader") => new() { ["SENTIMENT_MODEL"] = model };

    [Fact]
    public void ScoresATextWithTheModelOption()
    {
        using var dir = BrainCli.NewFolder();
        var r = BrainCli.Run(dir.Path, Env(), Timeout, "sentiment", "--model", "lexicon", "Profit", "rose");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("0.7184\tpositive\tProfit rose\n", r.Stdout);
    }

    [Fact]
    public void ScoresStdinLinesWithTheConfiguredModel()
    {
        using var dir = BrainCli.NewFolder();
        var r = BrainCli.RunWithInput(dir.Path, Env("lexicon"), "Profit fell\nGrowth\n", Timeout, "sentiment");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("-0.7184\tnegative\tProfit fell\n0.4588\tneutral\tGrowth\n", r.Stdout);
    }

    [Fact]
    public void EvalPrintsAccuracyF1PerClassAndConfusion()
    {
        using var dir = BrainCli.NewFolder();
        File.WriteAllText(dir["tiny.csv"], TinyCsv);
        var r = BrainCli.Run(dir.Path, Env("lexicon"), Timeout, "sentiment", "eval", "--data", "tiny.csv");

        Assert.True(r.ExitCode == 0, r.ToString());

        // rows true / columns predicted: negative [1 0 1], neutral [1 2 0], positive [0 1 2]; 5 of 8 right
        // negative P = 1/2 R = 1/2; neutral P = 2/3 R = 2/3; positive P = 2/3 R = 2/3; macro-F1 = (1/2 + 2/3 + 2/3)/3 = 11/18
        Assert.Contains("accuracy      0.6250", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("macro-F1      0.6111", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("negative      0.5000  0.5000  0.5000        2", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("neutral       0.6667  0.6667  0.6667        3", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("positive      0.6667  0.6667  0.6667        3", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("negative            1         0         1", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("neutral             1         2         0", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("positive            0         1         2", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("sentences/s", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void EvalJsonIsOneObjectOnTheLastLine()
    {
        using var dir = BrainCli.NewFolder();
        File.WriteAllText(dir["tiny.csv"], TinyCsv);
        var r = BrainCli.Run(dir.Path, Env(), Timeout, "sentiment", "eval", "--data", "tiny.csv", "--json", "--model", "lexicon");

        Assert.True(r.ExitCode == 0, r.ToString());
        var last = r.Stdout.TrimEnd('\n').Split('\n')[^1];
        using var json = JsonDocument.Parse(last);
        var root = json.RootElement;
        Assert.Equal("lexicon", root.GetProperty("model").GetString());
        Assert.Equal(8, root.GetProperty("n").GetInt32());
        Assert.Equal(0.625, root.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(11.0 / 18, root.GetProperty("macro_f1").GetDouble(), 12);
        Assert.True(root.GetProperty("sentences_per_s").GetDouble() > 0);
        Assert.Equal(0.5, root.GetProperty("per_class").GetProperty("negative").GetProperty("precision").GetDouble(), 12);
        Assert.Equal(3, root.GetProperty("per_class").GetProperty("positive").GetProperty("support").GetInt32());
        var rows = root.GetProperty("confusion").GetProperty("rows").EnumerateArray().Select(row => row.EnumerateArray().Select(c => c.GetInt32()).ToArray()).ToArray();
        Assert.Equal([[1, 0, 1], [1, 2, 0], [0, 1, 2]], rows);
        Assert.Equal(["negative", "neutral", "positive"], root.GetProperty("confusion").GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public void EvalSplitScoresTheHeldOutFifthOnly()
    {
        // 5 sentences per label: the stratified 20 % holds one of each. Every negative and positive sentence is
        // predicted right and every neutral one wrong, so whichever are held out the accuracy is 2/3.
        using var dir = BrainCli.NewFolder();
        var lines = new List<string> { "result,content" };
        for (var k = 1; k <= 5; k++)
        {
            lines.Add($"positive,Profit rose {k}");
            lines.Add($"negative,Profit fell {k}");
            lines.Add($"neutral,Sales increased {k}");
        }

        File.WriteAllLines(dir["split.csv"], lines);
        var r = BrainCli.Run(dir.Path, Env("lexicon"), Timeout, "sentiment", "eval", "--data", "split.csv", "--split", "--json");

        Assert.True(r.ExitCode == 0, r.ToString());
        using var json = JsonDocument.Parse(r.Stdout.TrimEnd('\n').Split('\n')[^1]);
        Assert.Equal(3, json.RootElement.GetProperty("n").GetInt32());
        Assert.Equal("held-out", json.RootElement.GetProperty("split").GetString());
        Assert.Equal(2.0 / 3, json.RootElement.GetProperty("accuracy").GetDouble(), 12);
    }

    [Fact]
    public void EvalWithVaderByDefault()
    {
        using var dir = BrainCli.NewFolder();
        File.WriteAllText(dir["tiny.csv"], TinyCsv);
        var r = BrainCli.Run(dir.Path, null, Timeout, "sentiment", "eval", "--data", "tiny.csv", "--json");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("\"model\":\"vader\"", r.Stdout, StringComparison.Ordinal);
    }

    public static TheoryData<string, string[], string> Errors => new()
    {
        { "missing.csv", [], "missing.csv: no such file" },
        { "bad.csv", [], "bad.csv:3: label 'great' is not negative, neutral or positive" },
        { "empty.csv", [], "empty.csv holds no labelled sentences" },
        { "tiny.csv", ["--model", "nonsense"], "SENTIMENT_MODEL=nonsense is not one of" },
        { "tiny.csv", ["--model", " "], "--model" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void EvalErrorsExitTwoWithOneLine(string file, string[] extra, string message)
    {
        using var dir = BrainCli.NewFolder();
        File.WriteAllText(dir["tiny.csv"], TinyCsv);
        File.WriteAllText(dir["bad.csv"], "result,content\npositive,Profit rose\ngreat,Profit rose\n");
        File.WriteAllText(dir["empty.csv"], "result,content\n");
        var r = BrainCli.Run(dir.Path, Env("lexicon"), Timeout, ["sentiment", "eval", "--data", file, .. extra]);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(message, r.Stderr, StringComparison.Ordinal);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Equal(string.Empty, r.Stdout);
    }

    [Fact]
    public void EvalWithoutDataExitsTwo()
    {
        using var dir = BrainCli.NewFolder();
        var r = BrainCli.Run(dir.Path, null, Timeout, "sentiment", "eval");

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("--data", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelThatCannotLoadExitsTwo()
    {
        // Until the onnx scorer is merged this is "not available in this build"; afterwards the empty model folder
        // is a start-up error naming the file expected. Either way: exit 2, one line, nothing scored.
        using var dir = BrainCli.NewFolder();
        Directory.CreateDirectory(dir["empty-model"]);
        var env = new Dictionary<string, string> { ["SENTIMENT_MODEL"] = "onnx", ["SENTIMENT_MODEL_DIR"] = dir["empty-model"] };
        var r = BrainCli.Run(dir.Path, env, Timeout, "sentiment", "Profit rose");

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal(string.Empty, r.Stdout);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
    }
}
