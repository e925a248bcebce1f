using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Rules;

namespace SentryBrain.Tests.Engine;

/// <summary>
/// <see cref="RiskGuard"/> alone: the latches, their persistence through an <see cref="IStateStore"/> (writes counted),
/// the no-new-buys time in New York time and the account-wide halts. Event time is passed in.
/// </summary>
public sealed class RiskGuardTests
{
    /// <summary>Monday 2026-03-02 (EST) and the next trading date.</summary>
    private static readonly DateOnly Day = new(2026, 3, 2);
    private static readonly DateOnly NextDay = new(2026, 3, 3);
    private static readonly DateTime T0 = SeamStreams.T0; // 10:00 ET on Day

    private static BrainConfig Config(params (string Key, string Value)[] extra) => BrainConfig.Load(ConfigSource.FromPairs(extra));

    private static RiskGuard Guard(BrainConfig? config = null, IStateStore? store = null, DateOnly? date = null)
    {
        var guard = new RiskGuard(config ?? Config(), NullLogger.Instance);
        guard.Load(store);
        if (date is { } d)
        {
            guard.OnTradingDate(d);
        }

        return guard;
    }

    private static NewsEvent News(DateTime ts, params string[] symbols) => new(ts, "n1", "headline", "", "Desk", "test", "https://example.test/n", ts, symbols);

    private static RiskSnapshot Stored(CountingStore store) => RiskSnapshot.FromJson(store.Load(RiskSnapshot.StateKey))!;

    // ---- restore ---------------------------------------------------------------------------------------

    [Fact]
    public void Latches_AreRestoredOnTheSameTradingDate_AndNotOnTheNext_WhileTheEquityPeakSpansDays()
    {
        var store = new CountingStore();
        var first = Guard(store: store, date: Day);
        first.OnReturns("ACME", -0.06, 0, T0);
        first.OnNews(News(T0, "CRUX"), -0.9, T0);
        first.UpdateEquity(100_000);
        Assert.Equal(DailyCapState.TargetReached, first.UpdateEquity(100_300)); // +0.30 % ≥ 0.25 %

        var sameDay = Guard(store: store, date: Day);
        Assert.Equal("kill_switch_market", sameDay.KillReason("ACME"));
        Assert.True(sameDay.KillSwitch.TrippedSymbols.ContainsKey("CRUX"));
        Assert.Equal((Day, 100_000.0, DailyCapState.TargetReached), (sameDay.DailyCap.Date, sameDay.DailyCap.Baseline, sameDay.DailyCap.State));
        Assert.Equal(100_300, sameDay.Drawdown.PeakEquity);

        var nextDay = Guard(store: store, date: NextDay);
        Assert.Null(nextDay.KillReason("ACME"));
        Assert.Null(nextDay.KillReason("CRUX"));
        Assert.Null(nextDay.DailyCap.Date);
        Assert.Equal(DailyCapState.Open, nextDay.UpdateEquity(100_300));
        Assert.Equal(100_300, nextDay.Drawdown.PeakEquity);
    }

    [Fact]
    public void UnreadableStoredState_StartsFresh()
    {
        var store = new CountingStore();
        store.Save(RiskSnapshot.StateKey, "{not json");

        var guard = Guard(store: store, date: Day);

        Assert.Null(guard.KillReason("ACME"));
        Assert.Equal(DailyCapState.Open, guard.DailyCap.State);
    }

    // ---- kill switch -----------------------------------------------------------------------------------

    [Fact]
    public void KillSwitch_Manual_HoldsEverySymbol_AcrossTradingDates()
    {
        var guard = Guard(Config(("KILL_SWITCH", "true")), date: Day);
        Assert.Equal("kill_switch_manual", guard.KillReason("ACME"));

        guard.OnTradingDate(NextDay);
        Assert.Equal("kill_switch_manual", guard.KillReason("BOLT"));
    }

    [Fact]
    public void KillSwitch_Returns_TripAtTheThreshold_ForEverySymbol()
    {
        var guard = Guard(date: Day); // KILL_SWITCH_RETURN_THRESHOLD −0.05
        guard.OnReturns("ACME", -0.0499, -0.0499, T0);
        Assert.Null(guard.KillReason("ACME"));

        guard.OnReturns("ACME", 0.01, -0.05, T0.AddSeconds(1)); // the 5-minute return alone, at the threshold
        Assert.Equal("kill_switch_market", guard.KillReason("ACME"));
        Assert.Equal("kill_switch_market", guard.KillReason("ZZZZ"));
        Assert.Equal("ACME return_1m=0.01 return_5m=-0.05", guard.KillSwitch.MarketReason);
    }

    [Fact]
    public void KillSwitch_News_AtOrBelowTheThreshold_HaltsOnlyItsSymbols()
    {
        var guard = Guard(date: Day); // KILL_SWITCH_SENTIMENT_THRESHOLD −0.50
        guard.OnNews(News(T0, "ACME"), -0.49, T0);
        Assert.Null(guard.KillReason("ACME"));

        guard.OnNews(News(T0, "ACME", "BOLT"), -0.50, T0);
        Assert.Equal(("kill_switch_news", "kill_switch_news", (string?)null), (guard.KillReason("ACME"), guard.KillReason("BOLT"), guard.KillReason("CRUX")));
    }

    [Fact]
    public void TimedRearm_ClearsEachTripWhenItsOwnTimeIsUp_ThroughOnClock_AndPersists()
    {
        var store = new CountingStore();
        var guard = Guard(Config(("KILL_SWITCH_REARM_MIN", "30")), store, Day);
        guard.OnReturns("ACME", -0.06, 0, T0);                         // market trip at 10:00
        guard.OnNews(News(T0.AddMinutes(10), "CRUX"), -0.9, T0.AddMinutes(10)); // CRUX at 10:10
        var saves = store.Saves;

        guard.OnClock(T0.AddMinutes(30).AddTicks(-1));
        Assert.Equal("kill_switch_market", guard.KillReason("BOLT"));
        Assert.Equal(saves, store.Saves);

        guard.OnClock(T0.AddMinutes(30));
        Assert.Null(guard.KillReason("BOLT"));
        Assert.Equal("kill_switch_news", guard.KillReason("CRUX"));
        Assert.Equal(saves + 1, store.Saves);
        Assert.False(Stored(store).MarketKilled);

        guard.OnClock(T0.AddMinutes(39));
        Assert.Equal("kill_switch_news", guard.KillReason("CRUX"));
        guard.OnClock(T0.AddMinutes(40));
        Assert.Null(guard.KillReason("CRUX"));
        Assert.Equal(saves + 2, store.Saves);
        Assert.Empty(Stored(store).KilledSymbols);
    }

    [Fact]
    public void WithoutRearmMinutes_OnClockNeverRearms_ButANewTradingDateDoes()
    {
        var guard = Guard(date: Day);
        guard.OnReturns("ACME", -0.06, 0, T0);
        guard.OnNews(News(T0, "CRUX"), -0.9, T0);

        guard.OnClock(T0.AddHours(10));
        Assert.Equal("kill_switch_market", guard.KillReason("CRUX"));

        guard.OnTradingDate(NextDay);
        Assert.Null(guard.KillReason("ACME"));
        Assert.Null(guard.KillReason("CRUX"));
        Assert.Equal(NextDay, guard.TradingDate);
    }

    // ---- daily cap, drawdown, persistence ----------------------------------------------------------------

    [Fact]
    public void Persistence_WritesOnlyWhenALatchTheBaselineOrThePeakMoves()
    {
        var store = new CountingStore();
        var guard = Guard(store: store, date: Day);
        Assert.Equal(0, store.Saves);

        guard.UpdateEquity(100_000);          // first baseline of the date
        Assert.Equal(1, store.Saves);
        guard.UpdateEquity(100_000);          // nothing moved
        guard.UpdateEquity(100_090);          // peak +0.09 % < 0.1 %
        Assert.Equal(1, store.Saves);
        guard.UpdateEquity(100_150);          // peak +0.15 % ≥ 0.1 % over the written 100 000
        Assert.Equal(2, store.Saves);
        Assert.Equal(100_150, Stored(store).PeakEquity);
        guard.UpdateEquity(100_240);          // +0.0898 % over the written peak 100 150: not written
        Assert.Equal(2, store.Saves);
        Assert.Equal(100_150, Stored(store).PeakEquity);
        Assert.Equal(100_240, guard.Drawdown.PeakEquity);

        Assert.Equal(DailyCapState.TargetReached, guard.UpdateEquity(100_260)); // +0.26 % ≥ 0.25 %: the target latch
        Assert.Equal(3, store.Saves);
        Assert.Equal(DailyCapState.TargetReached, Stored(store).DailyCap);
        guard.UpdateEquity(100_200);          // latched, peak unchanged
        guard.UpdateEquity(99_000);
        Assert.Equal(3, store.Saves);

        guard.Persist();                       // a clean stop writes the exact state
        Assert.Equal(4, store.Saves);
        Assert.Equal(100_260, Stored(store).PeakEquity);
    }

    [Fact]
    public void DailyLossCap_Latches_IsPersisted_AndRestoredTheSameDay()
    {
        var store = new CountingStore();
        var guard = Guard(store: store, date: Day);
        guard.UpdateEquity(100_000);
        Assert.Equal(DailyCapState.Open, guard.UpdateEquity(99_010));         // −0.99 %
        Assert.Equal(DailyCapState.LossCapReached, guard.UpdateEquity(98_990)); // −1.01 % ≤ −DAILY_LOSS_CAP_PCT
        Assert.Equal(2, store.Saves);
        Assert.Equal(DailyCapState.LossCapReached, guard.UpdateEquity(100_000)); // latched

        var restarted = Guard(store: store, date: Day);
        Assert.Equal(DailyCapState.LossCapReached, restarted.UpdateEquity(100_100));
    }

    [Fact]
    public void Drawdown_HaltsAtMaxDrawdownPct_FromThePeak()
    {
        var guard = Guard(Config(("MAX_DRAWDOWN_PCT", "5"), ("DAILY_LOSS_CAP_PCT", "50")), date: Day);
        guard.UpdateEquity(100_000);
        guard.UpdateEquity(95_010); // 4.99 %
        Assert.False(guard.DrawdownHalted);

        guard.UpdateEquity(94_990); // 5.01 %
        Assert.True(guard.DrawdownHalted);
    }

    // ---- no new buys -----------------------------------------------------------------------------------

    [Fact]
    public void NoNewBuys_StartsAtNoNewBuysAfterEt_InNewYorkTime_OnBothSidesOfTheDstChange()
    {
        var guard = Guard(); // NO_NEW_BUYS_AFTER_ET 15:45
        Assert.False(guard.NoNewBuys(new DateTime(2026, 3, 6, 23, 0, 0, DateTimeKind.Utc))); // no trading date yet

        guard.OnTradingDate(new DateOnly(2026, 3, 6)); // Friday, EST (UTC−5): 15:45 ET = 20:45 UTC
        Assert.False(guard.NoNewBuys(new DateTime(2026, 3, 6, 20, 44, 59, DateTimeKind.Utc)));
        Assert.True(guard.NoNewBuys(new DateTime(2026, 3, 6, 20, 45, 0, DateTimeKind.Utc)));

        guard.OnTradingDate(new DateOnly(2026, 3, 9)); // Monday after DST began on Sunday 8 March, EDT (UTC−4): 19:45 UTC
        Assert.False(guard.NoNewBuys(new DateTime(2026, 3, 9, 19, 44, 59, DateTimeKind.Utc)));
        Assert.True(guard.NoNewBuys(new DateTime(2026, 3, 9, 19, 45, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void NoNewBuys_Empty_IsOff()
    {
        var guard = Guard(Config(("NO_NEW_BUYS_AFTER_ET", "")), date: Day);

        Assert.False(guard.NoNewBuys(new DateTime(2026, 3, 3, 4, 59, 59, DateTimeKind.Utc))); // 23:59:59 ET
    }

    // ---- account-wide halts ----------------------------------------------------------------------------

    [Fact]
    public void AccountHalt_MarketKillSwitch_IsPublishedWithItsReason()
    {
        var limits = new LocalAccountLimits();
        var guard = Guard(date: Day);
        guard.SharedLimits = limits;

        guard.OnReturns("ACME", -0.06, 0, T0);

        Assert.Equal("kill_switch: ACME return_1m=-0.06 return_5m=0", limits.HaltReason(Day));
        Assert.Null(limits.HaltReason(NextDay));
    }

    [Theory]
    [InlineData(100_260, "daily_cap_TargetReached")]
    [InlineData(98_990, "daily_cap_LossCapReached")]
    public void AccountHalt_DailyCap_IsPublishedWithItsState(double equity, string reason)
    {
        var limits = new LocalAccountLimits();
        var guard = Guard(date: Day);
        guard.SharedLimits = limits;
        guard.UpdateEquity(100_000);
        Assert.Null(limits.HaltReason(Day));

        guard.UpdateEquity(equity);

        Assert.Equal(reason, limits.HaltReason(Day));
    }

    [Fact]
    public void AccountHalt_Drawdown_IsPublishedAsDrawdown()
    {
        var limits = new LocalAccountLimits();
        var guard = Guard(Config(("MAX_DRAWDOWN_PCT", "5"), ("DAILY_LOSS_CAP_PCT", "50")), date: Day);
        guard.SharedLimits = limits;
        guard.UpdateEquity(100_000);

        guard.UpdateEquity(94_990);

        Assert.Equal("drawdown", limits.HaltReason(Day));
    }

    [Fact]
    public void AccountHalt_NotForNewsTrips_NorBeforeATradingDate()
    {
        var limits = new LocalAccountLimits();
        var early = Guard();
        early.SharedLimits = limits;
        early.OnReturns("ACME", -0.06, 0, T0); // tripped, but no trading date to halt yet
        Assert.Null(limits.HaltReason(default));

        var guard = Guard(date: Day);
        guard.SharedLimits = limits;
        guard.OnNews(News(T0, "CRUX"), -0.9, T0); // one symbol, not the account
        Assert.Equal("kill_switch_news", guard.KillReason("CRUX"));
        Assert.Null(limits.HaltReason(Day));
    }
}
