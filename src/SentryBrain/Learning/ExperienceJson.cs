using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SentryBrain.Learning;

/// <summary>
/// One experience line to and from JSON. Writes snake_case fields, leaving out unknown values; reads this format and
/// the reference's (BEHAVIOR.md §6.1): its <c>unrealized_pl_pct_at_exit</c> (a decimal, 0.01 = 1 %) becomes
/// <see cref="ExperienceRecord.PnlPct"/> when there is no <c>pnl_pct</c>, and its <c>mean_reversion</c> regime reads
/// as <c>range</c>. Numbers sent as strings are accepted; a line that is not an entry or exit with a symbol and a time
/// is refused with the reason.
/// </summary>
public static class ExperienceJson
{
    public static string ToLine(ExperienceRecord r)
    {
        using var buffer = new MemoryStream(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("ts"u8, r.Ts.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            w.WriteString("action"u8, r.Action);
            w.WriteString("symbol"u8, r.Symbol);
            Str(w, "trade_id"u8, r.TradeId);
            Str(w, "client_order_id"u8, r.ClientOrderId);
            w.WriteNumber("price"u8, r.Price);
            w.WriteNumber("qty"u8, r.Qty);
            w.WriteString("reason"u8, r.Reason);
            Str(w, "setup"u8, r.Setup);
            Str(w, "source"u8, r.Source);
            Num(w, "z_score"u8, r.ZScore);
            Num(w, "rsi"u8, r.Rsi);
            Bool(w, "macd_above_zero"u8, r.MacdAboveZero);
            Num(w, "ofi"u8, r.Ofi);
            Num(w, "atr_pct"u8, r.AtrPct);
            Num(w, "atr_percentile"u8, r.AtrPercentile);
            Num(w, "technical_score"u8, r.TechnicalScore);
            Num(w, "prob_gain"u8, r.ProbGain);
            Bool(w, "structure_ok"u8, r.StructureOk);
            Str(w, "regime"u8, r.Regime);
            Num(w, "sentiment"u8, r.Sentiment);
            Num(w, "vwap_distance_pct"u8, r.VwapDistancePct);
            Str(w, "exit_reason"u8, r.ExitReason);
            Num(w, "pnl_pct"u8, r.PnlPct);
            Num(w, "realized_pl"u8, r.RealizedPl);
            if (r.EntryTs is { } entryTs)
            {
                w.WriteString("entry_ts"u8, entryTs.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            }

            Str(w, "entry_reason"u8, r.EntryReason);
            Num(w, "entry_price"u8, r.EntryPrice);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The record of <paramref name="line"/>, or null with <paramref name="error"/> saying why not.</summary>
    public static ExperienceRecord? Parse(string line, out string? error)
    {
        error = null;
        try
        {
            using var doc = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 8 });
            var e = doc.RootElement;
            if (e.ValueKind != JsonValueKind.Object)
            {
                error = "not a JSON object";
                return null;
            }

            var action = Text(e, "action")?.ToLowerInvariant();
            if (action is not ("entry" or "exit"))
            {
                error = "action is not entry or exit";
                return null;
            }

            var symbol = Text(e, "symbol");
            if (string.IsNullOrWhiteSpace(symbol))
            {
                error = "no symbol";
                return null;
            }

            if (Time(e, "ts") is not { } ts)
            {
                error = "no valid ts";
                return null;
            }

            var regime = Text(e, "regime")?.ToLowerInvariant();
            return new ExperienceRecord
            {
                Action = action,
                Symbol = symbol,
                Ts = ts,
                TradeId = Text(e, "trade_id"),
                ClientOrderId = Text(e, "client_order_id"),
                Price = Number(e, "price") ?? 0,
                Qty = (long)(Number(e, "qty") ?? 0),
                Reason = Text(e, "reason") ?? string.Empty,
                Setup = Text(e, "setup"),
                Source = Text(e, "source"),
                ZScore = Number(e, "z_score"),
                Rsi = Number(e, "rsi"),
                MacdAboveZero = Flag(e, "macd_above_zero"),
                Ofi = Number(e, "ofi"),
                AtrPct = Number(e, "atr_pct"),
                AtrPercentile = Number(e, "atr_percentile"),
                TechnicalScore = Number(e, "technical_score"),
                ProbGain = Number(e, "prob_gain"),
                StructureOk = Flag(e, "structure_ok"),
                Regime = regime == "mean_reversion" ? MarketRegime.Range : regime,
                Sentiment = Number(e, "sentiment"),
                VwapDistancePct = Number(e, "vwap_distance_pct"),
                ExitReason = Text(e, "exit_reason"),
                PnlPct = Number(e, "pnl_pct") ?? Number(e, "unrealized_pl_pct_at_exit") * 100,
                RealizedPl = Number(e, "realized_pl"),
                EntryTs = Time(e, "entry_ts"),
                EntryReason = Text(e, "entry_reason"),
                EntryPrice = Number(e, "entry_price"),
            };
        }
        catch (JsonException ex)
        {
            error = "not JSON: " + ex.Message;
            return null;
        }
    }

    private static void Str(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void Num(Utf8JsonWriter w, ReadOnlySpan<byte> name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
    }

    private static void Bool(Utf8JsonWriter w, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is { } v)
        {
            w.WriteBoolean(name, v);
        }
    }

    private static string? Text(JsonElement e, string name)
        => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static double? Number(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var p))
        {
            return null;
        }

        double value;
        if (p.ValueKind == JsonValueKind.Number)
        {
            value = p.GetDouble();
        }
        else if (p.ValueKind != JsonValueKind.String || !double.TryParse(p.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return null;
        }

        return double.IsFinite(value) ? value : null;
    }

    private static bool? Flag(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var p))
        {
            return null;
        }

        return p.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => p.GetDouble() != 0,
            _ => null,
        };
    }

    private static DateTime? Time(JsonElement e, string name)
    {
        var text = Text(e, name);
        return text is not null && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var ts)
            ? DateTime.SpecifyKind(ts, DateTimeKind.Utc)
            : null;
    }
}
