using SentryBrain.Events;
using SentryBrain.Signals.Sentiment.News;

namespace SentryBrain.Tests.Signals.NewsPrimitives;

public sealed class NewsDeduperTests
{
    private static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    private static NewsEvent Item(string id, string headline, params string[] symbols) => new(T0, id, headline, "", "a", "test", "u", T0, symbols);

    [Fact]
    public void TheSameId_CountsOnce()
    {
        var d = new NewsDeduper(windowMin: 1440);
        Assert.Equal(["ACME"], d.Admit(Item("1", "Acme beats estimates, raises guidance", "ACME"), T0));
        Assert.Empty(d.Admit(Item("1", "Acme beats estimates, raises guidance", "ACME"), T0.AddMinutes(1)));
        Assert.Empty(d.Admit(Item("1", "A different headline on the same id", "BOLT"), T0.AddMinutes(2)));
    }

    [Fact]
    public void TheSameStoryFromAnotherSource_CountsOncePerSymbol()
    {
        var d = new NewsDeduper(windowMin: 1440);
        Assert.Equal(["ACME"], d.Admit(Item("1", "Acme beats estimates, raises guidance", "ACME"), T0));
        Assert.Empty(d.Admit(Item("2", "UPDATE 1-Acme beats estimates and raises guidance - Reuters", "ACME"), T0.AddMinutes(3)));
        // Another symbol has not had the story: only it counts.
        Assert.Equal(["BOLT"], d.Admit(Item("3", "Acme beats estimates, raises guidance", "ACME", "BOLT"), T0.AddMinutes(4)));
    }

    [Fact]
    public void DifferentStories_AndStoriesOutsideTheWindow_AreNew()
    {
        var d = new NewsDeduper(windowMin: 60);
        Assert.Equal(["ACME"], d.Admit(Item("1", "Acme beats estimates", "ACME"), T0));
        Assert.Equal(["ACME"], d.Admit(Item("2", "Acme misses estimates", "ACME"), T0.AddMinutes(1)));
        Assert.Equal(["ACME"], d.Admit(Item("3", "Acme beats estimates", "ACME"), T0.AddMinutes(61))); // 61 min > 60
    }

    [Fact]
    public void NewsWithoutSymbols_IsDeduplicatedUnderTheMarketKey()
    {
        var d = new NewsDeduper(windowMin: 1440);
        Assert.Equal([NewsDeduper.Market], d.Admit(Item("1", "Fed holds rates steady"), T0));
        Assert.Empty(d.Admit(Item("2", "Fed holds rates steady"), T0.AddMinutes(1)));
    }

    [Theory]
    [InlineData("Acme beats estimates, raises guidance", "UPDATE 1-Acme beats estimates and raises guidance - Reuters", true)]
    [InlineData("ACME BEATS ESTIMATES", "Acme beats estimates", true)]
    [InlineData("Acme beats estimates", "Acme misses estimates", false)]
    [InlineData("Acme to buy Bolt for $2 billion", "Bolt to buy Acme for $2 billion", true)] // same words: the rule is word sets
    [InlineData("", "Acme beats estimates", false)]
    public void SameStory_IsTheWordSetRule(string a, string b, bool same) => Assert.Equal(same, NewsDeduper.SameStory(a, b));

    [Fact]
    public void MemoryIsBounded_TheOldestIdIsForgottenFirst()
    {
        var d = new NewsDeduper(windowMin: 0, idCapacity: 2);
        d.Admit(Item("1", "one alpha", "A"), T0);
        d.Admit(Item("2", "two beta", "A"), T0.AddMinutes(1));
        d.Admit(Item("3", "three gamma", "A"), T0.AddMinutes(2));
        Assert.Equal(2, d.IdCount);
        Assert.Equal(["A"], d.Admit(Item("1", "one alpha", "A"), T0.AddMinutes(3))); // id 1 forgotten, window 0: new again
    }
}
