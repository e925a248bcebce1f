using System.Text;

namespace SentryBrain.Streams;

/// <summary>
/// Which shard stream an event goes to. Per-symbol state must live in exactly one process, so every event about a
/// symbol goes to the same shard: k = FNV-1a-32(UTF-8 bytes of the symbol) mod N. FNV-1a is fixed by its
/// definition (offset basis 2166136261, prime 16777619), so the publisher, every brain and any other language
/// agree on it, release after release (string.GetHashCode is randomized per process and must never be used).
/// <list type="bullet">
/// <item>trade, quote, volatility: the shard of <c>payload.symbol</c>;</item>
/// <item>news: the shard of each of its symbols; a headline about symbols in several shards is copied to each of
/// them with <c>symbols</c> narrowed to that shard's symbols (so no instance evaluates a symbol it does not own);</item>
/// <item>positions, orders: every shard (account snapshots that every instance needs to see);</item>
/// <item>anything without a symbol (unknown types, news without symbols, a trade missing its symbol): shard 0.</item>
/// </list>
/// </summary>
public static class ShardRouter
{
    /// <summary>The shard of a symbol among <paramref name="shards"/>.</summary>
    public static int ShardOf(string symbol, int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        Span<byte> buffer = stackalloc byte[64];
        var bytes = Encoding.UTF8.GetByteCount(symbol) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(symbol, buffer)] : Encoding.UTF8.GetBytes(symbol);
        return (int)(Fnv1a32(bytes) % (uint)shards);
    }

    /// <summary>32-bit FNV-1a.</summary>
    public static uint Fnv1a32(ReadOnlySpan<byte> data)
    {
        var hash = 2166136261u;
        foreach (var b in data)
        {
            hash ^= b;
            hash *= 16777619u;
        }

        return hash;
    }

    /// <summary>Name of shard <paramref name="k"/> of <paramref name="stream"/>: <c>market:updates:2</c>.</summary>
    public static string ShardStream(string stream, int k) => $"{stream}:{k}";

    /// <summary>Dead-letter stream of a stream: <c>market:updates:2:dead</c>.</summary>
    public static string DeadLetterStream(string stream) => stream + ":dead";

    /// <summary>
    /// The shards of one event. For news spanning several shards, <paramref name="newsSymbolsByShard"/> gets each
    /// shard's symbols (null otherwise: the payload goes unchanged).
    /// </summary>
    public static void Route(in StreamEnvelope.Parts parts, int shards, List<int> targets, out Dictionary<int, List<string>>? newsSymbolsByShard)
    {
        targets.Clear();
        newsSymbolsByShard = null;
        switch (parts.Kind)
        {
            case StreamEnvelope.EventKind.SingleSymbol:
                targets.Add(ShardOf(parts.Symbol!, shards));
                return;
            case StreamEnvelope.EventKind.Account:
                for (var k = 0; k < shards; k++)
                {
                    targets.Add(k);
                }

                return;
            case StreamEnvelope.EventKind.News when parts.Symbols is { Length: > 0 } symbols:
                foreach (var symbol in symbols)
                {
                    var k = ShardOf(symbol, shards);
                    if (!targets.Contains(k))
                    {
                        targets.Add(k);
                    }
                }

                if (targets.Count > 1)
                {
                    newsSymbolsByShard = [];
                    foreach (var symbol in symbols)
                    {
                        var k = ShardOf(symbol, shards);
                        if (!newsSymbolsByShard.TryGetValue(k, out var list))
                        {
                            newsSymbolsByShard[k] = list = [];
                        }

                        if (!list.Contains(symbol))
                        {
                            list.Add(symbol);
                        }
                    }
                }

                return;
            default:
                targets.Add(0);
                return;
        }
    }

    /// <summary>Parses <c>--shards 0,2</c>: distinct non-negative shard numbers.</summary>
    public static bool TryParseShardList(string text, out int[] shards, out string? error)
    {
        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var k) || k > 100_000)
            {
                shards = [];
                error = $"'{part}' is not a shard number (0, 1, 2, …)";
                return false;
            }

            if (!list.Contains(k))
            {
                list.Add(k);
            }
        }

        shards = [.. list];
        error = list.Count == 0 ? "no shard given" : null;
        return list.Count > 0;
    }
}
