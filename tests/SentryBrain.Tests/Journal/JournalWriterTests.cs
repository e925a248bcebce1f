using System.Text;
using SentryBrain.Execution;
using SentryBrain.Journal;
using SentryBrain.Strategy;

namespace SentryBrain.Tests.Journal;

public class JournalWriterTests
{
    private static readonly DateTime Ts = new(2026, 3, 2, 14, 47, 0, 900, DateTimeKind.Utc);

    private static string Write(Action<JournalWriter> write)
    {
        var stream = new MemoryStream();
        using (var journal = new JournalWriter(stream))
        {
            write(journal);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void Decision_HasTheArchitectureShape_OneLine()
    {
        var decision = new Decision(TradeAction.Buy, 12, "consensus_buy", new DecisionSignals(0.4, 0.16, 0, null, null, 2, 100.71, null));
        var line = Write(j => j.Decision(Ts, "ACME", decision));
        Assert.Equal(
            """{"kind":"decision","ts":"2026-03-02T14:47:00.9Z","symbol":"ACME","action":"buy","qty":12,"reason":"consensus_buy","signals":{"news":0.4,"momentum":0.16,"social":0,"rsi":null,"rsi_score":null,"positive_sources":2,"price":100.71}}""" + "\n",
            line);
    }

    [Fact]
    public void Order_Fill_Error_Summary_HaveTheArchitectureShape()
    {
        var order = new BrokerOrder("sb-1", "ACME", OrderSide.Sell, 12, OrderType.Market, null, OrderStatus.Filled, 12, 102.73, Ts);
        var text = Write(j =>
        {
            j.Order(Ts, order, "paper", "take_profit");
            j.Fill(new Fill(Ts, "sb-1", "ACME", OrderSide.Sell, 12, 102.73));
            j.Error(7, "field 'price' must be positive");
            j.Summary(new RunSummary(10, 9, 1, 0, 3, 1, 1, 12.5));
        });
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            """{"kind":"order","ts":"2026-03-02T14:47:00.9Z","symbol":"ACME","side":"sell","qty":12,"type":"market","limit_price":null,"client_order_id":"sb-1","status":"filled","broker":"paper","reason":"take_profit"}""",
            """{"kind":"fill","ts":"2026-03-02T14:47:00.9Z","client_order_id":"sb-1","symbol":"ACME","side":"sell","qty":12,"price":102.73}""",
            """{"kind":"error","line":7,"error":"field 'price' must be positive"}""",
            """{"kind":"summary","lines":10,"events":9,"rejected":1,"unknown":0,"decisions":3,"orders":1,"fills":1,"elapsed_s":12.5}""",
        ], lines);
    }

    [Fact]
    public void Error_EscapesHostileText()
    {
        var line = Write(j => j.Error(1, "bad \"quote\"\n and \u0001"));
        Assert.Equal("{\"kind\":\"error\",\"line\":1,\"error\":\"bad \\\"quote\\\"\\n and \\u0001\"}\n", line);
    }
}
