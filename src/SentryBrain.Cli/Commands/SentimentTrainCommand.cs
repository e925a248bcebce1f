using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SentryBrain.Config;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.Embedding;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// `brain sentiment train --data FILE.csv [--split] [--json]`: fits the <c>embedding</c> model's head on a labelled
/// CSV (<c>result,content</c>) and writes <c>SENTIMENT_MODEL_DIR/embedding_head.json</c>. With --split it trains on
/// the fixed-seed 80 % and reports accuracy on the held-out 20 % (the split <c>sentiment eval --split</c> uses).
/// Progress on stderr; the summary on stdout (--json: one JSON object on the last line). Exit 2 for a missing or
/// malformed file.
/// </summary>
internal static class SentimentTrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "labelled CSV: result,content with result negative, neutral or positive", Required = true };
        var split = new Option<bool>("--split") { Description = "train on the fixed-seed stratified 80 % and report accuracy on the held-out 20 %" };
        var json = new Option<bool>("--json") { Description = "also print the summary as one JSON object on the last line" };
        var command = new Command("train", "Train the embedding model's head (MiniLM + VADER features, softmax) and write it to SENTIMENT_MODEL_DIR") { data, split, json };
        command.SetAction(parse =>
        {
            var config = Startup.LoadConfig(out _);
            return config is null
                ? 2
                : Run(parse.GetValue(data) ?? string.Empty, parse.GetValue(split), parse.GetValue(json), config.Sentiment, TimeProvider.System, Console.Out, Console.Error);
        });
        return command;
    }

    internal static int Run(string data, bool split, bool json, SentimentSettings settings, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        IReadOnlyList<LabelledSentence> sentences;
        try
        {
            if (string.IsNullOrWhiteSpace(data) || !File.Exists(data))
            {
                throw new UsageException($"--data {data}: file not found (a CSV of result,content rows)");
            }

            sentences = LabelledSentences.Read(data);
            if (sentences.Count == 0)
            {
                throw new UsageException($"--data {data}: no labelled rows");
            }
        }
        catch (Exception ex) when (ex is UsageException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            stderr.WriteLine($"brain sentiment train: {Startup.OneLine(ex.Message)}");
            return 2;
        }

        var path = Path.GetFullPath(EmbeddingHeadFile.PathIn(settings.ModelDir));
        var clock = Stopwatch.StartNew();
        EmbeddingTrainingResult result;
        try
        {
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loading {MiniLmEncoder.ModelName} ({settings.Threads} thread(s), batch {settings.BatchSize}, ≤ {settings.MaxTokens} tokens)"));
            using var featurizer = new EmbeddingFeaturizer(new MiniLmEncoder(settings), Vader.Default);
            var step = Math.Max(settings.BatchSize, sentences.Count / 20);
            var next = step;
            result = EmbeddingTraining.Run(featurizer, sentences, split, data, time, (done, total) =>
            {
                if (done >= next || done == total)
                {
                    stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"embedded {done}/{total} sentences ({clock.Elapsed.TotalSeconds:0} s)"));
                    next = done + step;
                }
            });
            EmbeddingHeadFile.Write(path, result.Head, result.Provenance, result.L2);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or SentimentModelException)
        {
            stderr.WriteLine($"brain sentiment train: {Startup.OneLine(ex.Message)}");
            return 2;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var p = result.Provenance;
        var rate = result.EmbeddingTime.TotalSeconds > 0 ? p.Rows / result.EmbeddingTime.TotalSeconds : 0;
        var inv = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(inv, $"rows               {p.Rows} ({p.TrainRows} trained on, {p.HeldOutRows} held out)"));
        stdout.WriteLine(string.Create(inv, $"training accuracy  {p.TrainingAccuracy:0.0000}"));
        stdout.WriteLine(p.HeldOutAccuracy is { } h ? string.Create(inv, $"held-out accuracy  {h:0.0000}") : "held-out accuracy  n/a (no --split: trained on every row)");
        stdout.WriteLine($"head               {path}");
        stdout.WriteLine(string.Create(inv, $"seconds            {seconds:0.0} (embedding {result.EmbeddingTime.TotalSeconds:0.0} s, {rate:0.0} sentences/s)"));
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["rows"] = p.Rows,
                ["train_rows"] = p.TrainRows,
                ["held_out_rows"] = p.HeldOutRows,
                ["training_accuracy"] = p.TrainingAccuracy,
                ["held_out_accuracy"] = p.HeldOutAccuracy,
                ["path"] = path,
                ["seconds"] = Math.Round(seconds, 3),
                ["sentences_per_s"] = Math.Round(rate, 1),
            }));
        }

        return 0;
    }
}
