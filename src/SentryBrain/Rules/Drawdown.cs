namespace SentryBrain.Rules;

/// <summary>
/// Halts new buys while equity is <c>MAX_DRAWDOWN_PCT</c> or more below its peak. The peak is the highest
/// equity seen (persisted, so a restart does not forget it — the reference reset it per process).
/// Exits are never blocked.
/// </summary>
public sealed class Drawdown(bool enabled, double maxDrawdownPct)
{
    public double PeakEquity { get; private set; }

    public double DrawdownPct { get; private set; }

    /// <summary>Updates with the current equity; returns true when buys must halt. Reports whether the peak moved.</summary>
    public bool Update(double equity, out bool peakMoved)
    {
        peakMoved = false;
        if (equity > PeakEquity)
        {
            PeakEquity = equity;
            peakMoved = true;
        }

        DrawdownPct = PeakEquity > 0 ? (PeakEquity - equity) / PeakEquity * 100 : 0;
        return Halted;
    }

    public bool Halted => enabled && DrawdownPct >= maxDrawdownPct;

    public void Restore(double peakEquity) => PeakEquity = Math.Max(PeakEquity, peakEquity);
}
