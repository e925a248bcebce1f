using Microsoft.Data.Sqlite;
using SentryBrain.Execution;
using SentryBrain.Execution.Paper;
using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Execution;

public sealed class PaperBrokerTests : IDisposable
{
    private static readonly DateTime T0 = new(2026, 1, 15, 15, 0, 0, DateTimeKind.Utc); // 10:00 ET, Thursday

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "paper-broker-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Market_buy_fills_at_ask_and_debits_qty_times_ask()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);
        broker.OnQuote("AAPL", 99.5, 100.0, T0);

        var result = broker.Submit(Market("b1", "AAPL", OrderSide.Buy, 10), T0.AddSeconds(1));

        Assert.False(result.Duplicate);
        Assert.Equal(OrderStatus.Filled, result.Order.Status);
        Assert.Equal(10, result.Order.FilledQty);
        Assert.Equal(100.0, result.Order.FilledAvgPrice);
        Assert.Equal(9_000.0, broker.Cash); // 10000 − 10 × 100
        Assert.Equal(new BrokerPosition("AAPL", 10, 100.0), Assert.Single(broker.Positions));
        Assert.Equal(new BrokerPosition("AAPL", 10, 100.0), broker.PositionOf("AAPL"));
        Assert.Empty(broker.OpenOrders);

        var expected = new Fill(T0.AddSeconds(1), "b1", "AAPL", OrderSide.Buy, 10, 100.0);
        Assert.Equal(expected, Assert.Single(result.Fills));
    }

    [Fact]
    public void Market_sell_fills_at_bid_keeps_avg_and_removes_flat_position()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);
        broker.OnQuote("AAPL", 99.5, 100.0, T0);
        broker.Submit(Market("b1", "AAPL", OrderSide.Buy, 10), T0);
        broker.OnQuote("AAPL", 101.0, 101.5, T0.AddMinutes(1));

        var sell = broker.Submit(Market("s1", "AAPL", OrderSide.Sell, 4), T0.AddMinutes(1));

        Assert.Equal(OrderStatus.Filled, sell.Order.Status);
        Assert.Equal(101.0, sell.Order.FilledAvgPrice);
        Assert.Equal(9_404.0, broker.Cash); // 9000 + 4 × 101
        Assert.Equal(new BrokerPosition("AAPL", 6, 100.0), broker.PositionOf("AAPL"));

        broker.Submit(Market("s2", "AAPL", OrderSide.Sell, 6), T0.AddMinutes(2));

        Assert.Equal(10_010.0, broker.Cash); // 9404 + 6 × 101
        Assert.Null(broker.PositionOf("AAPL"));
        Assert.Empty(broker.Positions);
    }

    [Fact]
    public void Market_order_without_a_quote_waits_for_the_next_quote()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);

        var result = broker.Submit(Market("b1", "MSFT", OrderSide.Buy, 5), T0);

        Assert.Equal(OrderStatus.New, result.Order.Status);
        Assert.Empty(result.Fills);
        Assert.True(broker.HasOpenOrder("MSFT", OrderSide.Buy));
        Assert.False(broker.HasOpenOrder("MSFT", OrderSide.Sell));

        var update = broker.OnQuote("MSFT", 399.0, 400.0, T0.AddSeconds(3));

        Assert.Equal(new Fill(T0.AddSeconds(3), "b1", "MSFT", OrderSide.Buy, 5, 400.0), Assert.Single(update.Fills));
        Assert.Equal(OrderStatus.Filled, Assert.Single(update.ChangedOrders).Status);
        Assert.Equal(8_000.0, broker.Cash); // 10000 − 5 × 400
        Assert.False(broker.HasOpenOrder("MSFT", OrderSide.Buy));
    }

    [Fact]
    public void Limit_buy_below_ask_rests_then_fills_at_the_crossing_ask()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);
        broker.OnQuote("AAPL", 99.5, 100.0, T0);

        var result = broker.Submit(Limit("l1", "AAPL", OrderSide.Buy, 10, 99.0), T0);

        Assert.Equal(OrderStatus.New, result.Order.Status);
        Assert.Equal(10_000.0, broker.Cash);
        Assert.Equal(result.Order, Assert.Single(broker.OpenOrders));

        Assert.True(broker.OnQuote("AAPL", 98.9, 99.2, T0.AddSeconds(1)).IsEmpty); // 99.2 > 99: no fill

        var update = broker.OnQuote("AAPL", 98.6, 98.75, T0.AddSeconds(2));

        Assert.Equal(new Fill(T0.AddSeconds(2), "l1", "AAPL", OrderSide.Buy, 10, 98.75), Assert.Single(update.Fills));
        var filled = Assert.Single(update.ChangedOrders);
        Assert.Equal(OrderStatus.Filled, filled.Status);
        Assert.Equal(98.75, filled.FilledAvgPrice);
        Assert.Equal(9_012.5, broker.Cash); // 10000 − 10 × 98.75
        Assert.Empty(broker.OpenOrders);
        Assert.Equal(filled, broker.FindOrder("l1"));
    }

    [Fact]
    public void Limit_sell_fills_when_bid_reaches_limit_at_the_bid()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);
        broker.OnQuote("AAPL", 99.5, 100.0, T0);
        broker.Submit(Market("b1", "AAPL", OrderSide.Buy, 10), T0);
        broker.Submit(Limit("ls", "AAPL", OrderSide.Sell, 10, 102.0), T0);

        Assert.True(broker.OnQuote("AAPL", 101.99, 102.5, T0.AddSeconds(1)).IsEmpty);
        var update = broker.OnQuote("AAPL", 102.25, 102.5, T0.AddSeconds(2));

        Assert.Equal(102.25, Assert.Single(update.Fills).Price);
        Assert.Equal(10_022.5, broker.Cash); // 9000 + 10 × 102.25
        Assert.Empty(broker.Positions);
    }

    [Fact]
    public void Marketable_limit_fills_on_submit_at_the_last_quote()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);
        broker.OnQuote("AAPL", 99.5, 100.0, T0);

        var result = broker.Submit(Limit("l1", "AAPL", OrderSide.Buy, 10, 100.5), T0);

        Assert.Equal(OrderStatus.Filled, result.Order.Status);
        Assert.Equal(100.0, result.Order.FilledAvgPrice); // the ask, not the limit
        Assert.Equal(9_000.0, broker.Cash);
    }

    [Fact]
    public void Duplicate_client_order_id_returns_the_same_order_and_moves_cash_once()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);
        broker.OnQuote("AAPL", 99.5, 100.0, T0);

        var first = broker.Submit(Market("dup", "AAPL", OrderSide.Buy, 10), T0);
        var second = broker.Submit(Market("dup", "AAPL", OrderSide.Buy, 10), T0.AddSeconds(1));
        var third = broker.Submit(Market("dup", "AAPL", OrderSide.Buy, 99), T0.AddSeconds(2));

        Assert.False(first.Duplicate);
        Assert.True(second.Duplicate);
        Assert.True(third.Duplicate);
        Assert.Equal(first.Order, second.Order);
        Assert.Equal(first.Order, third.Order);
        Assert.Empty(second.Fills);
        Assert.Equal(9_000.0, broker.Cash);
        Assert.Equal(10, broker.PositionOf("AAPL")!.Qty);
        Assert.Single(first.Fills);
    }

    [Fact]
    public void Duplicate_of_a_rejected_order_stays_rejected()
    {
        using var broker = PaperBroker.Open(":memory:", 100);

        var first = broker.Submit(Limit("r", "AAPL", OrderSide.Buy, 10, 50.0), T0);
        var again = broker.Submit(Limit("r", "AAPL", OrderSide.Buy, 1, 50.0), T0);

        Assert.Equal(OrderStatus.Rejected, first.Order.Status);
        Assert.True(again.Duplicate);
        Assert.Equal(first.Order, again.Order);
        Assert.Equal(100.0, broker.Cash);
    }

    [Fact]
    public void Insufficient_cash_is_rejected_and_persisted()
    {
        using var broker = PaperBroker.Open(":memory:", 1_000);
        broker.OnQuote("AAPL", 99.5, 100.0, T0);

        var market = broker.Submit(Market("m", "AAPL", OrderSide.Buy, 11), T0); // 11 × 100 = 1100 > 1000
        var limit = broker.Submit(Limit("l", "AAPL", OrderSide.Buy, 20, 60.0), T0); // 20 × 60 = 1200 > 1000
        var fits = broker.Submit(Market("ok", "AAPL", OrderSide.Buy, 10), T0); // 10 × 100 = 1000

        Assert.Equal(OrderStatus.Rejected, market.Order.Status);
        Assert.Contains("insufficient cash", market.Order.RejectReason, StringComparison.Ordinal);
        Assert.Equal(OrderStatus.Rejected, limit.Order.Status);
        Assert.Equal(market.Order, broker.FindOrder("m"));
        Assert.Empty(market.Fills);
        Assert.Equal(OrderStatus.Filled, fits.Order.Status);
        Assert.Equal(0.0, broker.Cash);
    }

    [Fact]
    public void Oversell_is_rejected_no_shorting()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);
        broker.OnQuote("AAPL", 99.5, 100.0, T0);

        var naked = broker.Submit(Market("naked", "AAPL", OrderSide.Sell, 1), T0);
        broker.Submit(Market("b1", "AAPL", OrderSide.Buy, 10), T0);
        var over = broker.Submit(Market("over", "AAPL", OrderSide.Sell, 11), T0);

        Assert.Equal(OrderStatus.Rejected, naked.Order.Status);
        Assert.Equal(OrderStatus.Rejected, over.Order.Status);
        Assert.Contains("insufficient position", over.Order.RejectReason, StringComparison.Ordinal);
        Assert.Equal(10, broker.PositionOf("AAPL")!.Qty);
        Assert.Equal(9_000.0, broker.Cash);
    }

    [Fact]
    public void Shares_promised_to_an_open_sell_are_not_available_to_another()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);
        broker.OnQuote("AAPL", 99.5, 100.0, T0);
        broker.Submit(Market("b1", "AAPL", OrderSide.Buy, 10), T0);

        var first = broker.Submit(Limit("s1", "AAPL", OrderSide.Sell, 6, 110.0), T0);
        var second = broker.Submit(Limit("s2", "AAPL", OrderSide.Sell, 6, 110.0), T0);
        var rest = broker.Submit(Limit("s3", "AAPL", OrderSide.Sell, 4, 110.0), T0);

        Assert.Equal(OrderStatus.New, first.Order.Status);
        Assert.Equal(OrderStatus.Rejected, second.Order.Status);
        Assert.Equal(OrderStatus.New, rest.Order.Status);
        Assert.True(broker.HasOpenOrder("AAPL", OrderSide.Sell));
    }

    [Fact]
    public void Invalid_requests_are_rejected()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);

        Assert.Equal(OrderStatus.Rejected, broker.Submit(Market("z", "AAPL", OrderSide.Buy, 0), T0).Order.Status);
        Assert.Equal(OrderStatus.Rejected, broker.Submit(Market("n", "AAPL", OrderSide.Buy, -5), T0).Order.Status);
        Assert.Equal(OrderStatus.Rejected, broker.Submit(Limit("np", "AAPL", OrderSide.Buy, 1, null), T0).Order.Status);
        Assert.Equal(OrderStatus.Rejected, broker.Submit(Limit("zp", "AAPL", OrderSide.Buy, 1, 0.0), T0).Order.Status);
        Assert.Empty(broker.OpenOrders);
        Assert.Equal(10_000.0, broker.Cash);
    }

    [Fact]
    public void Average_entry_price_re_averages_on_buys_and_holds_on_sells()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);
        broker.OnQuote("AAPL", 99.5, 100.0, T0);
        broker.Submit(Market("b1", "AAPL", OrderSide.Buy, 10), T0); // 10 @ 100 = 1000
        broker.OnQuote("AAPL", 103.5, 104.0, T0.AddMinutes(1));
        broker.Submit(Market("b2", "AAPL", OrderSide.Buy, 30), T0.AddMinutes(1)); // 30 @ 104 = 3120

        // (1000 + 3120) / 40 = 103
        Assert.Equal(new BrokerPosition("AAPL", 40, 103.0), broker.PositionOf("AAPL"));
        Assert.Equal(5_880.0, broker.Cash); // 10000 − 1000 − 3120

        broker.OnQuote("AAPL", 105.0, 105.5, T0.AddMinutes(2));
        broker.Submit(Market("s1", "AAPL", OrderSide.Sell, 20), T0.AddMinutes(2)); // +20 × 105 = 2100

        Assert.Equal(new BrokerPosition("AAPL", 20, 103.0), broker.PositionOf("AAPL"));
        Assert.Equal(7_980.0, broker.Cash);
        Assert.Equal(10_100.0, broker.Equity(_ => 106.0)); // 7980 + 20 × 106
        Assert.Equal(10_040.0, broker.Equity(_ => null)); // 7980 + 20 × 103 (avg entry)
    }

    [Theory]
    [InlineData("2026-01-15T15:00:00Z", "2026-01-15T21:00:00Z")] // winter: 16:00 EST = 21:00 UTC
    [InlineData("2026-07-15T14:00:00Z", "2026-07-15T20:00:00Z")] // summer: 16:00 EDT = 20:00 UTC
    [InlineData("2026-01-15T22:00:00Z", "2026-01-16T21:00:00Z")] // 17:00 ET: the next day's close
    [InlineData("2026-01-15T21:00:00Z", "2026-01-16T21:00:00Z")] // exactly at the close: the next day's close
    public void Day_order_expires_at_the_new_york_close(string created, string expiry)
    {
        var createdAt = DateTime.Parse(created, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        var expiresAt = DateTime.Parse(expiry, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        using var broker = PaperBroker.Open(":memory:", 10_000);
        var order = broker.Submit(Limit("day", "AAPL", OrderSide.Buy, 10, 90.0), createdAt).Order;

        Assert.True(broker.OnClock(expiresAt.AddTicks(-1)).IsEmpty);
        Assert.Equal(order, Assert.Single(broker.OpenOrders));

        var update = broker.OnClock(expiresAt);

        var expired = Assert.Single(update.ChangedOrders);
        Assert.Equal(OrderStatus.Expired, expired.Status);
        Assert.Empty(update.Fills);
        Assert.Empty(broker.OpenOrders);
        Assert.Equal(expired, broker.FindOrder("day"));
        Assert.False(broker.HasOpenOrder("AAPL", OrderSide.Buy));
        Assert.True(broker.OnClock(expiresAt.AddHours(1)).IsEmpty);
    }

    [Fact]
    public void Expired_order_never_fills_on_a_late_quote_even_before_OnClock()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);
        broker.Submit(Limit("day", "AAPL", OrderSide.Buy, 10, 90.0), T0);

        var update = broker.OnQuote("AAPL", 80.0, 80.5, new DateTime(2026, 1, 15, 21, 0, 0, DateTimeKind.Utc));

        Assert.Empty(update.Fills);
        Assert.Equal(OrderStatus.Expired, Assert.Single(update.ChangedOrders).Status);
        Assert.Equal(10_000.0, broker.Cash);
    }

    [Fact]
    public void Quote_for_a_symbol_without_open_orders_returns_None_without_allocating()
    {
        using var broker = PaperBroker.Open(":memory:", 10_000);
        broker.Submit(Limit("other", "MSFT", OrderSide.Buy, 1, 10.0), T0);
        var now = T0;
        for (var i = 0; i < 1_000; i++)
        {
            broker.OnQuote("AAPL", 99.5, 100.0, now);
            broker.OnQuote("MSFT", 399.5, 400.0, now);
            broker.OnClock(now); // the first call records the event time once
        }

        SteadyState.AssertAllocatesNothing(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                if (!ReferenceEquals(BrokerUpdate.None, broker.OnQuote("AAPL", 99.5 + (i % 3), 100.0 + (i % 3), now)))
                {
                    Assert.Fail("expected BrokerUpdate.None");
                }

                broker.OnClock(now);
                broker.HasOpenOrder("AAPL", OrderSide.Buy);
                broker.PositionOf("AAPL");
            }
        });
    }

    [Fact]
    public void Restart_from_file_reproduces_cash_positions_and_open_orders()
    {
        var path = Path.Combine(_dir, "nested", "paper.db");
        double cash;
        BrokerPosition[] positions;
        BrokerOrder[] open;
        using (var broker = PaperBroker.Open(path, 10_000))
        {
            broker.OnQuote("AAPL", 99.5, 100.0, T0);
            broker.OnQuote("MSFT", 399.0, 400.0, T0);
            broker.Submit(Market("b1", "AAPL", OrderSide.Buy, 10), T0);
            broker.OnQuote("AAPL", 100.5, 100.75, T0.AddSeconds(1));
            broker.Submit(Market("b2", "AAPL", OrderSide.Buy, 3), T0.AddSeconds(1));
            broker.Submit(Market("m1", "MSFT", OrderSide.Buy, 2), T0.AddSeconds(2));
            broker.Submit(Limit("open-buy", "AAPL", OrderSide.Buy, 5, 90.0), T0.AddSeconds(3));
            broker.Submit(Limit("open-sell", "AAPL", OrderSide.Sell, 3, 120.0), T0.AddSeconds(4));
            broker.Submit(Market("rejected", "MSFT", OrderSide.Sell, 50), T0.AddSeconds(5));
            broker.MarkEventTime(T0.AddSeconds(5.5));
            cash = broker.Cash;
            positions = [.. broker.Positions];
            open = [.. broker.OpenOrders];
        }

        Assert.True(File.Exists(path));
        Assert.Equal("wal", ReadPragma(path, "journal_mode"));
        Assert.Equal(2, open.Length);
        Assert.Equal(10_000 - 1_000 - 302.25 - 800, cash, 9);

        using (var reopened = PaperBroker.Open(path, 1))
        {
            Assert.Equal(cash, reopened.Cash);
            Assert.Equal(10_000.0, reopened.StartingCash);
            Assert.Equal(positions, reopened.Positions);
            Assert.Equal(open, reopened.OpenOrders);
            Assert.Equal(T0.AddSeconds(5.5), reopened.LastEventTs);
            Assert.Equal(OrderStatus.Rejected, reopened.FindOrder("rejected")!.Status);
            Assert.Equal(OrderStatus.Filled, reopened.FindOrder("b1")!.Status);
            Assert.True(reopened.HasOpenOrder("AAPL", OrderSide.Sell));
            Assert.True(reopened.Submit(Market("b1", "AAPL", OrderSide.Buy, 10), T0.AddMinutes(1)).Duplicate);

            // The reloaded order still works: it fills on a crossing quote, and the fill survives another restart.
            var update = reopened.OnQuote("AAPL", 89.0, 89.5, T0.AddMinutes(2));
            Assert.Equal("open-buy", Assert.Single(update.Fills).ClientOrderId);
            cash = reopened.Cash;
            positions = [.. reopened.Positions];
        }

        using (var again = PaperBroker.Open(path, 1))
        {
            Assert.Equal(cash, again.Cash);
            Assert.Equal(positions, again.Positions);
            Assert.Equal("open-sell", Assert.Single(again.OpenOrders).ClientOrderId);
        }
    }

    [Fact]
    public void Last_event_time_is_written_at_most_once_per_minute_and_on_dispose()
    {
        var path = Path.Combine(_dir, "ts.db");
        using (var broker = PaperBroker.Open(path, 10_000))
        {
            Assert.Null(broker.LastEventTs);

            broker.MarkEventTime(T0);
            Assert.Equal(T0, ReadStoredEventTs(path));

            broker.MarkEventTime(T0.AddSeconds(59.9));
            Assert.Equal(T0.AddSeconds(59.9), broker.LastEventTs);
            Assert.Equal(T0, ReadStoredEventTs(path));

            broker.OnClock(T0.AddSeconds(60));
            Assert.Equal(T0.AddSeconds(60), ReadStoredEventTs(path));

            broker.OnClock(T0.AddSeconds(90));
            Assert.Equal(T0.AddSeconds(60), ReadStoredEventTs(path));
        }

        Assert.Equal(T0.AddSeconds(90), ReadStoredEventTs(path));
        using var reopened = PaperBroker.Open(path, 10_000);
        Assert.Equal(T0.AddSeconds(90), reopened.LastEventTs);
    }

    [Fact]
    public void Archive_moves_the_ledger_aside_so_the_next_open_starts_fresh()
    {
        var path = Path.Combine(_dir, "paper.db");
        using (var broker = PaperBroker.Open(path, 10_000))
        {
            broker.OnQuote("AAPL", 99.5, 100.0, T0);
            broker.Submit(Market("b1", "AAPL", OrderSide.Buy, 10), T0);
        }

        PaperBroker.Archive(path, "20260115T210000");

        Assert.False(File.Exists(path));
        Assert.True(File.Exists(path + ".20260115T210000.bak"));
        Assert.Throws<ArgumentException>(() => PaperBroker.Archive(path, "a/b"));

        using (var fresh = PaperBroker.Open(path, 5_000))
        {
            Assert.Equal(5_000.0, fresh.Cash);
            Assert.Empty(fresh.Positions);
            Assert.Null(fresh.FindOrder("b1"));
        }

        using var restored = PaperBroker.Open(path + ".20260115T210000.bak", 0);
        Assert.Equal(9_000.0, restored.Cash);
    }

    private static OrderRequest Market(string id, string symbol, OrderSide side, long qty) =>
        new(id, symbol, side, qty, OrderType.Market, null, "test");

    private static OrderRequest Limit(string id, string symbol, OrderSide side, long qty, double? limit) =>
        new(id, symbol, side, qty, OrderType.Limit, limit, "test");

    private static string? ReadPragma(string path, string pragma)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ConnectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = pragma switch
        {
            "journal_mode" => "PRAGMA journal_mode",
            _ => throw new ArgumentOutOfRangeException(nameof(pragma)),
        };
        return cmd.ExecuteScalar() as string;
    }

    private static DateTime? ReadStoredEventTs(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ConnectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT last_event_ts FROM account WHERE id = 1";
        return cmd.ExecuteScalar() is string text
            ? DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal)
            : null;
    }
}
