namespace SentryBrain.Events;

/// <summary>Session label as the Go engine sends it on the wire (`session` field). Distinct from
/// <see cref="SentryBrain.Market.MarketSession"/>, which is what the NYSE calendar says the session is.</summary>
public enum FeedSession : byte
{
    Regular = 0,
    PreOpen = 1,
    PostClose = 2,
}

/// <summary>One market event from the wire. <see cref="Ts"/> is the engine's send time in UTC ticks.</summary>
public abstract record MarketEvent(DateTime Ts);

public sealed record TradeEvent(
    DateTime Ts,
    string Symbol,
    double Price,
    long Size,
    long Volume1m,
    long Volume5m,
    double Return1m,
    double Return5m,
    FeedSession Session,
    double Volatility) : MarketEvent(Ts);

public sealed record QuoteEvent(
    DateTime Ts,
    string Symbol,
    double Bid,
    double Ask,
    long BidSize,
    long AskSize,
    double Mid,
    long Volume1m,
    long Volume5m,
    double Return1m,
    double Return5m,
    FeedSession Session,
    double Volatility) : MarketEvent(Ts);

public sealed record NewsEvent(
    DateTime Ts,
    string Id,
    string Headline,
    string Summary,
    string Author,
    string Source,
    string Url,
    DateTime? CreatedAt,
    IReadOnlyList<string> Symbols) : MarketEvent(Ts);

public sealed record VolatilityEvent(DateTime Ts, string Symbol, double AnnualizedVol30d) : MarketEvent(Ts);

public sealed record FeedPosition(
    string Symbol,
    double Qty,
    string Side,
    double MarketValue,
    double CostBasis,
    double UnrealizedPl,
    double UnrealizedPlpc,
    double CurrentPrice);

public sealed record PositionsEvent(DateTime Ts, IReadOnlyList<FeedPosition> Positions) : MarketEvent(Ts);

public sealed record FeedOrder(
    string Id,
    string Symbol,
    string Side,
    double Qty,
    double FilledQty,
    string Type,
    string Status,
    DateTime? CreatedAt);

public sealed record OrdersEvent(DateTime Ts, IReadOnlyList<FeedOrder> Orders) : MarketEvent(Ts);

/// <summary>A type the parser does not know: counted and skipped.</summary>
public sealed record UnknownEvent(DateTime Ts, string Type) : MarketEvent(Ts);
