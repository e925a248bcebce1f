using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Events;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.News;

namespace SentryBrain.Engine.News;

/// <summary>
/// Point-in-time news for the event loop. An item becomes visible when event time reaches its <c>created_at</c> (its
/// <c>ts</c> without one): earlier it waits in <see cref="NewsVisibility"/>. A visible item is deduplicated
/// (<see cref="NewsDeduper"/>: the same id, or the same story from several sources, counts once per symbol), scored,
/// and only then applied: the engine's callback updates its symbols (kill switch, decayed sentiment, a forced
/// evaluation); news without symbols updates the market-wide sentiment only (<see cref="Market"/>).
/// <para>Scoring: a fast model (VADER, lexicon) scores on the loop, at once. A slow one (onnx, embedding) scores on the
/// <see cref="NewsScoringWorker"/>, in batches, and the item counts once its score is back:</para>
/// <list type="bullet">
/// <item>live (not waiting): scores are applied at the first event boundary after they arrive; beyond
/// <c>maxBacklog</c> items at the worker a new item keeps its VADER score;</item>
/// <item>waiting (replays): an item naming symbols is waited for where it becomes visible, the point where a fast
/// scorer applies it; market-wide items before the next event. Results are applied only at those points, in news
/// order, so the journal is the one a synchronous scorer gives. Each wait is bounded by
/// <c>SENTIMENT_WAIT_TIMEOUT_MS</c> on the engine's <see cref="TimeProvider"/>; on timeout the item keeps its VADER score.</item>
/// </list>
/// Every method runs on the event loop; the fast path when nothing is held or scoring is two comparisons.
/// </summary>
public sealed class NewsIntake : IDisposable
{
    public const int DefaultMaxBacklog = 1024;

    private static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(1);

    private readonly ISentimentModel _model;
    private readonly bool _wait;
    private readonly TimeSpan _timeout;
    private readonly double _halfLifeMin;
    private readonly double _maxAgeSec;
    private readonly int _maxBacklog;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<NewsItem, double, DateTime> _apply;
    private readonly NewsDeduper _deduper;
    private readonly NewsVisibility _visibility = new();
    private readonly NewsScoringWorker? _worker;
    private readonly List<NewsItem> _awaiting = [];
    private readonly TimerCallback _onTimeout;
    private readonly string[] _one = new string[1];
    private readonly string[] _two = new string[2];
    private DecayedSentiment _market;
    private int _atWorker;
    private int _timedOut;
    private long _overflowLoggedAt = long.MinValue;
    private long _futureLoggedAt = long.MinValue;
    private long _received;
    private long _duplicates;
    private long _futureDated;
    private long _modelScored;
    private long _overflow;
    private long _timeouts;
    private long _failed;
    private long _abandoned;
    private long _neverVisible;

    /// <param name="settings">Half-life, dedupe window, batch size and wait timeout.</param>
    /// <param name="newsMaxAgeSec"><c>NEWS_MAX_AGE_SEC</c>: how long the market-wide value stays in the journal after its newest item.</param>
    /// <param name="model">The scorer (owned by the caller: not disposed here).</param>
    /// <param name="wait">Wait for a slow model's scores (replays) or not (live).</param>
    /// <param name="apply">The engine's part: an item with symbols and its score at event time (kill switch, symbols, evaluations).</param>
    public NewsIntake(SentimentSettings settings, double newsMaxAgeSec, ISentimentModel model, bool wait, TimeProvider time, ILogger logger, Action<NewsItem, double, DateTime> apply, int maxBacklog = DefaultMaxBacklog)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _model = model;
        _wait = wait;
        _timeout = TimeSpan.FromMilliseconds(settings.WaitTimeoutMs);
        _halfLifeMin = settings.NewsHalfLifeMin;
        _maxAgeSec = newsMaxAgeSec;
        _maxBacklog = Math.Max(1, maxBacklog);
        _time = time;
        _logger = logger;
        _apply = apply;
        _deduper = new NewsDeduper(settings.NewsDedupeWindowMin);
        _worker = model.IsFast ? null : new NewsScoringWorker(model, settings.BatchSize, logger);
        _onTimeout = _ =>
        {
            Volatile.Write(ref _timedOut, 1);
            _worker?.ResultReady.Set();
        };
    }

    public ISentimentModel Model => _model;

    /// <summary>True when a slow model's scores are waited for (replays).</summary>
    public bool Waits => _wait && _worker is not null;

    /// <summary>Items at the scoring worker (submitted, result not yet taken).</summary>
    public int Backlog => _atWorker;

    /// <summary>
    /// Blocks (any thread) until the worker has returned a score the loop has not taken yet; false after
    /// <paramref name="timeout"/> or without a worker. For tests and tools that drive the loop by hand.
    /// </summary>
    public bool WaitForReturnedScore(TimeSpan timeout) => _worker is { } worker && SpinWait.SpinUntil(() => worker.HasResults, timeout);

    public NewsCounts Counts => new(_received, _duplicates, _futureDated, _visibility.Dropped, _neverVisible, _modelScored, _overflow, _timeouts, _failed, _abandoned);

    /// <summary>The market-wide sentiment while its newest item is younger than <c>NEWS_MAX_AGE_SEC</c>; else null.</summary>
    public double? Market(DateTime now)
        => _market.Count > 0 && (now - _market.LatestAt).TotalSeconds <= _maxAgeSec ? _market.Value(now, _halfLifeMin) : null;

    /// <summary>
    /// Whether <c>SENTIMENT_WAIT</c> asks to wait: <c>true</c>/<c>false</c> as said, <c>auto</c> =
    /// <paramref name="replay"/> (stdin and backtests replay; Redis and benchmarks of the live path do not).
    /// </summary>
    public static bool ShouldWait(SentimentSettings settings, bool replay)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Wait switch
        {
            "true" => true,
            "false" => false,
            _ => replay,
        };
    }

    /// <summary>A news event, the stream clock at <paramref name="now"/>.</summary>
    public void OnNews(NewsEvent news, DateTime now)
    {
        _received++;
        var at = news.CreatedAt ?? news.Ts;
        if (at > now)
        {
            Hold(news, at);
            return;
        }

        Admit(news, at, now);
        if (_awaiting.Count > 0 && news.Symbols.Count > 0)
        {
            Settle(); // its forced evaluation is now: where a synchronous scorer applies it
        }
    }

    /// <summary>Before the next event (and before the clock moves): market-wide items waited for are applied.</summary>
    public void BeforeEvent()
    {
        if (_awaiting.Count != 0)
        {
            Settle();
        }
    }

    /// <summary>The clock is at <paramref name="now"/>, before the event: live scores that arrived are applied, due items released.</summary>
    public void OnClock(DateTime now)
    {
        if (_atWorker != 0 && !_wait)
        {
            Collect(now);
        }

        if (_visibility.AnyDue(now))
        {
            Release(now);
        }
    }

    /// <summary>
    /// End of input: waiting, every pending item is applied (each wait bounded); live, the scores already back are
    /// applied and the rest abandoned (counted). Items never visible are counted. Logs what happened to the news.
    /// </summary>
    public void Finish(DateTime now)
    {
        if (_awaiting.Count != 0)
        {
            Settle();
        }

        if (_atWorker != 0 && !_wait)
        {
            Collect(now);
            _abandoned += _atWorker;
        }

        _neverVisible = _visibility.Count;
        _worker?.Dispose();
        if (_received > 0)
        {
            var c = Counts;
            _logger.LogInformation(
                "News: {Received} items, {Duplicates} duplicate stories, {Future} held until created_at ({NeverVisible} never visible, {Dropped} dropped), {Model} scored {Scored}; VADER kept for {Overflow} over the backlog, {Timeouts} timed out, {Failed} model errors; {Abandoned} unscored at the end",
                c.Received, c.Duplicates, c.FutureDated, c.NeverVisible, c.FutureDropped, _model.Name, c.ModelScored, c.Overflow, c.Timeouts, c.Failed, c.Abandoned);
        }
    }

    public void Dispose() => _worker?.Dispose();

    private void Hold(NewsEvent news, DateTime at)
    {
        if (_visibility.Hold(news, at))
        {
            _futureDated++;
            _logger.LogDebug("News {Id} is dated {At:o}, after the stream clock: held until then", news.Id, at);
        }
        else if (Due(ref _futureLoggedAt))
        {
            _logger.LogWarning("News {Id} dated {At:o} dropped: {Count} future-dated items already held ({Dropped} dropped so far)", news.Id, at, _visibility.Capacity, _visibility.Dropped);
        }
    }

    private void Release(DateTime now)
    {
        while (_visibility.TryRelease(now, out var news, out var at))
        {
            Admit(news, at, now);
        }

        if (_awaiting.Count > 0)
        {
            Settle(); // released at this boundary: applied here, as a synchronous scorer would
        }
    }

    private void Admit(NewsEvent news, DateTime at, DateTime now)
    {
        var keys = _deduper.Admit(news, at);
        if (keys.Count == 0)
        {
            _duplicates++;
            _logger.LogDebug("News {Id} ({Source}) is a story already counted: ignored", news.Id, news.Source);
            return;
        }

        var (headline, summary) = NewsSentiment.Texts(news.Headline, news.Summary);
        var item = new NewsItem(news, at, now, news.Symbols.Count == 0 ? [] : keys, headline ?? string.Empty, summary);
        if (headline is null)
        {
            Apply(item, 0, now); // no headline: 0 with every model
        }
        else if (_worker is null)
        {
            Apply(item, ScoreNow(item), now);
        }
        else if (_atWorker >= _maxBacklog)
        {
            _overflow++;
            if (Due(ref _overflowLoggedAt))
            {
                _logger.LogWarning("News scoring backlog full ({Backlog} items at the {Model} model): news {Id} keeps its VADER score ({Overflow} so far)", _atWorker, _model.Name, news.Id, _overflow);
            }

            Apply(item, Vader(item), now);
        }
        else
        {
            item.SubmittedAt = _time.GetTimestamp();
            _worker.Submit(item);
            _atWorker++;
            if (_wait)
            {
                _awaiting.Add(item);
            }
        }
    }

    /// <summary>Live: applies, in order, the scores the worker has returned.</summary>
    private void Collect(DateTime now)
    {
        while (_worker!.TryTake(out var item))
        {
            _atWorker--;
            item.Returned = true;
            if (!item.Applied)
            {
                ApplyScored(item, now);
            }
        }
    }

    /// <summary>
    /// Waiting: blocks until every awaited item is back or the wait times out (counted from the first one's hand-over
    /// to the worker), then applies them in news order.
    /// </summary>
    private void Settle()
    {
        var start = _awaiting[0].SubmittedAt;
        ITimer? timer = null;
        try
        {
            while (true)
            {
                _worker!.ResultReady.Reset();
                while (_worker.TryTake(out var back))
                {
                    _atWorker--;
                    back.Returned = true; // a late result of an item already applied with VADER is dropped here
                }

                var elapsed = _time.GetElapsedTime(start);
                if (AllReturned() || Volatile.Read(ref _timedOut) != 0 || elapsed >= _timeout)
                {
                    break;
                }

                if (timer is null)
                {
                    timer = _time.CreateTimer(_onTimeout, null, _timeout - elapsed, Timeout.InfiniteTimeSpan);
                    if (_time.GetElapsedTime(start) - elapsed > TimerSlack)
                    {
                        // The clock moved while the timer was made (a test's fake clock, a stall): it may be due late; again.
                        timer.Dispose();
                        timer = null;
                        continue;
                    }
                }

                _worker.ResultReady.Wait();
            }
        }
        finally
        {
            timer?.Dispose();
            Volatile.Write(ref _timedOut, 0);
        }

        foreach (var item in _awaiting)
        {
            if (item.Returned)
            {
                ApplyScored(item, item.SeenAt);
                continue;
            }

            _timeouts++;
            _logger.LogWarning("News {Id}: no score from the {Model} model within {Timeout} ms (SENTIMENT_WAIT_TIMEOUT_MS); it keeps its VADER score", item.News.Id, _model.Name, _timeout.TotalMilliseconds);
            Apply(item, Vader(item), item.SeenAt);
        }

        _awaiting.Clear();
    }

    private bool AllReturned()
    {
        foreach (var item in _awaiting)
        {
            if (!item.Returned)
            {
                return false;
            }
        }

        return true;
    }

    private void ApplyScored(NewsItem item, DateTime now)
    {
        if (item.Failed)
        {
            _failed++;
            Apply(item, Vader(item), now);
        }
        else
        {
            _modelScored++;
            Apply(item, item.Score, now);
        }
    }

    private void Apply(NewsItem item, double score, DateTime now)
    {
        item.Applied = true;
        if (item.IsMarket)
        {
            _market.Add(score, item.At, now, _halfLifeMin);
            return;
        }

        _apply(item, score, now);
    }

    /// <summary>A fast model on the loop: the two texts in one call, no allocation; VADER if the model throws.</summary>
    private double ScoreNow(NewsItem item)
    {
        Span<SentimentResult> results = stackalloc SentimentResult[2];
        var texts = item.Summary is null ? _one : _two;
        texts[0] = item.Headline;
        if (item.Summary is { } summary)
        {
            texts[1] = summary;
        }

        try
        {
            _model.Score(texts, results[..texts.Length]);
            _modelScored++;
            return NewsSentiment.Blend(results[0].Score, item.Summary is null ? null : results[1].Score);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _failed++;
            _logger.LogWarning("The {Model} model failed on news {Id} ({Error}); it keeps its VADER score", _model.Name, item.News.Id, ex.Message);
            return Vader(item);
        }
    }

    private static double Vader(NewsItem item) => NewsSentiment.Score(item.News.Headline, item.News.Summary);

    /// <summary>At most one log line per minute of wall time per kind.</summary>
    private bool Due(ref long lastAt)
    {
        var now = _time.GetTimestamp();
        if (lastAt != long.MinValue && _time.GetElapsedTime(lastAt, now) < LogEvery)
        {
            return false;
        }

        lastAt = now;
        return true;
    }
}
