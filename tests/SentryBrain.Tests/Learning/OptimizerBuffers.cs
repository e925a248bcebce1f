using System.Text;
using SentryBrain.Learning;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// Synthetic experience buffers for the optimizer tests: exits spread evenly over 200 days from Mon 2026-01-05, every
/// feature uniform over a sensible range (atr_percentile 0–100, ofi −1…1, rsi 0–100, z_score −3…3, …), and a win
/// (P&amp;L +2.5 %, a success by §6.2) with a probability the caller chooses per row; a loss is −1.5 % (a failure).
/// Seeded, so every test sees the same rows on every machine.
/// </summary>
internal static class OptimizerBuffers
{
    public static readonly DateTime Start = new(2026, 1, 5, 15, 0, 0, DateTimeKind.Utc);

    /// <summary>Probability of a win for row <c>i</c> of <c>n</c> with these atr_percentile and ofi values.</summary>
    public delegate double WinChance(int i, int n, double atrPercentile, double ofi);

    /// <summary>The planted region: atr_percentile ≥ 85 and ofi &lt; 0 loses 80 % of the time, the rest wins 60 %.</summary>
    public static readonly WinChance Planted = (_, _, atr, ofi) => atr >= 85 && ofi < 0 ? 0.2 : 0.6;

    /// <summary>No structure: every trade wins half the time whatever its features.</summary>
    public static readonly WinChance Flat = (_, _, _, _) => 0.5;

    /// <summary>The same region loses 80 % in the first half of the time range and wins 90 % in the second.</summary>
    public static readonly WinChance FirstHalfOnly = (i, n, atr, ofi) => atr >= 85 && ofi < 0 ? (i < n / 2 ? 0.2 : 0.9) : 0.6;

    public static List<ExperienceRecord> Exits(int n, int seed, WinChance chance)
    {
        var random = new Random(seed);
        var records = new List<ExperienceRecord>(n);
        string[] regimes = ["trend", "range", "neutral"];
        for (var i = 0; i < n; i++)
        {
            var atr = random.NextDouble() * 100;
            var ofi = (random.NextDouble() * 2) - 1;
            var record = new ExperienceRecord
            {
                Action = "exit",
                Symbol = "SYM" + (i % 7),
                Ts = Start.AddDays(200.0 * i / n),
                Price = 100,
                Qty = 1,
                Reason = "strategy_exit",
                ZScore = (random.NextDouble() * 6) - 3,
                Rsi = random.NextDouble() * 100,
                MacdAboveZero = random.NextDouble() < 0.5,
                Ofi = ofi,
                AtrPct = 0.5 + (random.NextDouble() * 4.5),
                AtrPercentile = atr,
                TechnicalScore = random.NextDouble(),
                ProbGain = random.NextDouble(),
                StructureOk = random.NextDouble() < 0.5,
                Regime = regimes[random.Next(3)],
                Sentiment = (random.NextDouble() * 2) - 1,
                VwapDistancePct = (random.NextDouble() * 6) - 3,
            };
            var win = random.NextDouble() < chance(i, n, atr, ofi);
            records.Add(record with { PnlPct = win ? 2.5 : -1.5 });
        }

        return records;
    }

    public static void Write(string path, IEnumerable<ExperienceRecord> records)
    {
        var text = new StringBuilder();
        foreach (var record in records)
        {
            text.Append(ExperienceJson.ToLine(record)).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }

    public static OptimizerOptions Options(string folder, string buffer) => new()
    {
        BufferPath = buffer,
        ActivePath = Path.Combine(folder, "active.json"),
        ProposedPath = Path.Combine(folder, "proposed.json"),
    };
}
