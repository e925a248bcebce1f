using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SentryBrain.Execution.Alpaca;

/// <summary>Wire body of <c>POST /v2/orders</c>: money and quantities are written as decimal strings, nulls omitted.</summary>
internal sealed record AlpacaOrderRequestWire(
    string Symbol,
    decimal Qty,
    string Side,
    string Type,
    string TimeInForce,
    string ClientOrderId,
    decimal? LimitPrice,
    decimal? StopPrice,
    bool? ExtendedHours,
    string? OrderClass,
    AlpacaTakeProfitWire? TakeProfit,
    AlpacaStopLossWire? StopLoss)
{
    public static AlpacaOrderRequestWire From(AlpacaOrderRequest r)
    {
        var takeProfit = r.TakeProfitLimitPrice is { } tp ? new AlpacaTakeProfitWire(tp) : null;
        var stopLoss = r.StopLossStopPrice is { } sp ? new AlpacaStopLossWire(sp, r.StopLossLimitPrice) : null;
        return new AlpacaOrderRequestWire(
            r.Symbol,
            r.Qty,
            r.Side,
            r.Type,
            r.TimeInForce,
            r.ClientOrderId,
            r.LimitPrice,
            r.StopPrice,
            r.ExtendedHours ? true : null,
            r.OrderClass,
            takeProfit,
            stopLoss);
    }
}

internal sealed record AlpacaTakeProfitWire(decimal LimitPrice);

internal sealed record AlpacaStopLossWire(decimal StopPrice, decimal? LimitPrice);

/// <summary>Alpaca's error body <c>{"code":…,"message":…}</c>.</summary>
internal sealed record AlpacaErrorBody(
    [property: JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)] int? Code,
    string? Message);

/// <summary>Reads any RFC 3339 timestamp (offset or Z, up to nanoseconds) as a UTC <see cref="DateTime"/>.</summary>
internal sealed class UtcDateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonException("timestamp is null");
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime;
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(DateTime.SpecifyKind(value.ToUniversalTime(), DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture));
}

/// <summary>Reads RFC 3339 timestamps with up to nanosecond fractions, keeping the offset.</summary>
internal sealed class Rfc3339DateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonException("timestamp is null");
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("O", CultureInfo.InvariantCulture));
}

/// <summary>
/// Source-generated JSON for the Alpaca trading API: snake_case names, decimals read from strings and written as
/// strings, unknown members skipped, nulls not written.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    Converters = [typeof(UtcDateTimeConverter), typeof(Rfc3339DateTimeOffsetConverter)])]
[JsonSerializable(typeof(AlpacaOrderRequestWire))]
[JsonSerializable(typeof(AlpacaOrder))]
[JsonSerializable(typeof(List<AlpacaOrder>))]
[JsonSerializable(typeof(AlpacaErrorBody))]
[JsonSerializable(typeof(AlpacaAccount))]
[JsonSerializable(typeof(List<AlpacaPosition>))]
[JsonSerializable(typeof(AlpacaClock))]
[JsonSerializable(typeof(List<AlpacaCalendarDay>))]
[JsonSerializable(typeof(AlpacaAsset))]
[JsonSerializable(typeof(List<AlpacaAsset>))]
[JsonSerializable(typeof(List<AlpacaCancelResult>))]
[JsonSerializable(typeof(TradeUpdateWire))]
internal sealed partial class AlpacaJsonContext : JsonSerializerContext;
