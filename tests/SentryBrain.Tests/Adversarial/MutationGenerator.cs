using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SentryBrain.Tests.Adversarial;

/// <summary>What an inserted line is, and therefore what the consumer must do with it.</summary>
public enum MutationKind
{
    // ---- invalid: each must get exactly one error line with its own line number -----------------------------
    SymbolAlias,        // break 1: a tracked symbol with one non-ticker byte inserted or substituted ("\u0000ACME")
    SymbolTooLong,      // a 17+ character "ticker"
    FutureTs,           // break 2: later than the wall clock + FUTURE_TS_TOLERANCE_SEC
    ExtremeTs,          // break 2: 9999-12-31T23:59:59Z and friends
    ClockJump,          // break 2: one event hours/days ahead of the stream (but before the wall clock), never confirmed
    InvalidPrice,       // ≤ 0, > 1e7, 1e400, "NaN", crossed quote
    ControlByte,        // break 4/1: a raw NUL or control byte somewhere in the line
    InvalidUtf8,        // break 5: invalid UTF-8 in a value, a key, an unknown field, the headline, the session …
    DuplicateKey,       // break 6: a duplicate key at any level, on the fast and on the full parser path
    HugeNews,           // break 4: news naming more than NEWS_MAX_SYMBOLS distinct symbols
    Truncated,          // a proper prefix of a valid line
    Garbage,            // not JSON, not an object, empty, missing envelope fields
    DeepNesting,        // deeper than the parser's depth limit
    TooLong,            // longer than the 1 MiB line limit

    // ---- valid but adversarial: no error line, and no change to orders or fills -------------------------------
    NewSymbol,          // a never-seen (valid) ticker with unknown extra fields; far below MAX_SYMBOLS
    Spike,              // break 3: one tick of a tracked symbol ≥ 100× or ≤ 1/100 of its price, never confirmed
    UnknownType,        // a type the brain does not know: counted and skipped
    FeedSnapshot,       // positions/orders from the feed claiming holdings (the paper broker is the truth)
}

/// <summary>One inserted line: its 1-based line number in the mutated stream and its kind (the generator's own record).</summary>
public readonly record struct Insertion(long Line, MutationKind Kind, string Detail);

/// <summary>
/// Inserts seeded, deterministic adversarial lines into a clean NDJSON stream at random positions. The expected
/// outcome of every inserted line follows from its kind alone (see <see cref="IsInvalid"/>), recorded here
/// independently of the engine.
/// </summary>
public sealed class MutationGenerator
{
    /// <summary>Distinct new tickers used by <see cref="MutationKind.NewSymbol"/>: far below the MAX_SYMBOLS of the tests (5,000).</summary>
    public const int NewSymbolPool = 2000;

    /// <summary>A clock jump or a spike needs this many clean lines after it (of its symbol, for spikes) to stay unconfirmed.</summary>
    public const int Quiet = 40;

    private static readonly string[] Tracked = ["ACME", "BOLT", "CRUX"];

    private readonly List<byte[]> _clean;
    private readonly CleanInfo[] _info;
    private readonly Rng _rng;
    private readonly Dictionary<string, Tick> _lastTick = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _ticksSeen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _spikeBlockedUntilTick = new(StringComparer.Ordinal);
    private readonly int[] _ticksAfter; // per clean index: ticks of the same symbol remaining after it (for spikes)
    private int _aheadBlockedUntil; // clean index before which no further clock jump or future line may be inserted
    private string _clock = string.Empty;
    private int _cleanSeen;

    private readonly IReadOnlySet<MutationKind>? _only;

    /// <param name="only">When set, only these kinds are made (too-long lines only if listed).</param>
    public MutationGenerator(List<byte[]> cleanLines, ulong seed, IReadOnlySet<MutationKind>? only = null)
    {
        _clean = cleanLines;
        _only = only;
        _rng = new Rng(seed);
        _info = new CleanInfo[cleanLines.Count];
        for (var i = 0; i < cleanLines.Count; i++)
        {
            _info[i] = CleanInfo.Parse(cleanLines[i]);
        }

        _ticksAfter = new int[cleanLines.Count];
        var after = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = cleanLines.Count - 1; i >= 0; i--)
        {
            if (_info[i].Tick is { } t)
            {
                after.TryGetValue(t.Symbol, out var n);
                _ticksAfter[i] = n;
                after[t.Symbol] = n + 1;
            }
        }
    }

    public static bool IsInvalid(MutationKind kind) => kind < MutationKind.NewSymbol;

    /// <summary>Builds the mutated stream with <paramref name="insertions"/> inserted lines.</summary>
    public (byte[] Stream, List<Insertion> Inserted) Build(int insertions, int tooLongLines = 2)
    {
        // slot s = "before clean line s" (s = count: after the last line)
        var slots = new int[insertions];
        for (var i = 0; i < insertions; i++)
        {
            // a subset of kinds may be all spikes or jumps, which need quiet lines after them: keep off the tail
            slots[i] = _rng.Next(_only is null ? _clean.Count + 1 : _clean.Count * 9 / 10);
        }

        Array.Sort(slots);
        var tooLongAt = new HashSet<int>();
        while (tooLongAt.Count < Math.Min(_only is null || _only.Contains(MutationKind.TooLong) ? tooLongLines : 0, insertions))
        {
            tooLongAt.Add(_rng.Next(insertions));
        }

        var output = new MemoryStream(_clean.Sum(l => l.Length + 1) + (insertions * 400));
        var inserted = new List<Insertion>(insertions);
        long line = 0;
        var next = 0;
        for (var c = 0; c <= _clean.Count; c++)
        {
            while (next < insertions && slots[next] <= c)
            {
                var (bytes, kind, detail) = tooLongAt.Contains(next) ? (TooLongLine(), MutationKind.TooLong, "2 MiB") : Make(c);
                if (bytes is null)
                {
                    break; // moved on to a later slot
                }

                output.Write(bytes);
                output.WriteByte((byte)'\n');
                inserted.Add(new Insertion(++line, kind, detail));
                next++;
            }

            if (c < _clean.Count)
            {
                output.Write(_clean[c]);
                output.WriteByte((byte)'\n');
                line++;
                Observe(c);
            }
        }

        if (inserted.Count != insertions)
        {
            throw new InvalidOperationException($"only {inserted.Count} of {insertions} lines of {string.Join(",", _only ?? new HashSet<MutationKind>())} fit (spikes and clock jumps need {Quiet} quiet lines each)");
        }

        return (output.ToArray(), inserted);
    }

    private void Observe(int c)
    {
        _cleanSeen = c + 1;
        var info = _info[c];
        if (string.CompareOrdinal(info.Ts, _clock) > 0)
        {
            _clock = info.Ts; // same format and zone throughout the clean stream: ordinal order is time order
        }

        if (info.Tick is { } tick)
        {
            _lastTick[tick.Symbol] = tick;
            _ticksSeen[tick.Symbol] = _ticksSeen.GetValueOrDefault(tick.Symbol) + 1;
        }
    }

    private (byte[] Bytes, MutationKind Kind, string Detail) Make(int cleanIndex)
    {
        // weights: the invalid kinds dominate; valid ones only once a clock and tracked ticks exist
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 1000)
            {
                return (null!, default, string.Empty); // no room here (spikes and clock jumps need quiet lines): the caller moves it on
            }

            var roll = _rng.Next(100);
            var kind = roll switch
            {
                < 10 => MutationKind.SymbolAlias,
                < 12 => MutationKind.SymbolTooLong,
                < 18 => MutationKind.FutureTs,
                < 21 => MutationKind.ExtremeTs,
                < 22 => MutationKind.ClockJump,
                < 29 => MutationKind.InvalidPrice,
                < 36 => MutationKind.ControlByte,
                < 45 => MutationKind.InvalidUtf8,
                < 55 => MutationKind.DuplicateKey,
                < 57 => MutationKind.HugeNews,
                < 64 => MutationKind.Truncated,
                < 70 => MutationKind.Garbage,
                < 71 => MutationKind.DeepNesting,
                < 84 => MutationKind.NewSymbol,
                < 88 => MutationKind.Spike,
                < 94 => MutationKind.UnknownType,
                _ => MutationKind.FeedSnapshot,
            };
            if (_only is not null && !_only.Contains(kind))
            {
                continue;
            }

            var made = kind switch
            {
                MutationKind.SymbolAlias => SymbolAlias(),
                MutationKind.SymbolTooLong => SymbolTooLong(),
                MutationKind.FutureTs => FutureTs(cleanIndex),
                MutationKind.ExtremeTs => ExtremeTs(),
                MutationKind.ClockJump => ClockJump(cleanIndex),
                MutationKind.InvalidPrice => InvalidPrice(),
                MutationKind.ControlByte => ControlByte(),
                MutationKind.InvalidUtf8 => InvalidUtf8(),
                MutationKind.DuplicateKey => DuplicateKey(),
                MutationKind.HugeNews => HugeNews(),
                MutationKind.Truncated => Truncated(),
                MutationKind.Garbage => Garbage(),
                MutationKind.DeepNesting => DeepNesting(),
                MutationKind.NewSymbol => NewSymbol(),
                MutationKind.Spike => Spike(cleanIndex),
                MutationKind.UnknownType => UnknownType(),
                MutationKind.FeedSnapshot => FeedSnapshot(),
                _ => null,
            };
            if (made is { } m)
            {
                return (m.Bytes, kind, m.Detail);
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string Num(double v) => v.ToString("R", Inv);

    private bool HasClock => _clock.Length > 0 && _lastTick.Count == Tracked.Length;

    private Tick RandomTick() => _lastTick.Count == 0 ? Tick.Default : _lastTick[Tracked.Where(_lastTick.ContainsKey).ElementAt(_rng.Next(_lastTick.Count))];

    private string Ts() => _clock.Length > 0 ? _clock : "2026-03-02T14:25:00Z";

    /// <summary>A trade or quote line of <paramref name="t"/> with replaceable parts; fields in varied order.</summary>
    private string TickLine(Tick t, string? symbolJson = null, string? ts = null, string? price = null, string extra = "", bool quote = false, bool typeFirst = true)
    {
        symbolJson ??= "\"" + t.Symbol + "\"";
        ts ??= Ts();
        string payload;
        if (quote)
        {
            var bid = price ?? Num(t.Bid);
            var ask = price ?? Num(t.Ask);
            payload = $$$$"""{"ask":{{{{ask}}}},"ask_size":5,"bid":{{{{bid}}}},"bid_size":4,"return_1m":{{{{Num(t.R1)}}}},"return_5m":{{{{Num(t.R5)}}}},"session":"regular","symbol":{{{{symbolJson}}}},"volatility":0.28,"volume_1m":{{{{t.V1}}}},"volume_5m":{{{{t.V5}}}}{{{{extra}}}}}""";
        }
        else
        {
            payload = $$$$"""{"price":{{{{price ?? Num(t.Price)}}}},"return_1m":{{{{Num(t.R1)}}}},"return_5m":{{{{Num(t.R5)}}}},"session":"regular","size":100,"symbol":{{{{symbolJson}}}},"volatility":0.28,"volume_1m":{{{{t.V1}}}},"volume_5m":{{{{t.V5}}}}{{{{extra}}}}}""";
        }

        var type = quote ? "quote" : "trade";
        return typeFirst
            ? $$$$"""{"type":"{{{{type}}}}","ts":"{{{{ts}}}}","payload":{{{{payload}}}}}"""
            : $$$$"""{"payload":{{{{payload}}}},"ts":"{{{{ts}}}}","type":"{{{{type}}}}"}""";
    }

    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    private (byte[] Bytes, string Detail) Made(string line, string detail) => (U(line), detail);

    /// <summary>An extra field that sends the line down the full (System.Text.Json) parser path: an escape or a nested value.</summary>
    private string FullPathField() => _rng.Next(3) switch
    {
        0 => ",\"note\":\"r\\u0061w\"",
        1 => ",\"meta\":{\"a\":[1,2]}",
        _ => ",\"flag\":true",
    };

    // ---- invalid kinds --------------------------------------------------------------------------------------

    private static readonly string[] AliasBytes =
    [
        "\\u0000", "\\u0001", "\\u0002", "\\u0007", "\\b", "\\t", "\\n", "\\f", "\\r", "\\u000B", "\\u001b", "\\u001F", "\\u007f",
        " ", "\\u0020", "\\u00a0", "\\u0085", "\\u200b", "\\ufeff", "\\\"", "\\\\", "*", "_", "@", "#", "$", "%", "&", "+", ",", ":", ";",
        "=", "?", "!", "~", "`", "'", "(", ")", "[", "]", "{", "}", "<", ">", "|", "^", "é", "Ä", "Ａ", "\\u0410", "😀", "\\uff21",
    ];

    private (byte[] Bytes, string Detail)? SymbolAlias()
    {
        var t = RandomTick();
        var chars = t.Symbol.ToCharArray().Select(ch => ch.ToString()).ToList();
        var bad = AliasBytes[_rng.Next(AliasBytes.Length)];
        var at = _rng.Next(chars.Count + 1);
        if (_rng.Next(3) == 0 && at < chars.Count)
        {
            chars[at] = bad; // substitute
        }
        else
        {
            chars.Insert(at, bad);
        }

        var alias = "\"" + string.Concat(chars) + "\"";
        // priced to trade if it were taken for the real symbol: 10 % below (a stop loss) or 3 % above (a scale-out)
        var factor = _rng.Next(3) switch { 0 => 0.9, 1 => 1.03, _ => 1.0 };
        var extra = _rng.Next(2) == 0 ? FullPathField() : string.Empty;
        var quote = _rng.Next(2) == 0;
        var price = Num(Math.Round(t.Price * factor, 2));
        return Made(TickLine(t, alias, price: price, extra: extra, quote: quote, typeFirst: _rng.Next(4) > 0), "alias " + alias);
    }

    private (byte[] Bytes, string Detail)? SymbolTooLong()
    {
        var t = RandomTick();
        var symbol = t.Symbol + new string('X', 13 + _rng.Next(20));
        return Made(TickLine(t, "\"" + symbol + "\"", quote: _rng.Next(2) == 0), "symbol of " + symbol.Length + " chars");
    }

    private (byte[] Bytes, string Detail)? FutureTs(int cleanIndex)
    {
        if (!HasClock || cleanIndex < _aheadBlockedUntil)
        {
            return null;
        }

        var wall = AdversarialHarness.WallClock.UtcDateTime;
        string ts;
        switch (_rng.Next(5))
        {
            case 0:
                ts = "2099-01-02T15:00:00Z";
                break;
            case 1:
                ts = wall.AddSeconds(120 + _rng.Next(3600)).ToString("yyyy-MM-dd'T'HH:mm:ss.ff'Z'", Inv);
                break;
            case 2:
                ts = wall.AddDays(1 + _rng.Next(3000)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Inv);
                break;
            case 3:
                // the same wall-clock reading, but far east: "-14:00" puts it 14 h later in UTC
                ts = wall.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss", Inv) + "-14:00";
                break;
            default:
                ts = wall.AddYears(1 + _rng.Next(70)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", Inv);
                break;
        }

        // a future line for a tracked symbol (priced to exit) or a fresh one
        var t = RandomTick();
        var line = _rng.Next(3) == 0
            ? $$$$"""{"type":"news","ts":"{{{{ts}}}}","payload":{"headline":"Acme fraud probe, shares plunge","summary":"lawsuits and losses","symbols":["{{{{t.Symbol}}}}"]}}"""
            : TickLine(t, ts: ts, price: Num(Math.Round(t.Price * 0.95, 2)), quote: _rng.Next(2) == 0, extra: _rng.Next(3) == 0 ? FullPathField() : string.Empty);
        return Made(line, "ts " + ts);
    }

    private (byte[] Bytes, string Detail)? ExtremeTs()
    {
        string[] extremes =
        [
            "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:60Z",
            "9999-12-31T00:00:00-14:00", "9999-12-30T23:59:59Z", "9998-01-01T00:00:00Z", "5000-06-15T12:00:00Z",
        ];
        var ts = extremes[_rng.Next(extremes.Length)];
        var t = RandomTick();
        var line = _rng.Next(4) == 0
            ? $$$$"""{"type":"volatility","ts":"{{{{ts}}}}","payload":{"symbol":"{{{{t.Symbol}}}}","annualized_vol_30d":0.3}}"""
            : TickLine(t, ts: ts, quote: _rng.Next(2) == 0);
        return Made(line, "ts " + ts);
    }

    private (byte[] Bytes, string Detail)? ClockJump(int cleanIndex)
    {
        // one line hours or days ahead of the stream but before the wall clock; the next Quiet clean lines are
        // all at the stream's own time, so nothing confirms it
        if (!HasClock || cleanIndex < _aheadBlockedUntil || cleanIndex + Quiet >= _clean.Count || cleanIndex < Quiet)
        {
            return null;
        }

        var clock = DateTime.Parse(_clock, Inv, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var ahead = TimeSpan.FromSeconds(3600 + _rng.Next(5 * 86400));
        var wallLimit = AdversarialHarness.WallClock.UtcDateTime.AddHours(-1);
        var jumpTo = clock + ahead < wallLimit ? clock + ahead : wallLimit;
        var ts = jumpTo.ToString("yyyy-MM-dd'T'HH:mm:ss.ff'Z'", Inv);
        _aheadBlockedUntil = cleanIndex + Quiet;
        var t = RandomTick();
        return Made(TickLine(t, ts: ts, quote: _rng.Next(2) == 0), "jump to " + ts);
    }

    private (byte[] Bytes, string Detail)? InvalidPrice()
    {
        var t = RandomTick();
        string[] prices = ["0", "-0", "-5", "-1.5", "0.0", "1e400", "-1e400", "1e308", "10000001", "1e15", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"abc\"", "null", "true", "[]", "{}"];
        var p = prices[_rng.Next(prices.Length)];
        if (_rng.Next(5) == 0)
        {
            // a crossed quote: bid above ask
            var line = $$$$"""{"type":"quote","ts":"{{{{Ts()}}}}","payload":{"symbol":"{{{{t.Symbol}}}}","bid":{{{{Num(t.Price + 1)}}}},"ask":{{{{Num(t.Price)}}}},"bid_size":5,"ask_size":5}}""";
            return Made(line, "crossed quote");
        }

        return Made(TickLine(t, price: p, quote: _rng.Next(2) == 0), "price " + p);
    }

    private (byte[] Bytes, string Detail)? ControlByte()
    {
        var source = RandomCleanBytes();
        var at = _rng.Next(source.Length + 1);
        byte[] controls = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0B, 0x0C, 0x0E, 0x0F, 0x10, 0x11, 0x14, 0x1A, 0x1B, 0x1C, 0x1F];
        var b = controls[_rng.Next(controls.Length)];
        var bytes = new byte[source.Length + 1];
        source.AsSpan(0, at).CopyTo(bytes);
        bytes[at] = b;
        source.AsSpan(at).CopyTo(bytes.AsSpan(at + 1));
        return (bytes, $"raw 0x{b:X2} at byte {at}");
    }

    private static readonly byte[][] BadUtf8 =
    [
        [0xFF], [0xFE], [0xC0, 0x80], [0xC1, 0xBF], [0x80], [0xBF], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE0, 0x80, 0x80], [0xF0, 0x80, 0x80, 0x80], [0xC3], [0xF0, 0x9F, 0x98],
    ];

    private (byte[] Bytes, string Detail)? InvalidUtf8()
    {
        var bad = BadUtf8[_rng.Next(BadUtf8.Length)];
        var t = RandomTick();
        const string Marker = "\u0001MARK\u0001";
        string line;
        string where;
        switch (_rng.Next(8))
        {
            case 0:
                where = "session";
                line = TickLine(t, quote: _rng.Next(2) == 0).Replace("\"regular\"", "\"regu" + Marker + "lar\"", StringComparison.Ordinal);
                break;
            case 1:
                where = "unknown field value";
                line = TickLine(t, extra: ",\"note\":\"ok " + Marker + "\"", quote: _rng.Next(2) == 0);
                break;
            case 2:
                where = "unknown key";
                line = TickLine(t, extra: ",\"no" + Marker + "te\":1", quote: _rng.Next(2) == 0);
                break;
            case 3:
                where = "symbol";
                line = TickLine(t, symbolJson: "\"" + t.Symbol + Marker + "\"");
                break;
            case 4:
                where = "type";
                line = TickLine(t).Replace("\"trade\"", "\"tra" + Marker + "de\"", StringComparison.Ordinal);
                break;
            case 5:
                where = "ts";
                line = TickLine(t).Replace("Z\"", "Z" + Marker + "\"", StringComparison.Ordinal);
                break;
            case 6:
                where = "news headline";
                line = $$$$"""{"type":"news","ts":"{{{{Ts()}}}}","payload":{"headline":"Upgrade {{{{Marker}}}}","summary":"fine","symbols":["ZQNW"]}}""";
                break;
            default:
                where = "envelope unknown field (full path)";
                line = TickLine(t, extra: FullPathField()).Replace("{\"type\"", "{\"src\":\"x" + Marker + "\",\"type\"", StringComparison.Ordinal);
                break;
        }

        var raw = U(line);
        var marker = U(Marker);
        var at = raw.AsSpan().IndexOf(marker);
        var bytes = new byte[raw.Length - marker.Length + bad.Length];
        raw.AsSpan(0, at).CopyTo(bytes);
        bad.CopyTo(bytes, at);
        raw.AsSpan(at + marker.Length).CopyTo(bytes.AsSpan(at + bad.Length));
        return (bytes, $"{Convert.ToHexString(bad)} in {where}");
    }

    private (byte[] Bytes, string Detail)? DuplicateKey()
    {
        var t = RandomTick();
        var full = _rng.Next(2) == 0 ? FullPathField() : string.Empty;
        var ts = Ts();
        var p = Num(t.Price);
        switch (_rng.Next(10))
        {
            case 0:
                return Made($$$$"""{"type":"trade","ts":"{{{{ts}}}}","payload":{"symbol":"{{{{t.Symbol}}}}","price":-5,"price":{{{{p}}}},"size":100{{{{full}}}}}}""", "price twice (−5 then valid)" + full);
            case 1:
                return Made($$$$"""{"type":"trade","ts":"{{{{ts}}}}","payload":{"symbol":"{{{{t.Symbol}}}}","price":{{{{p}}}},"size":100,"price":{{{{Num(Math.Round(t.Price * 0.9, 2))}}}}{{{{full}}}}}}""", "price twice" + full);
            case 2:
                return Made($$$$"""{"type":"trade","ts":"{{{{ts}}}}","payload":{"symbol":"ZQDUP","price":{{{{p}}}},"size":100,"symbol":"{{{{t.Symbol}}}}"{{{{full}}}}}}""", "symbol twice" + full);
            case 3:
                return Made($$$$"""{"type":"quote","ts":"{{{{ts}}}}","payload":{"symbol":"{{{{t.Symbol}}}}","bid":{{{{Num(t.Bid)}}}},"ask":{{{{Num(t.Ask)}}}},"bid_size":5,"ask_size":5,"bid":{{{{Num(Math.Round(t.Bid * 0.9, 2))}}}}{{{{full}}}}}}""", "bid twice" + full);
            case 4:
                return Made($$$$"""{"type":"trade","type":"trade","ts":"{{{{ts}}}}","payload":{"symbol":"{{{{t.Symbol}}}}","price":{{{{p}}}},"size":100{{{{full}}}}}}""", "type twice" + full);
            case 5:
                return Made($$$$"""{"type":"trade","ts":"{{{{ts}}}}","ts":"{{{{ts}}}}","payload":{"symbol":"{{{{t.Symbol}}}}","price":{{{{p}}}},"size":100{{{{full}}}}}}""", "ts twice" + full);
            case 6:
                return Made($$$$"""{"type":"trade","ts":"{{{{ts}}}}","payload":{"symbol":"{{{{t.Symbol}}}}","size":100{{{{full}}}}},"payload":{"price":{{{{Num(Math.Round(t.Price * 0.9, 2))}}}}}}""", "payload twice" + full);
            case 7:
                return Made($$$$"""{"type":"trade","ts":"{{{{ts}}}}","payload":{"symbol":"{{{{t.Symbol}}}}","price":{{{{p}}}},"size":100,"x":1,"x":2{{{{full}}}}}}""", "unknown key twice" + full);
            case 8:
                return Made($$$$"""{"type":"trade","ts":"{{{{ts}}}}","payload":{"symbol":"{{{{t.Symbol}}}}","pr\u0069ce":{{{{Num(Math.Round(t.Price * 0.9, 2))}}}},"price":{{{{p}}}},"size":100}}""", "price twice, once escaped");
            default:
                return Made($$$$"""{"type":"news","ts":"{{{{ts}}}}","payload":{"headline":"Great quarter","headline":"Fraud probe","summary":"s","symbols":["ZQNW"],"meta":{"k":1,"k":2}}}""", "news keys twice");
        }
    }

    private (byte[] Bytes, string Detail)? HugeNews()
    {
        var count = _rng.Next(200) == 0 ? 20_000 : 101 + _rng.Next(2000);
        var sb = new StringBuilder(count * 8);
        sb.Append("{\"type\":\"news\",\"ts\":\"").Append(Ts()).Append("\",\"payload\":{\"headline\":\"Fraud probe, SEC lawsuit, shares plunge\",\"summary\":\"terrible losses\",\"symbols\":[");
        // the tracked symbols first: if the line were taken, their kill switch would change the orders
        sb.Append("\"ACME\",\"BOLT\"");
        for (var i = 0; i < count - 2; i++)
        {
            sb.Append(",\"N").Append(Letters(i, 5)).Append('"');
        }

        sb.Append("]}}");
        return Made(sb.ToString(), count + " distinct symbols");
    }

    private (byte[] Bytes, string Detail)? Truncated()
    {
        var source = RandomCleanBytes();
        var cut = 1 + _rng.Next(source.Length - 1);
        return (source[..cut], "prefix of " + cut + " bytes");
    }

    private (byte[] Bytes, string Detail)? Garbage()
    {
        string[] garbage =
        [
            "{not json", "[1,2,3]", "\"text\"", "42", "null", "true", "{}", "   ", "", "}", "{\"type\":\"trade\"}", "{\"type\":\"trade\",\"ts\":\"" + Ts() + "\"}",
            "{\"ts\":\"" + Ts() + "\",\"payload\":{}}", "{\"type\":7,\"ts\":\"" + Ts() + "\",\"payload\":{}}", "{\"type\":\"trade\",\"ts\":\"yesterday\",\"payload\":{}}",
            "{\"type\":\"trade\",\"ts\":\"" + Ts() + "\",\"payload\":[]}", "{\"type\":\"trade\",\"ts\":\"" + Ts() + "\",\"payload\":{}} trailing",
            "{\"type\":\"trade\",\"ts\":\"" + Ts() + "\",\"payload\":{\"symbol\":\"ACME\",\"price\":100,}}", "// comment", "{'type':'trade'}",
        ];
        var g = garbage[_rng.Next(garbage.Length)];
        if (_rng.Next(4) == 0)
        {
            var sb = new StringBuilder();
            var n = 1 + _rng.Next(120);
            for (var i = 0; i < n; i++)
            {
                sb.Append((char)(0x20 + _rng.Next(0x5F)));
            }

            g = "~" + sb; // never starts an object
        }

        return Made(g, "garbage " + AdversarialHarness.Shorten(g));
    }

    private (byte[] Bytes, string Detail)? DeepNesting()
    {
        var depth = 20 + _rng.Next(500);
        var t = RandomTick();
        var extra = ",\"deep\":" + new string('[', depth) + new string(']', depth);
        return Made(TickLine(t, extra: extra, quote: _rng.Next(2) == 0), "depth " + depth);
    }

    private static byte[] TooLongLine()
    {
        var filler = new string('a', 2 << 20);
        return U("{\"type\":\"news\",\"ts\":\"2026-03-02T15:00:00Z\",\"payload\":{\"headline\":\"h\",\"summary\":\"" + filler + "\",\"symbols\":[\"ACME\"]}}");
    }

    // ---- valid kinds ----------------------------------------------------------------------------------------

    private (byte[] Bytes, string Detail)? NewSymbol()
    {
        if (!HasClock)
        {
            return null;
        }

        var index = _rng.Next(NewSymbolPool);
        var symbol = "ZQ" + Letters(index, 3);
        var shown = _rng.Next(4) == 0 ? symbol.ToLowerInvariant() : symbol;
        // one fixed price per symbol and zero returns: nothing for a strategy to act on
        var price = Num(10 + (index % 400));
        string[] extras =
        [
            string.Empty, ",\"exchange\":\"V\"", ",\"conditions\":[\"@\",\"T\"]", ",\"meta\":{\"venue\":\"IEX\",\"seq\":12}", ",\"emoji\":\"📈 ok\"",
            ",\"flag\":false", ",\"n\":null", ",\"note\":\"caf\\u00e9\"", ",\"big\":123456789012345678901234567890",
        ];
        var extra = extras[_rng.Next(extras.Length)];
        var ts = Ts();
        var line = _rng.Next(3) switch
        {
            0 => $$$$"""{"type":"quote","ts":"{{{{ts}}}}","payload":{"symbol":"{{{{shown}}}}","bid":{{{{price}}}},"ask":{{{{price}}}},"bid_size":3,"ask_size":3,"return_1m":0,"return_5m":0,"session":"regular"{{{{extra}}}}}}""",
            1 => $$$$"""{"type":"trade","ts":"{{{{ts}}}}","payload":{"symbol":"{{{{shown}}}}","price":{{{{price}}}},"size":10,"return_1m":0,"return_5m":0,"session":"regular"{{{{extra}}}}}}""",
            _ => $$$$"""{"type":"volatility","ts":"{{{{ts}}}}","payload":{"symbol":"{{{{shown}}}}","annualized_vol_30d":0.3{{{{extra}}}}}}""",
        };
        return Made(line, "new symbol " + shown);
    }

    private (byte[] Bytes, string Detail)? Spike(int cleanIndex)
    {
        if (!HasClock || cleanIndex >= _clean.Count)
        {
            return null;
        }

        // the spiked symbol is the next clean line's, so that line and the Quiet ticks after it disprove the spike
        if (_info[cleanIndex].Tick is not { } upcoming || _ticksAfter[cleanIndex] < Quiet
            || _ticksSeen.GetValueOrDefault(upcoming.Symbol) < 60
            || _ticksSeen.GetValueOrDefault(upcoming.Symbol) < _spikeBlockedUntilTick.GetValueOrDefault(upcoming.Symbol))
        {
            return null;
        }

        var t = _lastTick[upcoming.Symbol];
        _spikeBlockedUntilTick[upcoming.Symbol] = _ticksSeen[upcoming.Symbol] + Quiet;
        double[] factors = [1000, 100, 250, 5000, 0.01, 0.001, 1e-6];
        var factor = _rng.Next(8) == 0 ? 1e-12 / t.Price : factors[_rng.Next(factors.Length)];
        var quote = _rng.Next(2) == 0;
        string line;
        if (quote)
        {
            var bid = t.Bid * factor;
            var ask = t.Ask * factor;
            var size = _rng.Next(3) == 0 ? 0 : 5;
            line = $$$$"""{"type":"quote","ts":"{{{{Ts()}}}}","payload":{"ask":{{{{Num(ask)}}}},"ask_size":{{{{size}}}},"bid":{{{{Num(bid)}}}},"bid_size":{{{{size}}}},"return_1m":{{{{Num(t.R1)}}}},"return_5m":{{{{Num(t.R5)}}}},"session":"regular","symbol":"{{{{t.Symbol}}}}","volatility":0.28,"volume_1m":{{{{t.V1}}}},"volume_5m":{{{{t.V5}}}}}}""";
        }
        else
        {
            line = TickLine(t, price: Num(t.Price * factor));
        }

        return Made(line, $"{t.Symbol} × {factor:G3}");
    }

    private (byte[] Bytes, string Detail)? UnknownType()
    {
        if (!HasClock)
        {
            return null;
        }

        string[] types = ["heartbeat", "bar", "status", "luld", "Trade", "QUOTE", "trades", "quote ", "news2"];
        var type = types[_rng.Next(types.Length)];
        return Made($$$$"""{"type":"{{{{type}}}}","ts":"{{{{Ts()}}}}","payload":{"symbol":"ACME","price":0.01,"bid":99999,"ask":99999}}""", "type " + type);
    }

    private (byte[] Bytes, string Detail)? FeedSnapshot()
    {
        if (!HasClock)
        {
            return null;
        }

        var t = RandomTick();
        return _rng.Next(2) == 0
            ? Made($$$$"""{"type":"positions","ts":"{{{{Ts()}}}}","payload":{"positions":[{"symbol":"{{{{t.Symbol}}}}","qty":"5000","side":"long","market_value":"1","cost_basis":"999999","unrealized_pl":"-999998","unrealized_plpc":"-0.99","current_price":"0.01"}]}}""", "positions claim 5000 " + t.Symbol)
            : Made($$$$"""{"type":"orders","ts":"{{{{Ts()}}}}","payload":{"orders":[{"id":"x1","symbol":"{{{{t.Symbol}}}}","side":"sell","qty":"5000","type":"market","status":"new"}]}}""", "orders claim a sell of " + t.Symbol);
    }

    private byte[] RandomCleanBytes()
    {
        var upto = Math.Max(1, _cleanSeen);
        return _clean[_rng.Next(upto)];
    }

    private static string Letters(int index, int width)
    {
        var chars = new char[width];
        for (var k = width - 1; k >= 0; k--)
        {
            chars[k] = (char)('A' + (index % 26));
            index /= 26;
        }

        return new string(chars);
    }

    // ---- clean-line facts -----------------------------------------------------------------------------------

    private sealed record Tick(string Symbol, double Price, double Bid, double Ask, double R1, double R5, long V1, long V5)
    {
        public static readonly Tick Default = new("ACME", 100, 99.99, 100.01, 0, 0, 1000, 5000);
    }

    private sealed record CleanInfo(string Ts, Tick? Tick)
    {
        public static CleanInfo Parse(byte[] line)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var ts = root.GetProperty("ts").GetString()!;
            var type = root.GetProperty("type").GetString();
            if (type is not ("trade" or "quote"))
            {
                return new CleanInfo(ts, null);
            }

            var p = root.GetProperty("payload");
            double D(string name) => p.TryGetProperty(name, out var v) ? v.GetDouble() : 0;
            var symbol = p.GetProperty("symbol").GetString()!;
            var bid = type == "quote" ? D("bid") : D("price");
            var ask = type == "quote" ? D("ask") : D("price");
            var price = type == "quote" ? Math.Round((bid + ask) / 2, 2) : D("price");
            return new CleanInfo(ts, new Tick(symbol, price, bid, ask, D("return_1m"), D("return_5m"), (long)D("volume_1m"), (long)D("volume_5m")));
        }
    }

    /// <summary>SplitMix64: deterministic on every machine.</summary>
    private sealed class Rng(ulong seed)
    {
        private ulong _state = seed;

        public int Next(int bound)
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z % (ulong)bound);
        }
    }
}
