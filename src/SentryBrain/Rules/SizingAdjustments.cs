namespace SentryBrain.Rules;

/// <summary>Pure sizing adjustments of BEHAVIOR §4: Kelly fraction of recent round trips, return correlation.</summary>
public static class SizingAdjustments
{
    /// <summary>
    /// Kelly fraction f = (p·b − (1 − p))/b over the last <paramref name="lookback"/> round trips (returns in
    /// percent), where p is the share of winners and b = mean win / mean |loss|. Null with fewer than
    /// <paramref name="minTrades"/> trips (not enough evidence: size normally); 0 when f ≤ 0 or nothing won;
    /// with no losses b is unbounded and f tends to p. The result is at most <paramref name="cap"/>.
    /// </summary>
    public static double? KellyFraction(IReadOnlyList<double> returnsPct, int lookback, double cap, int minTrades = 10)
    {
        var n = Math.Min(lookback, returnsPct.Count);
        if (n < minTrades)
        {
            return null;
        }

        int wins = 0, losses = 0;
        double winSum = 0, lossSum = 0;
        for (var i = returnsPct.Count - n; i < returnsPct.Count; i++)
        {
            var r = returnsPct[i];
            if (r > 0)
            {
                wins++;
                winSum += r;
            }
            else if (r < 0)
            {
                losses++;
                lossSum -= r;
            }
        }

        var p = (double)wins / n;
        if (wins == 0)
        {
            return 0;
        }

        if (losses == 0)
        {
            return Math.Min(cap, p);
        }

        var b = (winSum / wins) / (lossSum / losses);
        var f = ((p * b) - (1 - p)) / b;
        return f <= 0 ? 0 : Math.Min(cap, f);
    }

    /// <summary>Pearson correlation of two equally long series; null when shorter than 3 or either is constant.</summary>
    public static double? Correlation(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var n = Math.Min(a.Length, b.Length);
        if (n < 3)
        {
            return null;
        }

        a = a[^n..];
        b = b[^n..];
        double meanA = 0, meanB = 0;
        for (var i = 0; i < n; i++)
        {
            meanA += a[i];
            meanB += b[i];
        }

        meanA /= n;
        meanB /= n;
        double cov = 0, varA = 0, varB = 0;
        for (var i = 0; i < n; i++)
        {
            var da = a[i] - meanA;
            var db = b[i] - meanB;
            cov += da * db;
            varA += da * da;
            varB += db * db;
        }

        return varA <= 0 || varB <= 0 ? null : cov / Math.Sqrt(varA * varB);
    }
}
