using SentryBrain.Backtesting;
using SentryBrain.Strategy;
using static SentryBrain.Tests.Backtesting.BacktestNewsFixtures;

namespace SentryBrain.Tests.Backtesting;

/// <summary>
/// <c>backtest --news</c>: recorded news replayed point-in-time into the consensus strategy's news source. Expected
/// values are by hand: scores come from a table model, closes are 16:00 New York (21:00 UTC in winter, 20:00 in
/// summer, 18:00 UTC on an early-close day), decay is score × 2^(−age / half-life).
/// </summary>
public class BacktestNewsTests
{
    private static readonly Dictionary<string, double> Table = new(StringComparer.Ordinal)
    {
        ["Acme wins big contract"] = 0.8,
        ["Beta wins big contract"] = 0.8,
        ["Acme beats estimates, raises guidance"] = 0.8,
        ["UPDATE 1-Acme beats estimates and raises guidance - Reuters"] = 0.2,
        ["Acme recalls every product"] = -0.9,
        ["Markets rally worldwide"] = 0.6,
    };

    private static BacktestNews Scored(NewsTape tape) => BacktestNews.Score(tape, new TableModel(Table), batchSize: 16);

    /// <summary>
    /// 2024-03-05 closes at 21:00 UTC. AAA's item created 15:59 New York counts at that close; BBB's created 16:01 does
    /// not (no look-ahead) and counts at the next close, 2024-03-06. Half-life 0: the value is the newest item's score.
    /// </summary>
    [Fact]
    public void News_CountsFromItsCreatedAt_AtTheFirstCloseAtOrAfterIt()
    {
        var panel = Flat(Dates("2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07"), "AAA", "BBB");
        var tape = Tape(
            News("1", "Acme wins big contract", "2024-03-05T20:59:00Z", "AAA"),
            News("2", "Beta wins big contract", "2024-03-05T21:01:00Z", "BBB"));
        var config = NewsConfig(("BACKTEST_NEWS_HALF_LIFE_MIN", "0"));

        var result = Backtester.Run(panel, Options(config, Scored(tape)));
        var aaa = NewsBySymbol(result, "AAA");
        var bbb = NewsBySymbol(result, "BBB");

        Assert.Null(aaa[D("2024-03-04")]);
        Assert.Equal(0.8, aaa[D("2024-03-05")]);
        Assert.Equal(0.8, aaa[D("2024-03-06")]);
        Assert.Null(bbb[D("2024-03-04")]);
        Assert.Null(bbb[D("2024-03-05")]); // created one minute after this close
        Assert.Equal(0.8, bbb[D("2024-03-06")]);
    }

    /// <summary>2024-07-03 closes early, 13:00 New York = 17:00 UTC: an item of 13:01 waits for 2024-07-05's close (07-04 is a holiday).</summary>
    [Fact]
    public void News_OnAnEarlyCloseDay_CountsFromTheEarlyClose()
    {
        var panel = Flat(Dates("2024-07-02", "2024-07-03", "2024-07-05"), "AAA", "BBB");
        var tape = Tape(
            News("1", "Acme wins big contract", "2024-07-03T16:59:00Z", "AAA"),
            News("2", "Beta wins big contract", "2024-07-03T17:01:00Z", "BBB"));

        var result = Backtester.Run(panel, Options(NewsConfig(("BACKTEST_NEWS_HALF_LIFE_MIN", "0")), Scored(tape)));

        Assert.Equal(0.8, NewsBySymbol(result, "AAA")[D("2024-07-03")]);
        Assert.Null(NewsBySymbol(result, "BBB")[D("2024-07-03")]);
        Assert.Equal(0.8, NewsBySymbol(result, "BBB")[D("2024-07-05")]);
    }

    /// <summary>Without created_at the envelope's ts is the visible time: 21:30 UTC is after the 2024-03-05 close.</summary>
    [Fact]
    public void News_WithoutCreatedAt_CountsFromTheEnvelopeTs()
    {
        var panel = Flat(Dates("2024-03-05", "2024-03-06"), "AAA");
        var tape = Tape(NewsWithTs("1", "Acme wins big contract", createdAt: null, ts: "2024-03-05T21:30:00Z", "AAA"));

        var result = Backtester.Run(panel, Options(NewsConfig(("BACKTEST_NEWS_HALF_LIFE_MIN", "0")), Scored(tape)));

        Assert.Equal(new DateTime(2024, 3, 5, 21, 30, 0, DateTimeKind.Utc), tape.Items[0].VisibleAt);
        Assert.Null(NewsBySymbol(result, "AAA")[D("2024-03-05")]);
        Assert.Equal(0.8, NewsBySymbol(result, "AAA")[D("2024-03-06")]);
    }

    /// <summary>
    /// The same story three times: a second source's near-identical headline (score 0.2) and a re-send of id 1 (score
    /// −0.9). Counted once, the value stays the first item's 0.8 (half-life 0: counted, either would have replaced it).
    /// A headline without symbols feeds the market-wide value only.
    /// </summary>
    [Fact]
    public void DuplicateStory_CountsOnce_AndMarketNews_FeedsOnlyTheMarket()
    {
        var panel = Flat(Dates("2024-03-05", "2024-03-06"), "AAA");
        var tape = Tape(
            News("1", "Acme beats estimates, raises guidance", "2024-03-05T14:00:00Z", "AAA"),
            News("2", "UPDATE 1-Acme beats estimates and raises guidance - Reuters", "2024-03-05T14:30:00Z", "AAA"),
            News("1", "Acme recalls every product", "2024-03-05T15:00:00Z", "AAA"),
            News("3", "Markets rally worldwide", "2024-03-05T15:30:00Z"));

        var result = Backtester.Run(panel, Options(NewsConfig(("BACKTEST_NEWS_HALF_LIFE_MIN", "0")), Scored(tape)));

        Assert.Equal(0.8, NewsBySymbol(result, "AAA")[D("2024-03-05")]);
        var stats = result.News!;
        Assert.Equal(4, stats.Items);
        Assert.Equal(4, stats.Visible);
        Assert.Equal(2, stats.Duplicates);
        Assert.Equal(2, stats.Used);
        Assert.Equal(1, stats.MarketWide);
        Assert.Equal([new NewsSymbolCount("AAA", 1, 0)], stats.Symbols);
    }

    /// <summary>
    /// Decay over days, half-life 1440 min and a 3-day freshness (the backtest defaults). One item of score 0.8 created
    /// 2024-03-05 21:00 UTC, exactly at that close: 0.8 there, ×½ per day after: 0.4, 0.2, then 0.1 on 03-08 (72 h old,
    /// still fresh: ≤ 3 days); at 03-11's close (20:00 UTC, daylight time) it is 143 h old: no longer a source.
    /// </summary>
    [Fact]
    public void News_DecaysByHalfLife_AndStopsBeingASourceAfterMaxAge()
    {
        var panel = Flat(Dates("2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08", "2024-03-11"), "AAA");
        var tape = Tape(News("1", "Acme wins big contract", "2024-03-05T21:00:00Z", "AAA"));
        var config = NewsConfig();
        Assert.Equal(1440, config.Sentiment.BacktestNewsHalfLifeMin);
        Assert.Equal(3, config.Sentiment.BacktestNewsMaxAgeDays);

        var news = NewsBySymbol(Backtester.Run(panel, Options(config, Scored(tape))), "AAA");

        Assert.Null(news[D("2024-03-04")]);
        Assert.Equal(0.8, news[D("2024-03-05")]!.Value, 12);
        Assert.Equal(0.4, news[D("2024-03-06")]!.Value, 12);
        Assert.Equal(0.2, news[D("2024-03-07")]!.Value, 12);
        Assert.Equal(0.1, news[D("2024-03-08")]!.Value, 12);
        Assert.Null(news[D("2024-03-11")]);
    }

    /// <summary>
    /// Closes rising 1 % a day: momentum 0.6·clamp(100 × 0.01) + 0.4·clamp(50 × r5) ≥ 0.15 is one positive source; RSI
    /// is off and social is 0, so consensus (2 sources ≥ 0.15) is never met without news. A 0.8 headline on 2024-03-13
    /// (visible at its close at weight 2^(−6/24) ≈ 0.84: 0.67) is the second source: a buy there, and only there. The
    /// entry uses the headline: at the next close the news is no longer a source although still young.
    /// </summary>
    [Fact]
    public void PositiveNewsDay_MakesConsensusBuy_WhereItOtherwiseDoesNot()
    {
        var dates = Dates("2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08", "2024-03-11", "2024-03-12", "2024-03-13", "2024-03-14", "2024-03-15");
        var closes = dates.Select((_, i) => 100 * Math.Pow(1.01, i)).ToArray();
        var panel = BarPanel.Align([Bars("AAA", dates, closes)]);
        var tape = Tape(News("1", "Acme wins big contract", "2024-03-13T14:00:00Z", "AAA"));
        var config = NewsConfig();

        var without = Backtester.Run(panel, Options(config, news: null));
        var with = Backtester.Run(panel, Options(config, Scored(tape)));

        Assert.DoesNotContain(without.Decisions, d => d.Action == TradeAction.Buy);
        Assert.Contains(without.Decisions, d => d.Reason == "consensus_not_met" && d.Date == D("2024-03-13"));
        var buy = Assert.Single(with.Decisions, d => d.Action == TradeAction.Buy);
        Assert.Equal(D("2024-03-13"), buy.Date);
        Assert.Equal("consensus_buy", buy.Reason);
        Assert.Equal(0.8 * Math.Pow(2, -6.0 / 24), buy.News!.Value, 12); // 14:00 → 20:00 UTC (daylight time)
        Assert.Null(NewsBySymbol(with, "AAA")[D("2024-03-14")]);
        Assert.Contains(with.Fills, f => f.Side == "buy" && f.Date == D("2024-03-14"));
        Assert.Equal([new NewsSymbolCount("AAA", 1, 1)], with.News!.Symbols);
    }

    /// <summary>Same bars and news twice: identical decisions, fills and summary.json bytes.</summary>
    [Fact]
    public void SameInputs_GiveIdenticalOutputs()
    {
        var dates = Dates("2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08", "2024-03-11", "2024-03-12", "2024-03-13", "2024-03-14", "2024-03-15");
        var panel = BarPanel.Align([Bars("AAA", dates, [.. dates.Select((_, i) => 100 * Math.Pow(1.01, i))]), Bars("BBB", dates, [.. dates.Select((_, i) => 100 - i)])]);
        string[] lines =
        [
            News("1", "Acme wins big contract", "2024-03-06T14:00:00Z", "AAA"),
            News("2", "Beta wins big contract", "2024-03-06T14:00:00Z", "BBB"),
            News("3", "Markets rally worldwide", "2024-03-07T10:00:00Z"),
            News("4", "Acme recalls every product", "2024-03-12T16:00:00Z", "AAA", "BBB"),
        ];

        string Run(out BacktestResult result)
        {
            var options = Options(NewsConfig(), Scored(Tape(lines)));
            result = Backtester.Run(panel, options);
            return BacktestReport.SummaryJson("consensus", options, BacktestStatistics.Compute(result), result.RuleBlocks, result.News);
        }

        var first = Run(out var a);
        var second = Run(out var b);

        Assert.Equal(first, second);
        Assert.Equal(a.Decisions, b.Decisions);
        Assert.Equal(a.Fills, b.Fills);
        Assert.Contains("\"news\":", first, StringComparison.Ordinal);
        Assert.Contains("\"sha256\":", first, StringComparison.Ordinal);
    }

    /// <summary>Without --news nothing changes: every decision's news is null, and the report has no news object.</summary>
    [Fact]
    public void WithoutNews_TheFeedsNewsStaysUnknown()
    {
        var options = BacktestFixtures.Options(BacktestStrategy.Consensus, record: true);
        var result = Backtester.Run(BacktestFixtures.Aapl, options);

        Assert.All(result.Decisions, d => Assert.Null(d.News));
        Assert.Null(result.News);
        Assert.DoesNotContain("\"news\"", BacktestReport.SummaryJson("consensus", options, BacktestStatistics.Compute(result)), StringComparison.Ordinal);
    }
}
