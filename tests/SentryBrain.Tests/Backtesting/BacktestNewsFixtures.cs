using System.Globalization;
using System.Text;
using System.Text.Json;
using SentryBrain.Backtesting;
using SentryBrain.Config;
using SentryBrain.Market.Bars;
using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Tests.Backtesting;

/// <summary>Hand-built bars, news lines and a table sentiment model for the <c>backtest --news</c> tests.</summary>
internal static class BacktestNewsFixtures
{
    /// <summary>Bars on the given dates; close i = closes[i], open = the previous close, high/low around both.</summary>
    public static SymbolBars Bars(string symbol, IReadOnlyList<DateOnly> dates, IReadOnlyList<double> closes)
    {
        var bars = new List<DailyBar>();
        for (var i = 0; i < dates.Count; i++)
        {
            var open = i == 0 ? closes[0] : closes[i - 1];
            bars.Add(new DailyBar(dates[i], open, Math.Max(open, closes[i]) + 0.5, Math.Min(open, closes[i]) - 0.5, closes[i], 1_000_000));
        }

        return new SymbolBars(symbol, bars, "test");
    }

    public static BarPanel Flat(IReadOnlyList<DateOnly> dates, params string[] symbols)
        => BarPanel.Align([.. symbols.Select(s => Bars(s, dates, [.. dates.Select(_ => 100.0)]))]);

    public static DateOnly[] Dates(params string[] days) => [.. days.Select(d => DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture))];

    /// <summary>One news envelope line; <paramref name="createdAt"/> null omits created_at (the envelope ts is then the visible time).</summary>
    public static string NewsWithTs(string id, string headline, string? createdAt, string ts, params string[] symbols)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("type", "news");
            w.WriteString("ts", ts);
            w.WriteStartObject("payload");
            w.WriteString("id", id);
            w.WriteString("headline", headline);
            w.WriteString("author", "Staff");
            if (createdAt is not null)
            {
                w.WriteString("created_at", createdAt);
            }

            w.WriteString("updated_at", string.Empty);
            w.WriteString("summary", string.Empty);
            w.WriteString("url", "https://example.test/" + id);
            w.WriteStartArray("symbols");
            foreach (var s in symbols)
            {
                w.WriteStringValue(s);
            }

            w.WriteEndArray();
            w.WriteString("source", "test");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string News(string id, string headline, string createdAt, params string[] symbols) => NewsWithTs(id, headline, createdAt, createdAt, symbols);

    public static NewsTape Tape(params string[] lines) => NewsTape.Parse(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"), "news.ndjson");

    /// <summary>Defaults (no environment) with the consensus strategy's RSI source off, plus <paramref name="pairs"/>.</summary>
    public static BrainConfig NewsConfig(params (string Key, string Value)[] pairs)
        => BrainConfig.Load(ConfigSource.FromPairs([("USE_TECHNICAL_INDICATORS", "false"), .. pairs]));

    public static BacktestOptions Options(BrainConfig config, BacktestNews? news)
        => new BacktestOptions(BacktestStrategy.Consensus, config, 100_000, RecordDecisions: true) { News = news };

    /// <summary>The news value each decision of <paramref name="symbol"/> saw, by date.</summary>
    public static Dictionary<DateOnly, double?> NewsBySymbol(BacktestResult result, string symbol)
        => result.Decisions.Where(d => d.Symbol == symbol).ToDictionary(d => d.Date, d => d.News);

    public static DateOnly D(string day) => DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>A model whose scores are a table: headline → score (0 for anything else); counts the texts it scored and its calls.</summary>
internal sealed class TableModel(IReadOnlyDictionary<string, double> scores) : ISentimentModel
{
    public List<int> Batches { get; } = [];

    public List<string> Scored { get; } = [];

    public string Name => "table";

    public bool IsFast => true;

    public void Score(IReadOnlyList<string> texts, Span<SentimentResult> results)
    {
        Batches.Add(texts.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            Scored.Add(texts[i]);
            var score = scores.TryGetValue(texts[i], out var s) ? s : 0.0;
            results[i] = new SentimentResult(score, VaderSentimentModel.LabelOf(score, 0.05));
        }
    }

    public void Dispose()
    {
    }
}
