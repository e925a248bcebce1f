using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SentryBrain.Engine;
using SentryBrain.Execution;
using SentryBrain.Learning;
using SentryBrain.Tests.Engine;

namespace SentryBrain.Tests.Learning;

/// <summary>A logger that keeps what it was told (level and text).</summary>
internal sealed class KeepingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Text)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Entries => [.. _entries];

    public IEnumerable<string> At(LogLevel level) => _entries.Where(e => e.Level == level).Select(e => e.Text);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => _entries.Enqueue((logLevel, formatter(state, exception)));
}

/// <summary>A temp folder for one test's files, deleted afterwards.</summary>
internal sealed class ShadowFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("sb-shadow-").FullName;

    public string Db => System.IO.Path.Combine(Path, "shadow.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}

/// <summary>Fills and held prices for one <see cref="ShadowBook"/>, in event time that moves one minute per call.</summary>
internal sealed class ShadowDriver(ShadowBook book)
{
    public static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    private int _n;

    public DateTime Now { get; private set; } = T0;

    public ShadowBook Book => book;

    public void Buy(string symbol, long qty, double price, long qtyAfter)
        => book.OnFill(new Fill(Tick(), "b" + _n, symbol, OrderSide.Buy, qty, price), new FillContext(qtyAfter, 0));

    public void Sell(string symbol, long qty, double price, long qtyAfter)
        => book.OnFill(new Fill(Tick(), "s" + _n, symbol, OrderSide.Sell, qty, price), new FillContext(qtyAfter, 0));

    public void Held(string symbol, double price) => book.OnHeldPrice(symbol, price, Tick());

    /// <summary>
    /// Two round trips of 10 shares; models (stop/tp): tight 0.5/1.5, wide 1.5/3, scalp 1/1.
    /// Trip 1, bought at 100: 101 → scalp +1 % (take profit); 101.5 → tight +1.5 % (take profit); 98.5 → wide −1.5 % (stop);
    /// live sells all at 98.5: live −1.5 %.
    /// Trip 2, bought at 200: 199 → tight −0.5 % (stop); 198 → scalp −1 % (stop); 206 → wide +3 % (take profit);
    /// live sells all at 206: live +3 %.
    /// </summary>
    public static void TwoRoundTrips(ShadowDriver d)
    {
        d.Buy("ACME", 10, 100, 10);
        d.Held("ACME", 101);
        d.Held("ACME", 101.5);
        d.Held("ACME", 98.5);
        d.Sell("ACME", 10, 98.5, 0);

        d.Buy("ACME", 10, 200, 10);
        d.Held("ACME", 199);
        d.Held("ACME", 198);
        d.Held("ACME", 206);
        d.Sell("ACME", 10, 206, 0);
    }

    private DateTime Tick()
    {
        _n++;
        Now = T0.AddMinutes(_n);
        return Now;
    }

    /// <summary>A book on <paramref name="path"/>, attached to <paramref name="store"/> (a durable in-memory store by default).</summary>
    public static ShadowBook Open(string path, IStateStore? store = null, string sets = "", ILogger? logger = null)
    {
        var book = new ShadowBook(ShadowModels.From(sets), path, logger ?? new KeepingLogger());
        book.Attach(store ?? new CountingStore());
        return book;
    }
}
