using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace SentryBrain.Signals.Sentiment.Onnx;

/// <summary>
/// HuggingFace's BERT pre-tokenisation: split on whitespace, and every punctuation character is a word of its own,
/// where punctuation is any ASCII non-alphanumeric symbol ($, +, &lt;, ^…) or a Unicode P* character. Symbols that are
/// neither (€, emoji) stay inside their word, so an emoji alone becomes [UNK]. Microsoft.ML.Tokenizers' default
/// (<c>\w+|\p{P}</c>) silently drops $ + = &lt; &gt; ^ ` | ~ and emoji, which a FinBERT vocabulary knows.
/// </summary>
internal sealed class BertPreTokenizer : PreTokenizer
{
    public static readonly BertPreTokenizer Instance = new();

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<(int, int)>();
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c) || IsPunctuation(c))
            {
                if (start >= 0)
                {
                    words.Add((start, i - start));
                    start = -1;
                }

                if (!char.IsWhiteSpace(c))
                {
                    words.Add((i, 1));
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }

        if (start >= 0)
        {
            words.Add((start, text.Length - start));
        }

        return words;
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => PreTokenize(text.ToString());

    // transformers' _is_punctuation: ASCII 33–47, 58–64, 91–96, 123–126, or a Unicode punctuation category.
    public static bool IsPunctuation(char c)
        => c is (>= '!' and <= '/') or (>= ':' and <= '@') or (>= '[' and <= '`') or (>= '{' and <= '~')
            || char.GetUnicodeCategory(c) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
                or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
}
