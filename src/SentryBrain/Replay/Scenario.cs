using System.Text.Json;
using SentryBrain.Events;

namespace SentryBrain.Replay;

/// <summary>
/// The built-in end-to-end scenario of <c>brain replay</c> and <c>brain demo</c>: one hour of a regular
/// session (2026-03-02, 09:25–10:30 ET) for three symbols, in the engine's wire format.
/// ACME rallies on an earnings beat (buy, then take profit); BOLT pops on an upgrade and then fades
/// (buy, then stop loss); CRUX rises after a fraud headline (kill switch: no buy). Deterministic.
/// </summary>
public static class Scenario
{
    public static readonly DateTime Start = new(2026, 3, 2, 14, 25, 0, DateTimeKind.Utc); // 09:25 ET
    private const int Seconds = 65 * 60;
    private const int StepSeconds = 2;

    private sealed record Path(string Symbol, double Base, double Vol, (int Minute, double SlopePctPerMin)[] Legs);

    private static readonly Path[] Paths =
    [
        new("ACME", 100.00, 0.00004, [(0, 0), (15, 0.10), (45, 0)]),
        new("BOLT", 50.00, 0.00004, [(0, 0), (20, 0.12), (33, -0.15), (60, 0)]),
        new("CRUX", 20.00, 0.00004, [(0, 0), (18, 0.10), (50, 0)]),
    ];

    private static readonly (int Second, string Symbol, string Headline, string Summary)[] Headlines =
    [
        (22 * 60, "ACME", "Acme beats estimates and raises full-year guidance", "Acme reported record revenue, strong margins and a higher outlook; analysts praised the excellent quarter."),
        (25 * 60, "CRUX", "Crux shares plunge after SEC fraud probe and accounting scandal", "Regulators opened a fraud investigation; the company faces lawsuits, losses and a terrible downgrade."),
        (27 * 60, "BOLT", "Bolt upgraded to buy as demand surges", "Analysts see strong growth and great momentum after a successful product launch."),
    ];

    public static void Write(Stream output)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var history = Paths.Select(_ => new List<double>()).ToArray();
        var volumes = Paths.Select(_ => new Queue<(int Second, long Size)>()).ToArray();
        var rng = new ulong[] { 0x9E3779B97F4A7C15UL };

        foreach (var p in Paths)
        {
            Envelope(writer, output, "volatility", Start, w =>
            {
                w.WriteNumber("annualized_vol_30d", 0.28);
                w.WriteString("symbol", p.Symbol);
                WriteTs(w, Start);
            });
        }

        var headline = 0;
        for (var second = 0; second <= Seconds; second += StepSeconds)
        {
            var now = Start.AddSeconds(second);
            var session = NewYorkSession(now);
            for (var i = 0; i < Paths.Length; i++)
            {
                var p = Paths[i];
                var price = Math.Round(PriceAt(p, second) * (1 + (p.Vol * Noise(rng))), 2);
                history[i].Add(price);
                var size = 50 + (long)(Next(rng) % 200);
                volumes[i].Enqueue((second, size));
                while (volumes[i].Peek().Second <= second - 300)
                {
                    volumes[i].Dequeue();
                }

                var vol1m = volumes[i].Where(v => v.Second > second - 60).Sum(v => v.Size);
                var vol5m = volumes[i].Sum(v => v.Size);
                var r1 = Return(history[i], 60 / StepSeconds);
                var r5 = Return(history[i], 300 / StepSeconds);
                var spread = Math.Max(0.01, Math.Round(price * 0.0002, 2));
                var bid = Math.Round(price - (spread / 2), 2);
                var ask = Math.Round(bid + spread, 2);
                var quoteTs = now.AddMilliseconds(250 + (i * 10));
                Envelope(writer, output, "quote", quoteTs, w =>
                {
                    w.WriteNumber("ask", ask);
                    w.WriteNumber("ask_size", 3 + (i * 2));
                    w.WriteNumber("bid", bid);
                    w.WriteNumber("bid_size", 4 + i);
                    w.WriteNumber("mid", Math.Round((bid + ask) / 2, 4));
                    w.WriteNumber("return_1m", Math.Round(r1, 6));
                    w.WriteNumber("return_5m", Math.Round(r5, 6));
                    w.WriteString("session", session);
                    w.WriteString("symbol", p.Symbol);
                    WriteTs(w, quoteTs);
                    w.WriteNumber("volatility", 0.28);
                    w.WriteNumber("volume_1m", vol1m);
                    w.WriteNumber("volume_5m", vol5m);
                });
                var tradeTs = now.AddMilliseconds(750 + (i * 10));
                Envelope(writer, output, "trade", tradeTs, w =>
                {
                    w.WriteNumber("price", price);
                    w.WriteNumber("return_1m", Math.Round(r1, 6));
                    w.WriteNumber("return_5m", Math.Round(r5, 6));
                    w.WriteString("session", session);
                    w.WriteNumber("size", size);
                    w.WriteString("symbol", p.Symbol);
                    WriteTs(w, tradeTs);
                    w.WriteNumber("volatility", 0.28);
                    w.WriteNumber("volume_1m", vol1m);
                    w.WriteNumber("volume_5m", vol5m);
                });
            }

            while (headline < Headlines.Length && Headlines[headline].Second <= second)
            {
                var h = Headlines[headline++];
                var newsTs = now.AddMilliseconds(900);
                Envelope(writer, output, "news", newsTs, w =>
                {
                    w.WriteString("author", "Replay Desk");
                    w.WriteString("created_at", Rfc3339.Format(now));
                    w.WriteString("headline", h.Headline);
                    w.WriteNumber("id", 41877100 + headline);
                    w.WriteString("source", "replay_e2e");
                    w.WriteString("summary", h.Summary);
                    w.WriteStartArray("symbols");
                    w.WriteStringValue(h.Symbol);
                    w.WriteEndArray();
                    WriteTs(w, newsTs);
                    w.WriteString("updated_at", string.Empty);
                    w.WriteString("url", "https://example.test/news/" + h.Symbol.ToLowerInvariant());
                });
            }

            if (second % 60 == 0)
            {
                var posTs = now.AddMilliseconds(950);
                Envelope(writer, output, "positions", posTs, w =>
                {
                    w.WriteStartArray("positions");
                    w.WriteEndArray();
                });
                Envelope(writer, output, "orders", posTs, w =>
                {
                    w.WriteStartArray("orders");
                    w.WriteEndArray();
                });
            }
        }
    }

    private static double PriceAt(Path p, int second)
    {
        var minute = second / 60.0;
        var price = p.Base;
        for (var i = 0; i < p.Legs.Length; i++)
        {
            var (start, slope) = p.Legs[i];
            var end = i + 1 < p.Legs.Length ? p.Legs[i + 1].Minute : double.MaxValue;
            if (minute <= start)
            {
                break;
            }

            price *= Math.Pow(1 + (slope / 100), Math.Min(minute, end) - start);
        }

        return price;
    }

    private static double Return(List<double> history, int back)
    {
        if (history.Count <= back)
        {
            return 0;
        }

        var past = history[^(back + 1)];
        return past > 0 ? (history[^1] - past) / past : 0;
    }

    private static string NewYorkSession(DateTime utc)
    {
        var t = Market.NewYorkTime.WallTime(utc);
        return t < Market.NewYorkTime.RegularOpen ? "pre_open" : t >= Market.NewYorkTime.RegularClose ? "post_close" : "regular";
    }

    private static void Envelope(Utf8JsonWriter w, Stream output, string type, DateTime ts, Action<Utf8JsonWriter> payload)
    {
        w.WriteStartObject();
        w.WritePropertyName("payload");
        w.WriteStartObject();
        payload(w);
        w.WriteEndObject();
        w.WriteString("ts", Rfc3339.Format(ts));
        w.WriteString("type", type);
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n');
        w.Reset(output);
    }

    private static void WriteTs(Utf8JsonWriter w, DateTime ts) => w.WriteString("ts", Rfc3339.Format(ts));

    private static ulong Next(ulong[] state)
    {
        // SplitMix64: tiny, fast, and the same on every machine.
        var z = state[0] += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static double Noise(ulong[] state) => ((Next(state) >> 11) * (1.0 / (1UL << 53)) * 2) - 1;
}
