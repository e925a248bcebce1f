using Microsoft.Extensions.Logging;
using SentryBrain.Learning;
using SentryBrain.Tests.Engine;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// <see cref="ShadowBook"/> driven by fills and held prices: the ghosts' exits, adds, partial sells, live round trips,
/// statistics (hand-worked), the 1,000-trade window and what survives a restart.
/// </summary>
public sealed class ShadowBookTests : IDisposable
{
    private readonly ShadowFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Trades, double WinRate, double Total, double Avg, double MaxDd) Brief(ShadowStats s)
        => (s.Trades, Math.Round(s.WinRate, 9), Math.Round(s.TotalReturnPct, 9), Math.Round(s.AvgReturnPct, 9), Math.Round(s.MaxDrawdownPct, 9));

    private static (int, double, double, double, double) Stats(ShadowBook book, string model) => Brief(ShadowStats.Of(book.Trades(model)));

    [Fact]
    public void EachModel_ExitsAtItsOwnStopOrTakeProfit_AndItsStatisticsAreHandWorked()
    {
        using var book = ShadowDriver.Open(_dir.Db);
        ShadowDriver.TwoRoundTrips(new ShadowDriver(book));

        Assert.Equal(["take_profit", "stop"], book.Trades("tight").Select(t => t.Reason));
        Assert.Equal(["stop", "take_profit"], book.Trades("wide").Select(t => t.Reason));
        Assert.Equal(["take_profit", "stop"], book.Trades("scalp").Select(t => t.Reason));
        // tight: +1.5, −0.5 → 1 win of 2; total 1.0; avg 0.5; cumulative 1.5 then 1.0: drawdown 0.5
        Assert.Equal((2, 0.5, 1.0, 0.5, 0.5), Stats(book, "tight"));
        // wide: −1.5, +3 → total 1.5; avg 0.75; cumulative −1.5 below the starting peak 0: drawdown 1.5
        Assert.Equal((2, 0.5, 1.5, 0.75, 1.5), Stats(book, "wide"));
        // scalp: +1, −1 → total 0; avg 0; cumulative 1 then 0: drawdown 1
        Assert.Equal((2, 0.5, 0.0, 0.0, 1.0), Stats(book, "scalp"));
        // live: −1.5 (sold at 98.5), +3 (sold at 206): as wide
        Assert.Equal((2, 0.5, 1.5, 0.75, 1.5), Stats(book, ShadowModels.Live));
        // P&L in currency: tight's first trade 10 · (101.5 − 100) = 15 on a cost of 1 000
        var first = book.Trades("tight")[0];
        Assert.Equal((10L, 1000.0, 15.0), (first.Qty, first.Cost, Math.Round(first.Pnl, 9)));
        Assert.Equal(0, book.TrackedSymbols); // flat: nothing kept per symbol
    }

    [Fact]
    public void APriceExactlyAtTheStop_IsAStop_AndJustInsideIsNot()
    {
        using var book = ShadowDriver.Open(_dir.Db);
        var d = new ShadowDriver(book);
        d.Buy("ACME", 10, 100, 10);

        d.Held("ACME", 99.51);  // tight −0.49 %: open
        Assert.NotNull(book.OpenGhost("tight", "ACME"));
        d.Held("ACME", 99.5);   // tight −0.5 %: stop
        Assert.Null(book.OpenGhost("tight", "ACME"));
        Assert.Equal(-0.5, Math.Round(Assert.Single(book.Trades("tight")).ReturnPct, 9));
        Assert.NotNull(book.OpenGhost("wide", "ACME"));
        Assert.NotNull(book.OpenGhost("scalp", "ACME"));
    }

    [Fact]
    public void APartialSell_ClosesNoGhost_TheSellThatFlattens_ClosesThemAtItsPrice()
    {
        using var book = ShadowDriver.Open(_dir.Db);
        var d = new ShadowDriver(book);
        d.Buy("ACME", 10, 100, 10);

        d.Sell("ACME", 5, 100.2, 5); // partial: the reference closed every ghost here
        foreach (var model in new[] { "tight", "wide", "scalp" })
        {
            Assert.Equal(10, book.OpenGhost(model, "ACME")!.Qty);
            Assert.Empty(book.Trades(model));
        }

        Assert.Empty(book.Trades(ShadowModels.Live));

        d.Sell("ACME", 5, 100.4, 0);
        foreach (var model in new[] { "tight", "wide", "scalp" })
        {
            // 10 · (100.4 − 100) = 4 on 1 000: +0.4 %
            var t = Assert.Single(book.Trades(model));
            Assert.Equal(("live_exit", 10L, 0.4), (t.Reason, t.Qty, Math.Round(t.ReturnPct, 9)));
        }

        // live: 5 · 0.2 + 5 · 0.4 = 3 on a cost of 1 000: +0.3 %
        var live = Assert.Single(book.Trades(ShadowModels.Live));
        Assert.Equal((10L, 3.0, 0.3), (live.Qty, Math.Round(live.Pnl, 9), Math.Round(live.ReturnPct, 9)));
    }

    [Fact]
    public void ARebuy_AddsToTheGhostAtTheAveragePrice()
    {
        using var book = ShadowDriver.Open(_dir.Db);
        var d = new ShadowDriver(book);
        d.Buy("ACME", 10, 100, 10);
        d.Buy("ACME", 30, 104, 40); // cost 1 000 + 3 120 = 4 120 for 40: average 103

        var tight = book.OpenGhost("tight", "ACME")!;
        Assert.Equal((40L, 4120.0, 103.0), (tight.Qty, tight.Cost, Math.Round(tight.AvgPrice, 9)));

        // Take profit 1.5 % above the average: 103 · 1.015 = 104.545. Overwritten at 104 (the reference), 104.5 would
        // not be +1.5 % either; against the true average it is +1.456 %: still open.
        d.Held("ACME", 104.5);
        Assert.NotNull(book.OpenGhost("tight", "ACME"));
        d.Held("ACME", 104.545);
        var t = Assert.Single(book.Trades("tight"));
        // 40 · 104.545 − 4 120 = 4 181.8 − 4 120 = 61.8: +1.5 % of the cost
        Assert.Equal(("take_profit", 40L, 61.8, 1.5), (t.Reason, t.Qty, Math.Round(t.Pnl, 6), Math.Round(t.ReturnPct, 9)));
        // scalp (+1 %) closed already at 104.5 (104.5 / 103 − 1 = +1.456 %)
        Assert.Equal("take_profit", Assert.Single(book.Trades("scalp")).Reason);
    }

    [Fact]
    public void ABuyAfterAGhostClosed_OpensANewGhostAtThatBuy()
    {
        using var book = ShadowDriver.Open(_dir.Db);
        var d = new ShadowDriver(book);
        d.Buy("ACME", 10, 100, 10);
        d.Held("ACME", 99.5);           // tight stops out; live holds on
        var stoppedAt = d.Now;
        d.Buy("ACME", 10, 99, 20);      // live adds: a fresh tight ghost of 10 at 99

        var tight = book.OpenGhost("tight", "ACME")!;
        Assert.Equal((10L, 99.0, stoppedAt.AddMinutes(1)), (tight.Qty, tight.AvgPrice, tight.EntryTs));
        Assert.Equal(20, book.OpenGhost("wide", "ACME")!.Qty);
    }

    [Fact]
    public void ConfiguredModels_RunBesideTheReferenceThree()
    {
        using var book = ShadowDriver.Open(_dir.Db, sets: "loose:2:4");
        var d = new ShadowDriver(book);
        d.Buy("ACME", 10, 100, 10);
        d.Held("ACME", 98.5); // tight and wide (−1.5 %) and scalp stop; loose (−2 %) holds
        Assert.NotNull(book.OpenGhost("loose", "ACME"));
        d.Held("ACME", 104);  // loose +4 %: take profit
        Assert.Equal(("take_profit", 4.0), (Assert.Single(book.Trades("loose")).Reason, Math.Round(book.Trades("loose")[0].ReturnPct, 9)));
        Assert.Equal(["tight", "wide", "scalp", "loose"], book.Models.Select(m => m.Name));
    }

    [Fact]
    public void AHeldPriceOfAnotherSymbol_TouchesNothing_AndASellOfAnUnknownPositionIsIgnored()
    {
        using var book = ShadowDriver.Open(_dir.Db);
        var d = new ShadowDriver(book);
        d.Buy("ACME", 10, 100, 10);
        d.Held("BOLT", 50);            // not a ghost symbol
        d.Sell("CRUX", 5, 20, 0);      // bought before the book knew it
        Assert.Equal(1, book.TrackedSymbols);
        Assert.Empty(book.Trades(ShadowModels.Live));
    }

    [Fact]
    public void AHeldPriceThatClosesNothing_AndATickOfTheSameDate_AllocateNothing()
    {
        using var book = ShadowDriver.Open(_dir.Db);
        var d = new ShadowDriver(book);
        d.Buy("ACME", 10, 100, 10);
        d.Buy("BOLT", 10, 50, 10);
        using var journal = new JournalCapture();
        book.OnClock(d.Now, new DateOnly(2026, 3, 2), journal.Writer);
        book.OnHeldPrice("ACME", 100.1, d.Now); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            book.OnHeldPrice("ACME", 100.1, d.Now);   // inside every model's band
            book.OnHeldPrice("CRUX", 20, d.Now);      // no ghosts
            book.OnClock(d.Now, new DateOnly(2026, 3, 2), journal.Writer);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3, journal.OfKind("shadow").Count());
    }

    [Fact]
    public void ARestart_KeepsOpenGhostsTradesAndLivePosition()
    {
        var store = new CountingStore();
        using (var book = ShadowDriver.Open(_dir.Db, store))
        {
            var d = new ShadowDriver(book);
            d.Buy("ACME", 10, 100, 10);
            d.Held("ACME", 101);        // scalp +1 %: closed
            d.Sell("ACME", 4, 101, 6);  // partial: live realizes 4 · 1 = 4
            Assert.True(book.Persistent);
        }

        using var again = ShadowDriver.Open(_dir.Db, store);
        Assert.Equal(("take_profit", 1.0), (Assert.Single(again.Trades("scalp")).Reason, Math.Round(again.Trades("scalp")[0].ReturnPct, 9)));
        Assert.Equal(10, again.OpenGhost("tight", "ACME")!.Qty);
        var d2 = new ShadowDriver(again);
        d2.Held("ACME", 101.5);         // tight +1.5 % after the restart
        d2.Sell("ACME", 6, 102, 0);     // live: 4 + 6 · 2 = 16 on 1 000: +1.6 %; wide closes at +2 %
        Assert.Equal("take_profit", Assert.Single(again.Trades("tight")).Reason);
        Assert.Equal(("live_exit", 2.0), (Assert.Single(again.Trades("wide")).Reason, Math.Round(again.Trades("wide")[0].ReturnPct, 9)));
        Assert.Equal(1.6, Math.Round(Assert.Single(again.Trades(ShadowModels.Live)).ReturnPct, 9));
    }

    [Fact]
    public void AnotherLedger_StartsItsOwnBook_AndLeavesTheFirstOneAlone()
    {
        var ledger = new CountingStore();
        using (var book = ShadowDriver.Open(_dir.Db, ledger))
        {
            ShadowDriver.TwoRoundTrips(new ShadowDriver(book));
        }

        using (var replay = ShadowDriver.Open(_dir.Db, new CountingStore())) // a fresh ledger (a replay): a new session
        {
            Assert.Empty(replay.Trades("tight"));
            new ShadowDriver(replay).Buy("ACME", 10, 100, 10);
        }

        using var back = ShadowDriver.Open(_dir.Db, ledger);
        Assert.Equal(2, back.Trades("tight").Count);
        Assert.Equal(0, back.TrackedSymbols); // the replay's open ghosts are in its own book
    }

    [Fact]
    public void ABookNotWrittenFor30Days_IsDeletedWhenANewBookStarts()
    {
        var wall = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var old = new CountingStore();
        var recent = new CountingStore();
        using (var a = new ShadowBook(ShadowModels.Reference, _dir.Db, new KeepingLogger(), wall))
        {
            a.Attach(old);
            ShadowDriver.TwoRoundTrips(new ShadowDriver(a));
        }

        wall.Advance(TimeSpan.FromDays(20));
        using (var b = new ShadowBook(ShadowModels.Reference, _dir.Db, new KeepingLogger(), wall))
        {
            b.Attach(recent);
            ShadowDriver.TwoRoundTrips(new ShadowDriver(b));
        }

        wall.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1)); // the first book: 30 days and 1 s; the second: 10 days
        using (var c = new ShadowBook(ShadowModels.Reference, _dir.Db, new KeepingLogger(), wall))
        {
            c.Attach(new CountingStore());
        }

        using var recentAgain = new ShadowBook(ShadowModels.Reference, _dir.Db, new KeepingLogger(), wall);
        recentAgain.Attach(recent);
        Assert.Equal(2, recentAgain.Trades("tight").Count);
        using var oldAgain = new ShadowBook(ShadowModels.Reference, _dir.Db, new KeepingLogger(), wall);
        oldAgain.Attach(old);
        Assert.Empty(oldAgain.Trades("tight"));
    }

    [Fact]
    public void KeepsTheLast1000TradesPerModel_InMemoryAndOnDisk()
    {
        var store = new CountingStore();
        using (var book = ShadowDriver.Open(_dir.Db, store))
        {
            var d = new ShadowDriver(book);
            for (var i = 0; i < ShadowBook.KeepTrades + 2; i++)
            {
                d.Buy("ACME", 1, 100 + i, 1);
                d.Sell("ACME", 1, 100 + i, 0);
            }

            Assert.Equal(1000, book.Trades("tight").Count);
            Assert.Equal(102.0, book.Trades("tight")[0].Cost); // trades 0 and 1 (cost 100, 101) pruned
        }

        using var again = ShadowDriver.Open(_dir.Db, store);
        Assert.Equal(1000, again.Trades("tight").Count);
        Assert.Equal(102.0, again.Trades("tight")[0].Cost);
        Assert.Equal(1000, again.Trades(ShadowModels.Live).Count);
    }

    [Fact]
    public void NoBroker_NoBook_AndAnInMemoryLedger_WritesNoFile()
    {
        using (var none = new ShadowBook(ShadowModels.Reference, _dir.Db, new KeepingLogger()))
        {
            none.Attach(null);
            new ShadowDriver(none).Buy("ACME", 10, 100, 10);
            Assert.Equal(0, none.TrackedSymbols);
        }

        using (var broker = SentryBrain.Execution.Paper.PaperBroker.Open(":memory:", 1000))
        using (var memory = ShadowDriver.Open(_dir.Db, broker.State))
        {
            new ShadowDriver(memory).Buy("ACME", 10, 100, 10);
            Assert.Equal(1, memory.TrackedSymbols);
            Assert.True(memory.Persistent);
        }

        Assert.False(File.Exists(_dir.Db));
    }

    [Fact]
    public void ACorruptFile_IsMovedAside_AndANewBookStarted()
    {
        File.WriteAllText(_dir.Db, "this is not an SQLite database, just text that happens to be long enough to have a header");
        var logger = new KeepingLogger();

        using (var book = ShadowDriver.Open(_dir.Db, logger: logger))
        {
            Assert.True(book.Persistent);
            ShadowDriver.TwoRoundTrips(new ShadowDriver(book));
            Assert.Equal(2, book.Trades("tight").Count);
        }

        Assert.Contains(logger.At(LogLevel.Error), e => e.Contains(_dir.Db + ".corrupt", StringComparison.Ordinal));
        Assert.StartsWith("this is not", File.ReadAllText(_dir.Db + ".corrupt"), StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnusablePath_LeavesTheBookInMemory_WithAnError()
    {
        var logger = new KeepingLogger();
        using var book = ShadowDriver.Open(_dir.Path, logger: logger); // a folder, not a file
        Assert.False(book.Persistent);
        ShadowDriver.TwoRoundTrips(new ShadowDriver(book));
        Assert.Equal(2, book.Trades("tight").Count);
        Assert.Contains(logger.At(LogLevel.Error), e => e.Contains("runs in memory", StringComparison.Ordinal));
    }
}
