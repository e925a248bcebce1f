using System.Runtime.CompilerServices;

namespace SentryBrain.Events;

/// <summary>
/// The keys of one flat object on the fast path that it does not know, kept to find a repeated one. The engine sends
/// none and hand-made lines a few, so comparing with each earlier one costs less than hashing; past
/// <see cref="Capacity"/> the caller hands the line to the full path, which checks any number of keys.
/// </summary>
internal struct FlatKeys
{
    public const int Capacity = 8;

    private Slots _slots;
    private int _count;

    /// <summary>False when the key (bytes <paramref name="start"/>.. of <paramref name="obj"/>) was seen before, or when there are too many to compare.</summary>
    public bool TryAdd(ReadOnlySpan<byte> obj, int start, int length)
    {
        var key = obj.Slice(start, length);
        for (var k = 0; k < _count; k++)
        {
            var slot = _slots[k];
            if ((int)(uint)slot == length && obj.Slice((int)(slot >> 32), length).SequenceEqual(key))
            {
                return false;
            }
        }

        if (_count == Capacity)
        {
            return false;
        }

        _slots[_count++] = ((ulong)(uint)start << 32) | (uint)length;
        return true;
    }

    [InlineArray(Capacity)]
    private struct Slots
    {
        private ulong _element;
    }
}
