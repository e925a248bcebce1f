using SentryBrain.Market;
using SentryBrain.Signals.Microstructure;
using SentryBrain.Signals.Technical;

namespace SentryBrain.Tests.Signals;

/// <summary>The series form (computed from the definition) and the streaming form give the same numbers.</summary>
public class SeriesStreamParityTests
{
    [Fact]
    public void Ofi_HandWorked_BothForms()
    {
        // quote 10.00 / 10.02; three buys of 100 at the ask, one sell of 50 at the bid, one trade at the mid (ignored)
        // ⇒ (300 − 50)/(300 + 50) = 0.714285…; with window 3 the first buy drops out ⇒ (200 − 50)/250 = 0.6.
        TapeEvent[] tape =
        [
            TapeEvent.Quote(10.00, 10.02),
            TapeEvent.Trade(10.02, 100),
            TapeEvent.Trade(10.02, 100),
            TapeEvent.Trade(10.03, 100),
            TapeEvent.Trade(10.00, 50),
            TapeEvent.Trade(10.01, 70),
        ];
        Assert.Equal(250.0 / 350, OrderFlowImbalance.Series(tape, 100)[^1]!.Value, 12);
        Assert.Equal(150.0 / 250, OrderFlowImbalance.Series(tape, 3)[^1]!.Value, 12);
        Assert.Equal(250.0 / 350, Stream(tape, 100)[^1]!.Value, 12);
        Assert.Equal(150.0 / 250, Stream(tape, 3)[^1]!.Value, 12);
        Assert.Null(OrderFlowImbalance.Series(tape, 3)[0]);
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 100)]
    [InlineData(3, 1)]
    public void Ofi_StreamingEqualsSeries_OnARandomTape(int seed, int window)
    {
        var random = new Random(seed);
        var tape = new TapeEvent[5_000];
        var mid = 100.0;
        for (var i = 0; i < tape.Length; i++)
        {
            mid += (random.Next(-3, 4)) * 0.01;
            var spread = random.Next(0, 4) * 0.01; // 0 ⇒ locked quote: trades are not classified
            tape[i] = random.Next(3) == 0
                ? TapeEvent.Quote(Math.Round(mid - spread, 2), Math.Round(mid + spread, 2))
                : TapeEvent.Trade(Math.Round(mid + (random.Next(-4, 5) * 0.01), 2), random.Next(1, 500));
        }

        Assert.Equal(OrderFlowImbalance.Series(tape, window), Stream(tape, window));
    }

    [Fact]
    public void SessionVwap_HandWorked_BothForms()
    {
        // 2026-03-02 (EST): 14:29Z = 09:29 ET is before the open (ignored); bars at 09:30 and 09:31 ET:
        // tp1 = (101 + 99 + 100)/3 = 100, v = 100; tp2 = (103 + 101 + 102)/3 = 102, v = 300 ⇒ (10 000 + 30 600)/400 = 101.5.
        // Next day's first bar resets: tp = 50, v = 10 ⇒ 50.
        var day = new DateTime(2026, 3, 2, 14, 29, 0, DateTimeKind.Utc);
        MinuteBar[] bars =
        [
            new(day, 90, 95, 85, 90, 1_000),
            new(day.AddMinutes(1), 100, 101, 99, 100, 100),
            new(day.AddMinutes(2), 102, 103, 101, 102, 300),
            new(day.AddDays(1).AddMinutes(1), 50, 51, 49, 50, 10),
        ];
        double?[] expected = [null, 100, 101.5, 50];
        Assert.Equal(expected, SessionVwap.Series(bars));
        Assert.Equal(expected, Stream(bars));
    }

    [Fact]
    public void SessionVwap_StreamingEqualsSeries_AcrossDaysAndDst()
    {
        // Three days around the 2026-03-08 DST change, bars from 08:00 to 17:00 ET every 7 minutes, random prices and
        // volumes (some 0), plus a late bar of an earlier date after the next day began (ignored by both forms).
        var random = new Random(11);
        var bars = new List<MinuteBar>();
        foreach (var date in new[] { new DateOnly(2026, 3, 6), new DateOnly(2026, 3, 9), new DateOnly(2026, 3, 10) })
        {
            for (var t = NewYorkTime.ToUtc(date, new TimeOnly(8, 0)); t < NewYorkTime.ToUtc(date, new TimeOnly(17, 0)); t = t.AddMinutes(7))
            {
                var close = 100 + random.Next(-500, 500) / 100.0;
                bars.Add(new MinuteBar(t, close, close + 0.5, close - 0.5, close, random.Next(0, 4) == 0 ? 0 : random.Next(1, 10_000)));
            }

            if (date == new DateOnly(2026, 3, 9))
            {
                bars.Add(new MinuteBar(NewYorkTime.ToUtc(new DateOnly(2026, 3, 6), new TimeOnly(10, 0)), 1, 1, 1, 1, 1_000_000));
            }
        }

        Assert.Equal(SessionVwap.Series([.. bars]), Stream([.. bars]));
    }

    private static double?[] Stream(TapeEvent[] tape, int window)
    {
        var ofi = new OrderFlowImbalance(window);
        var values = new double?[tape.Length];
        for (var i = 0; i < tape.Length; i++)
        {
            if (tape[i].IsQuote)
            {
                ofi.OnQuote(tape[i].BidOrPrice, tape[i].AskOrSize);
            }
            else
            {
                ofi.OnTrade(tape[i].BidOrPrice, tape[i].AskOrSize);
            }

            values[i] = ofi.Value;
        }

        return values;
    }

    private static double?[] Stream(MinuteBar[] bars)
    {
        var vwap = new SessionVwap();
        var values = new double?[bars.Length];
        for (var i = 0; i < bars.Length; i++)
        {
            vwap.Add(bars[i].Start, bars[i].High, bars[i].Low, bars[i].Close, bars[i].Volume);
            values[i] = vwap.Value;
        }

        return values;
    }
}
