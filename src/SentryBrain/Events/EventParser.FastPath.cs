using System.Runtime.CompilerServices;

namespace SentryBrain.Events;

/// <summary>
/// The fast path of <see cref="EventParser"/>: trade and quote lines read in one pass without a JSON reader — the
/// engine's own layout by position, any other flat layout key by key — handing anything unusual to the full path.
/// </summary>
public sealed partial class EventParser
{
    /// <summary>
    /// The hot path for well-formed trade and quote lines. Returns false (not handled) for anything unusual,
    /// which then goes through the full reader; returns true with an event, or with a validation error.
    /// </summary>
    internal bool TryParseFast(ReadOnlySpan<byte> line, out MarketEvent? evt, out string? error)
    {
        if (TryParseEngineLayout(line, out evt, out error))
        {
            return true;
        }

        var envelope = new FlatJsonScanner(line);
        if (!envelope.Begin())
        {
            return false;
        }

        ReadOnlySpan<byte> type = default;
        ReadOnlySpan<byte> payload = default;
        var ts = default(DateTime);
        var hasTs = false;
        var f = NewTick();
        var parsedPayload = false;
        int r;
        // A repeated key sends the line to the full path, which rejects it: known keys by bit, others compared.
        var seen = 0;
        var others = default(FlatKeys);
        while ((r = envelope.Next(out var key, out var kind, out var value, allowObject: true)) == 1)
        {
            if (key.SequenceEqual("type"u8))
            {
                if (kind != FlatValueKind.String || (seen & 1) != 0)
                {
                    return false;
                }

                seen |= 1;
                type = value;
            }
            else if (key.SequenceEqual("ts"u8))
            {
                if (kind != FlatValueKind.String || (seen & 2) != 0)
                {
                    return false;
                }

                seen |= 2;
                hasTs = Rfc3339.TryParse(value, ref _dateCache, out ts);
            }
            else if (key.SequenceEqual("payload"u8))
            {
                if (kind != FlatValueKind.Object || (seen & 4) != 0)
                {
                    return false;
                }

                seen |= 4;
                int length;
                if (type.SequenceEqual("trade"u8) || type.SequenceEqual("quote"u8))
                {
                    // The engine sends type first: read the payload in the same pass.
                    if (!ReadTickFast(value, ref f, out length))
                    {
                        return false;
                    }

                    parsedPayload = true;
                }
                else if (!FlatJsonScanner.TrySkipObject(value, out length))
                {
                    return false;
                }

                payload = value[..length];
                envelope.Skip(length);
            }
            else if (kind == FlatValueKind.Object || !others.TryAdd(line, envelope.KeyStart, key.Length))
            {
                return false;
            }
        }

        var isTrade = type.SequenceEqual("trade"u8);
        if (r < 0 || !envelope.AtEnd() || !hasTs || payload.IsEmpty || (!isTrade && !type.SequenceEqual("quote"u8)))
        {
            return false;
        }

        if (!parsedPayload && !ReadTickFast(payload, ref f, out _))
        {
            return false;
        }

        evt = isTrade ? BuildTrade(ref f, ts, out error) : BuildQuote(ref f, ts, out error);
        return true;
    }

    /// <summary>
    /// The engine's own layout, <c>{"type":"quote","ts":"…","payload":{…}}</c> with no white space between the
    /// envelope's tokens, read by position instead of key by key. False for any other layout, which
    /// <see cref="TryParseFast"/> then reads key by key; where it is true, the event or error is the one that path gives.
    /// </summary>
    private bool TryParseEngineLayout(ReadOnlySpan<byte> line, out MarketEvent? evt, out string? error)
    {
        evt = null;
        error = null;
        if (!line.StartsWith("{\"type\":\""u8))
        {
            return false;
        }

        var rest = line[9..];
        bool isTrade;
        if (rest.StartsWith("quote\",\"ts\":\""u8))
        {
            isTrade = false;
        }
        else if (rest.StartsWith("trade\",\"ts\":\""u8))
        {
            isTrade = true;
        }
        else
        {
            return false;
        }

        // An RFC 3339 time has no quote, backslash or control byte, so the first quote ends it.
        rest = rest[13..];
        var end = rest.IndexOf((byte)'"');
        if (end < 0 || !Rfc3339.TryParse(rest[..end], ref _dateCache, out var ts))
        {
            return false;
        }

        var envelopeTs = rest[..end];
        rest = rest[(end + 1)..];
        if (!rest.StartsWith(",\"payload\":"u8))
        {
            return false;
        }

        rest = rest[11..];
        var f = NewTick();
        if (!ReadTickFast(rest, ref f, out var length, envelopeTs) || length >= rest.Length || rest[length] != '}' || SkipWhiteSpace(rest, length + 1) != rest.Length)
        {
            return false;
        }

        evt = isTrade ? BuildTrade(ref f, ts, out error) : BuildQuote(ref f, ts, out error);
        return true;
    }

    /// <summary>
    /// Reads a flat trade/quote payload in one tight pass (local index, no helper calls per byte); false when it is
    /// not something the fast path handles (escapes, nested values, booleans, malformed text).
    /// </summary>
    private bool ReadTickFast(ReadOnlySpan<byte> s, ref TickFields f, out int length, ReadOnlySpan<byte> envelopeTs = default)
    {
        length = 0;
        var n = s.Length;
        if (n == 0 || s[0] != '{')
        {
            return false;
        }

        var i = SkipWhiteSpace(s, 1);
        if (i < n && s[i] == '}')
        {
            length = i + 1;
            return true;
        }

        var seen = 0u; // one bit per known field: a repeated one sends the line to the full path
        var others = default(FlatKeys);
        while (true)
        {
            if (i >= n || s[i] != '"')
            {
                return false;
            }

            var keyStart = ++i;
            var token = KeyToken(s[i..], out var field);
            if (token > 0)
            {
                i += token; // past the colon
            }
            else
            {
                if (!ScanString(s, ref i))
                {
                    return false;
                }

                field = Field(s[keyStart..i]);
                i = SkipWhiteSpace(s, i + 1);
                if (i >= n || s[i] != ':')
                {
                    return false;
                }

                i++;
            }

            if (field != TickField.Unknown)
            {
                var bit = 1u << (int)field;
                if ((seen & bit) != 0)
                {
                    return false;
                }

                seen |= bit;
            }
            else if (!others.TryAdd(s, keyStart, KeyLength(s, keyStart)))
            {
                return false;
            }

            i = SkipWhiteSpace(s, i);
            if (i >= n)
            {
                return false;
            }

            var c = s[i];
            ReadOnlySpan<byte> value;
            var kind = FlatValueKind.Number;
            if (c == '"')
            {
                var valueStart = ++i;
                if (token == TsToken && !envelopeTs.IsEmpty && s[i..].StartsWith(envelopeTs) && i + envelopeTs.Length < n && s[i + envelopeTs.Length] == '"')
                {
                    i += envelopeTs.Length; // the payload's "ts" repeats the envelope's, whose bytes are known to be plain
                }
                else if (!ScanString(s, ref i))
                {
                    return false;
                }

                value = s[valueStart..i];
                kind = FlatValueKind.String;
                i++;
            }
            else if (c == '-' || (uint)(c - '0') <= 9)
            {
                var valueStart = i;
                if (field > TickField.Session && FastNumber.TryScanPlainDecimal(s, ref i, out var number))
                {
                    // The usual wire number, read in the same pass that found its end (same value as FastNumber.TryParse).
                    if (!AssignNumber(field, number, ref f))
                    {
                        return false;
                    }

                    goto next;
                }

                i = valueStart;
                while (i < n && FastNumber.IsNumberByte(s[i]))
                {
                    i++;
                }

                value = s[valueStart..i];
                if (!FlatJsonScanner.IsJsonNumber(value))
                {
                    return false; // malformed: the strict path rejects it as invalid JSON
                }
            }
            else if (c == 'n' && s[i..].StartsWith("null"u8))
            {
                i += 4;
                value = default;
                kind = FlatValueKind.Null;
            }
            else
            {
                return false;
            }

            if (!AssignTickField(field, kind, value, ref f))
            {
                return false;
            }

        next:
            i = SkipWhiteSpace(s, i);
            if (i >= n)
            {
                return false;
            }

            if (s[i] == '}')
            {
                length = i + 1;
                return true;
            }

            if (s[i] != ',')
            {
                return false;
            }

            i = SkipWhiteSpace(s, i + 1);
        }
    }

    private bool AssignTickField(TickField field, FlatValueKind kind, ReadOnlySpan<byte> value, ref TickFields f)
    {
        switch (field)
        {
            case TickField.Unknown:
                return true;
            case TickField.Symbol:
                if (kind != FlatValueKind.String)
                {
                    return kind == FlatValueKind.Null && (f.SymbolNull = true);
                }

                f.Symbol = _symbols.Intern(value);
                f.SymbolNull = f.Symbol is null;
                return true;
            case TickField.Session:
                f.Session = kind == FlatValueKind.String ? ParseSession(value) : FeedSession.Regular;
                return true;
        }

        if (kind == FlatValueKind.Null)
        {
            return true;
        }

        return FastNumber.TryParse(value, out var number) && AssignNumber(field, number, ref f);
    }

    /// <summary>Stores a numeric field; false when the value is not finite or out of its range (the full path then names the field).</summary>
    private static bool AssignNumber(TickField field, double number, ref TickFields f)
    {
        if (!double.IsFinite(number) || !InLimits(field, number))
        {
            return false;
        }

        Slot(ref f, field) = number;
        return true;
    }

    /// <summary>The numeric field of <paramref name="f"/> that <paramref name="field"/> names.</summary>
    private static ref double Slot(ref TickFields f, TickField field)
    {
        switch (field)
        {
            case TickField.Price: return ref f.Price;
            case TickField.Bid: return ref f.Bid;
            case TickField.Ask: return ref f.Ask;
            case TickField.Mid: return ref f.Mid;
            case TickField.Size: return ref f.Size;
            case TickField.BidSize: return ref f.BidSize;
            case TickField.AskSize: return ref f.AskSize;
            case TickField.Volume1m: return ref f.Volume1m;
            case TickField.Volume5m: return ref f.Volume5m;
            case TickField.Return1m: return ref f.Return1m;
            case TickField.Return5m: return ref f.Return5m;
            default: return ref f.Volatility;
        }
    }

    /// <summary>Within the field's sane range (prices and sizes are checked when the event is built; NaN there means "absent").</summary>
    private static bool InLimits(TickField field, double value) => field switch
    {
        TickField.Volume1m or TickField.Volume5m => InRange(value, 0, MaxVolume),
        TickField.Return1m or TickField.Return5m => InRange(value, -1, 100),
        TickField.Volatility => InRange(value, 0, MaxAnnualizedVol),
        _ => true,
    };

    /// <summary>Advances <paramref name="i"/> to the closing quote of a string without escapes or control bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ScanString(ReadOnlySpan<byte> s, ref int i)
    {
        for (; i < s.Length; i++)
        {
            var b = s[i];
            if (b == '"')
            {
                return true;
            }

            if (b == '\\' || b < 0x20)
            {
                return false;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhiteSpace(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }

    /// <summary>
    /// The payload keys as the engine writes them, with their closing quote and colon (<c>ask":</c>): one comparison
    /// each instead of scanning the key. <paramref name="s"/> starts after the key's opening quote; returns the
    /// token's length, or 0 when the key is not one of them written that way (the caller then scans it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int KeyToken(ReadOnlySpan<byte> s, out TickField field)
    {
        field = TickField.Unknown;
        if (s.IsEmpty)
        {
            return 0;
        }

        switch (s[0])
        {
            case (byte)'a':
                return s.StartsWith("ask\":"u8) ? Known(TickField.Ask, 5, out field)
                    : s.StartsWith("ask_size\":"u8) ? Known(TickField.AskSize, 10, out field) : 0;
            case (byte)'b':
                return s.StartsWith("bid\":"u8) ? Known(TickField.Bid, 5, out field)
                    : s.StartsWith("bid_size\":"u8) ? Known(TickField.BidSize, 10, out field) : 0;
            case (byte)'m':
                return s.StartsWith("mid\":"u8) ? Known(TickField.Mid, 5, out field) : 0;
            case (byte)'p':
                return s.StartsWith("price\":"u8) ? Known(TickField.Price, 7, out field) : 0;
            case (byte)'r':
                return s.StartsWith("return_1m\":"u8) ? Known(TickField.Return1m, 11, out field)
                    : s.StartsWith("return_5m\":"u8) ? Known(TickField.Return5m, 11, out field) : 0;
            case (byte)'s':
                return s.StartsWith("session\":"u8) ? Known(TickField.Session, 9, out field)
                    : s.StartsWith("size\":"u8) ? Known(TickField.Size, 6, out field)
                    : s.StartsWith("symbol\":"u8) ? Known(TickField.Symbol, 8, out field) : 0;
            case (byte)'t':
                return s.StartsWith("ts\":"u8) ? TsToken : 0; // a key the tick does not use
            case (byte)'v':
                return s.StartsWith("volatility\":"u8) ? Known(TickField.Volatility, 12, out field)
                    : s.StartsWith("volume_1m\":"u8) ? Known(TickField.Volume1m, 11, out field)
                    : s.StartsWith("volume_5m\":"u8) ? Known(TickField.Volume5m, 11, out field) : 0;
            default:
                return 0;
        }

        static int Known(TickField known, int length, out TickField field)
        {
            field = known;
            return length;
        }
    }

    /// <summary>What <see cref="KeyToken"/> returns for the payload's <c>ts":</c>, a key the tick does not use.</summary>
    private const int TsToken = 4;

    /// <summary>Length of the key starting at <paramref name="start"/> (after its opening quote), up to its closing quote.</summary>
    private static int KeyLength(ReadOnlySpan<byte> s, int start) => s[start..].IndexOf((byte)'"');
}
