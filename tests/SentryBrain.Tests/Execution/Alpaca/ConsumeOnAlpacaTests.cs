using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution.Alpaca;
using SentryBrain.Replay;

namespace SentryBrain.Tests.Execution.Alpaca;

/// <summary>With Alpaca keys set, consume routes orders to Alpaca (here the fake server), once each.</summary>
public sealed class ConsumeOnAlpacaTests() : FakeAlpacaWorkspace("sb-alpaca-", ("ACME", 100.71m), ("BOLT", 50.43m))
{

    private BrainConfig Config() => AlpacaConfig(("USE_LIMIT_ORDERS", "false"));

    private List<JsonElement> Consume(BrainConfig config) => Consume(config, NullLogger.Instance);

    private List<JsonElement> Consume(BrainConfig config, Microsoft.Extensions.Logging.ILogger logger, Action? afterOpen = null)
    {
        var journal = new MemoryStream();
        ConsumePaced(config, ScenarioBytes(), journal, logger, afterOpen).Broker?.Dispose();
        return [.. Encoding.UTF8.GetString(journal.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    [Fact]
    public void KeysSet_OrdersGoToAlpaca_EachOnce_WithFills()
    {
        var journal = Consume(Config());

        var orders = journal.Where(l => l.GetProperty("kind").GetString() == "order").ToList();
        Assert.NotEmpty(orders);
        Assert.All(orders, o => Assert.Equal("alpaca", o.GetProperty("broker").GetString()));
        Assert.Equal(orders.Count, Server.OrderCount); // one POSTed order per journaled order, none twice
        Assert.Contains(journal, l => l.GetProperty("kind").GetString() == "fill");
        var ids = orders.Select(o => o.GetProperty("client_order_id").GetString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void TradePaperFalse_WithKeysSet_SendsNothingToAlpaca()
    {
        var journal = Consume(BrainConfig.Load(ConfigSource.FromPairs(
            ("APCA_API_KEY_ID", FakeAlpacaServer.KeyId),
            ("APCA_API_SECRET_KEY", FakeAlpacaServer.SecretKey),
            ("APCA_API_BASE_URL", Server.BaseUrl.ToString()),
            ("TRADE_PAPER", "false"),
            ("STRATEGY_MODE", "consensus"))));

        Assert.Contains(journal, l => l.GetProperty("kind").GetString() == "decision" && l.GetProperty("action").GetString() == "buy");
        Assert.DoesNotContain(journal, l => l.GetProperty("kind").GetString() == "order");
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void LogScan_NoKeyOrSecretInLogsOrJournal_ThroughFaultsRejectionsAndReconciliation()
    {
        // Every unhappy path that writes text: 429s, a 500, a dropped connection, 403 rejections, a refused start,
        // and restarts that reconcile. Logs are captured at Debug with exceptions in full.
        var logs = new StringBuilder();
        var logger = new SentryBrain.Tests.Engine.SecretsTests.CapturingLogger(logs);
        var config = AlpacaConfig(
            ("ALPACA_REQUESTS_PER_MIN", "6000"), // the pacing after each 429 is not what this test is about
            ("LOG_LEVEL", "DEBUG"));
        var journal = Consume(config, logger, () => Server.FailNext(2, 429, retryAfterSeconds: 1));
        var again = Consume(config, logger, () =>
        {
            Server.FailNext(1, 500);
            Server.AcceptThenDropNext();
        });
        var third = Consume(config, logger, () => Server.FailNext(3, 403));
        Server.FailNext(1, 403);
        var refused = Assert.Throws<BrokerStartException>(() => Consume(config, logger));
        logs.AppendLine(refused.ToString());

        var everything = logs + string.Join("\n", journal.Concat(again).Concat(third).Select(l => l.GetRawText()));
        Assert.Contains(journal, l => l.GetProperty("kind").GetString() == "order");
        Assert.Contains("403", everything, StringComparison.Ordinal); // the fault paths did write text
        Assert.Contains(third, l => l.GetProperty("kind").GetString() == "order" && l.GetProperty("status").GetString() == "rejected"
            && l.GetProperty("reason").GetString() == "rejected" && l.GetProperty("reject_reason").GetString()!.Contains("403", StringComparison.Ordinal));
        Assert.DoesNotContain(FakeAlpacaServer.KeyId, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeAlpacaServer.SecretKey, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeAlpacaServer.SecretKey[..10], everything, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplayingTheSameStreamAgain_SendsNoOrderTwice()
    {
        // Same events, same deterministic client_order_ids: the second run's submissions are answered with the
        // existing orders (duplicate id), so Alpaca still holds exactly the first run's orders.
        Consume(Config());
        var first = Server.OrderCount;
        Consume(Config());
        Assert.Equal(first, Server.OrderCount);
    }
}

/// <summary>A stream that hands out one line per read, each only once <c>ready()</c> holds; a wait longer than
/// <see cref="Budget"/> throws (the run fails with the line it was stuck on).</summary>
internal sealed class PacedLines(byte[] content, Func<bool> ready) : Stream
{
    /// <summary>How long one line may wait for <c>ready()</c> before the read throws <see cref="TimeoutException"/>.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    private int _position;

    /// <summary>Lines handed out so far.</summary>
    public int Lines { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => content.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= content.Length)
        {
            return 0;
        }

        // Poll (the condition has no event to wait on), but never carry on unready: a stuck broker fails the test.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!ready())
        {
            if (waited.Elapsed > Budget)
            {
                throw new TimeoutException($"PacedLines: the consumer was not ready for line {Lines + 1} (byte {_position}) within {Budget.TotalSeconds:0} s");
            }

            Thread.Sleep(2);
        }

        Lines++;

        var end = Array.IndexOf(content, (byte)'\n', _position);
        var length = Math.Min(count, (end < 0 ? content.Length : end + 1) - _position);
        Array.Copy(content, _position, buffer, offset, length);
        _position += length;
        return length;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
