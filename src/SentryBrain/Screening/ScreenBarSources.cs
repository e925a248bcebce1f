using SentryBrain.Backtesting;
using SentryBrain.Market;
using SentryBrain.Market.Alpaca;

namespace SentryBrain.Screening;

/// <summary>The bars a screen scores, the chunks that could not be fetched, notes (files missing, bad rows) and the chunk requests made.</summary>
public sealed record ScreenBars(ScreenColumns Columns, IReadOnlyList<FailedChunk> Failed, IReadOnlyList<string> Notes, int ChunkRequests);

/// <summary>Where a screen's daily bars come from; every bar returned is dated strictly before the as-of date.</summary>
public interface IScreenBarSource
{
    Task<ScreenBars> LoadAsync(
        IReadOnlyList<string> symbols,
        DateOnly asOf,
        int minBars,
        IProgress<ChunkProgress>? progress,
        CancellationToken cancellationToken);
}

/// <summary>
/// Daily bars from Alpaca in chunks (<see cref="ChunkedBarFetcher"/>). The range is [New York midnight of as-of −
/// N days, New York midnight of as-of − 1 s], N = the larger of <c>SCREENER_LOOKBACK_DAYS</c> and the calendar days
/// holding <c>minBars</c> + 3 sessions (so a long Z window still gets its bars). Such a range is settled by the
/// morning of the as-of date, so the bar cache answers a rerun the same day without a request.
/// </summary>
public sealed class AlpacaScreenBars(ChunkedBarFetcher fetcher, int lookbackDays) : IScreenBarSource
{
    public static (DateTime StartUtc, DateTime EndUtc) RangeFor(DateOnly asOf, int lookbackDays, int minBars)
    {
        var start = asOf;
        for (var sessions = 0; sessions < minBars + 3;)
        {
            start = NyseCalendar.PreviousTradingDay(start);
            sessions++;
        }

        var earliest = asOf.AddDays(-lookbackDays);
        var from = start < earliest ? start : earliest;
        return (NewYorkTime.ToUtc(from, TimeOnly.MinValue), NewYorkTime.ToUtc(asOf, TimeOnly.MinValue).AddSeconds(-1));
    }

    public async Task<ScreenBars> LoadAsync(
        IReadOnlyList<string> symbols,
        DateOnly asOf,
        int minBars,
        IProgress<ChunkProgress>? progress,
        CancellationToken cancellationToken)
    {
        var (startUtc, endUtc) = RangeFor(asOf, lookbackDays, minBars);
        var fetched = await fetcher.FetchAsync(symbols, startUtc, endUtc, "split", progress, cancellationToken).ConfigureAwait(false);
        var failed = fetched.FailedSymbols.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new ScreenColumns.Builder(asOf, symbols.Count * (minBars + 4));
        foreach (var symbol in symbols)
        {
            if (failed.Contains(symbol))
            {
                continue;
            }

            builder.Symbol(symbol);
            if (fetched.Bars.TryGetValue(symbol, out var bars))
            {
                foreach (var bar in bars)
                {
                    builder.Add(NewYorkTime.TradingDate(bar.TimestampUtc), bar.Close, bar.Volume);
                }
            }
        }

        return new ScreenBars(builder.Build(), fetched.Failed, [], fetched.ChunkAttempts);
    }
}

/// <summary>
/// Daily bars from <c>DIR/SYMBOL.csv</c> (the backtest's <c>--data csv:DIR</c> files, found as the backtest finds them,
/// <c>symbol.csv</c> too, and read leniently: a bad row is reported and skipped). A symbol without a file is noted and left out.
/// </summary>
public sealed class CsvScreenBars(string directory) : IScreenBarSource
{
    public Task<ScreenBars> LoadAsync(
        IReadOnlyList<string> symbols,
        DateOnly asOf,
        int minBars,
        IProgress<ChunkProgress>? progress,
        CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        var issues = new List<BarIssue>();
        var builder = new ScreenColumns.Builder(asOf, symbols.Count * (minBars + 4));
        var missing = 0;
        foreach (var symbol in symbols)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (BacktestData.CsvPath(directory, symbol) is not { } path)
            {
                missing++;
                continue;
            }

            try
            {
                var bars = BacktestBarReader.ReadFile(symbol, path, issues).Bars;
                builder.Symbol(symbol);
                foreach (var bar in bars)
                {
                    builder.Add(bar.Date, bar.Close, bar.Volume);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Market.Bars.BarCsvException)
            {
                notes.Add($"{path}: {ex.Message}");
            }
        }

        if (missing > 0)
        {
            notes.Add($"{missing} of {symbols.Count} symbols have no file in {directory}");
        }

        notes.AddRange(issues.Take(20).Select(i => i.ToString()));
        if (issues.Count > 20)
        {
            notes.Add($"… and {issues.Count - 20} more bad rows");
        }

        return Task.FromResult(new ScreenBars(builder.Build(), [], notes, 0));
    }
}
