using System.Text;
using SentryBrain.Backtesting;
using SentryBrain.Config;
using static SentryBrain.Tests.Backtesting.BacktestNewsFixtures;

namespace SentryBrain.Tests.Backtesting;

/// <summary>Reading a recorded news file (<see cref="NewsTape"/>) and scoring it once (<see cref="BacktestNews.Score"/>).</summary>
public class BacktestNewsTapeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("btnews-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Other event types are counted and ignored, blank lines skipped, bad lines reported by line number; CRLF is fine.</summary>
    [Fact]
    public void OtherTypesIgnored_BadLinesSkippedWithTheirLineNumber()
    {
        var text = string.Join("\r\n",
            News("1", "Acme wins big contract", "2024-03-05T14:00:00Z", "AAA"),
            """{"type":"trade","ts":"2024-03-05T14:00:01Z","payload":{"symbol":"AAA","price":10.5,"size":3,"volume_1m":1,"volume_5m":1,"return_1m":0,"return_5m":0,"session":"regular","volatility":0}}""",
            string.Empty,
            "not json at all",
            """{"type":"news","ts":"2024-03-05T14:00:02Z","payload":{"id":"2","headline":"x","symbols":["AAA"]""",
            News("3", "Beta wins big contract", "2024-03-05T13:00:00Z", "BBB")) + "\r\n";

        var tape = NewsTape.Parse(Encoding.UTF8.GetBytes(text), "n.ndjson");

        Assert.Equal(5, tape.Lines);
        Assert.Equal(1, tape.OtherLines);
        Assert.Equal(2, tape.BadLines);
        Assert.Equal([4, 5], tape.Issues.Select(i => i.Line));
        Assert.StartsWith("n.ndjson:4: ", tape.Issues[0].ToString(), StringComparison.Ordinal);
        Assert.Equal(["3", "1"], tape.Items.Select(i => i.News.Id)); // by visible time
    }

    [Fact]
    public void MissingFile_IsAClearError()
    {
        var path = Path.Combine(_dir, "absent.ndjson");

        var ex = Assert.Throws<NewsTapeException>(() => NewsTape.Read(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileWithoutOneValidLine_IsAnError_NamingTheFirstBadLine()
    {
        var path = Path.Combine(_dir, "bars.csv");
        File.WriteAllText(path, "date,open,high,low,close\n2024-03-05,1,2,0.5,1.5\n");

        var ex = Assert.Throws<NewsTapeException>(() => NewsTape.Read(path));

        Assert.Contains("none of its 2 lines", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PinsTheFileBySha256()
    {
        var path = Path.Combine(_dir, "n.ndjson");
        File.WriteAllText(path, News("1", "Acme wins big contract", "2024-03-05T14:00:00Z", "AAA") + "\n");

        var tape = NewsTape.Read(path);

        // sha256 of the bytes, computed independently of the reader.
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), tape.Sha256);
        Assert.Single(tape.Items);
    }

    /// <summary>Equal visible times keep file order (the sort is stable), whatever the ids.</summary>
    [Fact]
    public void EqualTimes_KeepFileOrder()
    {
        var tape = Tape(
            News("9", "b", "2024-03-05T14:00:00Z", "AAA"),
            News("1", "a", "2024-03-05T14:00:00Z", "AAA"),
            News("5", "c", "2024-03-05T13:00:00Z", "AAA"),
            News("2", "d", "2024-03-05T14:00:00Z", "AAA"));

        Assert.Equal(["5", "9", "1", "2"], tape.Items.Select(i => i.News.Id));
    }

    /// <summary>
    /// Each distinct text is scored once, in batches of SENTIMENT_BATCH_SIZE: two items share a headline, one has a
    /// summary (blended 0.55 × headline + 0.45 × summary). Texts: 3 distinct → batches of 2 then 1.
    /// </summary>
    [Fact]
    public void Score_EachDistinctTextOnce_Batched_Blended()
    {
        const string summary = "Acme recalls every product";
        var withSummary = News("3", "Acme wins big contract", "2024-03-05T15:00:00Z", "AAA").Replace("\"summary\":\"\"", $"\"summary\":\"{summary}\"", StringComparison.Ordinal);
        var tape = Tape(
            News("1", "Acme wins big contract", "2024-03-05T13:00:00Z", "AAA"),
            News("2", "Acme wins big contract", "2024-03-05T14:00:00Z", "AAA"),
            withSummary,
            News("4", "Markets rally worldwide", "2024-03-05T16:00:00Z"));
        var model = new TableModel(new Dictionary<string, double>
        {
            ["Acme wins big contract"] = 0.8,
            [summary] = -0.4,
            ["Markets rally worldwide"] = 0.6,
        });

        var news = BacktestNews.Score(tape, model, batchSize: 2);

        Assert.Equal(["Acme wins big contract", summary, "Markets rally worldwide"], model.Scored);
        Assert.Equal([2, 1], model.Batches);
        Assert.Equal(0.8, news.Scores[0]);
        Assert.Equal(0.8, news.Scores[1]);
        Assert.Equal((0.55 * 0.8) + (0.45 * -0.4), news.Scores[2], 12);
        Assert.Equal(0.6, news.Scores[3]);
        Assert.Equal("table", news.Model);
    }

    /// <summary>The loader reports bad lines on its log and refuses a model that cannot load.</summary>
    [Fact]
    public void Loader_ReportsBadLines_AndRefusesAnUnloadableModel()
    {
        var path = Path.Combine(_dir, "n.ndjson");
        File.WriteAllText(path, News("1", "Acme wins big contract", "2024-03-05T14:00:00Z", "AAA") + "\n{oops\n");
        var log = new StringWriter();

        var news = BacktestNewsLoader.Load(path, BrainConfig.Load(ConfigSource.FromPairs()), log);

        Assert.Single(news.Scores);
        Assert.Equal("vader", news.Model);
        Assert.Contains(":2: ", log.ToString(), StringComparison.Ordinal);
        var broken = BrainConfig.Load(ConfigSource.FromPairs()) with { Sentiment = new SentimentSettings { Model = "no_such_model" } };
        var ex = Assert.Throws<NewsTapeException>(() => BacktestNewsLoader.Load(path, broken, TextWriter.Null));
        Assert.Contains("SENTIMENT_MODEL", ex.Message, StringComparison.Ordinal);
    }
}
