using SentryBrain.Events;
using SentryBrain.Signals.Sentiment.News;
using SentryBrain.Signals.Technical;

namespace SentryBrain.Market;

/// <summary>
/// Everything the brain knows about one symbol, updated in O(1) per event without allocation (after its histories,
/// allocated once).
/// Trades build one-minute bars (quotes only move bid/ask/mid); closed bars feed the RSI.
/// The price and bar histories are sized to what their reader needs (0 = none kept) and allocated on first use, so a
/// symbol seen once costs a few hundred bytes.
/// </summary>
public sealed class SymbolState
{
    public const int PriceHistoryLength = 100;
    public const int BarHistoryLength = 60;

    private readonly int _priceHistory;
    private readonly int _barHistory;
    private double[]? _prices;
    private MinuteBar[]? _bars;
    private int _priceHead;
    private int _barHead;
    private WilderRsi _rsi;
    private MinuteBar _current;
    private bool _hasCurrent;
    private OutlierGuard _outliers;
    private DecayedSentiment _news;

    public SymbolState(string symbol, int rsiPeriod, LiveIndicators? indicators = null, int priceHistory = PriceHistoryLength, int barHistory = BarHistoryLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(priceHistory);
        ArgumentOutOfRangeException.ThrowIfNegative(barHistory);
        Symbol = symbol;
        _priceHistory = priceHistory;
        _barHistory = barHistory;
        _rsi = new WilderRsi(rsiPeriod);
        Indicators = indicators;
    }

    /// <summary>Live indicators (Green Light); null when the strategy does not need them.</summary>
    public LiveIndicators? Indicators { get; }

    public string Symbol { get; }

    /// <summary>The outlier guard's state; the engine consults it before a trade or quote is applied.</summary>
    public ref OutlierGuard Outliers => ref _outliers;

    public DateTime LastEventTs { get; private set; }

    public double LastTradePrice { get; private set; }

    public double Bid { get; private set; }

    public double Ask { get; private set; }

    public double Mid { get; private set; }

    public FeedSession Session { get; private set; } = FeedSession.Regular;

    public long Volume1m { get; private set; }

    public long Volume5m { get; private set; }

    public double Return1m { get; private set; }

    public double Return5m { get; private set; }

    /// <summary>Annualized volatility from the engine (0 = unknown).</summary>
    public double Volatility { get; private set; }

    /// <summary>The symbol's news sentiment (every counted item, decayed from its <c>created_at</c>).</summary>
    public DecayedSentiment News => _news;

    /// <summary>Event time at which the newest news item (by <c>created_at</c>) was counted; the one-entry rule compares entries with it.</summary>
    public DateTime NewsSeenAt { get; private set; }

    public int PriceCount { get; private set; }

    public int BarCount { get; private set; }

    public double? Rsi => _rsi.Value;

    /// <summary>Event time of the last order the brain sent for this symbol (cooldown).</summary>
    public DateTime? LastOrderTs { get; set; }

    /// <summary>Event time of the last entry evaluation (STRATEGY_INTERVAL_SEC throttle).</summary>
    public DateTime? LastEntryEvaluationTs { get; set; }

    /// <summary>Reason of the last hold decision written to the journal, so unchanged holds are not repeated.</summary>
    public string? LastJournaledHold { get; set; }

    /// <summary>The price the brain could sell at now: bid, else last trade, else mid.</summary>
    public double ExitPrice => Bid > 0 ? Bid : LastTradePrice > 0 ? LastTradePrice : Mid;

    /// <summary>The price the brain would pay now: ask, else last trade, else mid.</summary>
    public double EntryPrice => Ask > 0 ? Ask : LastTradePrice > 0 ? LastTradePrice : Mid;

    /// <summary>Mark for equity: mid, else last trade.</summary>
    public double MarkPrice => Mid > 0 ? Mid : LastTradePrice;

    public void OnTrade(TradeEvent trade)
    {
        OnTick(trade.Ts, trade.Session, trade.Return1m, trade.Return5m, trade.Volatility);
        LastTradePrice = trade.Price;
        Volume1m = trade.Volume1m;
        Volume5m = trade.Volume5m;
        AddPrice(trade.Price);
        AddToBar(trade.Ts, trade.Price, trade.Size);
    }

    public void OnQuote(QuoteEvent quote)
    {
        OnTick(quote.Ts, quote.Session, quote.Return1m, quote.Return5m, quote.Volatility);
        Bid = quote.Bid;
        Ask = quote.Ask;
        Mid = quote.Mid;
        AddPrice(quote.Mid);
    }

    /// <summary>What trades and quotes both carry: time, session, the engine's returns and (when known) volatility.</summary>
    private void OnTick(DateTime ts, FeedSession session, double return1m, double return5m, double volatility)
    {
        Touch(ts);
        Session = session;
        Return1m = return1m;
        Return5m = return5m;
        if (volatility > 0)
        {
            Volatility = volatility;
        }
    }

    public void OnVolatility(VolatilityEvent volatility)
    {
        Touch(volatility.Ts);
        Volatility = volatility.AnnualizedVol30d;
    }

    /// <summary>
    /// Counts a scored news item created at <paramref name="createdAt"/>, visible (and scored) at event time
    /// <paramref name="now"/>; the sentiment decays with <paramref name="halfLifeMin"/>.
    /// </summary>
    public void OnNews(double score, DateTime createdAt, DateTime now, double halfLifeMin)
    {
        Touch(now);
        if (_news.Count == 0 || createdAt >= _news.LatestAt)
        {
            NewsSeenAt = now;
        }

        _news.Add(score, createdAt, now, halfLifeMin);
    }

    /// <summary>Distance to the session VWAP (percent) when the last buy was decided; null when unknown.</summary>
    public double? EntryVwapDistancePct { get; set; }

    /// <summary>Event time of the last buy the brain sent for this symbol.</summary>
    public DateTime? LastEntryTs { get; set; }

    /// <summary>
    /// The decayed news sentiment while the newest item is younger than <paramref name="maxAgeSec"/> (from its
    /// <c>created_at</c>) and no entry was made since it was counted, else null: one headline justifies one entry, so
    /// a stopped-out position is not re-bought on stale news.
    /// </summary>
    public double? FreshNews(DateTime now, double maxAgeSec, double halfLifeMin)
        => _news.Count > 0 && (now - _news.LatestAt).TotalSeconds <= maxAgeSec && !(LastEntryTs >= NewsSeenAt) ? _news.Value(now, halfLifeMin) : null;

    /// <summary>The i-th most recent price (0 = newest) of the last <c>priceHistory</c> trade prices and quote mids.</summary>
    public double PriceAt(int i)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, PriceCount);
        return _prices![(_priceHead - 1 - i + _priceHistory) % _priceHistory];
    }

    /// <summary>The i-th most recent closed bar (0 = newest).</summary>
    public MinuteBar BarAt(int i)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, BarCount);
        return _bars![(_barHead - 1 - i + _barHistory) % _barHistory];
    }

    /// <summary>The bar being built from trades in the current minute, if any.</summary>
    public MinuteBar? CurrentBar => _hasCurrent ? _current : null;

    /// <summary>Closes the current bar if its minute has ended before <paramref name="now"/>.</summary>
    public void CloseBarIfDue(DateTime now)
    {
        if (_hasCurrent && now >= _current.Start.AddMinutes(1))
        {
            CloseBar();
        }
    }

    private void Touch(DateTime ts)
    {
        if (ts > LastEventTs)
        {
            LastEventTs = ts;
        }
    }

    private void AddPrice(double price)
    {
        if (_priceHistory == 0)
        {
            return;
        }

        _prices ??= new double[_priceHistory];
        _prices[_priceHead] = price;
        _priceHead = (_priceHead + 1) % _priceHistory;
        if (PriceCount < _priceHistory)
        {
            PriceCount++;
        }
    }

    private void AddToBar(DateTime ts, double price, long size)
    {
        var minute = new DateTime(ts.Ticks - (ts.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        if (_hasCurrent && minute > _current.Start)
        {
            CloseBar();
        }

        if (!_hasCurrent)
        {
            _current = new MinuteBar(minute, price, price, price, price, size);
            _hasCurrent = true;
            return;
        }

        // A late trade (older minute than the open bar) is folded into the open bar rather than reopening history.
        _current = _current with
        {
            High = Math.Max(_current.High, price),
            Low = Math.Min(_current.Low, price),
            Close = price,
            Volume = _current.Volume + size,
        };
    }

    private void CloseBar()
    {
        if (_barHistory > 0)
        {
            _bars ??= new MinuteBar[_barHistory];
            _bars[_barHead] = _current;
            _barHead = (_barHead + 1) % _barHistory;
            if (BarCount < _barHistory)
            {
                BarCount++;
            }
        }

        _rsi.Add(_current.Close);
        Indicators?.OnMinuteBar(_current);
        _hasCurrent = false;
    }
}
