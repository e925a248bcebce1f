using SentryBrain.Execution.Alpaca;

namespace SentryBrain.Tests.Execution.Alpaca;

public sealed class ReconciliationTests : IAsyncLifetime, IDisposable
{
    private FakeAlpacaServer _server = null!;
    private AlpacaTradingClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeAlpacaServer.StartAsync();
        _client = new AlpacaTradingClient(new AlpacaOptions(FakeAlpacaServer.KeyId, FakeAlpacaServer.SecretKey, _server.BaseUrl, TimeSpan.FromSeconds(5)));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _client?.Dispose();

    [Fact]
    public async Task BrokerOnlyPositionAndOpenOrder_AreAdopted_AndALocalOnlyOrder_IsMarked()
    {
        // The broker holds 7 MSFT (bought while the brain was down) and an open limit buy the brain never recorded;
        // the brain believes an order "sb-lost" is open that the broker does not list.
        _server.SetPrice("MSFT", 400m);
        await _client.SubmitOrderAsync(new AlpacaOrderRequest("sb-ext-msft", "MSFT", 7, "buy", "market", "day"), CancellationToken.None);
        await _client.SubmitOrderAsync(new AlpacaOrderRequest("sb-ext-limit", "ACME", 3, "buy", "limit", "day", LimitPrice: 1.00m), CancellationToken.None);
        LocalOpenOrder[] local = [new("sb-lost", "BOLT", "buy", 5)];
        var localPositions = new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BOLT"] = 2 };

        var result = Reconciliation.Reconcile(
            local,
            localPositions,
            await _client.ListOpenOrdersAsync(CancellationToken.None),
            await _client.ListPositionsAsync(CancellationToken.None));

        Assert.False(result.InSync);
        Assert.Equal("sb-ext-limit", Assert.Single(result.AdoptedOrders).ClientOrderId); // the filled market order is not open
        Assert.Equal("sb-lost", Assert.Single(result.MissingAtBroker).ClientOrderId);
        Assert.Equal(
            [new PositionDifference("BOLT", 2, 0, 0), new PositionDifference("MSFT", 0, 7, 400m)],
            result.AdoptedPositions);
    }

    [Fact]
    public void SameView_IsInSync()
    {
        var order = new AlpacaOrder("id1", "sb-1", "ACME", "buy", "limit", "day", "new", 3, 0, null, 1.00m, null, null, null, null);
        var result = Reconciliation.Reconcile(
            [new LocalOpenOrder("sb-1", "ACME", "buy", 3)],
            new Dictionary<string, decimal>(StringComparer.Ordinal),
            [order],
            []);
        Assert.True(result.InSync);
    }
}
