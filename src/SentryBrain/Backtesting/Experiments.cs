using System.Globalization;

namespace SentryBrain.Backtesting;

/// <summary>One point of a parameter grid: names (configuration variables or SMA_FAST/SMA_SLOW/SMA_RSI_MAX) → values.</summary>
public sealed record GridPoint(IReadOnlyList<KeyValuePair<string, string>> Values)
{
    public override string ToString() => Values.Count == 0 ? "(base)" : string.Join(" ", Values.Select(v => v.Key + "=" + v.Value));
}

/// <summary>One row of a sweep or walk-forward table.</summary>
public sealed record ExperimentRow(string Label, GridPoint Point, DateOnly? Start, DateOnly? End, BacktestSummary Summary);

/// <summary>
/// Parameter sweeps and walk-forward analysis. Every run is independent (own strategy state, shared read-only
/// bars), so they run in parallel on all cores; results come back in a fixed order, so tables are deterministic.
/// </summary>
public static class Experiments
{
    /// <summary>Parses <c>PARAM=v1,v2,...</c> specifications into the cartesian grid, in the order given.</summary>
    public static IReadOnlyList<GridPoint> Grid(IReadOnlyList<string> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        IReadOnlyList<GridPoint> grid = [new GridPoint([])];
        foreach (var spec in specs)
        {
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == spec.Length - 1)
            {
                throw new ArgumentException($"bad --sweep '{spec}': expected PARAM=v1,v2,...");
            }

            var name = spec[..eq].Trim().ToUpperInvariant();
            var values = spec[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            grid = [.. grid.SelectMany(point => values.Select(v => new GridPoint([.. point.Values, new KeyValuePair<string, string>(name, v)])))];
        }

        return grid;
    }

    /// <summary>Parses <c>TRAIN:TEST</c> (trading days).</summary>
    public static (int Train, int Test) ParseWalkForward(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var train)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var test) || train < 1 || test < 1)
        {
            throw new ArgumentException($"bad --walk-forward '{text}': expected TRAIN:TEST in trading days, e.g. 252:63");
        }

        return (train, test);
    }

    /// <summary>Runs every grid point on the whole panel, in parallel; rows in grid order.</summary>
    public static IReadOnlyList<ExperimentRow> Sweep(BarPanel panel, IReadOnlyList<GridPoint> grid, Func<GridPoint, BacktestOptions> optionsFor, int? parallelism = null)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var rows = new ExperimentRow[grid.Count];
        Parallel.For(0, grid.Count, ParallelOptionsFor(parallelism), i =>
        {
            var summary = BacktestStatistics.Compute(Backtester.Run(panel, optionsFor(grid[i])));
            rows[i] = new ExperimentRow(string.Create(CultureInfo.InvariantCulture, $"#{i + 1}"), grid[i], summary.Start, summary.End, summary);
        });
        return rows;
    }

    /// <summary>
    /// Walk-forward: folds of <paramref name="train"/> trading days followed by <paramref name="test"/> days, stepping
    /// by <paramref name="test"/>. In each fold every grid point runs on the training window, the best by Sharpe
    /// (ties: the earlier grid point) runs on the test window, with the training window as indicator warm-up only
    /// (no orders there). Without a grid this is a rolling out-of-sample run. Rows are the test windows, in order.
    /// </summary>
    public static IReadOnlyList<ExperimentRow> WalkForward(BarPanel panel, int train, int test, IReadOnlyList<GridPoint> grid, Func<GridPoint, BacktestOptions> optionsFor, int? parallelism = null)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(optionsFor);
        var folds = new List<(int Start, int TrainEnd, int End)>();
        for (var start = 0; start + train + test <= panel.Days; start += test)
        {
            folds.Add((start, start + train, start + train + test));
        }

        // Phase 1: every (fold, grid point) training run in parallel.
        var scores = new double[folds.Count, grid.Count];
        var slices = folds.Select(f => panel.Slice(f.Start, f.End)).ToArray();
        if (grid.Count > 1)
        {
            Parallel.For(0, folds.Count * grid.Count, ParallelOptionsFor(parallelism), k =>
            {
                var (f, g) = (k / grid.Count, k % grid.Count);
                var options = optionsFor(grid[g]) with { TradeFromDay = 0 };
                var trainPanel = panel.Slice(folds[f].Start, folds[f].TrainEnd);
                var summary = BacktestStatistics.Compute(Backtester.Run(trainPanel, options));
                scores[f, g] = summary.Sharpe ?? double.NegativeInfinity;
            });
        }

        // Phase 2: the chosen point of each fold on its test window, in parallel.
        var rows = new ExperimentRow[folds.Count];
        Parallel.For(0, folds.Count, ParallelOptionsFor(parallelism), f =>
        {
            var best = 0;
            for (var g = 1; g < grid.Count; g++)
            {
                if (scores[f, g] > scores[f, best])
                {
                    best = g;
                }
            }

            var options = optionsFor(grid[best]) with { TradeFromDay = train };
            var summary = BacktestStatistics.Compute(Backtester.Run(slices[f], options));
            rows[f] = new ExperimentRow(string.Create(CultureInfo.InvariantCulture, $"fold {f + 1}"), grid[best], summary.Start, summary.End, summary);
        });
        return rows;
    }

    /// <summary>A markdown table of rows (one summary table for sweeps and walk-forward).</summary>
    public static string Markdown(IReadOnlyList<ExperimentRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var c = CultureInfo.InvariantCulture;
        var b = new System.Text.StringBuilder("| run | parameters | start | end | end equity | return | Sharpe | max DD | trades | win rate |\n|---|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var r in rows)
        {
            var s = r.Summary;
            b.Append(c, $"| {r.Label} | {r.Point} | {r.Start:yyyy-MM-dd} | {r.End:yyyy-MM-dd} | {s.EndEquity:0.00} | {s.TotalReturn * 100:0.00} % | {(s.Sharpe is { } sh ? sh.ToString("0.000", c) : "n/a")} | {s.MaxDrawdown * 100:0.00} % | {s.Trades} | {(s.WinRate is { } w ? (w * 100).ToString("0.0", c) + " %" : "n/a")} |\n");
        }

        return b.ToString();
    }

    /// <summary>The same rows as CSV.</summary>
    public static string Csv(IReadOnlyList<ExperimentRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var c = CultureInfo.InvariantCulture;
        var b = new System.Text.StringBuilder("run,parameters,start,end,end_equity,total_return,sharpe,max_drawdown,trades,win_rate\n");
        foreach (var r in rows)
        {
            var s = r.Summary;
            b.Append(c, $"{r.Label},{r.Point},{r.Start:yyyy-MM-dd},{r.End:yyyy-MM-dd},{s.EndEquity:R},{s.TotalReturn:R},{s.Sharpe:R},{s.MaxDrawdown:R},{s.Trades},{s.WinRate:R}\n");
        }

        return b.ToString();
    }

    private static ParallelOptions ParallelOptionsFor(int? parallelism) => new() { MaxDegreeOfParallelism = parallelism ?? Environment.ProcessorCount };
}
