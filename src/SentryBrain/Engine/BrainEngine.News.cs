using Microsoft.Extensions.Logging;
using SentryBrain.Engine.News;
using SentryBrain.Events;

namespace SentryBrain.Engine;

/// <summary>
/// News in: the intake (<see cref="NewsIntake"/>) decides when an item is visible, whether it is a new story and
/// when its score is known; here a scored item reaches its symbols: the kill switch on the item's own score, the
/// symbol's decayed sentiment, and a forced evaluation.
/// </summary>
public sealed partial class BrainEngine : IDisposable
{
    /// <summary>What happened to the news so far (duplicates, held, scored, fallbacks).</summary>
    public NewsCounts NewsCounts => _news.Counts;

    /// <summary>The market-wide news sentiment now (news without symbols), null when none is fresh.</summary>
    public double? MarketNews => _news.Market(_now);

    /// <summary>The news intake (tests drive its scoring worker by hand).</summary>
    internal NewsIntake NewsIntake => _news;

    /// <summary>Stops the news scoring worker, if any (<see cref="Finish"/> does too). The model belongs to the caller.</summary>
    public void Dispose() => _news.Dispose();

    private void OnNews(NewsEvent news) => _news.OnNews(news, _now);

    private void ApplyNews(NewsItem item, double score, DateTime now)
    {
        _risk.OnNews(item.News, item.Keys, score, now);
        var untracked = 0;
        foreach (var symbol in item.Keys)
        {
            if (!_symbols.Cap.CanTrack(symbol, now))
            {
                untracked++;
                continue;
            }

            var state = _symbols.Get(symbol);
            state.OnNews(score, item.At, now, _config.Sentiment.NewsHalfLifeMin);
            Evaluate(state, force: true);
        }

        if (untracked > 0)
        {
            _logger.LogWarning("News {Id} (line {Line}): {Count} of its symbols not tracked (MAX_SYMBOLS={Max})", item.News.Id, _lines, untracked, _symbols.Cap.MaxSymbols);
        }
    }
}
