using System.Text;
using Microsoft.ML.Tokenizers;

namespace SentryBrain.Signals.Sentiment.Onnx;

/// <summary>
/// WordPiece tokenisation of one text into a BERT input row: [CLS] tokens… [SEP], truncated to a row width, through
/// Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> (basic tokenisation, CJK split, accents stripped when
/// lowercasing, like HuggingFace's BertTokenizer). Built from a <c>vocab.txt</c> or a WordPiece <c>tokenizer.json</c>.
/// </summary>
public sealed class BertInputTokenizer
{
    private readonly BertTokenizer _tokenizer;

    private BertInputTokenizer(BertTokenizer tokenizer, bool lowerCase)
    {
        _tokenizer = tokenizer;
        LowerCase = lowerCase;
    }

    public bool LowerCase { get; }

    public int ClsId => _tokenizer.ClassificationTokenId;

    public int SepId => _tokenizer.SeparatorTokenId;

    public int PadId => _tokenizer.PaddingTokenId;

    public int UnknownId => _tokenizer.UnknownTokenId;

    /// <summary>
    /// From a vocab.txt (one token a line, line number = id). <paramref name="lowerCase"/> null: an uncased vocabulary
    /// (hardly any token with a capital letter outside the [SPECIAL] ones) lowercases, a cased one does not.
    /// </summary>
    public static BertInputTokenizer FromVocab(Stream vocab, bool? lowerCase = null)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        using var reader = new StreamReader(vocab, Encoding.UTF8);
        var tokens = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            tokens.Add(line.TrimEnd('\r'));
        }

        return FromTokens(tokens, lowerCase ?? !LooksCased(tokens), stripAccents: null, TokenNames.Default);
    }

    public static BertInputTokenizer FromVocabFile(string path, bool? lowerCase = null)
    {
        using var stream = File.OpenRead(path);
        return FromVocab(stream, lowerCase);
    }

    /// <summary>Tokens by id (no gaps) with the special token names; throws <see cref="InvalidDataException"/> when a required special token is missing.</summary>
    internal static BertInputTokenizer FromTokens(IReadOnlyList<string> tokens, bool lowerCase, bool? stripAccents, TokenNames names)
    {
        var known = new HashSet<string>(tokens, StringComparer.Ordinal);
        foreach (var required in new[] { names.Cls, names.Sep, names.Unknown })
        {
            if (!known.Contains(required))
            {
                throw new InvalidDataException($"the vocabulary has no {required} token (a BERT WordPiece vocabulary needs [CLS], [SEP] and [UNK]; {tokens.Count} tokens read)");
            }
        }

        // The library looks these up too: a vocabulary without [PAD]/[MASK] pads with id 0 and never masks.
        var pad = known.Contains(names.Pad) ? names.Pad : tokens.Count > 0 ? tokens[0] : names.Pad;
        var mask = known.Contains(names.Mask) ? names.Mask : names.Unknown;

        var text = new StringBuilder(tokens.Count * 8);
        foreach (var token in tokens)
        {
            text.Append(token).Append('\n');
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text.ToString()));
        var strip = stripAccents ?? lowerCase;
        var options = new BertOptions
        {
            // HuggingFace-faithful normaliser and pre-tokeniser in place of the library's defaults (see each class).
            Normalizer = new BertTextNormalizer(lowerCase, strip),
            PreTokenizer = BertPreTokenizer.Instance,
            LowerCaseBeforeTokenization = lowerCase,
            RemoveNonSpacingMarks = strip,
            ApplyBasicTokenization = true,
            IndividuallyTokenizeCjk = true,
            SplitOnSpecialTokens = false,
            ClassificationToken = names.Cls,
            SeparatorToken = names.Sep,
            PaddingToken = pad,
            MaskingToken = mask,
            UnknownToken = names.Unknown,
            ContinuingSubwordPrefix = names.SubwordPrefix,
        };
        return new BertInputTokenizer(BertTokenizer.Create(stream, options), lowerCase);
    }

    /// <summary>
    /// Writes [CLS] + the text's first <c>ids.Length − 2</c> tokens + [SEP] into <paramref name="ids"/>; returns how
    /// many ids were written (2 for an empty text). Text past the limit is not tokenised at all.
    /// </summary>
    public int Encode(string text, Span<int> ids)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (ids.Length < 3)
        {
            throw new ArgumentException("a row needs room for [CLS], one token and [SEP]", nameof(ids));
        }

        var n = 0;
        ids[n++] = ClsId;
        if (!string.IsNullOrWhiteSpace(text))
        {
            var body = _tokenizer.EncodeToIds(text, ids.Length - 2, addSpecialTokens: false, out _, out _);
            for (var i = 0; i < body.Count; i++)
            {
                ids[n++] = body[i];
            }
        }

        ids[n++] = SepId;
        return n;
    }

    /// <summary>The token ids of <paramref name="text"/> with [CLS]/[SEP], at most <paramref name="maxTokens"/>.</summary>
    public int[] Encode(string text, int maxTokens)
    {
        var ids = new int[maxTokens];
        return ids[..Encode(text, ids)];
    }

    // Uncased BERT vocabularies have (almost) no capital letters outside [CLS]-style tokens; cased ones have thousands.
    private static bool LooksCased(IReadOnlyList<string> tokens)
    {
        var cased = 0;
        foreach (var token in tokens)
        {
            if (token.Length > 0 && token[0] != '[' && token.Any(char.IsUpper))
            {
                cased++;
            }
        }

        return cased > tokens.Count / 100;
    }

    /// <summary>The special tokens' spellings (HuggingFace's BERT defaults unless a tokenizer.json says otherwise).</summary>
    internal sealed record TokenNames(string Cls, string Sep, string Pad, string Mask, string Unknown, string SubwordPrefix)
    {
        public static readonly TokenNames Default = new("[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]", "##");
    }
}
