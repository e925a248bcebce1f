namespace SentryBrain.Rules;

public enum DailyCapState
{
    Open = 0,
    TargetReached = 1,
    LossCapReached = 2,
}

/// <summary>
/// Daily profit target and loss cap on equity. The baseline is the first equity seen on a New York trading
/// date. Once P&amp;L reaches <c>DAILY_CAP_PCT</c> (0.25 % as the reference README promises; its code used
/// 0.5 % and un-latched below it) or falls to −<c>DAILY_LOSS_CAP_PCT</c> (honoured as written; the reference
/// silently used 5 %), new buys stop for the rest of that date. Exits are never blocked.
/// </summary>
public sealed class DailyCap(bool enabled, double capPct, double lossCapPct)
{
    public DateOnly? Date { get; private set; }

    public double Baseline { get; private set; }

    public DailyCapState State { get; private set; }

    public double PnlPct { get; private set; }

    /// <summary>Updates with the equity at <paramref name="tradingDate"/>; returns the state that applies now.</summary>
    public DailyCapState Update(DateOnly tradingDate, double equity)
    {
        if (Date != tradingDate)
        {
            Date = tradingDate;
            Baseline = equity;
            State = DailyCapState.Open;
        }

        PnlPct = Baseline > 0 ? (equity - Baseline) / Baseline * 100 : 0;
        if (State == DailyCapState.Open)
        {
            if (enabled && PnlPct >= capPct)
            {
                State = DailyCapState.TargetReached;
            }
            else if (PnlPct <= -lossCapPct)
            {
                State = DailyCapState.LossCapReached;
            }
        }

        return State;
    }

    /// <summary>Restores a persisted baseline (restart mid-day).</summary>
    public void Restore(DateOnly date, double baseline, DailyCapState state)
    {
        Date = date;
        Baseline = baseline;
        State = state;
    }
}
