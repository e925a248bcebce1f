using System.Globalization;
using SentryBrain.Config;

namespace SentryBrain.Backtesting;

/// <summary>
/// Checks a <c>--sweep</c> grid before any run: every parameter exists and is read by the chosen strategy, every value
/// parses and is in range, and every point is a valid configuration (SMA_FAST below SMA_SLOW, configuration variables
/// through <see cref="BrainConfig.Load(ConfigSource)"/>). Problems are <see cref="ArgumentException"/>s with one-line
/// messages.
/// </summary>
public static class SweepParameters
{
    public static readonly IReadOnlyList<string> SmaParameters = ["SMA_FAST", "SMA_SLOW", "SMA_RSI_MAX", "SMA_RSI_PERIOD"];

    /// <summary>Variables that sma_cross reads besides its SMA_* parameters: the fill model.</summary>
    private static readonly string[] FillModel = ["BACKTEST_FILL_AT_NEXT_OPEN", "BACKTEST_SLIPPAGE_BPS", "BACKTEST_COMMISSION_PER_TRADE"];

    /// <summary>
    /// Variables no backtest reads: where orders go, logging, Redis, files of the live consumer, and settings the
    /// command line sets instead (STRATEGY_MODE is --strategy, PAPER_STARTING_CASH is --cash).
    /// </summary>
    private static readonly string[] NeverReadPrefixes = ["APCA_", "ALPACA_", "REDIS_"];

    private static readonly HashSet<string> NeverRead = new(StringComparer.Ordinal)
    {
        "LOG_LEVEL", "TRADE_PAPER", "PAPER_DB_PATH", "PAPER_STARTING_CASH", "STRATEGY_MODE", "BARS_CSV_DIR",
        "OPPORTUNITY_ENGINE_ENABLED", "ACTIVE_SYMBOLS_FILE", "SYMBOL_STATE_TTL_SEC", "ACCOUNT_DAILY_BUY_LIMIT",
    };

    /// <summary>One valid grid point: the configuration overrides and the sma_cross parameters it sets.</summary>
    public sealed record Point(IReadOnlyList<KeyValuePair<string, string>> ConfigOverrides, SmaCrossParameters Sma);

    /// <summary>
    /// Validates <paramref name="grid"/> for <paramref name="strategy"/>. <paramref name="knownVariables"/> are the
    /// configuration's names; <paramref name="loadConfig"/> loads the configuration with overrides (throws
    /// <see cref="ConfigException"/> on a bad value).
    /// </summary>
    public static IReadOnlyDictionary<GridPoint, Point> Check(
        IReadOnlyList<GridPoint> grid, BacktestStrategy strategy, IReadOnlySet<string> knownVariables, Action<IReadOnlyList<KeyValuePair<string, string>>> loadConfig)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(knownVariables);
        ArgumentNullException.ThrowIfNull(loadConfig);
        var name = BacktestOptions.Name(strategy);
        foreach (var key in grid.SelectMany(p => p.Values).Select(v => v.Key).Distinct())
        {
            var isSma = SmaParameters.Contains(key);
            if (!isSma && !knownVariables.Contains(key))
            {
                throw new ArgumentException($"--sweep: unknown parameter '{key}' (a configuration variable from `brain config`, or {string.Join("/", SmaParameters)})");
            }

            if (isSma && strategy != BacktestStrategy.SmaCross)
            {
                throw new ArgumentException($"--sweep {key}: {name} never reads it (SMA_* are parameters of --strategy sma_cross)");
            }

            if (!isSma && strategy == BacktestStrategy.SmaCross && !FillModel.Contains(key))
            {
                throw new ArgumentException($"--sweep {key}: sma_cross never reads it (it has no rules; it reads {string.Join(", ", SmaParameters)} and {string.Join(", ", FillModel)})");
            }

            if (NeverRead.Contains(key) || NeverReadPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
            {
                throw new ArgumentException($"--sweep {key}: no backtest reads it (execution, logging, Redis and live-only settings; --strategy and --cash set the rest)");
            }
        }

        var points = new Dictionary<GridPoint, Point>();
        foreach (var point in grid)
        {
            var sma = SmaCrossParameters.Default;
            var overrides = new List<KeyValuePair<string, string>>();
            foreach (var (key, value) in point.Values)
            {
                sma = key switch
                {
                    "SMA_FAST" => sma with { Fast = Whole(key, value, 1, 1000) },
                    "SMA_SLOW" => sma with { Slow = Whole(key, value, 2, 1000) },
                    "SMA_RSI_PERIOD" => sma with { RsiPeriod = Whole(key, value, 2, 500) },
                    "SMA_RSI_MAX" => sma with { RsiMax = Real(key, value, 0, 100) },
                    _ => sma,
                };
                if (!SmaParameters.Contains(key))
                {
                    overrides.Add(new KeyValuePair<string, string>(key, value));
                }
            }

            if (sma.Fast >= sma.Slow)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--sweep: SMA_FAST={sma.Fast} must be below SMA_SLOW={sma.Slow} (a crossover needs a faster and a slower average)"));
            }

            if (overrides.Count > 0)
            {
                try
                {
                    loadConfig(overrides);
                }
                catch (ConfigException ex)
                {
                    var lines = ex.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    throw new ArgumentException("--sweep: " + string.Join(" ", lines.Skip(1).DefaultIfEmpty(lines[0])));
                }
            }

            points[point] = new Point(overrides, sma);
        }

        return points;
    }

    private static int Whole(string key, string value, int min, int max)
        => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new ArgumentException($"--sweep {key}: '{value}' is not a whole number between {min} and {max}");

    private static double Real(string key, string value, double min, double max)
        => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v > min && v <= max
            ? v
            : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--sweep {key}: '{value}' is not a number above {min} and at most {max}"));
}
