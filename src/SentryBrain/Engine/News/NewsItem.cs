using SentryBrain.Events;

namespace SentryBrain.Engine.News;

/// <summary>
/// One admitted news item on its way to the decisions: the event, its visible time, the keys it is a new story for
/// (symbols, or <see cref="Signals.Sentiment.News.NewsDeduper.Market"/>), the texts a model scores, and the score once
/// known. Created and applied on the event loop; between those the scoring worker owns <see cref="Score"/> and
/// <see cref="Failed"/> (published through the worker's result queue).
/// </summary>
public sealed class NewsItem(NewsEvent news, DateTime at, DateTime seenAt, IReadOnlyList<string> keys, string headline, string? summary)
{
    public NewsEvent News { get; } = news;

    /// <summary>Visible time: <c>created_at</c>, else the event's <c>ts</c>.</summary>
    public DateTime At { get; } = at;

    /// <summary>Event time at which the item became visible (and was handed to the scorer).</summary>
    public DateTime SeenAt { get; } = seenAt;

    /// <summary>The symbols the item is a new story for; empty for market-wide news.</summary>
    public IReadOnlyList<string> Keys { get; } = keys;

    public bool IsMarket => News.Symbols.Count == 0;

    public string Headline { get; } = headline;

    /// <summary>The cleaned summary, null when too short to carry signal.</summary>
    public string? Summary { get; } = summary;

    public int TextCount => Summary is null ? 1 : 2;

    /// <summary>The model's blended score (set by the worker).</summary>
    public double Score { get; set; }

    /// <summary>The model threw on this item's batch: the item takes its VADER score.</summary>
    public bool Failed { get; set; }

    /// <summary>When the item was handed to the worker (<see cref="TimeProvider.GetTimestamp"/>): a wait for it counts from here.</summary>
    internal long SubmittedAt { get; set; }

    /// <summary>The worker's result has been taken off the result queue.</summary>
    internal bool Returned { get; set; }

    /// <summary>Applied to the decisions (with the model's score or a fallback); a late worker result is then ignored.</summary>
    internal bool Applied { get; set; }
}
