using System.Buffers;

namespace SentryBrain.Signals.Sentiment.Lexicon;

/// <summary>
/// The raw valence sum of one text under a <see cref="FinanceLexicon"/>, in three passes over its tokens:
/// <list type="number">
/// <item>fixed finance phrases, longest first ("swung to a loss", "beats estimates", "upgraded");</item>
/// <item>a metric moving: each rising/falling word takes the nearest metric up to 12 tokens before it (or 2 after:
/// "a rise in profit"), valence ±2 × (good metric +1, bad metric −1) × (rising +1, falling −1), so "net loss
/// narrowed" and "raises guidance" are good news, "costs rose" and "profit fell" bad; the metric's own word valence
/// is then spent, and so is a phrase naming that metric ("net loss narrowed" is the narrowing, not the loss);
/// the words of other phrases are skipped ("beats estimates and raises guidance" moves guidance);</item>
/// <item>every other word's valence.</item>
/// </list>
/// Phrases weigh <see cref="PhraseWeight"/> times a word; a negator (not, no, never, without, …n't) within 3 tokens
/// before a word or phrase flips it. Tokens are runs of letters and digits joined by inner apostrophes or hyphens,
/// lower-cased into one pooled buffer: scoring allocates nothing once the lexicon is loaded.
/// </summary>
internal static class LexiconScorer
{
    /// <summary>A finance phrase counts twice a word (chosen on the training split among 1, 1.5 and 2).</summary>
    public const double PhraseWeight = 2;

    public static double RawScore(FinanceLexicon lexicon, ReadOnlySpan<char> text)
    {
        ArgumentNullException.ThrowIfNull(lexicon);
        if (text.IsEmpty)
        {
            return 0;
        }

        // Each token is at most its text plus one separating space, so text.Length + 1 chars and text.Length / 2 + 1 tokens suffice.
        var maxTokens = (text.Length / 2) + 1;
        var chars = ArrayPool<char>.Shared.Rent(text.Length + 1);
        var starts = ArrayPool<int>.Shared.Rent(maxTokens);
        var ends = ArrayPool<int>.Shared.Rent(maxTokens);
        var words = ArrayPool<LexiconWord>.Shared.Rent(maxTokens);
        var used = ArrayPool<bool>.Shared.Rent(maxTokens);
        var phraseOf = ArrayPool<int>.Shared.Rent(maxTokens);
        var phraseValue = ArrayPool<double>.Shared.Rent(maxTokens);
        try
        {
            var n = Tokenize(text, chars, starts, ends);
            var tokens = new Tokens(chars, starts, ends, n);
            for (var i = 0; i < n; i++)
            {
                words[i] = lexicon.Word(tokens[i]);
                used[i] = false;
                phraseOf[i] = -1;
            }

            var w = words.AsSpan(0, n);
            var u = used.AsSpan(0, n);
            var phrases = new PhraseMarks(phraseOf.AsSpan(0, n), phraseValue.AsSpan(0, n));
            var phraseSum = Phrases(lexicon, tokens, w, u, phrases);
            return phraseSum + MetricMoves(w, u, phrases) + Words(w, u);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(phraseValue);
            ArrayPool<int>.Shared.Return(phraseOf);
            ArrayPool<bool>.Shared.Return(used);
            ArrayPool<LexiconWord>.Shared.Return(words);
            ArrayPool<int>.Shared.Return(ends);
            ArrayPool<int>.Shared.Return(starts);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static double Phrases(FinanceLexicon lexicon, Tokens tokens, ReadOnlySpan<LexiconWord> words, Span<bool> used, PhraseMarks marks)
    {
        var sum = 0.0;
        for (var length = Math.Min(FinancePhrases.MaxPhraseTokens, tokens.Count); length >= 1; length--)
        {
            for (var i = 0; i + length <= tokens.Count; i++)
            {
                if (used.Slice(i, length).Contains(true) || lexicon.Phrase(tokens.Range(i, length)) is not { } phrase)
                {
                    continue;
                }

                var value = PhraseWeight * (Negated(words, i) ? -phrase.Valence : phrase.Valence);
                sum += value;
                used.Slice(i, length).Fill(true);
                marks.Of.Slice(i, length).Fill(phrase.NamesMetric ? i : PhraseMarks.Event);
                marks.Value[i] = value;
            }
        }

        return sum;
    }

    private static double MetricMoves(ReadOnlySpan<LexiconWord> words, Span<bool> used, PhraseMarks marks)
    {
        var sum = 0.0;
        for (var i = 0; i < words.Length; i++)
        {
            if (used[i] || !words[i].IsDirection)
            {
                continue;
            }

            var metric = NearestMetric(words, marks.Of, i);
            if (metric < 0)
            {
                continue;
            }

            var direction = (words[i].Role & WordRole.Rising) != 0 ? 1 : -1;
            var goodness = (words[metric].Role & WordRole.GoodMetric) != 0 ? 1 : -1;
            var valence = FinancePhrases.MetricMoveValence * direction * goodness;
            sum += PhraseWeight * (Negated(words, i) ? -valence : valence);
            used[i] = true;
            used[metric] = true;
            if (marks.Of[metric] is var phrase and >= 0)
            {
                // The move replaces the level: take back the phrase that named the metric.
                sum -= marks.Value[phrase];
                marks.Value[phrase] = 0;
            }
        }

        return sum;
    }

    /// <summary>The nearest metric before <paramref name="i"/> within the window, else after it; −1 when none.</summary>
    private static int NearestMetric(ReadOnlySpan<LexiconWord> words, ReadOnlySpan<int> phraseOf, int i)
    {
        for (var j = i - 1; j >= Math.Max(0, i - FinancePhrases.MetricWindowBefore); j--)
        {
            if (words[j].IsMetric && phraseOf[j] != PhraseMarks.Event)
            {
                return j;
            }
        }

        for (var j = i + 1; j < Math.Min(words.Length, i + 1 + FinancePhrases.MetricWindowAfter); j++)
        {
            if (words[j].IsMetric && phraseOf[j] != PhraseMarks.Event)
            {
                return j;
            }
        }

        return -1;
    }

    private static double Words(ReadOnlySpan<LexiconWord> words, ReadOnlySpan<bool> used)
    {
        var sum = 0.0;
        for (var i = 0; i < words.Length; i++)
        {
            var valence = words[i].Valence;
            if (!used[i] && valence != 0)
            {
                sum += Negated(words, i) ? -valence : valence;
            }
        }

        return sum;
    }

    private static bool Negated(ReadOnlySpan<LexiconWord> words, int i)
    {
        for (var j = Math.Max(0, i - FinancePhrases.NegationWindow); j < i; j++)
        {
            if ((words[j].Role & WordRole.Negator) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes the lower-cased tokens, one space apart, into <paramref name="chars"/>; returns how many.</summary>
    internal static int Tokenize(ReadOnlySpan<char> text, Span<char> chars, Span<int> starts, Span<int> ends)
    {
        var n = 0;
        var length = 0;
        var inToken = false;
        for (var k = 0; k < text.Length; k++)
        {
            var c = text[k];
            if (char.IsLetterOrDigit(c))
            {
                if (!inToken)
                {
                    if (n > 0)
                    {
                        chars[length++] = ' ';
                    }

                    starts[n] = length;
                    inToken = true;
                }

                chars[length++] = char.ToLowerInvariant(c);
                continue;
            }

            // An apostrophe or hyphen between two letters/digits joins them: didn't, pre-tax, company's.
            if (inToken && c is '\'' or '’' or '-' && k + 1 < text.Length && char.IsLetterOrDigit(text[k + 1]))
            {
                chars[length++] = c == '’' ? '\'' : c;
                continue;
            }

            if (inToken)
            {
                ends[n++] = length;
                inToken = false;
            }
        }

        if (inToken)
        {
            ends[n++] = length;
        }

        return n;
    }

    /// <summary>
    /// Per token, the first token of the metric phrase holding it, <see cref="Event"/> inside another phrase, −1 in
    /// none; per phrase start, what the phrase added.
    /// </summary>
    private readonly ref struct PhraseMarks(Span<int> of, Span<double> value)
    {
        public const int Event = -2;

        public Span<int> Of { get; } = of;

        public Span<double> Value { get; } = value;
    }

    /// <summary>Token views over the pooled buffer; <see cref="Range"/> is "w1 w2 …" with single spaces, as phrases are keyed.</summary>
    private readonly ref struct Tokens(char[] chars, int[] starts, int[] ends, int count)
    {
        public int Count { get; } = count;

        public ReadOnlySpan<char> this[int i] => chars.AsSpan(starts[i], ends[i] - starts[i]);

        public ReadOnlySpan<char> Range(int first, int length) => chars.AsSpan(starts[first], ends[first + length - 1] - starts[first]);
    }
}
