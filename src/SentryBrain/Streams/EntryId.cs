using StackExchange.Redis;

namespace SentryBrain.Streams;

/// <summary>A stream entry id <c>&lt;ms&gt;-&lt;seq&gt;</c>, ordered as Redis orders them.</summary>
public readonly record struct EntryId(long Ms, long Seq) : IComparable<EntryId>
{
    public static EntryId Parse(RedisValue id) => TryParse(id.ToString(), out var parsed) ? parsed : default;

    public static bool TryParse(string text, out EntryId id)
    {
        id = default;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !long.TryParse(text.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            || !long.TryParse(text.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        id = new EntryId(ms, seq);
        return true;
    }

    public int CompareTo(EntryId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

    public static bool operator <(EntryId a, EntryId b) => a.CompareTo(b) < 0;

    public static bool operator >(EntryId a, EntryId b) => a.CompareTo(b) > 0;

    public static bool operator <=(EntryId a, EntryId b) => a.CompareTo(b) <= 0;

    public static bool operator >=(EntryId a, EntryId b) => a.CompareTo(b) >= 0;

    /// <summary>The next id after this one at time <paramref name="nowMs"/>: a new millisecond, or the next sequence number.</summary>
    public EntryId Next(long nowMs) => nowMs > Ms ? new EntryId(nowMs, 0) : new EntryId(Ms, Seq + 1);

    public override string ToString() => $"{Ms}-{Seq}";
}
