using System.Text.Json;

namespace SentryBrain.Screening;

/// <summary>The <c>--json</c> form of a screen: parameters, the selected list and every scored symbol in rank order, then the ones not scored and the failures.</summary>
public static class ScreenReportJson
{
    public static void Write(ScreenReport report, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("run_at", report.RunAtUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("as_of", report.AsOf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("universe", report.Universe);
        w.WriteNumber("universe_size", report.UniverseSize);
        w.WriteString("criteria", report.Criteria.Describe());
        w.WriteNumber("top", report.TopN);
        w.WriteBoolean("fallback", report.Fallback);
        w.WriteStartArray("selected");
        foreach (var s in report.Selected)
        {
            w.WriteStringValue(s.Symbol);
        }

        w.WriteEndArray();
        w.WriteStartArray("ranked");
        var rank = 0;
        foreach (var s in report.Ranked)
        {
            WriteScore(w, s, ++rank);
        }

        w.WriteEndArray();
        w.WriteStartArray("not_scored");
        foreach (var s in report.NotScored)
        {
            WriteScore(w, s, null);
        }

        w.WriteEndArray();
        w.WriteStartArray("failed");
        foreach (var f in report.Failed)
        {
            w.WriteStartObject();
            w.WriteStartArray("symbols");
            foreach (var symbol in f.Symbols)
            {
                w.WriteStringValue(symbol);
            }

            w.WriteEndArray();
            w.WriteString("error", f.Error);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("chunk_requests", report.ChunkRequests);
        w.WriteNumber("elapsed_s", Math.Round(report.Elapsed.TotalSeconds, 3));
        w.WriteEndObject();
    }

    private static void WriteScore(Utf8JsonWriter w, ScreenScore s, int? rank)
    {
        w.WriteStartObject();
        if (rank is { } r)
        {
            w.WriteNumber("rank", r);
        }

        w.WriteString("symbol", s.Symbol);
        w.WriteString("status", s.Status switch
        {
            ScreenStatus.Qualified => "qualified",
            ScreenStatus.NotQualified => "not_qualified",
            ScreenStatus.Filtered => "filtered",
            _ => "too_little_history",
        });
        w.WriteNumber("score", Math.Round(s.Score, 6));
        Number(w, "z", s.Z);
        Number(w, "volume_ratio", s.VolumeRatio);
        Number(w, "avg_volume", s.AverageVolume);
        Number(w, "last_close", s.LastClose);
        w.WriteNumber("bars", s.Bars);
        w.WriteString("reason", s.Reason);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, Math.Round(v, 6));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
