using System.Text.Json;
using SentryBrain.Learning;
using SentryBrain.Tests.Engine;

namespace SentryBrain.Tests.Learning;

/// <summary>The daily promotion check: its rule (≥ 30 trades and a better total return over the same window) and its journal line.</summary>
public sealed class ShadowPromotionTests : IDisposable
{
    private static readonly DateTime T0 = ShadowDriver.T0;
    private static readonly DateOnly Day1 = new(2026, 3, 2);
    private static readonly DateOnly Day2 = new(2026, 3, 3);

    private readonly ShadowFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ShadowTrade Trade(string model, int entryMinute, double returnPct)
        => new(model, "ACME", T0.AddMinutes(entryMinute), T0.AddMinutes(entryMinute + 1), 10, 1000, returnPct * 10, "x");

    [Fact]
    public void Check_ComparesLiveOnlyFromTheGhostsFirstTrade_AndNeeds30Trades()
    {
        // live lost 5 % before the ghost's first trade (minute 10): outside the window; inside it live made +1 %.
        ShadowTrade[] live = [Trade("live", 1, -5), Trade("live", 12, 1)];
        var ghost = Enumerable.Range(0, 30).Select(i => Trade("scalp", 10 + i, 0.1)).ToList(); // 30 · 0.1 = 3 %

        var verdict = ShadowPromotion.Check("scalp", ghost, live);

        Assert.Equal((30, 3.0), (verdict.Ghost.Trades, Math.Round(verdict.Ghost.TotalReturnPct, 9)));
        Assert.Equal((1, 1.0), (verdict.Live.Trades, Math.Round(verdict.Live.TotalReturnPct, 9)));
        Assert.True(verdict.Promote); // 3 % > 1 % with 30 trades

        var fewer = ShadowPromotion.Check("scalp", ghost.Take(29).ToList(), live);
        Assert.False(fewer.Promote); // 2.9 % > 1 % but 29 trades

        var worse = ShadowPromotion.Check("scalp", ghost, [.. live, Trade("live", 20, 2.5)]);
        Assert.False(worse.Promote); // live 1 + 2.5 = 3.5 % ≥ 3 %

        var none = ShadowPromotion.Check("tight", [], live);
        Assert.Equal((0, 2, -4.0, false), (none.Ghost.Trades, none.Live.Trades, Math.Round(none.Live.TotalReturnPct, 9), none.Promote)); // all live
    }

    /// <summary>
    /// <paramref name="trips"/> round trips of 10 ACME bought at 100: at 101 scalp takes +1 %; live then sells all at
    /// 100, closing tight and wide at 0 %. So scalp has n trades totalling n %, tight and wide n trades at 0, live n at 0.
    /// </summary>
    private static void ScalpWins(ShadowDriver d, int trips)
    {
        for (var i = 0; i < trips; i++)
        {
            d.Buy("ACME", 10, 100, 10);
            d.Held("ACME", 101);
            d.Sell("ACME", 10, 100, 0);
        }
    }

    private static List<JsonElement> Shadow(JournalCapture journal) => [.. journal.OfKind("shadow")];

    private static (string Model, int Ghost, double GhostPct, int Live, double LivePct, bool Promote) Brief(JsonElement e)
        => (e.GetProperty("model").GetString()!, e.GetProperty("ghost_trades").GetInt32(), e.GetProperty("ghost_return_pct").GetDouble(),
            e.GetProperty("live_trades").GetInt32(), e.GetProperty("live_return_pct").GetDouble(), e.GetProperty("promote").GetBoolean());

    [Fact]
    public void TheCheck_IsJournaledOncePerTradingDate_PerModel_WithTheVerdict()
    {
        var store = new CountingStore();
        using var journal = new JournalCapture();
        using (var book = ShadowDriver.Open(_dir.Db, store))
        {
            var d = new ShadowDriver(book);
            ScalpWins(d, 29);
            book.OnClock(T0.AddHours(1), Day1, journal.Writer);
            book.OnClock(T0.AddHours(2), Day1, journal.Writer); // same date: nothing

            Assert.Equal(
                [("tight", 29, 0.0, 29, 0.0, false), ("wide", 29, 0.0, 29, 0.0, false), ("scalp", 29, 29.0, 29, 0.0, false)],
                Shadow(journal).Select(Brief));
            Assert.Equal("2026-03-02T16:00:00Z", Shadow(journal)[0].GetProperty("ts").GetString());

            ScalpWins(d, 1);
        }

        // A restart on the same date does not check again; the next date does, with the 30th trade.
        using var again = ShadowDriver.Open(_dir.Db, store);
        again.OnClock(T0.AddHours(3), Day1, journal.Writer);
        Assert.Equal(3, Shadow(journal).Count);
        again.OnClock(T0.AddDays(1), Day2, journal.Writer);
        Assert.Equal(
            [("tight", 30, 0.0, 30, 0.0, false), ("wide", 30, 0.0, 30, 0.0, false), ("scalp", 30, 30.0, 30, 0.0, true)],
            Shadow(journal).Skip(3).Select(Brief));
        Assert.Equal("{\"kind\":\"shadow\",\"ts\":\"2026-03-03T15:00:00Z\",\"model\":\"tight\",\"ghost_trades\":30,\"ghost_return_pct\":0,\"live_trades\":30,\"live_return_pct\":0,\"promote\":false}",
            journal.Text.Split('\n')[3]);
    }
}
