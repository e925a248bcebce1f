using SentryBrain.Signals.Technical.Patterns;

namespace SentryBrain.Tests.Signals.Patterns;

public sealed class ExtremaTests
{
    public static TheoryData<double[], int[], int[]> RawCases => new()
    {
        // Single hump: index 2 is ≥ 1, 2 on the left and 2, 1 on the right.
        { [1, 2, 3, 2, 1], [2], [] },
        // Single dip.
        { [3, 1, 0, 1, 3], [], [2] },
        // Tie with a neighbour is allowed: 2 ≥ 1, 2 | 2, 1.
        { [1, 2, 2, 2, 1], [2], [] },
        // Two-bar plateau at the top: both bars are peaks (≥ 1, 2, 5, 2 and ≥ 2, 5, 2, 1).
        { [1, 2, 5, 5, 2, 1], [2, 3], [] },
        // Completely flat: every index in [2, n − 3] = {2, 3} is both a peak and a trough.
        { [4, 4, 4, 4, 4, 4], [2, 3], [2, 3] },
        // The minimum sits at index 1 < 2, outside the range; index 2 (1) is not ≤ its neighbour 0.
        { [3, 0, 1, 2, 3], [], [] },
        // The maximum sits at index n − 2 = 4, outside the range; index 3 (4) is below its neighbour 9.
        { [1, 2, 3, 4, 9, 5], [], [] },
        // The last index in range, n − 3 = 3, is a peak: 9 ≥ 2, 3 | 4, 5.
        { [1, 2, 3, 9, 4, 5], [3], [] },
        // Two plateaus of 5 separated by a 4: peaks 2, 3, 5, 6; the 4 at index 4 is ≤ 5, 5 | 5, 5.
        { [1, 2, 5, 5, 4, 5, 5, 2, 1], [2, 3, 5, 6], [4] },
        // Fewer than five values: no index in [2, n − 3].
        { [1, 2, 1, 2], [], [] },
    };

    public static TheoryData<double[], int[], int[]> DistinctCases => new()
    {
        // No equal neighbours: the distinct lists are the raw ones.
        { [1, 2, 3, 2, 1, 0, 1, 2], [2], [5] },
        // Two-bar plateau: one peak, at its first index.
        { [1, 2, 5, 5, 2, 1], [2], [] },
        // Flat: every point is both a peak and a trough, hence neither.
        { [4, 4, 4, 4, 4, 4], [], [] },
        // Long top plateau 105 × 7 (indices 2..8): 2, 3 and 7, 8 are peaks only, 4..6 are flat (dropped); the rest of
        // the run still only holds 105s, so it counts once, at index 2.
        { [100, 101, 105, 105, 105, 105, 105, 105, 105, 101, 100], [2], [] },
        // Equal peaks separated by a lower value are two peaks: 2 and 5 (3 and 6 join their plateaus).
        { [1, 2, 5, 5, 4, 5, 5, 2, 1], [2, 5], [4] },
        // A flat step inside a rise: raw peaks 2, 3, 4 and troughs 4, 5, 6; 4 is flat (dropped), so one peak (2)
        // and one trough (5) remain, both at 3. Documented limitation: a step still reads as a peak and a trough.
        { [1, 2, 3, 3, 3, 3, 3, 4, 5], [2], [5] },
    };

    [Theory]
    [MemberData(nameof(RawCases))]
    public void Raw_FollowsTheWindowTwoDefinition_WithTies(double[] values, int[] peaks, int[] troughs)
    {
        Assert.Equal(peaks, Extrema.Peaks(values));
        Assert.Equal(troughs, Extrema.Troughs(values));
    }

    [Theory]
    [MemberData(nameof(DistinctCases))]
    public void Distinct_DropsFlatPoints_AndCountsPlateausOnce(double[] values, int[] peaks, int[] troughs)
    {
        Assert.Equal(peaks, Extrema.DistinctPeaks(values));
        Assert.Equal(troughs, Extrema.DistinctTroughs(values));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    public void OutsideTheRange_NeverAnExtremum_EvenTheMaximumOrMinimum(int index)
    {
        // n = 6, so only 2 and 3 can be extrema; 9 at index 4, 8 at index 1 and the 0s at 0 and 5 never are.
        double[] values = [0, 8, 1, 1, 9, 0];
        Assert.False(Extrema.IsPeak(values, index));
        Assert.False(Extrema.IsTrough(values, index));
    }
}
