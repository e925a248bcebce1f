namespace SentryBrain.Signals.Technical.Patterns;

/// <summary>
/// Local extrema of a close series with a window of 2 (BEHAVIOR §3.5): an index i ∈ [2, n − 3] is a peak when its
/// value is ≥ each of its two neighbours on either side and a trough when it is ≤ each of them. Ties are allowed, so
/// a point inside a flat stretch of five equal values is both a peak and a trough, and a plateau at a top yields one
/// peak per bar (<see cref="Peaks"/> and <see cref="Troughs"/> report exactly that, like the reference).
/// <para>
/// The chart patterns use <see cref="DistinctPeaks"/> / <see cref="DistinctTroughs"/> instead, which repair what the
/// ties do to "the last two peaks" (a deviation from the reference, which used the raw lists): a point that is both a
/// peak and a trough (flat on all four neighbours) is neither, and a run of same-kind extrema with equal values and
/// only equal values between them (a plateau) counts once, at its first index. On series without equal neighbouring
/// values both lists equal the raw ones.
/// </para>
/// </summary>
public static class Extrema
{
    /// <summary>Neighbours compared on each side.</summary>
    public const int Window = 2;

    /// <summary>True when <paramref name="index"/> ∈ [2, n − 3] and its value is ≥ its two neighbours on each side.</summary>
    public static bool IsPeak(ReadOnlySpan<double> values, int index)
    {
        if (index < Window || index > values.Length - Window - 1)
        {
            return false;
        }

        var v = values[index];
        return v >= values[index - 2] && v >= values[index - 1] && v >= values[index + 1] && v >= values[index + 2];
    }

    /// <summary>True when <paramref name="index"/> ∈ [2, n − 3] and its value is ≤ its two neighbours on each side.</summary>
    public static bool IsTrough(ReadOnlySpan<double> values, int index)
    {
        if (index < Window || index > values.Length - Window - 1)
        {
            return false;
        }

        var v = values[index];
        return v <= values[index - 2] && v <= values[index - 1] && v <= values[index + 1] && v <= values[index + 2];
    }

    /// <summary>All peak indices in ascending order (ties allowed, as in the reference).</summary>
    public static int[] Peaks(ReadOnlySpan<double> values) => Raw(values, peaks: true);

    /// <summary>All trough indices in ascending order (ties allowed, as in the reference).</summary>
    public static int[] Troughs(ReadOnlySpan<double> values) => Raw(values, peaks: false);

    /// <summary>Peaks with flat points dropped and plateaus counted once (see the type remarks).</summary>
    public static int[] DistinctPeaks(ReadOnlySpan<double> values)
    {
        var buffer = new int[values.Length];
        return buffer[..FindDistinct(values, peaks: true, buffer)];
    }

    /// <summary>Troughs with flat points dropped and plateaus counted once (see the type remarks).</summary>
    public static int[] DistinctTroughs(ReadOnlySpan<double> values)
    {
        var buffer = new int[values.Length];
        return buffer[..FindDistinct(values, peaks: false, buffer)];
    }

    /// <summary>
    /// Writes the distinct peak (or trough) indices of <paramref name="values"/> into <paramref name="destination"/>
    /// in ascending order and returns their count; <paramref name="destination"/> needs room for values.Length.
    /// </summary>
    public static int FindDistinct(ReadOnlySpan<double> values, bool peaks, Span<int> destination)
    {
        var count = 0;
        for (var i = Window; i <= values.Length - Window - 1; i++)
        {
            var peak = IsPeak(values, i);
            var trough = IsTrough(values, i);
            if (peak == trough || peak != peaks)
            {
                continue; // neither, or flat on all four neighbours (both), or the other kind
            }

            if (count > 0 && IsSamePlateau(values, destination[count - 1], i))
            {
                continue;
            }

            destination[count++] = i;
        }

        return count;
    }

    private static bool IsSamePlateau(ReadOnlySpan<double> values, int previous, int current)
    {
        var v = values[current];
        for (var k = previous; k < current; k++)
        {
            if (values[k] != v)
            {
                return false;
            }
        }

        return true;
    }

    private static int[] Raw(ReadOnlySpan<double> values, bool peaks)
    {
        var result = new List<int>();
        for (var i = Window; i <= values.Length - Window - 1; i++)
        {
            if (peaks ? IsPeak(values, i) : IsTrough(values, i))
            {
                result.Add(i);
            }
        }

        return [.. result];
    }
}
