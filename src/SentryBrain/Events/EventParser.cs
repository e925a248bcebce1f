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
/// The fast path is in EventParser.FastPath.cs; this file holds the entry points, the full path and the field table
/// both share (over 500 lines: the full path's readers for every event type belong together).
/// </summary>
public sealed partial class EventParser
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
