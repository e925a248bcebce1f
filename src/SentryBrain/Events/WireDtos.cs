using System.Text.Json;
using System.Text.Json.Serialization;

namespace SentryBrain.Events;

// Wire shapes of the less frequent event types, read with source-generated System.Text.Json.
// Numbers may arrive as strings (Alpaca decimals are strings); unknown fields are ignored.

internal sealed class NewsPayloadDto
{
    [JsonPropertyName("id")] public JsonElement Id { get; set; }
    [JsonPropertyName("headline")] public string? Headline { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("created_at")] public string? CreatedAt { get; set; }
    [JsonPropertyName("summary")] public string? Summary { get; set; }
    [JsonPropertyName("url")] public string? Url { get; set; }
    [JsonPropertyName("symbols")] public List<string?>? Symbols { get; set; }
    [JsonPropertyName("source")] public string? Source { get; set; }
}

internal sealed class VolatilityPayloadDto
{
    [JsonPropertyName("symbol")] public string? Symbol { get; set; }
    [JsonPropertyName("annualized_vol_30d")] public double? AnnualizedVol30d { get; set; }
}

internal sealed class PositionDto
{
    [JsonPropertyName("symbol")] public string? Symbol { get; set; }
    [JsonPropertyName("qty")] public double? Qty { get; set; }
    [JsonPropertyName("side")] public string? Side { get; set; }
    [JsonPropertyName("market_value")] public double? MarketValue { get; set; }
    [JsonPropertyName("cost_basis")] public double? CostBasis { get; set; }
    [JsonPropertyName("unrealized_pl")] public double? UnrealizedPl { get; set; }
    [JsonPropertyName("unrealized_plpc")] public double? UnrealizedPlpc { get; set; }
    [JsonPropertyName("current_price")] public double? CurrentPrice { get; set; }
}

internal sealed class PositionsPayloadDto
{
    [JsonPropertyName("positions")] public List<PositionDto?>? Positions { get; set; }
}

internal sealed class OrderDto
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("symbol")] public string? Symbol { get; set; }
    [JsonPropertyName("side")] public string? Side { get; set; }
    [JsonPropertyName("qty")] public double? Qty { get; set; }
    [JsonPropertyName("filled_qty")] public double? FilledQty { get; set; }
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("created_at")] public string? CreatedAt { get; set; }
}

internal sealed class OrdersPayloadDto
{
    [JsonPropertyName("orders")] public List<OrderDto?>? Orders { get; set; }
}

[JsonSourceGenerationOptions(
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(NewsPayloadDto))]
[JsonSerializable(typeof(VolatilityPayloadDto))]
[JsonSerializable(typeof(PositionsPayloadDto))]
[JsonSerializable(typeof(OrdersPayloadDto))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
