using System.Text;
using SentryBrain.Events;

namespace SentryBrain.Tests.Events;

/// <summary>The wire format of BEHAVIOR §1: each type in the engine's exact shape, liberal input, strict rejections.</summary>
public sealed class EventParserTests
{
    private static readonly DateTime T = new(2026, 3, 2, 15, 4, 5, DateTimeKind.Utc);

    private static MarketEvent Parse(string line)
    {
        var evt = new EventParser().Parse(Encoding.UTF8.GetBytes(line), out var error);
        Assert.True(evt is not null, $"rejected: {error}");
        Assert.Null(error);
        return evt!;
    }

    private static string Reject(string line)
    {
        var evt = new EventParser().Parse(Encoding.UTF8.GetBytes(line), out var error);
        Assert.Null(evt);
        Assert.False(string.IsNullOrEmpty(error));
        return error!;
    }

    // ---- the six types, lines exactly as in BEHAVIOR §1 ---------------------------------------------------

    [Fact]
    public void Trade_ParsesFromEngineLine()
    {
        const string line = """{"type":"trade","ts":"2026-03-02T15:04:05.120331Z","payload":{"symbol":"MSFT","price":401.27,"size":35,"volume_1m":18250,"volume_5m":96410,"return_1m":0.00042,"return_5m":-0.0013,"session":"regular","volatility":0.2741}}""";

        var trade = Assert.IsType<TradeEvent>(Parse(line));

        // .120331 s = 1 203 310 ticks of 100 ns
        Assert.Equal(new TradeEvent(T.AddTicks(1_203_310), "MSFT", 401.27, 35, 18250, 96410, 0.00042, -0.0013, FeedSession.Regular, 0.2741), trade);
        Assert.Equal(DateTimeKind.Utc, trade.Ts.Kind);
    }

    [Fact]
    public void Quote_ParsesFromEngineLine()
    {
        const string line = """{"type":"quote","ts":"2026-03-02T15:04:05.121Z","payload":{"symbol":"MSFT","bid":401.25,"ask":401.29,"bid_size":3,"ask_size":5,"mid":401.27,"volume_1m":18250,"volume_5m":96410,"return_1m":0.00041,"return_5m":-0.0013,"session":"regular","volatility":0.2741}}""";

        var quote = Assert.IsType<QuoteEvent>(Parse(line));

        Assert.Equal(new QuoteEvent(T.AddMilliseconds(121), "MSFT", 401.25, 401.29, 3, 5, 401.27, 18250, 96410, 0.00041, -0.0013, FeedSession.Regular, 0.2741), quote);
    }

    [Fact]
    public void News_ParsesFromEngineLine()
    {
        const string line = """{"type":"news","ts":"2026-03-02T15:04:07.5Z","payload":{"id":41877120,"headline":"Acme wins contract","author":"Staff","created_at":"2026-03-02T15:04:06Z","updated_at":"","summary":"...","url":"https://example.test/a","symbols":["ACME"],"source":"benzinga"}}""";

        var news = Assert.IsType<NewsEvent>(Parse(line));

        Assert.Equal(T.AddSeconds(2.5), news.Ts);
        Assert.Equal("41877120", news.Id);
        Assert.Equal("Acme wins contract", news.Headline);
        Assert.Equal("...", news.Summary);
        Assert.Equal("Staff", news.Author);
        Assert.Equal("benzinga", news.Source);
        Assert.Equal("https://example.test/a", news.Url);
        Assert.Equal(T.AddSeconds(1), news.CreatedAt);
        Assert.Equal(["ACME"], news.Symbols);
    }

    [Fact]
    public void Volatility_ParsesFromEngineLine()
    {
        const string line = """{"type":"volatility","ts":"2026-03-02T14:30:01.9Z","payload":{"symbol":"MSFT","annualized_vol_30d":0.2741}}""";

        var vol = Assert.IsType<VolatilityEvent>(Parse(line));

        Assert.Equal(new VolatilityEvent(new DateTime(2026, 3, 2, 14, 30, 1, 900, DateTimeKind.Utc), "MSFT", 0.2741), vol);
    }

    [Fact]
    public void Positions_ParseFromEngineLine_WithDecimalStrings()
    {
        const string line = """{"type":"positions","ts":"2026-03-02T15:04:15Z","payload":{"positions":[{"symbol":"GERN","qty":"12","side":"long","market_value":"19.56","cost_basis":"19.80","unrealized_pl":"-0.24","unrealized_plpc":"-0.0121","current_price":1.63}]}}""";

        var positions = Assert.IsType<PositionsEvent>(Parse(line));

        Assert.Equal(T.AddSeconds(10), positions.Ts);
        Assert.Equal(new FeedPosition("GERN", 12, "long", 19.56, 19.80, -0.24, -0.0121, 1.63), Assert.Single(positions.Positions));
    }

    [Fact]
    public void Orders_ParseFromEngineLine_WithDecimalStrings()
    {
        const string line = """{"type":"orders","ts":"2026-03-02T15:04:15.4Z","payload":{"orders":[{"id":"b0b6dd9d-…","symbol":"TRI","side":"buy","qty":"12","filled_qty":"0","type":"limit","status":"new","created_at":"2026-03-02T15:03:50Z"}]}}""";

        var orders = Assert.IsType<OrdersEvent>(Parse(line));

        Assert.Equal(T.AddSeconds(10.4), orders.Ts);
        Assert.Equal(
            new FeedOrder("b0b6dd9d-…", "TRI", "buy", 12, 0, "limit", "new", new DateTime(2026, 3, 2, 15, 3, 50, DateTimeKind.Utc)),
            Assert.Single(orders.Orders));
    }

    [Fact]
    public void ShortPosition_HasNegativeQty()
    {
        const string line = """{"type":"positions","ts":"2026-03-02T15:04:15Z","payload":{"positions":[{"symbol":"TSLA","qty":"3","side":"short","market_value":"-600","cost_basis":"-610","unrealized_pl":"10","unrealized_plpc":"0.016","current_price":200}]}}""";

        var positions = Assert.IsType<PositionsEvent>(Parse(line));

        Assert.Equal(-3, Assert.Single(positions.Positions).Qty);
    }

    [Fact]
    public void EmptyPositionsAndOrders_Parse()
    {
        Assert.Empty(Assert.IsType<PositionsEvent>(Parse("""{"type":"positions","ts":"2026-03-02T15:04:15Z","payload":{"positions":[]}}""")).Positions);
        Assert.Empty(Assert.IsType<OrdersEvent>(Parse("""{"type":"orders","ts":"2026-03-02T15:04:15Z","payload":{"orders":null}}""")).Orders);
    }

    [Fact]
    public void EngineSample_First200Lines_AllParse_AndCoverAllSixTypes()
    {
        var path = Path.Combine(DocsTests.RepoRoot(), "tests", "SentryBrain.Tests", "Fixtures", "engine_events_sample.ndjson");
        var parser = new EventParser();
        var types = new HashSet<Type>();
        var n = 0;
        foreach (var line in File.ReadLines(path).Take(200))
        {
            n++;
            var evt = parser.Parse(Encoding.UTF8.GetBytes(line), out var error);
            Assert.True(evt is not null, $"line {n}: {error}");
            types.Add(evt!.GetType());
        }

        Assert.Equal(200, n);
        Assert.Equal(
            [typeof(NewsEvent), typeof(OrdersEvent), typeof(PositionsEvent), typeof(QuoteEvent), typeof(TradeEvent), typeof(VolatilityEvent)],
            types.OrderBy(t => t.Name, StringComparer.Ordinal));
    }

    // ---- liberal input --------------------------------------------------------------------------------

    [Fact]
    public void NumbersSentAsStrings_AreAccepted()
    {
        const string line = """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":"401.27","size":"35","volume_1m":"18250","volume_5m":"96410","return_1m":"0.00042","return_5m":"-0.0013","session":"regular","volatility":"0.2741"}}""";

        var trade = Assert.IsType<TradeEvent>(Parse(line));

        Assert.Equal(new TradeEvent(T, "MSFT", 401.27, 35, 18250, 96410, 0.00042, -0.0013, FeedSession.Regular, 0.2741), trade);
    }

    [Fact]
    public void UnknownFields_IncludingNestedObjectsAndArrays_AreIgnored()
    {
        const string line = """{"type":"quote","meta":{"a":[1,{"b":[null,true]}],"c":"x"},"ts":"2026-03-02T15:04:05Z","seq":[1,2,3],"payload":{"extra":{"deep":{"deeper":[1,2,{"x":"y"}]}},"symbol":"MSFT","bid":10.0,"tags":["a","b"],"ask":10.02,"conditions":[],"z":null}}""";

        var quote = Assert.IsType<QuoteEvent>(Parse(line));

        Assert.Equal("MSFT", quote.Symbol);
        Assert.Equal(10.0, quote.Bid);
        Assert.Equal(10.02, quote.Ask);
        Assert.Equal(10.01, quote.Mid, 12); // absent mid = (10.00 + 10.02)/2
    }

    [Fact]
    public void UnknownFields_InNewsPayload_AreIgnored()
    {
        const string line = """{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":"replay-e2e-1","headline":"H","images":[{"size":"large","url":"u"}],"meta":{"k":[1,2]},"symbols":["aapl","MSFT"]}}""";

        var news = Assert.IsType<NewsEvent>(Parse(line));

        Assert.Equal("replay-e2e-1", news.Id); // ids may be strings (replay feed)
        Assert.Equal(["AAPL", "MSFT"], news.Symbols);
    }

    [Fact]
    public void UnknownScalarFields_InAFlatPayload_AreIgnored()
    {
        // the common case on the hot path: extra scalar fields, no nesting
        const string line = """{"type":"trade","ts":"2026-03-02T15:04:05Z","seq":17,"payload":{"exchange":"V","symbol":"MSFT","tape":3,"price":401.27,"odd_lot":null,"size":35,"id":12345678901234567890,"cond":"@"}}""";

        var trade = Assert.IsType<TradeEvent>(Parse(line));

        Assert.Equal(new TradeEvent(T, "MSFT", 401.27, 35, 0, 0, 0, 0, FeedSession.Regular, 0), trade);
    }

    [Fact]
    public void WhiteSpaceBetweenTokens_IsAccepted()
    {
        const string line = """ { "type" : "quote" , "ts" : "2026-03-02T15:04:05Z" , "payload" : { "symbol" : "MSFT" , "bid" : 401.25 , "ask" : 401.29 } } """;

        var quote = Assert.IsType<QuoteEvent>(Parse(line));

        Assert.Equal(401.27, quote.Mid, 12); // (401.25 + 401.29)/2
    }

    [Fact]
    public void NullAndMissingOptionalFields_TakeDefaults()
    {
        // no volumes, returns, session; volatility null
        const string line = """{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":401.27,"size":35,"volatility":null,"return_1m":null}}""";

        var trade = Assert.IsType<TradeEvent>(Parse(line));

        Assert.Equal(new TradeEvent(T, "MSFT", 401.27, 35, 0, 0, 0, 0, FeedSession.Regular, 0), trade);
    }

    [Fact]
    public void NewsWithNullSymbolsAndMissingFields_ParsesWithEmptyValues()
    {
        const string line = """{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":1,"headline":null,"symbols":null}}""";

        var news = Assert.IsType<NewsEvent>(Parse(line));

        Assert.Empty(news.Symbols);
        Assert.Equal(string.Empty, news.Headline);
        Assert.Equal(string.Empty, news.Summary);
        Assert.Null(news.CreatedAt);
    }

    [Theory]
    [InlineData("pre_open", FeedSession.PreOpen)]
    [InlineData("post_close", FeedSession.PostClose)]
    [InlineData("regular", FeedSession.Regular)]
    public void Session_IsParsed(string session, FeedSession expected)
    {
        var line = $$$"""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1,"session":"{{{session}}}"}}""";

        Assert.Equal(expected, Assert.IsType<TradeEvent>(Parse(line)).Session);
    }

    [Fact]
    public void PayloadBeforeType_GoMapOrder_Parses()
    {
        const string trade = """{"payload":{"price":401.27,"size":35,"symbol":"MSFT"},"ts":"2026-03-02T15:04:05Z","type":"trade"}""";
        const string quote = """{"payload":{"ask":401.29,"bid":401.25,"symbol":"MSFT"},"ts":"2026-03-02T15:04:05Z","type":"quote"}""";
        const string news = """{"payload":{"headline":"H","id":7,"symbols":["ACME"]},"ts":"2026-03-02T15:04:05Z","type":"news"}""";

        Assert.Equal(401.27, Assert.IsType<TradeEvent>(Parse(trade)).Price);
        Assert.Equal(401.27, Assert.IsType<QuoteEvent>(Parse(quote)).Mid, 12);
        Assert.Equal("7", Assert.IsType<NewsEvent>(Parse(news)).Id);
    }

    [Fact]
    public void PayloadBeforeType_StillRejectsBadFields()
    {
        var error = Reject("""{"payload":{"price":-1,"size":35,"symbol":"MSFT"},"ts":"2026-03-02T15:04:05Z","type":"trade"}""");

        Assert.Contains("price", error, StringComparison.Ordinal);
    }

    [Fact]
    public void NineDigitFractionalSeconds_AreTruncatedTo100ns()
    {
        const string line = """{"type":"trade","ts":"2026-03-02T15:04:05.123456789Z","payload":{"symbol":"MSFT","price":1.5,"size":1}}""";

        // .123456789 s → 1 234 567 ticks (the last two digits, 89 ns, are below one tick)
        Assert.Equal(T.AddTicks(1_234_567), Parse(line).Ts);
    }

    [Fact]
    public void LowerCaseSymbol_IsUpperCased()
    {
        const string line = """{"type":"quote","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"brk.b","bid":1.0,"ask":1.01}}""";

        Assert.Equal("BRK.B", Assert.IsType<QuoteEvent>(Parse(line)).Symbol);
    }

    [Fact]
    public void UnknownType_IsAnUnknownEvent_NotAnError()
    {
        var evt = Parse("""{"type":"heartbeat","ts":"2026-03-02T15:04:05Z","payload":{"n":1}}""");

        var unknown = Assert.IsType<UnknownEvent>(evt);
        Assert.Equal("heartbeat", unknown.Type);
        Assert.Equal(T, unknown.Ts);
    }

    // ---- rejections -----------------------------------------------------------------------------------

    [Theory]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":0,"size":1}}""", "price")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":-401.27,"size":1}}""", "price")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":"NaN","size":1}}""", "price")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":"Infinity","size":1}}""", "price")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":{"v":1},"size":1}}""", "price")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":true,"size":1}}""", "price")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":[1],"size":1}}""", "price")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":"abc","size":1}}""", "price")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","size":1}}""", "price")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":null,"size":1}}""", "price")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":20000000,"size":1}}""", "price")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"price":1.5,"size":1}}""", "symbol")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":null,"price":1.5,"size":1}}""", "symbol")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"","price":1.5,"size":1}}""", "symbol")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":42,"price":1.5,"size":1}}""", "symbol")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1e15}}""", "size")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":-5}}""", "size")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1,"volume_1m":-1}}""", "volume_1m")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1,"return_5m":"NaN"}}""", "return_5m")]
    [InlineData("""{"type":"quote","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","bid":401.30,"ask":401.29}}""", "bid")]
    [InlineData("""{"type":"quote","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","bid":0,"ask":401.29}}""", "bid")]
    [InlineData("""{"type":"quote","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","bid":401.25}}""", "ask")]
    [InlineData("""{"type":"volatility","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","annualized_vol_30d":-0.2}}""", "annualized_vol_30d")]
    [InlineData("""{"type":"volatility","ts":"2026-03-02T15:04:05Z","payload":{"annualized_vol_30d":0.2}}""", "symbol")]
    [InlineData("""{"type":"trade","payload":{"symbol":"MSFT","price":1.5,"size":1}}""", "ts")]
    [InlineData("""{"type":"trade","ts":"yesterday","payload":{"symbol":"MSFT","price":1.5,"size":1}}""", "ts")]
    [InlineData("""{"type":"trade","ts":"2026-02-30T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1}}""", "ts")]
    [InlineData("""{"type":"trade","ts":1772463845,"payload":{"symbol":"MSFT","price":1.5,"size":1}}""", "ts")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":"{\"symbol\":\"MSFT\"}"}""", "payload")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":[1,2]}""", "payload")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z"}""", "payload")]
    [InlineData("""{"ts":"2026-03-02T15:04:05Z","payload":{}}""", "type")]
    [InlineData("""{"type":7,"ts":"2026-03-02T15:04:05Z","payload":{}}""", "type")]
    public void BadField_IsRejected_WithReasonNamingTheField(string line, string field)
    {
        var error = Reject(line);

        Assert.Contains(field, error, StringComparison.Ordinal);
    }

    [Fact]
    public void CrossedQuote_IsRejectedAsCrossed()
    {
        var error = Reject("""{"type":"quote","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","bid":401.30,"ask":401.29}}""");

        Assert.Contains("crossed", error, StringComparison.Ordinal);
    }

    [Fact]
    public void LockedQuote_BidEqualsAsk_IsAccepted()
    {
        Assert.IsType<QuoteEvent>(Parse("""{"type":"quote","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","bid":401.29,"ask":401.29}}"""));
    }

    [Theory]
    [InlineData("""{"type": trade}""")]                                                                              // bad JSON
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","pri""")]                // truncated
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1}""")] // missing final brace
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1}} x""")] // trailing garbage
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1}}{}""")] // two objects
    [InlineData("""{'type':'trade'}""")]
    [InlineData("""{"type":"news","ts":"2026-03-02T15:04:05Z","payload":{"id":1,"headline":"a" /* c */}}""")]     // comments are not JSON
    public void MalformedJson_IsRejectedAsInvalidJson(string line)
    {
        var error = Reject(line);

        Assert.Contains("JSON", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.5,"size":1,"x":1-2-3}}""")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","seq":--,"payload":{"symbol":"MSFT","price":1.5,"size":1}}""")]
    [InlineData("""{"type":"quote","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","bid":1.5,"ask":1.6,"x":1e}}""")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":1.,"size":1}}""")]
    [InlineData("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"MSFT","price":01.5,"size":1}}""")]
    public void MalformedNumbers_OnFlatTradeAndQuoteLines_AreRejectedAsInvalidJson(string line)
    {
        var error = Reject(line);

        Assert.Contains("JSON", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{}}]""")]
    [InlineData("42")]
    [InlineData("\"trade\"")]
    [InlineData("null")]
    public void NonObjectLine_IsRejected(string line)
    {
        var error = Reject(line);

        Assert.Contains("object", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Symbols_AreInterned_OneStringPerTicker()
    {
        var parser = new EventParser();
        var a = (TradeEvent)parser.Parse("""{"type":"trade","ts":"2026-03-02T15:04:05Z","payload":{"symbol":"msft","price":1.5,"size":1}}"""u8, out _)!;
        var b = (TradeEvent)parser.Parse("""{"type":"trade","ts":"2026-03-02T15:04:06Z","payload":{"symbol":"MSFT","price":1.6,"size":1}}"""u8, out _)!;

        Assert.Same(a.Symbol, b.Symbol);
        Assert.Equal(1, parser.Symbols.Count);
    }
}
