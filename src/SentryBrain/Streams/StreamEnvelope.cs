using System.Text;
using System.Text.Json;
using SentryBrain.Events;

namespace SentryBrain.Streams;

/// <summary>
/// The two shapes of one market event: the NDJSON line of the stdin pipe (<c>{"type","ts","payload"}</c>) and the
/// Redis stream entry of the Go engine (string fields <c>type</c>, <c>ts</c>, <c>payload</c> = JSON text,
/// BEHAVIOR.md §1). <see cref="TrySplit"/> goes from line to fields (for <c>publish</c>) and also finds the symbols
/// the event is about (for sharding); <see cref="LineBuilder"/> goes back, so the consumer feeds the very same parser
/// as the stdin path.
/// </summary>
public static class StreamEnvelope
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>Fields of one event as byte ranges of the line, plus the symbols it is about.</summary>
    public readonly record struct Parts(Range Type, Range Ts, Range Payload, string? Symbol, string[]? Symbols, EventKind Kind);

    public enum EventKind
    {
        /// <summary>trade, quote, volatility: one <c>payload.symbol</c>.</summary>
        SingleSymbol = 0,

        /// <summary>news: <c>payload.symbols</c>, possibly several.</summary>
        News = 1,

        /// <summary>positions, orders: account snapshots every instance needs.</summary>
        Account = 2,

        /// <summary>an unknown type or an event without a symbol.</summary>
        Other = 3,
    }

    /// <summary>
    /// Splits an NDJSON line into its envelope fields. Fails (with a reason) when the line is not a JSON object with
    /// a string <c>type</c>, a <c>ts</c> and a <c>payload</c>; the payload itself is not validated (the consumer does that).
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> line, out Parts parts, out string? error)
    {
        parts = default;
        error = null;
        Range type = default, ts = default, payload = default;
        bool hasType = false, hasTs = false, hasPayload = false;
        string? symbol = null;
        string[]? symbols = null;
        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, new JsonReaderState(ReaderOptions));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    hasType = reader.TokenType == JsonTokenType.String;
                    type = ValueRange(ref reader);
                }
                else if (reader.ValueTextEquals("ts"u8))
                {
                    reader.Read();
                    hasTs = true;
                    ts = ValueRange(ref reader);
                }
                else if (reader.ValueTextEquals("payload"u8))
                {
                    reader.Read();
                    hasPayload = true;
                    var start = (int)reader.TokenStartIndex;
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        ReadSymbols(ref reader, out symbol, out symbols);
                    }
                    else
                    {
                        reader.Skip();
                    }

                    payload = start..(int)reader.BytesConsumed;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            error = "invalid JSON: " + ex.Message;
            return false;
        }

        if (!hasType || !hasTs || !hasPayload)
        {
            error = !hasType ? "no string \"type\"" : !hasTs ? "no \"ts\"" : "no \"payload\"";
            return false;
        }

        var typeBytes = line[type];
        var kind = typeBytes.SequenceEqual("news"u8) ? EventKind.News
            : typeBytes.SequenceEqual("positions"u8) || typeBytes.SequenceEqual("orders"u8) ? EventKind.Account
            : symbol is not null ? EventKind.SingleSymbol
            : EventKind.Other;
        parts = new Parts(type, ts, payload, symbol, symbols, kind);
        return true;
    }

    /// <summary>The value's bytes without quotes for strings (escapes kept, as the writer on the other side keeps them).</summary>
    private static Range ValueRange(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType == JsonTokenType.String)
        {
            return (start + 1)..((int)reader.BytesConsumed - 1);
        }

        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }

        return start..(int)reader.BytesConsumed;
    }

    private static void ReadSymbols(ref Utf8JsonReader reader, out string? symbol, out string[]? symbols)
    {
        symbol = null;
        symbols = null;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.ValueTextEquals("symbol"u8))
            {
                reader.Read();
                symbol = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("symbols"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    var list = new List<string>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } s)
                        {
                            list.Add(s);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    symbols = [.. list];
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>
    /// Rebuilds the NDJSON line <c>{"type":…,"ts":…,"payload":…}</c> from the three entry fields into a reused buffer.
    /// A missing field is left out, so the parser rejects the entry with its usual reason.
    /// </summary>
    public sealed class LineBuilder
    {
        private byte[] _buffer = new byte[4096];
        private int _length;

        public ReadOnlySpan<byte> Build(ReadOnlySpan<byte> type, bool hasType, ReadOnlySpan<byte> ts, bool hasTs, ReadOnlySpan<byte> payload, bool hasPayload)
        {
            _length = 0;
            Append("{"u8);
            var first = true;
            if (hasType)
            {
                Append("\"type\":"u8);
                AppendString(type);
                first = false;
            }

            if (hasTs)
            {
                Append(first ? "\"ts\":"u8 : ",\"ts\":"u8);
                AppendString(ts);
                first = false;
            }

            if (hasPayload)
            {
                Append(first ? "\"payload\":"u8 : ",\"payload\":"u8);
                // An empty field cannot be valid JSON; "" keeps the line well-formed so the parser names the problem.
                Append(payload.IsEmpty ? "\"\""u8 : payload);
            }

            Append("}"u8);
            return _buffer.AsSpan(0, _length);
        }

        private void AppendString(ReadOnlySpan<byte> value)
        {
            if (value.IndexOfAny("\"\\"u8) < 0 && !HasControl(value))
            {
                Append("\""u8);
                Append(value);
                Append("\""u8);
                return;
            }

            // Rare: the field needs escaping (a well-behaved engine never sends such a type or ts).
            var text = Encoding.UTF8.GetString(value);
            Append(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(text)));
        }

        private static bool HasControl(ReadOnlySpan<byte> value)
        {
            foreach (var b in value)
            {
                if (b < 0x20)
                {
                    return true;
                }
            }

            return false;
        }

        private void Append(ReadOnlySpan<byte> bytes)
        {
            if (_length + bytes.Length > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes.Length));
            }

            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
        }
    }

    /// <summary>Event time of an entry's <c>ts</c> field, for merging shard streams; MinValue when unreadable.</summary>
    public static DateTime ParseTs(ReadOnlySpan<byte> ts) => Rfc3339.TryParse(ts, out var utc) ? utc : DateTime.MinValue;
}
