using BenchmarkDotNet.Attributes;
using SentryBrain.Screening;

namespace SentryBrain.Bench;

/// <summary>
/// The screen's scoring over a wide universe: 8,000 symbols × 35 daily bars in prebuilt <see cref="ScreenColumns"/>
/// (issue 12's target: under 50 ms on one core). Synthetic random walks: most symbols pass the price and volume
/// floors, some are filtered, and a few have too little history, as in a real screen.
/// </summary>
[MemoryDiagnoser]
public class ScreenScoringBenchmarks
{
    public const int Symbols = 8_000;
    public const int Bars = 35;

    private ScreenColumns _columns = null!;
    private readonly ScreenCriteria _criteria = new();

    [GlobalSetup]
    public void Setup() => _columns = Generate(Symbols, Bars, seed: 1);

    /// <summary>Score every symbol (Z, volume ratio, status, reason).</summary>
    [Benchmark]
    public int ScoreAll() => ScreenScoring.ScoreAll(_columns, _criteria).Length;

    /// <summary>Score, rank and select the top 10: the whole pure part of a screen.</summary>
    [Benchmark]
    public int ScoreRankSelect() =>
        ScreenScoring.Select(ScreenScoring.Rank(ScreenScoring.ScoreAll(_columns, _criteria)), 10, fallbackTop: true).Selected.Length;

    /// <summary><paramref name="symbols"/> random walks of <paramref name="bars"/> daily bars (2 % of them shorter).</summary>
    public static ScreenColumns Generate(int symbols, int bars, int seed)
    {
        var random = new Random(seed);
        var asOf = new DateOnly(2026, 3, 10);
        var builder = new ScreenColumns.Builder(asOf, symbols * bars);
        for (var s = 0; s < symbols; s++)
        {
            builder.Symbol(Name(s));
            var n = s % 50 == 0 ? 15 : bars;
            var price = 2 + (random.NextDouble() * 300);
            var volume = Math.Exp(12 + (random.NextDouble() * 5)); // ≈ 160,000 .. 24 M shares a day
            for (var i = 0; i < n; i++)
            {
                price *= 1 + ((random.NextDouble() - 0.5) * 0.06);
                var v = Math.Round(volume * (0.5 + random.NextDouble()) * (i == n - 1 && s % 7 == 0 ? 2 : 1));
                builder.Add(asOf.AddDays(i - n), price, v);
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// The figure without BenchmarkDotNet's long run: <paramref name="runs"/> timed <see cref="ScreenScoring.ScoreAll"/>
    /// calls after a warm-up, as (median, fastest, slowest) milliseconds.
    /// </summary>
    public static (double Median, double Min, double Max) Quick(int runs = 51)
    {
        var columns = Generate(Symbols, Bars, seed: 1);
        var criteria = new ScreenCriteria();
        for (var i = 0; i < 20; i++)
        {
            _ = ScreenScoring.ScoreAll(columns, criteria);
        }

        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            _ = ScreenScoring.ScoreAll(columns, criteria);
            times[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return (times[runs / 2], times[0], times[^1]);
    }

    /// <summary>'S' and three letters, distinct for s &lt; 26³ (SAAA, SAAB, …).</summary>
    private static string Name(int s) =>
        string.Concat("S", (char)('A' + (s / 676 % 26)), (char)('A' + (s / 26 % 26)), (char)('A' + (s % 26)));
}
