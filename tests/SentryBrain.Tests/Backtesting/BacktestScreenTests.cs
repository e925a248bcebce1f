using System.Globalization;
using SentryBrain.Backtesting;
using SentryBrain.Market.Bars;
using SentryBrain.Screening;
using SentryBrain.Strategy;
using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.Backtesting;

/// <summary>
/// Issue 12 item 7: <c>backtest --screen N --universe …</c> re-screens every simulated morning from the bars known by
/// then and buys only the day's list. The market is a folder of synthetic CSVs: 30 symbols × 80 weekdays of a random
/// walk with uniform ±1 % daily returns and ±5 % volume noise, in which the test plants a spike (+8 % close, 3×
/// volume) for X on day <see cref="SpikeDay"/> and for Y on the day after. Uniform noise cannot reach |Z| 4 or a
/// doubled volume, so with those criteria only the planted spikes qualify and every list is known in advance.
/// </summary>
public sealed class BacktestScreenTests : IDisposable
{
    private const int SymbolCount = 30;
    private const int DayCount = 80;
    private const int SpikeDay = 40;
    private const int X = 7;
    private const int Y = 13;

    /// <summary>Only the planted spikes qualify (see the class comment).</summary>
    private static readonly ScreenCriteria Strict = new(ZThreshold: 4, VolumeSpikePct: 100);

    private readonly TempFolder _dir = BrainCli.NewFolder();
    private readonly Market _market;

    public BacktestScreenTests()
    {
        _market = Market.Generate(seed: 12);
        _market.Write(_dir["csv"]);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ASpikeOnDayD_IsOnDayDPlusOnesList_NotOnDayDs_WithTheHandComputedZAndVolumeRatio()
    {
        var (_, result) = Run(Screen(5));
        var report = WriteReport(result, Screen(5));
        var rows = File.ReadAllLines(Path.Combine(report, "screens.csv"));
        var x = _market.Names[X];
        var dayD = Day(SpikeDay);
        var dayAfter = Day(SpikeDay + 1);

        Assert.Equal("date,rank,symbol,score,z,volume_ratio,reason", rows[0]);
        Assert.DoesNotContain(rows, r => r.StartsWith(dayD + ",", StringComparison.Ordinal)); // no list yet: nothing qualified before
        var listed = Assert.Single(rows, r => r.StartsWith(dayAfter + ",", StringComparison.Ordinal)).Split(',');

        // By hand, from the generated bars through day d (the morning of d + 1 knows nothing later):
        // z = (r_d − mean(r_{d−20..d−1})) / popstd(r_{d−20..d−1}), ratio = v_d / mean(v_{d−20..d−1}).
        var c = _market.Close[X];
        var v = _market.Volume[X];
        var previous = Enumerable.Range(SpikeDay - 20, 20).Select(k => (c[k] / c[k - 1]) - 1).ToArray();
        var mean = previous.Average();
        var std = Math.Sqrt(previous.Select(r => (r - mean) * (r - mean)).Sum() / 20);
        var z = (((c[SpikeDay] / c[SpikeDay - 1]) - 1) - mean) / std;
        var ratio = v[SpikeDay] / Enumerable.Range(SpikeDay - 20, 20).Average(k => v[k]);
        Assert.Equal(["1", x], listed[1..3]);
        Assert.Equal(z, Parse(listed[4]), 9);
        Assert.Equal(ratio, Parse(listed[5]), 9);
        Assert.Equal(Math.Abs(z) + (2 * (ratio - 1)), Parse(listed[3]), 9);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"|Z|={Math.Abs(z):0.00} vol={ratio:0.00}x"), listed[6]);
        Assert.InRange(z, 10, 20); // +8 % against ±1 % noise: the spike, not an accident
        Assert.InRange(ratio, 2.7, 3.3);

        var markdown = File.ReadAllText(Path.Combine(report, "summary.md"));
        Assert.Contains($"- {dayD}: no list; 30 scored, none qualified\n", markdown, StringComparison.Ordinal);
        Assert.Contains($"- {dayAfter}: {x} ({listed[6]}); 30 scored, 1 qualified\n", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void BuysOnlyInTheDaysList_AndAHoldingThatLeftTheListStillExitsByItsStop()
    {
        var (panel, result) = Run(Screen(5));
        var lists = result.Screens!.ToDictionary(d => d.Date, d => d.List.Select(s => s.Symbol).ToHashSet());
        var x = _market.Names[X];
        var y = _market.Names[Y];

        // The lists: none before the spikes, [X] the morning after X's, [Y] from the morning after Y's on (kept).
        Assert.All(Enumerable.Range(0, SpikeDay + 1), t => Assert.Empty(lists[panel.Dates[t]]));
        Assert.Equal([x], lists[panel.Dates[SpikeDay + 1]]);
        Assert.All(Enumerable.Range(SpikeDay + 2, 2), t => Assert.Equal([y], lists[panel.Dates[t]]));

        // Every buy the policy decided was for a name on that day's list.
        var buys = result.Decisions.Where(d => d.Action == TradeAction.Buy).ToList();
        Assert.NotEmpty(buys);
        Assert.All(buys, d => Assert.Contains(d.Symbol, lists[d.Date]));
        Assert.All(result.Fills.Where(f => f.Side == "buy"), f => Assert.Contains(f.Symbol, lists[panel.Dates[Array.IndexOf(panel.Dates, f.Date) - 1]]));

        // X: bought on the close of the day it was listed (filled at the next open), off the list the day after,
        // and still sold by its stop when it gaps down, as the live engine gates only buys with not_on_watchlist.
        var bought = Assert.Single(result.Fills, f => f.Symbol == x && f.Side == "buy");
        Assert.Equal(panel.Dates[SpikeDay + 2], bought.Date);
        var sold = result.Fills.First(f => f.Symbol == x && f.Side == "sell");
        Assert.Equal(panel.Dates[SpikeDay + 3], sold.Date);
        Assert.StartsWith("stop_loss", sold.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(x, lists[sold.Date]);

        // The gate is what kept the other names out: without a screen the same policy buys names never listed.
        var unscreened = Backtester.Run(panel, Options(null));
        var everListed = lists.Values.SelectMany(l => l).ToHashSet();
        Assert.Contains(unscreened.Fills, f => f.Side == "buy" && !everListed.Contains(f.Symbol));
    }

    [Fact]
    public void ADaysScreen_DoesNotDependOnThatDaysBarOrLaterOnes()
    {
        var (panel, result) = Run(Screen(5));
        foreach (var t in new[] { 25, SpikeDay, SpikeDay + 1, 60 })
        {
            // Bars from day t on replaced by wild values (×3 prices, ×10 volume): day t's list must not move.
            var changed = Backtester.Run(Perturbed(panel, t), Options(Screen(5))).Screens!;
            var cut = panel.Dates[t];
            Assert.Equal(BacktestScreenReport.Csv([.. result.Screens!.Where(d => d.Date <= cut)]), BacktestScreenReport.Csv([.. changed.Where(d => d.Date <= cut)]));
            Assert.NotEqual(BacktestScreenReport.Csv(result.Screens!), BacktestScreenReport.Csv(changed));
        }
    }

    [Fact]
    public void FallbackTop_ADayWhereNothingQualifies_TakesTheBestScoredNames()
    {
        var (_, kept) = Run(Screen(3));
        var (_, fallback) = Run(Screen(3) with { FallbackTop = true });
        var day = fallback.Screens!.First(d => d.Scored > 0);

        Assert.Equal(ScreenDayKind.Fallback, day.Kind);
        Assert.Equal(3, day.List.Count);
        Assert.Equal(day.List.OrderByDescending(s => s.Score).Select(s => s.Symbol), day.List.Select(s => s.Symbol));
        Assert.Equal(ScreenDayKind.Empty, kept.Screens!.Single(d => d.Date == day.Date).Kind);
        Assert.Equal(ScreenDayKind.Kept, kept.Screens!.Single(d => d.Date == _market.Dates[SpikeDay + 3]).Kind);
    }

    [Fact]
    public void Cli_ScreenUniverseCsv_ExitsZero_AndItsReportListsEachDaysScreen()
    {
        var universe = _dir["universe.txt"];
        File.WriteAllLines(universe, [.. _market.Names, "NOBARS # listed, but the folder has no NOBARS.csv"]);
        var report = _dir["report"];
        var env = new Dictionary<string, string> { ["SCREENER_Z_THRESHOLD"] = "4", ["SCREENER_VOLUME_SPIKE_PCT"] = "100" };

        var run = BrainCli.Run(_dir.Path, env, "backtest", "--screen", "5", "--universe", "file:" + universe, "--data", "csv:" + _dir["csv"], "--strategy", "consensus", "--report", report);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("NOBARS", run.Stderr, StringComparison.Ordinal); // left out, with a warning
        var markdown = File.ReadAllText(Path.Combine(report, "summary.md"));
        var section = markdown[markdown.IndexOf("## Daily screen", StringComparison.Ordinal)..];
        var days = File.ReadAllLines(Path.Combine(report, "equity.csv")).Skip(1).Select(l => l[..10]).ToList();
        var lines = section.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();
        Assert.Equal(DayCount, days.Count);
        Assert.Equal(days, lines.Select(l => l[2..12]));
        Assert.StartsWith($"- {Day(SpikeDay + 1)}: {_market.Names[X]} (|Z|=", lines[SpikeDay + 1], StringComparison.Ordinal);
        Assert.StartsWith($"- {Day(SpikeDay + 3)}: kept from {Day(SpikeDay + 2)}: {_market.Names[Y]};", lines[SpikeDay + 3], StringComparison.Ordinal);
        Assert.Contains("31 symbols, 30 with bars; without bars: NOBARS", section, StringComparison.Ordinal);
        Assert.Contains($"{Day(SpikeDay + 1)},1,{_market.Names[X]},", File.ReadAllText(Path.Combine(report, "screens.csv")), StringComparison.Ordinal);
        var json = File.ReadAllText(Path.Combine(report, "summary.json"));
        Assert.Contains("\"top_n\": 5", json, StringComparison.Ordinal);
        Assert.Contains("\"z_threshold\": 4", json, StringComparison.Ordinal);
        Assert.Contains("\"fallback\": \"keep_previous\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_BadScreenArguments_OneLineAndExit2()
    {
        File.WriteAllText(_dir["nobars.txt"], "NOBARS\nNOPE\n");
        File.WriteAllText(_dir["some.txt"], string.Join('\n', _market.Names));
        string[] csv = ["backtest", "--data", "csv:" + _dir["csv"]];
        var cases = new (string[] Args, string Fragment)[]
        {
            ([.. csv, "--screen", "0", "--universe", "file:" + _dir["some.txt"]], "--screen must be ≥ 1"),
            ([.. csv, "--screen", "5", "--universe", "file:" + _dir["missing.txt"]], "missing.txt does not exist"),
            ([.. csv, "--screen", "5", "--universe", "file:" + _dir["nobars.txt"]], "none of its 2 symbols (NOBARS, NOPE) has bars"),
            ([.. csv, "--screen", "5", "--universe", "file:" + _dir["some.txt"], "--symbols", "QAA"], "--symbols and --universe"),
            ([.. csv, "--symbols", "QAA", "--fallback", "top"], "--fallback only applies with --screen"),
            ([.. csv, "--screen", "5", "--universe", "alpaca_equity"], "survivors"),
            ([.. csv, "--symbols", "QAA", "--sweep", "SCREENER_Z_THRESHOLD=2,3"], "only a backtest with --screen reads it"),
        };

        foreach (var (args, fragment) in cases)
        {
            var run = BrainCli.Run(_dir.Path, null, args);
            Assert.True(run.ExitCode == 2, string.Join(' ', args) + "\n" + run);
            var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(fragment, line, StringComparison.Ordinal);
            Assert.False(Directory.Exists(_dir["reports"]), "a failed backtest left a report folder");
        }
    }

    [Fact]
    public void Cli_SweepWithScreen_SweepsTheScreensCriteria()
    {
        var eager = new Dictionary<string, string> { ["CONSENSUS_MIN_SOURCES_POSITIVE"] = "1", ["CONSENSUS_POSITIVE_THRESHOLD"] = "0.0001" };
        var run = BrainCli.Run(_dir.Path, eager, "backtest", "--screen", "3", "--symbols", string.Join(',', _market.Names), "--data", "csv:" + _dir["csv"],
            "--strategy", "consensus", "--sweep", "SCREENER_Z_THRESHOLD=1,4", "--report", _dir["sweep"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = File.ReadAllLines(Path.Combine(_dir["sweep"], "sweep.csv")).Skip(1).Select(r => r.Split(',')).ToList();
        Assert.Equal(2, rows.Count);
        Assert.NotEqual(rows[0][8], rows[1][8]); // trades: |Z| > 1 lists many more names than |Z| > 4
    }

    private static BacktestScreen Screen(int top) => new(top, Strict, Universe: "test", UniverseSize: SymbolCount);

    /// <summary>Consensus made eager (one positive source buys) with a 3 % stop, so the list is what limits buys.</summary>
    private static BacktestOptions Options(BacktestScreen? screen)
        => new(BacktestStrategy.Consensus, BacktestFixtures.Defaults with { StopLossPct = 3, TakeProfitPct = 50, ConsensusPositiveThreshold = 0.0001, ConsensusMinSourcesPositive = 1 },
            Screen: screen);

    private (BarPanel Panel, BacktestResult Result) Run(BacktestScreen screen)
    {
        var issues = new List<BarIssue>();
        var panel = BarPanel.Align(BacktestData.LoadCsvFolder(_dir["csv"], _market.Names, issues));
        Assert.Empty(issues);
        return (panel, Backtester.Run(panel, Options(screen)));
    }

    private string WriteReport(BacktestResult result, BacktestScreen screen)
    {
        var options = Options(screen);
        var manifest = new RunManifest("test", "test", DateTime.UnixEpoch, 0, 0, [], [], []);
        var folder = _dir["report-" + Guid.NewGuid().ToString("N")];
        BacktestReport.WriteAll(folder, "consensus", options, result, BacktestStatistics.Compute(result), manifest);
        return folder;
    }

    private string Day(int t) => _market.Dates[t].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static BarPanel Perturbed(BarPanel panel, int from)
    {
        var series = new List<SymbolBars>();
        for (var s = 0; s < panel.Symbols.Length; s++)
        {
            var bars = new List<DailyBar>();
            for (var t = 0; t < panel.Days; t++)
            {
                var k = t < from ? 1 : t % 2 == 0 ? 3 : 1.0 / 3;
                var volume = t < from ? panel.Volume[s][t] : panel.Volume[s][t] * 10;
                bars.Add(new(panel.Dates[t], panel.Open[s][t] * k, panel.High[s][t] * k, panel.Low[s][t] * k, panel.Close[s][t] * k, volume));
            }

            series.Add(new SymbolBars(panel.Symbols[s], bars, "perturbed"));
        }

        return BarPanel.Align(series);
    }

    /// <summary>The synthetic market, generated here and written as <c>SYMBOL.csv</c> files.</summary>
    private sealed class Market
    {
        public required string[] Names { get; init; }

        public required DateOnly[] Dates { get; init; }

        public required double[][] Open { get; init; }

        public required double[][] Close { get; init; }

        public required double[][] Volume { get; init; }

        public static Market Generate(int seed)
        {
            var rng = new Random(seed);
            var dates = new List<DateOnly>();
            for (var d = new DateOnly(2024, 1, 1); dates.Count < DayCount; d = d.AddDays(1))
            {
                if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
                {
                    dates.Add(d);
                }
            }

            var names = Enumerable.Range(0, SymbolCount).Select(i => $"Q{(char)('A' + (i / 26))}{(char)('A' + (i % 26))}").ToArray();
            var open = new double[SymbolCount][];
            var close = new double[SymbolCount][];
            var volume = new double[SymbolCount][];
            for (var s = 0; s < SymbolCount; s++)
            {
                open[s] = new double[DayCount];
                close[s] = new double[DayCount];
                volume[s] = new double[DayCount];
                var previous = 20.0 + (5 * s);
                for (var t = 0; t < DayCount; t++)
                {
                    var r = (rng.NextDouble() * 0.02) - 0.01;
                    var v = 3_000_000 * (1 + ((rng.NextDouble() * 0.1) - 0.05));
                    var o = previous;
                    if ((s == X && t == SpikeDay) || (s == Y && t == SpikeDay + 1))
                    {
                        r = 0.08; // the planted spike: +8 % and three times the volume
                        v *= 3;
                    }
                    else if (s == X && t == SpikeDay + 1)
                    {
                        r = 0.005; // a quiet up day after the spike: the eager policy buys X while it is listed
                    }
                    else if (s == X && t == SpikeDay + 3)
                    {
                        o = previous * 0.94; // X gaps 6 % down, through its 3 % stop, after it left the list
                        r = 0;
                    }

                    open[s][t] = o;
                    close[s][t] = o * (1 + r);
                    volume[s][t] = v;
                    previous = close[s][t];
                }
            }

            return new Market { Names = names, Dates = [.. dates], Open = open, Close = close, Volume = volume };
        }

        public void Write(string folder)
        {
            Directory.CreateDirectory(folder);
            for (var s = 0; s < Names.Length; s++)
            {
                var lines = new List<string> { "date,open,high,low,close,volume" };
                for (var t = 0; t < Dates.Length; t++)
                {
                    var (o, c) = (Open[s][t], Close[s][t]);
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"{Dates[t]:yyyy-MM-dd},{o:R},{Math.Max(o, c) * 1.002:R},{Math.Min(o, c) * 0.998:R},{c:R},{Volume[s][t]:R}"));
                }

                File.WriteAllLines(Path.Combine(folder, Names[s] + ".csv"), lines);
            }
        }
    }
}
