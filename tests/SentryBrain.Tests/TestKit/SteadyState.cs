namespace SentryBrain.Tests.TestKit;

/// <summary>
/// "Allocates nothing in steady state", asserted without depending on the machine's speed: a one-off runtime
/// allocation on the test's thread (a tier-up of the code under test, a lazily built cache) can land in one round
/// of calls, depending on when background compilation finishes; an allocation per call shows in every round.
/// </summary>
public static class SteadyState
{
    /// <summary>Runs <paramref name="round"/> up to <paramref name="maxRounds"/> times, until one allocates nothing on this thread; fails with every round's bytes otherwise.</summary>
    public static void AssertAllocatesNothing(Action round, int maxRounds = 3)
    {
        var rounds = new List<long>();
        while (rounds.Count < maxRounds && (rounds.Count == 0 || rounds[^1] != 0))
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            round();
            rounds.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(rounds[^1] == 0, "allocated bytes per round: " + string.Join(", ", rounds));
    }
}
