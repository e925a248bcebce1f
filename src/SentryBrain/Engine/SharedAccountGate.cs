using SentryBrain.Rules;

namespace SentryBrain.Engine;

/// <summary>
/// Account-wide rules shared by every brain on the account (Redis when scaled out): no buy once any brain halted
/// the account today (<c>account_halted: …</c>), and the day's buys stay within <paramref name="dailyBuyLimit"/>
/// (<c>account_daily_buy_limit</c>; 0 = no limit). A passing buy reserves its notional, so this gate comes last.
/// </summary>
public sealed class SharedAccountGate(ISharedAccountLimits limits, double dailyBuyLimit) : IPreTradeGate
{
    public string? Check(in PreTradeCheck check)
    {
        if (limits.HaltReason(check.TradingDate) is { } halt)
        {
            return "account_halted: " + halt;
        }

        var notional = check.Qty * check.Price;
        return dailyBuyLimit > 0 && !limits.TryReserveBuy(check.TradingDate, notional, dailyBuyLimit) ? "account_daily_buy_limit" : null;
    }
}
