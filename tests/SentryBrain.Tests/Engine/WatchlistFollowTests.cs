using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Execution.Paper;
using SentryBrain.Journal;
using static SentryBrain.Tests.Engine.SeamStreams;

namespace SentryBrain.Tests.Engine;

/// <summary>
/// Issue 12, "the consumer follows the list": <see cref="ActiveSymbols"/> (file and in-process publish), the
/// <c>screen</c> journal line of each change, buys only in listed symbols while held symbols off the list keep their
/// exits, and every per-symbol table pruned at once to listed, held and open-order symbols.
/// </summary>
public sealed class WatchlistFollowTests : IDisposable
{
    private static readonly DateTime Written = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "watchlist-follow-" + Guid.NewGuid().ToString("N"));

    public WatchlistFollowTests()
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

    private string ListPath => Path.Combine(_dir, "active.txt");

    private static string Str(JsonElement e, string name) => GreenLightRun.Str(e, name);

    private static string[] Strings(JsonElement line, string name) => [.. line.GetProperty(name).EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>(symbol, ts, action, qty, reason) of a decision line.</summary>
    private static (string Symbol, string Ts, string Action, long Qty, string Reason) Brief(JsonElement d)
        => (Str(d, "symbol"), Str(d, "ts"), Str(d, "action"), d.GetProperty("qty").GetInt64(), Str(d, "reason"));

    /// <summary>(source, symbols, added, removed) of a change, the lists joined with commas.</summary>
    private static (string Source, string Symbols, string Added, string Removed) Brief(WatchlistChange change)
        => (change.Source, string.Join(',', change.Symbols), string.Join(',', change.Added), string.Join(',', change.Removed));

    /// <summary>(source, symbols, added, removed, reasons or null) of a screen line.</summary>
    private static (string Source, string Symbols, string Added, string Removed, string? Reasons) Screen(JsonElement line)
        => (Str(line, "source"),
            string.Join(',', Strings(line, "symbols")),
            string.Join(',', Strings(line, "added")),
            string.Join(',', Strings(line, "removed")),
            line.TryGetProperty("reasons", out var reasons) ? reasons.GetRawText() : null);

    /// <summary>Writes the list the way a discovery job should: a temporary file with its modification time set, then a rename.</summary>
    private static void WriteList(string path, string text, DateTime modified)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.SetLastWriteTimeUtc(temp, modified);
        File.Move(temp, path, overwrite: true);
    }

    // ---- ActiveSymbols -----------------------------------------------------------------------------------

    [Fact]
    public void ActiveSymbols_TheFirstListIsAChange_ThenOnlyADifferentSetOfSymbolsIs()
    {
        WriteList(ListPath, "bbb\n# comment\n aaa \n", Written);
        var active = new ActiveSymbols(ListPath);
        Assert.Null(active.TakeChange()); // nothing read yet

        active.Load();
        var first = active.TakeChange()!;
        Assert.Equal(("file", "AAA,BBB", "AAA,BBB", ""), Brief(first));
        Assert.Null(first.Reasons);
        Assert.Null(active.TakeChange()); // taken

        File.SetLastWriteTimeUtc(ListPath, Written.AddMinutes(1)); // touched, same content
        active.Refresh(T0);
        Assert.Equal(Written.AddMinutes(1), active.FileWriteTimeUtc);
        WriteList(ListPath, "BBB\nAAA\nbbb\n", Written.AddMinutes(2)); // rewritten: same set, other order, case, a duplicate
        active.Refresh(T0.AddSeconds(5));
        Assert.Equal(Written.AddMinutes(2), active.FileWriteTimeUtc);
        Assert.Null(active.TakeChange());

        WriteList(ListPath, "AAA\nCCC\n", Written.AddMinutes(3));
        active.Refresh(T0.AddSeconds(10));
        var second = active.TakeChange()!;
        Assert.Equal(("file", "AAA,CCC", "CCC", "BBB"), Brief(second));

        // Changed and changed back before the engine took it: no change.
        WriteList(ListPath, "DDD\n", Written.AddMinutes(4));
        active.Load();
        WriteList(ListPath, "AAA\nCCC\n", Written.AddMinutes(5));
        active.Load();
        Assert.Null(active.TakeChange());
        Assert.Equal(["AAA", "CCC"], active.Symbols!.Order());
    }

    [Fact]
    public void ActiveSymbols_Publish_AppliesAtTheNextRefresh_WithItsReasons_AndTheJobsFileCopyIsNoSecondChange()
    {
        WriteList(ListPath, "AAA\n", Written);
        var active = new ActiveSymbols(ListPath);
        active.Refresh(T0);
        Assert.NotNull(active.TakeChange());

        active.Publish([" bbb", "CCC", "# not a symbol"], new Dictionary<string, string> { ["bbb"] = "|Z|=2.31 vol=1.42x", ["CCC"] = "|Z|=2.05 vol=3.10x", ["ZZZ"] = "not on the list" });
        Assert.True(active.PublishPending);
        Assert.Equal(["AAA"], active.Symbols!.Order()); // not before the event loop's next refresh
        active.Refresh(T0.AddMilliseconds(1)); // well within the 5 s check interval
        Assert.False(active.PublishPending);
        var change = active.TakeChange()!;
        Assert.Equal(("discovery", "BBB,CCC", "BBB,CCC", "AAA"), Brief(change));
        Assert.Equal(new Dictionary<string, string> { ["BBB"] = "|Z|=2.31 vol=1.42x", ["CCC"] = "|Z|=2.05 vol=3.10x" }, change.Reasons);

        // The job's own copy in the file, then the same set published again with other reasons: no change.
        WriteList(ListPath, "BBB\nCCC\n", Written.AddMinutes(1));
        active.Refresh(T0.AddSeconds(5));
        Assert.Equal(Written.AddMinutes(1), active.FileWriteTimeUtc);
        active.Publish(["CCC", "BBB"], new Dictionary<string, string> { ["BBB"] = "other" });
        active.Refresh(T0.AddSeconds(6));
        Assert.Null(active.TakeChange());

        // Published, then written, and both seen by one file check: one change, the published one with its reasons.
        active.Publish(["DDD"], new Dictionary<string, string> { ["DDD"] = "gap 4.1%" });
        WriteList(ListPath, "DDD\n", Written.AddMinutes(2));
        active.Load();
        change = active.TakeChange()!;
        Assert.Equal(("discovery", "DDD", "gap 4.1%"), (change.Source, string.Join(',', change.Symbols), change.Reasons!["DDD"]));
        Assert.Null(active.TakeChange());

        // Without reasons: none journaled.
        active.Publish(["EEE"]);
        active.Refresh(T0.AddSeconds(7));
        Assert.Null(active.TakeChange()!.Reasons);
    }

    // ---- a. hot reload through the engine ----------------------------------------------------------------

    /// <summary>
    /// The list {AAA, CCC} is replaced by {BBB} mid-stream. AAA, bought while listed, is still held: its state stays, it
    /// is not bought again, and its stop loss (or take profit) sells it. BBB is bought only once listed; CCC, listed
    /// before, now holds with <c>not_on_watchlist</c>, its state forgotten at the change.
    /// </summary>
    [Theory]
    [InlineData(98.90, 98.91, "stop_loss")]   // (98.90 − 100) / 100 = −1.1 % ≤ −STOP_LOSS_PCT 1
    [InlineData(102.50, 102.51, "take_profit")] // +2.5 % ≥ TAKE_PROFIT_PCT 2
    public void HotReload_NewBuysFollowTheList_AndAHeldSymbolThatLeftItIsStillExited(double bid, double ask, string exit)
    {
        WriteList(ListPath, "AAA\nCCC\n", Written);
        var active = new ActiveSymbols(ListPath);
        active.Load(); // as EngineParts.FromConfig does
        var trackedAfterChange = new List<string>();
        var lines = new (string Line, Action<BrainEngine>? Before)[]
        {
            (Quote(T0, "AAA", 99.99, 100.00, Up, Up), null),
            (Quote(T0.AddSeconds(1), "BBB", 49.99, 50.00, Up, Up), null),
            (Quote(T0.AddSeconds(2), "CCC", 19.99, 20.00), null),
            (Quote(T0.AddSeconds(5), "BBB", 49.99, 50.00, Up, Up), _ => WriteList(ListPath, "BBB\n", Written.AddMinutes(1))),
            (Quote(T0.AddSeconds(6), "CCC", 19.99, 20.00, Up, Up), e => trackedAfterChange.AddRange(new[] { "AAA", "BBB", "CCC" }.Where(e.Tracks))),
            (Quote(T0.AddSeconds(7), "AAA", 100.49, 100.50, Up, Up), null),
            (Quote(T0.AddSeconds(8), "AAA", bid, ask), null),
        };

        using var run = RunWithHooks(lines, ConsensusConfig(), new EngineParts { Watchlist = active });

        Assert.Equal(
            [
                "{\"kind\":\"screen\",\"ts\":\"2026-03-02T15:00:00Z\",\"source\":\"file\",\"symbols\":[\"AAA\",\"CCC\"],\"added\":[\"AAA\",\"CCC\"],\"removed\":[]}",
                "{\"kind\":\"screen\",\"ts\":\"2026-03-02T15:00:05Z\",\"source\":\"file\",\"symbols\":[\"BBB\"],\"added\":[\"BBB\"],\"removed\":[\"AAA\",\"CCC\"]}",
            ],
            run.Journal.Split('\n').Where(l => l.StartsWith("{\"kind\":\"screen\"", StringComparison.Ordinal)));
        // Each screen line comes before the decisions of its event.
        Assert.Equal(["screen", "decision", "order", "fill"], run.Lines.Take(4).Select(l => Str(l, "kind")));
        var kinds = run.Lines.Where(l => l.TryGetProperty("ts", out _)).Select(l => Str(l, "kind") + "@" + Str(l, "ts")).ToList();
        Assert.Equal(kinds.IndexOf("screen@2026-03-02T15:00:05Z") + 1, kinds.IndexOf("decision@2026-03-02T15:00:05Z"));

        Assert.Equal(
            [
                ("AAA", "2026-03-02T15:00:00Z", "buy", 12L, "consensus_buy"),
                ("BBB", "2026-03-02T15:00:01Z", "hold", 0L, "not_on_watchlist"),
                ("CCC", "2026-03-02T15:00:02Z", "hold", 0L, "consensus_not_met"),
                ("BBB", "2026-03-02T15:00:05Z", "buy", 12L, "consensus_buy"),
                ("CCC", "2026-03-02T15:00:06Z", "hold", 0L, "not_on_watchlist"),
                ("AAA", "2026-03-02T15:00:07Z", "hold", 0L, "holding"),
                ("AAA", "2026-03-02T15:00:08Z", "sell", 12L, exit),
            ],
            run.Decisions().Select(Brief));
        Assert.Equal(["AAA", "BBB"], trackedAfterChange); // CCC forgotten at the change; AAA kept: held
        Assert.Equal(
            [("AAA", "buy", "consensus_buy"), ("BBB", "buy", "consensus_buy"), ("AAA", "sell", exit)],
            run.OfKind("order").Select(o => (Str(o, "symbol"), Str(o, "side"), Str(o, "reason"))));
        Assert.Equal([("sell", 12L, bid)], run.Fills("AAA").Where(f => f.Side == "sell"));
        Assert.Null(run.Broker!.PositionOf("AAA"));
        Assert.Equal(12, run.Broker.PositionOf("BBB")!.Qty);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void ListChange_KeepsSpyWhileThe200DayRegimeReadsIt(string regime, bool kept)
    {
        var active = new ActiveSymbols(Path.Combine(_dir, "absent.txt"));
        active.Publish(["AAA"]);
        var lines = new (string Line, Action<BrainEngine>? Before)[]
        {
            (Quote(T0, "SPY", 599.99, 600.00), null),
            (Quote(T0.AddSeconds(1), "AAA", 19.99, 20.00), null),
            (Quote(T0.AddSeconds(2), "BBB", 19.99, 20.00), _ => active.Publish(["BBB"])),
        };

        using var run = RunWithHooks(lines, ConsensusConfig(("SPY_200MA_REGIME_ENABLED", regime)), new EngineParts { Watchlist = active });

        Assert.Equal(2, run.OfKind("screen").Count());
        Assert.False(run.Engine!.Tracks("AAA"));
        Assert.Equal(kept, run.Engine.Tracks("SPY"));
    }

    // ---- b. bounded state --------------------------------------------------------------------------------

    /// <summary>
    /// 1,000 lists of 10 fresh symbols each (10,000 symbols), 30 quotes per list, 100 ms apart: a list lasts 3 s of
    /// event time and 30 events, far less than the periodic prune's minute and 4,096 events, so only the prune at each
    /// change keeps the tables small. The first symbol of lists 0–19 is bought and held; that of lists 20–39 is bought
    /// and stopped out; a resting limit buy in OPN (never listed) is open throughout. After every event, every
    /// per-symbol table has at most (listed + held + open-order) entries, and the held and open-order symbols keep
    /// their state.
    /// </summary>
    [Fact]
    public void CyclingTenThousandSymbolsThroughTheList_KeepsEveryPerSymbolTableWithinListedHeldAndOpenOrderSymbols()
    {
        var broker = PaperBroker.Open(":memory:", 100_000);
        broker.OnQuote("OPN", 49.99, 50.00, T0.AddMinutes(-5));
        broker.Submit(new OrderRequest("resting-buy", "OPN", OrderSide.Buy, 5, OrderType.Limit, 40.00, "manual"), T0.AddMinutes(-5));
        var active = new ActiveSymbols(Path.Combine(_dir, "absent.txt"));
        using var journal = new JournalCapture();
        var wall = new FakeTimeProvider(new DateTimeOffset(T0.AddDays(1)));
        var engine = new BrainEngine(ConsensusConfig(("ORDER_STALE_SEC", "0")), _ => broker, journal.Writer, NullLogger.Instance, new EngineParts { Watchlist = active }, wall);
        var ts = T0;
        engine.Process(QuoteEvent(ts, "OPN", 49.99, 50.00)); // a state for OPN, which is never listed
        var most = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var k = 0; k < 1_000; k++)
        {
            var symbols = Enumerable.Range(10 * k, 10).Select(i => "S" + i.ToString("D5", CultureInfo.InvariantCulture)).ToArray();
            active.Publish(symbols, new Dictionary<string, string> { [symbols[0]] = "|Z|=2.00 vol=1.50x" });
            for (var r = 0; r < 3; r++)
            {
                for (var j = 0; j < 10; j++)
                {
                    ts = ts.AddMilliseconds(100);
                    var (bid, ask, up) = (j, k, r) switch
                    {
                        (0, < 40, 0) => (99.99, 100.00, Up),     // bought
                        (0, >= 20 and < 40, 1) => (98.90, 98.91, 0), // −1.1 %: stopped out
                        _ => (99.99, 100.00, 0),
                    };
                    engine.Process(new QuoteEvent(ts, symbols[j], bid, ask, 5, 5, (bid + ask) / 2, 1000, 5000, up, up, FeedSession.Regular, 0.3));
                    CheckBounds(engine, broker, symbols.Length, most);
                }
            }
        }

        engine.Finish();
        Assert.Equal(20, broker.Positions.Count);
        Assert.Equal(["OPN"], broker.OpenOrders.Select(o => o.Symbol));
        Assert.All(broker.Positions, p => Assert.True(engine.Tracks(p.Symbol), p.Symbol + " is held but was forgotten"));
        Assert.True(engine.Tracks("OPN"), "OPN has an open order but was forgotten");
        Assert.True(most["symbol_states"] <= 10 + 21, $"up to {most["symbol_states"]} symbol states");
        Assert.Equal(1, most["desk_sell_entry_avg"]); // a stopped-out symbol's entry price, until the next list change
        Assert.Equal(20 + 1, most["position_book"]); // 20 held, and one of lists 20–39 until it is stopped out
        var counts = engine.PerSymbolEntryCounts();
        Assert.Equal(10 + 20 + 1, counts["symbol_states"]);
        Assert.Equal(20, counts["position_book"]);
        Assert.Equal(0, counts["desk_sell_entry_avg"]); // the stopped-out symbols' entries left at the next list change

        var screens = journal.OfKind("screen").ToList();
        Assert.Equal(1_000, screens.Count);
        Assert.Equal(("discovery", "S09990,S09991,S09992,S09993,S09994,S09995,S09996,S09997,S09998,S09999", "S09990,S09991,S09992,S09993,S09994,S09995,S09996,S09997,S09998,S09999", "S09980,S09981,S09982,S09983,S09984,S09985,S09986,S09987,S09988,S09989", "{\"S09990\":\"|Z|=2.00 vol=1.50x\"}"), Screen(screens[^1]));
        Assert.Equal(40, journal.OfKind("decision").Count(d => Str(d, "action") == "buy"));
        Assert.Equal(20, journal.OfKind("decision").Count(d => Str(d, "action") == "sell"));
    }

    /// <summary>Every table within the listed + held + open-order symbols; records the largest count of each.</summary>
    private static void CheckBounds(BrainEngine engine, IBroker broker, int listed, Dictionary<string, int> most)
    {
        var keep = new HashSet<string>(broker.Positions.Select(p => p.Symbol), StringComparer.Ordinal);
        keep.UnionWith(broker.OpenOrders.Select(o => o.Symbol));
        foreach (var (table, count) in engine.PerSymbolEntryCounts())
        {
            if (count > listed + keep.Count)
            {
                Assert.Fail($"{table}: {count} entries; {listed} listed, {keep.Count} held or with open orders");
            }

            most[table] = Math.Max(most.GetValueOrDefault(table), count);
        }
    }

    // ---- c. publish from another thread ------------------------------------------------------------------

    /// <summary>
    /// The event loop runs on a thread of its own, fed without pause; this thread is the discovery job. Each published
    /// list gives exactly one screen line, with its reasons; the job's copy of it in the file, a touched file, a
    /// rewritten file with the same symbols and a re-published same set give none; an operator's edit of the file is
    /// one line from the file.
    /// </summary>
    [Fact]
    public void Publish_FromAnotherThreadWhileTheLoopRuns_GivesOneScreenLinePerDistinctChange()
    {
        WriteList(ListPath, "AAA\n", Written);
        var active = new ActiveSymbols(ListPath);
        active.Load();
        using var journal = new JournalCapture();
        var wall = new FakeTimeProvider(new DateTimeOffset(T0.AddDays(1)));
        var engine = new BrainEngine(ConsensusConfig(), _ => null, journal.Writer, NullLogger.Instance, new EngineParts { Watchlist = active }, wall);
        using var lines = new BlockingCollection<string>(boundedCapacity: 64);
        var stop = 0;
        var processed = 0L;
        Exception? failure = null;
        var feeder = new Thread(() =>
        {
            string[] symbols = ["AAA", "BBB", "CCC", "DDD", "EEE"];
            var ts = T0;
            for (var i = 0; Volatile.Read(ref stop) == 0; i++)
            {
                lines.Add(Quote(ts, symbols[i % symbols.Length], 19.99, 20.00)); // 250 ms apart: a file check every 20 lines
                ts = ts.AddMilliseconds(250);
            }

            lines.CompleteAdding();
        });
        var loop = new Thread(() =>
        {
            try
            {
                foreach (var line in lines.GetConsumingEnumerable())
                {
                    engine.ProcessLine(Encoding.UTF8.GetBytes(line));
                    Interlocked.Increment(ref processed);
                }
            }
            catch (Exception ex)
            {
                failure = ex;
                Volatile.Write(ref stop, 1);
                while (lines.TryTake(out _))
                {
                    // unblock the feeder
                }
            }
        });
        feeder.Start();
        loop.Start();

        void WaitFor(Func<bool> done, string what)
        {
            if (!SpinWait.SpinUntil(() => done() || Volatile.Read(ref failure) is not null, WaitLimit) || failure is not null)
            {
                Volatile.Write(ref stop, 1);
                Assert.Fail($"waiting for {what}: {(failure is null ? "timed out" : failure.ToString())} after {Interlocked.Read(ref processed)} lines");
            }
        }

        try
        {
            WaitFor(() => Interlocked.Read(ref processed) > 0, "the first line");

            // A discovery list: published, then written to the file by the job.
            active.Publish(["BBB", "CCC"], new Dictionary<string, string> { ["BBB"] = "|Z|=2.31 vol=1.42x", ["CCC"] = "|Z|=2.05 vol=3.10x" });
            WriteList(ListPath, "BBB\nCCC\n", Written.AddMinutes(1));
            WaitFor(() => !active.PublishPending && active.FileWriteTimeUtc == Written.AddMinutes(1), "the list BBB, CCC");

            File.SetLastWriteTimeUtc(ListPath, Written.AddMinutes(2)); // touched
            WaitFor(() => active.FileWriteTimeUtc == Written.AddMinutes(2), "the touched file");

            active.Publish(["CCC", "BBB"], new Dictionary<string, string> { ["BBB"] = "other reason" }); // the same set again
            WaitFor(() => !active.PublishPending, "the same set published again");

            active.Publish(["DDD"], new Dictionary<string, string> { ["DDD"] = "gap 4.1%" });
            WriteList(ListPath, "DDD\n", Written.AddMinutes(3));
            WaitFor(() => !active.PublishPending && active.FileWriteTimeUtc == Written.AddMinutes(3), "the list DDD");

            WriteList(ListPath, "# rewritten\n ddd \n", Written.AddMinutes(4)); // same set
            WaitFor(() => active.FileWriteTimeUtc == Written.AddMinutes(4), "the rewritten file");

            WriteList(ListPath, "EEE\n", Written.AddMinutes(5)); // an operator's edit
            WaitFor(() => active.FileWriteTimeUtc == Written.AddMinutes(5), "the edited file");
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            Assert.True(feeder.Join(WaitLimit), "the feeder did not stop");
            Assert.True(loop.Join(WaitLimit), "the event loop did not stop");
        }

        Assert.Null(failure);
        engine.Finish();
        var screens = journal.OfKind("screen").ToList();
        Assert.Equal(
            [
                ("file", "AAA", "AAA", "", null),
                ("discovery", "BBB,CCC", "BBB,CCC", "AAA", "{\"BBB\":\"|Z|=2.31 vol=1.42x\",\"CCC\":\"|Z|=2.05 vol=3.10x\"}"),
                ("discovery", "DDD", "DDD", "BBB,CCC", "{\"DDD\":\"gap 4.1%\"}"),
                ("file", "EEE", "EEE", "DDD", null),
            ],
            screens.Select(Screen));
        var times = screens.Select(s => DateTime.Parse(Str(s, "ts"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)).ToList();
        Assert.Equal(T0, times[0]);
        Assert.Equal(times.Order(), times);
    }

    // ---- runner ------------------------------------------------------------------------------------------

    /// <summary>Like <see cref="SeamStreams.Run"/>, with an action run on the engine before a line is processed.</summary>
    private static GreenLightRun RunWithHooks(IEnumerable<(string Line, Action<BrainEngine>? Before)> lines, SentryBrain.Config.BrainConfig config, EngineParts parts)
    {
        var wall = new FakeTimeProvider(new DateTimeOffset(T0.AddDays(1)));
        using var output = new MemoryStream();
        BrainEngine engine;
        using (var journal = new JournalWriter(output))
        {
            engine = new BrainEngine(config, _ => PaperBroker.Open(":memory:", 100_000), journal, NullLogger.Instance, parts, wall);
            foreach (var (line, before) in lines)
            {
                before?.Invoke(engine);
                engine.ProcessLine(Encoding.UTF8.GetBytes(line));
            }

            engine.Finish();
        }

        return new GreenLightRun(Encoding.UTF8.GetString(output.ToArray()), engine);
    }
}
