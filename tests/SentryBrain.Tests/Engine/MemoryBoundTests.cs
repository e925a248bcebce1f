using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Execution.Paper;
using SentryBrain.Journal;

namespace SentryBrain.Tests.Engine;

public class MemoryBoundTests
{
    private static readonly DateTime T0 = new(2026, 3, 2, 14, 30, 0, DateTimeKind.Utc);

    private static QuoteEvent Quote(DateTime ts, string symbol) =>
        new(ts, symbol, 10.00, 10.01, 1, 1, 10.005, 0, 0, 0, 0, FeedSession.Regular, 0);

    [Fact]
    public void IdleSymbols_AreForgotten_WhenNeitherHeldNorWithOpenOrders()
    {
        // 20,000 symbols, each seen once, 1 s apart: with a 600 s TTL at most ~600 (+ one prune interval of 60 s
        // and the 4,096-event check cadence) may be tracked at any time instead of 20,000.
        var config = new BrainConfig { SymbolStateTtlSec = 600, StrategyIntervalSec = 0 };
        using var broker = PaperBroker.Open(":memory:", 100_000);
        using var journal = new JournalWriter(Stream.Null);
        var engine = new BrainEngine(config, broker, journal, NullLogger.Instance);
        var most = 0;
        for (var i = 0; i < 20_000; i++)
        {
            engine.Process(Quote(T0.AddSeconds(i), "S" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            most = Math.Max(most, engine.TrackedSymbols);
        }

        Assert.True(most <= 600 + 60 + 4096, $"tracked up to {most} symbols");
        Assert.True(engine.TrackedSymbols < 20_000);
    }

    /// <summary>
    /// 100,000 distinct symbols within 50 s of event time (the flood: 1.21 GB without a cap). The default
    /// MAX_SYMBOLS (10,000) holds the table, and the managed heap grows by far less than 100,000 symbol states
    /// would take (the bound is generous: 10,000 states of today's ~11 KB would fit in it).
    /// </summary>
    [Fact]
    public void FloodOfDistinctSymbols_StaysWithinTheCap_AndBoundedMemory()
    {
        var config = new BrainConfig { StrategyIntervalSec = 0 };
        Assert.Equal(10_000, config.MaxSymbols);
        using var broker = PaperBroker.Open(":memory:", 100_000);
        using var journal = new JournalWriter(Stream.Null);
        var engine = new BrainEngine(config, broker, journal, NullLogger.Instance);
        engine.Process(Quote(T0, "WARM"));
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < 100_000; i++)
        {
            engine.Process(Quote(T0.AddTicks(i * 5_000), "S" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (engine.TrackedSymbols > config.MaxSymbols)
            {
                Assert.Fail($"{engine.TrackedSymbols} symbols tracked after {i + 1} new ones; MAX_SYMBOLS is {config.MaxSymbols}");
            }
        }

        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.True(grown < 150_000_000, $"managed heap grew by {grown:N0} bytes for a capped flood");
        GC.KeepAlive(engine);
    }

    [Fact]
    public void HeldSymbols_AreKept_EvenWhenIdle()
    {
        var config = new BrainConfig { SymbolStateTtlSec = 600 };
        using var broker = PaperBroker.Open(":memory:", 100_000);
        broker.OnQuote("HELD", 10.00, 10.01, T0);
        broker.Submit(new SentryBrain.Execution.OrderRequest("b1", "HELD", SentryBrain.Execution.OrderSide.Buy, 5, SentryBrain.Execution.OrderType.Market, null, "test"), T0);
        using var journal = new JournalWriter(Stream.Null);
        var engine = new BrainEngine(config, broker, journal, NullLogger.Instance);
        engine.Process(Quote(T0, "HELD"));
        for (var i = 1; i <= 10_000; i++)
        {
            engine.Process(Quote(T0.AddSeconds(i), "OTHER"));
        }

        // HELD was idle for 10,000 s (> TTL) but is held: its state (price for exits) must remain.
        Assert.Equal(2, engine.TrackedSymbols);
    }

    [Fact]
    public void SymbolTable_StartsAfresh_PastItsCap_AndKeepsWorking()
    {
        var table = new SymbolTable();
        for (var i = 0; i < SymbolTable.MaxSymbols + 10; i++)
        {
            Assert.NotNull(table.Intern(System.Text.Encoding.ASCII.GetBytes("X" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        Assert.True(table.Count <= SymbolTable.MaxSymbols);
        Assert.Equal("MSFT", table.Intern("msft"u8));
    }
}
