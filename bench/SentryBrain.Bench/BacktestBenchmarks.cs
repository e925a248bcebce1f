using BenchmarkDotNet.Attributes;
using SentryBrain.Backtesting;
using SentryBrain.Config;

namespace SentryBrain.Bench;

/// <summary>
/// One whole backtest on synthetic daily bars (100 symbols × 5 years = 126,000 bars; divide by the mean for bars/s).
/// The 500 × 10-year figure of docs/BENCHMARKS.md comes from <c>./brain bench backtest</c>, which runs the same code.
/// </summary>
[MemoryDiagnoser]
public class BacktestBenchmarks
{
    private BarPanel _panel = null!;
    private BrainConfig _config = null!;

    [Params(BacktestStrategy.SmaCross, BacktestStrategy.GreenLight)]
    public BacktestStrategy Strategy { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _panel = SyntheticBars.Generate(100, 5 * 252, seed: 1);
        _config = BrainConfig.Load(ConfigSource.FromPairs());
    }

    [Benchmark]
    public int Run() => Backtester.Run(_panel, new BacktestOptions(Strategy, _config)).RoundTrips.Count;
}
