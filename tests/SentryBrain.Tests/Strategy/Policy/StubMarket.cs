using SentryBrain.Strategy;

namespace SentryBrain.Tests.Strategy.Policy;

/// <summary>A hand-set feed: every member is a settable value; counts how often the costly signals are asked for.</summary>
internal sealed class StubMarket : IMarketFeatures
{
    public double Entry { get; set; } = 100;

    public double Exit { get; set; } = 100;

    public bool Precomputed { get; set; } = true;

    public double? Z { get; set; } = 0;

    public double? AtrPercent { get; set; }

    public double? Vwap { get; set; }

    public bool? Structure { get; set; } = true;

    public double? Technical { get; set; } = 0.5;

    public bool? Momentum { get; set; } = true;

    public double[] Closes { get; set; } = [];

    public int CostlyCalls { get; private set; }

    public double EntryPrice => Entry;

    public double ExitPrice => Exit;

    public bool SignalsPrecomputed => Precomputed;

    public double? AtrPercentile { get; set; }

    public double? Ofi { get; set; }

    public double? Rsi { get; set; } = 50;

    public double ProbGain { get; set; } = 0.9;

    public double? News { get; set; }

    public double Return1 { get; set; }

    public double Return5 { get; set; }

    public int DailyCloseCount => Closes.Length;

    public double? ZScore(double price) => Z;

    public double? AtrPct(double price) => AtrPercent;

    public double? VwapDistancePct(double price) => Vwap;

    public bool? StructureOk()
    {
        CostlyCalls++;
        return Structure;
    }

    public double? TechnicalScore()
    {
        CostlyCalls++;
        return Technical;
    }

    public bool? MomentumOk()
    {
        CostlyCalls++;
        return Momentum;
    }

    public ReadOnlySpan<double> DailyCloses(int n) => Closes.AsSpan(Closes.Length - Math.Clamp(n, 0, Closes.Length));
}
