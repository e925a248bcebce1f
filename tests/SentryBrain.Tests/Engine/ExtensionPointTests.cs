using System.Text.Json;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Execution.Paper;
using SentryBrain.Rules;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Strategy;
using static SentryBrain.Tests.Engine.SeamStreams;

namespace SentryBrain.Tests.Engine;

/// <summary>
/// The extension points (<see cref="EngineParts"/>) through <see cref="BrainEngine"/>, fed NDJSON lines: pre-trade
/// gates, the size multiplier, fill observers, the watchlist provider and the news scorer; and their implementations
/// of today (<see cref="SizeMultipliers"/>, <see cref="ActiveSymbols"/>, <see cref="SharedAccountGate"/>,
/// <see cref="RoundTripRecorder"/>).
/// </summary>
public sealed class ExtensionPointTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "extension-points-" + Guid.NewGuid().ToString("N"));

    public ExtensionPointTests()
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

    private static string Str(JsonElement e, string name) => GreenLightRun.Str(e, name);

    private static (string Ts, string Action, long Qty, string Reason) Brief(JsonElement d)
        => (Str(d, "ts"), Str(d, "action"), d.GetProperty("qty").GetInt64(), Str(d, "reason"));

    /// <summary>One ACME quote that the consensus strategy buys: 12 shares, limit 100.05, filled at the ask 100.00.</summary>
    private static string[] OneBuy => [Quote(T0, "ACME", 99.99, 100.00, Up, Up)];

    // ---- pre-trade gates ---------------------------------------------------------------------------------

    private sealed class Gate(string? refusal) : IPreTradeGate
    {
        public List<PreTradeCheck> Checks { get; } = [];

        public string? Check(in PreTradeCheck check)
        {
            Checks.Add(check);
            return refusal;
        }
    }

    [Fact]
    public void Gate_ThatRefuses_TurnsTheBuyIntoAJournaledHoldWithItsReason_AndNoOrder()
    {
        var gate = new Gate("rule_17_blocked");

        using var run = Run(OneBuy, ConsensusConfig(), new EngineParts { PreTradeGates = [gate] });

        Assert.Equal([("2026-03-02T15:00:00Z", "hold", 12L, "rule_17_blocked")], run.Decisions().Select(Brief));
        Assert.Empty(run.OfKind("order"));
        Assert.Empty(run.Broker!.Positions);
        // the gate saw the sized buy at its limit price
        var check = Assert.Single(gate.Checks);
        Assert.Equal(("ACME", T0, Day, 12L, 100.05), (check.Symbol, check.Time, check.TradingDate, check.Qty, check.Price));
        Assert.Equal(0.8, check.Signals.Momentum, 12);
    }

    [Fact]
    public void Gates_RunInOrder_TheFirstRefusalWins_AndLaterGatesAreNotAsked()
    {
        var pass = new Gate(null);
        var first = new Gate("first_no");
        var second = new Gate("second_no");

        using var run = Run(OneBuy, ConsensusConfig(), new EngineParts { PreTradeGates = [pass, first, second] });

        Assert.Equal("first_no", Str(Assert.Single(run.Decisions()), "reason"));
        Assert.Equal((1, 1, 0), (pass.Checks.Count, first.Checks.Count, second.Checks.Count));
    }

    [Fact]
    public void Gates_ThatAllPass_LetTheBuyThrough()
    {
        var a = new Gate(null);
        var b = new Gate(null);

        using var run = Run(OneBuy, ConsensusConfig(), new EngineParts { PreTradeGates = [a, b] });

        Assert.Equal([("2026-03-02T15:00:00Z", "buy", 12L, "consensus_buy")], run.Decisions().Select(Brief));
        Assert.Single(run.OfKind("order"));
        Assert.Equal(12, run.Broker!.PositionOf("ACME")!.Qty);
    }

    [Fact]
    public void SharedAccountGate_RunsAfterTheConfiguredGates_AndReservesOnlyForABuyTheyLetThrough()
    {
        var limits = new LocalAccountLimits();
        var refuse = new Gate("mine_first");

        using (var run = Run(OneBuy, ConsensusConfig(), new EngineParts { PreTradeGates = [refuse] }, setUp: e =>
        {
            e.SharedLimits = limits;
            e.AccountDailyBuyLimit = 10_000;
        }))
        {
            Assert.Equal("mine_first", Str(Assert.Single(run.Decisions()), "reason"));
            Assert.Equal(0, limits.Spent(Day)); // the account gate was never asked: nothing reserved
        }

        using (var run = Run(OneBuy, ConsensusConfig(), new EngineParts { PreTradeGates = [new Gate(null)] }, setUp: e =>
        {
            e.SharedLimits = limits;
            e.AccountDailyBuyLimit = 10_000;
        }))
        {
            Assert.Equal("buy", Str(Assert.Single(run.Decisions()), "action"));
            Assert.Equal(12 * 100.05, limits.Spent(Day), 9); // reserved at the limit price
        }

        limits.Halt(Day, "drawdown");
        using (var run = Run(OneBuy, ConsensusConfig(), new EngineParts { PreTradeGates = [new Gate(null)] }, setUp: e => e.SharedLimits = limits))
        {
            Assert.Equal("account_halted: drawdown", Str(Assert.Single(run.Decisions()), "reason"));
        }
    }

    [Fact]
    public void SharedAccountGate_RefusesABuyOverTheDailyBuyLimit()
    {
        var limits = new LocalAccountLimits();
        Assert.True(limits.TryReserveBuy(Day, 9_000, 10_000));

        using var run = Run(OneBuy, ConsensusConfig(), new EngineParts(), setUp: e =>
        {
            e.SharedLimits = limits;
            e.AccountDailyBuyLimit = 10_000; // 9 000 + 12 × 100.05 = 10 200.60 > 10 000
        });

        Assert.Equal("account_daily_buy_limit", Str(Assert.Single(run.Decisions()), "reason"));
        Assert.Equal(9_000, limits.Spent(Day));
    }

    // ---- size multiplier ---------------------------------------------------------------------------------

    private sealed class FixedMultiplier(double value) : ISizeMultiplier
    {
        public double Multiplier(string symbol, in Decision decision) => value;
    }

    [Theory]
    [InlineData(1.0, 12L)]
    [InlineData(0.5, 6L)]     // 12 · 0.5
    [InlineData(0.3, 3L)]     // floor(3.6)
    [InlineData(10.0, 36L)]   // capped at SizeMultipliers.Max = 3: 12 · 3
    public void SizeMultiplier_ScalesTheSizedBuy_FlooredAndCapped(double multiplier, long qty)
    {
        using var run = Run(OneBuy, ConsensusConfig(), new EngineParts { SizeMultiplier = new FixedMultiplier(multiplier) });

        Assert.Equal([("2026-03-02T15:00:00Z", "buy", qty, "consensus_buy")], run.Decisions().Select(Brief));
        Assert.Equal(qty, Assert.Single(run.OfKind("order")).GetProperty("qty").GetInt64());
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1.0)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(0.0)]
    [InlineData(0.08)] // floor(0.96) = 0
    public void SizeMultiplier_BrokenOrTooSmall_GivesNoBuy(double multiplier)
    {
        using var run = Run(OneBuy, ConsensusConfig(), new EngineParts { SizeMultiplier = new FixedMultiplier(multiplier) });

        Assert.Equal("size_below_one_share", Str(Assert.Single(run.Decisions()), "reason"));
        Assert.Empty(run.OfKind("order"));
    }

    [Fact]
    public void SizeMultiplier_CashStillBoundsTheResult()
    {
        // 30 000 cash, 27 500 of it in 500 BOLT at 55: equity 30 000 sizes 30 000 · 5 % / 100 = 15 → 12, · 3 = 36 wanted,
        // but the 2 500 cash left pays for floor(2 500 / 100.05) = 24.
        var broker = PaperBroker.Open(":memory:", 30_000);
        broker.OnQuote("BOLT", 54.99, 55.00, T0.AddMinutes(-5));
        broker.Submit(new OrderRequest("earlier-buy", "BOLT", OrderSide.Buy, 500, OrderType.Market, null, "manual"), T0.AddMinutes(-5));
        Assert.Equal(2_500, broker.Cash);

        using var run = Run(OneBuy, ConsensusConfig(), new EngineParts { SizeMultiplier = new FixedMultiplier(3) }, _ => broker);

        Assert.Equal(24, Assert.Single(run.Decisions("ACME", "buy")).GetProperty("qty").GetInt64());
    }

    [Theory]
    [InlineData(7, 1.0, 7)]
    [InlineData(7, 2.0, 14)]
    [InlineData(7, 3.0, 21)]
    [InlineData(7, 3.5, 21)]
    [InlineData(7, 1e300, 21)]
    [InlineData(7, 0.99, 6)]
    [InlineData(7, 1e-9, 0)]
    [InlineData(7, -0.5, 0)]
    [InlineData(0, 2.0, 0)]
    public void SizeMultipliers_Apply(long qty, double multiplier, long expected)
    {
        Assert.Equal(3.0, SizeMultipliers.Max);
        Assert.Equal(expected, SizeMultipliers.Apply(qty, multiplier));
    }

    [Fact]
    public void UnitSize_IsOne()
        => Assert.Equal(1.0, UnitSize.Instance.Multiplier("ACME", new Decision(TradeAction.Buy, 5, "x", default)));

    // ---- fill observers ----------------------------------------------------------------------------------

    [Fact]
    public void FillObservers_SeeEveryFillOnce_InJournalOrder()
    {
        var first = new RecordingObserver();
        var second = new RecordingObserver();
        string[] lines =
        [
            Quote(T0, "ACME", 99.99, 100.00, Up, Up),                   // buy 12 ACME at 100.00
            Quote(T0.AddSeconds(1), "BOLT", 49.99, 50.00, Up, Up),      // buy 12 BOLT at 50.00
            Quote(T0.AddSeconds(2), "ACME", 102.50, 102.51),            // +2.5 % ≥ TAKE_PROFIT_PCT 2: sell 12 at 102.50
        ];

        using var run = Run(lines, ConsensusConfig(("TAKE_PROFIT_PCT", "2")), new EngineParts { FillObservers = [first, second] });

        var journaled = run.OfKind("fill").Select(f => (Str(f, "client_order_id"), Str(f, "side"), f.GetProperty("qty").GetInt64(), f.GetProperty("price").GetDouble())).ToList();
        Assert.Equal(
            [
                ("sb-20260302T1500000000000-ACME-b", "buy", 12L, 100.00),
                ("sb-20260302T1500010000000-BOLT-b", "buy", 12L, 50.00),
                ("sb-20260302T1500020000000-ACME-s", "sell", 12L, 102.50),
            ],
            journaled);
        Assert.Equal(journaled, first.Seen.Select(s => (s.Fill.ClientOrderId, s.Fill.Side.Wire(), s.Fill.Qty, s.Fill.Price)));
        Assert.Equal(
            [new FillContext(12, 0), new FillContext(12, 0), new FillContext(0, 100.00)],
            first.Seen.Select(s => s.Context));
        Assert.Equal(first.Seen, second.Seen);
    }

    [Fact]
    public void RoundTripRecorder_RecordsEachSellAgainstItsEntry_AndKeepsItInTheStore()
    {
        var store = new CountingStore();
        var recorder = new RoundTripRecorder(store);
        var at = T0;

        recorder.OnFill(new Fill(at, "b", "ACME", OrderSide.Buy, 10, 100), new FillContext(10, 0));       // a buy: nothing
        recorder.OnFill(new Fill(at, "s0", "ACME", OrderSide.Sell, 5, 110), new FillContext(5, 0));       // entry unknown: nothing
        recorder.OnFill(new Fill(at, "s1", "ACME", OrderSide.Sell, 5, 102.5), new FillContext(0, 100));   // +2.5 %
        recorder.OnFill(new Fill(at, "s2", "BOLT", OrderSide.Sell, 5, 48), new FillContext(0, 50));       // −4 %

        Assert.Equal(2, recorder.Returns.Count);
        Assert.Equal(2.5, recorder.Returns[0], 9);
        Assert.Equal(-4.0, recorder.Returns[1], 9);
        Assert.Equal(2, store.Saves);
        Assert.Equal(recorder.Returns, new RoundTripRecorder(store).Returns); // round-trip exact ("R")
    }

    [Fact]
    public void RoundTripRecorder_KeepsTheLast500()
    {
        var recorder = new RoundTripRecorder(null);
        for (var i = 1; i <= RoundTripRecorder.MaxRoundTrips + 2; i++)
        {
            recorder.OnFill(new Fill(T0, "s", "ACME", OrderSide.Sell, 1, 100 + i), new FillContext(0, 100)); // +i %
        }

        Assert.Equal(500, recorder.Returns.Count);
        Assert.Equal(3.0, recorder.Returns[0], 9);
        Assert.Equal(502.0, recorder.Returns[^1], 9);
    }

    // ---- watchlist -----------------------------------------------------------------------------------------

    private sealed class FixedWatchlist(params string[] symbols) : IWatchlistProvider
    {
        public IReadOnlySet<string>? Active { get; } = new HashSet<string>(symbols, StringComparer.Ordinal);

        public List<DateTime> Refreshes { get; } = [];

        public void Refresh(DateTime now) => Refreshes.Add(now);
    }

    [Fact]
    public void Watchlist_BlocksBuysOfSymbolsNotOnIt_WhileExitsOfHeldSymbolsStillGoOut()
    {
        var broker = PaperBroker.Open(":memory:", 100_000);
        broker.OnQuote("BOLT", 49.99, 50.00, T0.AddMinutes(-5));
        broker.Submit(new OrderRequest("earlier-buy", "BOLT", OrderSide.Buy, 10, OrderType.Market, null, "manual"), T0.AddMinutes(-5));
        var watchlist = new FixedWatchlist("ACME");
        string[] lines =
        [
            Quote(T0, "CRUX", 19.99, 20.00, Up, Up),                   // not on the list: hold
            Quote(T0.AddSeconds(1), "ACME", 99.99, 100.00, Up, Up),    // on the list: buy
            Quote(T0.AddSeconds(2), "BOLT", 51.50, 51.51),             // held, +3 % ≥ 2 %: the exit goes out
        ];

        using var run = Run(lines, ConsensusConfig(("TAKE_PROFIT_PCT", "2")), new EngineParts { Watchlist = watchlist }, _ => broker);

        Assert.Equal(
            [
                ("2026-03-02T15:00:00Z", "hold", 0L, "not_on_watchlist"),
                ("2026-03-02T15:00:01Z", "buy", 12L, "consensus_buy"),
                ("2026-03-02T15:00:02Z", "sell", 10L, "take_profit"),
            ],
            run.Decisions().Select(Brief));
        Assert.Equal(["ACME", "BOLT"], run.OfKind("order").Select(o => Str(o, "symbol")));
        Assert.Null(broker.PositionOf("BOLT"));
        Assert.Equal([T0, T0.AddSeconds(1), T0.AddSeconds(2)], watchlist.Refreshes); // once per clock tick, in event time
    }

    [Fact]
    public void ActiveSymbols_ReReadsTheFileAtMostEvery5SecondsOfEventTime()
    {
        var path = Path.Combine(_dir, "active.txt");
        File.WriteAllText(path, "# the screener's list\n acme \n\n");
        var written = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);
        var active = new ActiveSymbols(path);

        active.Refresh(T0);
        Assert.Equal(["ACME"], active.Symbols!.Order());
        IWatchlistProvider provider = active;
        Assert.Same(active.Symbols, provider.Active);

        File.WriteAllText(path, "CRUX\n");
        File.SetLastWriteTimeUtc(path, written.AddMinutes(1));
        active.Refresh(T0.AddSeconds(4.999));
        Assert.Equal(["ACME"], active.Symbols!.Order()); // not checked yet
        active.Refresh(T0.AddSeconds(5));
        Assert.Equal(["CRUX"], active.Symbols!.Order());

        File.Delete(path);
        active.Refresh(T0.AddSeconds(10));
        Assert.Equal(["CRUX"], active.Symbols!.Order()); // a missing file keeps the last list
    }

    [Fact]
    public void ActiveSymbols_ThroughTheEngine_TheNewListAppliesFromTheFirstEventFiveSecondsLater()
    {
        var path = Path.Combine(_dir, "active.txt");
        File.WriteAllText(path, "ACME\n");
        var written = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);
        var active = new ActiveSymbols(path);
        active.Load();

        var lines = new (string Line, Action? Before)[]
        {
            (Quote(T0, "CRUX", 19.99, 20.00, Up, Up), null),
            (Quote(T0.AddSeconds(4), "CRUX", 19.99, 20.00, Up, Up), () =>
            {
                File.WriteAllText(path, "CRUX\n");
                File.SetLastWriteTimeUtc(path, written.AddMinutes(1));
            }),
            (Quote(T0.AddSeconds(5), "CRUX", 19.99, 20.00, Up, Up), null),
        };
        using var run = RunWithHooks(lines, new EngineParts { Watchlist = active });

        // 4 s: the file changed, but was checked at 0 s; the hold repeats and is not journaled again
        Assert.Equal(
            [("2026-03-02T15:00:00Z", "hold", 0L, "not_on_watchlist"), ("2026-03-02T15:00:05Z", "buy", 12L, "consensus_buy")],
            run.Decisions().Select(Brief));
    }

    /// <summary>Like <see cref="SeamStreams.Run"/>, with an action run before a line is processed (a file changes mid-run).</summary>
    private static GreenLightRun RunWithHooks(IEnumerable<(string Line, Action? Before)> lines, EngineParts parts)
    {
        var queue = new Queue<(string Line, Action? Before)>(lines);
        return Run(Enumerate(), ConsensusConfig(), parts);

        IEnumerable<string> Enumerate()
        {
            while (queue.Count > 0)
            {
                var (line, before) = queue.Dequeue();
                before?.Invoke();
                yield return line;
            }
        }
    }

    // ---- news scorer -------------------------------------------------------------------------------------

    private sealed class FixedScorer(double score) : ISentimentModel
    {
        public List<string> Scored { get; } = [];

        public string Name => "fixed";

        public bool IsFast => true;

        public void Score(IReadOnlyList<string> texts, Span<SentimentResult> results)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                Scored.Add(texts[i]);
                results[i] = new SentimentResult(score, SentimentLabel.Neutral);
            }
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public void NewsScorer_ItsScoreTripsTheNewsKillSwitch_ForTheNewsSymbols()
    {
        // A headline VADER would score positive; the custom scorer says −1.
        var scorer = new FixedScorer(-1);
        string[] lines =
        [
            News(T0, "CRUX", "CRUX wins award for great products"),
            Quote(T0.AddSeconds(1), "CRUX", 19.99, 20.00, Up, Up),
            Quote(T0.AddSeconds(2), "ACME", 99.99, 100.00, Up, Up),
        ];

        using var run = Run(lines, ConsensusConfig(), new EngineParts { Sentiment = scorer });

        Assert.Equal(["CRUX wins award for great products"], scorer.Scored);
        Assert.Equal("kill_switch_news", Str(Assert.Single(run.Decisions("CRUX")), "reason"));
        Assert.Equal(-1.0, Assert.Single(run.Decisions("CRUX")).GetProperty("signals").GetProperty("news").GetDouble());
        Assert.Equal("consensus_buy", Str(Assert.Single(run.Decisions("ACME")), "reason"));
        Assert.Equal("kill_switch_news", run.Engine!.Risk.KillReason("CRUX"));
    }

    [Fact]
    public void NewsScorer_ItsScoreIsTheNewsSignalTheConsensusStrategySees()
    {
        // Flat returns: momentum 0 < 0.15. The news score 0.42 ≥ 0.15 is the one positive source: a buy.
        string[] lines =
        [
            Quote(T0, "ACME", 99.99, 100.00),
            News(T0.AddSeconds(1), "ACME", "ACME files a routine report"),
        ];

        using var run = Run(lines, ConsensusConfig(), new EngineParts { Sentiment = new FixedScorer(0.42) });

        var decisions = run.Decisions("ACME").ToList();
        Assert.Equal(["consensus_not_met", "consensus_buy"], decisions.Select(d => Str(d, "reason")));
        Assert.Equal(0.42, decisions[1].GetProperty("signals").GetProperty("news").GetDouble());
        Assert.Null(run.Engine!.Risk.KillReason("ACME"));
    }

    [Fact]
    public void Vader_IsTheDefaultNewsModel_ScoringOnTheLoop()
    {
        Assert.Same(VaderSentimentModel.Default, new EngineParts().Sentiment);
        Assert.True(new EngineParts().Sentiment.IsFast);
        Assert.False(new EngineParts().WaitForSentiment);
    }
}
