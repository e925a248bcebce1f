using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using SentryBrain.Market;

namespace SentryBrain.Replay;

/// <summary>Parameters of a synthetic market-event stream. Same options ⇒ same bytes.</summary>
public sealed record SyntheticOptions(int Events, int Symbols, ulong Seed, DateTime StartUtc)
{
    /// <summary>2026-03-02T14:30:00Z, which is 09:30 in New York: the regular session opens with the stream.</summary>
    public static readonly DateTime DefaultStartUtc = new(2026, 3, 2, 14, 30, 0, DateTimeKind.Utc);

    public SyntheticOptions(int events, int symbols, ulong seed)
        : this(events, symbols, seed, DefaultStartUtc)
    {
    }
}

/// <summary>
/// Deterministic synthetic engine feed for load tests: NDJSON in the Go engine's byte layout (envelope
/// <c>{"type","ts","payload"}</c> in the engine's struct order, payload keys sorted as Go sorts map keys, decimals of
/// positions/orders as strings). Prices follow a per-symbol geometric random walk; volumes and returns are
/// enriched exactly as the engine does (BEHAVIOR.md §1). Only integer arithmetic, IEEE basic operations and
/// <see cref="Math.Sqrt(double)"/> touch the numbers, so the bytes are the same on every machine.
/// Over 500 lines on purpose: the byte layout of every event type the engine sends is kept side by side in one
/// writer, so a change to the wire format is one place to read.
/// </summary>
public static class SyntheticStream
{
    private const int FourLetterNames = 26 * 26 * 26;
    private const int FiveLetterNames = 26 * 26 * 26 * 26 * 26;
    private const int FirstFourLetterCode = (('Y' - 'A') * 26 * 26) + (('M' - 'A') * 26);

    /// <summary>Largest symbol count <see cref="SymbolNames"/> can name uniquely.</summary>
    public const int MaxSymbols = FourLetterNames + FiveLetterNames;

    /// <summary>Writes exactly <c>options.Events</c> '\n'-terminated UTF-8 lines.</summary>
    public static void Write(SyntheticOptions options, Stream output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Events, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Symbols, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Symbols, MaxSymbols, nameof(options));
        if (!output.CanWrite)
        {
            throw new ArgumentException("The output stream is not writable.", nameof(output));
        }

        using var sink = new Utf8Sink(output);
        var generator = new Generator(options, sink);
        for (var i = 0; i < options.Events; i++)
        {
            generator.WriteNext();
        }

        sink.Flush();
        output.Flush();
    }

    /// <summary>
    /// Deterministic unique tickers: "SYMA".."SYMZ", "SYNA".. (four letters starting with S, 17,576 of them), then
    /// five-letter names "AAAAA"... All are 1–5 uppercase ASCII letters.
    /// </summary>
    public static IReadOnlyList<string> SymbolNames(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxSymbols);
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = SymbolName(i);
        }

        return names;
    }

    private static string SymbolName(int index)
    {
        if (index < FourLetterNames)
        {
            var code = (FirstFourLetterCode + index) % FourLetterNames;
            return string.Create(4, code, static (span, c) =>
            {
                span[0] = 'S';
                span[1] = (char)('A' + (c / (26 * 26)));
                span[2] = (char)('A' + (c / 26 % 26));
                span[3] = (char)('A' + (c % 26));
            });
        }

        return string.Create(5, index - FourLetterNames, static (span, c) =>
        {
            for (var k = 4; k >= 0; k--)
            {
                span[k] = (char)('A' + (c % 26));
                c /= 26;
            }
        });
    }

    private sealed class SymbolState
    {
        private long[] _times = new long[16];
        private int[] _sizes = new int[16];
        private long[] _cents = new long[16];

        // Sequence numbers into the circular history of trades: [_start, _end) is retained, _from1/_from5 are the
        // first entries newer than now − 1 min / now − 5 min; the entry just before each is the "past" price.
        private long _start;
        private long _end;
        private long _from1;
        private long _from5;
        private long _sum1;
        private long _sum5;

        public SymbolState(byte[] ticker, byte[] company, int volatilityBp, double price, long now)
        {
            Ticker = ticker;
            Company = company;
            VolatilityBp = volatilityBp;
            Latent = price;
            LastTicks = now;
        }

        public byte[] Ticker { get; }

        public byte[] Company { get; }

        /// <summary>Annualized volatility in units of 0.0001.</summary>
        public int VolatilityBp { get; }

        public double Latent { get; set; }

        public long LastTicks { get; set; }

        public long Volume1m => _sum1;

        public long Volume5m => _sum5;

        public void Advance(long now)
        {
            var cut5 = now - (5 * TimeSpan.TicksPerMinute);
            var cut1 = now - TimeSpan.TicksPerMinute;
            var mask = _times.Length - 1;
            while (_from5 < _end && _times[_from5 & mask] <= cut5)
            {
                _sum5 -= _sizes[_from5 & mask];
                _from5++;
            }

            while (_from1 < _end && _times[_from1 & mask] <= cut1)
            {
                _sum1 -= _sizes[_from1 & mask];
                _from1++;
            }

            if (_start < _from5 - 1)
            {
                _start = _from5 - 1;
            }
        }

        public void AddTrade(long now, int size, long cents)
        {
            if (_end - _start == _times.Length)
            {
                Grow();
            }

            var i = (int)(_end & (_times.Length - 1));
            _times[i] = now;
            _sizes[i] = size;
            _cents[i] = cents;
            _end++;
            _sum1 += size;
            _sum5 += size;
        }

        /// <summary>Newest trade price (cents) at or before now − 1 min, or 0 when there is none.</summary>
        public long Past1m() => _from1 - 1 >= _start ? _cents[(_from1 - 1) & (_cents.Length - 1)] : 0;

        public long Past5m() => _from5 - 1 >= _start ? _cents[(_from5 - 1) & (_cents.Length - 1)] : 0;

        private void Grow()
        {
            var length = _times.Length * 2;
            var times = new long[length];
            var sizes = new int[length];
            var cents = new long[length];
            var oldMask = _times.Length - 1;
            for (var seq = _start; seq < _end; seq++)
            {
                var to = (int)(seq & (length - 1));
                var from = (int)(seq & oldMask);
                times[to] = _times[from];
                sizes[to] = _sizes[from];
                cents[to] = _cents[from];
            }

            _times = times;
            _sizes = sizes;
            _cents = cents;
        }
    }

    private sealed record Holding(int Symbol, long Qty, long EntryCents);

    private sealed class Generator
    {
        private const double TradingSecondsPerYear = 252 * 6.5 * 3600;
        private const double NewsShare = 0.005;
        private const double TradeShare = 0.41;
        private const long PositionsInterval = 15 * TimeSpan.TicksPerSecond;
        private const long VolatilityInterval = 5 * TimeSpan.TicksPerMinute;
        private const long MaxMarketStep = 1_000_000; // 100 ms: mean 50 ms, 200k events ≈ 2.8 h
        private const long MaxBurstStep = 20_000; // 2 ms between scheduled events of one burst

        private static readonly byte[] PreOpen = "pre_open"u8.ToArray();
        private static readonly byte[] Regular = "regular"u8.ToArray();
        private static readonly byte[] PostClose = "post_close"u8.ToArray();

        private readonly Utf8Sink _out;
        private readonly SymbolState[] _symbols;
        private readonly List<Holding> _holdings = [];
        private readonly byte[] _second = new byte[19];
        private SyntheticRandom _rng;
        private long _now;
        private long _nextPositions;
        private long _nextVolatility;
        private int _volatilityIndex;
        private bool _ordersPending;
        private long _newsId = 48_000_000;
        private long _sessionMinute = -1;
        private byte[] _session = Regular;
        private long _cachedSecond = -1;

        public Generator(SyntheticOptions options, Utf8Sink sink)
        {
            _out = sink;
            _rng = new SyntheticRandom(options.Seed);
            var start = options.StartUtc.Kind == DateTimeKind.Local ? options.StartUtc.ToUniversalTime() : options.StartUtc;
            _now = start.Ticks;
            _nextPositions = _now;
            _nextVolatility = _now + VolatilityInterval;
            var names = SymbolNames(options.Symbols);
            _symbols = new SymbolState[names.Count];
            for (var i = 0; i < _symbols.Length; i++)
            {
                var volatilityBp = _rng.NextInt(1500, 8000);
                var u = _rng.NextDouble();
                var price = Math.Round(10 + (490 * u * u), 2);
                _symbols[i] = new SymbolState(
                    System.Text.Encoding.ASCII.GetBytes(names[i]), CompanyName(i), volatilityBp, price, _now);
            }
        }

        public void WriteNext()
        {
            var burst = _ordersPending || _volatilityIndex < _symbols.Length;
            _now += _rng.NextLong(1, burst ? MaxBurstStep : MaxMarketStep);
            if (_ordersPending)
            {
                _ordersPending = false;
                WriteOrders();
            }
            else if (_volatilityIndex < _symbols.Length)
            {
                WriteVolatility(_symbols[_volatilityIndex++]);
            }
            else if (_now >= _nextPositions)
            {
                _nextPositions += PositionsInterval;
                _ordersPending = true;
                WritePositions();
            }
            else if (_now >= _nextVolatility)
            {
                _nextVolatility += VolatilityInterval;
                _volatilityIndex = 0;
                WriteVolatility(_symbols[_volatilityIndex++]);
            }
            else
            {
                var symbol = _symbols[_rng.NextInt(0, _symbols.Length - 1)];
                var u = _rng.NextDouble();
                if (u < NewsShare)
                {
                    WriteNews(symbol);
                }
                else if (u < NewsShare + TradeShare)
                {
                    WriteTrade(symbol);
                }
                else
                {
                    WriteQuote(symbol);
                }
            }
        }

        private void WriteTrade(SymbolState s)
        {
            Evolve(s);
            var (bid, ask) = QuoteCents(s);
            var u = _rng.NextDouble();
            var price = u < 0.45 ? bid : u < 0.9 ? ask : (bid + ask) / 2;
            var size = _rng.NextDouble() < 0.3 ? 100 * _rng.NextInt(1, 5) : 1 + (int)(499 * Square(_rng.NextDouble()));
            s.Advance(_now);
            s.AddTrade(_now, size, price);
            var milli = price * 10;

            _out.Put("{\"type\":\"trade\",\"ts\":"u8);
            PutTimestamp();
            _out.Put(",\"payload\":{\"price\":"u8);
            _out.PutFixed(price, 2);
            PutReturnsSessionAndSize(s, milli);
            _out.Put(",\"size\":"u8);
            _out.PutLong(size);
            PutSymbolTsVolatilityVolumes(s);
        }

        private void WriteQuote(SymbolState s)
        {
            Evolve(s);
            var (bid, ask) = QuoteCents(s);
            s.Advance(_now);
            var midMilli = (bid + ask) * 5;

            _out.Put("{\"type\":\"quote\",\"ts\":"u8);
            PutTimestamp();
            _out.Put(",\"payload\":{\"ask\":"u8);
            _out.PutFixed(ask, 2);
            _out.Put(",\"ask_size\":"u8);
            _out.PutLong(_rng.NextInt(1, 20));
            _out.Put(",\"bid\":"u8);
            _out.PutFixed(bid, 2);
            _out.Put(",\"bid_size\":"u8);
            _out.PutLong(_rng.NextInt(1, 20));
            _out.Put(",\"mid\":"u8);
            _out.PutFixed(midMilli, 3);
            PutReturnsSessionAndSize(s, midMilli);
            PutSymbolTsVolatilityVolumes(s);
        }

        private void PutReturnsSessionAndSize(SymbolState s, long priceMilli)
        {
            _out.Put(",\"return_1m\":"u8);
            _out.PutFixed(ReturnE8(priceMilli, s.Past1m()), 8);
            _out.Put(",\"return_5m\":"u8);
            _out.PutFixed(ReturnE8(priceMilli, s.Past5m()), 8);
            _out.Put(",\"session\":\""u8);
            _out.Put(Session());
            _out.Put("\""u8);
        }

        private void PutSymbolTsVolatilityVolumes(SymbolState s)
        {
            _out.Put(",\"symbol\":\""u8);
            _out.Put(s.Ticker);
            _out.Put("\",\"ts\":"u8);
            PutTimestamp();
            _out.Put(",\"volatility\":"u8);
            _out.PutFixed(s.VolatilityBp, 4);
            _out.Put(",\"volume_1m\":"u8);
            _out.PutLong(s.Volume1m);
            _out.Put(",\"volume_5m\":"u8);
            _out.PutLong(s.Volume5m);
            _out.Put("}}\n"u8);
        }

        private void WriteVolatility(SymbolState s)
        {
            _out.Put("{\"type\":\"volatility\",\"ts\":"u8);
            PutTimestamp();
            _out.Put(",\"payload\":{\"annualized_vol_30d\":"u8);
            _out.PutFixed(s.VolatilityBp, 4);
            _out.Put(",\"symbol\":\""u8);
            _out.Put(s.Ticker);
            _out.Put("\",\"ts\":"u8);
            PutTimestamp();
            _out.Put("}}\n"u8);
        }

        private void WriteNews(SymbolState s)
        {
            var id = _newsId++;
            var positive = _rng.NextDouble() < 0.5;
            _out.Put("{\"type\":\"news\",\"ts\":"u8);
            PutTimestamp();
            _out.Put(",\"payload\":{\"author\":\""u8);
            _out.Put(Pick(Authors));
            _out.Put("\",\"created_at\":"u8);
            PutSeconds(_now - (_rng.NextLong(0, 8) * TimeSpan.TicksPerSecond));
            _out.Put(",\"headline\":\""u8);
            PutHeadline(s, positive);
            _out.Put("\",\"id\":"u8);
            _out.PutLong(id);
            _out.Put(",\"source\":\"synthetic\",\"summary\":\""u8);
            PutSummary(s, positive);
            _out.Put("\",\"symbols\":[\""u8);
            _out.Put(s.Ticker);
            _out.Put("\"],\"ts\":"u8);
            PutTimestamp();
            _out.Put(",\"updated_at\":\"\",\"url\":\"https://example.test/news/"u8);
            _out.PutLong(id);
            _out.Put("\"}}\n"u8);
        }

        private void WritePositions()
        {
            UpdateHoldings();
            _out.Put("{\"type\":\"positions\",\"ts\":"u8);
            PutTimestamp();
            _out.Put(",\"payload\":{\"positions\":["u8);
            for (var i = 0; i < _holdings.Count; i++)
            {
                var h = _holdings[i];
                var s = _symbols[h.Symbol];
                var current = Math.Max(1, (long)Math.Round(s.Latent * 100));
                var costBasis = h.Qty * h.EntryCents;
                var marketValue = h.Qty * current;
                var pl = marketValue - costBasis;
                var plpc = RoundDiv(pl * 1_000_000, Math.Abs(costBasis));
                _out.Put(i == 0 ? "{\"cost_basis\":\""u8 : ",{\"cost_basis\":\""u8);
                _out.PutFixedPadded(costBasis, 2);
                _out.Put("\",\"current_price\":"u8);
                _out.PutFixed(current, 2);
                _out.Put(",\"market_value\":\""u8);
                _out.PutFixedPadded(marketValue, 2);
                _out.Put("\",\"qty\":\""u8);
                _out.PutLong(h.Qty);
                _out.Put(h.Qty > 0 ? "\",\"side\":\"long\",\"symbol\":\""u8 : "\",\"side\":\"short\",\"symbol\":\""u8);
                _out.Put(s.Ticker);
                _out.Put("\",\"unrealized_pl\":\""u8);
                _out.PutFixedPadded(pl, 2);
                _out.Put("\",\"unrealized_plpc\":\""u8);
                _out.PutFixedPadded(plpc, 6);
                _out.Put("\"}"u8);
            }

            _out.Put("]}}\n"u8);
        }

        private void UpdateHoldings()
        {
            if (_rng.NextDouble() >= 0.25)
            {
                return;
            }

            if (_holdings.Count < 3 && (_holdings.Count == 0 || _rng.NextDouble() < 0.6))
            {
                var index = _rng.NextInt(0, _symbols.Length - 1);
                if (_holdings.Exists(h => h.Symbol == index))
                {
                    return;
                }

                var qty = (long)_rng.NextInt(1, 12);
                if (_rng.NextDouble() < 0.15)
                {
                    qty = -qty;
                }

                var entry = Math.Max(1, (long)Math.Round(_symbols[index].Latent * 100));
                _holdings.Add(new Holding(index, qty, entry));
            }
            else if (_holdings.Count > 0)
            {
                _holdings.RemoveAt(_rng.NextInt(0, _holdings.Count - 1));
            }
        }

        private void WriteOrders()
        {
            _out.Put("{\"type\":\"orders\",\"ts\":"u8);
            PutTimestamp();
            _out.Put(",\"payload\":{\"orders\":["u8);
            var u = _rng.NextDouble();
            var count = u < 0.8 ? 0 : u < 0.95 ? 1 : 2;
            for (var i = 0; i < count; i++)
            {
                var qty = _rng.NextInt(1, 12);
                var partial = qty > 1 && _rng.NextDouble() < 0.1;
                _out.Put(i == 0 ? "{\"created_at\":"u8 : ",{\"created_at\":"u8);
                PutSeconds(_now - (_rng.NextLong(1, 90) * TimeSpan.TicksPerSecond));
                _out.Put(",\"filled_qty\":\""u8);
                _out.PutLong(partial ? _rng.NextInt(1, qty - 1) : 0);
                _out.Put("\",\"id\":\""u8);
                PutUuid();
                _out.Put("\",\"qty\":\""u8);
                _out.PutLong(qty);
                _out.Put(_rng.NextDouble() < 0.8 ? "\",\"side\":\"buy\",\"status\":\""u8 : "\",\"side\":\"sell\",\"status\":\""u8);
                _out.Put(partial ? "partially_filled"u8 : "new"u8);
                _out.Put("\",\"symbol\":\""u8);
                _out.Put(_symbols[_rng.NextInt(0, _symbols.Length - 1)].Ticker);
                _out.Put("\",\"type\":\"limit\"}"u8);
            }

            _out.Put("]}}\n"u8);
        }

        /// <summary>Geometric Brownian step over the event time elapsed since the symbol last moved.</summary>
        private void Evolve(SymbolState s)
        {
            var elapsed = _now - s.LastTicks;
            if (elapsed <= 0)
            {
                return;
            }

            s.LastTicks = _now;
            var seconds = elapsed / (double)TimeSpan.TicksPerSecond;
            var sigma = s.VolatilityBp / 10_000.0 * Math.Sqrt(seconds / TradingSecondsPerYear);
            var x = sigma * _rng.NextGaussian();
            var price = s.Latent * (1 + x + (0.5 * x * x));
            s.Latent = price < 0.05 ? 0.05 : price;
        }

        private (long Bid, long Ask) QuoteCents(SymbolState s)
        {
            var midCents = s.Latent * 100;
            var bps = 1 + (4 * _rng.NextDouble());
            var spread = Math.Max(1, (long)Math.Round(midCents * bps / 10_000));
            var bid = Math.Max(1, (long)Math.Round(midCents - (spread * 0.5)));
            return (bid, bid + spread);
        }

        private static long ReturnE8(long priceMilli, long pastCents)
        {
            if (pastCents <= 0 || priceMilli <= 0)
            {
                return 0;
            }

            var past = pastCents * 10;
            return (long)Math.Round((priceMilli - past) * 1e8 / past);
        }

        private static long RoundDiv(long numerator, long denominator)
        {
            if (denominator == 0)
            {
                return 0;
            }

            var half = denominator / 2;
            return numerator >= 0 ? (numerator + half) / denominator : -((-numerator + half) / denominator);
        }

        private static double Square(double x) => x * x;

        private ReadOnlySpan<byte> Session()
        {
            var minute = _now / TimeSpan.TicksPerMinute;
            if (minute != _sessionMinute)
            {
                _sessionMinute = minute;
                var wall = NewYorkTime.WallTime(new DateTime(_now, DateTimeKind.Utc));
                _session = wall < NewYorkTime.RegularOpen ? PreOpen : wall >= NewYorkTime.RegularClose ? PostClose : Regular;
            }

            return _session;
        }

        /// <summary>Writes <c>"yyyy-MM-ddTHH:mm:ss.fffffffZ"</c> of the current event time, quotes included.</summary>
        private void PutTimestamp()
        {
            var second = _now / TimeSpan.TicksPerSecond;
            if (second != _cachedSecond)
            {
                _cachedSecond = second;
                FormatSecond(second * TimeSpan.TicksPerSecond, _second);
            }

            _out.Put("\""u8);
            _out.Put(_second);
            _out.Put("."u8);
            _out.PutDigits(_now % TimeSpan.TicksPerSecond, 7);
            _out.Put("Z\""u8);
        }

        /// <summary>Writes <c>"yyyy-MM-ddTHH:mm:ssZ"</c>, quotes included (Alpaca's created_at).</summary>
        private void PutSeconds(long ticks)
        {
            Span<byte> text = stackalloc byte[19];
            FormatSecond(ticks - (ticks % TimeSpan.TicksPerSecond), text);
            _out.Put("\""u8);
            _out.Put(text);
            _out.Put("Z\""u8);
        }

        private static void FormatSecond(long ticks, Span<byte> destination)
        {
            var time = new DateTime(ticks, DateTimeKind.Utc);
            if (!time.TryFormat(destination, out var written, "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) || written != 19)
            {
                throw new InvalidOperationException("Timestamp outside the four-digit year range.");
            }
        }

        private void PutUuid()
        {
            var high = _rng.Next();
            var low = _rng.Next();
            high = (high & 0xFFFF_FFFF_FFFF_0FFFUL) | 0x0000_0000_0000_4000UL; // version 4
            low = (low & 0x3FFF_FFFF_FFFF_FFFFUL) | 0x8000_0000_0000_0000UL; // RFC 4122 variant
            _out.PutHex(high >> 32, 8);
            _out.Put("-"u8);
            _out.PutHex((high >> 16) & 0xFFFF, 4);
            _out.Put("-"u8);
            _out.PutHex(high & 0xFFFF, 4);
            _out.Put("-"u8);
            _out.PutHex(low >> 48, 4);
            _out.Put("-"u8);
            _out.PutHex(low & 0xFFFF_FFFF_FFFFUL, 12);
        }

        private byte[] Pick(byte[][] words) => words[_rng.NextInt(0, words.Length - 1)];

        private void PutHeadline(SymbolState s, bool positive)
        {
            var o = _out;
            var template = _rng.NextInt(0, 5);
            if (positive)
            {
                switch (template)
                {
                    case 0:
                        o.Put(s.Company);
                        o.Put(" beats estimates and raises guidance"u8);
                        break;
                    case 1:
                        o.Put(s.Company);
                        o.Put(" shares jump after record quarterly "u8);
                        o.Put(Pick(Metrics));
                        break;
                    case 2:
                        o.Put(s.Company);
                        o.Put(" wins $"u8);
                        o.PutLong(_rng.NextInt(50, 950));
                        o.Put(" million "u8);
                        o.Put(Pick(Customers));
                        o.Put(" contract"u8);
                        break;
                    case 3:
                        o.Put(Pick(Banks));
                        o.Put(" upgrades "u8);
                        o.Put(s.Company);
                        o.Put(" to buy, citing strong demand"u8);
                        break;
                    case 4:
                        o.Put(s.Company);
                        o.Put(" announces $"u8);
                        o.PutLong(_rng.NextInt(1, 20));
                        o.Put(" billion share buyback"u8);
                        break;
                    default:
                        o.Put(s.Company);
                        o.Put(" surges as "u8);
                        o.Put(Pick(Products));
                        o.Put(" sales top forecasts"u8);
                        break;
                }

                return;
            }

            switch (template)
            {
                case 0:
                    o.Put(s.Company);
                    o.Put(" shares plunge after SEC probe"u8);
                    break;
                case 1:
                    o.Put(s.Company);
                    o.Put(" misses estimates and cuts guidance"u8);
                    break;
                case 2:
                    o.Put(Pick(Banks));
                    o.Put(" downgrades "u8);
                    o.Put(s.Company);
                    o.Put(" to sell on weak demand"u8);
                    break;
                case 3:
                    o.Put(s.Company);
                    o.Put(" recalls "u8);
                    o.Put(Pick(Products));
                    o.Put(" after safety complaints"u8);
                    break;
                case 4:
                    o.Put(s.Company);
                    o.Put(" falls as CFO resigns amid accounting review"u8);
                    break;
                default:
                    o.Put(s.Company);
                    o.Put(" slides after losing key "u8);
                    o.Put(Pick(Customers));
                    o.Put(" contract"u8);
                    break;
            }
        }

        private void PutSummary(SymbolState s, bool positive)
        {
            var o = _out;
            o.Put(s.Company);
            o.Put(" ("u8);
            o.Put(s.Ticker);
            o.Put(") said "u8);
            o.Put(Pick(Quarters));
            o.Put(" "u8);
            o.Put(Pick(Metrics));
            o.Put(positive ? " rose "u8 : " fell "u8);
            o.PutLong(_rng.NextInt(2, 35));
            o.Put(positive
                ? "% from a year earlier, ahead of analyst estimates. "u8
                : "% from a year earlier, well below analyst estimates. "u8);
            o.Put(positive ? Pick(PositiveClosers) : Pick(NegativeClosers));
        }

        private static byte[] CompanyName(int index)
        {
            var name = CompanyStems[index % CompanyStems.Length] + CompanySuffixes[index / CompanyStems.Length % CompanySuffixes.Length];
            var round = index / (CompanyStems.Length * CompanySuffixes.Length);
            if (round > 0)
            {
                name += " " + (round + 1).ToString(CultureInfo.InvariantCulture);
            }

            return System.Text.Encoding.ASCII.GetBytes(name);
        }

        private static byte[][] Words(params string[] words) =>
            Array.ConvertAll(words, w => System.Text.Encoding.ASCII.GetBytes(w));

        private static readonly string[] CompanyStems =
        [
            "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Cyberdyne", "Soylent", "Tyrell", "Wonka",
            "Stark", "Wayne", "Oscorp", "Aperture", "Monarch", "Nakatomi", "Pied Piper", "Prestige", "Sirius", "Virtucon",
            "Weyland", "Zorin", "Dunder", "Krusty", "Gekko", "Bluth",
        ];

        private static readonly string[] CompanySuffixes =
        [
            "", " Industries", " Systems", " Holdings", " Labs", " Energy", " Therapeutics", " Financial", " Motors", " Networks",
        ];

        private static readonly byte[][] Authors = Words("Staff", "Newsdesk", "Maria Chen", "David Okafor", "Priya Raman", "Tom Becker");

        private static readonly byte[][] Banks = Words("Goldman Sachs", "Morgan Stanley", "JPMorgan", "Barclays", "UBS", "Jefferies");

        private static readonly byte[][] Metrics = Words("revenue", "earnings", "subscriber growth", "cloud sales", "deliveries");

        private static readonly byte[][] Customers = Words("Pentagon", "federal", "NASA", "state utility", "European rail");

        private static readonly byte[][] Products = Words("flagship device", "electric SUV", "battery pack", "diabetes drug", "smart thermostat");

        private static readonly byte[][] Quarters = Words("first-quarter", "second-quarter", "third-quarter", "fourth-quarter");

        private static readonly byte[][] PositiveClosers = Words(
            "Management raised its full-year outlook and expects margins to expand.",
            "The company also announced a higher dividend and an expanded buyback.",
            "Analysts said the results show strong demand and improving profitability.");

        private static readonly byte[][] NegativeClosers = Words(
            "Management cut its full-year outlook, citing weak demand and rising costs.",
            "The company disclosed a regulatory investigation and suspended its buyback.",
            "Analysts warned that losses could widen as competition intensifies.");
    }
}
