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
