using SentryBrain.Config;
using SentryBrain.Signals.Sentiment.News;

namespace SentryBrain.Backtesting;

/// <summary>What one run did with the news: the report's news counts.</summary>
/// <param name="Items">Items on the tape.</param>
/// <param name="Visible">Items visible at the run's last decision (the rest came after it).</param>
/// <param name="Duplicates">Visible items that were a story already counted (same id, or a near-identical headline on each of their symbols).</param>
/// <param name="Used">Visible items counted for at least one symbol or the market.</param>
/// <param name="MarketWide">Of <paramref name="Used"/>, items without symbols (the market-wide value only).</param>
/// <param name="Symbols">Per traded symbol: items counted for it and buys decided while its news was a source.</param>
public sealed record BacktestNewsStats(int Items, int Visible, int Duplicates, int Used, int MarketWide, IReadOnlyList<NewsSymbolCount> Symbols);

/// <summary>One symbol's news in a run.</summary>
public sealed record NewsSymbolCount(string Symbol, int Items, int Entries);

/// <summary>
/// The point-in-time news state of one backtest run. Before the decisions at a close the simulation calls
/// <see cref="AdvanceTo"/> with the decision time; only items visible by then (<see cref="NewsTapeItem.VisibleAt"/> ≤ it)
/// are admitted, in visible-time order, through a <see cref="NewsDeduper"/> (a story counts once), into a
/// <see cref="DecayedSentiment"/> per symbol, or the market-wide one for items without symbols. A symbol's value is a
/// source (<see cref="Fresh"/>) while its newest item is younger than <c>BACKTEST_NEWS_MAX_AGE_DAYS</c> and no buy was
/// decided since it was created: the live rule, one headline justifies one entry. Ages and decay run from visible time.
/// </summary>
public sealed class BacktestNewsBook
{
    private readonly BacktestNews _news;
    private readonly Dictionary<string, int> _index;
    private readonly string[] _symbols;
    private readonly NewsDeduper _deduper;
    private readonly double _halfLifeMin;
    private readonly TimeSpan _maxAge;
    private readonly DecayedSentiment[] _sentiment;
    private readonly DateTime?[] _lastEntry;
    private readonly int[] _items;
    private readonly int[] _entries;
    private DecayedSentiment _market;
    private int _cursor;
    private int _duplicates;
    private int _used;
    private int _marketWide;

    /// <param name="news">The scored tape.</param>
    /// <param name="symbols">The run's symbols (index = the simulation's symbol index).</param>
    /// <param name="settings">NEWS_DEDUPE_WINDOW_MIN, BACKTEST_NEWS_HALF_LIFE_MIN, BACKTEST_NEWS_MAX_AGE_DAYS.</param>
    public BacktestNewsBook(BacktestNews news, IReadOnlyList<string> symbols, SentimentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(news);
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(settings);
        _news = news;
        _symbols = [.. symbols];
        _index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var s = 0; s < _symbols.Length; s++)
        {
            _index.TryAdd(_symbols[s], s);
        }

        _deduper = new NewsDeduper(settings.NewsDedupeWindowMin);
        _halfLifeMin = settings.BacktestNewsHalfLifeMin;
        _maxAge = TimeSpan.FromDays(settings.BacktestNewsMaxAgeDays);
        _sentiment = new DecayedSentiment[_symbols.Length];
        _lastEntry = new DateTime?[_symbols.Length];
        _items = new int[_symbols.Length];
        _entries = new int[_symbols.Length];
    }

    /// <summary>Admits every item visible at <paramref name="at"/> (UTC) not admitted yet. Times must not go backwards.</summary>
    public void AdvanceTo(DateTime at)
    {
        var items = _news.Tape.Items;
        while (_cursor < items.Count && items[_cursor].VisibleAt <= at)
        {
            Admit(items[_cursor], _news.Scores[_cursor], at);
            _cursor++;
        }
    }

    /// <summary>Symbol <paramref name="s"/>'s decayed news at <paramref name="at"/> while fresh and unused by a buy; else null.</summary>
    public double? Fresh(int s, DateTime at)
    {
        ref readonly var sentiment = ref _sentiment[s];
        if (sentiment.Count == 0 || at - sentiment.LatestAt > _maxAge || _lastEntry[s] >= sentiment.LatestAt)
        {
            return null;
        }

        return sentiment.Value(at, _halfLifeMin);
    }

    /// <summary>The market-wide value (items without symbols) at <paramref name="at"/>; null before the first.</summary>
    public double? Market(DateTime at) => _market.Value(at, _halfLifeMin);

    /// <summary>A buy of symbol <paramref name="s"/> was decided at <paramref name="at"/>: the news up to then is used.</summary>
    public void Entered(int s, DateTime at, bool onNews)
    {
        _lastEntry[s] = at;
        _entries[s] += onNews ? 1 : 0;
    }

    public BacktestNewsStats Stats()
    {
        var symbols = new List<NewsSymbolCount>(_symbols.Length);
        for (var s = 0; s < _symbols.Length; s++)
        {
            symbols.Add(new NewsSymbolCount(_symbols[s], _items[s], _entries[s]));
        }

        return new BacktestNewsStats(_news.Tape.Items.Count, _cursor, _duplicates, _used, _marketWide, symbols);
    }

    private void Admit(NewsTapeItem item, double score, DateTime at)
    {
        var keys = _deduper.Admit(item.News, item.VisibleAt);
        if (keys.Count == 0)
        {
            _duplicates++;
            return;
        }

        _used++;
        foreach (var key in keys)
        {
            if (key.Length == 0)
            {
                _market.Add(score, item.VisibleAt, at, _halfLifeMin);
                _marketWide++;
            }
            else if (_index.TryGetValue(key, out var s))
            {
                _sentiment[s].Add(score, item.VisibleAt, at, _halfLifeMin);
                _items[s]++;
            }
        }
    }
}
