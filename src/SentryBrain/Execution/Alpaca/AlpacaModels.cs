using System.Globalization;
using System.Text.Json.Serialization;

namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// <c>GET /v2/account</c>, the fields the brain uses. Money is decimal (strings on the wire). The PDT fields were
/// removed by Alpaca on 2026-07-06: they are read when present and never required.
/// </summary>
public sealed record AlpacaAccount(
    string Id,
    string? AccountNumber,
    string Status,
    string? Currency,
    decimal Cash,
    decimal Equity,
    decimal? LastEquity,
    decimal BuyingPower,
    decimal? RegtBuyingPower,
    decimal? NonMarginableBuyingPower,
    decimal? PortfolioValue,
    decimal? LongMarketValue,
    decimal? ShortMarketValue,
    decimal? InitialMargin,
    decimal? MaintenanceMargin,
    decimal? Multiplier,
    bool ShortingEnabled,
    bool TradingBlocked,
    bool TransfersBlocked,
    bool AccountBlocked,
    bool TradeSuspendedByUser,
    DateTime? CreatedAt,
    bool? PatternDayTrader = null,
    int? DaytradeCount = null,
    decimal? DaytradingBuyingPower = null);

/// <summary><c>GET /v2/positions</c> item. Qty is negative for shorts; plpc/change values are fractions (0.01 = 1%).</summary>
public sealed record AlpacaPosition(
    string AssetId,
    string Symbol,
    string? Exchange,
    string? AssetClass,
    decimal Qty,
    decimal? QtyAvailable,
    string Side,
    decimal AvgEntryPrice,
    decimal? MarketValue,
    decimal? CostBasis,
    decimal? UnrealizedPl,
    decimal? UnrealizedPlpc,
    decimal? UnrealizedIntradayPl,
    decimal? UnrealizedIntradayPlpc,
    decimal? CurrentPrice,
    decimal? LastdayPrice,
    decimal? ChangeToday);

/// <summary><c>GET /v2/clock</c>. Timestamps keep Alpaca's offset (ET).</summary>
public sealed record AlpacaClock(DateTimeOffset Timestamp, bool IsOpen, DateTimeOffset NextOpen, DateTimeOffset NextClose);

/// <summary><c>GET /v2/calendar</c> item. Times are ET: <c>open</c>/<c>close</c> "HH:mm", <c>session_*</c> "HHmm".</summary>
public sealed record AlpacaCalendarDay(
    DateOnly Date,
    string Open,
    string Close,
    string? SessionOpen = null,
    string? SessionClose = null,
    DateOnly? SettlementDate = null)
{
    /// <summary>Regular-session open, ET.</summary>
    [JsonIgnore]
    public TimeOnly OpenEt => ParseTime(Open);

    /// <summary>Regular-session close, ET (13:00 on half days).</summary>
    [JsonIgnore]
    public TimeOnly CloseEt => ParseTime(Close);

    private static TimeOnly ParseTime(string value) =>
        TimeOnly.ParseExact(value, value.Contains(':', StringComparison.Ordinal) ? "HH:mm" : "HHmm", CultureInfo.InvariantCulture);
}

/// <summary><c>GET /v2/assets/{symbol}</c>.</summary>
public sealed record AlpacaAsset(
    string Id,
    string Class,
    string Exchange,
    string Symbol,
    string? Name,
    string Status,
    bool Tradable,
    bool Marginable,
    bool Shortable,
    bool Fractionable,
    bool? EasyToBorrow = null,
    string? BorrowStatus = null,
    decimal? MarginRequirementLong = null,
    decimal? MarginRequirementShort = null,
    IReadOnlyList<string>? Attributes = null);

/// <summary>One item of <c>DELETE /v2/orders</c>' multi-status answer: the order id and the HTTP status of its cancel.</summary>
public sealed record AlpacaCancelResult(string Id, int Status);
