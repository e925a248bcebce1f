using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SentryBrain.Execution.Alpaca;

using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Execution.Alpaca;

/// <summary>The trade-updates WebSocket client against the fake Alpaca's <c>/stream</c>.</summary>
public sealed class TradeUpdatesStreamTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TimerTrackingTimeProvider _time = new();
    private readonly ConcurrentQueue<TradeUpdate> _updates = new();
    private readonly CapturingLogger _logger = new();
    private readonly CancellationTokenSource _stop = new();
    private FakeAlpacaServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeAlpacaServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _server.DisposeAsync();
    }

    public void Dispose() => _stop.Dispose();

    [Fact]
    public async Task Updates_Arrive_InOrder_WithMoneyStringsParsedToDecimal()
    {
        await using var stream = NewStream();
        var run = stream.RunAsync(_stop.Token);
        await WaitListeningAsync(stream);

        await _server.TradeStream.PushAsync(FakeTradeStream.OrderEvent("new", "ord-1", "AAPL", qty: 10m, filledQty: 0m, status: "new"));
        await _server.TradeStream.PushAsync(FakeTradeStream.OrderEvent(
            "partial_fill", "ord-1", "AAPL", qty: 10m, filledQty: 3m, status: "partially_filled", price: 187.4321m, positionQty: 13.5m));
        await WaitUntilAsync(() => _updates.Count == 2, stream);

        var (created, fill) = (_updates.ElementAt(0), _updates.ElementAt(1));
        Assert.Equal("new", created.Event);
        Assert.Null(created.Price);
        Assert.Null(created.PositionQty);
        Assert.Equal("partial_fill", fill.Event);
        Assert.Equal(187.4321m, fill.Price);
        Assert.Equal(3m, fill.Qty);
        Assert.Equal(13.5m, fill.PositionQty);
        // Nanoseconds on the wire: the shared RFC 3339 converter rounds to the nearest 100 ns tick.
        Assert.Equal(new DateTime(2026, 11, 25, 15, 30, 1, DateTimeKind.Utc).AddTicks(1_234_568), fill.Timestamp);
        Assert.Equal(DateTimeKind.Utc, fill.Timestamp!.Value.Kind);
        Assert.Equal("ord-1", fill.Order.Id);
        Assert.Equal("sb-test-1", fill.Order.ClientOrderId);
        Assert.Equal("partially_filled", fill.Order.Status);
        Assert.Equal(10m, fill.Order.Qty);
        Assert.Equal(3m, fill.Order.FilledQty);
        Assert.Equal(187.4321m, fill.Order.FilledAvgPrice);
        Assert.Equal(187.5m, fill.Order.LimitPrice);
        Assert.True(stream.Connected);
        Assert.False(run.IsCompleted);

        // The client sent the documented authenticate message with the configured keys.
        var auth = Assert.Single(_server.TradeStream.AuthMessages);
        Assert.Contains("\"action\":\"authenticate\"", auth, StringComparison.Ordinal);
        Assert.Contains("\"key_id\":\"" + FakeAlpacaServer.KeyId + "\"", auth, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BinaryFrames_AndMessagesFragmentedAcrossFrames_AreReassembled()
    {
        await using var stream = NewStream();
        _ = stream.RunAsync(_stop.Token);
        await WaitListeningAsync(stream);

        await _server.TradeStream.PushAsync(FakeTradeStream.OrderEvent("new", "ord-bin", "MSFT", 1m, 0m, "new"), FakeFrames.Binary);
        await _server.TradeStream.PushAsync(
            FakeTradeStream.OrderEvent("fill", "ord-frag-bin", "MSFT", 2m, 2m, "filled", price: 410.05m, positionQty: 2m, clientOrderId: "sb-ünïcødé-€"),
            FakeFrames.FragmentedBinary);
        await _server.TradeStream.PushAsync(
            FakeTradeStream.OrderEvent("canceled", "ord-frag-text", "MSFT", 5m, 0m, "canceled"),
            FakeFrames.FragmentedText);
        await WaitUntilAsync(() => _updates.Count == 3, stream);

        Assert.Equal(["ord-bin", "ord-frag-bin", "ord-frag-text"], _updates.Select(u => u.Order.Id));
        Assert.Equal("sb-ünïcødé-€", _updates.ElementAt(1).Order.ClientOrderId);
        Assert.Equal(410.05m, _updates.ElementAt(1).Price);
        Assert.Equal(1, _server.TradeStream.ConnectionCount);
    }

    [Fact]
    public async Task AfterADroppedConnection_ItReconnectsAfterAJitteredBackoff_AndKeepsReceiving()
    {
        await using var stream = NewStream();
        _ = stream.RunAsync(_stop.Token);
        await WaitListeningAsync(stream);
        await _server.TradeStream.PushAsync(FakeTradeStream.OrderEvent("new", "ord-before", "AAPL", 1m, 0m, "new"));
        await WaitUntilAsync(() => _updates.Count == 1, stream);
        Assert.Equal(1, stream.Sessions);

        _server.TradeStream.DropConnections();

        // The back-off is on the injected clock: it waits (first retry 0.8–1.2 s) until the clock is moved.
        await WaitUntilAsync(() => stream.NextReconnectAt is not null, stream: null);
        Assert.False(stream.Connected);
        var wait = stream.NextReconnectAt!.Value - _time.GetUtcNow();
        Assert.InRange(wait, TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(1200));
        Assert.Equal(1, _server.TradeStream.ConnectionCount);

        await WaitListeningAsync(stream);
        await _server.TradeStream.PushAsync(FakeTradeStream.OrderEvent("fill", "ord-after", "AAPL", 1m, 1m, "filled", price: 190m, positionQty: 1m));
        await WaitUntilAsync(() => _updates.Count == 2, stream);

        Assert.Equal(["ord-before", "ord-after"], _updates.Select(u => u.Order.Id));
        Assert.Equal(2, _server.TradeStream.ConnectionCount);
        Assert.Equal(2, stream.Sessions);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Text.Contains("reconnect", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerClosingTheSocket_IsADrop_AndIsRecovered()
    {
        await using var stream = NewStream();
        _ = stream.RunAsync(_stop.Token);
        await WaitListeningAsync(stream);

        await _server.TradeStream.CloseConnectionsAsync("maintenance");
        await WaitUntilAsync(() => _server.TradeStream.ConnectionCount == 2 && _server.TradeStream.ListenerCount == 1 && stream.Connected, stream);
        await _server.TradeStream.PushAsync(FakeTradeStream.OrderEvent("new", "ord-2", "AAPL", 1m, 0m, "new"));
        await WaitUntilAsync(() => _updates.Count == 1, stream);

        // The close was handled as a drop: a second session on a new connection delivers the update, exactly once.
        Assert.Equal(["ord-2"], _updates.Select(u => u.Order.Id));
        Assert.Equal(2, stream.Sessions);
        Assert.Equal(2, _server.TradeStream.ConnectionCount);
        Assert.True(stream.Connected);
    }

    [Fact]
    public async Task ServerThatNeverAnswersTheAuthentication_TimesOut_OnTheInjectedClock_AndIsRetried()
    {
        _server.TradeStream.SilentAuth = true;
        await using var stream = NewStream();
        _ = stream.RunAsync(_stop.Token);
        await WaitUntilAsync(() => _server.TradeStream.AuthMessages.Count == 1 && _time.NextDue is not null, stream: null);
        Assert.False(stream.Connected);

        // Only the handshake timeout (AlpacaOptions.Timeout, 10 min here) is pending: let it expire.
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(10), _time.NextDue);
        _time.AdvanceTo(_time.NextDue!.Value);
        await WaitUntilAsync(() => stream.NextReconnectAt is not null, stream: null);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Text.Contains("did not connect and authorize", StringComparison.Ordinal));

        _server.TradeStream.SilentAuth = false;
        await WaitListeningAsync(stream);
        Assert.Equal(2, _server.TradeStream.ConnectionCount);
        Assert.Equal(1, stream.Sessions);
    }

    [Fact]
    public async Task RejectedAuthorization_StopsForGood_WithOneErrorAndNoReconnect()
    {
        _server.TradeStream.RejectAuth = true;
        await using var stream = NewStream();

        // With a manual clock that nobody moves, a reconnect loop would hang here instead of finishing.
        await stream.RunAsync(_stop.Token).WaitAsync(Patience);

        Assert.True(stream.AuthorizationRejected);
        Assert.False(stream.Connected);
        Assert.Null(stream.NextReconnectAt);
        Assert.Equal(1, _server.TradeStream.ConnectionCount);
        var error = Assert.Single(_logger.Entries, e => e.Level >= LogLevel.Error);
        Assert.Contains("authorization refused", error.Text, StringComparison.Ordinal);
        Assert.Empty(_updates);
    }

    [Fact]
    public async Task WrongSecret_IsRejected_AndNeitherKeyNorSecretIsEverLogged()
    {
        const string wrongSecret = "wrong-secret-never-to-be-logged";
        await using var stream = new TradeUpdatesStream(
            new AlpacaOptions(FakeAlpacaServer.KeyId, wrongSecret, _server.BaseUrl, TimeSpan.FromMinutes(10)),
            Collect,
            _logger,
            _time);

        await stream.RunAsync(_stop.Token).WaitAsync(Patience);

        Assert.True(stream.AuthorizationRejected);
        Assert.Equal(1, _server.TradeStream.ConnectionCount);
        Assert.DoesNotContain(wrongSecret, _logger.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeAlpacaServer.KeyId, _logger.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedMessages_AreLoggedAndSkipped_AndTheStreamGoesOn()
    {
        await using var stream = NewStream();
        _ = stream.RunAsync(_stop.Token);
        await WaitListeningAsync(stream);

        await _server.TradeStream.PushAsync("this is { not json");
        await _server.TradeStream.PushAsync("[1,2,3]", FakeFrames.Binary);
        await _server.TradeStream.PushAsync("""{"stream":"trade_updates","data":{"event":"fill"}}""");
        await _server.TradeStream.PushAsync(
            FakeTradeStream.OrderEvent("fill", "ord-bad", "AAPL", 1m, 1m, "filled", price: 1m).Replace("\"price\":\"1\"", "\"price\":\"one dollar\"", StringComparison.Ordinal));
        await _server.TradeStream.PushAsync("""{"stream":"trade_updates","data":"not an object"}""", FakeFrames.FragmentedText);
        await _server.TradeStream.PushAsync(FakeTradeStream.OrderEvent("new", "ord-good", "AAPL", 1m, 0m, "new"));
        await WaitUntilAsync(() => !_updates.IsEmpty, stream);

        Assert.Equal("ord-good", Assert.Single(_updates).Order.Id);
        Assert.Equal(5, _logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Text.StartsWith("Skipped", StringComparison.Ordinal)));
        Assert.True(stream.Connected);
        Assert.Equal(1, _server.TradeStream.ConnectionCount);
    }

    [Fact]
    public async Task HandlerThatThrows_IsLogged_AndLaterEventsStillArrive()
    {
        var calls = 0;
        await using var stream = new TradeUpdatesStream(
            Options(),
            update =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    throw new InvalidOperationException("handler bug");
                }

                _updates.Enqueue(update);
                return ValueTask.CompletedTask;
            },
            _logger,
            _time);
        _ = stream.RunAsync(_stop.Token);
        await WaitListeningAsync(stream);

        await _server.TradeStream.PushAsync(FakeTradeStream.OrderEvent("new", "ord-1", "AAPL", 1m, 0m, "new"));
        await _server.TradeStream.PushAsync(FakeTradeStream.OrderEvent("fill", "ord-1", "AAPL", 1m, 1m, "filled", price: 2m, positionQty: 1m));
        await WaitUntilAsync(() => !_updates.IsEmpty, stream);

        Assert.Equal("fill", Assert.Single(_updates).Event);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Error && e.Text.Contains("handler bug", StringComparison.Ordinal));
        Assert.Equal(1, _server.TradeStream.ConnectionCount);
    }

    [Fact]
    public async Task Logs_NeverContainTheKeyOrSecret_EvenWhenTheServerEchoesThem()
    {
        await using var stream = NewStream();
        _ = stream.RunAsync(_stop.Token);
        await WaitListeningAsync(stream);

        var echo = $$$"""{"stream":"weird","data":{"key_id":"{{{FakeAlpacaServer.KeyId}}}","secret_key":"{{{FakeAlpacaServer.SecretKey}}}"}}""";
        await _server.TradeStream.PushAsync(echo);
        await _server.TradeStream.PushAsync("not json " + FakeAlpacaServer.SecretKey);
        await _server.TradeStream.CloseConnectionsAsync("bye " + FakeAlpacaServer.SecretKey);
        await WaitUntilAsync(() => _server.TradeStream.ConnectionCount == 2 && stream.Connected, stream);
        _server.TradeStream.DropConnections();
        await WaitUntilAsync(() => _server.TradeStream.ConnectionCount == 3 && stream.Connected, stream);
        await _stop.CancelAsync();
        await WaitUntilAsync(() => !stream.Connected, stream: null);

        var logs = _logger.AllText;
        Assert.Contains("Skipped", logs, StringComparison.Ordinal); // the echoes were logged, redacted
        Assert.Contains("***", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeAlpacaServer.SecretKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeAlpacaServer.KeyId, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_EndsRunQuietly_AndLeavesTheServer()
    {
        await using var stream = NewStream();
        var run = stream.RunAsync(_stop.Token);
        await WaitListeningAsync(stream);

        await _stop.CancelAsync();
        await run.WaitAsync(Patience);

        Assert.False(stream.Connected);
        await WaitUntilAsync(() => _server.TradeStream.ListenerCount == 0, stream: null);
        Assert.Equal(1, _server.TradeStream.ConnectionCount);
    }

    [Theory]
    [InlineData("https://paper-api.alpaca.markets", "wss://paper-api.alpaca.markets/stream")]
    [InlineData("https://api.alpaca.markets/", "wss://api.alpaca.markets/stream")]
    [InlineData("http://127.0.0.1:5123/", "ws://127.0.0.1:5123/stream")]
    public void StreamUrl_IsDerivedFromTheTradingBaseUrl(string baseUrl, string expected) =>
        Assert.Equal(new Uri(expected), TradeUpdatesStream.StreamUrlFor(new Uri(baseUrl)));

    [Fact]
    public void ReconnectDelay_DoublesFromOneSecond_IsCappedAtThirtySeconds_AndJittersTwentyPercent()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), TradeUpdatesStream.ReconnectDelay(0, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(2), TradeUpdatesStream.ReconnectDelay(1, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(16), TradeUpdatesStream.ReconnectDelay(4, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(30), TradeUpdatesStream.ReconnectDelay(5, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(30), TradeUpdatesStream.ReconnectDelay(16, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(24), TradeUpdatesStream.ReconnectDelay(9, 0));
        Assert.InRange(TradeUpdatesStream.ReconnectDelay(9, 0.999999), TimeSpan.FromSeconds(35.9), TimeSpan.FromSeconds(36));
        Assert.Throws<ArgumentOutOfRangeException>(() => TradeUpdatesStream.ReconnectDelay(0, 1.0));
    }

    private AlpacaOptions Options() =>
        new(FakeAlpacaServer.KeyId, FakeAlpacaServer.SecretKey, _server.BaseUrl, TimeSpan.FromMinutes(10));

    private TradeUpdatesStream NewStream() => new(Options(), Collect, _logger, _time, streamUrl: null, random: new Random(7));

    private ValueTask Collect(TradeUpdate update)
    {
        _updates.Enqueue(update);
        return ValueTask.CompletedTask;
    }

    private Task WaitListeningAsync(TradeUpdatesStream stream) =>
        WaitUntilAsync(() => stream.Connected && _server.TradeStream.ListenerCount == 1, stream);

    /// <summary>
    /// Polls <paramref name="condition"/>; meanwhile, when <paramref name="stream"/> is backing off, moves the manual
    /// clock to its reconnect time (only once its delay timer exists, so the move cannot be missed).
    /// </summary>
    private async Task WaitUntilAsync(Func<bool> condition, TradeUpdatesStream? stream)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (!condition())
        {
            if (stream?.NextReconnectAt is { } at && _time.NextDue is { } due && due <= at)
            {
                _time.AdvanceTo(at);
            }

            await Task.Delay(10, patience.Token);
        }
    }

    private sealed class CapturingLogger : ILogger
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Text)> _entries = new();

        public IReadOnlyList<(LogLevel Level, string Text)> Entries => [.. _entries];

        public string AllText => string.Join('\n', _entries.Select(e => e.Text));

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _entries.Enqueue((logLevel, formatter(state, exception) + (exception is null ? string.Empty : "\n" + exception)));
    }
}
