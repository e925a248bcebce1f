using System.CommandLine;
using System.Globalization;
using SentryBrain.Config;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.Evaluation;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// `brain sentiment [TEXT…]`: the score and label of a text (or of each stdin line) with SENTIMENT_MODEL or --model.
/// `brain sentiment eval --data FILE.csv [--split] [--json] [--model NAME]`: accuracy, macro-F1, per-class figures,
/// the confusion matrix and sentences/s on a labelled <c>result,content</c> file. Exit 2 for a model that cannot be
/// loaded, a missing, empty or malformed file, or bad arguments.
/// </summary>
internal static class SentimentCommand
{
    public static Command Create()
    {
        var text = new Argument<string[]>("text") { Description = "Text to score (reads lines from stdin when omitted)", Arity = ArgumentArity.ZeroOrMore };
        var model = ModelOption();
        var command = new Command("sentiment", "Score text with the news sentiment model (SENTIMENT_MODEL): score in [-1, 1] and label") { text, model };
        command.SetAction(parse => Usage.Run("sentiment", () => Score(parse.GetValue(text) ?? [], parse.GetValue(model))));
        command.Subcommands.Add(Eval());

        command.Subcommands.Add(SentimentTrainCommand.Create());
        return command;
    }

    private static Option<string?> ModelOption() => new("--model") { Description = "sentiment model to use instead of SENTIMENT_MODEL: vader, lexicon, onnx or embedding" };

    private static Command Eval()
    {
        var data = new Option<string>("--data") { Description = "labelled CSV (result,content; labels negative/neutral/positive)", Required = true };
        var split = new Option<bool>("--split") { Description = "evaluate on the held-out 20 % only (stratified, fixed seed: the sentences `sentiment train --split` does not fit on)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object (accuracy, macro_f1, n, sentences_per_s, per_class, confusion)" };
        var model = ModelOption();
        var command = new Command("eval", "Measure the sentiment model on a labelled CSV: accuracy, macro-F1, per-class precision/recall/F1, confusion matrix, sentences/s")
        {
            data, split, json, model,
        };
        command.SetAction(parse => Usage.Run("sentiment eval", () => Evaluate(parse.GetValue(data)!, parse.GetValue(split), parse.GetValue(json), parse.GetValue(model), TimeProvider.System)));
        return command;
    }

    private static int Score(string[] words, string? modelName)
    {
        var settings = Settings(modelName);
        if (settings is null)
        {
            return 2;
        }

        using var model = Load(settings);
        if (model is null)
        {
            return 2;
        }

        IEnumerable<string> lines = words.Length > 0 ? [string.Join(' ', words)] : ReadLines();
        var one = new SentimentResult[1];
        foreach (var line in lines)
        {
            model.Score([line], one);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{one[0].Score:0.0000}\t{SentimentResult.Name(one[0].Label)}\t{line}"));
        }

        return 0;
    }

    internal static int Evaluate(string path, bool split, bool json, string? modelName, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException("--data needs a path");
        }

        var settings = Settings(modelName);
        if (settings is null)
        {
            return 2;
        }

        IReadOnlyList<LabelledSentence> sentences;
        try
        {
            sentences = LabelledSentences.Read(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UsageException($"{path}: no such file");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path} cannot be read: {Startup.OneLine(ex.Message)}");
        }
        catch (InvalidDataException ex)
        {
            throw new UsageException(Startup.OneLine(ex.Message));
        }

        if (sentences.Count == 0)
        {
            throw new UsageException($"{path} holds no labelled sentences");
        }

        var evaluated = split ? LabelledSentences.Split(sentences).HeldOut : sentences;
        using var model = Load(settings);
        if (model is null)
        {
            return 2;
        }

        var progress = model.IsFast ? null : Progress(model.Name);
        var result = SentimentEvaluator.Run(model, evaluated, settings.BatchSize, time, progress);
        var splitName = split ? "held-out" : "all";
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(SentimentEvaluationJson.From(result, model.Name, path, splitName).ToJson());
            stdout.Write("\n"u8);
        }
        else
        {
            Print(result, model.Name, path, split ? $"held-out 20 % ({result.N} of {sentences.Count} sentences)" : $"all {result.N} sentences");
        }

        return 0;
    }

    /// <summary>The sentiment settings of the configuration, with --model instead of SENTIMENT_MODEL; null when the configuration is invalid (printed).</summary>
    private static SentimentSettings? Settings(string? modelName)
    {
        if (modelName is { } m && string.IsNullOrWhiteSpace(m))
        {
            throw new UsageException("--model needs a name: " + string.Join(", ", SentimentSettings.Models));
        }

        var config = Startup.LoadConfig(out _);
        if (config is null)
        {
            return null;
        }

        return modelName is null ? config.Sentiment : config.Sentiment with { Model = modelName.Trim().ToLowerInvariant() };
    }

    /// <summary>The model, or null after printing why it cannot be loaded.</summary>
    private static ISentimentModel? Load(SentimentSettings settings)
    {
        try
        {
            return SentimentModels.Load(settings);
        }
        catch (NotSupportedException)
        {
            Console.Error.WriteLine($"SENTIMENT_MODEL={settings.Model} is not available in this build");
        }
        catch (SentimentModelException ex)
        {
            Console.Error.WriteLine(Startup.OneLine(ex.Message));
        }

        return null;
    }

    /// <summary>"scored k/n" on stderr at each tenth of the set, for the models that take seconds.</summary>
    private static Action<int, int> Progress(string model)
    {
        var lastTenth = 0;
        return (done, total) =>
        {
            var tenth = (int)((long)done * 10 / total);
            if (tenth > lastTenth)
            {
                lastTenth = tenth;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sentiment eval ({model}): scored {done}/{total}"));
            }
        };
    }

    private static void Print(SentimentEvaluation r, string model, string path, string what)
    {
        var o = Console.Out;
        var ic = CultureInfo.InvariantCulture;
        o.WriteLine($"model {model} on {path}: {what}");
        o.WriteLine(string.Create(ic, $"accuracy      {r.Accuracy:0.0000}"));
        o.WriteLine(string.Create(ic, $"macro-F1      {r.MacroF1:0.0000}"));
        o.WriteLine(r.SentencesPerSecond is { } speed ? string.Create(ic, $"sentences/s   {speed:0}") : "sentences/s   n/a");
        o.WriteLine();
        o.WriteLine("class      precision  recall      F1  support");
        foreach (var c in r.PerClass)
        {
            o.WriteLine(string.Create(ic, $"{SentimentResult.Name(c.Label),-10} {c.Precision,9:0.0000} {c.Recall,7:0.0000} {c.F1,7:0.0000} {c.Support,8}"));
        }

        o.WriteLine();
        o.WriteLine("confusion (rows = true, columns = predicted)");
        var labels = Enum.GetValues<SentimentLabel>();
        o.WriteLine("true \\ pred " + string.Join(' ', labels.Select(l => SentimentResult.Name(l).PadLeft(9))));
        foreach (var t in labels)
        {
            o.WriteLine(SentimentResult.Name(t).PadRight(11) + " " + string.Join(' ', labels.Select(p => r.Confusion[t, p].ToString(ic).PadLeft(9))));
        }
    }

    private static IEnumerable<string> ReadLines()
    {
        while (Console.In.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}
