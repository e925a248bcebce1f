using System.Diagnostics;
using System.Globalization;
using SentryBrain.Market;

namespace SentryBrain.Screening;

/// <param name="AsOf">The session screened for: only bars dated strictly before it are used.</param>
/// <param name="FallbackTop">When nothing qualifies, take the best-scored names anyway (else keep the previous list).</param>
public sealed record ScreenRequest(Universe Universe, ScreenCriteria Criteria, int TopN, DateOnly AsOf, bool FallbackTop = false);

/// <summary>A screen's outcome: every symbol's score, the day's list, what could not be fetched or scored.</summary>
public sealed record ScreenReport(
    DateTime RunAtUtc,
    DateOnly AsOf,
    string Universe,
    int UniverseSize,
    ScreenCriteria Criteria,
    int TopN,
    IReadOnlyList<ScreenScore> Ranked,
    IReadOnlyList<ScreenScore> Selected,
    bool Fallback,
    IReadOnlyList<ScreenScore> NotScored,
    IReadOnlyList<FailedChunk> Failed,
    IReadOnlyList<string> Notes,
    int ChunkRequests,
    TimeSpan Elapsed)
{
    public IReadOnlyList<string> SelectedSymbols => [.. Selected.Select(s => s.Symbol)];

    public int FailedSymbolCount => Failed.Sum(f => f.Symbols.Count);

    /// <summary>The reason of each selected symbol, for the journal's <c>screen</c> line.</summary>
    public IReadOnlyDictionary<string, string> Reasons => Selected.ToDictionary(s => s.Symbol, s => s.Reason, StringComparer.Ordinal);

    /// <summary>The active list file's header: when, what, how; then one comment line per name with its reason.</summary>
    public IEnumerable<string> HeaderLines()
    {
        yield return string.Create(CultureInfo.InvariantCulture,
            $"SentryBrain screen at {RunAtUtc:yyyy-MM-ddTHH:mm:ssZ} for the session of {AsOf:yyyy-MM-dd} (bars before it)");
        yield return string.Create(CultureInfo.InvariantCulture,
            $"universe {Universe} ({UniverseSize} symbols, {Ranked.Count} scored, {FailedSymbolCount} failed), top {TopN}{(Fallback ? ", nothing qualified: best-scored names (--fallback top)" : string.Empty)}");
        yield return "criteria: " + Criteria.Describe();
        var rank = 0;
        foreach (var s in Selected)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{++rank}. {s.Symbol} score {s.Score:0.00} {s.Reason}");
        }
    }
}

/// <summary>
/// The screen (BEHAVIOR.md §8): bars of the universe from a <see cref="IScreenBarSource"/>, the pure
/// <see cref="ScreenScoring"/>, ranking and the day's top N. Used by <c>./brain screen</c> and by the consumer's
/// discovery; it never writes files (see <see cref="ActiveListFile"/>).
/// </summary>
public sealed class Screener(IScreenBarSource bars, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// The session a screen run at <paramref name="utcNow"/> is for: today's when it is a trading day and its close
    /// has not passed, else the next trading day. Its own (still forming) bar is never used.
    /// </summary>
    public static DateOnly DefaultAsOf(DateTime utcNow)
    {
        var today = NewYorkTime.TradingDate(utcNow);
        return NyseCalendar.IsTradingDay(today) && utcNow < NyseCalendar.CloseUtc(today) ? today : NyseCalendar.NextTradingDay(today);
    }

    public async Task<ScreenReport> RunAsync(ScreenRequest request, IProgress<ChunkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Criteria.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(request.TopN, 1);
        var started = Stopwatch.GetTimestamp();
        var runAt = _time.GetUtcNow().UtcDateTime;
        var loaded = await bars.LoadAsync(request.Universe.Symbols, request.AsOf, request.Criteria.MinBars, progress, cancellationToken)
            .ConfigureAwait(false);
        var scores = ScreenScoring.ScoreAll(loaded.Columns, request.Criteria);
        var ranked = ScreenScoring.Rank(scores);
        var (selected, fallback) = ScreenScoring.Select(ranked, request.TopN, request.FallbackTop);
        var notScored = scores.Where(s => s.Status is ScreenStatus.Filtered or ScreenStatus.TooLittleHistory).ToArray();
        return new ScreenReport(
            runAt,
            request.AsOf,
            request.Universe.Name,
            request.Universe.Symbols.Count,
            request.Criteria,
            request.TopN,
            ranked,
            selected,
            fallback,
            notScored,
            loaded.Failed,
            [.. request.Universe.Problems, .. loaded.Notes],
            loaded.ChunkRequests,
            Stopwatch.GetElapsedTime(started));
    }
}
