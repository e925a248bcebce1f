using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Execution.Paper;
using SentryBrain.Journal;
using SentryBrain.Market.Bars;

namespace SentryBrain.Tests.Engine;

/// <summary>One input event of a hand-built stream: its event time and its NDJSON line.</summary>
internal readonly record struct StreamEvent(DateTime Ts, string Json);

/// <summary>
/// Builders for the Green Light end-to-end tests: hand-made NDJSON streams (quotes and trades in the regular session
/// of NYSE trading days), in-memory daily bars for the indicator warm-up, configurations and a runner that feeds a
/// stream through <see cref="BrainEngine"/> and parses the journal.
/// <para>
/// Every date used is in US Eastern <b>standard</b> time (before the second Sunday of March), so New York time is
/// UTC − 5 h throughout and the expected times below can be read directly.
/// </para>
/// </summary>
internal static class GreenLightStreams
{
    /// <summary>Monday 2026-03-02, a full NYSE trading day (EST).</summary>
    public static readonly DateOnly Day = new(2026, 3, 2);

    private static readonly TimeSpan EstOffset = TimeSpan.FromHours(5);

    /// <summary>UTC instant of a New York (EST) wall-clock time on <paramref name="date"/>.</summary>
    public static DateTime Et(DateOnly date, int hour, int minute, int second = 0)
        => DateTime.SpecifyKind(date.ToDateTime(new TimeOnly(hour, minute, second)) + EstOffset, DateTimeKind.Utc);

    /// <summary>UTC instant of a New York (EST) wall-clock time on <see cref="Day"/>.</summary>
    public static DateTime Et(int hour, int minute, int second = 0) => Et(Day, hour, minute, second);

    // ---- events ---------------------------------------------------------------------------------------

    /// <summary>A quote; r1m = r5m = 0 and volatility 0.3 give prob_gain = 0.6·0.5 + 0.4·0.5 = 0.5 (≥ 0.12).</summary>
    public static StreamEvent Quote(DateTime ts, string symbol, double bid, double ask, double r1m = 0, double r5m = 0, string session = "regular")
        => new(ts, string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"type":"quote","ts":"{{{Rfc3339.Format(ts)}}}","payload":{"symbol":"{{{symbol}}}","bid":{{{bid}}},"ask":{{{ask}}},"bid_size":5,"ask_size":5,"volume_1m":1000,"volume_5m":5000,"return_1m":{{{r1m}}},"return_5m":{{{r5m}}},"session":"{{{session}}}","volatility":0.3}}"""));

    /// <summary>A trade of 100 shares (trades build the 1-minute bars, hence the session VWAP and the technical score).</summary>
    public static StreamEvent Trade(DateTime ts, string symbol, double price, long size = 100, string session = "regular")
        => new(ts, string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"type":"trade","ts":"{{{Rfc3339.Format(ts)}}}","payload":{"symbol":"{{{symbol}}}","price":{{{price}}},"size":{{{size}}},"volume_1m":1000,"volume_5m":5000,"return_1m":0,"return_5m":0,"session":"{{{session}}}","volatility":0.3}}"""));

    /// <summary>A headline about <paramref name="symbol"/>.</summary>
    public static StreamEvent News(DateTime ts, string symbol, string headline, string summary)
        => new(ts, string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"type":"news","ts":"{{{Rfc3339.Format(ts)}}}","payload":{"id":41877001,"headline":"{{{headline}}}","author":"Desk","created_at":"{{{Rfc3339.Format(ts)}}}","updated_at":"","summary":"{{{summary}}}","url":"https://example.test/n","symbols":["{{{symbol}}}"],"source":"test"}}"""));

    /// <summary>
    /// The intraday warm-up: one trade at <paramref name="price"/> at second <paramref name="second"/> of each of the
    /// <paramref name="minutes"/> minutes from <paramref name="fromHour"/>:<paramref name="fromMinute"/> ET. Each minute
    /// makes one bar O = H = L = C = price, volume 100, so the session VWAP (Σ typical·v / Σ v) is exactly
    /// <paramref name="price"/>. With 15 minutes the 15th bar closes at the symbol's first event of the next minute: only
    /// then is the technical score known (≥ 15 bars; RSI of a flat series is 50 ⇒ RSI score 0 ⇒ technical 0 ≥ −0.35),
    /// so no entry can happen before that event (hold <c>green_light_pattern</c>, detail <c>technical_unknown</c>).
    /// </summary>
    public static IEnumerable<StreamEvent> SessionTrades(DateOnly date, string symbol, double price, int fromHour, int fromMinute, int minutes = 15, int second = 30)
    {
        var start = Et(date, fromHour, fromMinute, second);
        for (var i = 0; i < minutes; i++)
        {
            yield return Trade(start.AddMinutes(i), symbol, price);
        }
    }

    /// <summary>ACME's standard warm-up on <see cref="Day"/>: trades at 100.00 from 09:30:30 to 09:44:30 ET (VWAP = 100.00).</summary>
    public static IEnumerable<StreamEvent> AcmeOpen(DateOnly? date = null) => SessionTrades(date ?? Day, "ACME", 100.00, 9, 30);

    /// <summary>The events ordered by time (stable for equal times), as lines.</summary>
    public static string[] Lines(params IEnumerable<StreamEvent>[] parts)
        => [.. parts.SelectMany(p => p).OrderBy(e => e.Ts).Select(e => e.Json)];

    // ---- daily bars -----------------------------------------------------------------------------------

    /// <summary>
    /// 30 daily bars on the weekdays before <paramref name="before"/>, closes alternating 100.50 / 100.00 and ending
    /// at 100.00, high = close + 0.75, low = close − 0.75. By hand:
    /// <list type="bullet">
    /// <item>every true range is max(1.5, |H − Cprev|, |L − Cprev|) = max(1.5, 1.25, 0.25) = 1.5, so ATR(20) = 1.5 and
    /// the ATR stop is 2 × 1.5 / price = 300/price % (3.00 % at 100), the R-multiple target 1.2 × that = 360/price %;</item>
    /// <item>the last 20 daily returns are ten of +0.5 % and ten of 100/100.5 − 1 = −0.497512 %: mean μ = +0.0000124378,
    /// population σ = (0.005 + 0.00497512)/2 = 0.00498756; Z(p) = (p/100 − 1 − μ)/σ: Z(100.00) = −0.0025,
    /// Z(99.50) = −1.0050, Z(99.00) = −2.0075, Z(98.50) = −3.0100;</item>
    /// <item>30 closes &lt; the 50 of the structure EMA ⇒ structure unknown (passes).</item>
    /// </list>
    /// </summary>
    public static IReadOnlyList<DailyBar> AlternatingBars(DateOnly before, int count = 30)
    {
        var dates = Weekdays(before, count);
        var bars = new DailyBar[count];
        for (var k = 0; k < count; k++)
        {
            var close = (count - 1 - k) % 2 == 0 ? 100.00 : 100.50;
            bars[k] = new DailyBar(dates[k], close, close + 0.75, close - 0.75, close, 1_000_000);
        }

        return bars;
    }

    /// <summary><paramref name="count"/> identical bars (open = close) on the weekdays before <paramref name="before"/>.</summary>
    public static IReadOnlyList<DailyBar> FlatBars(DateOnly before, int count, double close, double halfRange)
    {
        var dates = Weekdays(before, count);
        return [.. dates.Select(d => new DailyBar(d, close, close + halfRange, close - halfRange, close, 1_000_000))];
    }

    /// <summary>The <paramref name="count"/> weekdays strictly before <paramref name="before"/>, oldest first.</summary>
    private static DateOnly[] Weekdays(DateOnly before, int count)
    {
        var dates = new DateOnly[count];
        var d = before;
        for (var i = count - 1; i >= 0; i--)
        {
            do
            {
                d = d.AddDays(-1);
            }
            while (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
            dates[i] = d;
        }

        return dates;
    }

    /// <summary>Writes the bars of each symbol to <c>&lt;dir&gt;/&lt;SYMBOL&gt;.csv</c> (for <c>BARS_CSV_DIR</c>).</summary>
    public static void WriteCsv(string dir, IReadOnlyDictionary<string, IReadOnlyList<DailyBar>> bars)
    {
        foreach (var (symbol, list) in bars)
        {
            var text = new StringBuilder("date,open,high,low,close,volume\n");
            foreach (var b in list)
            {
                text.Append(CultureInfo.InvariantCulture, $"{b.Date:yyyy-MM-dd},{b.Open},{b.High},{b.Low},{b.Close},{b.Volume}\n");
            }

            File.WriteAllText(Path.Combine(dir, symbol + ".csv"), text.ToString());
        }
    }

    // ---- configuration and runs -----------------------------------------------------------------------

    /// <summary>
    /// Green Light, every event evaluated (<c>STRATEGY_INTERVAL_SEC=0</c>), otherwise the defaults unless
    /// <paramref name="extra"/> overrides them (later pairs win).
    /// </summary>
    public static BrainConfig GlConfig(params (string Key, string Value)[] extra)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["STRATEGY_MODE"] = "green_light",
            ["STRATEGY_INTERVAL_SEC"] = "0",
        };
        foreach (var (key, value) in extra)
        {
            pairs[key] = value;
        }

        return BrainConfig.Load(ConfigSource.FromPairs([.. pairs.Select(p => (p.Key, p.Value))]));
    }

    /// <summary>Runs the lines through a fresh engine with an in-memory paper broker (100 000 cash) unless one is given.</summary>
    public static GreenLightRun Run(IReadOnlyList<string> lines, BrainConfig config, IDailyBarSource? bars, Func<DateTime, IBroker?>? brokerFactory = null)
    {
        brokerFactory ??= _ => PaperBroker.Open(":memory:", 100_000);
        using var output = new MemoryStream();
        BrainEngine engine;
        using (var journal = new JournalWriter(output))
        {
            engine = new BrainEngine(config, brokerFactory, journal, NullLogger.Instance, bars);
            foreach (var line in lines)
            {
                engine.ProcessLine(Encoding.UTF8.GetBytes(line));
            }

            engine.Finish();
        }

        return new GreenLightRun(Encoding.UTF8.GetString(output.ToArray()), engine);
    }

    /// <summary>Runs the lines through <see cref="ConsumeRunner.Run"/> (the <c>brain consume</c> path, default broker from the config).</summary>
    public static GreenLightRun Consume(IReadOnlyList<string> lines, BrainConfig config)
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        using var output = new MemoryStream();
        var result = ConsumeRunner.Run(input, output, config, NullLogger.Instance);
        return new GreenLightRun(Encoding.UTF8.GetString(output.ToArray()), null, result.Broker);
    }
}

/// <summary>An in-memory <see cref="IDailyBarSource"/>: bars per symbol, only those strictly before the asked date.</summary>
internal sealed class MemoryBarSource : IDailyBarSource
{
    private readonly Dictionary<string, IReadOnlyList<DailyBar>> _bars = new(StringComparer.Ordinal);

    public MemoryBarSource Add(string symbol, IReadOnlyList<DailyBar> bars)
    {
        _bars[symbol] = bars;
        return this;
    }

    public IReadOnlyList<DailyBar> Load(string symbol, DateOnly before)
        => _bars.TryGetValue(symbol, out var bars) ? [.. bars.Where(b => b.Date < before)] : [];
}

/// <summary>The journal of one run, parsed, with the engine and broker for inspection.</summary>
internal sealed class GreenLightRun : IDisposable
{
    public GreenLightRun(string journal, BrainEngine? engine, IBroker? broker = null)
    {
        Journal = journal;
        Engine = engine;
        Broker = broker ?? engine?.Broker;
        var lines = new List<JsonElement>();
        foreach (var line in journal.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            lines.Add(doc.RootElement.Clone());
        }

        Lines = lines;
    }

    public string Journal { get; }

    public BrainEngine? Engine { get; }

    public IBroker? Broker { get; }

    public IReadOnlyList<JsonElement> Lines { get; }

    public IEnumerable<JsonElement> OfKind(string kind) => Lines.Where(l => Str(l, "kind") == kind);

    public IEnumerable<JsonElement> Decisions(string? symbol = null, string? action = null) => OfKind("decision")
        .Where(d => (symbol is null || Str(d, "symbol") == symbol) && (action is null || Str(d, "action") == action));

    /// <summary>Reasons of every sell decision, in order.</summary>
    public IEnumerable<string> SellReasons => Decisions(action: "sell").Select(d => Str(d, "reason"));

    /// <summary>(New York time "HH:mm:ss", action, qty, reason) of a symbol's decisions.</summary>
    public IEnumerable<(string Et, string Action, long Qty, string Reason)> Brief(string symbol)
        => Decisions(symbol).Select(d => (EtTime(d).ToString("HH:mm:ss", CultureInfo.InvariantCulture), Str(d, "action"), d.GetProperty("qty").GetInt64(), Str(d, "reason")));

    /// <summary>(New York "yyyy-MM-dd HH:mm:ss", action, qty, reason) of a symbol's decisions.</summary>
    public IEnumerable<(string Et, string Action, long Qty, string Reason)> BriefWithDate(string symbol)
        => Decisions(symbol).Select(d => (EtTime(d).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Str(d, "action"), d.GetProperty("qty").GetInt64(), Str(d, "reason")));

    /// <summary>(side, qty, price) of a symbol's fills.</summary>
    public IEnumerable<(string Side, long Qty, double Price)> Fills(string symbol) => OfKind("fill")
        .Where(f => Str(f, "symbol") == symbol)
        .Select(f => (Str(f, "side"), f.GetProperty("qty").GetInt64(), f.GetProperty("price").GetDouble()));

    public static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static double Signal(JsonElement decision, string name) => decision.GetProperty("signals").GetProperty(name).GetDouble();

    /// <summary>The line's time in New York (EST: UTC − 5 h; every test date is in standard time).</summary>
    public static DateTime EtTime(JsonElement line)
        => DateTime.Parse(Str(line, "ts"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal).AddHours(-5);

    public void Dispose() => Broker?.Dispose();
}
