using SentryBrain.Config;

namespace SentryBrain.Market;

/// <summary>
/// Thresholds of the per-symbol outlier guard (OUTLIER_*). A tick is an outlier when any of its prices lies further
/// from the symbol's reference price than max(<see cref="MaxMovePct"/> % of it, <see cref="AtrMult"/> × daily ATR).
/// </summary>
public sealed record OutlierSettings
{
    /// <summary>Percent move from the reference that makes a tick an outlier (0 = guard off).</summary>
    public double MaxMovePct { get; init; } = 10;

    /// <summary>The band widens to this many daily ATRs when ATR is known (0 = ignore ATR).</summary>
    public double AtrMult { get; init; } = 3;

    /// <summary>Ticks in a row near a new level (the first included) that confirm it; the earlier ones are held back.</summary>
    public int ConfirmTicks { get; init; } = 3;

    public bool Enabled => MaxMovePct > 0 && ConfirmTicks > 1;

    /// <summary>Half-width of the accepted band around <paramref name="reference"/>.</summary>
    public double Band(double reference, double atr) => Math.Max(reference * MaxMovePct / 100, atr > 0 ? AtrMult * atr : 0);

    internal static OutlierSettings Read(ConfigReader r)
    {
        var d = new OutlierSettings();
        return new OutlierSettings
        {
            MaxMovePct = r.Double("OUTLIER_MAX_MOVE_PCT", d.MaxMovePct, "a trade or quote further than max(this %, OUTLIER_ATR_MULT × daily ATR) from the symbol's last accepted price is held back as an outlier until confirmed (0 = guard off)", min: 0, max: 10_000),
            AtrMult = r.Double("OUTLIER_ATR_MULT", d.AtrMult, "the outlier band widens to this many daily ATRs when ATR is known (0 = ignore ATR)", min: 0, max: 1000),
            ConfirmTicks = r.Int("OUTLIER_CONFIRM_TICKS", d.ConfirmTicks, "ticks in a row near a new price level (the first included) that confirm it as real, e.g. a gap; the earlier ones are held back (1 = guard off)", min: 1, max: 1000),
        };
    }
}

/// <summary>What the guard decided about one tick.</summary>
public enum OutlierVerdict : byte
{
    /// <summary>Near the reference (or the symbol's first tick): apply it.</summary>
    Accepted,

    /// <summary>Far from the reference and not yet confirmed: do not apply it.</summary>
    Held,

    /// <summary>The last of enough ticks in a row at a new level: apply it; the symbol continues from there.</summary>
    Confirmed,
}

/// <summary>
/// One symbol's outlier state: the last accepted price level and the run of held ticks near a candidate new level.
/// O(1) per tick, no allocation; 24 bytes inside <see cref="SymbolState"/>.
/// </summary>
public struct OutlierGuard
{
    private double _reference;
    private double _candidate;
    private int _candidateTicks;

    /// <summary>The last accepted price level (0 = none yet).</summary>
    public readonly double Reference => _reference;

    /// <summary>Held ticks in a row near the candidate level (0 = none).</summary>
    public readonly int PendingTicks => _candidateTicks;

    /// <summary>
    /// Judges a tick whose prices span [<paramref name="low"/>, <paramref name="high"/>] (a trade: its price; a quote:
    /// bid to ask) at <paramref name="level"/> (the trade price or the quote's midpoint). <paramref name="atr"/> is the
    /// daily ATR in price units, 0 when unknown. <paramref name="seed"/> is a reference to use when the symbol has
    /// none yet (e.g. the average entry of a position held across a restart), 0 = none.
    /// </summary>
    public OutlierVerdict Check(double low, double high, double level, double atr, OutlierSettings settings, double seed = 0)
    {
        if (_reference <= 0)
        {
            if (seed <= 0)
            {
                _reference = level;
                return OutlierVerdict.Accepted;
            }

            _reference = seed;
        }

        if (Near(low, high, _reference, settings.Band(_reference, atr)))
        {
            _reference = level;
            _candidateTicks = 0; // a single spike is forgotten as soon as a normal tick follows
            return OutlierVerdict.Accepted;
        }

        if (_candidateTicks > 0 && Near(low, high, _candidate, settings.Band(_candidate, atr)))
        {
            _candidateTicks++;
        }
        else
        {
            _candidate = level;
            _candidateTicks = 1;
        }

        if (_candidateTicks < settings.ConfirmTicks)
        {
            return OutlierVerdict.Held;
        }

        _reference = level;
        _candidateTicks = 0;
        return OutlierVerdict.Confirmed;
    }

    private static bool Near(double low, double high, double reference, double band)
        => low >= reference - band && high <= reference + band;
}
