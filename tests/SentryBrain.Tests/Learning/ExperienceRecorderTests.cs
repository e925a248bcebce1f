using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Execution.Paper;
using SentryBrain.Learning;
using SentryBrain.Strategy;
using SentryBrain.Tests.Cli;
using SentryBrain.Tests.Engine;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// The live recorder: a line per fill, entries with their decision's signals, exits linked to their entry (features,
/// time, reason, price) with the P&amp;L of the closed quantity, across partial exits, adds and restarts.
/// </summary>
public sealed class ExperienceRecorderTests : IDisposable
{
    private static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    /// <summary>What the entry decision saw: every feature set, so a copy from anywhere else would show.</summary>
    private static readonly DecisionSignals EntrySignals = new(
        News: 0.25, Momentum: 0, Social: 0, Rsi: 41.5, RsiScore: null, PositiveSources: 3, Price: 100, PnlPct: null,
        AtrPct: 1.8, VwapDistancePct: -0.35, ZScore: -1.2, AtrPercentile: 72, StructureOk: true, TechnicalScore: 0.64,
        Ofi: 0.31, ProbGain: 0.57, MacdAboveZero: true, Regime: "trend", Setup: "green_light_4pt|regime=trend");

    /// <summary>What the exit decisions saw: different values, which must not reach the exit lines' features.</summary>
    private static readonly DecisionSignals ExitSignals = new(
        News: -0.9, Momentum: 0, Social: 0, Rsi: 77, RsiScore: null, PositiveSources: 0, Price: 103, PnlPct: 3,
        AtrPct: 4, ZScore: 2.5, Ofi: -0.8, Regime: "range", Setup: "scale_out_1pct|regime=range");

    private readonly TempFolder _dir = BrainCli.NewFolder();

    public void Dispose() => _dir.Dispose();

    private string BufferPath => _dir["data/experience_buffer.jsonl"];

    private ExperienceRecorder NewRecorder(IStateStore? store)
    {
        var recorder = new ExperienceRecorder(new ExperienceBuffer(BufferPath, 20_000), NullLogger.Instance);
        ((IEngineListener)recorder).Attach(store);
        return recorder;
    }

    private static void Trade(IFillObserver recorder, string id, OrderSide side, long qty, double price, DecisionSignals signals, string reason, DateTime ts, long qtyAfter, double entryAvg)
    {
        recorder.OnSubmitted(new OrderRequest(id, "AAPL", side, qty, OrderType.Market, null, reason), new Decision(side == OrderSide.Buy ? TradeAction.Buy : TradeAction.Sell, qty, reason, signals), ts);
        recorder.OnFill(new Fill(ts, id, "AAPL", side, qty, price), new FillContext(qtyAfter, side == OrderSide.Sell ? entryAvg : 0));
    }

    private List<ExperienceRecord> Lines() => [.. ExperienceFile.Read(BufferPath).Select(l => l.Record ?? throw new InvalidOperationException($"line {l.Number}: {l.Error}"))];

    [Fact]
    public void PartialExits_EachAreOneLine_WithTheirOwnPnl_AndTheEntrysFeatures()
    {
        var recorder = NewRecorder(null);
        Trade(recorder, "sb-buy", OrderSide.Buy, 10, 100, EntrySignals, "green_light_4pt", T0, qtyAfter: 10, entryAvg: 0);
        Trade(recorder, "sb-sell-1", OrderSide.Sell, 4, 103, ExitSignals, "scale_out_1pct", T0.AddMinutes(10), qtyAfter: 6, entryAvg: 100);
        Trade(recorder, "sb-sell-2", OrderSide.Sell, 6, 98, ExitSignals, "stop_loss", T0.AddMinutes(20), qtyAfter: 0, entryAvg: 100);

        var lines = Lines();
        Assert.Equal(["entry", "exit", "exit"], lines.Select(l => l.Action));
        var entry = lines[0];
        Assert.Equal("sb-buy", entry.TradeId);
        Assert.Equal("green_light_4pt", entry.Reason);
        Assert.Equal((100.0, 10L, "live"), (entry.Price, entry.Qty, entry.Source));
        AssertEntryFeatures(entry);

        // Sell 4 @ 103 against 100: (103 − 100) / 100 = +3 %, 4 × 3 = +$12.
        var first = lines[1];
        Assert.Equal(("sb-buy", "scale_out_1pct", 4L, 103.0), (first.TradeId, first.ExitReason, first.Qty, first.Price));
        Assert.Equal(3.0, first.PnlPct!.Value, 9);
        Assert.Equal(12.0, first.RealizedPl!.Value, 9);
        // Sell 6 @ 98 against 100: (98 − 100) / 100 = −2 %, 6 × −2 = −$12.
        var second = lines[2];
        Assert.Equal(("sb-buy", "stop_loss", 6L, 98.0), (second.TradeId, second.ExitReason, second.Qty, second.Price));
        Assert.Equal(-2.0, second.PnlPct!.Value, 9);
        Assert.Equal(-12.0, second.RealizedPl!.Value, 9);
        foreach (var exit in lines.Skip(1))
        {
            Assert.Equal((T0, "green_light_4pt", 100.0), (exit.EntryTs, exit.EntryReason, exit.EntryPrice));
            AssertEntryFeatures(exit); // the entry's, not the exit decision's
        }

        Assert.Empty(recorder.OpenTrades); // flat: the trade is closed
        Assert.Equal(0, recorder.PendingCount); // every order filled: nothing remembered
    }

    private static void AssertEntryFeatures(ExperienceRecord r)
    {
        Assert.Equal(-1.2, r.ZScore);
        Assert.Equal(41.5, r.Rsi);
        Assert.True(r.MacdAboveZero);
        Assert.Equal(0.31, r.Ofi);
        Assert.Equal(1.8, r.AtrPct);
        Assert.Equal(72, r.AtrPercentile);
        Assert.Equal(0.64, r.TechnicalScore);
        Assert.Equal(0.57, r.ProbGain);
        Assert.True(r.StructureOk);
        Assert.Equal("trend", r.Regime);
        Assert.Equal(0.25, r.Sentiment);
        Assert.Equal(-0.35, r.VwapDistancePct);
        Assert.Equal("green_light_4pt|regime=trend", r.Setup);
    }

    [Fact]
    public void ARestart_WithTheSamePaperLedger_KeepsTheExitLinkedToItsEntry()
    {
        var ledger = _dir["paper.db"];
        using (var broker = PaperBroker.Open(ledger, 100_000))
        {
            var before = NewRecorder(broker.State);
            Trade(before, "sb-buy", OrderSide.Buy, 10, 100, EntrySignals, "green_light_4pt", T0, qtyAfter: 10, entryAvg: 0);
            before.Dispose();
        }

        using (var broker = PaperBroker.Open(ledger, 100_000))
        {
            var after = NewRecorder(broker.State);
            Assert.Equal("sb-buy", after.OpenTrades["AAPL"].TradeId);
            Trade(after, "sb-sell", OrderSide.Sell, 10, 105, ExitSignals, "take_profit", T0.AddDays(1), qtyAfter: 0, entryAvg: 100);
            Assert.Empty(after.OpenTrades);
        }

        var exit = Lines()[1];
        Assert.Equal(("exit", "sb-buy", "take_profit"), (exit.Action, exit.TradeId, exit.ExitReason));
        Assert.Equal((T0, "green_light_4pt", 100.0), (exit.EntryTs, exit.EntryReason, exit.EntryPrice));
        Assert.Equal(5.0, exit.PnlPct!.Value, 9); // (105 − 100) / 100
        AssertEntryFeatures(exit);

        // The closed trade is gone from the ledger's state too: a third start has no open trade.
        using var third = PaperBroker.Open(ledger, 100_000);
        Assert.Empty(NewRecorder(third.State).OpenTrades);
    }

    [Fact]
    public void AnAdd_KeepsTheTradeId_AndTheNextTradeAfterFlatGetsANewOne()
    {
        var recorder = NewRecorder(null);
        Trade(recorder, "sb-a", OrderSide.Buy, 10, 100, EntrySignals, "green_light_4pt", T0, qtyAfter: 10, entryAvg: 0);
        Trade(recorder, "sb-b", OrderSide.Buy, 5, 106, ExitSignals, "pyramid", T0.AddMinutes(1), qtyAfter: 15, entryAvg: 0);
        // Avg entry (10 × 100 + 5 × 106) / 15 = 102; sell 15 @ 104.04: +2 %, 15 × 2.04 = $30.60.
        Trade(recorder, "sb-c", OrderSide.Sell, 15, 104.04, ExitSignals, "take_profit", T0.AddMinutes(2), qtyAfter: 0, entryAvg: 102);
        Trade(recorder, "sb-d", OrderSide.Buy, 3, 90, ExitSignals, "green_light_4pt", T0.AddMinutes(3), qtyAfter: 3, entryAvg: 0);

        var lines = Lines();
        Assert.Equal(["sb-a", "sb-a", "sb-a", "sb-d"], lines.Select(l => l.TradeId));
        Assert.Equal(77, lines[1].Rsi); // an add's entry line has its own decision's signals
        Assert.Equal(41.5, lines[2].Rsi); // the exit has the trade's first entry's
        Assert.Equal(2.0, lines[2].PnlPct!.Value, 9);
        Assert.Equal(30.6, lines[2].RealizedPl!.Value, 9);
        Assert.Equal(102, lines[2].EntryPrice);
        Assert.Equal("sb-d", recorder.OpenTrades["AAPL"].TradeId);
    }

    [Fact]
    public void AReSentExit_FindsTheDecisionOfTheExitItReplaces_AndAPartlyFilledOrderIsRememberedUntilItFills()
    {
        var recorder = NewRecorder(null);
        Trade(recorder, "sb-buy", OrderSide.Buy, 10, 100, EntrySignals, "green_light_4pt", T0, qtyAfter: 10, entryAvg: 0);
        recorder.OnSubmitted(new OrderRequest("sb-sell", "AAPL", OrderSide.Sell, 10, OrderType.Limit, 101, "take_profit"), new Decision(TradeAction.Sell, 10, "take_profit", ExitSignals), T0.AddMinutes(1));
        recorder.OnFill(new Fill(T0.AddMinutes(1), "sb-sell", "AAPL", OrderSide.Sell, 4, 101), new FillContext(6, 100));
        Assert.Equal(1, recorder.PendingCount); // 6 of 10 still open
        // The limit went stale; the rest is re-sent at market as sb-sell-r1 (not submitted through OnSubmitted).
        recorder.OnFill(new Fill(T0.AddMinutes(2), "sb-sell-r1", "AAPL", OrderSide.Sell, 6, 100.5), new FillContext(0, 100));

        var lines = Lines();
        Assert.Equal(["take_profit", "take_profit"], lines.Skip(1).Select(l => l.ExitReason));
        Assert.All(lines, l => Assert.Equal("sb-buy", l.TradeId));
        Assert.Equal(0, recorder.PendingCount);
    }

    [Fact]
    public void FillsWithoutAKnownDecisionOrEntry_AreStillOneLineEach_WithoutFeatures()
    {
        var recorder = NewRecorder(null);
        // A position adopted at start-up: its sell has no entry; a buy whose submission was before a restart has no decision.
        recorder.OnFill(new Fill(T0, "sb-old-s", "AAPL", OrderSide.Sell, 5, 110), new FillContext(0, 100));
        recorder.OnFill(new Fill(T0, "sb-old-s-r2", "AAPL", OrderSide.Sell, 1, 110), new FillContext(0, 100));
        recorder.OnFill(new Fill(T0, "sb-old-b", "AAPL", OrderSide.Buy, 5, 100), new FillContext(5, 0));

        var lines = Lines();
        Assert.Equal(("exit", null, "unknown"), (lines[0].Action, lines[0].TradeId, lines[0].ExitReason));
        Assert.Equal(10.0, lines[0].PnlPct!.Value, 9); // still against the broker's average entry
        Assert.Equal("exit_reprice", lines[1].ExitReason);
        Assert.Equal(("entry", "sb-old-b", "unknown"), (lines[2].Action, lines[2].TradeId, lines[2].Reason));
        Assert.All(lines, l => Assert.False(ExperienceFile.HasFeatures(l)));
    }

    [Fact]
    public void RememberedDecisions_AreBounded_ByCountAndAge()
    {
        var recorder = NewRecorder(null);
        for (var i = 0; i < 3 * ExperienceRecorder.MaxPending; i++)
        {
            // Rejected or expired orders: submitted, never filled.
            recorder.OnSubmitted(new OrderRequest($"sb-{i}", "AAPL", OrderSide.Buy, 1, OrderType.Market, null, "x"), new Decision(TradeAction.Buy, 1, "x", EntrySignals), T0.AddSeconds(i));
            Assert.True(recorder.PendingCount <= ExperienceRecorder.MaxPending, $"{recorder.PendingCount} remembered after {i + 1} submissions");
        }

        recorder.OnSubmitted(new OrderRequest("sb-late", "AAPL", OrderSide.Buy, 1, OrderType.Market, null, "x"), new Decision(TradeAction.Buy, 1, "x", EntrySignals), T0.AddDays(4));
        Assert.Equal(1, recorder.PendingCount); // everything older than 3 days is forgotten
    }

    [Fact]
    public void AFailingWrite_IsLoggedOnce_AndNeverThrows()
    {
        File.WriteAllText(_dir["blocker"], "a file where the buffer's folder should be");
        var logs = new StringBuilder();
        var recorder = new ExperienceRecorder(new ExperienceBuffer(_dir["blocker/experience_buffer.jsonl"], 100), new SecretsTests.CapturingLogger(logs));

        for (var i = 0; i < 3; i++)
        {
            Trade(recorder, $"sb-{i}", OrderSide.Buy, 1, 100, EntrySignals, "green_light_4pt", T0.AddMinutes(i), qtyAfter: i + 1, entryAvg: 0);
        }

        Assert.Equal(3, recorder.Failed);
        Assert.Equal(0, recorder.Written);
        var warnings = logs.ToString().Split('\n').Count(l => l.Contains("cannot write", StringComparison.Ordinal));
        Assert.Equal(1, warnings);

        // The disk is fixed: the next fill is written, and the recovery is said once.
        File.Delete(_dir["blocker"]);
        Trade(recorder, "sb-3", OrderSide.Sell, 3, 101, ExitSignals, "take_profit", T0.AddMinutes(5), qtyAfter: 0, entryAvg: 100);
        recorder.Dispose();
        Assert.Equal((1L, 3L), (recorder.Written, recorder.Failed));
        Assert.Contains("writable again after 3 failed writes", logs.ToString(), StringComparison.Ordinal);
        var exit = Assert.Single(ExperienceFile.Read(_dir["blocker/experience_buffer.jsonl"])).Record!;
        Assert.Equal(("exit", "sb-0"), (exit.Action, exit.TradeId)); // the trade's entry was remembered though its line was lost
    }
}
