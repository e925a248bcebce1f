using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution.Paper;
using SentryBrain.Tests.Engine;
using static SentryBrain.Tests.Engine.SeamStreams;

namespace SentryBrain.Tests.Learning;

/// <summary>Shadow strategies through <c>brain consume</c> (<see cref="ConsumeRunner"/>): the daily line, a restart, a corrupt file.</summary>
public sealed class ShadowConsumeTests : IDisposable
{
    private readonly ShadowFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The next day, 10:00 ET: ACME unchanged (nothing closes). A day's jump of the clock is taken at once.</summary>
    private static string NextDay => Quote(T0.AddDays(1), "ACME", 99.99, 100.00);

    private static byte[] Bytes(IEnumerable<string> lines) => Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");

    private static string[] Lines(byte[] input) => Encoding.UTF8.GetString(input).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static (string Ts, string Model, int Ghost, double GhostPct, int Live, double LivePct, bool Promote) Brief(JsonElement e)
        => (JournalRun.Str(e, "ts"), JournalRun.Str(e, "model"), e.GetProperty("ghost_trades").GetInt32(), Math.Round(e.GetProperty("ghost_return_pct").GetDouble(), 9),
            e.GetProperty("live_trades").GetInt32(), Math.Round(e.GetProperty("live_return_pct").GetDouble(), 9), e.GetProperty("promote").GetBoolean());

    /// <summary>
    /// After the three stopped round trips of <see cref="ConvictionConsumeTests.ThreeStopsThenABuy"/> (bought at 100.00,
    /// out at 98.99: −1.01 % each), every model has 3 trades at −1.01 %: tight (−0.5 %) and scalp (−1 %) stopped at the
    /// held price 98.99, wide (−1.5 %) closed with the live exit at 98.99; live the same. Σ = 3 · −1.01 = −3.03.
    /// </summary>
    private static readonly (string, string, int, double, int, double, bool)[] DayTwo =
    [
        ("2026-03-03T15:00:00Z", "tight", 3, -3.03, 3, -3.03, false),
        ("2026-03-03T15:00:00Z", "wide", 3, -3.03, 3, -3.03, false),
        ("2026-03-03T15:00:00Z", "scalp", 3, -3.03, 3, -3.03, false),
    ];

    [Fact]
    public void TheCheck_IsJournaledAtTheFirstTickOfEachTradingDate_WithTheDaysTrades()
    {
        var input = Bytes([.. Lines(ConvictionConsumeTests.ThreeStopsThenABuy()), NextDay]);

        using var run = JournalRun.Consume(input, ConsensusConfig(("SHADOW_DB_PATH", _dir.Db), ("CLOCK_JUMP_CONFIRM_SEC", "172800")), _ => PaperBroker.Open(":memory:", 100_000));

        Assert.Equal(
            [
                ("2026-03-02T15:00:00Z", "tight", 0, 0.0, 0, 0.0, false),
                ("2026-03-02T15:00:00Z", "wide", 0, 0.0, 0, 0.0, false),
                ("2026-03-02T15:00:00Z", "scalp", 0, 0.0, 0, 0.0, false),
                .. DayTwo,
            ],
            run.OfKind("shadow").Select(Brief));
        Assert.Empty(run.Errors);
        Assert.False(File.Exists(_dir.Db)); // an in-memory ledger keeps an in-memory book
    }

    private BrainConfig FileConfig() => ConsensusConfig(("PAPER_DB_PATH", Path.Combine(_dir.Path, "paper.db")), ("SHADOW_DB_PATH", _dir.Db), ("CLOCK_JUMP_CONFIRM_SEC", "172800"));

    private static JournalRun ConsumeOnLedger(byte[] input, BrainConfig config)
        => JournalRun.Consume(input, config, ts => ConsumeRunner.OpenDefaultBroker(config, ts, NullLogger.Instance));

    [Fact]
    public void ARestart_KeepsTheBook_TheNextDaysCheckCountsTheTradesOfTheRunBefore()
    {
        var config = FileConfig();
        var dayOne = Lines(ConvictionConsumeTests.ThreeStopsThenABuy())[..6]; // the three stopped round trips, flat at the end
        using (var first = ConsumeOnLedger(Bytes(dayOne), config))
        {
            Assert.Equal(3, first.Decisions("ACME", "sell").Count());
            Assert.Equal(3, first.OfKind("shadow").Count());
        }

        using (var sameDay = ConsumeOnLedger(Bytes([Quote(T0.AddMinutes(30), "ACME", 99.99, 100.00)]), config))
        {
            Assert.Empty(sameDay.OfKind("shadow")); // checked already today, before the restart
        }

        using var second = ConsumeOnLedger(Bytes([NextDay]), config);
        Assert.Equal(DayTwo, second.OfKind("shadow").Select(Brief));
    }

    [Fact]
    public void ACorruptFile_NeverStopsTheConsumer_TheBookStartsAgain()
    {
        File.WriteAllBytes(_dir.Db, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);
        var input = Bytes([.. Lines(ConvictionConsumeTests.ThreeStopsThenABuy()), NextDay]);

        using var run = ConsumeOnLedger(input, FileConfig());

        Assert.Empty(run.Errors);
        Assert.Equal(4, run.Decisions("ACME", "buy").Count());
        Assert.Equal(DayTwo, run.OfKind("shadow").Skip(3).Select(Brief));
        Assert.True(File.Exists(_dir.Db + ".corrupt"));
    }
}
