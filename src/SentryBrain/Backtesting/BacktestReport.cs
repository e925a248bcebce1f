using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SentryBrain.Backtesting;

/// <summary>A data file a run read, with its hash, so the manifest pins the exact input.</summary>
public sealed record DataFileInfo(string Symbol, string Source, string? Sha256, int Bars);

/// <summary>What the manifest records besides the result: enough to reproduce the run exactly.</summary>
public sealed record RunManifest(
    string CodeVersion,
    string CommandLine,
    DateTime CreatedUtc,
    double ElapsedSeconds,
    ulong Seed,
    IReadOnlyList<DataFileInfo> Data,
    IReadOnlyList<BarIssue> Issues,
    IReadOnlyList<KeyValuePair<string, string>> Config);

/// <summary>
/// Writes the text parts of a report: <c>summary.json</c> (deterministic: no time stamps, no elapsed time, fixed
/// key order, invariant shortest round-trip numbers, so the same run gives the same bytes), <c>summary.md</c>,
/// <c>trades.csv</c> (round trips), <c>fills.csv</c>, <c>equity.csv</c> and <c>manifest.json</c>.
/// </summary>
public static class BacktestReport
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public static void WriteAll(string directory, string strategy, BacktestOptions options, BacktestResult result, BacktestSummary summary, RunManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "summary.json"), SummaryJson(strategy, options, summary, result.RuleBlocks, result.News));
        File.WriteAllText(Path.Combine(directory, "summary.md"), SummaryMarkdown(strategy, options, summary, manifest, result.Screens, result.RuleBlocks, result.News));
        File.WriteAllText(Path.Combine(directory, "trades.csv"), TradesCsv(result.RoundTrips));
        File.WriteAllText(Path.Combine(directory, "fills.csv"), FillsCsv(result.Fills));
        File.WriteAllText(Path.Combine(directory, "equity.csv"), EquityCsv(result));
        File.WriteAllText(Path.Combine(directory, "manifest.json"), ManifestJson(strategy, options, manifest));
        if (result.Screens is { } screens)
        {
            File.WriteAllText(Path.Combine(directory, BacktestScreenReport.CsvFile), BacktestScreenReport.Csv(screens));
        }
    }

    /// <param name="ruleBlocks">Buys blocked per generated rule (<c>--rules</c>): adds the <c>rules</c> object.</param>
    /// <param name="news">The run's news counts (<c>--news</c>): with <see cref="BacktestOptions.News"/>, the <c>news</c> object.</param>
    public static string SummaryJson(string strategy, BacktestOptions options, BacktestSummary s, IReadOnlyList<RuleBlockCount>? ruleBlocks = null, BacktestNewsStats? news = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(s);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Indented))
        {
            w.WriteStartObject();
            w.WriteString("strategy", strategy);
            w.WriteNumber("start_equity", s.StartEquity);
            w.WriteNumber("end_equity", s.EndEquity);
            w.WriteNumber("total_return", s.TotalReturn);
            Number(w, "cagr", s.Cagr);
            Number(w, "sharpe", s.Sharpe);
            Number(w, "sortino", s.Sortino);
            w.WriteNumber("max_drawdown", s.MaxDrawdown);
            Date(w, "max_drawdown_peak", s.MaxDrawdownPeak);
            Date(w, "max_drawdown_trough", s.MaxDrawdownTrough);
            w.WriteNumber("trades", s.Trades);
            Number(w, "win_rate", s.WinRate);
            Number(w, "profit_factor", s.ProfitFactor);
            Number(w, "expectancy", s.Expectancy);
            Number(w, "average_win", s.AverageWin);
            Number(w, "average_loss", s.AverageLoss);
            w.WriteNumber("exposure", s.Exposure);
            w.WriteNumber("days_daily_cap_hit", s.DaysDailyCapHit);
            w.WriteNumber("days_loss_cap_hit", s.DaysLossCapHit);
            w.WriteNumber("days", s.Days);
            Date(w, "start", s.Start);
            Date(w, "end", s.End);
            w.WriteNumber("open_positions_at_end", s.OpenPositions);
            w.WriteNumber("fills", s.Fills);
            w.WriteStartObject("settings");
            w.WriteNumber("cash", options.Cash);
            w.WriteBoolean("fill_at_next_open", options.FillAtNextOpen);
            w.WriteNumber("slippage_bps", options.SlippageBps);
            w.WriteNumber("commission_per_trade", options.CommissionPerTrade);
            w.WriteEndObject();
            if (options.Screen is { } screen)
            {
                BacktestScreenReport.WriteJson(w, screen);
            }

            if (options.Rules is { } rules)
            {
                BacktestRulesReport.WriteJson(w, rules, ruleBlocks ?? []);
            }

            if (options.News is { } tape)
            {
                BacktestNewsReport.WriteJson(w, tape, news, options.Config.Sentiment);
            }

            w.WriteStartArray("symbols");
            foreach (var sym in s.Symbols)
            {
                w.WriteStartObject();
                w.WriteString("symbol", sym.Symbol);
                w.WriteNumber("trades", sym.Trades);
                w.WriteNumber("realized_pnl", sym.Pnl);
                w.WriteNumber("win_rate", sym.WinRate);
                w.WriteNumber("exposure", sym.Exposure);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <param name="screens">Each day's screen (<c>--screen</c>): adds the "Daily screen" section.</param>
    /// <param name="ruleBlocks">Buys blocked per generated rule (<c>--rules</c>): adds the "Generated rules" section.</param>
    /// <param name="news">The run's news counts (<c>--news</c>): with <see cref="BacktestOptions.News"/>, the "News" section.</param>
    public static string SummaryMarkdown(string strategy, BacktestOptions options, BacktestSummary s, RunManifest manifest, IReadOnlyList<ScreenDay>? screens = null, IReadOnlyList<RuleBlockCount>? ruleBlocks = null, BacktestNewsStats? news = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(manifest);
        var b = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        b.Append(c, $"# Backtest: {strategy}\n\n");
        b.Append(c, $"{s.Start:yyyy-MM-dd} → {s.End:yyyy-MM-dd}, {s.Days} days, symbols: {string.Join(", ", s.Symbols.Select(x => x.Symbol))}\n\n");
        b.Append(c, $"Fills at the {(options.FillAtNextOpen ? "next bar's open" : "decision bar's close (optimistic)")}, slippage {options.SlippageBps} bps, commission {options.CommissionPerTrade:0.00} per fill. Code {manifest.CodeVersion}.\n\n");
        b.Append("| metric | value |\n|---|---|\n");
        Row(b, "start equity", Money(s.StartEquity));
        Row(b, "end equity", Money(s.EndEquity));
        Row(b, "total return", Pct(s.TotalReturn));
        Row(b, "CAGR", Pct(s.Cagr));
        Row(b, "Sharpe (daily, ×√252)", Num(s.Sharpe));
        Row(b, "Sortino", Num(s.Sortino));
        Row(b, "max drawdown", string.Create(c, $"{Pct(s.MaxDrawdown)} (peak {s.MaxDrawdownPeak:yyyy-MM-dd}, trough {s.MaxDrawdownTrough:yyyy-MM-dd})"));
        Row(b, "trades (round trips)", s.Trades.ToString(c));
        Row(b, "win rate", Pct(s.WinRate));
        Row(b, "profit factor", Num(s.ProfitFactor));
        Row(b, "expectancy per trade", Money(s.Expectancy));
        Row(b, "average win / loss", $"{Money(s.AverageWin)} / {Money(s.AverageLoss)}");
        Row(b, "exposure", Pct(s.Exposure));
        Row(b, "days the daily cap was hit", string.Create(c, $"{s.DaysDailyCapHit} / {s.Days}"));
        Row(b, "days the daily loss cap was hit", string.Create(c, $"{s.DaysLossCapHit} / {s.Days}"));
        Row(b, "positions open at the end", s.OpenPositions.ToString(c));
        b.Append("\n## Per symbol\n\n| symbol | trades (closed) | realized P&L | win rate | exposure |\n|---|---:|---:|---:|---:|\n");
        foreach (var sym in s.Symbols)
        {
            b.Append(c, $"| {sym.Symbol} | {sym.Trades} | {Money(sym.Pnl)} | {Pct(sym.WinRate)} | {Pct(sym.Exposure)} |\n");
        }

        if (options.Screen is { } screen && screens is not null)
        {
            b.Append(BacktestScreenReport.Markdown(screen, screens));
        }

        if (options.Rules is { } rules)
        {
            b.Append(BacktestRulesReport.Markdown(rules, ruleBlocks ?? []));
        }

        if (options.News is { } tape)
        {
            b.Append(BacktestNewsReport.Markdown(tape, news, options.Config.Sentiment));
        }

        if (manifest.Issues.Count > 0)
        {
            b.Append(c, $"\n## Skipped input rows ({manifest.Issues.Count})\n\n");
            foreach (var issue in manifest.Issues.Take(50))
            {
                b.Append(c, $"- {issue}\n");
            }
        }

        b.Append("\nFiles: `summary.json`, `trades.csv` (round trips), `fills.csv`, `equity.csv`, `equity.png`, `drawdown.png`, `manifest.json`.\n");
        return b.ToString();
    }

    public static string TradesCsv(IEnumerable<RoundTrip> trips)
    {
        var b = new StringBuilder("symbol,entry_date,exit_date,qty,entry_price,exit_price,pnl,return_pct,exits,entry_reason,exit_reason\n");
        foreach (var t in trips)
        {
            b.Append(CultureInfo.InvariantCulture, $"{t.Symbol},{t.EntryDate:yyyy-MM-dd},{t.ExitDate:yyyy-MM-dd},{t.Qty},{R(t.EntryPrice)},{R(t.ExitPrice)},{R(t.Pnl)},{R(t.ReturnPct)},{t.Exits},{t.EntryReason},{t.ExitReason}\n");
        }

        return b.ToString();
    }

    public static string FillsCsv(IEnumerable<BacktestFill> fills)
    {
        var b = new StringBuilder("date,symbol,side,qty,price,commission,reason\n");
        foreach (var f in fills)
        {
            b.Append(CultureInfo.InvariantCulture, $"{f.Date:yyyy-MM-dd},{f.Symbol},{f.Side},{f.Qty},{R(f.Price)},{R(f.Commission)},{f.Reason}\n");
        }

        return b.ToString();
    }

    public static string EquityCsv(BacktestResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var drawdown = BacktestStatistics.Drawdowns(r.StartEquity, r.Equity);
        var b = new StringBuilder("date,equity,drawdown\n");
        for (var i = 0; i < r.Equity.Length; i++)
        {
            b.Append(CultureInfo.InvariantCulture, $"{r.Dates[i]:yyyy-MM-dd},{R(r.Equity[i])},{R(drawdown[i])}\n");
        }

        return b.ToString();
    }

    public static string ManifestJson(string strategy, BacktestOptions options, RunManifest m)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(m);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Indented))
        {
            w.WriteStartObject();
            w.WriteString("code_version", m.CodeVersion);
            w.WriteString("command_line", m.CommandLine);
            w.WriteString("created_utc", m.CreatedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            w.WriteNumber("elapsed_s", Math.Round(m.ElapsedSeconds, 3));
            w.WriteString("runtime", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
            w.WriteString("strategy", strategy);
            w.WriteNumber("seed", m.Seed);
            w.WriteNumber("cash", options.Cash);
            w.WriteNumber("trade_from_day", options.TradeFromDay);
            if (options.Strategy == BacktestStrategy.SmaCross)
            {
                var p = options.SmaCross ?? SmaCrossParameters.Default;
                w.WriteStartObject("sma_cross");
                w.WriteNumber("fast", p.Fast);
                w.WriteNumber("slow", p.Slow);
                w.WriteNumber("rsi_period", p.RsiPeriod);
                w.WriteNumber("rsi_max", p.RsiMax);
                w.WriteEndObject();
            }

            if (options.Rules is { } rules)
            {
                w.WriteStartObject("rules_file");
                w.WriteString("path", rules.Path);
                w.WriteString("sha256", rules.Sha256);
                w.WriteEndObject();
            }

            if (options.News is { } news)
            {
                BacktestNewsReport.WriteManifest(w, news);
            }

            w.WriteStartArray("data");
            foreach (var d in m.Data)
            {
                w.WriteStartObject();
                w.WriteString("symbol", d.Symbol);
                w.WriteString("source", d.Source);
                if (d.Sha256 is null)
                {
                    w.WriteNull("sha256");
                }
                else
                {
                    w.WriteString("sha256", d.Sha256);
                }

                w.WriteNumber("bars", d.Bars);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("skipped_rows");
            foreach (var issue in m.Issues)
            {
                w.WriteStringValue(issue.ToString());
            }

            w.WriteEndArray();
            w.WriteStartObject("config");
            foreach (var (key, value) in m.Config)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Row(StringBuilder b, string name, string value) => b.Append(CultureInfo.InvariantCulture, $"| {name} | {value} |\n");

    private static string Money(double? v) => v is { } x ? x.ToString("#,0.00", CultureInfo.InvariantCulture) : "n/a";

    private static string Pct(double? v) => v is { } x ? (x * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %" : "n/a";

    private static string Num(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Date(Utf8JsonWriter w, string name, DateOnly? value)
    {
        if (value is { } d)
        {
            w.WriteString(name, d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
