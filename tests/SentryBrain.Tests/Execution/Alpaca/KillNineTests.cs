using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Execution.Alpaca;
using SentryBrain.Replay;

namespace SentryBrain.Tests.Execution.Alpaca;

/// <summary>
/// The consumer is killed (SIGKILL) after Alpaca accepted an order but before the answer arrived; a restart on the
/// same stream (as a redelivering feed would do) ends with exactly one order at the broker and the same position.
/// Run 1 is the real CLI as a child process (a real SIGKILL); run 2 reads the stream in process, paced by the broker.
/// </summary>
public sealed class KillNineTests() : FakeAlpacaWorkspace("sb-kill9-", ("ACME", 100.71m), ("BOLT", 50.43m))
{
    private readonly System.Text.StringBuilder _stderr = new();

    private Process StartConsume()
    {
        // The CLI's own build output (with its own dependency manifest), in the configuration of this test run.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var cli = Path.Combine(DocsTests.RepoRoot(), "src", "SentryBrain.Cli", "bin", configuration, "net10.0", "brain.dll");
        Assert.True(File.Exists(cli), "build the CLI first: " + cli);
        var info = new ProcessStartInfo("dotnet", [cli, "consume"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Dir,
        };
        info.Environment["APCA_API_KEY_ID"] = FakeAlpacaServer.KeyId;
        info.Environment["APCA_API_SECRET_KEY"] = FakeAlpacaServer.SecretKey;
        info.Environment["APCA_API_BASE_URL"] = Server.BaseUrl.ToString();
        info.Environment["ALPACA_STATE_DB"] = Path.Combine(Dir, "alpaca.db");
        info.Environment["STRATEGY_MODE"] = "consensus";
        info.Environment["USE_LIMIT_ORDERS"] = "false";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(line);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitForExit(Process process, string what)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"timed out after 60 s waiting for {what} to exit; stderr:\n{Stderr()}");
        }
    }

    private string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.ToString();
        }
    }

    private static async Task WaitUntil(Func<bool> condition, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "timed out waiting for " + what());
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task KillBetweenAcceptanceAndAnswer_ThenRestart_LeavesExactlyOneOrder()
    {
        var stream = new MemoryStream();
        Scenario.Write(stream);
        var lines = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Run 1: the broker opens on the first event; once it has read the account and positions, every later request
        // is handled by Alpaca (an order IS stored) but answered only after 60 s. Orders are sent off the consumer's
        // thread, so the consumer reads on; kill -9 once Alpaca holds an order whose answer never arrived.
        List<string?> firstRunPosts;
        using (var first = StartConsume())
        {
            await first.StandardInput.WriteLineAsync(lines[0]);
            await first.StandardInput.FlushAsync();
            await WaitUntil(() => Server.Requests.Any(r => r.Path == "/v2/positions"), () => "the broker to open");
            Server.DelayNext(1_000, TimeSpan.FromSeconds(60));

            var feeding = Task.Run(async () =>
            {
                try
                {
                    foreach (var line in lines.Skip(1))
                    {
                        await first.StandardInput.WriteLineAsync(line);
                    }

                    await first.StandardInput.FlushAsync();
                }
                catch (IOException)
                {
                    // the process was killed while we were writing
                }
            });
            await WaitUntil(() => Server.OrderCount >= 1, () => "Alpaca to accept the first order; requests: " + string.Join(", ", Server.Requests.Select(r => r.Method + " " + r.Path)) + "\nstderr: " + Stderr());
            first.Kill(entireProcessTree: true); // SIGKILL: no clean-up, no acknowledgement written
            await WaitForExit(first, "the killed consumer");
            Assert.True(await Task.WhenAny(feeding, Task.Delay(TimeSpan.FromSeconds(60))) == feeding, "timed out waiting for the writer of the killed consumer's input to stop");
            await feeding;
            Server.DelayNext(0, TimeSpan.Zero);
            firstRunPosts = Server.Requests.Where(r => r.Method == "POST" && r.Path == "/v2/orders").Select(r => r.ClientOrderId).ToList();
            Assert.NotEmpty(firstRunPosts);
            Assert.Equal(firstRunPosts.Count, Server.OrderCount); // every POST was stored, none answered
        }

        // Run 2: the same stream again to the end, the way a live feed delivers it: each event only once Alpaca has
        // answered every request in flight (ConsumePaced), so the outcome does not depend on the machine's speed. In
        // process, on the same state store as the killed run, with the same settings as its environment.
        var config = AlpacaConfig(("USE_LIMIT_ORDERS", "false"));
        var second = ConsumePaced(config, System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"), new MemoryStream(), NullLogger.Instance);
        second.Broker?.Dispose();
        Assert.Equal(lines.Length, second.Summary.Lines);
        Assert.Equal(0, second.Summary.Rejected);

        // Exactly one order at Alpaca carries the first client_order_id, and nothing was ordered twice.
        var posted = Server.Requests.Where(r => r.Method == "POST" && r.Path == "/v2/orders").Select(r => r.ClientOrderId).ToList();
        var accepted = Server.OrderCount;
        Assert.Equal(posted.Count, accepted);
        // After the restart the accepted intents are recovered by client_order_id and the broker's positions adopted,
        // so when the stream reaches the same decisions again none of those orders is sent a second time.
        Assert.All(posted.GroupBy(id => id), g => Assert.Single(g));
        Assert.All(firstRunPosts, id => Assert.Single(posted, p => p == id));

        // Same position as an uninterrupted run of the scenario: ACME and BOLT both bought and sold again, flat.
        using var client = new AlpacaTradingClient(new AlpacaOptions(FakeAlpacaServer.KeyId, FakeAlpacaServer.SecretKey, Server.BaseUrl, TimeSpan.FromSeconds(5)));
        Assert.Empty(await client.ListPositionsAsync(CancellationToken.None));
    }
}
