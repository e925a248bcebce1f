using System.Text;
using SentryBrain.Signals.Sentiment.Onnx;

namespace SentryBrain.Tests.Signals.Sentiment.Onnx;

/// <summary>WordPiece rows for awkward news text: always [CLS] … [SEP], never longer than MaxTokens, unknowns as [UNK].</summary>
public sealed class TokenizationTests
{
    public static readonly string[] EdgeCases =
    [
        "",
        "   \t\r\n  ",
        "<p>Profit <b>rose</b> &amp; shares gained</p><script>alert('x')</script>",
        LongText(),
        "Café résumé naïve — Zürich Übersee ÅÄÖ",
        "市场 上涨 利润 市市",
        "🚀🚀 shares 📉 loss 🤷‍♂️ 👍🏽",
        "\u0000\u0007 control \u200b zero\u00a0width",
        "PROFIT ROSE!!! ... ,,, ???",
        "zyxwvut qqq",
        new string('a', 500),
    ];

    private static BertInputTokenizer Tokenizer => BertInputTokenizer.FromVocab(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', TinyBert.Vocab))));

    private static string LongText()
    {
        var sb = new StringBuilder();
        while (sb.Length < 10_000)
        {
            sb.Append("The company's quarterly profit rose 12% to $1.2bn; shares gained in Zürich trading. ");
        }

        return sb.ToString(0, 10_000);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(512)]
    public void Every_edge_case_gives_a_row_of_at_most_MaxTokens_starting_CLS_and_ending_SEP(int maxTokens)
    {
        var tokenizer = Tokenizer;
        foreach (var text in EdgeCases)
        {
            var ids = tokenizer.Encode(text, maxTokens);
            Assert.InRange(ids.Length, 2, maxTokens);
            Assert.Equal(tokenizer.ClsId, ids[0]);
            Assert.Equal(tokenizer.SepId, ids[^1]);
            Assert.All(ids, id => Assert.InRange(id, 0, TinyBert.Vocab.Length - 1));
        }
    }

    [Fact]
    public void Empty_and_whitespace_are_CLS_SEP_only()
    {
        var tokenizer = Tokenizer;
        int[] clsSep = [TinyBert.Id("[CLS]"), TinyBert.Id("[SEP]")];
        Assert.Equal(clsSep, tokenizer.Encode("", 16));
        Assert.Equal(clsSep, tokenizer.Encode(" \t\n ", 16));
    }

    [Fact]
    public void Known_words_lowercase_split_into_wordpieces_and_unknown_words_become_UNK()
    {
        var tokenizer = Tokenizer;
        Assert.True(tokenizer.LowerCase, "a vocabulary without capitals is uncased");
        int[] expected = [TinyBert.Id("[CLS]"), TinyBert.Id("profit"), TinyBert.Id("##s"), TinyBert.Id("rose"), TinyBert.Id("[UNK]"), TinyBert.Id("!"), TinyBert.Id("[SEP]")];
        Assert.Equal(expected, tokenizer.Encode("Profits ROSE zyxw!", 16));
    }

    [Fact]
    public void Accents_are_stripped_CJK_characters_are_split_and_emoji_are_unknown()
    {
        var tokenizer = Tokenizer;
        int Cls = TinyBert.Id("[CLS]"), Sep = TinyBert.Id("[SEP]"), Unk = TinyBert.Id("[UNK]");
        Assert.Equal([Cls, TinyBert.Id("cafe"), Sep], tokenizer.Encode("Café", 16));
        Assert.Equal([Cls, TinyBert.Id("市"), Unk, TinyBert.Id("市"), Sep], tokenizer.Encode("市场市", 16));
        Assert.Equal([Cls, Unk, TinyBert.Id("loss"), Sep], tokenizer.Encode("📉 loss", 16));
    }

    [Fact]
    public void Html_tags_are_plain_punctuation_and_words()
    {
        var ids = Tokenizer.Encode("<p>profit</p>", 16);
        int[] expected = [TinyBert.Id("[CLS]"), TinyBert.Id("<"), TinyBert.Id("p"), TinyBert.Id(">"), TinyBert.Id("profit"), TinyBert.Id("<"), TinyBert.Id("/"), TinyBert.Id("p"), TinyBert.Id(">"), TinyBert.Id("[SEP]")];
        Assert.Equal(expected, ids);
    }

    [Fact]
    public void Symbols_are_words_of_their_own_as_in_HuggingFace_not_dropped()
    {
        int Unk = TinyBert.Id("[UNK]");
        int[] expected = [TinyBert.Id("[CLS]"), TinyBert.Id("profit"), Unk, TinyBert.Id("loss"), Unk, Unk, TinyBert.Id("cut"), TinyBert.Id("[SEP]")];
        Assert.Equal(expected, Tokenizer.Encode("profit+loss $^cut", 16));
    }

    [Fact]
    public void Truncation_keeps_the_first_tokens()
    {
        var tokenizer = Tokenizer;
        var text = string.Join(' ', Enumerable.Repeat("profit loss the market", 50));
        var full = tokenizer.Encode(text, 512);
        var cut = tokenizer.Encode(text, 10);
        Assert.Equal(202, full.Length);
        Assert.Equal(full[..9], cut[..9]);
        Assert.Equal(TinyBert.Id("[SEP]"), cut[9]);
    }

    [Fact]
    public void A_tokenizer_json_gives_the_same_ids_as_the_vocab_txt()
    {
        var fromVocab = Tokenizer;
        var fromJson = TokenizerJson.Load(new MemoryStream(Encoding.UTF8.GetBytes(TinyBert.TokenizerJsonText())));
        Assert.True(fromJson.LowerCase);
        foreach (var text in EdgeCases.Append("Profits ROSE zyxw! Café 市场"))
        {
            foreach (var max in new[] { 8, 64, 512 })
            {
                Assert.Equal(fromVocab.Encode(text, max), fromJson.Encode(text, max));
            }
        }
    }

    [Fact]
    public void A_cased_vocabulary_keeps_case()
    {
        var words = Enumerable.Range(0, 100).Select(i => $"Word{i}").Concat(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "profit", "Profit"]);
        var tokenizer = BertInputTokenizer.FromVocab(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', words))));
        Assert.False(tokenizer.LowerCase);
        var ids = tokenizer.Encode("Profit profit", 8);
        Assert.NotEqual(ids[1], ids[2]);
    }

    [Fact]
    public void A_byte_level_BPE_tokenizer_json_is_refused_with_a_message()
    {
        const string Roberta = """{"model": {"type": "BPE", "vocab": {"<s>": 0}, "merges": []}}""";
        var e = Assert.Throws<InvalidDataException>(() => TokenizerJson.Load(new MemoryStream(Encoding.UTF8.GetBytes(Roberta))));
        Assert.Contains("BPE", e.Message);
        Assert.Contains("WordPiece", e.Message);
    }

    [Fact]
    public void A_vocabulary_without_CLS_is_refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => BertInputTokenizer.FromVocab(new MemoryStream(Encoding.UTF8.GetBytes("<s>\n</s>\n<unk>\nhello"))));
        Assert.Contains("[CLS]", e.Message);
    }
}
