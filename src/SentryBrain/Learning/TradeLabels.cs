namespace SentryBrain.Learning;

/// <summary>
/// Whether an exit was a success (BEHAVIOR.md §6.2), in this order: <c>take_profit</c> or <c>scale_out</c> in the
/// reason ⇒ success; <c>stop_loss</c> in the reason, or P&amp;L ≤ −1 % ⇒ failure; P&amp;L ≥ 2 % ⇒ success; anything
/// else (small P&amp;L, unknown P&amp;L) ⇒ failure. The reason is the exit's decision reason and its exit reason.
/// </summary>
public static class TradeLabels
{
    public const double FailureAtOrBelowPct = -1;
    public const double SuccessAtOrAbovePct = 2;

    public static bool IsSuccess(ExperienceRecord exit)
    {
        ArgumentNullException.ThrowIfNull(exit);
        if (Has(exit, "take_profit") || Has(exit, "scale_out"))
        {
            return true;
        }

        if (Has(exit, "stop_loss") || exit.PnlPct is <= FailureAtOrBelowPct)
        {
            return false;
        }

        return exit.PnlPct is >= SuccessAtOrAbovePct;
    }

    private static bool Has(ExperienceRecord r, string word)
        => r.Reason.Contains(word, StringComparison.OrdinalIgnoreCase) || (r.ExitReason?.Contains(word, StringComparison.OrdinalIgnoreCase) ?? false);
}
