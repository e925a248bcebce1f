using System.Globalization;
using System.Text;
using System.Text.Json;
using SentryBrain.Screening;

namespace SentryBrain.Backtesting;

/// <summary>
/// The report parts of <c>backtest --screen</c>: the "Daily screen" section of <c>summary.md</c> (one line per day),
/// <c>screens.csv</c> (one row per listed name per day) and the <c>screen</c> object of <c>summary.json</c>.
/// Written only with a screen, so reports without one stay byte-identical.
/// </summary>
public static class BacktestScreenReport
{
    public const string CsvFile = "screens.csv";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The screen's parameters (not the days: those are <c>screens.csv</c>).</summary>
    public static void WriteJson(Utf8JsonWriter w, BacktestScreen screen)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(screen);
        var c = screen.Criteria;
        w.WriteStartObject("screen");
        w.WriteNumber("top_n", screen.TopN);
        w.WriteString("universe", screen.Universe);
        w.WriteNumber("universe_size", screen.UniverseSize);
        w.WriteStartArray("without_data");
        foreach (var symbol in screen.WithoutData ?? [])
        {
            w.WriteStringValue(symbol);
        }

        w.WriteEndArray();
        w.WriteString("fallback", screen.FallbackTop ? "top" : "keep_previous");
        w.WriteNumber("z_threshold", c.ZThreshold);
        w.WriteNumber("volume_spike_pct", c.VolumeSpikePct);
        w.WriteNumber("min_volume", c.MinVolume);
        w.WriteNumber("min_price", c.MinPrice);
        w.WriteNumber("z_period", c.ZPeriod);
        w.WriteNumber("volume_window", c.VolumeWindow);
        w.WriteNumber("lookback_days", screen.LookbackDays);
        w.WriteEndObject();
    }

    /// <summary>The "Daily screen" section: what was screened and how, then each day's list with its reasons.</summary>
    public static string Markdown(BacktestScreen screen, IReadOnlyList<ScreenDay> days)
    {
        ArgumentNullException.ThrowIfNull(screen);
        ArgumentNullException.ThrowIfNull(days);
        var b = new StringBuilder("\n## Daily screen\n\n");
        var withData = screen.UniverseSize - (screen.WithoutData?.Count ?? 0);
        b.Append(C, $"Each morning the top {screen.TopN} of {screen.Universe} ({screen.UniverseSize} symbols, {withData} with bars");
        if (screen.WithoutData is { Count: > 0 } missing)
        {
            b.Append(C, $"; without bars: {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", …" : string.Empty)}");
        }

        b.Append(C, $") were screened on the daily bars before that morning (at most {screen.LookbackDays} calendar days back): {screen.Criteria.Describe()}. ");
        b.Append("Only the day's list could be bought; a held name that left the list kept its exits. ");
        b.Append(screen.FallbackTop
            ? "A day where nothing qualified took the best-scored names (--fallback top). "
            : "A day where nothing qualified kept the previous list. ");
        b.Append(C, $"Every listed name with its score: `{CsvFile}`.\n\n");
        foreach (var day in days)
        {
            b.Append(C, $"- {day.Date:yyyy-MM-dd}: ");
            switch (day.Kind)
            {
                case ScreenDayKind.Screened:
                    b.Append(string.Join(", ", day.List.Select(s => $"{s.Symbol} ({s.Reason})")));
                    break;
                case ScreenDayKind.Fallback:
                    b.Append("fallback, none qualified: ").Append(string.Join(", ", day.List.Select(s => $"{s.Symbol} ({s.Reason})")));
                    break;
                case ScreenDayKind.Kept:
                    b.Append(C, $"kept from {day.ListedOn:yyyy-MM-dd}: ").Append(string.Join(", ", day.List.Select(s => s.Symbol)));
                    break;
                default:
                    b.Append("no list");
                    break;
            }

            b.Append(C, $"; {day.Scored} scored, {(day.Qualified > 0 ? day.Qualified.ToString(C) : "none")} qualified");
            if (day.TooLittleHistory > 0)
            {
                b.Append(C, $", {day.TooLittleHistory} with too little history");
            }

            b.Append('\n');
        }

        return b.ToString();
    }

    /// <summary>
    /// <c>date,rank,symbol,score,z,volume_ratio,reason</c>: the list in force each day, best first. A kept list repeats
    /// the values of the day it was screened, its reason prefixed <c>kept from DATE:</c>; a fallback list's reason is
    /// prefixed <c>fallback:</c>. A day without a list has no row. Z is empty when unknown.
    /// </summary>
    public static string Csv(IReadOnlyList<ScreenDay> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        var b = new StringBuilder("date,rank,symbol,score,z,volume_ratio,reason\n");
        foreach (var day in days)
        {
            var prefix = day.Kind switch
            {
                ScreenDayKind.Kept => string.Create(C, $"kept from {day.ListedOn:yyyy-MM-dd}: "),
                ScreenDayKind.Fallback => "fallback: ",
                _ => string.Empty,
            };
            for (var i = 0; i < day.List.Count; i++)
            {
                var s = day.List[i];
                b.Append(C, $"{day.Date:yyyy-MM-dd},{i + 1},{s.Symbol},{R(s.Score)},{R(s.Z)},{R(s.VolumeRatio)},{Field(prefix + s.Reason)}\n");
            }
        }

        return b.ToString();
    }

    private static string R(double? v) => v is { } x ? x.ToString("R", C) : string.Empty;

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.</summary>
    private static string Field(string text)
        => text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
