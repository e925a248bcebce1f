using System.Diagnostics;
using System.Globalization;
using SentryBrain.Config;
using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Backtesting;

/// <summary>
/// <c>backtest --news FILE</c> before the simulation: reads the tape (<see cref="NewsTape.Read"/>), reports its bad
/// lines, loads <c>SENTIMENT_MODEL</c> and scores every item once (<see cref="BacktestNews.Score"/>). Anything that
/// makes the news unusable (missing file, no valid line, a model that cannot load) is a <see cref="NewsTapeException"/>
/// with a message for the user: the backtest must not silently run without the news it was asked for.
/// </summary>
public static class BacktestNewsLoader
{
    private const int ListedIssues = 20;
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(2);

    /// <param name="log">Warnings, bad lines and, for slow models, scoring progress (stderr).</param>
    public static BacktestNews Load(string path, BrainConfig config, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(log);
        var tape = NewsTape.Read(path, config.NewsMaxSymbols);
        foreach (var issue in tape.Issues.Take(ListedIssues))
        {
            log.WriteLine("skipped bad news line: " + issue);
        }

        if (tape.BadLines > ListedIssues)
        {
            log.WriteLine($"skipped {tape.BadLines - ListedIssues} more bad news lines (summary.md lists up to {ListedIssues}, summary.json counts them)");
        }

        if (tape.Items.Count == 0)
        {
            log.WriteLine($"warning: --news {path} holds no news events ({tape.OtherLines} lines of other types): the news source stays empty");
        }

        ISentimentModel model;
        try
        {
            model = SentimentModels.Load(config.Sentiment);
        }
        catch (NotSupportedException ex)
        {
            throw new NewsTapeException($"--news: SENTIMENT_MODEL={config.Sentiment.Model} is not available in this build ({ex.Message}); use SENTIMENT_MODEL=vader", ex);
        }
        catch (SentimentModelException ex)
        {
            throw new NewsTapeException("--news: " + ex.Message, ex);
        }

        using (model)
        {
            Action<int, int>? progress = null;
            if (!model.IsFast)
            {
                var clock = Stopwatch.StartNew();
                var last = TimeSpan.Zero;
                progress = (done, total) =>
                {
                    if (done == total || clock.Elapsed - last >= ProgressEvery)
                    {
                        last = clock.Elapsed;
                        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scoring news with {model.Name}: {done:N0}/{total:N0} texts, {clock.Elapsed.TotalSeconds:0.0} s"));
                    }
                };
            }

            return BacktestNews.Score(tape, model, config.Sentiment.BatchSize, progress);
        }
    }
}
