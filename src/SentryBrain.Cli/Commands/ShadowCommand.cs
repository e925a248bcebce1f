using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SentryBrain.Learning;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// `brain shadow report`: the ghost exit models against the live strategy, from the shadow book
/// (<c>SHADOW_DB_PATH</c>, written by consume): trades, win rate, total and average return, maximum drawdown, and the
/// promotion verdict of the daily check (<see cref="ShadowPromotion"/>). The file is opened read-only.
/// </summary>
internal static class ShadowCommand
{
    public static Command Create()
    {
        var db = new Option<string?>("--db") { Description = "shadow database (default SHADOW_DB_PATH)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of the table" };
        var report = new Command("report", "Ghost exit models vs live: trades, win rate, total/avg return, max drawdown, promotion verdict") { db, json };
        report.SetAction(parse => Usage.Run("shadow report", () => Report(parse.GetValue(db), parse.GetValue(json))));
        return new Command("shadow", "Shadow strategies: ghost exit models run beside the live strategy") { report };
    }

    private static int Report(string? dbOption, bool json)
    {
        var config = Startup.LoadConfig(out _);
        if (config is null)
        {
            return 2;
        }

        var path = dbOption ?? config.Learning.ShadowDbPath;
        Dictionary<string, List<ShadowTrade>> trades;
        try
        {
            using var store = ShadowStore.OpenReadOnly(path);
            if (store is null)
            {
                Console.Error.WriteLine($"brain shadow report: no shadow database at {path} (consume writes it while SHADOW_STRATEGY_ENABLED=true and the broker trades)");
                return 1;
            }

            var books = store.Books();
            if (books.Count == 0)
            {
                Console.Error.WriteLine($"brain shadow report: {path} holds no shadow book yet");
                return 1;
            }

            // The most recently written book: the brain that ran last (a file shared by brains or replays holds one each).
            store.View(books[0].Session);
            trades = store.LoadTrades();
            if (books.Count > 1)
            {
                Console.Error.WriteLine($"brain shadow report: {path} holds {books.Count} books (one per broker ledger); showing the one written last, at {books[0].WrittenWall}");
            }
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or FormatException)
        {
            Console.Error.WriteLine($"brain shadow report: shadow database {path} cannot be read: {Startup.OneLine(ex.Message)}");
            return 3;
        }

        // The configured models first (in order), then any other model the file holds (configured before).
        var models = ShadowModels.From(config.Learning.ShadowParameterSets).ToList();
        foreach (var name in trades.Keys.Order(StringComparer.Ordinal))
        {
            if (name != ShadowModels.Live && models.All(m => m.Name != name))
            {
                models.Add(new ShadowModel(name, double.NaN, double.NaN));
            }
        }

        var live = trades.GetValueOrDefault(ShadowModels.Live) ?? [];
        var rows = models.Select(m => (Model: m, Verdict: ShadowPromotion.Check(m.Name, trades.GetValueOrDefault(m.Name) ?? [], live))).ToList();
        var liveStats = ShadowStats.Of(live);
        Console.Out.Write(json ? Json(path, rows, liveStats) : Table(path, rows, liveStats));
        return 0;
    }

    private static string Table(string path, List<(ShadowModel Model, ShadowVerdict Verdict)> rows, ShadowStats live)
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.Append(c, $"Shadow book {path}: promotion needs ≥ {ShadowPromotion.MinTrades} ghost trades and a total return above live's over the same window").AppendLine();
        sb.Append(c, $"{"model",-12} {"stop%",6} {"tp%",6} {"trades",7} {"win%",6} {"total%",9} {"avg%",8} {"maxDD",8} {"live n",7} {"live%",9}  promote").AppendLine();
        foreach (var (model, v) in rows)
        {
            var g = v.Ghost;
            sb.Append(c, $"{model.Name,-12} {Pct(model.StopPct),6} {Pct(model.TakeProfitPct),6} {g.Trades,7} {g.WinRate * 100,6:0.0} {R(g.TotalReturnPct, 2),9:0.00} {R(g.AvgReturnPct, 3),8:0.000} {R(g.MaxDrawdownPct, 2),8:0.00} {v.Live.Trades,7} {R(v.Live.TotalReturnPct, 2),9:0.00}  {(v.Promote ? "yes" : "no")}").AppendLine();
        }

        sb.Append(c, $"{ShadowModels.Live,-12} {"",6} {"",6} {live.Trades,7} {live.WinRate * 100,6:0.0} {R(live.TotalReturnPct, 2),9:0.00} {R(live.AvgReturnPct, 3),8:0.000} {R(live.MaxDrawdownPct, 2),8:0.00}").AppendLine();
        return sb.ToString();
    }

    /// <summary>Rounded as printed, without a "-0.00" for a sum that is zero up to rounding.</summary>
    private static double R(double value, int digits) => Math.Round(value, digits) + 0.0;

    private static string Pct(double value) => double.IsNaN(value) ? "?" : value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Json(string path, List<(ShadowModel Model, ShadowVerdict Verdict)> rows, ShadowStats live)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("db", path);
            w.WriteNumber("min_trades", ShadowPromotion.MinTrades);
            w.WriteStartArray("models");
            foreach (var (model, v) in rows)
            {
                w.WriteStartObject();
                w.WriteString("model", model.Name);
                if (!double.IsNaN(model.StopPct))
                {
                    w.WriteNumber("stop_pct", model.StopPct);
                    w.WriteNumber("take_profit_pct", model.TakeProfitPct);
                }

                Stats(w, v.Ghost);
                w.WriteNumber("live_trades", v.Live.Trades);
                w.WriteNumber("live_return_pct", v.Live.TotalReturnPct);
                w.WriteBoolean("promote", v.Promote);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("live");
            Stats(w, live);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void Stats(Utf8JsonWriter w, ShadowStats s)
    {
        w.WriteNumber("trades", s.Trades);
        w.WriteNumber("win_rate", s.WinRate);
        w.WriteNumber("total_return_pct", s.TotalReturnPct);
        w.WriteNumber("avg_return_pct", s.AvgReturnPct);
        w.WriteNumber("max_drawdown_pct", s.MaxDrawdownPct);
    }
}
