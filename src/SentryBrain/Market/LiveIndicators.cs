using SentryBrain.Market.Bars;
using SentryBrain.Signals;
using SentryBrain.Signals.Microstructure;
using SentryBrain.Signals.Technical;
using SentryBrain.Signals.Technical.Patterns;

namespace SentryBrain.Market;

/// <summary>Settings of the live indicators (from the configuration).</summary>
public sealed record LiveIndicatorOptions(
    int AtrPeriod = 20,
    int AtrPercentileLookback = 60,
    int ZScorePeriod = 20,
    int StructureEmaPeriod = 50,
    int OfiWindowTrades = 100,
    TechnicalScoreOptions? Technical = null)
{
    public static LiveIndicatorOptions From(Config.BrainConfig c) => new(
        c.AtrPeriod,
        c.AtrPercentileLookback,
        c.ZScorePeriod,
        c.StructureEmaPeriod,
        c.OfiWindowTrades,
        new TechnicalScoreOptions(c.UseMacd, c.UsePatterns, c.PatternLookback, c.RsiPeriod));
}

/// <summary>
/// The indicators the reference computed only in its backtest, live. Daily bars (warmed up from a bar source and
/// rolled at the New York date change) give ATR, ATR percentile, the returns Z-score and structure; 1-minute bars
/// give the session VWAP, the technical score and momentum; trades against quotes give OFI. Updates are O(1) per
/// event; the per-bar and per-day work (technical score, structure) runs once per bar or day, not per event.
/// Each history is allocated when its first value arrives and the ordering scratch is shared, so a symbol seen once
/// (a flood of new symbols, most of a wide universe) costs a few hundred bytes, not 10 KB.
/// </summary>
public sealed class LiveIndicators
{
    public const int DailyHistory = 260;
    public const int IntradayHistory = 120;

    [ThreadStatic]
    private static double[]? t_scratch;

    private readonly LiveIndicatorOptions _options;
    private double[]? _dailyCloses;
    private double[]? _returns;
    private double[]? _barCloses;
    private readonly SessionVwap _vwap = new();
    private readonly OrderFlowImbalance _ofi;
    private readonly AtrPercentile _atrPercentile;
    private Atr _atr;
    private int _dailyCount;
    private int _dailyHead;
    private int _returnCount;
    private int _returnHead;
    private int _barCount;
    private int _barHead;
    private double _returnMean;
    private double _returnStd;
    private double? _technicalScore;
    private bool? _momentumOk;
    private bool _intradayDirty;

    // Today's daily bar, built from trades.
    private DateOnly _todayDate;
    private double _todayOpen;
    private double _todayHigh;
    private double _todayLow;
    private double _todayClose;
    private double _todayVolume;

    public LiveIndicators(LiveIndicatorOptions options)
    {
        _options = options;
        _atr = new Atr(options.AtrPeriod);
        _atrPercentile = new AtrPercentile(options.AtrPercentileLookback);
        _ofi = new OrderFlowImbalance(options.OfiWindowTrades);
    }

    /// <summary>Daily ATR (last completed day).</summary>
    public double? Atr => _atr.Value;

    public double? AtrPercentile => _atrPercentile.Value;

    /// <summary>Structure on daily closes (EMA trend, no double top, no bearish head and shoulders); null while unknown.</summary>
    public bool? StructureOk { get; private set; }

    /// <summary>Technical score of the 1-minute bar closes; computed on first use after a bar closes (entries only need it).</summary>
    public double? TechnicalScore
    {
        get
        {
            RefreshIntraday();
            return _technicalScore;
        }
    }

    /// <summary>Momentum checklist item (RSI divergence or MACD histogram turn) on 1-minute bars, computed like <see cref="TechnicalScore"/>.</summary>
    public bool? MomentumOk
    {
        get
        {
            RefreshIntraday();
            return _momentumOk;
        }
    }

    public double? Ofi => _ofi.Value;

    public int DailyBars => _dailyCount;

    public double? LastDailyClose => _dailyCount > 0 ? _dailyCloses![(_dailyHead - 1 + DailyHistory) % DailyHistory] : null;

    /// <summary>The last daily close-to-close returns, oldest first, into <paramref name="destination"/>; returns how many were written.</summary>
    public int DailyReturns(Span<double> destination)
    {
        var n = Math.Min(destination.Length, _dailyCount - 1);
        for (var i = 0; i < n; i++)
        {
            var newer = _dailyCloses![(_dailyHead - 1 - (n - 1 - i) + (2 * DailyHistory)) % DailyHistory];
            var older = _dailyCloses![(_dailyHead - 2 - (n - 1 - i) + (2 * DailyHistory)) % DailyHistory];
            destination[i] = older > 0 ? (newer / older) - 1 : 0;
        }

        return Math.Max(0, n);
    }

    /// <summary>
    /// The newest <paramref name="n"/> completed daily closes (fewer when fewer are known), oldest first, in a scratch
    /// buffer shared on this thread: read the span before the next call. O(n).
    /// </summary>
    public ReadOnlySpan<double> DailyCloses(int n) => Ordered(_dailyCloses, _dailyHead, Math.Clamp(n, 0, _dailyCount));

    /// <summary>Simple moving average of the last <paramref name="period"/> daily closes (null with fewer).</summary>
    public double? DailySma(int period)
    {
        if (period <= 0 || _dailyCount < period)
        {
            return null;
        }

        var sum = 0.0;
        for (var i = 1; i <= period; i++)
        {
            sum += _dailyCloses![(_dailyHead - i + DailyHistory) % DailyHistory];
        }

        return sum / period;
    }

    /// <summary>ATR as percent of <paramref name="price"/>.</summary>
    public double? AtrPct(double price) => _atr.Value is { } atr && price > 0 ? atr / price * 100 : null;

    /// <summary>(price − session VWAP)/VWAP·100 for today's session; null before the first bar of the session.</summary>
    public double? VwapDistancePct(double price, DateOnly today) => _vwap.SessionDate == today ? _vwap.DistancePct(price) : null;

    /// <summary>Z-score of today's return so far (price vs the last daily close) against the previous daily returns.</summary>
    public double? ZScore(double price)
    {
        if (_returnCount < _options.ZScorePeriod || LastDailyClose is not { } last || last <= 0 || price <= 0)
        {
            return null;
        }

        return ReturnsZScore.Standardize((price / last) - 1, _returnMean, _returnStd);
    }

    public void WarmUp(IReadOnlyList<DailyBar> bars)
    {
        foreach (var bar in bars)
        {
            AddDailyBar(bar.High, bar.Low, bar.Close);
        }

        RefreshStructure();
    }

    public void OnQuote(double bid, double ask) => _ofi.OnQuote(bid, ask);

    /// <summary>A trade: OFI, and today's daily bar (rolled first if the date changed).</summary>
    public void OnTrade(DateOnly tradingDate, double price, double size)
    {
        _ofi.OnTrade(price, size);
        if (tradingDate != _todayDate)
        {
            RollDay(tradingDate);
        }

        if (_todayVolume == 0 && _todayOpen == 0)
        {
            _todayOpen = _todayHigh = _todayLow = price;
        }

        _todayHigh = Math.Max(_todayHigh, price);
        _todayLow = Math.Min(_todayLow, price);
        _todayClose = price;
        _todayVolume += size;
    }

    /// <summary>Completes today's bar (if any trade made one) and starts <paramref name="newDate"/>.</summary>
    public void RollDay(DateOnly newDate)
    {
        if (newDate == _todayDate)
        {
            return;
        }

        if (_todayOpen > 0)
        {
            AddDailyBar(_todayHigh, _todayLow, _todayClose);
            RefreshStructure();
        }

        _todayDate = newDate;
        _todayOpen = _todayHigh = _todayLow = _todayClose = _todayVolume = 0;
    }

    /// <summary>A closed 1-minute bar: session VWAP, then the technical score and momentum of the bar closes.</summary>
    public void OnMinuteBar(MinuteBar bar)
    {
        _vwap.Add(bar.Start, bar.High, bar.Low, bar.Close, bar.Volume);
        _barCloses ??= new double[IntradayHistory];
        _barCloses[_barHead] = bar.Close;
        _barHead = (_barHead + 1) % IntradayHistory;
        _barCount = Math.Min(_barCount + 1, IntradayHistory);
        _intradayDirty = true;
    }

    private void RefreshIntraday()
    {
        if (!_intradayDirty)
        {
            return;
        }

        _intradayDirty = false;
        var closes = Ordered(_barCloses, _barHead, _barCount);
        (_technicalScore, _momentumOk) = Signals.TechnicalScore.ComputeWithMomentum(closes, _options.Technical ?? TechnicalScoreOptions.Default);
    }

    private void AddDailyBar(double high, double low, double close)
    {
        if (LastDailyClose is { } previous && previous > 0)
        {
            AddReturn((close / previous) - 1);
        }

        _atr.Add(high, low, close);
        if (_atr.Value is { } atr)
        {
            _atrPercentile.Add(atr);
        }

        _dailyCloses ??= new double[DailyHistory];
        _dailyCloses[_dailyHead] = close;
        _dailyHead = (_dailyHead + 1) % DailyHistory;
        _dailyCount = Math.Min(_dailyCount + 1, DailyHistory);
    }

    private void AddReturn(double r)
    {
        _returns ??= new double[_options.ZScorePeriod];
        _returns[_returnHead] = r;
        _returnHead = (_returnHead + 1) % _returns.Length;
        _returnCount = Math.Min(_returnCount + 1, _returns.Length);
        if (_returnCount < _returns.Length)
        {
            return;
        }

        (_returnMean, _returnStd) = ReturnsZScore.PopulationMeanStd(_returns); // once a day
    }

    private void RefreshStructure()
    {
        StructureOk = Structure.IsOk(Ordered(_dailyCloses, _dailyHead, _dailyCount), _options.StructureEmaPeriod);
    }

    /// <summary>
    /// The ring's values oldest first, in a scratch buffer shared by every instance on this thread (the span is read
    /// at once, before the next call); empty when the ring was never written.
    /// </summary>
    private static ReadOnlySpan<double> Ordered(double[]? ring, int head, int count)
    {
        if (ring is null || count == 0)
        {
            return [];
        }

        var scratch = t_scratch ??= new double[Math.Max(DailyHistory, IntradayHistory)];
        var start = (head - count + ring.Length) % ring.Length;
        for (var i = 0; i < count; i++)
        {
            scratch[i] = ring[(start + i) % ring.Length];
        }

        return scratch.AsSpan(0, count);
    }
}
