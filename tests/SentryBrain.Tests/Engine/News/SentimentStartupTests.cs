using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.EngineNews;

/// <summary>The news model loads before any event is read: one that cannot load stops the consumer with exit 2 and a message.</summary>
public sealed class SentimentStartupTests
{
    [Fact]
    public void Consume_WithAModelThatCannotLoad_ExitsTwo_NamingTheModel_BeforeReadingEvents()
    {
        // onnx with an empty model folder: "not built yet" until the onnx scorer is merged, then "model.onnx missing".
        using var dir = BrainCli.NewFolder();
        Directory.CreateDirectory(dir["empty-model"]);
        var env = new Dictionary<string, string> { ["SENTIMENT_MODEL"] = "onnx", ["SENTIMENT_MODEL_DIR"] = dir["empty-model"], ["PAPER_DB_PATH"] = dir["ledger.db"] };
        var quote = """{"type":"quote","ts":"2026-03-02T15:00:00Z","payload":{"symbol":"ACME","bid":99.99,"ask":100.0,"bid_size":5,"ask_size":5,"mid":99.995,"ts":"2026-03-02T15:00:00Z"}}""";

        var result = BrainCli.RunWithInput(dir.Path, env, quote + "\n", TimeSpan.FromSeconds(120), "consume");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("SENTIMENT_MODEL=onnx cannot be loaded", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\"kind\":\"decision\"", result.Stdout, StringComparison.Ordinal); // no event was processed
        Assert.False(File.Exists(dir["ledger.db"]), "the ledger must not be opened");
    }
}
