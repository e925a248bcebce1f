using SentryBrain.Signals.Technical;
using SentryBrain.Strategy;

namespace SentryBrain.Learning;

/// <summary>
/// The market snapshot's fields the strategies do not compute themselves (BEHAVIOR.md §6.1): whether the daily MACD
/// line is above zero, the regime, and the setup key (<c>entry reason|regime=…</c>) that conviction sizing and the
/// optimizer group trades by. Added to buys and sells only (live and in the backtest, the same code), so holds cost
/// nothing; a sell keeps its own reason in the setup, the experience buffer links it to its entry's setup.
/// </summary>
public static class LearningSignals
{
    /// <summary>Daily closes the regime and MACD look at (MACD 12/26 needs 26; more lets its EMAs settle).</summary>
    public const int Closes = 60;

    public static Decision Enrich(in Decision decision, IMarketFeatures market)
    {
        if (decision.Action == TradeAction.Hold)
        {
            return decision;
        }

        var closes = market.DailyCloses(Closes);
        var price = decision.Signals.Price > 0 ? decision.Signals.Price : market.EntryPrice;
        var regime = MarketRegime.Classify(closes, price, decision.Signals.AtrPercentile ?? market.AtrPercentile);
        var macd = MacdAboveZero(closes);
        return decision with
        {
            Signals = decision.Signals with
            {
                MacdAboveZero = macd,
                Regime = regime,
                Setup = SetupKey(decision.Reason, regime),
            },
        };
    }

    /// <summary><c>reason|regime=trend</c>; the regime is <c>unknown</c> while there is too little history.</summary>
    public static string SetupKey(string reason, string? regime) => reason + "|regime=" + (regime ?? "unknown");

    /// <summary>MACD(12, 26) line of the daily closes above zero; null with fewer than 26 closes.</summary>
    public static bool? MacdAboveZero(ReadOnlySpan<double> closes)
    {
        if (closes.Length < 26)
        {
            return null;
        }

        var macd = new Macd();
        foreach (var close in closes)
        {
            macd.Add(close);
        }

        return macd.Value?.Macd is { } line ? line > 0 : null;
    }
}

/// <summary>
/// The reference backtester's regime (BEHAVIOR.md §3.7), which it computed and never used: SMA20 of the daily closes and
/// the momentum m = (c₋₁ − c₋₅) / c₋₅; <c>trend</c> when the price is above the SMA and m &gt; 0.5 %; <c>range</c>
/// (the reference's mean_reversion) when the ATR percentile is ≥ 70 or the price is within 2 % of the SMA with |m| &lt; 1 %;
/// else <c>neutral</c>. Null with fewer than 20 closes.
/// </summary>
public static class MarketRegime
{
    public const string Trend = "trend";
    public const string Range = "range";
    public const string Neutral = "neutral";

    public static string? Classify(ReadOnlySpan<double> closes, double price, double? atrPercentile)
    {
        if (closes.Length < 20 || !(price > 0))
        {
            return null;
        }

        var sma = 0.0;
        foreach (var close in closes[^20..])
        {
            sma += close;
        }

        sma /= 20;
        var last = closes[^1];
        var fifth = closes[^5];
        if (!(sma > 0) || !(fifth > 0))
        {
            return null;
        }

        var momentum = (last - fifth) / fifth;
        if (price > sma && momentum > 0.005)
        {
            return Trend;
        }

        return atrPercentile >= 70 || (Math.Abs(price - sma) / sma < 0.02 && Math.Abs(momentum) < 0.01) ? Range : Neutral;
    }
}
