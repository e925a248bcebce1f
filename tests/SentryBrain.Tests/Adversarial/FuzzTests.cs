using System.Text;

namespace SentryBrain.Tests.Adversarial;

/// <summary>
/// Issue 10, acceptance: ≥ 100,000 adversarial lines of every kind of breaks 1–6 inserted at seeded random positions
/// into the built-in scenario. Every invalid line gets exactly one error line with its own number; the valid but
/// adversarial ones (new symbols, one-tick spikes, unknown types, feed snapshots) get none; the orders and fills
/// are those of the clean scenario; managed memory stays bounded; nothing is an internal error.
/// </summary>
public sealed class FuzzTests : IDisposable
{
    private const int Insertions = 100_000;
    private const long MemoryLimitBytes = 300L << 20;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fuzz-tests-" + Guid.NewGuid().ToString("N"));

    public FuzzTests()
    {
        Directory.CreateDirectory(_dir);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string Db(string name) => Path.Combine(_dir, name + ".db");

    [Theory]
    [InlineData(0x5EED_0010UL)]
    public void HundredThousandMutatedLines_AreEachRejectedOnTheirOwnLine_AndTheTradesAreTheCleanOnes(ulong seed)
        => Fuzz(seed, Insertions, only: null);

    /// <summary>The same check, one break at a time (smaller), so a failure names the break and its branch.</summary>
    [Theory]
    [InlineData("break 1 (non-ticker symbol aliases a held one)", "SymbolAlias,SymbolTooLong", 5000)]
    [InlineData("break 2 (future ts, extreme ts, unconfirmed clock jumps)", "FutureTs,ExtremeTs,ClockJump", 5000)]
    [InlineData("break 3 (one-tick outliers are never traded on)", "Spike", 80)]
    [InlineData("break 4 (news symbol lists capped; new symbols below MAX_SYMBOLS taken)", "HugeNews,NewSymbol", 300)]
    [InlineData("break 5 (invalid UTF-8 anywhere)", "InvalidUtf8", 5000)]
    [InlineData("break 6 (duplicate keys, both parser paths)", "DuplicateKey", 5000)]
    [InlineData("already handled before issue 10 (garbage, truncation, bad prices, unknown types, feed snapshots)", "Truncated,Garbage,ControlByte,InvalidPrice,DeepNesting,TooLong,UnknownType,FeedSnapshot,NewSymbol", 5000)]
    public void EachBreakAlone(string label, string kinds, int insertions)
        => Fuzz(0xB4EA_C000UL + (ulong)kinds.Length, insertions, kinds.Split(',').Select(Enum.Parse<MutationKind>).ToHashSet(), label);

    private void Fuzz(ulong seed, int insertionCount, IReadOnlySet<MutationKind>? only, string label = "all kinds")
    {
        var scenario = AdversarialHarness.ScenarioBytes();
        var clean = AdversarialHarness.Run(scenario, AdversarialHarness.Config(Db("clean")), _dir);
        Assert.Equal(6, clean.Trades.Count(t => t.Kind == "order")); // the scenario's own story (see ConsumeTests)
        Assert.Empty(clean.Errors);

        var generator = new MutationGenerator(AdversarialHarness.SplitLines(scenario), seed, only);
        var (input, inserted) = generator.Build(insertionCount);
        Assert.Equal(insertionCount, inserted.Count);
        var kinds = inserted.GroupBy(i => i.Kind).ToDictionary(g => g.Key, g => g.Count());
        foreach (var kind in only ?? Enum.GetValues<MutationKind>().ToHashSet())
        {
            Assert.True(kinds.GetValueOrDefault(kind) > 0, $"the generator made no {kind} line");
        }

        var run = AdversarialHarness.Run(input, AdversarialHarness.Config(Db("fuzz")), _dir, abortAboveBytes: MemoryLimitBytes);

        var report = new StringBuilder();
        var byLine = inserted.ToDictionary(i => i.Line);
        Summarize(report, "internal errors (a crash inside the engine, counted per kind of line)",
            run.InternalErrors.Select(e => (byLine.TryGetValue(e.Line, out var i) ? i.Kind.ToString() : "clean line", $"line {e.Line}: {e.Error}")));

        // every invalid inserted line: an error line with exactly its number; nothing else gets one
        var expected = inserted.Where(i => MutationGenerator.IsInvalid(i.Kind)).Select(i => i.Line).ToHashSet();
        var errorCounts = run.Errors.GroupBy(e => e.Line).ToDictionary(g => g.Key, g => g.Count());
        var missing = expected.Where(l => !errorCounts.ContainsKey(l)).Select(l => byLine[l]).ToList();
        var unexpected = errorCounts.Keys.Where(l => !expected.Contains(l)).ToList();
        var repeated = errorCounts.Where(p => p.Value > 1).Select(p => p.Key).ToList();
        Summarize(report, "invalid lines accepted without an error line (break named by kind)", missing.Select(i => (i.Kind.ToString(), $"line {i.Line}: {i.Detail}")));
        Summarize(report, "error lines on lines that are valid (clean or valid-adversarial)",
            unexpected.Select(l => (byLine.TryGetValue(l, out var i) ? i.Kind.ToString() : "clean line", $"line {l}: {run.Errors.First(e => e.Line == l).Error}")));
        Summarize(report, "lines with more than one error line", repeated.Select(l => (byLine.TryGetValue(l, out var i) ? i.Kind.ToString() : "clean line", $"line {l}: {errorCounts[l]} error lines")));

        // the decisions' orders and fills are the clean stream's
        if (!clean.Trades.SequenceEqual(run.Trades))
        {
            report.AppendLine("orders/fills differ from the clean stream's:")
                .AppendLine("  extra:   " + AdversarialHarness.Describe(run.Trades.Except(clean.Trades).Take(15)))
                .AppendLine("  missing: " + AdversarialHarness.Describe(clean.Trades.Except(run.Trades)));
        }

        if (run.PeakManagedGrowthBytes > MemoryLimitBytes)
        {
            report.AppendLine($"managed memory grew by {run.PeakManagedGrowthBytes >> 20} MB (limit {MemoryLimitBytes >> 20} MB)");
        }

        Assert.Equal(run.Summary.Lines, scenario.Count(b => b == '\n') + insertionCount);
        Assert.True(report.Length == 0, $"{label}, seed 0x{seed:X}: {inserted.Count:N0} lines inserted ({string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))})\n{report}");
    }

    /// <summary>One paragraph per failure class: counts by kind and the first examples of each.</summary>
    private static void Summarize(StringBuilder report, string title, IEnumerable<(string Kind, string Example)> items)
    {
        var list = items.ToList();
        if (list.Count == 0)
        {
            return;
        }

        report.AppendLine($"{title}: {list.Count}");
        foreach (var group in list.GroupBy(i => i.Kind).OrderByDescending(g => g.Count()))
        {
            report.AppendLine($"  {group.Key}: {group.Count()}, e.g.");
            foreach (var (_, example) in group.Take(4))
            {
                report.AppendLine("    " + AdversarialHarness.Shorten(example));
            }
        }
    }
}
