using SentryBrain.Signals.Sentiment.News;

namespace SentryBrain.Tests.Signals.NewsPrimitives;

/// <summary>Hand-worked values of value = Σ score·2^(−age/h) / max(1, Σ 2^(−age/h)), ages from created_at.</summary>
public sealed class DecayedSentimentTests
{
    private static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void NoItem_HasNoValue()
    {
        var s = default(DecayedSentiment);
        Assert.Null(s.Value(T0, 60));
        Assert.Equal(0, s.Count);
    }

    [Fact]
    public void OneFreshItem_IsItsScore_AndHalvesEachHalfLife()
    {
        var s = default(DecayedSentiment);
        s.Add(0.8, T0, T0, 60);
        Assert.Equal(0.8, s.Value(T0, 60));
        Assert.Equal(0.4, s.Value(T0.AddMinutes(60), 60)!.Value, 12);   // 0.8·½ / max(1, ½)
        Assert.Equal(0.2, s.Value(T0.AddMinutes(120), 60)!.Value, 12);  // 0.8·¼
        Assert.Equal((1, T0, 0.8), (s.Count, s.LatestAt, s.LatestScore));
    }

    [Fact]
    public void TwoFreshItems_AreTheirMean_AndAnOlderOneWeighsLess()
    {
        var same = default(DecayedSentiment);
        same.Add(0.6, T0, T0, 60);
        same.Add(-0.2, T0, T0, 60);
        Assert.Equal(0.2, same.Value(T0, 60)!.Value, 12); // (0.6 − 0.2) / 2

        var apart = default(DecayedSentiment);
        apart.Add(1.0, T0, T0, 60);
        apart.Add(-1.0, T0.AddMinutes(60), T0.AddMinutes(60), 60);
        Assert.Equal(-0.5 / 1.5, apart.Value(T0.AddMinutes(60), 60)!.Value, 12); // (1·½ − 1) / (½ + 1)
    }

    [Fact]
    public void AnItemSeenLate_IsAgedFromItsCreatedAt()
    {
        var s = default(DecayedSentiment);
        s.Add(0.8, T0, T0.AddMinutes(60), 60); // created an hour before it was seen
        Assert.Equal(0.4, s.Value(T0.AddMinutes(60), 60)!.Value, 12);
    }

    [Fact]
    public void AFutureCreatedAt_CountsAsCreatedNow()
    {
        var s = default(DecayedSentiment);
        s.Add(0.8, T0.AddMinutes(10), T0, 60);
        Assert.Equal(0.8, s.Value(T0, 60));
        Assert.Equal(T0, s.LatestAt);
    }

    [Fact]
    public void HalfLifeZero_KeepsTheNewestByCreatedAt_Only()
    {
        var s = default(DecayedSentiment);
        s.Add(0.6, T0.AddMinutes(5), T0.AddMinutes(5), 0);
        s.Add(-0.9, T0, T0.AddMinutes(6), 0); // older story seen later: counted, but not the newest
        Assert.Equal(0.6, s.Value(T0.AddMinutes(7), 0));
        s.Add(-0.2, T0.AddMinutes(8), T0.AddMinutes(8), 0);
        Assert.Equal(-0.2, s.Value(T0.AddDays(1), 0));
        Assert.Equal(3, s.Count);
    }

    [Fact]
    public void ScoresAreClamped_AndNonFiniteScoresIgnored()
    {
        var s = default(DecayedSentiment);
        s.Add(double.NaN, T0, T0, 60);
        Assert.Equal(0, s.Count);
        s.Add(3.0, T0, T0, 60);
        Assert.Equal(1.0, s.Value(T0, 60));
    }

    [Fact]
    public void LongForgottenNews_DecaysToZero_AndANewItemGivesItsOwnScore()
    {
        var s = default(DecayedSentiment);
        s.Add(0.9, T0, T0, 1);
        Assert.Equal(0.0, s.Value(T0.AddMinutes(100), 1)!.Value, 12); // 2^−100
        s.Add(-0.4, T0.AddMinutes(100), T0.AddMinutes(100), 1);
        Assert.Equal(-0.4, s.Value(T0.AddMinutes(100), 1)!.Value, 12);
    }
}
