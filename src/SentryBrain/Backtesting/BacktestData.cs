using System.Globalization;
using SentryBrain.Market;
using SentryBrain.Market.Alpaca;
using SentryBrain.Market.Bars;

namespace SentryBrain.Backtesting;

/// <summary>
/// Where backtest bars come from: the bundled samples, a folder of <c>SYMBOL.csv</c> files, or Alpaca daily bars
/// through the on-disk <see cref="BarCache"/>. Bad rows are collected as <see cref="BarIssue"/>s and skipped.
/// </summary>
public static class BacktestData
{
    /// <summary>
    /// The bundled samples by symbol. SPY maps to the S&amp;P 500 <b>index</b> file (the index itself, not the SPY
    /// ETF: the levels are about 10× SPY's price and there are no dividends or fees), because it is the only
    /// broad-market series the project may ship; SP500 and ^GSPC name the same file.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> SampleFiles = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["SPY"] = "sp500_2000-2020_daily.csv",
        ["SP500"] = "sp500_2000-2020_daily.csv",
        ["^GSPC"] = "sp500_2000-2020_daily.csv",
        ["AAPL"] = "aapl_2013-2018_daily.csv",
    };

    /// <summary>The <c>samples/</c> folder: under the working directory, else the nearest one above the program.</summary>
    public static string? FindSamplesDirectory(string? workingDirectory = null)
    {
        foreach (var start in new[] { workingDirectory ?? Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples");
                if (File.Exists(Path.Combine(candidate, SampleFiles["SPY"])))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    public static IReadOnlyList<SymbolBars> LoadSamples(string samplesDirectory, IReadOnlyList<string> symbols, List<BarIssue> issues)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var result = new List<SymbolBars>();
        foreach (var symbol in symbols)
        {
            if (!SampleFiles.TryGetValue(symbol, out var file))
            {
                throw new ArgumentException($"no sample data for '{symbol}' (samples: {string.Join(", ", SampleFiles.Keys)}); use --data csv:DIR or --data alpaca");
            }

            result.Add(BacktestBarReader.ReadFile(symbol.ToUpperInvariant(), Path.Combine(samplesDirectory, file), issues));
        }

        return result;
    }

    /// <summary>One <c>SYMBOL.csv</c> per symbol in <paramref name="directory"/> (the file name is tried as given, upper- and lower-case).</summary>
    public static IReadOnlyList<SymbolBars> LoadCsvFolder(string directory, IReadOnlyList<string> symbols, List<BarIssue> issues)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var result = new List<SymbolBars>();
        foreach (var symbol in symbols)
        {
            var path = CsvPath(directory, symbol)
                ?? throw new FileNotFoundException($"no bars for '{symbol}': {Path.Combine(directory, symbol + ".csv")} does not exist");
            result.Add(BacktestBarReader.ReadFile(symbol.ToUpperInvariant(), path, issues));
        }

        return result;
    }

    /// <summary>
    /// Splits <paramref name="symbols"/> by whether <paramref name="data"/> (<c>sample</c>, <c>csv:DIR</c>, <c>alpaca</c>)
    /// has bars for them, before anything is read: a universe names more symbols than a folder usually holds. Alpaca
    /// cannot tell without asking, so every symbol counts as available there.
    /// </summary>
    public static (IReadOnlyList<string> WithData, IReadOnlyList<string> WithoutData) Available(string data, IReadOnlyList<string> symbols)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(symbols);
        Func<string, bool> has = data.StartsWith("csv:", StringComparison.OrdinalIgnoreCase)
            ? symbol => CsvPath(data[4..], symbol) is not null
            : data.Equals("sample", StringComparison.OrdinalIgnoreCase) ? SampleFiles.ContainsKey : _ => true;
        return ([.. symbols.Where(has)], [.. symbols.Where(s => !has(s))]);
    }

    /// <summary>The file of <paramref name="symbol"/>'s bars in <paramref name="directory"/>, or null when there is none.</summary>
    public static string? CsvPath(string directory, string symbol)
        => new[] { symbol, symbol.ToUpperInvariant(), symbol.ToLowerInvariant() }
            .Select(name => Path.Combine(directory, name + ".csv"))
            .FirstOrDefault(File.Exists);

    /// <summary>Daily bars (<c>1Day</c>, split-adjusted) from Alpaca through the cache; the New York date names each bar.</summary>
    public static async Task<IReadOnlyList<SymbolBars>> LoadAlpacaAsync(
        IAlpacaBarsApi api, BarCache cache, IReadOnlyList<string> symbols, DateOnly start, DateOnly end, List<BarIssue> issues, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(issues);
        var startUtc = NewYorkTime.ToUtc(start, TimeOnly.MinValue);
        var endUtc = NewYorkTime.ToUtc(end.AddDays(1), TimeOnly.MinValue).AddSeconds(-1);
        var bars = await cache.GetBarsAsync(api, symbols, "1Day", startUtc, endUtc, "split", cancellationToken).ConfigureAwait(false);
        var result = new List<SymbolBars>();
        foreach (var symbol in symbols)
        {
            var source = "alpaca:" + symbol.ToUpperInvariant();
            var list = new List<DailyBar>();
            var seen = new HashSet<DateOnly>();
            var raw = bars.TryGetValue(symbol, out var b) ? b : [];
            for (var i = 0; i < raw.Count; i++)
            {
                var bar = raw[i];
                var date = NewYorkTime.TradingDate(bar.TimestampUtc);
                if (!(bar.Open > 0 && bar.High > 0 && bar.Low > 0 && bar.Close > 0) || bar.High < bar.Low || !seen.Add(date))
                {
                    issues.Add(new BarIssue(source, i + 1, string.Create(CultureInfo.InvariantCulture, $"bad or duplicate bar {date:yyyy-MM-dd}")));
                    continue;
                }

                list.Add(new DailyBar(date, bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
            }

            result.Add(new SymbolBars(symbol.ToUpperInvariant(), list, source));
        }

        return result;
    }

    /// <summary>
    /// The date range: <paramref name="start"/>/<paramref name="end"/> when given; otherwise the last
    /// <paramref name="days"/> calendar days (or <paramref name="years"/> × 365.25) up to the end, where the end
    /// defaults to the data's last date, so a run does not depend on today's date.
    /// </summary>
    public static (DateOnly? Start, DateOnly? End) Range(IReadOnlyList<SymbolBars> series, DateOnly? start, DateOnly? end, int? days, double? years)
    {
        ArgumentNullException.ThrowIfNull(series);
        var last = series.SelectMany(s => s.Bars).Select(b => (DateOnly?)b.Date).DefaultIfEmpty(null).Max();
        var to = end ?? last;
        if (start is null && to is { } e && (days is not null || years is not null))
        {
            var span = days ?? (int)Math.Round(years!.Value * 365.25);
            start = e.AddDays(-span);
        }

        return (start, to);
    }
}
