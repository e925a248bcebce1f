using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project bench/SentryBrain.Bench -- --filter '*'
// Quick:   dotnet run -c Release --project bench/SentryBrain.Bench -- --filter '*' --job short
// Screen scoring in a few seconds (8,000 symbols × 35 bars, Stopwatch median of 51 runs, no BenchmarkDotNet):
//          dotnet run -c Release --project bench/SentryBrain.Bench -- --screen-quick
if (args is ["--screen-quick"])
{
    var (median, min, max) = SentryBrain.Bench.ScreenScoringBenchmarks.Quick();
    Console.WriteLine(FormattableString.Invariant(
        $"ScreenScoring.ScoreAll, {SentryBrain.Bench.ScreenScoringBenchmarks.Symbols:N0} symbols x {SentryBrain.Bench.ScreenScoringBenchmarks.Bars} bars: median {median:0.00} ms (min {min:0.00}, max {max:0.00}; 51 runs)"));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
