using static SentryBrain.Tests.EngineNews.NewsStreams;

namespace SentryBrain.Tests.EngineNews;

/// <summary>
/// Point-in-time news through the engine (issue 14 item 3), asserted on the journaled <c>news</c> and
/// <c>news_market</c> signals. Scores come from a scripted model, so every expected value is worked by hand from
/// the rule value = Σ score·2^(−age/half-life) / max(1, Σ 2^(−age/half-life)), ages from <c>created_at</c>.
/// </summary>
public sealed class NewsPointInTimeTests
{
    private static readonly string[] Acme = ["ACME"];

    [Fact]
    public void FutureDatedNews_IsNotVisibleToDecisionsBeforeItsCreatedAt_AndIsFromThen()
    {
        // Acceptance (issue 14): delivered at 10:00:01 but created at 10:01:00.
        using var model = new ScriptedModel(fast: true, new Dictionary<string, double> { ["Acme wins a large contract"] = 0.42 });
        string[] lines =
        [
            UpQuote(T0, "ACME"),
            News(T0.AddSeconds(1), "n1", "Acme wins a large contract", T0.AddMinutes(1), Acme),
            UpQuote(T0.AddSeconds(30), "ACME"),
            UpQuote(T0.AddSeconds(59), "ACME"),
            UpQuote(T0.AddMinutes(1), "ACME"),
        ];

        var (journal, engine) = Run(lines, NewsConfig(), model);

        // Before 10:01:00 every decision has no news; at 10:01:00 the item is released before the quote (a forced
        // evaluation with it), and the quote's own decision sees it too: 0.42 at age 0.
        Assert.Equal(
            [(T0, null), (T0.AddSeconds(30), null), (T0.AddSeconds(59), null), (T0.AddMinutes(1), 0.42), (T0.AddMinutes(1), 0.42)],
            Decisions(journal, "ACME").Select(d => (d.Ts, d.News)));
        Assert.Equal(1, engine.NewsCounts.FutureDated);
        Assert.Equal(0, engine.NewsCounts.NeverVisible);
    }

    [Fact]
    public void FutureDatedNews_NeverReachedByTheStream_NeverCounts()
    {
        using var model = new ScriptedModel(fast: true) { Fallback = 0.9 };
        string[] lines = [News(T0, "n1", "Acme wins a large contract", T0.AddHours(2), Acme), UpQuote(T0.AddMinutes(5), "ACME")];

        var (journal, engine) = Run(lines, NewsConfig(), model);

        Assert.Equal([(T0.AddMinutes(5), (double?)null)], Decisions(journal, "ACME").Select(d => (d.Ts, d.News)));
        Assert.Equal(1, engine.NewsCounts.NeverVisible);
        Assert.Equal(0, model.Calls); // never visible, never scored
    }

    [Fact]
    public void NewsWithoutCreatedAt_IsVisibleAtItsTs()
    {
        using var model = new ScriptedModel(fast: true) { Fallback = 0.3 };
        var (journal, _) = Run([News(T0, "n1", "Acme wins a large contract", null, Acme)], NewsConfig(), model);

        Assert.Equal([(T0, (double?)0.3)], Decisions(journal, "ACME").Select(d => (d.Ts, d.News)));
    }

    [Fact]
    public void DuplicateStory_SameIdResentOrSameStoryFromAnotherSource_CountsOnce()
    {
        // Acceptance (issue 14). Half-life 60 min. The story scores 0.8 at 10:00; the re-sent id (10:01) and the
        // Reuters rewrite of the same story (10:02, which the model would score 0.5) must not count; a different story
        // (10:03, −0.3) does.
        var scores = new Dictionary<string, double>
        {
            ["Acme beats estimates, raises guidance"] = 0.8,
            ["UPDATE 1-Acme beats estimates and raises guidance - Reuters"] = 0.5,
            ["Acme recalls a product line"] = -0.3,
        };
        using var model = new ScriptedModel(fast: true, scores);
        string[] lines =
        [
            News(T0, "n1", "Acme beats estimates, raises guidance", T0, Acme, source: "benzinga"),
            News(T0.AddMinutes(1), "n1", "Acme beats estimates, raises guidance", T0, Acme, source: "benzinga"),
            UpQuote(T0.AddMinutes(1), "ACME"),
            News(T0.AddMinutes(2), "r7", "UPDATE 1-Acme beats estimates and raises guidance - Reuters", T0.AddMinutes(2), Acme, source: "reuters"),
            UpQuote(T0.AddMinutes(2), "ACME"),
            News(T0.AddMinutes(3), "n2", "Acme recalls a product line", T0.AddMinutes(3), Acme, source: "benzinga"),
        ];

        var (journal, engine) = Run(lines, NewsConfig(), model);

        // One item of weight w < 1: 0.8·w / max(1, w) = 0.8·w, w = 2^(−age/60).
        var w1 = Math.Pow(2, -1.0 / 60);
        var w2 = Math.Pow(2, -2.0 / 60);
        var w3 = Math.Pow(2, -3.0 / 60);
        var decisions = Decisions(journal, "ACME");
        Assert.Equal([T0, T0.AddMinutes(1), T0.AddMinutes(2), T0.AddMinutes(3)], decisions.Select(d => d.Ts));
        Assert.Equal(0.8, decisions[0].News);
        Assert.Equal(0.8 * w1, decisions[1].News!.Value, Journaled);
        Assert.Equal(0.8 * w2, decisions[2].News!.Value, Journaled); // counted twice it would be (0.8·w2 + 0.5) / (w2 + 1) ≈ 0.65
        Assert.Equal(((0.8 * w3) - 0.3) / (w3 + 1), decisions[3].News!.Value, Journaled);
        Assert.Equal(2, engine.NewsCounts.Duplicates);
    }

    [Fact]
    public void SymbolSentiment_DecaysWithTheConfiguredHalfLife()
    {
        // NEWS_HALF_LIFE_MIN=30: 0.6 at 10:00 is worth 0.6·½ = 0.3 at 10:30; a −0.2 item at 10:30 makes it
        // (0.6·½ − 0.2) / max(1, ½ + 1) = 0.1 / 1.5; at 11:00 Σs·w = 0.6·¼ − 0.2·½ = 0.05 and Σw = ¾: 0.05 / max(1, ¾) = 0.05.
        var scores = new Dictionary<string, double> { ["Acme wins a large contract"] = 0.6, ["Acme faces a lawsuit"] = -0.2 };
        using var model = new ScriptedModel(fast: true, scores);
        string[] lines =
        [
            News(T0, "n1", "Acme wins a large contract", T0, Acme),
            UpQuote(T0.AddMinutes(30), "ACME"),
            News(T0.AddMinutes(30), "n2", "Acme faces a lawsuit", T0.AddMinutes(30), Acme),
            UpQuote(T0.AddMinutes(60), "ACME"),
        ];

        var (journal, _) = Run(lines, NewsConfig(("NEWS_HALF_LIFE_MIN", "30")), model);

        var news = Decisions(journal, "ACME").Select(d => d.News!.Value).ToArray();
        Assert.Equal(4, news.Length);
        Assert.Equal(0.6, news[0], Journaled);
        Assert.Equal(0.3, news[1], Journaled);
        Assert.Equal(0.1 / 1.5, news[2], Journaled);
        Assert.Equal(0.05, news[3], Journaled);
    }

    [Fact]
    public void HalfLifeZero_OnlyTheNewestItemCounts()
    {
        var scores = new Dictionary<string, double> { ["Acme wins a large contract"] = 0.6, ["Acme faces a lawsuit"] = -0.2 };
        using var model = new ScriptedModel(fast: true, scores);
        string[] lines =
        [
            News(T0, "n1", "Acme wins a large contract", T0, Acme),
            News(T0.AddMinutes(1), "n2", "Acme faces a lawsuit", T0.AddMinutes(1), Acme),
            UpQuote(T0.AddMinutes(30), "ACME"),
        ];

        var (journal, _) = Run(lines, NewsConfig(("NEWS_HALF_LIFE_MIN", "0")), model);

        // 10:00 hold (no price yet) with 0.6; the 10:01 hold repeats its reason (not journaled); at 10:30 only −0.2 counts
        // (with any half-life > 0 it would be a mean of both).
        Assert.Equal([0.6, -0.2], Decisions(journal, "ACME").Select(d => d.News!.Value));
    }

    [Fact]
    public void MarketWideNews_ChangesNewsMarketOnly()
    {
        // No symbols: no forced evaluation, no symbol news, and every decision carries news_market. Half-life 60:
        // 0.5 created at 10:00:01 is 0.5·½ = 0.25 at 11:00:01; NEWS_MAX_AGE_SEC=3600 keeps it until then, not after.
        using var model = new ScriptedModel(fast: true) { Fallback = 0.5 };
        string[] lines =
        [
            UpQuote(T0, "ACME"),
            News(T0.AddSeconds(1), "m1", "Fed holds rates steady", T0.AddSeconds(1), []),
            UpQuote(T0.AddSeconds(2), "ACME"),
            UpQuote(T0.AddSeconds(3601), "BOLT"),
            UpQuote(T0.AddSeconds(3602), "BOLT"),
        ];

        var (journal, engine) = Run(lines, NewsConfig(), model);

        var acme = Decisions(journal, "ACME");
        Assert.Equal([(T0, null, null), (T0.AddSeconds(2), null, true)], acme.Select(d => (d.Ts, d.News, d.Market is null ? (bool?)null : true)));
        Assert.Equal(0.5 * Math.Pow(2, -1.0 / 3600), acme[1].Market!.Value, Journaled); // 1 s old: 0.5·2^(−1/3600)
        var bolt = Decisions(journal, "BOLT");
        Assert.Null(bolt[0].News);
        Assert.Equal(0.25, bolt[0].Market!.Value, Journaled); // 3600 s old: one half-life
        Assert.Null(bolt[1].Market); // the newest market item is older than NEWS_MAX_AGE_SEC
        Assert.Null(engine.Risk.KillReason("ACME"));
    }

    [Fact]
    public void TheKillSwitch_UsesTheItemsOwnScore_NotTheDecayedValue()
    {
        // 0.9 then −0.6: the decayed mean (0.15) is above the −0.5 threshold, the item itself is not.
        var scores = new Dictionary<string, double> { ["Acme wins a large contract"] = 0.9, ["Acme CEO charged with fraud"] = -0.6 };
        using var model = new ScriptedModel(fast: true, scores);
        string[] lines =
        [
            News(T0, "n1", "Acme wins a large contract", T0, Acme),
            News(T0, "n2", "Acme CEO charged with fraud", T0, Acme),
        ];

        var (journal, engine) = Run(lines, NewsConfig(), model);

        Assert.Equal("kill_switch_news", engine.Risk.KillReason("ACME"));
        Assert.Equal(0.15, Decisions(journal, "ACME")[^1].News!.Value, Journaled);
    }
}
