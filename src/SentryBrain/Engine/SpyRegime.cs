using Microsoft.Extensions.Logging;
using SentryBrain.Market;

namespace SentryBrain.Engine;

/// <summary>
/// SPY_200MA_REGIME_ENABLED: SPY below its 200-day SMA (daily closes, warmed up from the bar source) means stricter
/// entries and smaller size. Checked every 15 minutes of event time once known, every minute until SPY has a price
/// and 200 daily closes.
/// </summary>
public sealed class SpyRegime(bool enabled, ILogger logger)
{
    public const string Symbol = "SPY";
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan WarmingInterval = TimeSpan.FromMinutes(1);
    private bool _known;
    private DateTime _checkedAt = DateTime.MinValue;

    public bool Below200ma { get; private set; }

    public void OnClock(DateTime now, Func<string, SymbolState?> symbol)
    {
        if (!enabled || now - _checkedAt < (_known ? RefreshInterval : WarmingInterval))
        {
            return;
        }

        _checkedAt = now;
        var before = Below200ma;
        var spy = symbol(Symbol);
        var sma = spy is { MarkPrice: > 0 } ? spy.Indicators?.DailySma(200) : null;
        _known = sma is not null;
        Below200ma = sma is { } average && spy!.MarkPrice < average;
        if (before != Below200ma)
        {
            logger.LogInformation("SPY 200-day regime: {State}", Below200ma ? "below (stricter entries, smaller size)" : "above");
        }
    }
}
