using System.Globalization;
using System.Security.Cryptography;
using SentryBrain.Market.Bars;

namespace SentryBrain.Backtesting;

/// <summary>A bad input row that was skipped: file (or source), 1-based line and why.</summary>
public sealed record BarIssue(string Source, int Line, string Reason)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Source}:{Line}: {Reason}");
}

/// <summary>The daily bars of one symbol, where they came from and the SHA-256 of that file (null when not a file).</summary>
public sealed record SymbolBars(string Symbol, IReadOnlyList<DailyBar> Bars, string Source, string? Sha256 = null);

/// <summary>
/// Lenient daily-bar CSV reading for backtests: the header rules are <see cref="BarCsv"/>'s (case-insensitive,
/// any column order, extra columns ignored), but a bad row (unparsable, a non-positive price, high &lt; low, a
/// duplicate date) is reported with its file and line and skipped, so one broken row never drops a symbol.
/// A bad header is still fatal (<see cref="BarCsvException"/>): nothing in the file can be read without it.
/// </summary>
public static class BacktestBarReader
{
    public static SymbolBars ReadFile(string symbol, string path, List<BarIssue> issues)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = File.ReadAllBytes(path);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        using var reader = new StreamReader(new MemoryStream(bytes));
        return new SymbolBars(symbol, Read(reader, path, issues), path, hash);
    }

    public static IReadOnlyList<DailyBar> Read(TextReader reader, string source, List<BarIssue> issues)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(issues);
        var header = reader.ReadLine() ?? throw new BarCsvException(source, 1, "empty file: expected a header date,open,high,low,close,volume");
        var columns = BarCsv.MapHeader(header, source); // the header rules are BarCsv's; only bad rows are handled here
        var needed = columns.Max() + 1;
        var byDate = new Dictionary<DateOnly, int>();
        var bars = new List<DailyBar>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length < needed)
            {
                issues.Add(new BarIssue(source, lineNumber, $"expected at least {needed} fields, found {fields.Length}"));
                continue;
            }

            var dateText = BarCsv.Clean(fields[columns[0]]);
            if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                issues.Add(new BarIssue(source, lineNumber, $"bad date '{dateText}'"));
                continue;
            }

            if (!TryNumber(fields[columns[1]], out var open) || !TryNumber(fields[columns[2]], out var high)
                || !TryNumber(fields[columns[3]], out var low) || !TryNumber(fields[columns[4]], out var close)
                || !TryNumber(fields[columns[5]], out var volume))
            {
                issues.Add(new BarIssue(source, lineNumber, "unparsable number"));
                continue;
            }

            if (!(open > 0 && high > 0 && low > 0 && close > 0) || volume < 0)
            {
                issues.Add(new BarIssue(source, lineNumber, "non-positive price or negative volume"));
                continue;
            }

            if (high < low || open > high || open < low || close > high || close < low)
            {
                issues.Add(new BarIssue(source, lineNumber, string.Create(CultureInfo.InvariantCulture, $"inconsistent bar: high {high} low {low} open {open} close {close}")));
                continue;
            }

            if (byDate.TryGetValue(date, out var first))
            {
                issues.Add(new BarIssue(source, lineNumber, $"duplicate date {date:yyyy-MM-dd} (kept line {first})"));
                continue;
            }

            byDate[date] = lineNumber;
            bars.Add(new DailyBar(date, open, high, low, close, volume));
        }

        bars.Sort(static (a, b) => a.Date.CompareTo(b.Date));
        return bars;
    }

    private static bool TryNumber(string text, out double value)
        => double.TryParse(BarCsv.Clean(text), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}

/// <summary>
/// Bars of many symbols aligned <b>by date</b> on the union calendar of all their dates (never by index), stored
/// columnar: one array per field per symbol, NaN on a day the symbol has no bar (not listed yet, delisted, halted,
/// a skipped bad row). Immutable after construction; shared read-only by parallel runs.
/// </summary>
public sealed class BarPanel
{
    private BarPanel(DateOnly[] dates, string[] symbols, double[][] open, double[][] high, double[][] low, double[][] close, double[][] volume, int barCount)
    {
        Dates = dates;
        Symbols = symbols;
        Open = open;
        High = high;
        Low = low;
        Close = close;
        Volume = volume;
        BarCount = barCount;
    }

    public DateOnly[] Dates { get; }

    public string[] Symbols { get; }

    /// <summary><c>Open[s][t]</c>: symbol s on <c>Dates[t]</c>; NaN when it has no bar that day.</summary>
    public double[][] Open { get; }

    public double[][] High { get; }

    public double[][] Low { get; }

    public double[][] Close { get; }

    public double[][] Volume { get; }

    /// <summary>Bars actually present (not NaN).</summary>
    public int BarCount { get; }

    public int Days => Dates.Length;

    public bool HasBar(int s, int t) => !double.IsNaN(Close[s][t]);

    public int IndexOf(string symbol) => Array.IndexOf(Symbols, symbol);

    /// <summary>Aligns the symbols' bars on the union of their dates within [start, end] (inclusive, null = open).</summary>
    public static BarPanel Align(IReadOnlyList<SymbolBars> series, DateOnly? start = null, DateOnly? end = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var calendar = new SortedSet<DateOnly>();
        foreach (var s in series)
        {
            foreach (var bar in s.Bars)
            {
                if ((start is null || bar.Date >= start) && (end is null || bar.Date <= end))
                {
                    calendar.Add(bar.Date);
                }
            }
        }

        var dates = calendar.ToArray();
        var index = new Dictionary<DateOnly, int>(dates.Length);
        for (var i = 0; i < dates.Length; i++)
        {
            index[dates[i]] = i;
        }

        var n = series.Count;
        var open = new double[n][];
        var high = new double[n][];
        var low = new double[n][];
        var close = new double[n][];
        var volume = new double[n][];
        var count = 0;
        for (var s = 0; s < n; s++)
        {
            open[s] = Nans(dates.Length);
            high[s] = Nans(dates.Length);
            low[s] = Nans(dates.Length);
            close[s] = Nans(dates.Length);
            volume[s] = Nans(dates.Length);
            foreach (var bar in series[s].Bars)
            {
                if (index.TryGetValue(bar.Date, out var t))
                {
                    open[s][t] = bar.Open;
                    high[s][t] = bar.High;
                    low[s][t] = bar.Low;
                    close[s][t] = bar.Close;
                    volume[s][t] = bar.Volume;
                    count++;
                }
            }
        }

        return new BarPanel(dates, [.. series.Select(s => s.Symbol)], open, high, low, close, volume, count);
    }

    /// <summary>The panel restricted to days [from, to) (shares nothing mutable; arrays are copied).</summary>
    public BarPanel Slice(int from, int to)
    {
        static double[][] Cut(double[][] a, int from, int to) => [.. a.Select(x => x[from..to])];
        var close = Cut(Close, from, to);
        var count = close.Sum(c => c.Count(v => !double.IsNaN(v)));
        return new BarPanel(Dates[from..to], Symbols, Cut(Open, from, to), Cut(High, from, to), Cut(Low, from, to), close, Cut(Volume, from, to), count);
    }

    private static double[] Nans(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }
}

/// <summary>
/// Deterministic synthetic daily bars for benchmarks: a geometric random walk per symbol (daily σ 2 %, small
/// overnight gaps, a range around open and close) on weekdays, generated straight into columns.
/// </summary>
public static class SyntheticBars
{
    public static BarPanel Generate(int symbols, int days, ulong seed, DateOnly? first = null)
    {
        var start = first ?? new DateOnly(2010, 1, 4);
        var dates = new DateOnly[days];
        var d = start;
        for (var t = 0; t < days; t++)
        {
            while (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                d = d.AddDays(1);
            }

            dates[t] = d;
            d = d.AddDays(1);
        }

        var rng = new SplitMix64(seed);
        var series = new List<SymbolBars>(symbols);
        for (var s = 0; s < symbols; s++)
        {
            var bars = new Market.Bars.DailyBar[days];
            var close = 20 + (rng.NextDouble() * 180);
            for (var t = 0; t < days; t++)
            {
                var open = close * (1 + (0.003 * rng.NextGaussian()));
                close = open * Math.Exp(0.02 * rng.NextGaussian());
                var high = Math.Max(open, close) * (1 + (0.01 * rng.NextDouble()));
                var low = Math.Min(open, close) * (1 - (0.01 * rng.NextDouble()));
                bars[t] = new Market.Bars.DailyBar(dates[t], open, high, low, close, 1_000_000 * (0.5 + rng.NextDouble()));
            }

            series.Add(new SymbolBars(string.Create(CultureInfo.InvariantCulture, $"S{s:D4}"), bars, "synthetic"));
        }

        return BarPanel.Align(series);
    }

    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

        public double NextGaussian()
        {
            var u1 = 1.0 - NextDouble();
            var u2 = NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }
}
