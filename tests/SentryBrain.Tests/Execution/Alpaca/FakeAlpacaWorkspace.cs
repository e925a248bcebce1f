using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution.Alpaca;
using SentryBrain.Replay;

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

    /// <summary>
    /// Trading on this workspace's fake Alpaca: its keys and URL, the state store in <see cref="Dir"/>, the consensus
    /// strategy; <paramref name="more"/> adds settings (each key once).
    /// </summary>
    protected BrainConfig AlpacaConfig(params (string Key, string Value)[] more) => BrainConfig.Load(ConfigSource.FromPairs(
    [
        ("APCA_API_KEY_ID", FakeAlpacaServer.KeyId),
        ("APCA_API_SECRET_KEY", FakeAlpacaServer.SecretKey),
        ("APCA_API_BASE_URL", Server.BaseUrl.ToString()),
        ("ALPACA_STATE_DB", Path.Combine(Dir, "alpaca.db")),
        ("STRATEGY_MODE", "consensus"),
        .. more,
    ]));

    /// <summary>The built-in scenario's events as NDJSON bytes.</summary>
    protected static byte[] ScenarioBytes()
    {
        var events = new MemoryStream();
        Scenario.Write(events);
        return events.ToArray();
    }

    /// <summary>
    /// Runs <paramref name="events"/> through the consumer the way a live feed delivers them: Alpaca answers (in the
    /// background) before the next event arrives (<see cref="PacedLines"/>). At full replay speed the whole stream would
    /// be read before the first answer came back, and the outcome would depend on the machine's speed.
    /// </summary>
    protected static ConsumeRunner.Result ConsumePaced(BrainConfig config, byte[] events, Stream journal, ILogger logger, Action? afterOpen = null)
    {
        AlpacaBroker? broker = null;
        var paced = new PacedLines(events, () => broker is null || broker.InFlight == 0);
        return ConsumeRunner.Run(paced, journal, config, logger, ts =>
        {
            broker = (AlpacaBroker?)ConsumeRunner.OpenDefaultBroker(config, ts, logger);
            afterOpen?.Invoke();
            return broker;
        });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
