using System.Globalization;
using System.Text;
using System.Text.Json;
using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Tests.Signals;

public sealed class VaderTests
{
    private const double Tolerance = 1e-3;

    [Fact]
    public void GoldenVectors_MatchPythonReference()
    {
        var vectors = LoadGoldenVectors();
        Assert.NotEmpty(vectors);

        var failures = new StringBuilder();
        foreach (var (text, expected) in vectors)
        {
            var actual = Vader.Default.PolarityScores(text);
            if (Math.Abs(actual.Negative - expected.Negative) > Tolerance
                || Math.Abs(actual.Neutral - expected.Neutral) > Tolerance
                || Math.Abs(actual.Positive - expected.Positive) > Tolerance
                || Math.Abs(actual.Compound - expected.Compound) > Tolerance)
            {
                failures.Append(CultureInfo.InvariantCulture, $"\"{text}\": expected {expected}, got {actual}\n");
            }
        }

        Assert.True(failures.Length == 0, $"Golden vector mismatches:\n{failures}");
    }

    [Fact]
    public void Negation_FlipsSign()
    {
        var plain = Vader.Default.PolarityScores("The book was good.");
        var negated = Vader.Default.PolarityScores("The book was not good.");
        var contraction = Vader.Default.PolarityScores("The book isn't good.");

        Assert.True(plain.Compound > 0);
        Assert.True(negated.Compound < 0);
        Assert.True(contraction.Compound < 0);
    }

    [Fact]
    public void AllCapsBooster_AmplifiesMoreThanLowercase()
    {
        var lower = Vader.Default.PolarityScores("The movie was very good");
        var upper = Vader.Default.PolarityScores("The movie was VERY good");
        var none = Vader.Default.PolarityScores("The movie was good");

        Assert.True(lower.Compound > none.Compound);
        Assert.True(upper.Compound > lower.Compound);
    }

    [Fact]
    public void AllCaps_WithoutDifferential_IsNotEmphasis()
    {
        // Every token upper-case: no differential, so caps add nothing.
        var shouted = Vader.Default.PolarityScores("GOOD MOVIE");
        var quiet = Vader.Default.PolarityScores("good movie");

        Assert.Equal(quiet, shouted);
    }

    [Fact]
    public void But_ShiftsWeightToLaterClause()
    {
        var withBut = Vader.Default.PolarityScores("The food was great, but the service was terrible.");
        var withAnd = Vader.Default.PolarityScores("The food was great, and the service was terrible.");

        // great 3.1 vs terrible -2.5: positive overall with "and", negative once "but" reweights (0.5 / 1.5).
        Assert.True(withAnd.Compound > 0);
        Assert.True(withBut.Compound < 0);
    }

    [Fact]
    public void But_ReproducesUpstreamLookupByValue()
    {
        // Upstream scales by list.index(value): [2, 0, 1] -> first pass [1, 0, 1], then the "1" after "but"
        // resolves to index 0 and halves it again: [0.5, 0, 1], sum 1.5 (not 1 + 1.5 = 2.5).
        var vader = Vader.FromLexicon(new StringReader("alpha\t2.0\t0.5\t[2]\nbeta\t1.0\t0.5\t[1]\n"));

        var scores = vader.PolarityScores("alpha but beta");

        Assert.Equal(Math.Round(1.5 / Math.Sqrt((1.5 * 1.5) + 15), 4), scores.Compound, 10);
        Assert.Equal(0.778, scores.Positive, 10); // pos_sum (0.5+1) + (1+1) = 3.5 over 3.5 + 1 neutral
        Assert.Equal(0.222, scores.Neutral, 10);
    }

    [Fact]
    public void Least_NegatesUnlessAtLeast()
    {
        var least = Vader.Default.PolarityScores("Roger Dodger is one of the least compelling variations on this theme.");
        var atLeast = Vader.Default.PolarityScores("Roger Dodger is at least compelling as a variation on the theme.");

        Assert.True(least.Compound < 0);
        Assert.True(atLeast.Compound > 0);
    }

    [Fact]
    public void SpecialIdiom_OverridesWordValence()
    {
        // "shit" alone is negative; "the shit" is an idiom worth +3 (needs three preceding tokens).
        var idiom = Vader.Default.PolarityScores("With VADER, sentiment analysis is the shit!");
        var plain = Vader.Default.PolarityScores("Most automated sentiment analysis tools are shit.");

        Assert.True(idiom.Compound > 0);
        Assert.True(plain.Compound < 0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \t\n ")]
    public void EmptyText_IsAllZeros(string text)
    {
        var scores = Vader.Default.PolarityScores(text);

        Assert.Equal(new VaderScores(0, 0, 0, 0), scores);
    }

    [Fact]
    public void NeutralText_IsFullyNeutral()
    {
        var scores = Vader.Default.PolarityScores("Watch the rose wilt.");

        Assert.Equal(new VaderScores(0, 1, 0, 0), scores);
    }

    [Fact]
    public void PunctuationEmphasis_IsCapped()
    {
        var four = Vader.Default.PolarityScores("good!!!!");
        var many = Vader.Default.PolarityScores("good!!!!!!!!");
        var two = Vader.Default.PolarityScores("good!!");

        Assert.Equal(four.Compound, many.Compound);
        Assert.True(four.Compound > two.Compound);
    }

    [Fact]
    public void Scores_AreBoundedAndSumToOne()
    {
        var scores = Vader.Default.PolarityScores(
            "It was one of the worst movies I've seen, despite good reviews. Unbelievably bad acting!! VERY BAD movie!");

        Assert.InRange(scores.Compound, -1.0, 1.0);
        Assert.Equal(1.0, scores.Negative + scores.Neutral + scores.Positive, 2);
    }

    [Fact]
    public void FromLexicon_LastDuplicateWins()
    {
        var vader = Vader.FromLexicon(new StringReader("foo\t2.0\t0.1\t[2]\n\nfoo\t-2.0\t0.1\t[-2]\n"));

        Assert.True(vader.PolarityScores("foo").Compound < 0);
    }

    [Fact]
    public void Tokenize_StripsEdgePunctuationButKeepsEmoticons()
    {
        var tokens = Vader.Tokenize("Hello, world!! :) :D (ok) \"isn't\"");

        Assert.Equal(["Hello", "world", ":)", ":D", "(ok)", "isn't"], tokens);
    }

    [Theory]
    [InlineData(2.675, 2, 2.67)]
    [InlineData(0.0625, 3, 0.062)]
    [InlineData(0.0635, 3, 0.064)]
    [InlineData(-0.0625, 3, -0.062)]
    [InlineData(0.5, 0, 0.0)]
    [InlineData(1.5, 0, 2.0)]
    [InlineData(0.83155, 4, 0.8316)]
    public void PythonRound_MatchesPythonSemantics(double value, int digits, double expected)
    {
        Assert.Equal(expected, Vader.PythonRound(value, digits));
    }

    [Fact]
    public void Default_IsSingleton()
    {
        Assert.Same(Vader.Default, Vader.Default);
    }

    private static List<(string Text, VaderScores Expected)> LoadGoldenVectors()
    {
        var path = GoldenVectorPath();
        Assert.True(
            File.Exists(path),
            $"VADER golden vectors not found at '{path}' (expected tests/SentryBrain.Tests/Fixtures/vader_golden_vectors.json).");

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var vectors = new List<(string, VaderScores)>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var expected = item.GetProperty("python_3_3_2");
            vectors.Add((
                item.GetProperty("text").GetString()!,
                new VaderScores(
                    expected.GetProperty("neg").GetDouble(),
                    expected.GetProperty("neu").GetDouble(),
                    expected.GetProperty("pos").GetDouble(),
                    expected.GetProperty("compound").GetDouble())));
        }

        return vectors;
    }

    private static string GoldenVectorPath()
        => Path.Combine(DocsTests.RepoRoot(), "tests", "SentryBrain.Tests", "Fixtures", "vader_golden_vectors.json");
}
