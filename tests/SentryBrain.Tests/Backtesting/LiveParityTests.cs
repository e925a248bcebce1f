using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Backtesting;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Execution.Paper;
using SentryBrain.Journal;
using SentryBrain.Market;
using SentryBrain.Market.Bars;
using SentryBrain.Strategy;
using SentryBrain.Tests.Signals.Technical;

namespace SentryBrain.Tests.Backtesting;

/// <summary>
/// Parity: the AAPL sample replayed as a live event stream — one print per day — through the consume engine
/// (<see cref="BrainEngine"/> with the embedded paper broker) gives the same buy and sell decisions, on the same
/// days, for the same reasons and quantities, with the same fills, as the backtest of the same prices.
/// </summary>
/// <remarks>
/// <para>The stream, per sample day at 16:30 UTC (11:30 or 12:30 in New York: inside the regular session, even
/// on early-close days, and before the 15:45 no-new-buys time): a quote with bid = ask = the close, then 1 ms
/// later a trade at the close, both carrying the 1- and 5-day returns as their 1- and 5-minute returns. The paper broker fills an order at once at the
/// quote, so the backtest runs with <c>BACKTEST_FILL_AT_NEXT_OPEN=false</c> (fill at the
/// decision's price) on bars with open = high = low = close (the daily bar a single print makes live), and without
/// intrabar checks (such a bar has no range; live judges every exit on the print).</para>
/// <para>Settings that differ by construction between a once-a-day replay and a daily backtest are set so that
/// they cannot fire, on both sides: the daily cap (live takes its baseline at the first print of the day, the
/// backtest at the previous close), the 1/5-minute-return kill switch (fed daily returns here), OFI (a trade at
/// the ask classifies as buying) and the scale-out levels (live takes one level per event, so two a day on this
/// two-event replay, where the backtest takes one per daily bar; scale-outs are covered by the regression and
/// behaviour tests). Everything else — the Green Light checklist, ATR stop and take profit, breakeven, trailing
/// stop, max hold, sizing — runs with the reference defaults on both sides.</para>
/// </remarks>
public class LiveParityTests
{
    private static readonly (string Key, string Value)[] Settings =
    [
        ("DAILY_CAP_ENABLED", "false"),
        ("DAILY_LOSS_CAP_PCT", "100"),
        ("KILL_SWITCH_RETURN_THRESHOLD", "-1"),
        ("USE_OFI", "false"),
        ("BACKTEST_FILL_AT_NEXT_OPEN", "false"),
        ("SCALE_OUT_ENABLED", "false"),
    ];

    [Theory]
    [InlineData(BacktestStrategy.GreenLight, "green_light", "green_light_4pt,stop_loss,take_profit,max_hold_days")]
    [InlineData(BacktestStrategy.Consensus, "consensus", "consensus_buy,stop_loss,take_profit")]
    public void AaplSample_ReplayedThroughConsume_MakesTheBacktestsDecisions(BacktestStrategy strategy, string mode, string reasons)
    {
        var config = BrainConfig.Load(ConfigSource.FromPairs([.. Settings, ("STRATEGY_MODE", mode)]));
        var closes = SampleFiles.AaplDaily.Select(b => new DailyBar(b.Date, b.Close, b.Close, b.Close, b.Close, b.Volume)).ToArray();

        var backtest = Backtester.Run(
            BarPanel.Align([new SymbolBars("AAPL", closes, "aapl")]),
            new BacktestOptions(strategy, config, config.PaperStartingCash, IntrabarExits: false));
        var expectedDecisions = backtest.Decisions
            .Select(d => $"{d.Date:yyyy-MM-dd} {Decision.ActionName(d.Action)} {(d.Action == TradeAction.Sell ? d.Qty : 0)} {d.Reason}")
            .ToList();
        var expectedFills = backtest.Fills.Select(f => $"{f.Date:yyyy-MM-dd} {f.Side} {f.Qty} {f.Price.ToString("R", CultureInfo.InvariantCulture)}").ToList();

        var (liveDecisions, liveFills) = Consume(config, closes);

        Assert.True(expectedDecisions.Count > 50, "the sample should trade a lot: " + expectedDecisions.Count);
        foreach (var reason in reasons.Split(','))
        {
            Assert.Contains(expectedDecisions, d => d.EndsWith(" " + reason, StringComparison.Ordinal));
        }

        Assert.Equal(expectedDecisions, liveDecisions);
        Assert.Equal(expectedFills, liveFills);
    }

    private static (List<string> Decisions, List<string> Fills) Consume(BrainConfig config, DailyBar[] bars)
    {
        var output = new MemoryStream();
        using (var broker = PaperBroker.Open(":memory:", config.PaperStartingCash))
        using (var journal = new JournalWriter(output))
        {
            var engine = new BrainEngine(config, broker, journal, NullLogger.Instance);
            for (var t = 0; t < bars.Length; t++)
            {
                var at = bars[t].Date.ToDateTime(new TimeOnly(16, 30), DateTimeKind.Utc);
                var c = R(bars[t].Close);
                var r1 = t >= 1 ? R((bars[t].Close / bars[t - 1].Close) - 1) : "0";
                var r5 = t >= 5 ? R((bars[t].Close / bars[t - 5].Close) - 1) : "0";
                engine.ProcessLine(Encoding.UTF8.GetBytes(
                    $"{{\"type\":\"quote\",\"ts\":\"{at:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"payload\":{{\"symbol\":\"AAPL\",\"bid\":{c},\"ask\":{c},\"bid_size\":1,\"ask_size\":1,\"mid\":{c},\"volume_1m\":0,\"volume_5m\":0,\"return_1m\":{r1},\"return_5m\":{r5},\"session\":\"regular\",\"volatility\":0}}}}"));
                engine.ProcessLine(Encoding.UTF8.GetBytes(
                    $"{{\"type\":\"trade\",\"ts\":\"{at.AddMilliseconds(1):yyyy-MM-ddTHH:mm:ss.fffZ}\",\"payload\":{{\"symbol\":\"AAPL\",\"price\":{c},\"size\":100,\"volume_1m\":100,\"volume_5m\":100,\"return_1m\":{r1},\"return_5m\":{r5},\"session\":\"regular\",\"volatility\":0}}}}"));
            }

            engine.Finish();
        }

        var decisions = new List<string>();
        var fills = new List<string>();
        foreach (var line in Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var kind = root.GetProperty("kind").GetString();
            if (kind is not ("decision" or "fill"))
            {
                continue;
            }

            var date = NewYorkTime.TradingDate(DateTime.Parse(root.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
            if (kind == "decision")
            {
                var action = root.GetProperty("action").GetString();
                if (action != "hold")
                {
                    var qty = action == "sell" ? root.GetProperty("qty").GetInt64() : 0;
                    decisions.Add($"{date:yyyy-MM-dd} {action} {qty} {root.GetProperty("reason").GetString()}");
                }
            }
            else
            {
                fills.Add($"{date:yyyy-MM-dd} {root.GetProperty("side").GetString()} {root.GetProperty("qty").GetInt64()} {root.GetProperty("price").GetDouble().ToString("R", CultureInfo.InvariantCulture)}");
            }
        }

        return (decisions, fills);
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
