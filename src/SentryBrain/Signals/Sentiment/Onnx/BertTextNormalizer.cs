using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace SentryBrain.Signals.Sentiment.Onnx;

/// <summary>
/// HuggingFace BERT normalisation (clean text, CJK spacing, accent stripping, lowercasing) for
/// Microsoft.ML.Tokenizers' WordPiece, whose own BERT normaliser is internal and strips accents through Unicode NFD,
/// which does nothing under InvariantGlobalization (this project's setting). Precomposed letters are folded with a
/// table instead: Latin (U+00C0–U+024F, U+1E00–U+1EFF), Greek and Cyrillic letters whose canonical decomposition is a base
/// letter plus combining marks map to that base letter, as NFD + dropping marks (Mn) does. Table generated with
/// Python's unicodedata.normalize("NFD", …).
/// </summary>
internal sealed class BertTextNormalizer(bool lowerCase, bool stripAccents) : Normalizer
{
    private const string Precomposed =
        "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊ"
        + "ċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚś"
        + "ŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǢǣǦǧǨǩǪ"
        + "ǫǬǭǮǯǰǴǵǸǹǺǻǼǽǾǿȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ΅ΆΈΉ"
        + "ΊΌΎΏΐΪΫάέήίΰϊϋόύώϓϔЀЁЃЇЌЍЎЙйѐёѓїќѝўѶѷӁӂӐӑӒӓӖӗӚӛӜӝӞӟӢӣӤӥӦӧӪӫӬӭӮӯӰ"
        + "ӱӲӳӴӵӸӹḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸ"
        + "ḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸ"
        + "ṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽ"
        + "ẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ";

    private const string Bases =
        "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcC"
        + "cCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSs"
        + "SsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoUuAaIiOoUuUuUuUuUuAaAaÆæGgKkO"
        + "oOoƷʒjGgNnAaÆæØøAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYy¨ΑΕΗ"
        + "ΙΟΥΩιΙΥαεηιυιυουωϒϒЕЕГІКИУИиеегікиуѴѵЖжАаАаЕеӘәЖжЗзИиИиОоӨөЭэУуУ"
        + "уУуЧчЫыAaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlL"
        + "lLlLlMmMmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuU"
        + "uUuVvVvWwWwWwWwWwXxXxYyZzZzZzhtwyſAaAaAaAaAaAaAaAaAaAaAaAaEeEeEe"
        + "EeEeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy";

    private static readonly Dictionary<char, char> Fold = Precomposed.Zip(Bases).ToDictionary(p => p.First, p => p.Second);

    public bool LowerCase => lowerCase;

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());

    /// <summary>
    /// transformers' BertNormalizer, in its order: drop NUL, U+FFFD and control/format characters, whitespace → ' ',
    /// spaces around CJK ideographs, strip accents (fold + drop Mn marks), lowercase.
    /// </summary>
    public override string Normalize(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        var text = stripAccents ? FoldAccents(original) : original;
        var sb = new StringBuilder(text.Length + 8);
        Span<char> buffer = stackalloc char[2];
        foreach (var rune in text.EnumerateRunes())
        {
            var value = rune.Value;
            var category = Rune.GetUnicodeCategory(rune);
            if (value is 0 or 0xFFFD)
            {
                continue;
            }

            if (value is '\t' or '\n' or '\r' || category == UnicodeCategory.SpaceSeparator)
            {
                sb.Append(' ');
                continue;
            }

            if (category is UnicodeCategory.Control or UnicodeCategory.Format
                || (stripAccents && category == UnicodeCategory.NonSpacingMark))
            {
                continue;
            }

            if (IsCjk(value))
            {
                sb.Append(' ').Append(rune.ToString()).Append(' ');
                continue;
            }

            var kept = lowerCase ? Rune.ToLowerInvariant(rune) : rune;
            sb.Append(buffer[..kept.EncodeToUtf16(buffer)]);
        }

        return sb.ToString();
    }

    // The CJK Unified Ideograph blocks transformers pads with spaces (not Hangul, Hiragana or Katakana).
    private static bool IsCjk(int cp)
        => cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);

    /// <summary>Replaces precomposed accented letters by their base letter; returns the same string when there is none.</summary>
    public static string FoldAccents(string text)
    {
        var first = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] >= '\u00c0' && Fold.ContainsKey(text[i]))
            {
                first = i;
                break;
            }
        }

        if (first < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            sb.Append(text[i] >= '\u00c0' && Fold.TryGetValue(text[i], out var b) ? b : text[i]);
        }

        return sb.ToString();
    }
}
