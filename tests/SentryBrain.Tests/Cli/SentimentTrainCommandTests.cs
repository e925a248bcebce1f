using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SentryBrain.Cli.Commands;
using SentryBrain.Signals.Sentiment.Embedding;
using SentryBrain.Tests.Signals.Sentiment.Embedding;

namespace SentryBrain.Tests.Cli;

public sealed class SentimentTrainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sb-train-").FullName;
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();

    public void Dispose()
    {
        _out.Dispose();
        _err.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private int Train(string data, bool split = false, bool json = false)
        => SentimentTrainCommand.Run(data, split, json, EncoderFixture.Settings(Path.Combine(_dir, "models")), new FakeTimeProvider(EncoderFixture.Created), _out, _err);

    [Fact]
    public void A_missing_data_file_exits_2_with_a_message_naming_it()
    {
        var missing = Path.Combine(_dir, "nope.csv");
        Assert.Equal(2, Train(missing));
        Assert.Contains($"brain sentiment train: --data {missing}: file not found", _err.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "models", EmbeddingHeadFile.FileName)));
    }

    [Fact]
    public void A_malformed_data_file_exits_2_naming_the_line()
    {
        var bad = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(bad, "result,content\npositive,Profit rose.\nexcellent,Sales rose.\n");
        Assert.Equal(2, Train(bad));
        Assert.Contains("bad.csv:3: label 'excellent' is not negative, neutral or positive", _err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Training_rows_without_every_label_exit_2()
    {
        var oneSided = Path.Combine(_dir, "one.csv");
        File.WriteAllText(oneSided, "result,content\npositive,Profit rose.\nnegative,Profit fell.\n");
        Assert.Equal(2, Train(oneSided));
        Assert.Contains("no neutral sentence", _err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_small_dataset_writes_a_head_and_the_json_summary_is_the_last_line()
    {
        var data = ObviousFinance.WriteTo(_dir);
        Assert.True(Train(data, split: true, json: true) == 0, _err.ToString());

        var head = Path.Combine(_dir, "models", EmbeddingHeadFile.FileName);
        Assert.True(File.Exists(head));
        var lines = _out.ToString().TrimEnd().Split('\n');
        using var summary = JsonDocument.Parse(lines[^1]);
        var root = summary.RootElement;
        Assert.Equal(42, root.GetProperty("rows").GetInt32());
        // 14 of each label; the held-out 20 % is round(14 × 0.2) = 3 of each.
        Assert.Equal(9, root.GetProperty("held_out_rows").GetInt32());
        Assert.Equal(33, root.GetProperty("train_rows").GetInt32());
        Assert.InRange(root.GetProperty("held_out_accuracy").GetDouble(), 0, 1);
        Assert.Equal(head, root.GetProperty("path").GetString());
        Assert.Contains("held-out accuracy", _out.ToString(), StringComparison.Ordinal);
        Assert.Contains("embedded 42/42 sentences", _err.ToString(), StringComparison.Ordinal);

        var (_, provenance) = EmbeddingHeadFile.Read(head);
        Assert.Equal(("obvious.csv", 42, "train-80"), (provenance!.File, provenance.Rows, provenance.Split));
    }
}
