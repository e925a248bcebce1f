using Microsoft.Extensions.Logging;
using SentryBrain.Events;
using SentryBrain.Market;

namespace SentryBrain.Engine;

/// <summary>
/// Holds back trades and quotes far outside a symbol's recent price (<see cref="OutlierGuard"/>) before they reach
/// the symbol's prices, indicators, exits, entries or the paper broker, and counts them. A held tick is dropped; a
/// new level confirmed by OUTLIER_CONFIRM_TICKS ticks in a row is applied from the confirming tick on.
/// </summary>
public sealed class OutlierScreen
{
    private readonly OutlierSettings _settings;
    private readonly ILogger _logger;
    private readonly Func<string, double> _seed;

    /// <param name="seed">A reference price for a symbol's first tick, 0 = none (the engine gives a held position's average entry).</param>
    public OutlierScreen(OutlierSettings settings, ILogger logger, Func<string, double> seed)
    {
        _settings = settings;
        _logger = logger;
        _seed = seed;
    }

    /// <summary>Ticks held back so far.</summary>
    public long Held { get; private set; }

    public bool Admit(SymbolState state, TradeEvent trade)
        => Admit(state, trade.Price, trade.Price, trade.Price);

    public bool Admit(SymbolState state, QuoteEvent quote)
    {
        // The sent mid is checked too: it becomes the mark price for equity.
        var low = Math.Min(quote.Bid, quote.Mid);
        var high = Math.Max(quote.Ask, quote.Mid);
        return Admit(state, low, high, (quote.Bid + quote.Ask) / 2);
    }

    /// <summary>One stderr line at the end of a run when ticks were held back (each one is logged at debug level).</summary>
    public void LogSummary()
    {
        if (Held > 0)
        {
            _logger.LogWarning(
                "{Held} trades/quotes were held back as price outliers (OUTLIER_MAX_MOVE_PCT={Pct}, OUTLIER_ATR_MULT={Atr}, OUTLIER_CONFIRM_TICKS={Confirm})",
                Held, _settings.MaxMovePct, _settings.AtrMult, _settings.ConfirmTicks);
        }
    }

    private bool Admit(SymbolState state, double low, double high, double level)
    {
        if (!_settings.Enabled)
        {
            return true;
        }

        ref var guard = ref state.Outliers;
        var reference = guard.Reference;
        var seed = reference > 0 ? 0 : _seed(state.Symbol);
        var atr = state.Indicators?.Atr ?? 0;
        switch (guard.Check(low, high, level, atr, _settings, seed))
        {
            case OutlierVerdict.Accepted:
                return true;
            case OutlierVerdict.Confirmed:
                _logger.LogInformation(
                    "{Symbol}: new price level {Level} confirmed by {Ticks} ticks in a row (was {Reference})",
                    state.Symbol, level, _settings.ConfirmTicks, reference > 0 ? reference : seed);
                return true;
            default:
                Held++;
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    _logger.LogDebug(
                        "{Symbol}: tick at {Low}–{High} held back as an outlier (reference {Reference}, {Pending} in a row at this level)",
                        state.Symbol, low, high, guard.Reference, guard.PendingTicks);
                }

                return false;
        }
    }
}
