namespace SentryBrain.Signals.Sentiment.News;

/// <summary>
/// The sentiment of a stream of news items on one symbol (or the whole market), each weighted by
/// 2^(−age / half-life) with its age counted from the item's <c>created_at</c>:
/// value = Σ score·weight / max(1, Σ weight). One fresh item gives its own score; several fresh items give their mean;
/// old news fades toward 0, so a week-old headline does not keep voting. O(1) per item and per read, no allocation.
/// With a half-life of 0 only the newest item (by <c>created_at</c>) counts.
/// </summary>
public struct DecayedSentiment
{
    // Below this total weight the history is gone (≈ 40 half-lives): reset so the sums never go subnormal.
    private const double Forgotten = 1e-12;

    private double _weightedSum;
    private double _weight;
    private DateTime _at;

    /// <summary>Items counted so far.</summary>
    public int Count { get; private set; }

    /// <summary><c>created_at</c> of the newest item counted (default when none).</summary>
    public DateTime LatestAt { get; private set; }

    /// <summary>Score of the newest item counted.</summary>
    public double LatestScore { get; private set; }

    /// <summary>
    /// Counts an item scored <paramref name="score"/> created at <paramref name="createdAt"/>, seen at event time
    /// <paramref name="now"/>. Callers never add an item before its <c>created_at</c>; an item dated after
    /// <paramref name="now"/> is counted as created now.
    /// </summary>
    public void Add(double score, DateTime createdAt, DateTime now, double halfLifeMin)
    {
        if (!double.IsFinite(score))
        {
            return;
        }

        score = Math.Clamp(score, -1.0, 1.0);
        if (createdAt > now)
        {
            createdAt = now;
        }

        if (halfLifeMin <= 0)
        {
            if (Count == 0 || createdAt >= LatestAt)
            {
                _weightedSum = score;
                _weight = 1;
                _at = now;
                LatestAt = createdAt;
                LatestScore = score;
            }

            Count++;
            return;
        }

        Advance(now, halfLifeMin);
        var weight = Decay((_at - createdAt).TotalMinutes, halfLifeMin);
        _weightedSum += score * weight;
        _weight += weight;
        if (Count == 0 || createdAt >= LatestAt)
        {
            LatestAt = createdAt;
            LatestScore = score;
        }

        Count++;
    }

    /// <summary>The decayed sentiment at <paramref name="now"/> in [−1, 1]; null before the first item.</summary>
    public readonly double? Value(DateTime now, double halfLifeMin)
    {
        if (Count == 0)
        {
            return null;
        }

        if (halfLifeMin <= 0)
        {
            return _weightedSum;
        }

        var factor = now > _at ? Decay((now - _at).TotalMinutes, halfLifeMin) : 1.0;
        return Math.Clamp(_weightedSum * factor / Math.Max(1.0, _weight * factor), -1.0, 1.0);
    }

    private void Advance(DateTime now, double halfLifeMin)
    {
        if (now <= _at)
        {
            return;
        }

        var factor = Decay((now - _at).TotalMinutes, halfLifeMin);
        _weightedSum *= factor;
        _weight *= factor;
        if (_weight < Forgotten)
        {
            _weightedSum = 0;
            _weight = 0;
        }

        _at = now;
    }

    private static double Decay(double ageMin, double halfLifeMin) => ageMin <= 0 ? 1.0 : Math.Pow(2.0, -ageMin / halfLifeMin);
}
