namespace SentryBrain.Market;

/// <summary>The NYSE session an instant falls in (see <see cref="NyseCalendar.SessionAt"/>).</summary>
public enum MarketSession : byte
{
    /// <summary>Weekends, full-day closures, and 20:00–04:00 ET (17:00–04:00 after an early close).</summary>
    Closed = 0,

    /// <summary>04:00–09:30 ET on a trading day.</summary>
    PreOpen = 1,

    /// <summary>09:30 ET to the close (16:00, or 13:00 on early-close days).</summary>
    Regular = 2,

    /// <summary>The close to 20:00 ET (13:00–17:00 on early-close days).</summary>
    PostClose = 3,
}
