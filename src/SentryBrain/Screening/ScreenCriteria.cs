using System.Globalization;
using SentryBrain.Config;

namespace SentryBrain.Screening;

/// <summary>
/// What makes a symbol qualify (BEHAVIOR.md §8.3, with the reference README's defaults): |Z| of its last daily return
/// against the <see cref="ZPeriod"/> returns before it above <see cref="ZThreshold"/>, or its last volume at least
/// <see cref="VolumeSpikePct"/> percent above the average of the <see cref="VolumeWindow"/> days before it; and, to be
/// scored at all, a last close ≥ <see cref="MinPrice"/> and both that average and the last volume ≥ <see cref="MinVolume"/>.
/// </summary>
public sealed record ScreenCriteria(
    double ZThreshold = 2.0,
    double VolumeSpikePct = 15,
    double MinVolume = 2_000_000,
    double MinPrice = 5,
    int ZPeriod = 20,
    int VolumeWindow = 20)
{
    /// <summary>Daily bars a symbol needs to be scored: the Z needs <see cref="ZPeriod"/> + 2 closes, the average <see cref="VolumeWindow"/> + 1 volumes.</summary>
    public int MinBars => Math.Max(ZPeriod + 2, VolumeWindow + 1);

    /// <summary>
    /// The volume ratio at which a spike qualifies (1.15 for 15 %). Computed as (100 + pct) / 100, the correctly
    /// rounded ratio: 1 + pct / 100 rounds up for some percentages (1 + 0.14 = 1.1400000000000001), and a volume
    /// exactly at the threshold (1,140,000 against 1,000,000) would then not qualify.
    /// </summary>
    public double SpikeRatio => (100 + VolumeSpikePct) / 100;

    public static ScreenCriteria From(ScreenerSettings s) =>
        new(s.ZThreshold, s.VolumeSpikePct, s.MinVolume, s.MinPrice, s.ZPeriod, s.VolumeWindow);

    /// <summary>One line for the active list's header and the report.</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"|Z| > {ZThreshold:0.##} (last daily return vs the {ZPeriod} before) or volume >= {SpikeRatio:0.###}x the {VolumeWindow}-day average (spike day excluded); last close >= {MinPrice:0.##}, volume >= {MinVolume:#,0}");

    /// <summary>Throws <see cref="ArgumentException"/> for values no screen can use.</summary>
    public void Validate()
    {
        if (!(ZThreshold >= 0) || !(VolumeSpikePct >= 0) || !(MinVolume >= 0) || !(MinPrice >= 0) || ZPeriod < 2 || VolumeWindow < 1)
        {
            throw new ArgumentException($"screen criteria out of range: {this}");
        }
    }
}
