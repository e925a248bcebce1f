using Microsoft.Extensions.Time.Testing;
using SentryBrain.Engine;
using SentryBrain.Events;

namespace SentryBrain.Tests.Engine;

/// <summary>The clock rule alone (<see cref="EventClock"/>): pure decisions on timestamps, wall clock faked.</summary>
public sealed class EventClockTests
{
    private static readonly DateTimeOffset Wall = new(2026, 12, 4, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    private static EventClock Clock(FakeTimeProvider? wall = null, int confirm = 3)
        => new(wall ?? new FakeTimeProvider(Wall), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(900), confirm);

    private static VolatilityEvent At(DateTime ts) => new(ts, "ZZZ", 0.3);

    [Fact]
    public void TheFirstEvent_IsAccepted_UnlessFromTheFuture()
    {
        var clock = Clock();
        Assert.Equal(EventClock.Verdict.Reject, clock.Offer(At(Wall.UtcDateTime.AddSeconds(61)), 1));
        Assert.Equal(EventClock.Verdict.Accept, clock.Offer(At(T0), 2));
        Assert.Equal(T0, clock.Now);
    }

    [Fact]
    public void TheWallClock_IsReadAgain_WhenAnEventPassesTheCachedLimit()
    {
        var wall = new FakeTimeProvider(Wall);
        var clock = Clock(wall);
        var ts = Wall.UtcDateTime.AddMinutes(10);
        Assert.Equal(EventClock.Verdict.Accept, clock.Offer(At(Wall.UtcDateTime.AddMinutes(-1)), 1));
        Assert.Equal(EventClock.Verdict.Reject, clock.Offer(At(ts), 2));
        Assert.Contains("in the future", clock.Reason, StringComparison.Ordinal);
        wall.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(EventClock.Verdict.Accept, clock.Offer(At(ts), 3));
    }

    [Fact]
    public void BeforeUnixEpoch_IsRejected()
    {
        var clock = Clock();
        Assert.Equal(EventClock.Verdict.Reject, clock.Offer(At(DateTime.MinValue), 1));
        Assert.Equal(EventClock.Verdict.Reject, clock.Offer(At(EventClock.Earliest.AddTicks(-1)), 2));
        Assert.Contains("before 1970", clock.Reason, StringComparison.Ordinal);
        Assert.Equal(EventClock.Verdict.Accept, clock.Offer(At(EventClock.Earliest), 3));
    }

    [Fact]
    public void AJump_IsHeld_ThenReleasedInOrder_ByTheThirdConfirmingEvent()
    {
        var clock = Clock();
        clock.Offer(At(T0), 1);
        var jump = T0.AddHours(18);
        Assert.Equal(EventClock.Verdict.Accept, clock.Offer(At(T0.AddSeconds(900)), 2)); // exactly the margin: not a jump
        Assert.Equal(EventClock.Verdict.Hold, clock.Offer(At(jump), 3));
        Assert.Equal(EventClock.Verdict.Hold, clock.Offer(At(jump.AddSeconds(-899)), 4)); // a little before the jump still confirms it
        Assert.Equal(EventClock.Verdict.Accept, clock.Offer(At(T0.AddSeconds(1)), 5)); // late: neutral
        Assert.Equal(EventClock.Verdict.Hold, clock.Offer(At(jump.AddSeconds(5)), 6));
        Assert.Equal(T0.AddSeconds(900), clock.Now);
        Assert.Equal(EventClock.Verdict.Release, clock.Offer(At(jump.AddSeconds(1)), 7));
        Assert.Equal([3L, 4L, 6L, 7L], clock.Released.Select(h => h.Line));
        Assert.Empty(clock.Rejected);
        Assert.Equal(jump.AddSeconds(5), clock.Now);
    }

    [Fact]
    public void TheStreamGoingOnNearTheOldClock_RejectsTheHeldEvents_AndIsAccepted()
    {
        var clock = Clock();
        clock.Offer(At(T0), 1);
        clock.Offer(At(T0.AddDays(100)), 2, () => "entry 2", () => "origin 2");
        Assert.Equal(EventClock.Verdict.Accept, clock.Offer(At(T0.AddSeconds(3)), 3));
        var (held, reason) = Assert.Single(clock.Rejected);
        Assert.Equal((2L, "entry 2", (object?)"origin 2"), (held.Line, held.Context, held.Origin));
        Assert.Equal("ts 2026-06-10T15:00:00Z jumps 100 days ahead of the stream (2026-03-02T15:00:00Z) and was not confirmed by the events after it (a jump needs 3 more events near its time)", reason);
        Assert.Equal(T0.AddSeconds(3), clock.Now);
        Assert.Equal(0, clock.HeldCount);
    }

    [Fact]
    public void AJumpThatDoesNotReachTheHeldOne_RejectsIt_AndIsHeldInstead()
    {
        var clock = Clock();
        clock.Offer(At(T0), 1);
        clock.Offer(At(T0.AddDays(100)), 2);
        Assert.Equal(EventClock.Verdict.Hold, clock.Offer(At(T0.AddDays(1)), 3));
        Assert.Equal([2L], clock.Rejected.Select(r => r.Held.Line));
        Assert.Equal(1, clock.HeldCount);
    }

    [Fact]
    public void TheHeldBuffer_NeverExceedsTheConfirmationCount()
    {
        var clock = Clock(confirm: 5);
        clock.Offer(At(T0), 1);
        var max = 0;
        for (var i = 0; i < 1000; i++)
        {
            // a stream alternating between two far-apart times: every jump is contradicted, nothing accumulates
            clock.Offer(At(i % 2 == 0 ? T0.AddDays(30).AddSeconds(i) : T0.AddSeconds(i)), i + 2);
            max = Math.Max(max, clock.HeldCount);
        }

        Assert.Equal(1, max);
        for (var i = 0; i < 10; i++)
        {
            clock.Offer(At(T0.AddDays(60).AddSeconds(i)), 2000 + i);
            max = Math.Max(max, clock.HeldCount);
        }

        Assert.Equal(5, max);
    }

    [Fact]
    public void Finish_ReleasesAJumpWithOneConfirmation_AndRejectsALoneOne()
    {
        var clock = Clock();
        clock.Offer(At(T0), 1);
        clock.Offer(At(T0.AddDays(1)), 2);
        clock.Offer(At(T0.AddDays(1).AddSeconds(1)), 3);
        Assert.Equal(EventClock.Verdict.Release, clock.Finish());
        Assert.Equal([2L, 3L], clock.Released.Select(h => h.Line));

        var lone = Clock();
        lone.Offer(At(T0), 1);
        lone.Offer(At(T0.AddDays(1)), 2);
        Assert.Equal(EventClock.Verdict.Accept, lone.Finish());
        Assert.Contains("before the end of input", Assert.Single(lone.Rejected).Reason, StringComparison.Ordinal);
        Assert.Equal(T0, lone.Now);
    }
}
