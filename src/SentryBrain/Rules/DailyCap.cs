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
/// <remarks>
/// With a soft trailing band (<c>DAILY_CAP_SOFT_TRAILING_PCT</c> &gt; 0) reaching the target does not stop buys at
/// once: the day's best P&amp;L is tracked and buys stop when P&amp;L gives back the band from it (or falls back
/// below the target). The reference hard-coded 0.1 % and un-latched below its target; here the latch holds.
/// </remarks>
public sealed class DailyCap(bool enabled, double capPct, double lossCapPct, double softTrailingPct = 0)
{
    /// <summary>Best P&amp;L of the day once the target was reached (soft band only).</summary>
    public double? PeakPnlPct { get; private set; }

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
            PeakPnlPct = null;
        }

        PnlPct = Baseline > 0 ? (equity - Baseline) / Baseline * 100 : 0;
        if (State == DailyCapState.Open)
        {
            if (enabled && softTrailingPct > 0 && (PnlPct >= capPct || PeakPnlPct is not null))
            {
                PeakPnlPct = Math.Max(PeakPnlPct ?? PnlPct, PnlPct);
                if (PnlPct <= PeakPnlPct - softTrailingPct || PnlPct < capPct)
                {
                    State = DailyCapState.TargetReached;
                }
            }
            else if (enabled && softTrailingPct <= 0 && PnlPct >= capPct)
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
