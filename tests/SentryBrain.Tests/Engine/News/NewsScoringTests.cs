using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SentryBrain.Config;
using SentryBrain.Engine.News;
using SentryBrain.Events;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Tests.Engine;
using static SentryBrain.Tests.EngineNews.NewsStreams;

namespace SentryBrain.Tests.EngineNews;

/// <summary>
/// Slow models off the event loop (issue 14 item 4): waiting (replays) gives the synchronous journal byte for byte;
/// live, the loop goes on while the model works; a wait times out to VADER; the backlog is bounded.
/// </summary>
public sealed class NewsScoringTests
{
    private static readonly string[] Acme = ["ACME"];

    private static readonly Dictionary<string, double> Scores = new()
    {
        ["Acme wins a large contract"] = 0.42,
        ["Bolt cuts its outlook"] = -0.35,
        ["Fed holds rates steady"] = 0.2,
        ["Acme opens a new plant"] = 0.3,
        ["Bolt and Acme sign a partnership"] = 0.55,
        ["Shares of Bolt rallied after the company reported record quarterly revenue."] = 0.7,
        ["Acme CEO charged with fraud"] = -0.9,
    };

    /// <summary>Several symbols, a market-wide item, a future-dated item, a duplicate, a summary and a kill-switch item.</summary>
    private static string[] MixedStream() =>
    [
        UpQuote(T0, "ACME"),
        UpQuote(T0, "BOLT"),
        News(T0.AddSeconds(1), "n1", "Acme wins a large contract", T0.AddSeconds(1), Acme),
        News(T0.AddSeconds(2), "n2", "Bolt cuts its outlook", T0.AddSeconds(2), ["BOLT"], summary: "Shares of Bolt rallied after the company reported record quarterly revenue."),
        UpQuote(T0.AddSeconds(3), "BOLT"),
        News(T0.AddSeconds(4), "m1", "Fed holds rates steady", T0.AddSeconds(4), []),
        UpQuote(T0.AddSeconds(5), "ACME"),
        News(T0.AddSeconds(6), "n3", "Acme opens a new plant", T0.AddSeconds(40), Acme),
        News(T0.AddSeconds(7), "n4", "Bolt and Acme sign a partnership", T0.AddSeconds(7), ["ACME", "BOLT"]),
        News(T0.AddSeconds(8), "n1", "Acme wins a large contract", T0.AddSeconds(1), Acme),
        UpQuote(T0.AddSeconds(30), "BOLT"),
        UpQuote(T0.AddSeconds(41), "ACME"),
        News(T0.AddSeconds(50), "n5", "Acme CEO charged with fraud", T0.AddSeconds(50), Acme),
        UpQuote(T0.AddSeconds(51), "ACME"),
        UpQuote(T0.AddSeconds(52), "BOLT"),
    ];

    [Fact]
    public async Task Waiting_ASlowModel_GivesTheJournalOfASynchronousScorer_ByteForByte()
    {
        using var fast = new ScriptedModel(fast: true, Scores);
        var (expected, _) = Run(MixedStream(), NewsConfig(), fast);

        using var slow = new ScriptedModel(fast: false, Scores, gated: true);
        var run = Task.Run(() => Run(MixedStream(), NewsConfig(), slow, wait: true));
        slow.AwaitEntered();
        Assert.False(run.IsCompleted, "the engine must wait for the score of the first news item");
        slow.Open();
        var (journal, engine) = await Within(run, "the waiting run did not finish");

        Assert.Equal(expected, journal);
        Assert.Contains("\"news\":0.42", expected, StringComparison.Ordinal); // the model's scores, not VADER's, reached the journal
        Assert.Contains("\"news_market\":0.199961", expected, StringComparison.Ordinal); // 0.2·2^(−1/3600), 1 s after the item
        Assert.Equal(0, engine.NewsCounts.Timeouts + engine.NewsCounts.Overflow + engine.NewsCounts.Failed);
        Assert.Equal(6, engine.NewsCounts.ModelScored);
        Assert.Equal(1, engine.NewsCounts.Duplicates);
    }

    [Fact]
    public void Live_TheLoopGoesOnWhileTheModelWorks_AndUsesTheScoreAtTheFirstEventAfterItArrives()
    {
        using var slow = new ScriptedModel(fast: false, Scores, gated: true);
        using var capture = new JournalCapture();
        using var engine = new SentryBrain.Engine.BrainEngine(NewsConfig(), _ => null, capture.Writer, NullLogger.Instance, new SentryBrain.Engine.EngineParts { Sentiment = slow, WaitForSentiment = false }, new FakeTimeProvider(new DateTimeOffset(T0.AddDays(1))));
        void Line(string line) => engine.ProcessLine(System.Text.Encoding.UTF8.GetBytes(line));

        Line(News(T0, "n1", "Acme wins a large contract", T0, Acme));
        slow.AwaitEntered(); // the worker is inside the model, blocked
        Line(UpQuote(T0.AddSeconds(1), "BOLT"));
        Line(UpQuote(T0.AddSeconds(2), "ACME"));
        Assert.Equal([(T0.AddSeconds(2), (double?)null)], Decisions(capture.Text, "ACME").Select(d => (d.Ts, d.News)));
        Assert.Single(Decisions(capture.Text, "BOLT"));

        slow.Open();
        Assert.True(engine.NewsIntake.WaitForReturnedScore(TimeSpan.FromSeconds(30)), "the worker never returned the score");
        Line(UpQuote(T0.AddSeconds(3), "BOLT"));

        // Applied at that boundary: a forced ACME evaluation at 10:00:03 with the item aged 3 s (one item of weight
        // w < 1: 0.42·w), then BOLT's own decision.
        var w = Math.Pow(2, -3.0 / 3600);
        var acme = Decisions(capture.Text, "ACME");
        Assert.Equal(2, acme.Count);
        Assert.Equal(T0.AddSeconds(3), acme[1].Ts);
        Assert.Equal(0.42 * w, acme[1].News!.Value, Journaled);
        engine.Finish();
        Assert.Equal(1, engine.NewsCounts.ModelScored);
    }

    [Fact]
    public async Task Waiting_ATimedOutScore_FallsBackToVader_WithAWarning()
    {
        // The model never answers; the wait is bounded by SENTIMENT_WAIT_TIMEOUT_MS on the engine's clock (a fake
        // one the test advances), then the item keeps its VADER score.
        const string Headline = "Acme wins a great award";
        var vader = NewsSentiment.Score(Headline, "");
        Assert.True(vader > 0.5); // VADER's own score, far from the scripted 0.01
        using var slow = new ScriptedModel(fast: false, new Dictionary<string, double> { [Headline] = 0.01 }, gated: true);
        var time = new FakeTimeProvider(new DateTimeOffset(T0.AddDays(1)));
        var logger = new WatchingLogger("SENTIMENT_WAIT_TIMEOUT_MS");
        var config = NewsConfig(("SENTIMENT_WAIT_TIMEOUT_MS", "2000"));
        var run = Task.Run(() => Run([News(T0, "n1", Headline, T0, Acme), UpQuote(T0.AddSeconds(1), "ACME")], config, slow, wait: true, time, logger));

        slow.AwaitEntered();
        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(run.IsCompleted, "the wait must last the whole timeout");
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(logger.Seen.Wait(TimeSpan.FromSeconds(30)), "no timeout warning");
        slow.Open(); // lets the worker stop; its late result is ignored
        var (journal, engine) = await Within(run, "the run did not finish after the timeout");

        Assert.Equal(vader, Decisions(journal, "ACME")[0].News!.Value, Journaled);
        Assert.Equal(1, engine.NewsCounts.Timeouts);
        Assert.Equal(0, engine.NewsCounts.ModelScored);
    }

    [Fact]
    public void Live_BeyondTheBacklog_AnItemKeepsItsVaderScore_AndTheOthersTheirModelScore()
    {
        using var slow = new ScriptedModel(fast: false, gated: true) { Fallback = 0.01 };
        var applied = new List<(string Id, double Score)>();
        var settings = new SentimentSettings { BatchSize = 1 };
        using var intake = new NewsIntake(settings, 3600, slow, wait: false, new FakeTimeProvider(), NullLogger.Instance, (item, score, _) => applied.Add((item.News.Id, score)), maxBacklog: 2);
        string[] headlines = ["Acme wins a great award", "Acme is a wonderful success", "Acme reports a terrible disaster", "Acme has a good day"];
        for (var i = 0; i < headlines.Length; i++)
        {
            intake.OnNews(new NewsEvent(T0, "n" + i, headlines[i], "", "a", "test", "u", T0, ["ACME"]), T0);
        }

        // n0 and n1 fill the backlog of 2; n2 and n3 are applied at once with VADER.
        Assert.Equal([("n2", NewsSentiment.Score(headlines[2], "")), ("n3", NewsSentiment.Score(headlines[3], ""))], applied);
        Assert.Equal(2, intake.Counts.Overflow);
        Assert.Equal(2, intake.Backlog);

        slow.Open();
        for (var returned = 0; returned < 2 && intake.WaitForReturnedScore(TimeSpan.FromSeconds(30));)
        {
            intake.OnClock(T0.AddSeconds(1));
            returned = applied.Count - 2;
        }

        Assert.Equal([("n2", NewsSentiment.Score(headlines[2], "")), ("n3", NewsSentiment.Score(headlines[3], "")), ("n0", 0.01), ("n1", 0.01)], applied);
        Assert.Equal(0, intake.Backlog);
        Assert.Equal(2, intake.Counts.ModelScored);
    }

    private static async Task<T> Within<T>(Task<T> task, string failure)
    {
        try
        {
            return await task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Assert.Fail(failure);
            throw;
        }
    }

    [Theory]
    [InlineData("auto", true, true)]
    [InlineData("auto", false, false)]
    [InlineData("true", false, true)]
    [InlineData("false", true, false)]
    public void SentimentWait_AutoWaitsForReplaysOnly(string wait, bool replay, bool expected)
        => Assert.Equal(expected, NewsIntake.ShouldWait(new SentimentSettings { Wait = wait }, replay));
}
