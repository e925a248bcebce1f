namespace SentryBrain.Tests.Signals.Patterns;

/// <summary>Hand-built price series for the indicator tests.</summary>
internal static class Series
{
    /// <summary>
    /// Piecewise-linear series through the anchors (index, value), indices ascending from 0; the value at every anchor
    /// is exact and every segment is strictly monotone unless its two anchors are equal, so the extrema of the result
    /// are exactly the anchors where the direction changes.
    /// </summary>
    public static double[] Path(params (int Index, double Value)[] anchors)
    {
        var result = new double[anchors[^1].Index + 1];
        for (var k = 0; k < anchors.Length - 1; k++)
        {
            var (i0, v0) = anchors[k];
            var (i1, v1) = anchors[k + 1];
            for (var i = i0; i < i1; i++)
            {
                result[i] = v0 + ((v1 - v0) * (i - i0) / (i1 - i0));
            }
        }

        result[^1] = anchors[^1].Value;
        return result;
    }

    /// <summary><paramref name="count"/> copies of <paramref name="value"/>.</summary>
    public static double[] Flat(double value, int count) => Enumerable.Repeat(value, count).ToArray();

    /// <summary>start, start + step, … (<paramref name="count"/> values).</summary>
    public static double[] Line(double start, double step, int count)
        => Enumerable.Range(0, count).Select(i => start + (step * i)).ToArray();

    public static double[] Concat(params double[][] parts) => parts.SelectMany(p => p).ToArray();
}
