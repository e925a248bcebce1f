using System.Globalization;
using System.Text;

namespace SentryBrain.Signals.Sentiment;

/// <summary>A labelled sentence of an evaluation set such as the Financial PhraseBank.</summary>
public sealed record LabelledSentence(SentimentLabel Label, string Text);

/// <summary>
/// Reads <c>result,content</c> CSV files (labels negative/neutral/positive; content quoted as RFC 4180 when it holds
/// commas or quotes) and splits them into a training 80 % and a held-out 20 %, stratified by label with a fixed seed,
/// so <c>sentiment train --split</c> and <c>sentiment eval --split</c> agree on which sentences are held out.
/// </summary>
public static class LabelledSentences
{
    public const int SplitSeed = 20_141_202;
    public const double HeldOutShare = 0.2;

    /// <summary>The sentences of <paramref name="path"/>; a bad line is an <see cref="InvalidDataException"/> naming it.</summary>
    public static IReadOnlyList<LabelledSentence> Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path);
    }

    public static IReadOnlyList<LabelledSentence> Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var sentences = new List<LabelledSentence>();
        var lineNo = 0;
        var header = true;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }

            var comma = line.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0)
            {
                throw new InvalidDataException($"{name}:{lineNo}: expected 'label,text'");
            }

            var labelText = line[..comma];
            if (header)
            {
                header = false;
                if (labelText.Trim().Equals("result", StringComparison.OrdinalIgnoreCase) || labelText.Trim().Equals("label", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
            }

            var label = SentimentResult.Parse(labelText)
                ?? throw new InvalidDataException($"{name}:{lineNo}: label '{labelText}' is not negative, neutral or positive");
            sentences.Add(new LabelledSentence(label, Unquote(line[(comma + 1)..], name, lineNo)));
        }

        return sentences;
    }

    /// <summary>The held-out 20 % (stratified, <see cref="SplitSeed"/>) and the rest, each in file order.</summary>
    public static (IReadOnlyList<LabelledSentence> Train, IReadOnlyList<LabelledSentence> HeldOut) Split(IReadOnlyList<LabelledSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var heldOut = new bool[sentences.Count];
        var random = new Random(SplitSeed);
        foreach (var label in Enum.GetValues<SentimentLabel>())
        {
            var indices = Enumerable.Range(0, sentences.Count).Where(i => sentences[i].Label == label).ToArray();
            random.Shuffle(indices);
            var take = (int)Math.Round(indices.Length * HeldOutShare, MidpointRounding.AwayFromZero);
            foreach (var i in indices.AsSpan(0, take))
            {
                heldOut[i] = true;
            }
        }

        var train = new List<LabelledSentence>();
        var held = new List<LabelledSentence>();
        for (var i = 0; i < sentences.Count; i++)
        {
            (heldOut[i] ? held : train).Add(sentences[i]);
        }

        return (train, held);
    }

    private static string Unquote(string field, string name, int lineNo)
    {
        if (field.Length == 0 || field[0] != '"')
        {
            return field;
        }

        if (field.Length < 2 || field[^1] != '"')
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{name}:{lineNo}: unterminated quoted text"));
        }

        return field[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
    }
}
