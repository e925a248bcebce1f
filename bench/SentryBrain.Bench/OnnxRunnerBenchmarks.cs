using BenchmarkDotNet.Attributes;
using SentryBrain.Config;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.Onnx;

namespace SentryBrain.Bench;

/// <summary>
/// The BERT ONNX runner on the packaged MiniLM: 1,000 sentences in batches of 16 per operation (sentences/s =
/// 1,000 / mean). Uses the Financial PhraseBank from ../shared/data when it is there (never copied), else generated
/// headlines. dotnet run -c Release --project bench/SentryBrain.Bench -- --filter '*OnnxRunner*' --job short
/// </summary>
[MemoryDiagnoser]
public class OnnxRunnerBenchmarks
{
    private const int Sentences = 1000;
    private BertOnnxRunner? _runner;
    private string[] _texts = [];
    private float[] _output = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _texts = Texts();
        _runner = MiniLmRunner.Create(new SentimentSettings { BatchSize = 16, Threads = Threads });
        _output = new float[Sentences * _runner.HiddenSize];
    }

    [GlobalCleanup]
    public void Cleanup() => _runner?.Dispose();

    [Benchmark(OperationsPerInvoke = Sentences)]
    public void MiniLmEmbeddings() => _runner!.Embeddings(_texts, _output);

    private static string[] Texts()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SentryBrain.sln")))
        {
            dir = dir.Parent;
        }

        var phraseBank = dir is null ? null : Path.Combine(dir.FullName, "..", "shared", "data", "financial_phrasebank_all-data.csv");
        if (phraseBank is not null && File.Exists(phraseBank))
        {
            return [.. LabelledSentences.Read(phraseBank).Take(Sentences).Select(s => s.Text)];
        }

        string[] companies = ["Acme", "Globex", "Initech", "Umbrella", "Stark Industries"];
        string[] events = ["beats estimates as revenue rises", "cuts full-year guidance after weak quarter", "shares fall on downgrade", "announces new CEO", "raises dividend by 10%"];
        return [.. Enumerable.Range(0, Sentences).Select(i => $"{companies[i % companies.Length]} {events[(i / companies.Length) % events.Length]} in quarter {(i % 4) + 1}")];
    }
}
