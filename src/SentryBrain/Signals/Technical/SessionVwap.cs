using SentryBrain.Market;

namespace SentryBrain.Signals.Technical;

/// <summary>
/// Streaming session VWAP of intraday 1-minute bars, anchored at the 09:30 New York open: Σ(tp·v)/Σv over the bars of
/// the current regular session, tp = (H + L + C)/3 (the typical price of BEHAVIOR §3.7). O(1) per bar, no allocation.
/// <para>
/// A bar belongs to the session of its New York trading date when its start (converted with
/// <see cref="NewYorkTime"/>, so DST is handled) is in [09:30, 16:00) ET. The first bar of a later trading date
/// starts a new session (the sums reset). Bars before 09:30 or from 16:00 ET are ignored entirely (they neither
/// reset nor contribute; the value keeps describing the last session seen, see <see cref="SessionDate"/>), as are
/// bars of an earlier trading date than the current session and bars with non-finite prices or a negative or
/// non-finite volume. While the session's volume is 0 the value is the last bar's close (the reference's rule for a
/// zero-volume VWAP). The session is not closed at early-close days: the caller feeds no bars after the close.
/// </para>
/// <para>
/// Differences from the reference: the reference had no session VWAP (only a 20-bar rolling VWAP in the backtest and
/// none live); the 16:00 cut-off keeps after-hours prints out of the regular session's anchor.
/// </para>
/// </summary>
public sealed class SessionVwap
{
    private double _priceVolume;
    private double _volume;
    private double _lastClose = double.NaN;

    /// <summary>Trading date of the current session; null before the first session bar.</summary>
    public DateOnly? SessionDate { get; private set; }

    /// <summary>Bars counted in the current session.</summary>
    public int Bars { get; private set; }

    /// <summary>The session VWAP; null before the first session bar.</summary>
    public double? Value
    {
        get
        {
            if (Bars == 0)
            {
                return null;
            }

            return _volume > 0 ? _priceVolume / _volume : _lastClose;
        }
    }

    /// <summary>Adds one bar (see the type remarks for the bars that are ignored).</summary>
    public void Add(DateTime barStartUtc, double high, double low, double close, double volume)
    {
        if (!double.IsFinite(high) || !double.IsFinite(low) || !double.IsFinite(close)
            || !double.IsFinite(volume) || volume < 0)
        {
            return;
        }

        var wall = NewYorkTime.WallTime(barStartUtc);
        if (wall < NewYorkTime.RegularOpen || wall >= NewYorkTime.RegularClose)
        {
            return;
        }

        var date = NewYorkTime.TradingDate(barStartUtc);
        if (SessionDate is { } current)
        {
            if (date < current)
            {
                return;
            }

            if (date > current)
            {
                Reset();
            }
        }

        SessionDate = date;
        var typical = (high + low + close) / 3;
        _priceVolume += typical * volume;
        _volume += volume;
        _lastClose = close;
        Bars++;
    }

    /// <summary>(price − VWAP)/VWAP·100; null while the VWAP is unknown or not positive.</summary>
    public double? DistancePct(double price)
    {
        if (Value is not { } vwap || !(vwap > 0) || !double.IsFinite(price))
        {
            return null;
        }

        return (price - vwap) / vwap * 100;
    }

    /// <summary>
    /// Series form over 1-minute bars: for each bar, the VWAP of the session of the latest valid bar so far, summed
    /// from the definition (all valid bars so far with that session date), not by running sums, so that tests can
    /// prove the streaming form equal to it. O(n²); for tests and tools.
    /// </summary>
    public static double?[] Series(ReadOnlySpan<Market.MinuteBar> bars)
    {
        var result = new double?[bars.Length];
        DateOnly? session = null;
        for (var i = 0; i < bars.Length; i++)
        {
            if (SessionOf(bars[i]) is { } date && (session is null || date > session))
            {
                session = date;
            }

            if (session is not { } current)
            {
                continue;
            }

            double pv = 0, v = 0, lastClose = double.NaN;
            for (var j = 0; j <= i; j++)
            {
                if (SessionOf(bars[j]) == current)
                {
                    pv += (bars[j].High + bars[j].Low + bars[j].Close) / 3 * bars[j].Volume;
                    v += bars[j].Volume;
                    lastClose = bars[j].Close;
                }
            }

            result[i] = v > 0 ? pv / v : lastClose;
        }

        return result;
    }

    /// <summary>The trading date a bar counts for, or null when it is outside the regular session or invalid.</summary>
    private static DateOnly? SessionOf(Market.MinuteBar bar)
    {
        if (!double.IsFinite(bar.High) || !double.IsFinite(bar.Low) || !double.IsFinite(bar.Close) || bar.Volume < 0)
        {
            return null;
        }

        var wall = NewYorkTime.WallTime(bar.Start);
        return wall < NewYorkTime.RegularOpen || wall >= NewYorkTime.RegularClose ? null : NewYorkTime.TradingDate(bar.Start);
    }

    /// <summary>Forgets the session.</summary>
    public void Reset()
    {
        _priceVolume = 0;
        _volume = 0;
        _lastClose = double.NaN;
        SessionDate = null;
        Bars = 0;
    }
}
