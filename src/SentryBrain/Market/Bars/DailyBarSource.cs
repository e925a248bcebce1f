namespace SentryBrain.Market.Bars;

/// <summary>Where past daily bars come from to warm indicators up (CSV folder today; Alpaca data later).</summary>
public interface IDailyBarSource
{
    /// <summary>Completed daily bars of <paramref name="symbol"/> strictly before <paramref name="before"/>, oldest first; empty when unknown.</summary>
    IReadOnlyList<DailyBar> Load(string symbol, DateOnly before);
}

/// <summary>
/// Daily bars from <c>BARS_CSV_DIR/&lt;SYMBOL&gt;.csv</c> (<c>date,open,high,low,close,volume</c>). A missing file means
/// no history; a bad file is reported once and treated as no history, so one broken file never stops trading.
/// </summary>
public sealed class CsvFolderBarSource(string folder, Action<string>? reportError = null) : IDailyBarSource
{
    public IReadOnlyList<DailyBar> Load(string symbol, DateOnly before)
    {
        var path = Path.Combine(folder, symbol + ".csv");
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            // Bars on or after the current date would be look-ahead: never use them.
            return [.. BarCsv.ReadFile(path).Where(b => b.Date < before)];
        }
        catch (BarCsvException ex)
        {
            reportError?.Invoke(ex.Message); // already "file:line: reason"
            return [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reportError?.Invoke($"{path}: {ex.Message}");
            return [];
        }
    }
}
