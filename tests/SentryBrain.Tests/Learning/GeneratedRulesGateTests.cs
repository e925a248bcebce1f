using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SentryBrain.Engine;
using SentryBrain.Journal;
using SentryBrain.Learning;
using SentryBrain.Strategy;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// <see cref="GeneratedRulesGate"/> in process: the cached file and its reloads, unusable files (reported once, every
/// buy allowed), and the <c>rule</c> journal lines written when the active set changes.
/// </summary>
public sealed class GeneratedRulesGateTests : IDisposable
{
    private static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);
    private static readonly DateOnly Day = new(2026, 3, 2);

    private readonly string _dir = Directory.CreateTempSubdirectory("sb-rules-").FullName;
    private readonly WarningLog _log = new();
    private readonly MemoryStream _journalStream = new();
    private readonly JournalWriter _journal;

    public GeneratedRulesGateTests()
    {
        _journal = new JournalWriter(_journalStream);
        Path = System.IO.Path.Combine(_dir, "rules.json");
    }

    private string Path { get; }

    public void Dispose()
    {
        _journal.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static DecisionSignals Hot(double atrPercentile = 90, double ofi = -0.2)
        => new(null, 0, 0, 50, null, 0, 100, null, AtrPercentile: atrPercentile, Ofi: ofi);

    private static string? Check(GeneratedRulesGate gate, DateTime at, DecisionSignals signals)
        => gate.Check(new PreTradeCheck("ACME", at, Day, 10, 100, signals));

    private static string RuleJson(string name, string feature, string op, double threshold, DateTime? expires = null)
        => string.Create(CultureInfo.InvariantCulture, $$"""{"name":"{{name}}","conditions":[{"feature":"{{feature}}","op":"{{op}}","threshold":{{threshold}}}]{{(expires is { } e ? $",\"expires_ts\":\"{e:yyyy-MM-ddTHH:mm:ssZ}\"" : string.Empty)}}}""");

    private static string FileJson(params string[] rules) => $$"""{"generated_rules":[{{string.Join(',', rules)}}]}""";

    private void Write(string text) => File.WriteAllText(Path, text);

    private GeneratedRulesGate NewGate() => new(Path, _log);

    /// <summary>The <c>rule</c> lines journaled since the last call: (ts, action, name, condition).</summary>
    private List<(string Ts, string Action, string Name, string Condition)> TakeRuleLines()
    {
        _journal.Flush();
        var text = Encoding.UTF8.GetString(_journalStream.ToArray());
        _journalStream.SetLength(0);
        var lines = new List<(string, string, string, string)>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            Assert.Equal("rule", e.GetProperty("kind").GetString());
            lines.Add((e.GetProperty("ts").GetString()!, e.GetProperty("action").GetString()!, e.GetProperty("name").GetString()!, e.GetProperty("condition").GetString()!));
        }

        return lines;
    }

    // ---- reloads -------------------------------------------------------------------------------------------

    [Fact]
    public void MissingFile_AllowsEveryBuy_ThenAGoodFile_BlocksWithTheRulesName()
    {
        var gate = NewGate();
        Assert.Null(Check(gate, T0, Hot()));

        Write(FileJson(RuleJson("hot_atr", "atr_percentile", ">=", 85)));
        Assert.Null(Check(gate, T0.AddMilliseconds(999), Hot())); // within the second: the file is not looked at again
        Assert.Equal("generated_rule:hot_atr", Check(gate, T0.AddSeconds(1), Hot()));
        Assert.Null(Check(gate, T0.AddSeconds(1), Hot(atrPercentile: 84.9))); // outside the region
        Assert.Empty(_log.Warnings); // a missing file is no problem
    }

    [Fact]
    public void WithTheConsumersClock_ALookAlsoWaitsASecondOfThatClock_SoAFastReplayDoesNotStatEveryEventSecond()
    {
        var wall = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(T0));
        var gate = new GeneratedRulesGate(Path, _log, wall);
        Assert.Null(Check(gate, T0, Hot())); // first look: no file

        Write(FileJson(RuleJson("hot_atr", "atr_percentile", ">=", 85)));
        Assert.Null(Check(gate, T0.AddHours(5), Hot())); // hours of event time, no wall time: not looked at
        wall.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Null(Check(gate, T0.AddHours(6), Hot()));
        wall.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("generated_rule:hot_atr", Check(gate, T0.AddHours(6), Hot())); // both clocks moved a second
    }

    [Fact]
    public void AChangedFile_IsReread_EvenWithTheSameWriteTime_WhenItsLengthChanged()
    {
        Write(FileJson(RuleJson("hot_atr", "atr_percentile", ">=", 85)));
        var stamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Path, stamp);
        var gate = NewGate();
        Assert.Equal("generated_rule:hot_atr", Check(gate, T0, Hot(atrPercentile: 90)));

        // rewritten within the same second of file time: threshold 85 → 95.5 (two characters longer)
        Write(FileJson(RuleJson("hot_atr", "atr_percentile", ">=", 95.5)));
        File.SetLastWriteTimeUtc(Path, stamp);
        Assert.Equal("generated_rule:hot_atr", Check(gate, T0.AddMilliseconds(500), Hot(atrPercentile: 90))); // not looked at yet
        Assert.Null(Check(gate, T0.AddSeconds(1), Hot(atrPercentile: 90)));
        Assert.Equal("generated_rule:hot_atr", Check(gate, T0.AddSeconds(1), Hot(atrPercentile: 95.5)));

        // same length, new write time: re-read too (threshold 95.5 → 97.5)
        Write(FileJson(RuleJson("hot_atr", "atr_percentile", ">=", 97.5)));
        File.SetLastWriteTimeUtc(Path, stamp.AddSeconds(1));
        Assert.Null(Check(gate, T0.AddSeconds(2), Hot(atrPercentile: 96)));
        Assert.Equal("generated_rule:hot_atr", Check(gate, T0.AddSeconds(2), Hot(atrPercentile: 97.5)));
    }

    [Fact]
    public void TheFirstMatchingRule_NamesTheHold()
    {
        Write(FileJson(RuleJson("ofi_negative", "ofi", "<", 0), RuleJson("hot_atr", "atr_percentile", ">=", 85)));
        var gate = NewGate();

        Assert.Equal("generated_rule:ofi_negative", Check(gate, T0, Hot(90, -0.2)));
        Assert.Equal("generated_rule:hot_atr", Check(gate, T0, Hot(90, 0.2)));
        Assert.Null(Check(gate, T0, Hot(50, 0.2)));
    }

    // ---- unusable files ------------------------------------------------------------------------------------

    [Fact]
    public void AMalformedFile_IsReportedOncePerContent_AllowsEveryBuy_AndAGoodVersionIsPickedUp()
    {
        Write(FileJson(RuleJson("hot_atr", "atr_percentile", ">=", 85)));
        var gate = NewGate();
        Assert.Equal("generated_rule:hot_atr", Check(gate, T0, Hot()));

        Write("{\"generated_rules\": [");
        Assert.Null(Check(gate, T0.AddSeconds(1), Hot())); // the last good rules are not kept: an unusable file allows
        Assert.Null(Check(gate, T0.AddSeconds(2), Hot()));
        File.SetLastWriteTimeUtc(Path, DateTime.UtcNow.AddMinutes(1)); // the same bad content again, a new version
        Assert.Null(Check(gate, T0.AddSeconds(3), Hot()));
        var warning = Assert.Single(_log.Warnings);
        Assert.Contains(Path, warning, StringComparison.Ordinal);
        Assert.Contains("not a rules file", warning, StringComparison.Ordinal);

        Write(FileJson(RuleJson("hot_atr", "atr_percentile_typo", ">=", 85))); // another problem: reported too
        Assert.Null(Check(gate, T0.AddSeconds(4), Hot()));
        Assert.Equal(2, _log.Warnings.Count);
        Assert.Contains("known feature", _log.Warnings[1], StringComparison.Ordinal);

        Write(FileJson(RuleJson("hot_atr", "atr_percentile", "<=", 85))); // a bad operator
        Assert.Null(Check(gate, T0.AddSeconds(5), Hot()));
        Assert.Equal(3, _log.Warnings.Count);

        Write(FileJson(RuleJson("hot_atr", "atr_percentile", ">=", 85)));
        Assert.Equal("generated_rule:hot_atr", Check(gate, T0.AddSeconds(6), Hot()));
        Assert.Equal(3, _log.Warnings.Count);
    }

    /// <summary>Hostile or broken files: each is reported once (over many buys and looks), allows every buy, never throws.</summary>
    [Theory]
    [InlineData("zero_conditions")]
    [InlineData("infinite_threshold")]
    [InlineData("nan_threshold")]
    [InlineData("null_rule")]
    [InlineData("too_many_rules")]
    [InlineData("huge_file")]
    [InlineData("directory")]
    [InlineData("binary")]
    public void AnUnusableFile_IsReportedOnce_AndAllows(string kind)
    {
        switch (kind)
        {
            case "zero_conditions":
                Write("""{"generated_rules":[{"name":"empty","conditions":[]}]}""");
                break;
            case "infinite_threshold":
                Write("""{"generated_rules":[{"name":"inf","conditions":[{"feature":"ofi","op":"<","threshold":1e999}]}]}""");
                break;
            case "nan_threshold":
                Write("""{"generated_rules":[{"name":"nan","conditions":[{"feature":"ofi","op":"<","threshold":"NaN"}]}]}""");
                break;
            case "null_rule":
                Write("""{"generated_rules":[null]}""");
                break;
            case "too_many_rules":
                Write(FileJson([.. Enumerable.Range(0, GeneratedRulesGate.MaxRules + 1).Select(i => RuleJson("r" + i, "atr_percentile", ">=", 0))]));
                break;
            case "huge_file":
                // valid JSON, but over the size limit: refused unread
                Write("{\"generated_rules\":[]," + new string(' ', (int)GeneratedRulesGate.MaxFileBytes) + "}");
                break;
            case "directory":
                Directory.CreateDirectory(Path);
                break;
            case "binary":
                File.WriteAllBytes(Path, [0xFF, 0xFE, 0x00, 0x01, 0x80, 0x7B]);
                break;
        }

        var gate = NewGate();
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(Check(gate, T0.AddSeconds(i), Hot()));
            gate.OnClock(T0.AddSeconds(i).AddMilliseconds(500), Day, _journal);
        }

        var warning = Assert.Single(_log.Warnings);
        Assert.Contains(Path, warning, StringComparison.Ordinal);
        Assert.Empty(TakeRuleLines());
    }

    [Fact]
    public void ThousandsOfRules_AreUsed_AndTheLastCanBlock()
    {
        var rules = Enumerable.Range(0, 5_000).Select(i => RuleJson("r" + i, "atr_percentile", ">=", 1_000 + i)).ToList();
        rules.Add(RuleJson("last", "ofi", "<", -0.1));
        Write(FileJson([.. rules]));
        var gate = NewGate();

        Assert.Equal("generated_rule:last", Check(gate, T0, Hot(90, -0.2)));
        Assert.Null(Check(gate, T0, Hot(90, 0)));
        Assert.Empty(_log.Warnings);
    }

    [Fact]
    public void AReadError_IsReportedOnce_AndAllows()
    {
        // Linux: /proc/self/mem exists and has a length of 0, but reading it at offset 0 fails (EIO), whoever runs the test.
        var gate = new GeneratedRulesGate("/proc/self/mem", _log);

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(Check(gate, T0.AddSeconds(i), Hot()));
        }

        var warning = Assert.Single(_log.Warnings);
        Assert.Contains("/proc/self/mem", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void LearningParts_PutTheRulesGateFirst_BeforeTheGatesAlreadyThere()
    {
        Write(FileJson(RuleJson("hot_atr", "atr_percentile", ">=", 85)));
        var config = SentryBrain.Config.BrainConfig.Load(SentryBrain.Config.ConfigSource.FromPairs(
            ("GENERATED_RULES_PATH", Path),
            ("EXPERIENCE_BUFFER_ENABLED", "false"), // nothing else of the learning loop: no files in the test's folder
            ("SHADOW_STRATEGY_ENABLED", "false"),
            ("OPTIMIZER_RUN_AT_ET", "")));
        var reserving = new ReservingGate();
        var owned = new List<IDisposable>();

        var parts = LearningParts.Add(new EngineParts { PreTradeGates = [reserving] }, config, _log, TimeProvider.System, owned);
        owned.ForEach(o => o.Dispose());

        var gate = Assert.IsType<GeneratedRulesGate>(parts.PreTradeGates[0]);
        Assert.Equal(Path, gate.Path);
        Assert.Same(reserving, parts.PreTradeGates[^1]);
        Assert.Equal("generated_rule:hot_atr", Check(gate, T0, Hot()));
    }

    private sealed class ReservingGate : IPreTradeGate
    {
        public string? Check(in PreTradeCheck check) => null;
    }

    // ---- journal -------------------------------------------------------------------------------------------

    [Fact]
    public void TheActiveSet_IsJournaledWhenItChanges_AndOnlyThen()
    {
        var expires = T0.AddMinutes(10);
        Write(FileJson(RuleJson("hot_atr", "atr_percentile", ">=", 85), RuleJson("ofi_negative", "ofi", "<", 0, expires)));
        var gate = NewGate();

        gate.OnClock(T0, Day, _journal);
        Assert.Equal(
            [
                ("2026-03-02T15:00:00Z", "active", "hot_atr", "atr_percentile >= 85"),
                ("2026-03-02T15:00:00Z", "active", "ofi_negative", "ofi < 0"),
            ],
            TakeRuleLines());

        // nothing changed: ticks (and a rewrite with the same rules) write nothing
        gate.OnClock(T0.AddSeconds(1), Day, _journal);
        gate.OnClock(T0.AddMinutes(5), Day, _journal);
        Write(FileJson(RuleJson("hot_atr", "atr_percentile", ">=", 85), RuleJson("ofi_negative", "ofi", "<", 0, expires)) + "\n");
        gate.OnClock(T0.AddMinutes(6), Day, _journal);
        Assert.Empty(TakeRuleLines());

        // expiry by time, at the first tick at or after expires_ts
        gate.OnClock(expires.AddTicks(-1), Day, _journal);
        Assert.Empty(TakeRuleLines());
        Assert.Equal("generated_rule:ofi_negative", Check(gate, expires.AddTicks(-1), Hot(50, -0.2)));
        gate.OnClock(expires, Day, _journal);
        Assert.Equal([("2026-03-02T15:10:00Z", "expired", "ofi_negative", "ofi < 0")], TakeRuleLines());
        Assert.Null(Check(gate, expires, Hot(50, -0.2)));
        gate.OnClock(expires.AddSeconds(1), Day, _journal);
        Assert.Empty(TakeRuleLines());

        // the file changes: one rule replaced
        Write(FileJson(RuleJson("rsi_low", "rsi", "<", 30)));
        gate.OnClock(expires.AddSeconds(2), Day, _journal);
        Assert.Equal(
            [
                ("2026-03-02T15:10:02Z", "removed", "hot_atr", "atr_percentile >= 85"),
                ("2026-03-02T15:10:02Z", "active", "rsi_low", "rsi < 30"),
            ],
            TakeRuleLines());

        // the file goes away: its rules are removed, once
        File.Delete(Path);
        gate.OnClock(expires.AddSeconds(3), Day, _journal);
        gate.OnClock(expires.AddSeconds(4), Day, _journal);
        Assert.Equal([("2026-03-02T15:10:03Z", "removed", "rsi_low", "rsi < 30")], TakeRuleLines());
    }

    [Fact]
    public void ARuleAlreadyExpired_WhenRead_IsNeverJournaledNorUsed()
    {
        Write(FileJson(RuleJson("old", "ofi", "<", 0, T0.AddDays(-1))));
        var gate = NewGate();

        gate.OnClock(T0, Day, _journal);
        Assert.Empty(TakeRuleLines());
        Assert.Null(Check(gate, T0, Hot(50, -0.2)));
    }

    /// <summary>Collects the warnings logged.</summary>
    private sealed class WarningLog : ILogger
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
