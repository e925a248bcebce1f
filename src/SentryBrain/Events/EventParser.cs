using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;

namespace SentryBrain.Events;

/// <summary>
/// Turns one NDJSON line into a <see cref="MarketEvent"/> or a reason it was rejected.
/// Liberal where the engine is loose (numbers as strings, nulls, unknown fields), strict where a bad value
/// could move money (non-finite, non-positive or absurd prices and sizes). Every line is first checked to be valid
/// UTF-8. Then two paths: well-formed trade and quote lines (the bulk of the stream) go through a one-pass scanner
/// (<see cref="FlatJsonScanner"/>, <see cref="TryParseFast"/>); anything it does not handle falls back to the full
/// path: whole-line validation (<see cref="LineChecks"/>: JSON syntax and repeated keys, through JsonDocument), then
/// a hand-written <see cref="Utf8JsonReader"/> loop for the envelope and tick payloads, with source-generated
/// System.Text.Json (<see cref="WireJsonContext"/>) for news, volatility, positions and orders. Both paths must
/// accept and reject the same lines with the same events and errors (ParserPathParityTests, line by line).
/// This file is over 500 lines because the two paths and their shared field table belong together.
/// </summary>
public sealed class EventParser
{
    public const double MaxPrice = 10_000_000;
    public const double MaxSize = 1_000_000_000;
    public const double MaxVolume = 1_000_000_000_000;
    public const double MaxAnnualizedVol = 50;

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = LineChecks.MaxDepth };

    /// <summary>Default of NEWS_MAX_SYMBOLS: a story about more tickers than this is not per-symbol news.</summary>
    public const int DefaultNewsMaxSymbols = 100;

    private readonly SymbolTable _symbols;
    private readonly int _newsMaxSymbols;
    private Rfc3339.DateCache _dateCache; // one parser per engine thread, like the symbol table

    public EventParser(SymbolTable? symbols = null, int newsMaxSymbols = DefaultNewsMaxSymbols)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(newsMaxSymbols, 1);
        _symbols = symbols ?? new SymbolTable();
        _newsMaxSymbols = newsMaxSymbols;
    }

    public SymbolTable Symbols => _symbols;

    /// <summary>Parses a line (without its newline). Returns null and sets <paramref name="error"/> when rejected.</summary>
    public MarketEvent? Parse(ReadOnlySpan<byte> line, out string? error)
    {
        // Every string of the line, also those the parser skips, must be valid UTF-8 (vectorised: a few ns per line).
        if (!Utf8.IsValid(line))
        {
            error = $"invalid UTF-8 at column {LineChecks.FirstInvalidUtf8(line) + 1}";
            return null;
        }

        if (TryParseFast(line, out var fast, out error))
        {
            return fast;
        }

        return ParseFull(line, out error);
    }

    /// <summary>
    /// The full path alone, for a line already known to be valid UTF-8: what <see cref="Parse"/> does with every line
    /// <see cref="TryParseFast"/> does not handle. Internal so that ParserPathParityTests can run both paths on one line.
    /// </summary>
    internal MarketEvent? ParseFull(ReadOnlySpan<byte> line, out string? error)
    {
        // Syntax and duplicate keys of the whole line first, so both paths accept and reject the same lines.
        if (!LineChecks.TryValidate(line, out error))
        {
            return null;
        }

        try
        {
            return ParseEnvelope(line, out error);
        }
        catch (JsonException ex)
        {
            error = LineChecks.Describe(ex, inPayload: true);
            return null;
        }
        catch (InvalidOperationException)
        {
            error = "invalid JSON: a value of the wrong kind";
            return null;
        }
        catch (ArgumentException)
        {
            error = "invalid text in a string";
            return null;
        }
    }

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

    private MarketEvent? ParseEnvelope(ReadOnlySpan<byte> line, out string? error)
    {
        var reader = new Utf8JsonReader(line, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = "not a JSON object";
            return null;
        }

        ReadOnlySpan<byte> type = default;
        var hasType = false;
        DateTime ts = default;
        var hasTs = false;
        var payloadStart = -1;
        var payloadEnd = -1;
        var inline = false;
        TickFields tick = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueIsEscaped ? default : reader.ValueSpan;
            if (name.SequenceEqual("type"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    error = "field 'type' must be a string";
                    return null;
                }

                type = reader.HasValueSequence || reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
                hasType = true;
            }
            else if (name.SequenceEqual("ts"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || !Rfc3339.TryParse(reader.ValueSpan, ref _dateCache, out ts))
                {
                    error = "field 'ts' must be an RFC 3339 UTC time";
                    return null;
                }

                hasTs = true;
            }
            else if (name.SequenceEqual("payload"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    error = "field 'payload' must be an object";
                    return null;
                }

                payloadStart = (int)reader.TokenStartIndex;
                if (hasType && (type.SequenceEqual("trade"u8) || type.SequenceEqual("quote"u8)))
                {
                    // The engine sends type before payload: read the payload in the same pass.
                    tick = NewTick();
                    if (!ReadTickFields(ref reader, ref tick, out error))
                    {
                        return null;
                    }

                    inline = true;
                }
                else
                {
                    reader.Skip();
                }

                payloadEnd = (int)reader.BytesConsumed;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0)
        {
            error = "invalid JSON: unterminated object";
            return null;
        }

        if (reader.Read())
        {
            error = "invalid JSON: trailing data after the object";
            return null;
        }

        if (!hasType)
        {
            error = "missing field 'type'";
            return null;
        }

        if (!hasTs)
        {
            error = "missing field 'ts'";
            return null;
        }

        if (payloadStart < 0)
        {
            error = "missing field 'payload'";
            return null;
        }

        var payload = line[payloadStart..payloadEnd];
        if (type.SequenceEqual("trade"u8))
        {
            if (!inline && !ReadTick(payload, ref tick, out error))
            {
                return null;
            }

            return BuildTrade(ref tick, ts, out error);
        }

        if (type.SequenceEqual("quote"u8))
        {
            if (!inline && !ReadTick(payload, ref tick, out error))
            {
                return null;
            }

            return BuildQuote(ref tick, ts, out error);
        }

        if (type.SequenceEqual("news"u8))
        {
            return ParseNews(payload, ts, out error);
        }

        if (type.SequenceEqual("volatility"u8))
        {
            return ParseVolatility(payload, ts, out error);
        }

        if (type.SequenceEqual("positions"u8))
        {
            return ParsePositions(payload, ts, out error);
        }

        if (type.SequenceEqual("orders"u8))
        {
            return ParseOrders(payload, ts, out error);
        }

        error = null;
        return new UnknownEvent(ts, Shorten(System.Text.Encoding.UTF8.GetString(type)));
    }

    /// <summary>Fields shared by trade and quote payloads.</summary>
    private struct TickFields
    {
        public string? Symbol;
        public bool SymbolNull;
        public double Price, Size, Bid, Ask, BidSize, AskSize, Mid, Volume1m, Volume5m, Return1m, Return5m, Volatility;
        public FeedSession Session;
    }

    private static TickFields NewTick()
    {
        var f = default(TickFields);
        f.Price = double.NaN;
        f.Bid = double.NaN;
        f.Ask = double.NaN;
        f.Mid = double.NaN;
        return f;
    }

    private static TradeEvent? BuildTrade(ref TickFields f, DateTime ts, out string? error)
    {
        if (!CheckSymbol(ref f, out error)
            || !CheckPrice("price", f.Price, out error)
            || !CheckRange("size", f.Size, 0, MaxSize, out error))
        {
            return null;
        }

        return new TradeEvent(ts, f.Symbol!, f.Price, (long)f.Size, (long)f.Volume1m, (long)f.Volume5m, f.Return1m, f.Return5m, f.Session, f.Volatility);
    }

    private static QuoteEvent? BuildQuote(ref TickFields f, DateTime ts, out string? error)
    {
        if (!CheckSymbol(ref f, out error)
            || !CheckPrice("bid", f.Bid, out error)
            || !CheckPrice("ask", f.Ask, out error)
            || !CheckRange("bid_size", f.BidSize, 0, MaxSize, out error)
            || !CheckRange("ask_size", f.AskSize, 0, MaxSize, out error))
        {
            return null;
        }

        if (f.Ask < f.Bid)
        {
            error = "crossed quote: bid above ask";
            return null;
        }

        var mid = double.IsNaN(f.Mid) ? (f.Bid + f.Ask) / 2 : f.Mid;
        if (!CheckPrice("mid", mid, out error))
        {
            return null;
        }

        return new QuoteEvent(ts, f.Symbol!, f.Bid, f.Ask, (long)f.BidSize, (long)f.AskSize, mid, (long)f.Volume1m, (long)f.Volume5m, f.Return1m, f.Return5m, f.Session, f.Volatility);
    }

    private enum TickField
    {
        Unknown = 0,
        Symbol,
        Session,
        Price,
        Bid,
        Ask,
        Mid,
        Size,
        BidSize,
        AskSize,
        Volume1m,
        Volume5m,
        Return1m,
        Return5m,
        Volatility,
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

    /// <summary>Maps a property name to a field by length first, then one short comparison: cheaper than a chain of ValueTextEquals.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TickField Field(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 => name[0] switch
        {
            (byte)'b' when name.SequenceEqual("bid"u8) => TickField.Bid,
            (byte)'a' when name.SequenceEqual("ask"u8) => TickField.Ask,
            (byte)'m' when name.SequenceEqual("mid"u8) => TickField.Mid,
            _ => TickField.Unknown,
        },
        4 when name.SequenceEqual("size"u8) => TickField.Size,
        5 when name.SequenceEqual("price"u8) => TickField.Price,
        6 when name.SequenceEqual("symbol"u8) => TickField.Symbol,
        7 when name.SequenceEqual("session"u8) => TickField.Session,
        8 => name[0] switch
        {
            (byte)'b' when name.SequenceEqual("bid_size"u8) => TickField.BidSize,
            (byte)'a' when name.SequenceEqual("ask_size"u8) => TickField.AskSize,
            _ => TickField.Unknown,
        },
        9 => name[^2] switch
        {
            (byte)'1' when name.SequenceEqual("volume_1m"u8) => TickField.Volume1m,
            (byte)'5' when name.SequenceEqual("volume_5m"u8) => TickField.Volume5m,
            (byte)'1' when name.SequenceEqual("return_1m"u8) => TickField.Return1m,
            (byte)'5' when name.SequenceEqual("return_5m"u8) => TickField.Return5m,
            _ => TickField.Unknown,
        },
        10 when name.SequenceEqual("volatility"u8) => TickField.Volatility,
        _ => TickField.Unknown,
    };

    private static string FieldName(TickField field) => field switch
    {
        TickField.Price => "price",
        TickField.Bid => "bid",
        TickField.Ask => "ask",
        TickField.Mid => "mid",
        TickField.Size => "size",
        TickField.BidSize => "bid_size",
        TickField.AskSize => "ask_size",
        TickField.Volume1m => "volume_1m",
        TickField.Volume5m => "volume_5m",
        TickField.Return1m => "return_1m",
        TickField.Return5m => "return_5m",
        _ => "volatility",
    };

    private bool ReadTick(ReadOnlySpan<byte> payload, ref TickFields f, out string? error)
    {
        f = NewTick();
        var reader = new Utf8JsonReader(payload, ReaderOptions);
        reader.Read();
        return ReadTickFields(ref reader, ref f, out error);
    }

    /// <summary>Reads a trade/quote payload object; the reader is on its StartObject and ends on its EndObject.</summary>
    private bool ReadTickFields(ref Utf8JsonReader reader, ref TickFields f, out string? error)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueIsEscaped ? TickField.Unknown : Field(reader.ValueSpan);
            bool ok;
            switch (field)
            {
                case TickField.Symbol:
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        f.SymbolNull = true;
                        continue;
                    }

                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = "field 'symbol' must be a string";
                        return false;
                    }

                    f.Symbol = reader.ValueIsEscaped ? _symbols.Intern(reader.GetString()) : _symbols.Intern(reader.ValueSpan);
                    f.SymbolNull = f.Symbol is null;
                    continue;
                case TickField.Session:
                    reader.Read();
                    f.Session = reader.TokenType == JsonTokenType.String ? ParseSession(reader.ValueSpan) : FeedSession.Regular;
                    reader.Skip();
                    continue;
                case TickField.Unknown:
                    reader.Read();
                    reader.Skip();
                    continue;
                default:
                    ok = ReadNumber(ref reader, ref Slot(ref f, field)) && InLimits(field, Slot(ref f, field));
                    break;
            }

            if (!ok)
            {
                error = $"field '{FieldName(field)}' is not a valid number";
                return false;
            }
        }

        error = null;
        return true;
    }

    /// <summary>Reads a number sent as a JSON number or a numeric string; null leaves the value unchanged.</summary>
    private static bool ReadNumber(ref Utf8JsonReader reader, ref double value)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return FastNumber.TryParse(reader.ValueSpan, out value) && double.IsFinite(value);
            case JsonTokenType.String:
                return !reader.ValueIsEscaped && FastNumber.TryParse(reader.ValueSpan, out value) && double.IsFinite(value);
            case JsonTokenType.Null:
                return true;
            default:
                return false;
        }
    }

    private static bool InRange(double value, double min, double max) => value >= min && value <= max;

    private static bool CheckSymbol(ref TickFields f, out string? error)
    {
        if (f.Symbol is null)
        {
            error = f.SymbolNull ? "symbol is null or not a ticker" : "missing field 'symbol'";
            return false;
        }

        error = null;
        return true;
    }

    private static bool CheckPrice(string field, double price, out string? error)
    {
        if (double.IsNaN(price))
        {
            error = $"missing field '{field}'";
            return false;
        }

        if (price <= 0 || price > MaxPrice)
        {
            error = price <= 0 ? $"field '{field}' must be positive" : $"field '{field}' is absurd (> {MaxPrice:0})";
            return false;
        }

        error = null;
        return true;
    }

    private static bool CheckRange(string field, double value, double min, double max, out string? error)
    {
        if (value < min || value > max)
        {
            error = $"field '{field}' out of range [{min}, {max:0}]";
            return false;
        }

        error = null;
        return true;
    }

    private static FeedSession ParseSession(ReadOnlySpan<byte> text)
    {
        if (text.SequenceEqual("pre_open"u8) || text.SequenceEqual("pre"u8) || text.SequenceEqual("premarket"u8))
        {
            return FeedSession.PreOpen;
        }

        if (text.SequenceEqual("post_close"u8) || text.SequenceEqual("post"u8) || text.SequenceEqual("afterhours"u8))
        {
            return FeedSession.PostClose;
        }

        return FeedSession.Regular;
    }

    private NewsEvent? ParseNews(ReadOnlySpan<byte> payload, DateTime ts, out string? error)
    {
        var dto = JsonSerializer.Deserialize(payload, WireJsonContext.Default.NewsPayloadDto);
        if (dto is null)
        {
            error = "news payload is null";
            return null;
        }

        var id = dto.Id.ValueKind switch
        {
            JsonValueKind.Number => dto.Id.GetRawText(),
            JsonValueKind.String => dto.Id.GetString() ?? string.Empty,
            _ => string.Empty,
        };
        // De-duplicated in order, in linear time: a set once the list is long.
        var names = dto.Symbols ?? [];
        var symbols = new List<string>(Math.Min(names.Count, _newsMaxSymbols));
        HashSet<string>? seen = names.Count > 8 ? new(StringComparer.Ordinal) : null;
        foreach (var s in names)
        {
            var interned = _symbols.Intern(s);
            if (interned is null || (seen is null ? symbols.Contains(interned) : !seen.Add(interned)))
            {
                continue;
            }

            if (symbols.Count == _newsMaxSymbols)
            {
                error = $"news item names more than {_newsMaxSymbols} distinct symbols (NEWS_MAX_SYMBOLS)";
                return null;
            }

            symbols.Add(interned);
        }

        DateTime? createdAt = null;
        if (dto.CreatedAt is { Length: > 0 } created && Rfc3339.TryParse(System.Text.Encoding.UTF8.GetBytes(created), out var c))
        {
            createdAt = c;
        }

        error = null;
        return new NewsEvent(ts, id, dto.Headline ?? string.Empty, dto.Summary ?? string.Empty, dto.Author ?? string.Empty, dto.Source ?? string.Empty, dto.Url ?? string.Empty, createdAt, symbols);
    }

    private VolatilityEvent? ParseVolatility(ReadOnlySpan<byte> payload, DateTime ts, out string? error)
    {
        var dto = JsonSerializer.Deserialize(payload, WireJsonContext.Default.VolatilityPayloadDto);
        var symbol = _symbols.Intern(dto?.Symbol);
        if (symbol is null)
        {
            error = "missing or invalid field 'symbol'";
            return null;
        }

        var vol = dto!.AnnualizedVol30d ?? double.NaN;
        if (!double.IsFinite(vol) || vol < 0 || vol > MaxAnnualizedVol)
        {
            error = "field 'annualized_vol_30d' must be a number in [0, 50]";
            return null;
        }

        error = null;
        return new VolatilityEvent(ts, symbol, vol);
    }

    private PositionsEvent? ParsePositions(ReadOnlySpan<byte> payload, DateTime ts, out string? error)
    {
        var dto = JsonSerializer.Deserialize(payload, WireJsonContext.Default.PositionsPayloadDto);
        var list = new List<FeedPosition>();
        var items = dto?.Positions ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var p = items[i];
            var symbol = _symbols.Intern(p?.Symbol);
            if (p is null || symbol is null)
            {
                error = $"positions[{i}]: missing or invalid symbol";
                return null;
            }

            var qty = p.Qty ?? 0;
            if (!double.IsFinite(qty) || Math.Abs(qty) > MaxSize)
            {
                error = $"positions[{i}]: absurd qty";
                return null;
            }

            var side = p.Side ?? (qty < 0 ? "short" : "long");
            if (side == "short" && qty > 0)
            {
                qty = -qty;
            }

            list.Add(new FeedPosition(symbol, qty, side, p.MarketValue ?? 0, p.CostBasis ?? 0, p.UnrealizedPl ?? 0, p.UnrealizedPlpc ?? 0, p.CurrentPrice ?? 0));
        }

        error = null;
        return new PositionsEvent(ts, list);
    }

    private OrdersEvent? ParseOrders(ReadOnlySpan<byte> payload, DateTime ts, out string? error)
    {
        var dto = JsonSerializer.Deserialize(payload, WireJsonContext.Default.OrdersPayloadDto);
        var list = new List<FeedOrder>();
        var items = dto?.Orders ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var o = items[i];
            var symbol = _symbols.Intern(o?.Symbol);
            if (o is null || symbol is null)
            {
                error = $"orders[{i}]: missing or invalid symbol";
                return null;
            }

            DateTime? created = null;
            if (o.CreatedAt is { Length: > 0 } text && Rfc3339.TryParse(System.Text.Encoding.UTF8.GetBytes(text), out var c))
            {
                created = c;
            }

            list.Add(new FeedOrder(o.Id ?? string.Empty, symbol, o.Side ?? string.Empty, o.Qty ?? 0, o.FilledQty ?? 0, o.Type ?? string.Empty, o.Status ?? string.Empty, created));
        }

        error = null;
        return new OrdersEvent(ts, list);
    }

    private static string Shorten(string message) => message.Length <= 160 ? message : message[..160] + "…";
}
