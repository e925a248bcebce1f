using System.Globalization;
using System.Text;
using System.Text.Json;
using SentryBrain.Config;

namespace SentryBrain.Backtesting;

/// <summary>The news parts of a report (<c>backtest --news</c>): the summary.json object, the summary.md section, the manifest's pin.</summary>
public static class BacktestNewsReport
{
    /// <summary>Bad lines listed in summary.md; all are counted.</summary>
    private const int ListedIssues = 20;

    /// <summary>The <c>news</c> object of summary.json (deterministic: no time, fixed order).</summary>
    public static void WriteJson(Utf8JsonWriter w, BacktestNews news, BacktestNewsStats? stats, SentimentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(news);
        ArgumentNullException.ThrowIfNull(settings);
        var tape = news.Tape;
        w.WriteStartObject("news");
        w.WriteString("path", tape.Path);
        w.WriteString("sha256", tape.Sha256);
        w.WriteString("model", news.Model);
        w.WriteNumber("half_life_min", settings.BacktestNewsHalfLifeMin);
        w.WriteNumber("max_age_days", settings.BacktestNewsMaxAgeDays);
        w.WriteNumber("dedupe_window_min", settings.NewsDedupeWindowMin);
        w.WriteNumber("lines", tape.Lines);
        w.WriteNumber("items_read", tape.Items.Count);
        w.WriteNumber("other_lines", tape.OtherLines);
        w.WriteNumber("bad_lines", tape.BadLines);
        if (stats is not null)
        {
            w.WriteNumber("visible", stats.Visible);
            w.WriteNumber("duplicates", stats.Duplicates);
            w.WriteNumber("used", stats.Used);
            w.WriteNumber("market_wide", stats.MarketWide);
            w.WriteStartArray("symbols");
            foreach (var s in stats.Symbols)
            {
                w.WriteStartObject();
                w.WriteString("symbol", s.Symbol);
                w.WriteNumber("items", s.Items);
                w.WriteNumber("entries_on_news", s.Entries);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>The "News" section of summary.md.</summary>
    public static string Markdown(BacktestNews news, BacktestNewsStats? stats, SentimentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(news);
        ArgumentNullException.ThrowIfNull(settings);
        var c = CultureInfo.InvariantCulture;
        var tape = news.Tape;
        var b = new StringBuilder();
        b.Append(c, $"\n## News\n\n`{tape.Path}` (SHA-256 `{tape.Sha256}`), scored by `{news.Model}`; half-life {settings.BacktestNewsHalfLifeMin} min, a source for {settings.BacktestNewsMaxAgeDays} days after the newest item and until a buy uses it, same story within {settings.NewsDedupeWindowMin} min counted once. An item counts from its `created_at` (else `ts`) at the first close at or after it.\n\n");
        b.Append("| news | count |\n|---|---:|\n");
        b.Append(c, $"| lines | {tape.Lines} |\n| items read | {tape.Items.Count} |\n| other event lines (ignored) | {tape.OtherLines} |\n| bad lines (skipped) | {tape.BadLines} |\n");
        if (stats is not null)
        {
            b.Append(c, $"| visible by the last close | {stats.Visible} |\n| duplicates | {stats.Duplicates} |\n| used | {stats.Used} |\n| of which market-wide | {stats.MarketWide} |\n");
            b.Append("\n| symbol | items | buys on news |\n|---|---:|---:|\n");
            foreach (var s in stats.Symbols)
            {
                b.Append(c, $"| {s.Symbol} | {s.Items} | {s.Entries} |\n");
            }
        }

        if (tape.Issues.Count > 0)
        {
            b.Append(c, $"\nBad lines ({tape.BadLines}):\n\n");
            foreach (var issue in tape.Issues.Take(ListedIssues))
            {
                b.Append(c, $"- {issue}\n");
            }
        }

        return b.ToString();
    }

    /// <summary>The manifest's <c>news_file</c> pin: path, SHA-256 and items.</summary>
    public static void WriteManifest(Utf8JsonWriter w, BacktestNews news)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(news);
        w.WriteStartObject("news_file");
        w.WriteString("path", news.Tape.Path);
        w.WriteString("sha256", news.Tape.Sha256);
        w.WriteNumber("items", news.Tape.Items.Count);
        w.WriteString("model", news.Model);
        w.WriteEndObject();
    }
}
