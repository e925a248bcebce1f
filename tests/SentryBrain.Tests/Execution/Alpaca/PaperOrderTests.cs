using SentryBrain.Execution.Alpaca;
using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.Execution.Alpaca;

public sealed class PaperOrderTests : IAsyncLifetime
{
    private FakeAlpacaServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeAlpacaServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Dictionary<string, string> Env(string? key = FakeAlpacaServer.KeyId, string? secret = FakeAlpacaServer.SecretKey)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["APCA_API_BASE_URL"] = _server.BaseUrl.ToString(),
            ["ALPACA_DATA_BASE_URL"] = "http://127.0.0.1:9", // no data access here: the order falls back to market
        };
        if (key is not null)
        {
            env["APCA_API_KEY_ID"] = key;
        }

        if (secret is not null)
        {
            env["APCA_API_SECRET_KEY"] = secret;
        }

        return env;
    }

    [Fact]
    public async Task AgainstTheFakeServer_SubmitsOneBuy_AndExitsZero()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await PaperOrder.RunAsync(Env(), "aapl", 1, output, error);

        Assert.True(code == 0, error.ToString());
        Assert.Equal(1, _server.OrderCount);
        Assert.Contains("BUY 1 AAPL market", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("sb-paper-order-", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutKeys_ExitsOne_WithOneLine()
    {
        var error = new StringWriter();
        var code = await PaperOrder.RunAsync(Env(key: null, secret: null), "AAPL", 1, TextWriter.Null, error);

        Assert.Equal(1, code);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("APCA_API_KEY_ID", line, StringComparison.Ordinal);
        Assert.Equal(0, _server.OrderCount);
    }

    [Fact]
    public async Task WrongKeys_ExitOne_AndTheSecretIsNeverPrinted()
    {
        const string secret = "wrong-secret-do-not-print";
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await PaperOrder.RunAsync(Env(key: "wrong", secret: secret), "AAPL", 1, output, error);

        Assert.Equal(1, code);
        Assert.Contains("401", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, output + error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveEndpoint_IsRefused_WithoutARequest()
    {
        var env = Env();
        env["APCA_API_BASE_URL"] = "https://api.alpaca.markets";
        var error = new StringWriter();
        Assert.Equal(1, await PaperOrder.RunAsync(env, "AAPL", 1, TextWriter.Null, error));
        Assert.Contains("LIVE", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 10 break 12: paper-order is a paper-trading smoke test and never sends to the live host. Against a live
    /// URL it says exactly that, with or without ALPACA_LIVE (which it must not suggest: it would change nothing).
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("true")]
    public void Cli_LiveEndpoint_SaysPaperOrderNeverSendsToLive_WithOrWithoutAlpacaLive(string? alpacaLive)
    {
        using var dir = BrainCli.NewFolder();
        var env = new Dictionary<string, string>
        {
            ["APCA_API_BASE_URL"] = "https://api.alpaca.markets",
            ["APCA_API_KEY_ID"] = FakeAlpacaServer.KeyId,
            ["APCA_API_SECRET_KEY"] = FakeAlpacaServer.SecretKey,
            ["ALPACA_DATA_BASE_URL"] = _server.BaseUrl.ToString(), // were a quote asked for, the fake server would see it
        };
        if (alpacaLive is not null)
        {
            env["ALPACA_LIVE"] = alpacaLive;
        }

        var result = BrainCli.Run(dir.Path, env, "paper-order");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("paper-order never sends orders to the live", line, StringComparison.Ordinal);
        Assert.Contains("https://paper-api.alpaca.markets", line, StringComparison.Ordinal);
        Assert.DoesNotContain("set ALPACA_LIVE", line, StringComparison.Ordinal);
        Assert.Empty(_server.Requests); // refused before any request, quote included
    }

    [Fact]
    public void Cli_AgainstTheFakePaperServer_SubmitsOneBuy()
    {
        using var dir = BrainCli.NewFolder();
        var env = new Dictionary<string, string>
        {
            ["APCA_API_BASE_URL"] = _server.BaseUrl.ToString(),
            ["APCA_API_KEY_ID"] = FakeAlpacaServer.KeyId,
            ["APCA_API_SECRET_KEY"] = FakeAlpacaServer.SecretKey,
            ["ALPACA_DATA_BASE_URL"] = "http://127.0.0.1:9",
        };

        var result = BrainCli.Run(dir.Path, env, "paper-order", "--symbol", "AAPL", "--qty", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, _server.OrderCount);
    }
}
