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
/// discovery; it never writes files (see <see cref="ActiveListFile"/>). With an <paramref name="ofi"/> source
/// (<c>SCREENER_USE_OFI</c>), a live screen rescores its best candidates with their order-flow skew.
/// </summary>
public sealed class Screener(IScreenBarSource bars, TimeProvider? time = null, IScreenOfiSource? ofi = null)
{
    /// <summary>At most this many candidates are asked for their OFI, whatever the top N.</summary>
    public const int MaxOfiCandidates = 100;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// How many of the first pass's best names get an OFI: three times the list (OFI adds at most 1 to a score, so a
    /// name further down rarely climbs into the list), at least 20, at most <see cref="MaxOfiCandidates"/>.
    /// </summary>
    public static int OfiCandidates(int topN) => (int)Math.Min(MaxOfiCandidates, Math.Max(3L * topN, 20));

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
        var notes = new List<string>();
        if (ofi is not null)
        {
            ranked = await WithOfiAsync(request, loaded.Columns, scores, ranked, runAt, notes, cancellationToken).ConfigureAwait(false);
        }

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
            [.. request.Universe.Problems, .. loaded.Notes, .. notes],
            loaded.ChunkRequests,
            Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// The second pass: the OFI of the first pass's best candidates only (an 8,000-symbol universe costs one or two
    /// requests, not eighty), those rescored in <paramref name="scores"/> and everything ranked again. Only a live
    /// screen has a meaningful quote: a past <c>--as-of</c> is screened without. A failed fetch is a note, the
    /// first pass's ranking stands.
    /// </summary>
    private async Task<ScreenScore[]> WithOfiAsync(
        ScreenRequest request,
        ScreenColumns columns,
        ScreenScore[] scores,
        ScreenScore[] ranked,
        DateTime runAt,
        List<string> notes,
        CancellationToken cancellationToken)
    {
        var live = DefaultAsOf(runAt);
        if (request.AsOf != live)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"OFI skipped: the screen is for {request.AsOf:yyyy-MM-dd}, while the latest trades and quotes belong to the session of {live:yyyy-MM-dd}"));
            return ranked;
        }

        var candidates = ranked.Take(OfiCandidates(request.TopN)).Select(s => s.Symbol).ToArray();
        if (candidates.Length == 0)
        {
            return ranked;
        }

        IReadOnlyDictionary<string, double> skews;
        try
        {
            skews = await ofi!.GetAsync(candidates, runAt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            notes.Add($"OFI skipped: the latest trades and quotes could not be fetched ({ex.Message}); ranked without OFI");
            return ranked;
        }

        var wanted = candidates.ToHashSet(StringComparer.Ordinal);
        var used = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var symbol = columns.Symbols[i];
            if (wanted.Contains(symbol) && skews.TryGetValue(symbol, out var skew) && double.IsFinite(skew))
            {
                scores[i] = ScreenScoring.Score(symbol, columns.ClosesOf(i), columns.VolumesOf(i), request.Criteria, Math.Clamp(skew, -1, 1), columns.LastDateOf(i));
                used++;
            }
        }

        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"OFI from the latest trade and quote for {used} of the {candidates.Length} best candidates{(used < candidates.Length ? " (the others had no usable or recent quote)" : string.Empty)}"));
        return ScreenScoring.Rank(scores);
    }
}
