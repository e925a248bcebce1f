using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace SentryBrain.Signals.Sentiment;

/// <summary>
/// VADER sentiment scores, rounded as upstream does: <see cref="Negative"/>, <see cref="Neutral"/> and
/// <see cref="Positive"/> to 3 decimals (they are proportions and sum to ~1), <see cref="Compound"/> to 4 decimals
/// (normalised valence in [-1, 1]).
/// </summary>
public readonly record struct VaderScores(double Negative, double Neutral, double Positive, double Compound);

/// <summary>
/// C# port of VADER (Valence Aware Dictionary and sEntiment Reasoner), following the rules of the Python
/// reference implementation vaderSentiment 3.3.x by C.J. Hutto (MIT licence, see VADER_LICENSE.txt).
/// <para>
/// Hutto, C.J. &amp; Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based Model for Sentiment Analysis of
/// Social Media Text. Eighth International Conference on Weblogs and Social Media (ICWSM-14). Ann Arbor, MI, June 2014.
/// </para>
/// <para>
/// Deliberate differences from upstream:
/// <list type="bullet">
/// <item>The 3.3.x emoji step (replacing each emoji by its textual description from emoji_utf8_lexicon.txt before
/// scoring) is omitted: emoji are scored as ordinary tokens, which the word lexicon almost never contains.</item>
/// <item>Lower-casing uses .NET invariant simple case mapping rather than Python's full mapping, which only matters
/// for a handful of non-ASCII letters (e.g. U+0130) that the lexicon does not contain.</item>
/// </list>
/// Upstream quirks that change scores are kept on purpose so results match the reference: the "but" rule looks up
/// each sentiment by value (Python <c>list.index</c>), and the three-words-back "so"/"this" emphasis ignores "never"
/// because of Python operator precedence. Instances are immutable and thread-safe.
/// </para>
/// </summary>
public sealed class Vader
{
    // Empirically derived mean sentiment intensity changes (Hutto & Gilbert 2014).
    internal const double BIncr = 0.293;
    internal const double BDecr = -0.293;
    internal const double CIncr = 0.733;
    internal const double NScalar = -0.74;
    private const double ExclamationIncr = 0.292;
    private const double QuestionIncr = 0.18;
    private const double QuestionCap = 0.96;
    private const double NormalizeAlpha = 15;

    private const string LexiconResourceName = "SentryBrain.vader_lexicon.txt";

    // Python's string.punctuation, stripped from token edges.
    private const string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private static readonly Lazy<Vader> LazyDefault = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly FrozenSet<string> Negations = new[]
    {
        "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
        "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
        "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
        "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
        "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
        "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
        "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
        "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
    }.ToFrozenSet(StringComparer.Ordinal);

    // Single-token boosters (intensifiers) and dampeners. Upstream keeps the bigrams ("kind of", ...) in the same
    // dictionary; a whitespace-split token can never equal a bigram, so they live in BoosterBigrams instead.
    private static readonly FrozenDictionary<string, double> Boosters = BuildBoosters();

    private static readonly FrozenDictionary<(string, string), double> BoosterBigrams =
        new Dictionary<(string, string), double>
        {
            [("just", "enough")] = BDecr,
            [("kind", "of")] = BDecr,
            [("sort", "of")] = BDecr,
        }.ToFrozenDictionary();

    // SPECIAL_CASES of 3.3.x: idioms containing lexicon words whose valence replaces the word's own. Upstream also
    // lists the single token "badass" (1.5), which the n-gram lookups can never hit (and the lexicon already rates
    // it). SENTIMENT_LADEN_IDIOMS ("cut the mustard", "hand to mouth", "in the red", ...) are declared upstream as
    // future work and never applied, so they are not ported.
    private static readonly FrozenDictionary<(string, string), double> SpecialBigrams =
        new Dictionary<(string, string), double>
        {
            [("the", "shit")] = 3,
            [("the", "bomb")] = 3,
            [("bad", "ass")] = 1.5,
            [("bus", "stop")] = 0.0,
            [("yeah", "right")] = -2,
            [("beating", "heart")] = 3.1,
            [("broken", "heart")] = -2.9,
        }.ToFrozenDictionary();

    private static readonly FrozenDictionary<(string, string, string), double> SpecialTrigrams =
        new Dictionary<(string, string, string), double>
        {
            [("kiss", "of", "death")] = -1.5,
            [("to", "die", "for")] = 3,
        }.ToFrozenDictionary();

    private readonly FrozenDictionary<string, double> _lexicon;

    private Vader(FrozenDictionary<string, double> lexicon)
    {
        _lexicon = lexicon;
    }

    /// <summary>The analyser over the embedded vader_lexicon.txt, loaded once on first use.</summary>
    public static Vader Default => LazyDefault.Value;

    /// <summary>
    /// Builds an analyser from a lexicon in vader_lexicon.txt format (token TAB mean-valence [TAB ...]).
    /// Blank lines are skipped; when a token repeats, the last entry wins.
    /// </summary>
    public static Vader FromLexicon(TextReader lexicon)
    {
        ArgumentNullException.ThrowIfNull(lexicon);
        var entries = new Dictionary<string, double>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (lexicon.ReadLine() is { } line)
        {
            lineNumber++;
            var trimmed = line.AsSpan().Trim();
            if (trimmed.IsEmpty)
            {
                continue;
            }

            var firstTab = trimmed.IndexOf('\t');
            if (firstTab < 0)
            {
                throw new FormatException($"VADER lexicon line {lineNumber}: expected 'token<TAB>valence'.");
            }

            var token = trimmed[..firstTab];
            var rest = trimmed[(firstTab + 1)..];
            var secondTab = rest.IndexOf('\t');
            var measure = secondTab < 0 ? rest : rest[..secondTab];
            if (!double.TryParse(measure, NumberStyles.Float, CultureInfo.InvariantCulture, out var valence))
            {
                throw new FormatException($"VADER lexicon line {lineNumber}: invalid valence '{measure.ToString()}'.");
            }

            entries[token.ToString()] = valence;
        }

        return new Vader(entries.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Scores <paramref name="text"/>; text without any token yields all zeros.</summary>
    public VaderScores PolarityScores(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        var words = Tokenize(text);
        var count = words.Count;
        if (count == 0)
        {
            return default;
        }

        var lower = new string[count];
        var upper = new bool[count];
        var allCaps = 0;
        for (var k = 0; k < count; k++)
        {
            lower[k] = words[k].ToLowerInvariant();
            upper[k] = IsPythonUpper(words[k]);
            if (upper[k])
            {
                allCaps++;
            }
        }

        // allcap_differential: some, but not all, tokens are ALL CAPS.
        var capDifferential = count - allCaps;
        var isCapDiff = capDifferential > 0 && capDifferential < count;

        var sentiments = new double[count];
        for (var i = 0; i < count; i++)
        {
            // Boosters and "kind" of "kind of" are modifiers, not sentiment bearers.
            if (Boosters.ContainsKey(lower[i]) || (i < count - 1 && lower[i] == "kind" && lower[i + 1] == "of"))
            {
                continue;
            }

            sentiments[i] = SentimentValence(lower, upper, isCapDiff, i);
        }

        ButCheck(lower, sentiments);
        return ScoreValence(sentiments, text);
    }

    private double SentimentValence(string[] lower, bool[] upper, bool isCapDiff, int i)
    {
        if (!_lexicon.TryGetValue(lower[i], out var lexiconValence))
        {
            return 0;
        }

        var count = lower.Length;
        var valence = lexiconValence;

        // "no" directly before another lexicon word acts as a negation, not as a sentiment word itself.
        if (lower[i] == "no" && i != count - 1 && _lexicon.ContainsKey(lower[i + 1]))
        {
            valence = 0.0;
        }

        if ((i > 0 && lower[i - 1] == "no")
            || (i > 1 && lower[i - 2] == "no")
            || (i > 2 && lower[i - 3] == "no" && lower[i - 1] is "or" or "nor"))
        {
            valence = lexiconValence * NScalar;
        }

        // ALL CAPS emphasis (only when the text mixes cases).
        if (upper[i] && isCapDiff)
        {
            valence = valence > 0 ? valence + CIncr : valence - CIncr;
        }

        for (var startI = 0; startI < 3; startI++)
        {
            var j = i - (startI + 1);
            if (i <= startI || _lexicon.ContainsKey(lower[j]))
            {
                continue;
            }

            // Modifiers further from the word count less.
            var scalar = ScalarIncDec(lower[j], upper[j], valence, isCapDiff);
            if (startI == 1 && scalar != 0)
            {
                scalar *= 0.95;
            }
            else if (startI == 2 && scalar != 0)
            {
                scalar *= 0.9;
            }

            valence += scalar;
            valence = NegationCheck(valence, lower, startI, i);
            if (startI == 2)
            {
                valence = SpecialIdiomsCheck(valence, lower, i);
            }
        }

        return LeastCheck(valence, lower, i);
    }

    private static double ScalarIncDec(string wordLower, bool wordIsUpper, double valence, bool isCapDiff)
    {
        if (!Boosters.TryGetValue(wordLower, out var scalar))
        {
            return 0.0;
        }

        if (valence < 0)
        {
            scalar = -scalar;
        }

        if (wordIsUpper && isCapDiff)
        {
            scalar = valence > 0 ? scalar + CIncr : scalar - CIncr;
        }

        return scalar;
    }

    private static double NegationCheck(double valence, string[] lower, int startI, int i)
    {
        switch (startI)
        {
            case 0:
                if (IsNegation(lower[i - 1]))
                {
                    valence *= NScalar;
                }

                break;
            case 1:
                if (lower[i - 2] == "never" && lower[i - 1] is "so" or "this")
                {
                    valence *= 1.25;
                }
                else if (lower[i - 2] == "without" && lower[i - 1] == "doubt")
                {
                    // "without doubt" is emphatic, not a negation.
                }
                else if (IsNegation(lower[i - 2]))
                {
                    valence *= NScalar;
                }

                break;
            case 2:
                // Upstream reads `never and (so or this) or (so or this)`, so a "so"/"this" right before the word
                // triggers the emphasis on its own; kept for parity.
                if ((lower[i - 3] == "never" && lower[i - 2] is "so" or "this") || lower[i - 1] is "so" or "this")
                {
                    valence *= 1.25;
                }
                else if (lower[i - 3] == "without" && (lower[i - 2] == "doubt" || lower[i - 1] == "doubt"))
                {
                    // "without (a) doubt" is emphatic, not a negation.
                }
                else if (IsNegation(lower[i - 3]))
                {
                    valence *= NScalar;
                }

                break;
        }

        return valence;
    }

    private static bool IsNegation(string wordLower) =>
        Negations.Contains(wordLower) || wordLower.Contains("n't", StringComparison.Ordinal);

    /// <summary>Only called for i &gt; 2.</summary>
    private static double SpecialIdiomsCheck(double valence, string[] lower, int i)
    {
        var w3 = lower[i - 3];
        var w2 = lower[i - 2];
        var w1 = lower[i - 1];
        var w0 = lower[i];

        // First match in upstream order: onezero, twoonezero, twoone, threetwoone, threetwo.
        if (SpecialBigrams.TryGetValue((w1, w0), out var special)
            || SpecialTrigrams.TryGetValue((w2, w1, w0), out special)
            || SpecialBigrams.TryGetValue((w2, w1), out special)
            || SpecialTrigrams.TryGetValue((w3, w2, w1), out special)
            || SpecialBigrams.TryGetValue((w3, w2), out special))
        {
            valence = special;
        }

        if (lower.Length - 1 > i && SpecialBigrams.TryGetValue((w0, lower[i + 1]), out special))
        {
            valence = special;
        }

        if (lower.Length - 1 > i + 1 && SpecialTrigrams.TryGetValue((w0, lower[i + 1], lower[i + 2]), out special))
        {
            valence = special;
        }

        // Dampener bigrams such as "kind of" / "sort of" before the word (no trigram boosters exist).
        if (BoosterBigrams.TryGetValue((w3, w2), out var booster))
        {
            valence += booster;
        }

        if (BoosterBigrams.TryGetValue((w2, w1), out booster))
        {
            valence += booster;
        }

        return valence;
    }

    private double LeastCheck(double valence, string[] lower, int i)
    {
        if (i > 0 && lower[i - 1] == "least" && !_lexicon.ContainsKey(lower[i - 1]))
        {
            // "least good" negates, "at least good" / "very least good" do not.
            if (i == 1 || (lower[i - 2] != "at" && lower[i - 2] != "very"))
            {
                valence *= NScalar;
            }
        }

        return valence;
    }

    /// <summary>
    /// Contrastive "but": sentiments before the first "but" are halved, those after it are multiplied by 1.5.
    /// Upstream locates each element by value (<c>list.index</c>) while rewriting the list in place, so the scale
    /// lands on the first element currently holding that value. This is reproduced exactly because it changes
    /// scores, e.g. [2, but, 1] becomes [0.5, 0, 1] upstream rather than [1, 0, 1.5].
    /// </summary>
    private static void ButCheck(string[] lower, double[] sentiments)
    {
        var butIndex = Array.IndexOf(lower, "but");
        if (butIndex < 0)
        {
            return;
        }

        for (var k = 0; k < sentiments.Length; k++)
        {
            var value = sentiments[k];
            if (value == 0)
            {
                // Scaling a zero is a no-op wherever it lands.
                continue;
            }

            // Positions after k are untouched so far, so sentiments[k] still holds its original value.
            var target = Array.IndexOf(sentiments, value, 0, k + 1);
            if (target < butIndex)
            {
                sentiments[target] = value * 0.5;
            }
            else if (target > butIndex)
            {
                sentiments[target] = value * 1.5;
            }
        }
    }

    private static VaderScores ScoreValence(double[] sentiments, string text)
    {
        var sum = 0.0;
        foreach (var s in sentiments)
        {
            sum += s;
        }

        var punctuation = PunctuationEmphasis(text);
        if (sum > 0)
        {
            sum += punctuation;
        }
        else if (sum < 0)
        {
            sum -= punctuation;
        }

        var compound = Normalize(sum);

        // Sift: each sentiment word also counts as one "neutral" unit, hence the +1 / -1.
        var positiveSum = 0.0;
        var negativeSum = 0.0;
        var neutralCount = 0;
        foreach (var s in sentiments)
        {
            if (s > 0)
            {
                positiveSum += s + 1;
            }
            else if (s < 0)
            {
                negativeSum += s - 1;
            }
            else
            {
                neutralCount++;
            }
        }

        if (positiveSum > Math.Abs(negativeSum))
        {
            positiveSum += punctuation;
        }
        else if (positiveSum < Math.Abs(negativeSum))
        {
            negativeSum -= punctuation;
        }

        var total = positiveSum + Math.Abs(negativeSum) + neutralCount;
        return new VaderScores(
            PythonRound(Math.Abs(negativeSum / total), 3),
            PythonRound(Math.Abs(neutralCount / total), 3),
            PythonRound(Math.Abs(positiveSum / total), 3),
            PythonRound(compound, 4));
    }

    private static double PunctuationEmphasis(string text)
    {
        var exclamations = 0;
        var questions = 0;
        foreach (var c in text)
        {
            if (c == '!')
            {
                exclamations++;
            }
            else if (c == '?')
            {
                questions++;
            }
        }

        var amplifier = Math.Min(exclamations, 4) * ExclamationIncr;
        if (questions > 1)
        {
            amplifier += questions <= 3 ? questions * QuestionIncr : QuestionCap;
        }

        return amplifier;
    }

    /// <summary>Maps a raw valence sum into [-1, 1]: x / sqrt(x² + alpha).</summary>
    internal static double Normalize(double score)
    {
        var normalized = score / Math.Sqrt((score * score) + NormalizeAlpha);
        return Math.Clamp(normalized, -1.0, 1.0);
    }

    /// <summary>
    /// SentiText tokenisation: split on (Python) whitespace, then strip ASCII punctuation from both ends of each
    /// token unless that leaves two characters or fewer (then the token is likely an emoticon and kept as is).
    /// </summary>
    internal static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var position = 0;
        while (position < text.Length)
        {
            while (position < text.Length && IsPythonWhitespace(text[position]))
            {
                position++;
            }

            var start = position;
            while (position < text.Length && !IsPythonWhitespace(text[position]))
            {
                position++;
            }

            if (position > start)
            {
                tokens.Add(StripPunctuationIfWord(text, start, position - start));
            }
        }

        return tokens;
    }

    private static string StripPunctuationIfWord(string text, int start, int length)
    {
        var token = text.AsSpan(start, length);
        var stripped = token.Trim(AsciiPunctuation);
        if (stripped.Length == token.Length)
        {
            return token.ToString();
        }

        return CodePointCount(stripped) <= 2 ? token.ToString() : stripped.ToString();
    }

    /// <summary>str.split() separators: Unicode whitespace plus the ASCII information separators U+001C..U+001F.</summary>
    private static bool IsPythonWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    private static int CodePointCount(ReadOnlySpan<char> span)
    {
        var count = 0;
        for (var k = 0; k < span.Length; k++)
        {
            if (char.IsHighSurrogate(span[k]) && k + 1 < span.Length && char.IsLowSurrogate(span[k + 1]))
            {
                k++;
            }

            count++;
        }

        return count;
    }

    /// <summary>Python str.isupper(): at least one cased character and no lower- or title-case ones.</summary>
    internal static bool IsPythonUpper(string word)
    {
        var cased = false;
        foreach (var rune in word.EnumerateRunes())
        {
            if (Rune.IsLower(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.TitlecaseLetter)
            {
                return false;
            }

            cased |= Rune.IsUpper(rune);
        }

        return cased;
    }

    /// <summary>
    /// Python 3 round(x, digits): rounds the exact binary value half-to-even, then returns the double nearest to
    /// the decimal result. Math.Round(x, digits) scales in floating point first and can disagree on near-ties.
    /// </summary>
    internal static double PythonRound(double value, int digits)
    {
        if (!double.IsFinite(value) || value == 0 || digits is < 0 or > 15)
        {
            return value;
        }

        var magnitude = Math.Abs(value);
        var bits = BitConverter.DoubleToInt64Bits(magnitude);
        var exponentBits = (int)((bits >> 52) & 0x7FF);
        var fraction = (ulong)bits & ((1UL << 52) - 1);
        var mantissa = exponentBits == 0 ? fraction : fraction | (1UL << 52);
        var exponent = exponentBits == 0 ? -1074 : exponentBits - 1075;

        var scale = 1UL;
        for (var d = 0; d < digits; d++)
        {
            scale *= 10;
        }

        // magnitude = mantissa * 2^exponent; an integer already has no fractional digits to round.
        if (exponent >= 0)
        {
            return value;
        }

        var scaled = (UInt128)mantissa * scale; // < 2^103
        var shift = -exponent;
        UInt128 quotient;
        if (shift >= 105)
        {
            quotient = 0; // magnitude * 10^digits < 2^-2, rounds to zero
        }
        else
        {
            quotient = scaled >> shift;
            var remainder = scaled - (quotient << shift);
            var half = (UInt128)1 << (shift - 1);
            if (remainder > half || (remainder == half && (quotient & 1) == 1))
            {
                quotient++;
            }
        }

        var rounded = (double)quotient / scale;
        return value < 0 ? -rounded : rounded;
    }

    private static FrozenDictionary<string, double> BuildBoosters()
    {
        string[] increments =
        [
            "absolutely", "amazingly", "awfully", "completely", "considerable", "considerably",
            "decidedly", "deeply", "effing", "enormous", "enormously", "entirely", "especially",
            "exceptional", "exceptionally", "extreme", "extremely", "fabulously", "flipping", "flippin",
            "frackin", "fracking", "fricking", "frickin", "frigging", "friggin", "fully",
            "fuckin", "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely",
            "incredible", "incredibly", "intensely", "major", "majorly", "more", "most", "particularly",
            "purely", "quite", "really", "remarkably", "so", "substantially", "thoroughly", "total",
            "totally", "tremendous", "tremendously", "uber", "unbelievably", "unusually", "utter",
            "utterly", "very",
        ];
        string[] decrements =
        [
            "almost", "barely", "hardly", "kinda", "kindof", "kind-of", "less", "little", "marginal",
            "marginally", "occasional", "occasionally", "partly", "scarce", "scarcely", "slight",
            "slightly", "somewhat", "sorta", "sortof", "sort-of",
        ];

        var boosters = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var word in increments)
        {
            boosters[word] = BIncr;
        }

        foreach (var word in decrements)
        {
            boosters[word] = BDecr;
        }

        return boosters.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static Vader LoadEmbedded()
    {
        using var stream = typeof(Vader).Assembly.GetManifestResourceStream(LexiconResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{LexiconResourceName}' is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return FromLexicon(reader);
    }
}
