using SentryBrain.Events;

namespace SentryBrain.Engine.News;

/// <summary>
/// News dated in the future (<c>created_at</c> after the stream clock): held until event time reaches it, then
/// released in visible-time order (arrival order for equal times). The check at every event is O(1) and allocates
/// nothing: one comparison with the earliest visible time. Bounded: with <see cref="Capacity"/> items held, a new one
/// is dropped (a feed that dates everything far ahead must not grow memory).
/// </summary>
public sealed class NewsVisibility(int capacity = NewsVisibility.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly PriorityQueue<(NewsEvent News, DateTime At), (DateTime At, long Seq)> _held = new();
    private long _seq;

    public int Capacity { get; } = capacity;

    public int Count => _held.Count;

    /// <summary>Items dropped because the queue was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>The earliest visible time held (<see cref="DateTime.MaxValue"/> when none).</summary>
    public DateTime NextAt { get; private set; } = DateTime.MaxValue;

    /// <summary>Holds <paramref name="news"/> until <paramref name="at"/>; false (and counted) when the queue is full.</summary>
    public bool Hold(NewsEvent news, DateTime at)
    {
        if (_held.Count >= Capacity)
        {
            Dropped++;
            return false;
        }

        _held.Enqueue((news, at), (at, _seq++));
        NextAt = _held.Peek().At;
        return true;
    }

    /// <summary>True when an item is due at <paramref name="now"/> (the O(1) check).</summary>
    public bool AnyDue(DateTime now) => NextAt <= now;

    /// <summary>The next due item, in visible-time order; false when none is due.</summary>
    public bool TryRelease(DateTime now, out NewsEvent news, out DateTime at)
    {
        if (NextAt > now)
        {
            (news, at) = (null!, default);
            return false;
        }

        (news, at) = _held.Dequeue();
        NextAt = _held.Count > 0 ? _held.Peek().At : DateTime.MaxValue;
        return true;
    }
}
