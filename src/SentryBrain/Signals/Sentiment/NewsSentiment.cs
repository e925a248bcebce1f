using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace SentryBrain.Signals.Sentiment;

/// <summary>
/// Sentiment of a news article from its headline and (optional, possibly HTML) summary, as a VADER compound
/// score in [-1, 1]. The headline dominates: 0.55 × headline + 0.45 × summary, or the headline alone when the
/// cleaned summary is too short to carry signal.
/// </summary>
public static partial class NewsSentiment
{
    internal const double HeadlineWeight = 0.55;
    internal const double SummaryWeight = 0.45;
    internal const int MinSummaryLength = 20;
    internal const int MaxSummaryLength = 500;

    /// <summary>Scores with <see cref="Vader.Default"/>.</summary>
    public static double Score(string? headline, string? summary) => Score(Vader.Default, headline, summary);

    /// <summary>0 without a headline; otherwise the headline/summary blend described on the type.</summary>
    public static double Score(Vader vader, string? headline, string? summary)
    {
        ArgumentNullException.ThrowIfNull(vader);
        var (head, body) = Texts(headline, summary);
        return head is null ? 0.0 : Blend(vader.PolarityScores(head).Compound, body is null ? null : vader.PolarityScores(body).Compound);
    }

    /// <summary>
    /// What a model scores for an article: the headline (null when blank: the article scores 0) and the cleaned
    /// summary (null when too short to carry signal). Every model scores the same two texts and <see cref="Blend"/>s them.
    /// </summary>
    public static (string? Headline, string? Summary) Texts(string? headline, string? summary)
    {
        if (string.IsNullOrWhiteSpace(headline))
        {
            return (null, null);
        }

        var cleanSummary = CleanSummary(summary);
        return (headline, cleanSummary.Length < MinSummaryLength ? null : cleanSummary);
    }

    /// <summary>0.55 × headline + 0.45 × summary, or the headline alone without a summary score.</summary>
    public static double Blend(double headlineScore, double? summaryScore)
        => summaryScore is { } s ? (HeadlineWeight * headlineScore) + (SummaryWeight * s) : headlineScore;

    /// <summary>
    /// Strips HTML tags, decodes entities, collapses whitespace runs to single spaces (trimmed) and cuts the
    /// result to <see cref="MaxSummaryLength"/> characters without splitting a surrogate pair.
    /// </summary>
    internal static string CleanSummary(string? summary)
    {
        if (string.IsNullOrEmpty(summary))
        {
            return string.Empty;
        }

        // Tags become spaces so "<p>a</p><p>b</p>" reads "a b"; entities are decoded after stripping, so an
        // escaped "&lt;b&gt;" stays visible text.
        var decoded = WebUtility.HtmlDecode(HtmlTag().Replace(summary, " "));

        var builder = new StringBuilder(Math.Min(decoded.Length, MaxSummaryLength + 1));
        var pendingSpace = false;
        foreach (var c in decoded)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
            if (builder.Length > MaxSummaryLength)
            {
                break;
            }
        }

        if (builder.Length > MaxSummaryLength)
        {
            var cut = char.IsHighSurrogate(builder[MaxSummaryLength - 1]) ? MaxSummaryLength - 1 : MaxSummaryLength;
            builder.Length = cut;
        }

        return builder.ToString();
    }

    // A tag starts with a letter, '/', '!' (comments, doctype) or '?', so "a < b > c" in plain text survives.
    [GeneratedRegex(@"<[A-Za-z/!?][^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex HtmlTag();
}
