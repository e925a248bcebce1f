using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SentryBrain.Signals.Sentiment.Lexicon;

/// <summary>What a word does in a finance sentence besides its own valence.</summary>
[Flags]
internal enum WordRole : byte
{
    None = 0,
    Negator = 1,
    GoodMetric = 2,
    BadMetric = 4,
    Rising = 8,
    Falling = 16,
}

/// <summary>A fixed phrase's valence on the AFINN scale and whether it names a metric a verb may move ("net loss").</summary>
internal readonly record struct LexiconPhrase(int Valence, bool NamesMetric);

/// <summary>A word's valence on the AFINN scale (−5..5) and its finance role.</summary>
internal readonly record struct LexiconWord(double Valence, WordRole Role)
{
    public bool IsMetric => (Role & (WordRole.GoodMetric | WordRole.BadMetric)) != 0;

    public bool IsDirection => (Role & (WordRole.Rising | WordRole.Falling)) != 0;
}

/// <summary>
/// The word table of the <c>lexicon</c> model: AFINN-165 tuned for financial market news (ODbL, see README.md beside
/// this file) first; a word it lacks takes VADER's valence rescaled from ±4 to ±5 and halved (the general lexicon is
/// the weaker evidence in financial text); negators carry no valence of their own. Plus the finance roles and
/// fixed phrases of <see cref="FinancePhrases"/>. Immutable and thread-safe; looked up by span, without allocating.
/// </summary>
internal sealed class FinanceLexicon
{
    /// <summary>VADER valences span ±4, AFINN's ±5.</summary>
    public const double VaderToAfinnScale = 1.25;

    /// <summary>Weight of a VADER-only word against an AFINN-fin word (chosen on the training split: 0.5 of 0.5 and 1).</summary>
    public const double VaderWeight = 0.5;

    public const string AfinnResourceName = "SentryBrain.afinn165_financialmarketnews.json";
    private const string VaderResourceName = "SentryBrain.vader_lexicon.txt";

    private static readonly Lazy<FinanceLexicon> LazyDefault = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly FrozenDictionary<string, LexiconWord>.AlternateLookup<ReadOnlySpan<char>> _words;
    private readonly FrozenDictionary<string, LexiconPhrase>.AlternateLookup<ReadOnlySpan<char>> _phrases;

    private FinanceLexicon(FrozenDictionary<string, LexiconWord> words, FrozenDictionary<string, LexiconPhrase> phrases)
    {
        WordCount = words.Count;
        _words = words.GetAlternateLookup<ReadOnlySpan<char>>();
        _phrases = phrases.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The embedded AFINN-fin and VADER lists, loaded once on first use.</summary>
    public static FinanceLexicon Default => LazyDefault.Value;

    public int WordCount { get; }

    /// <summary>Builds the table from an AFINN JSON object (word → integer valence) and a VADER lexicon (token TAB valence …).</summary>
    public static FinanceLexicon Create(ReadOnlySpan<byte> afinnJson, TextReader vaderLexicon)
    {
        ArgumentNullException.ThrowIfNull(vaderLexicon);
        var words = new Dictionary<string, LexiconWord>(StringComparer.Ordinal);
        foreach (var (word, valence) in ReadVader(vaderLexicon))
        {
            words[word] = new LexiconWord(valence * VaderToAfinnScale * VaderWeight, WordRole.None);
        }

        foreach (var (word, valence) in ReadAfinn(afinnJson))
        {
            words[word] = new LexiconWord(valence, WordRole.None); // the finance list wins over VADER
        }

        AddRole(words, FinancePhrases.Negators, WordRole.Negator, clearValence: true);
        AddRole(words, FinancePhrases.GoodMetrics, WordRole.GoodMetric);
        AddRole(words, FinancePhrases.BadMetrics, WordRole.BadMetric);
        AddRole(words, FinancePhrases.Rising, WordRole.Rising);
        AddRole(words, FinancePhrases.Falling, WordRole.Falling);
        var phrases = FinancePhrases.Phrases.ToDictionary(p => p.Key, p => new LexiconPhrase(p.Value, NamesMetric: false), StringComparer.Ordinal);
        foreach (var (phrase, valence) in FinancePhrases.MetricPhrases)
        {
            phrases.Add(phrase, new LexiconPhrase(valence, NamesMetric: true));
        }

        return new FinanceLexicon(words.ToFrozenDictionary(StringComparer.Ordinal), phrases.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The word's entry; a token ending in "n't" is a negator whatever the lists say.</summary>
    public LexiconWord Word(ReadOnlySpan<char> token)
    {
        if (token.EndsWith("n't", StringComparison.Ordinal))
        {
            return new LexiconWord(0, WordRole.Negator);
        }

        return _words.TryGetValue(token, out var word) ? word : default;
    }

    /// <summary>The fixed phrase of these tokens (joined by one space), or null.</summary>
    public LexiconPhrase? Phrase(ReadOnlySpan<char> tokens) => _phrases.TryGetValue(tokens, out var phrase) ? phrase : null;

    private static void AddRole(Dictionary<string, LexiconWord> words, string[] list, WordRole role, bool clearValence = false)
    {
        foreach (var w in list)
        {
            var current = words.GetValueOrDefault(w);
            words[w] = new LexiconWord(clearValence ? 0 : current.Valence, current.Role | role);
        }
    }

    /// <summary>Single words only: AFINN's few multi-word entries ("not good") are left to the negation rule.</summary>
    private static IEnumerable<(string Word, int Valence)> ReadAfinn(ReadOnlySpan<byte> json)
    {
        var entries = new List<(string, int)>(4096);
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidDataException("AFINN word list: expected a JSON object of word → valence");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var word = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var valence))
            {
                throw new InvalidDataException($"AFINN word list: the valence of '{word}' is not an integer");
            }

            if (!word.Contains(' ', StringComparison.Ordinal))
            {
                entries.Add((word.ToLowerInvariant(), valence));
            }
        }

        return entries;
    }

    private static IEnumerable<(string Word, double Valence)> ReadVader(TextReader lexicon)
    {
        var entries = new List<(string, double)>(8192);
        while (lexicon.ReadLine() is { } line)
        {
            var fields = line.Split('\t');
            if (fields.Length >= 2 && fields[0].Length > 0
                && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var valence))
            {
                entries.Add((fields[0], valence)); // a repeated token: the last one wins, as in Vader
            }
        }

        return entries;
    }

    private static FinanceLexicon LoadEmbedded()
    {
        var assembly = typeof(FinanceLexicon).Assembly;
        using var afinn = assembly.GetManifestResourceStream(AfinnResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{AfinnResourceName}' is missing.");
        using var vader = assembly.GetManifestResourceStream(VaderResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{VaderResourceName}' is missing.");
        using var buffer = new MemoryStream();
        afinn.CopyTo(buffer);
        using var vaderReader = new StreamReader(vader, Encoding.UTF8);
        return Create(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), vaderReader);
    }
}
