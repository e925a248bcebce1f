namespace SentryBrain.Tests.Execution.Alpaca;

/// <summary>A fake Alpaca server with market prices set, and a temporary folder for state, per test.</summary>
public abstract class FakeAlpacaWorkspace(string folderPrefix, params (string Symbol, decimal Price)[] prices) : IAsyncLifetime
{
    protected string Dir { get; } = Directory.CreateTempSubdirectory(folderPrefix).FullName;

    protected FakeAlpacaServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FakeAlpacaServer.StartAsync();
        foreach (var (symbol, price) in prices)
        {
            Server.SetPrice(symbol, price);
        }
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
