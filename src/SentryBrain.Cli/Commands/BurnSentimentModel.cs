using System.Diagnostics;
using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// <c>bench consume --slow-model-ms N</c>: a stand-in for a transformer model that keeps one core busy for N ms per
/// text (a spin, as an inference would) and returns VADER's score. It measures what the off-loop scoring path costs
/// the event loop, whatever the real model.
/// </summary>
internal sealed class BurnSentimentModel(double msPerText) : ISentimentModel
{
    public string Name => $"burn-{msPerText}ms";

    public bool IsFast => false;

    public void Score(IReadOnlyList<string> texts, Span<SentimentResult> results)
    {
        var until = Stopwatch.GetTimestamp() + (long)(msPerText * texts.Count * Stopwatch.Frequency / 1000);
        VaderSentimentModel.Default.Score(texts, results);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(64);
        }
    }

    public void Dispose()
    {
    }
}
