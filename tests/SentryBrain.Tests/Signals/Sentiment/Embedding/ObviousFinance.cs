using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Tests.Signals.Sentiment.Embedding;

/// <summary>
/// A small labelled set written for these tests (not from the PhraseBank): 42 plain finance sentences whose
/// sentiment nobody would dispute, and six more of the same kind kept out of training to check the head generalises.
/// </summary>
internal static class ObviousFinance
{
    public const string Csv = """
        result,content
        positive,Quarterly profit doubled and the company raised its full-year guidance.
        positive,Revenue grew strongly and beat analyst estimates.
        positive,The bank reported record earnings and increased its dividend.
        positive,Sales rose sharply thanks to strong demand for the new product.
        positive,Net income jumped to a record high this quarter.
        positive,The shares surged after the company won a large new contract.
        positive,Operating margin improved significantly compared with last year.
        positive,The analyst upgraded the stock to buy on strong growth prospects.
        positive,Orders increased substantially and the outlook was raised.
        positive,The retailer posted excellent results with profits up forty percent.
        positive,Earnings per share rose well above expectations.
        positive,The firm returned to profit and expects further growth.
        positive,Cash flow improved strongly and debt was reduced.
        positive,The company announced a successful expansion and higher profits.
        negative,Quarterly profit collapsed and the company cut its guidance.
        negative,Revenue fell sharply and missed analyst estimates.
        negative,The bank reported a heavy loss and suspended its dividend.
        negative,Sales dropped because demand for its products weakened.
        negative,Net loss widened to a record this quarter.
        negative,The shares plunged after the company lost its largest customer.
        negative,Operating margin deteriorated badly compared with last year.
        negative,The analyst downgraded the stock to sell on weak prospects.
        negative,Orders declined steeply and the outlook was lowered.
        negative,The retailer posted terrible results with profits down forty percent.
        negative,Earnings per share fell far below expectations.
        negative,The firm swung to a loss and warned of further decline.
        negative,The company will cut two thousand jobs as losses mount.
        negative,The company filed for bankruptcy after defaulting on its debt.
        neutral,The company is headquartered in Helsinki.
        neutral,The annual general meeting will be held on March 15.
        neutral,The firm has offices in twelve countries.
        neutral,The report covers the period from January to June.
        neutral,The company employs about five hundred people.
        neutral,The shares are listed on the stock exchange.
        neutral,The board consists of seven members.
        neutral,The company will publish its interim report next Tuesday.
        neutral,The agreement was signed in the capital.
        neutral,The chief executive is the founder of the company.
        neutral,The products are sold through distributors.
        neutral,The company was founded in 1985.
        neutral,The meeting will take place at the head office.
        neutral,The subsidiary operates in the logistics sector.
        """;

    /// <summary>Not in <see cref="Csv"/>.</summary>
    public static readonly LabelledSentence[] HeldOut =
    [
        new(SentimentLabel.Positive, "Profits soared and the company raised its forecast."),
        new(SentimentLabel.Positive, "Strong sales growth lifted earnings to a new record."),
        new(SentimentLabel.Negative, "Profits slumped and the company lowered its forecast."),
        new(SentimentLabel.Negative, "Weak sales pushed the company into a large loss."),
        new(SentimentLabel.Neutral, "The company's head office is located in Stockholm."),
        new(SentimentLabel.Neutral, "The interim report will be published in August."),
    ];

    public static IReadOnlyList<LabelledSentence> Sentences => LabelledSentences.Read(new StringReader(Csv), "obvious");

    /// <summary>Writes <see cref="Csv"/> into <paramref name="folder"/> and returns the file's path.</summary>
    public static string WriteTo(string folder)
    {
        var path = Path.Combine(folder, "obvious.csv");
        File.WriteAllText(path, Csv);
        return path;
    }
}
