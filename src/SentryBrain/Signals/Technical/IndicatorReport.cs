using System.Globalization;
using SentryBrain.Market.Bars;

namespace SentryBrain.Signals.Technical;

/// <summary>The daily indicators printed by <c>brain indicators</c>, for one bar.</summary>
public readonly record struct IndicatorRow(
    DateOnly Date,
    double? Rsi14,
    double? Macd,
    double? MacdSignal,
    double? MacdHistogram,
    double? Atr14,
    double? ZScore20,
    double? Vwap20);

/// <summary>
/// Runs the streaming indicators over daily bars, one bar at a time, and formats them as CSV:
/// <c>date,rsi14,macd,macd_signal,macd_hist,atr14,zscore20,vwap20</c>. Dates are yyyy-MM-dd, numbers use the
/// invariant culture's shortest round-trip form ("R"), and undefined values are empty. First defined rows:
/// vwap20 at index 19, rsi14 and atr14 at 14, zscore20 at 21, macd at 25, macd_signal and macd_hist at 33.
/// </summary>
public sealed class IndicatorReport
{
    public const string CsvHeader = "date,rsi14,macd,macd_signal,macd_hist,atr14,zscore20,vwap20";

    private readonly ReturnsZScore _zScore = new(20);
    private readonly RollingVwap _vwap = new(20);
    private WilderRsi _rsi = new(14);
    private Macd _macd = new(12, 26, 9);
    private Atr _atr = new(14);

    /// <summary>Feeds one bar to every indicator and returns their values after it.</summary>
    public IndicatorRow Add(in DailyBar bar)
    {
        _rsi.Add(bar.Close);
        _macd.Add(bar.Close);
        _atr.Add(bar.High, bar.Low, bar.Close);
        _zScore.Add(bar.Close);
        _vwap.Add(bar.High, bar.Low, bar.Close, bar.Volume);
        var macd = _macd.Value ?? default;
        return new IndicatorRow(bar.Date, _rsi.Value, macd.Macd, macd.Signal, macd.Histogram, _atr.Value, _zScore.Value, _vwap.Value);
    }

    /// <summary>Writes the header and one CSV row per bar.</summary>
    public static void WriteCsv(IEnumerable<DailyBar> bars, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(output);
        var report = new IndicatorReport();
        output.Write(CsvHeader);
        output.Write('\n');
        Span<char> buffer = stackalloc char[32];
        foreach (var bar in bars)
        {
            var row = report.Add(bar);
            bar.Date.TryFormat(buffer, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            output.Write(buffer[..written]);
            WriteField(output, row.Rsi14, buffer);
            WriteField(output, row.Macd, buffer);
            WriteField(output, row.MacdSignal, buffer);
            WriteField(output, row.MacdHistogram, buffer);
            WriteField(output, row.Atr14, buffer);
            WriteField(output, row.ZScore20, buffer);
            WriteField(output, row.Vwap20, buffer);
            output.Write('\n');
        }
    }

    private static void WriteField(TextWriter output, double? value, Span<char> buffer)
    {
        output.Write(',');
        if (value is { } v && v.TryFormat(buffer, out var written, "R", CultureInfo.InvariantCulture))
        {
            output.Write(buffer[..written]);
        }
    }
}
