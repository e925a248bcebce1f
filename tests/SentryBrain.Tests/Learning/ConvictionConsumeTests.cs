using System.Text;
using System.Text.Json;
using SentryBrain.Execution.Paper;
using SentryBrain.Tests.Engine;
using static SentryBrain.Tests.Engine.SeamStreams;

namespace SentryBrain.Tests.Learning;

/// <summary>Conviction sizing through <c>brain consume</c> (<see cref="SentryBrain.Engine.ConsumeRunner"/>): it sizes the buy and is journaled.</summary>
public sealed class ConvictionConsumeTests : IDisposable
{
    private readonly ShadowFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Three round trips of ACME, each bought at the ask 100.00 and stopped out at the bid 98.99 a minute later
    /// (−1.01 % ≤ −STOP_LOSS_PCT 1: <c>stop_loss</c>, reward −2), then a fourth buy. Consensus (ConsensusConfig);
    /// the setup is <c>consensus_buy|regime=unknown</c> (no daily history).
    /// </summary>
    public static byte[] ThreeStopsThenABuy()
    {
        var lines = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            lines.Add(Quote(T0.AddMinutes(2 * i), "ACME", 99.99, 100.00, Up, Up));
            lines.Add(Quote(T0.AddMinutes((2 * i) + 1), "ACME", 98.99, 99.00));
        }

        lines.Add(Quote(T0.AddMinutes(6), "ACME", 99.99, 100.00, Up, Up));
        return Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
    }

    private JournalRun Consume(bool conviction) => JournalRun.Consume(
        ThreeStopsThenABuy(),
        ConsensusConfig(("CONVICTION_SIZING_ENABLED", conviction ? "true" : "false"), ("SHADOW_DB_PATH", _dir.Db)),
        _ => PaperBroker.Open(":memory:", 100_000));

    private static (long Qty, double? Conviction, string? Setup) Buy(JsonElement d)
    {
        var s = d.GetProperty("signals");
        return (d.GetProperty("qty").GetInt64(),
            s.TryGetProperty("conviction", out var c) ? c.GetDouble() : null,
            s.TryGetProperty("setup", out var setup) ? setup.GetString() : null);
    }

    [Fact]
    public void ThreeStopsOfTheSetup_HalveTheNextBuy_AndTheMultiplierIsJournaled()
    {
        using var off = Consume(conviction: false);
        using var on = Consume(conviction: true);

        var baseline = off.Decisions("ACME", "buy").Select(Buy).ToList();
        var sized = on.Decisions("ACME", "buy").Select(Buy).ToList();
        Assert.Equal(4, baseline.Count);
        Assert.Equal(["stop_loss", "stop_loss", "stop_loss"], on.Decisions("ACME", "sell").Select(d => JournalRun.Str(d, "reason")));
        Assert.All(baseline, b => Assert.Null(b.Conviction)); // off: nothing journaled
        Assert.All(sized, b => Assert.Equal("consensus_buy|regime=unknown", b.Setup));

        // The first three buys: fewer than 3 outcomes, multiplier 1.0, the same size as without conviction.
        Assert.Equal(baseline.Take(3).Select(b => b.Qty), sized.Take(3).Select(b => b.Qty));
        Assert.All(sized.Take(3), b => Assert.Equal(1.0, b.Conviction));
        // The fourth: outcomes −2, −2, −2 → average −2 → 0.5; qty = floor(base · 0.5).
        var baseQty = baseline[3].Qty;
        Assert.True(baseQty >= 2, $"the base size {baseQty} is too small to show the halving");
        Assert.Equal((long)Math.Floor(baseQty * 0.5), sized[3].Qty);
        Assert.Equal(0.5, sized[3].Conviction);
        Assert.Equal(sized[3].Qty, on.OfKind("order").Last().GetProperty("qty").GetInt64());
    }
}
