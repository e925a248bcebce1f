using System.Globalization;
using SentryBrain.Signals.Technical;

namespace SentryBrain.Screening;

public enum ScreenStatus
{
    /// <summary>Meets the Z or the volume criterion: a candidate for the active list.</summary>
    Qualified,

    /// <summary>Scored, but neither criterion is met (still ranked for <c>--fallback top</c>).</summary>
    NotQualified,

    /// <summary>Below the minimum price or volume: not scored.</summary>
    Filtered,

    /// <summary>Fewer bars than the criteria need: reported, not scored.</summary>
    TooLittleHistory,
}

/// <summary>
/// One symbol's screen: its Z and volume ratio, the ranking score |Z| + 2·max(0, ratio − 1) (+ |OFI| when known),
/// and a reason a trader can read (<c>|Z|=2.31 vol=1.42x</c>, or why it was not scored).
/// </summary>
public sealed record ScreenScore(
    string Symbol,
    ScreenStatus Status,
    double? Z,
    double? VolumeRatio,
    double? AverageVolume,
    double LastClose,
    double LastVolume,
    double? Ofi,
    double Score,
    int Bars,
    DateOnly? LastDate,
    string Reason);

/// <summary>
/// The screen's scoring (BEHAVIOR.md §8.3) as pure functions over bar columns. Z is <see cref="ReturnsZScore.OfLatest"/>
/// and the volume ratio <see cref="VolumeSpike.OfLatest"/>: the definitions the live and backtest indicators use.
/// Unlike the reference, a symbol with too little history is reported instead of scored on a shorter window.
/// </summary>
public static class ScreenScoring
{
    public static ScreenScore Score(
        string symbol,
        ReadOnlySpan<double> closes,
        ReadOnlySpan<double> volumes,
        ScreenCriteria criteria,
        double? ofi = null,
        DateOnly? lastDate = null)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        if (closes.Length != volumes.Length)
        {
            throw new ArgumentException("closes and volumes differ in length");
        }

        var bars = closes.Length;
        var lastClose = bars > 0 ? closes[^1] : double.NaN;
        var lastVolume = bars > 0 ? volumes[^1] : double.NaN;
        if (bars < criteria.MinBars)
        {
            return new(symbol, ScreenStatus.TooLittleHistory, null, null, null, lastClose, lastVolume, ofi, 0, bars, lastDate,
                Text($"too little history: {bars} daily bars, needs {criteria.MinBars}"));
        }

        var spike = VolumeSpike.OfLatest(volumes, criteria.VolumeWindow);
        var average = spike?.Average;
        if (!(lastClose >= criteria.MinPrice) || !double.IsFinite(lastClose))
        {
            return new(symbol, ScreenStatus.Filtered, null, null, average, lastClose, lastVolume, ofi, 0, bars, lastDate,
                Text($"last close {lastClose:0.##} below the minimum price {criteria.MinPrice:0.##}"));
        }

        if (spike is null || !(average >= criteria.MinVolume) || !(lastVolume >= criteria.MinVolume))
        {
            return new(symbol, ScreenStatus.Filtered, null, null, average, lastClose, lastVolume, ofi, 0, bars, lastDate,
                Text($"volume {lastVolume:#,0} (average {average ?? 0:#,0}) below the minimum {criteria.MinVolume:#,0}"));
        }

        var ratio = spike.Value.Ratio;
        var z = ReturnsZScore.OfLatest(closes, criteria.ZPeriod);
        var absZ = Math.Abs(z ?? 0);
        var score = absZ + (2 * Math.Max(0, ratio - 1));
        if (ofi is { } o && double.IsFinite(o))
        {
            score += Math.Abs(o);
        }

        var qualified = absZ > criteria.ZThreshold || ratio >= criteria.SpikeRatio;
        var reason = z is null ? Text($"|Z|=n/a vol={ratio:0.00}x") : Text($"|Z|={absZ:0.00} vol={ratio:0.00}x");
        if (ofi is { } shown && double.IsFinite(shown))
        {
            reason += Text($" ofi={shown:+0.00;-0.00;0.00}");
        }

        return new(symbol, qualified ? ScreenStatus.Qualified : ScreenStatus.NotQualified, z, ratio, average, lastClose, lastVolume,
            ofi, score, bars, lastDate, reason);
    }

    /// <summary>Scores every symbol of <paramref name="columns"/> (OFI by symbol when supplied).</summary>
    public static ScreenScore[] ScoreAll(ScreenColumns columns, ScreenCriteria criteria, IReadOnlyDictionary<string, double>? ofi = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        criteria.Validate();
        var result = new ScreenScore[columns.Count];
        for (var s = 0; s < result.Length; s++)
        {
            var symbol = columns.Symbols[s];
            double? skew = ofi is not null && ofi.TryGetValue(symbol, out var value) ? value : null;
            result[s] = Score(symbol, columns.ClosesOf(s), columns.VolumesOf(s), criteria, skew, columns.LastDateOf(s));
        }

        return result;
    }

    /// <summary>Scored symbols best first: qualified before not qualified, then score descending, then symbol (ordinal) so ties are stable.</summary>
    public static ScreenScore[] Rank(IEnumerable<ScreenScore> scores) =>
        [.. scores
            .Where(s => s.Status is ScreenStatus.Qualified or ScreenStatus.NotQualified)
            .OrderBy(s => s.Status == ScreenStatus.Qualified ? 0 : 1)
            .ThenByDescending(s => s.Score)
            .ThenBy(s => s.Symbol, StringComparer.Ordinal)];

    /// <summary>
    /// The day's list: the best <paramref name="topN"/> qualified names; when none qualifies, the best-scored names
    /// with <paramref name="fallbackTop"/>, else none (the caller keeps the previous list).
    /// </summary>
    public static (ScreenScore[] Selected, bool Fallback) Select(IReadOnlyList<ScreenScore> ranked, int topN, bool fallbackTop)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topN, 1);
        var qualified = ranked.Where(s => s.Status == ScreenStatus.Qualified).Take(topN).ToArray();
        if (qualified.Length > 0 || !fallbackTop)
        {
            return (qualified, false);
        }

        return ([.. ranked.Take(topN)], true);
    }

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
