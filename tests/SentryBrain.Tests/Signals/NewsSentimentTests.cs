using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Tests.Signals;

public sealed class NewsSentimentTests
{
    private const string Headline = "Acme posts great quarter, shares surge";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void NoHeadline_IsZero(string? headline)
    {
        Assert.Equal(0.0, NewsSentiment.Score(headline, "A wonderful, fantastic and excellent summary of the news."));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Too short.")]
    [InlineData("<p>  <b>tiny</b>  </p>")]
    public void ShortSummary_IsHeadlineScore(string? summary)
    {
        var expected = Vader.Default.PolarityScores(Headline).Compound;

        Assert.Equal(expected, NewsSentiment.Score(Headline, summary));
    }

    [Fact]
    public void LongSummary_BlendsHeadlineAndSummary()
    {
        const string summary = "Analysts warned the outlook remains terrible and the guidance was a disaster.";
        var headlineScore = Vader.Default.PolarityScores(Headline).Compound;
        var summaryScore = Vader.Default.PolarityScores(summary).Compound;

        var score = NewsSentiment.Score(Headline, summary);

        Assert.Equal((0.55 * headlineScore) + (0.45 * summaryScore), score, 12);
        Assert.NotEqual(headlineScore, score);
        Assert.InRange(score, -1.0, 1.0);
    }

    [Fact]
    public void HtmlSummary_IsStrippedAndDecoded()
    {
        const string html = "<p>Shares <b>soared</b> after the &amp; beat</p>";
        const string plain = "Shares soared after the & beat";

        Assert.Equal(plain, NewsSentiment.CleanSummary(html));
        Assert.Equal(NewsSentiment.Score(Headline, plain), NewsSentiment.Score(Headline, html));
        Assert.NotEqual(Vader.Default.PolarityScores(Headline).Compound, NewsSentiment.Score(Headline, html));
    }

    [Fact]
    public void CleanSummary_CollapsesWhitespaceAndKeepsPlainAngleBrackets()
    {
        Assert.Equal("a b c", NewsSentiment.CleanSummary("  a\n\n<br/>b&nbsp;\t c  "));
        Assert.Equal("x < y and y > z", NewsSentiment.CleanSummary("x < y and y > z"));
        Assert.Equal("a b", NewsSentiment.CleanSummary("<p>a</p><p>b</p>"));
    }

    [Fact]
    public void CleanSummary_CutsTo500Characters()
    {
        var cleaned = NewsSentiment.CleanSummary(string.Concat(Enumerable.Repeat("good news ", 100)));

        Assert.Equal(500, cleaned.Length);
    }

    [Fact]
    public void ExplicitVader_IsUsed()
    {
        var vader = Vader.FromLexicon(new StringReader("moon\t3.0\t0.1\t[3]\n"));

        Assert.True(NewsSentiment.Score(vader, "Stock to the moon", null) > 0);
        Assert.Equal(0.0, NewsSentiment.Score(vader, "Stock is great", null));
    }
}
