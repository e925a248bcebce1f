using SentryBrain.Market.Bars;

namespace SentryBrain.Tests.Signals.Technical;

/// <summary>The committed sample bars under <c>samples/</c>, read once per test run.</summary>
internal static class SampleFiles
{
    public const string Aapl = "aapl_2013-2018_daily.csv";
    public const string Sp500 = "sp500_2000-2020_daily.csv";

    private static readonly Lazy<DailyBar[]> AaplBars = new(() => BarCsv.ReadFile(PathOf(Aapl)).ToArray());
    private static readonly Lazy<DailyBar[]> Sp500Bars = new(() => BarCsv.ReadFile(PathOf(Sp500)).ToArray());

    public static DailyBar[] AaplDaily => AaplBars.Value;

    public static DailyBar[] Sp500Daily => Sp500Bars.Value;

    public static string PathOf(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SentryBrain.sln")))
        {
            dir = dir.Parent;
        }

        Assert.True(dir is not null, $"No directory containing SentryBrain.sln above '{AppContext.BaseDirectory}'.");
        return Path.Combine(dir.FullName, "samples", name);
    }
}
