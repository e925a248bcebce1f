using SentryBrain.Events;
using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Engine;

/// <summary>The default news scorer: VADER on the headline and summary, blended as <see cref="NewsSentiment"/> describes.</summary>
public sealed class VaderNewsScorer : INewsScorer
{
    public static readonly VaderNewsScorer Instance = new();

    public double Score(NewsEvent news) => NewsSentiment.Score(news.Headline, news.Summary);
}
