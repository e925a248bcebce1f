using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Engine.News;

/// <summary>
/// Scores news with a slow model (onnx, embedding) on one dedicated thread, never the event loop's and never the
/// thread pool's (a long inference must not starve timers and I/O). Items go in through a small locked queue (one
/// lock per news item, off the per-trade path); on Linux it runs at a lower CPU priority (nice +10) than the loop; each pass takes what is queued up to <c>batchSize</c> texts (an
/// item's headline and summary stay in one batch) and scores them in one call. Results come back through a lock-free
/// queue the event loop polls at event boundaries; <see cref="ResultReady"/> is set after each batch for a loop that
/// waits. A model that throws fails its batch only: those items are marked <see cref="NewsItem.Failed"/>.
/// </summary>
public sealed class NewsScoringWorker : IDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly ISentimentModel _model;
    private readonly int _batchSize;
    private readonly ILogger _logger;
    private readonly Queue<NewsItem> _input = new();
    private readonly ConcurrentQueue<NewsItem> _results = new();
    private readonly Thread _thread;
    private bool _stopping;
    private long _batches;

    public NewsScoringWorker(ISentimentModel model, int batchSize, ILogger logger)
    {
        _model = model;
        _batchSize = Math.Max(1, batchSize);
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "news-scoring" };
        _thread.Start();
    }

    /// <summary>Set by the worker after it posted a batch's results; a waiting loop resets it before it looks.</summary>
    public ManualResetEventSlim ResultReady { get; } = new(false);

    /// <summary>Batches scored so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    public void Submit(NewsItem item)
    {
        lock (_input)
        {
            _input.Enqueue(item);
            Monitor.Pulse(_input);
        }
    }

    /// <summary>True when a result waits to be taken (safe from any thread).</summary>
    public bool HasResults => !_results.IsEmpty;

    /// <summary>A scored item, in submission order; false when none is ready. O(1), no allocation.</summary>
    public bool TryTake(out NewsItem item) => _results.TryDequeue(out item!);

    /// <summary>Stops the thread: items not yet scored are dropped. Waits a few seconds for a batch in progress.</summary>
    public void Dispose()
    {
        lock (_input)
        {
            _stopping = true;
            _input.Clear();
            Monitor.Pulse(_input);
        }

        if (Thread.CurrentThread != _thread && !_thread.Join(StopTimeout))
        {
            _logger.LogWarning("The news scoring worker did not stop within {Seconds} s (a {Model} batch still running); leaving it behind", StopTimeout.TotalSeconds, _model.Name);
        }
    }

    private void Run()
    {
        WorkerPriority.LowerCurrentThread(); // the event loop comes first when the machine is short of cores
        var batch = new List<NewsItem>(_batchSize);
        var texts = new List<string>(_batchSize + 1);
        var results = new SentimentResult[_batchSize + 1];
        while (Take(batch, texts))
        {
            try
            {
                _model.Score(texts, results.AsSpan(0, texts.Count));
                var t = 0;
                foreach (var item in batch)
                {
                    var head = results[t++].Score;
                    item.Score = NewsSentiment.Blend(head, item.Summary is null ? null : results[t++].Score);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogWarning("The {Model} model failed on a batch of {Count} news texts ({Error}); those items keep their VADER score", _model.Name, texts.Count, ex.Message);
                foreach (var item in batch)
                {
                    item.Failed = true;
                }
            }

            foreach (var item in batch)
            {
                _results.Enqueue(item);
            }

            Interlocked.Increment(ref _batches);
            ResultReady.Set();
        }
    }

    /// <summary>Blocks for work; fills the next batch (whole items, up to the batch size in texts). False when stopping.</summary>
    private bool Take(List<NewsItem> batch, List<string> texts)
    {
        batch.Clear();
        texts.Clear();
        lock (_input)
        {
            while (_input.Count == 0 && !_stopping)
            {
                Monitor.Wait(_input);
            }

            if (_stopping)
            {
                return false;
            }

            while (_input.Count > 0 && (texts.Count == 0 || texts.Count + _input.Peek().TextCount <= _batchSize))
            {
                var item = _input.Dequeue();
                batch.Add(item);
                texts.Add(item.Headline);
                if (item.Summary is { } summary)
                {
                    texts.Add(summary);
                }
            }
        }

        return true;
    }
}
