using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.Lexicon;

namespace SentryBrain.Tests.Signals.Sentiment.Lexicon;

/// <summary>
/// Raw sums worked by hand from the word lists: AFINN-fin profit 2, good 3, growth 2, bad −3, cuts −1, raises 1,
/// upgraded 1; VADER-only beneficial 1.9 (→ 1.9 × 1.25 × 0.5 = 1.1875), adversity −1.8 (→ −1.125); "the", "company",
/// "net", "sales", "income", "guidance", "estimates", "p", "b" are in neither list. A phrase weighs 2: a metric move is
/// ±2 × 2 = ±4, "beats estimates" 3 × 2 = 6, "net loss" −2 × 2 = −4. Score = x / √(x² + 15); |x| ≥ 3 is not neutral.
/// </summary>
public sealed class LexiconSentimentModelTests
{
    private static readonly LexiconSentimentModel Model = LexiconSentimentModel.Default;

    private static double Raw(string text) => LexiconScorer.RawScore(FinanceLexicon.Default, text);

    private static double Squash(double x) => x / Math.Sqrt((x * x) + 15);

    [Fact]
    public void Identity()
    {
        Assert.Equal("lexicon", Model.Name);
        Assert.True(Model.IsFast);
        Assert.IsType<LexiconSentimentModel>(SentimentModels.Load(new SentryBrain.Config.SentimentSettings { Model = "lexicon" }));
    }

    [Theory]
    [InlineData("Profit rose", 4)] // good metric rising: +2 × 2; profit's own 2 and rose's own 1 are spent
    [InlineData("Profit fell", -4)]
    [InlineData("Net sales increased", 4)]
    [InlineData("Net income grew", 4)]
    [InlineData("Operating profit declined", -4)]
    [InlineData("Sales dropped", -4)]
    [InlineData("Costs rose", -4)] // a bad metric rising
    [InlineData("Net loss narrowed", 4)] // "net loss" −4 taken back by its move, bad metric falling +4
    [InlineData("Net loss widened", -4)] // −4 phrase taken back, bad metric rising −4
    [InlineData("Operating profit for the third quarter of the year rose", 4)] // metric 9 tokens before the verb
    [InlineData("A rise in profit", 4)] // metric after the verb
    public void ProfitAndSalesMoves(string text, double raw) => Assert.Equal(raw, Raw(text), 12);

    [Theory]
    [InlineData("The company beats estimates", 6)]
    [InlineData("The company beat expectations", 6)]
    [InlineData("The company missed estimates", -6)]
    [InlineData("The company misses expectations", -6)]
    public void EstimatesAndExpectations(string text, double raw) => Assert.Equal(raw, Raw(text), 12);

    [Theory]
    [InlineData("The company raises guidance", 4)] // raises: rising, guidance: a good metric after it
    [InlineData("The company lifts its outlook", 4)] // outlook two tokens after the verb
    [InlineData("The company cuts guidance", -4)] // cuts' own −1 is spent
    [InlineData("The company lowers its outlook", -4)] // lowers' own VADER −0.5 × 0.625 is spent
    [InlineData("Acme beats estimates and raises guidance", 10)] // +6, then raises looks past the phrase's words: +4
    [InlineData("Acme missed estimates and cut its outlook", -10)]
    public void Guidance(string text, double raw) => Assert.Equal(raw, Raw(text), 12);

    [Theory]
    [InlineData("Upgraded", 4)] // the phrase (2 × 2) replaces upgraded's own AFINN 1
    [InlineData("Upgrade", 4)]
    [InlineData("Downgraded", -4)]
    [InlineData("Downgrade", -4)]
    [InlineData("Shares fell after the downgrade", -8)] // shares fell −4, downgrade −4
    public void Ratings(string text, double raw) => Assert.Equal(raw, Raw(text), 12);

    [Theory]
    [InlineData("Profit warning", -6)] // "profit" is inside the phrase: its own 2 does not count
    [InlineData("Operating loss", -4)]
    [InlineData("Operating profit", 2)] // the level of a profit is profit's word valence only
    [InlineData("The company swung to an operating loss", -6)] // the 5-token phrase wins over "operating loss"
    [InlineData("The company swung to a profit", 6)]
    [InlineData("The company laid off workers", -4)]
    public void ResultLinesAndJobs(string text, double raw) => Assert.Equal(raw, Raw(text), 12);

    [Theory]
    [InlineData("Profit did not rise", -4)]
    [InlineData("Profit didn't rise", -4)]
    [InlineData("Profit didn’t rise", -4)] // typographic apostrophe
    [InlineData("The company did not beat estimates", -6)]
    [InlineData("Not bad", 3)]
    [InlineData("Never good", -3)]
    [InlineData("Without adversity", 1.125)]
    [InlineData("No growth", -2)] // "no" has AFINN −1 but as a negator it carries none
    [InlineData("Not the company that is good", 3)] // four tokens between: out of the window
    public void NegationFlipsWithinThreeTokens(string text, double raw) => Assert.Equal(raw, Raw(text), 12);

    [Fact]
    public void VaderFillsWordsTheFinanceListLacksAtHalfWeight()
    {
        Assert.Equal(1.1875, Raw("beneficial"), 12);
        Assert.Equal(-1.125, Raw("adversity"), 12);
        Assert.Equal(2, Raw("growth"), 12); // in both lists: AFINN's 2, not VADER's 1.6
    }

    [Theory]
    [InlineData("Growth", 2, SentimentLabel.Neutral)]
    [InlineData("The company is good", 3, SentimentLabel.Positive)] // exactly on the band
    [InlineData("Bad", -3, SentimentLabel.Negative)]
    [InlineData("beneficial growth", 3.1875, SentimentLabel.Positive)]
    [InlineData("The company said that", 0, SentimentLabel.Neutral)]
    public void NeutralBandOfThree(string text, double raw, SentimentLabel label)
    {
        var r = Model.Score(text);
        Assert.Equal(label, r.Label);
        Assert.Equal(Squash(raw), r.Score, 12);
    }

    [Fact]
    public void ScoreIsTheSquashedSum()
    {
        Assert.Equal(4 / Math.Sqrt(31), Model.Score("Profit rose").Score, 12);
        Assert.Equal(-8 / Math.Sqrt(79), Model.Score("Shares fell after the downgrade").Score, 12);
        Assert.Equal(Squash(3), LexiconSentimentModel.NeutralBand, 12);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    [InlineData(null)]
    public void EmptyTextIsNeutralZero(string? text) => Assert.Equal(SentimentResult.Neutral, Model.Score(text));

    [Theory]
    [InlineData("<p>Profit <b>rose</b></p>", 4)] // tags leave "p" and "b", in no list
    [InlineData("Profit rose 🚀📈", 4)] // emoji are separators
    [InlineData("📉📉📉", 0)]
    [InlineData("Umsatz stieg — ümlaut ñandú 株価", 0)]
    [InlineData("profit-rose", 0)] // one hyphenated token, in no list
    public void HtmlEmojiAndNonAscii(string text, double raw) => Assert.Equal(raw, Raw(text), 12);

    [Fact]
    public void LongTextStaysInBoundsAndAllocatesNothing()
    {
        var text = string.Concat(Enumerable.Repeat("Profit rose. ", 800))[..10_000]; // 769 whole "Profit rose. " (13 chars) and "Pro"
        var r = Model.Score(text);
        Assert.Equal(SentimentLabel.Positive, r.Label);
        Assert.InRange(r.Score, 0.999, 1.0);
        Assert.Equal(SentimentResult.Neutral, Model.Score(new string('x', 10_000)));

        Raw(text); // warm the pools of this thread
        var before = GC.GetAllocatedBytesForCurrentThread();
        var raw = Raw(text);
        Assert.Equal(0L, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(769 * 4, raw, 9); // the cut "Pro" at the end is in no list
    }

    [Fact]
    public void ScoresStayWithinMinusOneAndOne()
    {
        string[] vocabulary = ["profit", "rose", "fell", "loss", "not", "good", "bad", "fraud", "great", "beats", "estimates", "net", "downgraded", "cuts", "guidance", "growth", "never"];
        var random = new Random(7);
        for (var k = 0; k < 2_000; k++)
        {
            var words = Enumerable.Range(0, random.Next(1, 60)).Select(_ => vocabulary[random.Next(vocabulary.Length)]);
            var r = Model.Score(string.Join(' ', words));
            Assert.InRange(r.Score, -1.0, 1.0);
            Assert.Equal(r.Score >= LexiconSentimentModel.NeutralBand ? SentimentLabel.Positive : r.Score <= -LexiconSentimentModel.NeutralBand ? SentimentLabel.Negative : SentimentLabel.Neutral, r.Label);
        }
    }

    [Fact]
    public void BatchScoresLikeOneByOne()
    {
        string[] texts = ["Profit rose", "", "Profit warning", "Growth"];
        var results = new SentimentResult[texts.Length];
        Model.Score(texts, results);
        Assert.Equal(texts.Select(Model.Score), results);
        Assert.Throws<ArgumentException>(() => Model.Score(texts, new SentimentResult[2]));
    }
}
