namespace SentryBrain.Signals.Technical;

/// <summary>
/// The last bar's volume against the average of the <c>window</c> bars before it. The spike day is excluded from
/// its own average (the reference included it, which damps every spike: BEHAVIOR.md §12 item 32), so a day at 2× a
/// flat average reads 2.0×, not 1.9×.
/// </summary>
public static class VolumeSpike
{
    /// <summary>
    /// (average of the <paramref name="window"/> volumes before the last, last ÷ that average); null with fewer than
    /// <paramref name="window"/> + 1 volumes, a negative or non-finite one among them, or an average of 0.
    /// </summary>
    public static (double Average, double Ratio)? OfLatest(ReadOnlySpan<double> volumes, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        if (volumes.Length < window + 1)
        {
            return null;
        }

        var prior = volumes.Slice(volumes.Length - 1 - window, window);
        var sum = 0.0;
        foreach (var v in prior)
        {
            if (!(v >= 0) || double.IsPositiveInfinity(v))
            {
                return null;
            }

            sum += v;
        }

        var last = volumes[^1];
        var average = sum / window;
        return average > 0 && last >= 0 && double.IsFinite(last) ? (average, last / average) : null;
    }
}
