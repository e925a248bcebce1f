using System.Globalization;
using SentryBrain.Config;
using SentryBrain.Rules;

namespace SentryBrain.Execution;

/// <summary>Pure sizing and order-shaping rules.</summary>
public static class OrderPlanning
{
    /// <summary>
    /// Shares to buy (BEHAVIOR §2 step 5): target = equity·size%; existing = held·price;
    /// remaining = min(max(0, target − existing), max(0, equity·max% − existing)); qty = floor(remaining/price),
    /// capped at <paramref name="maxQty"/>. Returns 0 when less than one share fits (the reference forced 1).
    /// </summary>
    public static long BuyQty(double equity, double price, long heldQty, double positionSizePct, double maxPositionPct, int maxQty)
    {
        if (equity <= 0 || price <= 0)
        {
            return 0;
        }

        var existing = Math.Max(0, heldQty) * price;
        var remaining = Math.Min(Math.Max(0, (equity * positionSizePct) - existing), Math.Max(0, (equity * maxPositionPct) - existing));
        var qty = (long)Math.Floor(remaining / price);
        return Math.Min(qty, maxQty);
    }

    /// <summary>
    /// Shares to buy, as the live consumer and the backtester size them: <see cref="BuyQty"/> (POSITION_SIZE_PCT,
    /// MAX_POSITION_PCT, STRATEGY_MAX_QTY), or RISK_PCT_PER_TRADE of equity over the ATR stop distance when set and
    /// ATR is known (still capped by MAX_POSITION_PCT); then scaled by the Kelly fraction of recent round trips
    /// (KELLY_SIZING_ENABLED; no edge, no trade), by CORRELATION_SIZE_REDUCTION when correlated with a holding, and
    /// by SPY_BELOW_200MA_LONG_SIZE_MULTIPLIER below SPY's 200-day SMA; each step rounds down to whole shares.
    /// </summary>
    public static long SizedBuyQty(
        BrainConfig config,
        double equity,
        double price,
        long heldQty,
        double? atr,
        IReadOnlyList<double> roundTripReturnsPct,
        bool correlatedWithHolding,
        bool spyBelow200ma)
    {
        ArgumentNullException.ThrowIfNull(config);
        var qty = BuyQty(equity, price, heldQty, config.PositionSizePct, config.MaxPositionPct, config.StrategyMaxQty);
        if (config.RiskPctPerTrade > 0 && atr is { } a && a > 0)
        {
            var riskQty = (long)Math.Floor(equity * config.RiskPctPerTrade / 100 / (a * config.AtrStopMultiple));
            var capQty = BuyQty(equity, price, heldQty, config.MaxPositionPct, config.MaxPositionPct, config.StrategyMaxQty);
            qty = Math.Min(riskQty, capQty);
        }

        if (config.RiskPctPerTrade > 0 && config.KellySizingEnabled
            && SizingAdjustments.KellyFraction(roundTripReturnsPct, config.KellyLookbackTrades, config.KellyFractionCap) is { } kelly)
        {
            qty = (long)Math.Floor(qty * kelly);
        }

        if (correlatedWithHolding && config.CorrelationCheckEnabled)
        {
            qty = (long)Math.Floor(qty * config.CorrelationSizeReduction);
        }

        if (spyBelow200ma && config.Spy200maRegimeEnabled)
        {
            qty = (long)Math.Floor(qty * config.SpyBelow200maLongSizeMultiplier);
        }

        return qty;
    }

    /// <summary>Whole shares that <paramref name="cash"/> pays for at <paramref name="price"/> (no margin in paper trading).</summary>
    public static long AffordableQty(double cash, double price) => cash > 0 && price > 0 ? (long)Math.Floor(cash / price) : 0;

    /// <summary>A buy limit just through the ask (marketable, bounded slippage), rounded up to the tick.</summary>
    public static double MarketableBuyLimit(double ask, double offsetBps)
    {
        // Decimal arithmetic: quotes are decimal prices, and binary rounding must never add a tick.
        var exact = (decimal)ask * (1m + ((decimal)offsetBps / 10_000m));
        var tick = ask >= 1 ? 0.01m : 0.0001m;
        return (double)(Math.Ceiling(exact / tick) * tick);
    }

    /// <summary>
    /// Deterministic client_order_id: the same decision (event time, symbol, side) always maps to the same id,
    /// so a replayed or redelivered event can never place a second order. ≤ 128 characters as Alpaca requires.
    /// </summary>
    public static string ClientOrderId(DateTime eventTs, string symbol, OrderSide side)
        => string.Create(CultureInfo.InvariantCulture, $"sb-{eventTs:yyyyMMddTHHmmssfffffff}-{symbol}-{(side == OrderSide.Buy ? 'b' : 's')}");

    /// <summary>
    /// The id of the next attempt of a re-sent exit: <c>…-r1</c>, <c>…-r2</c>, …; deterministic, so a replay re-sends
    /// under the same id and the broker's idempotency still holds.
    /// </summary>
    public static string RepriceClientOrderId(string previous)
    {
        var mark = previous.LastIndexOf("-r", StringComparison.Ordinal);
        if (mark > 0 && int.TryParse(previous.AsSpan(mark + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var attempt))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{previous[..mark]}-r{attempt + 1}");
        }

        return previous + "-r1";
    }

    /// <summary>The id of the first attempt of a re-sent exit (<see cref="RepriceClientOrderId"/>: <c>…-rN</c>), or null for a first attempt.</summary>
    public static string? FirstAttemptId(string clientOrderId)
    {
        var mark = clientOrderId.LastIndexOf("-r", StringComparison.Ordinal);
        return mark > 0 && mark + 2 < clientOrderId.Length && clientOrderId.AsSpan(mark + 2).IndexOfAnyExceptInRange('0', '9') < 0
            ? clientOrderId[..mark]
            : null;
    }
}
