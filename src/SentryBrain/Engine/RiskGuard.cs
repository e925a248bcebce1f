using Microsoft.Extensions.Logging;
using SentryBrain.Config;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Market;
using SentryBrain.Rules;

namespace SentryBrain.Engine;

/// <summary>
/// The risk latches of one brain and their persistence: kill switch (manual, return- and news-driven; automatic trips
/// re-arm at the next trading date, or after <c>KILL_SWITCH_REARM_MIN</c> when set), daily profit target / loss cap,
/// drawdown halt and the no-new-buys time; the engine turns them into <see cref="Strategy.EntryGates"/>. This brain's
/// buy halts are published to the account-wide limits shared with other brains (<see cref="SharedLimits"/>; checking
/// them before a buy is <see cref="SharedAccountGate"/>'s job). A latch is written to the state store
/// (<see cref="IStateStore"/>) when it changes, so a restart the same trading date keeps it; the equity peak is written
/// in 0.1 % steps (a rising peak would otherwise mean a write every second).
/// </summary>
public sealed class RiskGuard
{
    private readonly BrainConfig _config;
    private readonly ILogger _logger;
    private IStateStore? _store;
    private RiskSnapshot? _pending;
    private double _persistedPeakEquity;
    private DateTime _noNewBuysUtc = DateTime.MaxValue;

    public RiskGuard(BrainConfig config, ILogger logger)
    {
        _config = config;
        _logger = logger;
        KillSwitch = new KillSwitch(
            config.KillSwitchSentimentThreshold,
            config.KillSwitchReturnThreshold,
            config.KillSwitch,
            config.KillSwitchRearmMin > 0 ? TimeSpan.FromMinutes(config.KillSwitchRearmMin) : null);
        DailyCap = new DailyCap(config.DailyCapEnabled, config.DailyCapPct, config.DailyLossCapPct, config.DailyCapSoftTrailingPct);
        Drawdown = new Drawdown(config.DrawdownHaltEnabled, config.MaxDrawdownPct);
    }

    public KillSwitch KillSwitch { get; }

    public DailyCap DailyCap { get; }

    public Drawdown Drawdown { get; }

    /// <summary>The trading date the latches belong to (default until the first event).</summary>
    public DateOnly TradingDate { get; private set; }

    /// <summary>Account-wide halts shared with other brains (Redis when scaled out); null = this brain alone.</summary>
    public ISharedAccountLimits? SharedLimits { get; set; }

    /// <summary>Reads the latches stored by an earlier run; they apply when their trading date comes.</summary>
    public void Load(IStateStore? store)
    {
        _store = store;
        if (store is null)
        {
            return;
        }

        var text = store.Load(RiskSnapshot.StateKey);
        _pending = RiskSnapshot.FromJson(text);
        if (text is not null && _pending is null)
        {
            _logger.LogWarning("Stored risk state is unreadable; starting with fresh daily-cap and kill-switch state");
        }
    }

    /// <summary>A new trading date: automatic kill-switch trips re-arm, the stored latches of that date come back.</summary>
    public void OnTradingDate(DateOnly date)
    {
        if (date == TradingDate)
        {
            return;
        }

        if (TradingDate != default)
        {
            KillSwitch.Rearm();
            _logger.LogInformation("New trading date {Date}: automatic kill-switch trips re-armed", date);
        }

        TradingDate = date;
        _noNewBuysUtc = _config.NoNewBuysAfterEt is { } cutoff ? NewYorkTime.ToUtc(date, cutoff) : DateTime.MaxValue;
        if (_pending is { } snapshot)
        {
            _persistedPeakEquity = snapshot.PeakEquity;
            if (snapshot.RestoreInto(date, DailyCap, KillSwitch, Drawdown))
            {
                _logger.LogInformation(
                    "Restored today's risk state: daily cap {Cap} (baseline {Baseline:0.00}), market kill switch {Market}, {Symbols} symbols halted",
                    snapshot.DailyCap, snapshot.Baseline, snapshot.MarketKilled, snapshot.KilledSymbols.Length);
            }
        }

        _pending = null;
    }

    /// <summary>Re-arms a timed kill-switch trip whose time is up.</summary>
    public void OnClock(DateTime now)
    {
        if (KillSwitch.Expire(now))
        {
            _logger.LogInformation("Kill switch re-armed after {Minutes} minutes", _config.KillSwitchRearmMin);
            Persist();
        }
    }

    /// <summary>The 1- and 5-minute returns of a trade or quote: a crash trips the market-wide kill switch.</summary>
    public void OnReturns(string symbol, double return1m, double return5m, DateTime now)
    {
        if (KillSwitch.OnReturns(symbol, return1m, return5m, now))
        {
            Persist();
            _logger.LogWarning("Kill switch (market-wide) tripped by {Reason}; new buys halted until the next trading date", KillSwitch.MarketReason);
        }
    }

    /// <summary>A scored news item: very negative news halts its symbols.</summary>
    public void OnNews(NewsEvent news, double score, DateTime now) => OnNews(news, news.Symbols, score, now);

    /// <summary>A scored news item: very negative news halts <paramref name="symbols"/> (those it is a new story for).</summary>
    public void OnNews(NewsEvent news, IReadOnlyList<string> symbols, double score, DateTime now)
    {
        if (KillSwitch.OnNews(score, symbols, now))
        {
            Persist();
            _logger.LogWarning("Kill switch tripped for {Symbols} by news {Id} scoring {Score:0.###}: {Headline}", string.Join(",", symbols), news.Id, score, news.Headline);
        }
    }

    /// <summary>Daily cap and drawdown against the current equity; persisted when a latch, the baseline or the peak moves.</summary>
    public DailyCapState UpdateEquity(double equity)
    {
        var (date, before, halted) = (DailyCap.Date, DailyCap.State, Drawdown.Halted);
        var state = DailyCap.Update(TradingDate, equity);
        Drawdown.Update(equity, out _);
        if (date != DailyCap.Date || before != state || halted != Drawdown.Halted || Drawdown.PeakEquity > _persistedPeakEquity * 1.001)
        {
            Persist();
        }

        return state;
    }

    /// <summary>The kill-switch hold reason for the symbol (manual, market-wide or per symbol), or null.</summary>
    public string? KillReason(string symbol) => KillSwitch.ReasonFor(symbol);

    public bool DrawdownHalted => Drawdown.Halted;

    /// <summary>At or past NO_NEW_BUYS_AFTER_ET on the current trading date.</summary>
    public bool NoNewBuys(DateTime now) => now >= _noNewBuysUtc;

    /// <summary>Writes the latches (and shares this brain's buy halt with the account). Called only when they change, and at a clean stop.</summary>
    public void Persist()
    {
        PublishAccountHalt();
        if (_store is not null)
        {
            _store.Save(RiskSnapshot.StateKey, RiskSnapshot.Capture(TradingDate, DailyCap, KillSwitch, Drawdown).ToJson());
            _persistedPeakEquity = Drawdown.PeakEquity;
        }
    }

    /// <summary>Shares this brain's buy halts (daily cap, drawdown, market kill switch) with every brain on the account.</summary>
    private void PublishAccountHalt()
    {
        if (SharedLimits is null || TradingDate == default)
        {
            return;
        }

        var reason = DailyCap.State != DailyCapState.Open ? "daily_cap_" + DailyCap.State
            : Drawdown.Halted ? "drawdown"
            : KillSwitch.MarketReason is { } kill ? "kill_switch: " + kill
            : null;
        if (reason is not null)
        {
            SharedLimits.Halt(TradingDate, reason);
        }
    }
}
