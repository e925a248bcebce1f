using System.Globalization;

namespace SentryBrain.Market.Bars;

/// <summary>One daily OHLCV bar.</summary>
public readonly record struct DailyBar(DateOnly Date, double Open, double High, double Low, double Close, double Volume);

/// <summary>A daily-bar CSV that cannot be read; the message names the source and the 1-based line.</summary>
public sealed class BarCsvException : FormatException
{
    public BarCsvException()
    {
    }

    public BarCsvException(string message)
        : base(message)
    {
    }

    public BarCsvException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BarCsvException(string source, int lineNumber, string reason)
        : base(string.Create(CultureInfo.InvariantCulture, $"{source}:{lineNumber}: {reason}"))
    {
        LineNumber = lineNumber;
    }

    /// <summary>1-based line of the offending row (0 when not tied to a line).</summary>
    public int LineNumber { get; }
}

/// <summary>
/// Reads <c>date,open,high,low,close,volume</c> CSV files (Yahoo Finance style). The header is matched
/// case-insensitively and may list the columns in any order; other columns (<c>adjclose</c>, <c>Adj Close</c>, …)
/// are ignored. Dates are <c>yyyy-MM-dd</c>; numbers use the invariant culture and must be finite and ≥ 0, with
/// high ≥ low. Blank lines are skipped. The result is sorted by date ascending; a duplicate date is an error.
/// Every error is a <see cref="BarCsvException"/> whose message names the line.
/// </summary>
public static class BarCsv
{
    private static readonly string[] Required = ["date", "open", "high", "low", "close", "volume"];

    /// <summary>Reads a CSV file; errors name the file and line.</summary>
    public static IReadOnlyList<DailyBar> ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Reads CSV text; <paramref name="source"/> names the input in error messages.</summary>
    public static IReadOnlyList<DailyBar> Read(TextReader reader, string source = "input")
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine() ?? throw new BarCsvException(source, 1, "empty file: expected a header date,open,high,low,close,volume");
        var columns = MapHeader(header, source);
        var fieldsNeeded = columns.Max() + 1;

        var bars = new List<DailyBar>();
        var lineOfDate = new Dictionary<DateOnly, int>();
        var sorted = true;
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length < fieldsNeeded)
            {
                throw new BarCsvException(source, lineNumber, $"expected at least {fieldsNeeded} fields, found {fields.Length}");
            }

            var dateText = Clean(fields[columns[0]]);
            if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw new BarCsvException(source, lineNumber, $"bad date '{dateText}' (expected yyyy-MM-dd)");
            }

            var open = Number(fields, columns[1], "open", source, lineNumber);
            var high = Number(fields, columns[2], "high", source, lineNumber);
            var low = Number(fields, columns[3], "low", source, lineNumber);
            var close = Number(fields, columns[4], "close", source, lineNumber);
            var volume = Number(fields, columns[5], "volume", source, lineNumber);
            if (high < low)
            {
                throw new BarCsvException(source, lineNumber, string.Create(CultureInfo.InvariantCulture, $"high {high} is below low {low}"));
            }

            if (!lineOfDate.TryAdd(date, lineNumber))
            {
                throw new BarCsvException(source, lineNumber, $"duplicate date {date:yyyy-MM-dd} (first on line {lineOfDate[date]})");
            }

            if (bars.Count > 0 && date < bars[^1].Date)
            {
                sorted = false;
            }

            bars.Add(new DailyBar(date, open, high, low, close, volume));
        }

        if (!sorted)
        {
            bars.Sort(static (a, b) => a.Date.CompareTo(b.Date));
        }

        return bars;
    }

    /// <summary>
    /// The column index of date, open, high, low, close and volume in <paramref name="header"/> (case-insensitive,
    /// any order, other columns ignored); a missing or repeated column is a <see cref="BarCsvException"/>.
    /// </summary>
    internal static int[] MapHeader(string header, string source)
    {
        var names = header.Split(',');
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = Clean(names[i]).ToLowerInvariant();
        }

        var columns = new int[Required.Length];
        for (var c = 0; c < Required.Length; c++)
        {
            var index = Array.IndexOf(names, Required[c]);
            if (index < 0)
            {
                throw new BarCsvException(source, 1, $"missing column '{Required[c]}' in header '{header}' (need date,open,high,low,close,volume)");
            }

            if (Array.IndexOf(names, Required[c], index + 1) >= 0)
            {
                throw new BarCsvException(source, 1, $"column '{Required[c]}' appears twice in header '{header}'");
            }

            columns[c] = index;
        }

        return columns;
    }

    private static double Number(string[] fields, int column, string name, string source, int lineNumber)
    {
        var text = Clean(fields[column]);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new BarCsvException(source, lineNumber, $"bad {name} '{text}' (expected a finite number)");
        }

        if (value < 0)
        {
            throw new BarCsvException(source, lineNumber, $"negative {name} '{text}'");
        }

        return value;
    }

    /// <summary>A field without surrounding blanks and double quotes.</summary>
    internal static string Clean(string field)
    {
        var s = field.Trim();
        return s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1].Trim() : s;
    }
}
