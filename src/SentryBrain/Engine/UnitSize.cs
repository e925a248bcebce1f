using SentryBrain.Strategy;

namespace SentryBrain.Engine;

/// <summary>The default size multiplier: every buy keeps the size the sizing rules gave it (conviction sizing replaces it).</summary>
public sealed class UnitSize : ISizeMultiplier
{
    public static readonly UnitSize Instance = new();

    public double Multiplier(string symbol, in Decision decision) => 1.0;
}

/// <summary>How a multiplier is applied to a sized quantity (see <see cref="ISizeMultiplier"/>).</summary>
public static class SizeMultipliers
{
    /// <summary>The most a multiplier may scale a buy.</summary>
    public const double Max = 3.0;

    public static long Apply(long qty, double multiplier)
    {
        if (multiplier == 1.0)
        {
            return qty;
        }

        var m = double.IsFinite(multiplier) && multiplier > 0 ? Math.Min(multiplier, Max) : 0;
        return (long)Math.Floor(qty * m);
    }
}
