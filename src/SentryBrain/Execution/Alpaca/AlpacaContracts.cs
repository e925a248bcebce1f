namespace SentryBrain.Execution.Alpaca;

/// <summary>Priority of a request to Alpaca: under rate limiting, lower values go first.</summary>
public enum RequestPriority
{
    Cancel = 0,
    Submit = 1,
    Account = 2,
    Data = 3,
}

/// <summary>An order to submit (<c>POST /v2/orders</c>). Money and quantities are decimals (strings on the wire).</summary>
public sealed record AlpacaOrderRequest(
    string ClientOrderId,
    string Symbol,
    decimal Qty,
    string Side,
    string Type,
    string TimeInForce,
    decimal? LimitPrice = null,
    decimal? StopPrice = null,
    string? OrderClass = null,
    decimal? TakeProfitLimitPrice = null,
    decimal? StopLossStopPrice = null,
    decimal? StopLossLimitPrice = null,
    bool ExtendedHours = false);

/// <summary>Alpaca's Order object, the fields the brain uses.</summary>
public sealed record AlpacaOrder(
    string Id,
    string ClientOrderId,
    string Symbol,
    string Side,
    string Type,
    string TimeInForce,
    string Status,
    decimal? Qty,
    decimal FilledQty,
    decimal? FilledAvgPrice,
    decimal? LimitPrice,
    decimal? StopPrice,
    DateTime? CreatedAt,
    DateTime? UpdatedAt,
    DateTime? FilledAt);

/// <summary>An error answer from Alpaca (or the network). Never carries keys or secrets.</summary>
public sealed class AlpacaApiException(int? statusCode, int? code, string message, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>HTTP status, or null for a network failure or timeout (the outcome of a POST is then unknown).</summary>
    public int? StatusCode { get; } = statusCode;

    /// <summary>Alpaca's error code from the body (e.g. 40010001 duplicate client_order_id), when present.</summary>
    public int? Code { get; } = code;

    /// <summary>Seconds to wait from a 429's Retry-After header, when present.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The request may have reached Alpaca (timeout, dropped connection, 5xx): look the order up before resending.</summary>
    public bool OutcomeUnknown => StatusCode is null or >= 500;
}

/// <summary>The two order calls idempotent submission needs (implemented by the trading client).</summary>
public interface IAlpacaOrderApi
{
    Task<AlpacaOrder> SubmitOrderAsync(AlpacaOrderRequest request, CancellationToken cancellationToken);

    /// <summary><c>GET /v2/orders:by_client_order_id</c>; null when Alpaca has no such order (404).</summary>
    Task<AlpacaOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken);
}
