using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SentryBrain.Tests.Market.Alpaca;

/// <summary>One request the fake received: path, decoded query values and the raw query string.</summary>
internal sealed record FakeRequest(string Path, IReadOnlyDictionary<string, string> Query, string RawQuery)
{
    public string? this[string name] => Query.TryGetValue(name, out var value) ? value : null;

    /// <summary>When it arrived, on <see cref="FakeDataServer.Clock"/> (a test's fake clock) or else the wall clock.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>1-based number of a <c>/v2/stocks/bars</c> request, in log order; 0 for other paths.</summary>
    public int BarsNumber { get; init; }

    /// <summary>The <c>symbols</c> parameter, split (empty when absent).</summary>
    public IReadOnlyList<string> Symbols =>
        Query.TryGetValue("symbols", out var text) && text.Length > 0
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
}

/// <summary>
/// A scripted failure (see <see cref="FakeDataServer.AddFault"/>): requests it <see cref="Matches"/> (given the request and,
/// for bars requests, their 1-based number; 0 otherwise) get <see cref="Status"/> with <see cref="Headers"/>, or a dropped
/// connection when <see cref="Drop"/>, at most <see cref="Times"/> times.
/// </summary>
internal sealed class FakeFault(Func<FakeRequest, int, bool> matches, int times, int status, bool drop, (string Name, string Value)[] headers)
{
    private int _left = times;

    public Func<FakeRequest, int, bool> Matches { get; } = matches;

    public int Status { get; } = status;

    public bool Drop { get; } = drop;

    public (string Name, string Value)[] Headers { get; } = headers;

    /// <summary>How many requests it hit so far.</summary>
    public int Hits { get; private set; }

    internal bool TryHit(FakeRequest request, int barsNumber)
    {
        if (_left <= 0 || !Matches(request, barsNumber))
        {
            return false;
        }

        _left--;
        Hits++;
        return true;
    }
}

/// <summary>
/// In-process fake of Alpaca's market-data REST API on 127.0.0.1 (random port): <c>/v2/stocks/bars</c>
/// (sorted by symbol then time, <see cref="PageSize"/> bars per page, <c>next_page_token</c>),
/// <c>/v2/stocks/quotes/latest</c>, <c>/v2/stocks/trades/latest</c> and <c>/v1beta1/news</c>. Data lives in in-memory
/// tables of raw JSON objects, so tests control the exact wire text. Every request is logged; a wrong or missing key
/// pair gets 401 like Alpaca.
/// <para>For screens of thousands of symbols: <see cref="AddDailySeries"/> loads a symbol's bars in one call into a
/// per-symbol index (a bars request then costs a lookup per symbol, not a scan of every bar); <see cref="AddFault"/>
/// and its shorthands script failures per request; <see cref="Clock"/> stamps each logged request with a fake time;
/// <see cref="EmulateRateLimit"/> answers like Alpaca's per-minute quota.</para>
/// </summary>
internal sealed class FakeDataServer : IAsyncDisposable
{
    public const string KeyId = "fake-data-key-id";
    public const string SecretKey = "SeCrEt-0123456789abcdefghijklmnopqrstuv";

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<(string Symbol, DateTime T, string Json)> _bars = [];
    private readonly Dictionary<string, string> _quotes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _trades = new(StringComparer.Ordinal);
    private readonly List<(DateTime CreatedAt, IReadOnlyList<string> Symbols, string Json)> _news = [];
    private readonly ConcurrentQueue<FakeRequest> _requests = new();
    private readonly ConcurrentQueue<(int Status, string Body, (string Name, string Value)[] Headers)> _forced = new();
    private readonly ConcurrentDictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _logGate = new();
    private readonly Dictionary<string, (DateTime T, string Json)[]> _series = new(StringComparer.Ordinal);
    private readonly List<FakeFault> _faults = [];
    private readonly Queue<DateTimeOffset> _quotaWindow = new();
    private int _barsRequests;
    private int _quota;

    private FakeDataServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Bars (and news articles) per page; the request's <c>limit</c> is honoured when smaller.</summary>
    public int PageSize { get; set; } = 3;

    public IReadOnlyList<FakeRequest> Requests => [.. _requests];

    public int RequestCount => _requests.Count;

    /// <summary>Stamps <see cref="FakeRequest.At"/> (a fake clock in rate-limit tests); the wall clock when null.</summary>
    public TimeProvider? Clock { get; set; }

    /// <summary>Requests to <c>/v2/stocks/bars</c> since the start, failed ones included (<see cref="ClearRequests"/> keeps counting).</summary>
    public int BarsRequestCount
    {
        get
        {
            lock (_logGate)
            {
                return _barsRequests;
            }
        }
    }

    /// <summary>Answers refused with 429 by <see cref="EmulateRateLimit"/> so far.</summary>
    public int QuotaRefusals { get; private set; }

    /// <summary>The logged requests to <c>/v2/stocks/bars</c>, in arrival order.</summary>
    public IReadOnlyList<FakeRequest> BarsRequests => [.. _requests.Where(r => r.Path == "/v2/stocks/bars")];

    public static async Task<FakeDataServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeDataServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeDataServer(app, new Uri(address + "/"));
        return server;
    }

    public void ClearRequests() => _requests.Clear();

    /// <summary>A bar with doubles written in shortest round-trip form.</summary>
    public void AddBar(string symbol, DateTime tUtc, double o, double h, double l, double c, double v, long n = 0, double vw = 0)
    {
        var json = string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"t\":\"{tUtc:yyyy-MM-dd'T'HH:mm:ss'Z'}\",\"o\":{o:R},\"h\":{h:R},\"l\":{l:R},\"c\":{c:R},\"v\":{v:R},\"n\":{n},\"vw\":{vw:R}}}");
        AddRawBar(symbol, tUtc, json);
    }

    /// <summary>A bar given as exact wire JSON; <paramref name="tUtc"/> is used for range filtering and ordering.</summary>
    public void AddRawBar(string symbol, DateTime tUtc, string json)
    {
        lock (_gate)
        {
            _bars.Add((symbol, DateTime.SpecifyKind(tUtc, DateTimeKind.Utc), json));
        }
    }

    /// <summary>
    /// Loads a symbol's bars in one call (JSON written once, here), replacing any earlier series of the symbol. Bars
    /// are served in time order whatever the order given; they live beside the <see cref="AddBar"/> table.
    /// </summary>
    public void AddDailySeries(string symbol, IEnumerable<(DateTime TUtc, double Open, double High, double Low, double Close, double Volume)> bars)
    {
        var rows = bars
            .Select(b => (T: DateTime.SpecifyKind(b.TUtc, DateTimeKind.Utc), Json: string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"t\":\"{b.TUtc:yyyy-MM-dd'T'HH:mm:ss'Z'}\",\"o\":{b.Open:R},\"h\":{b.High:R},\"l\":{b.Low:R},\"c\":{b.Close:R},\"v\":{b.Volume:R},\"n\":1,\"vw\":{b.Close:R}}}")))
            .OrderBy(b => b.T)
            .ToArray();
        lock (_gate)
        {
            _series[symbol] = rows;
        }
    }

    /// <summary>Scripts a failure: matching requests (after the auth check) are answered by it instead of data, <paramref name="times"/> times.</summary>
    public FakeFault AddFault(Func<FakeRequest, int, bool> matches, int times, int status = 500, bool drop = false, params (string Name, string Value)[] headers)
    {
        ArgumentNullException.ThrowIfNull(matches);
        var fault = new FakeFault(matches, times, status, drop, headers);
        lock (_gate)
        {
            _faults.Add(fault);
        }

        return fault;
    }

    /// <summary>The first <paramref name="times"/> bars requests naming <paramref name="symbol"/> get <paramref name="status"/> (int.MaxValue: every one).</summary>
    public FakeFault FailBarsFor(string symbol, int times, int status = 500) =>
        AddFault((r, n) => n > 0 && r.Symbols.Contains(symbol, StringComparer.Ordinal), times, status);

    /// <summary>The first <paramref name="times"/> bars requests naming <paramref name="symbol"/> lose their connection without an answer.</summary>
    public FakeFault DropBarsFor(string symbol, int times) =>
        AddFault((r, n) => n > 0 && r.Symbols.Contains(symbol, StringComparer.Ordinal), times, drop: true);

    /// <summary>The <paramref name="number"/>th bars request (1-based, failed ones counted) gets <paramref name="status"/> with these headers.</summary>
    public FakeFault FailNthBarsRequest(int number, int status, params (string Name, string Value)[] headers) =>
        AddFault((_, n) => n == number, 1, status, headers: headers);

    /// <summary>
    /// Answers like Alpaca's quota of <paramref name="perMinute"/> requests a minute, on <see cref="Clock"/>: every
    /// answer carries <c>X-Ratelimit-Limit</c>, <c>X-Ratelimit-Remaining</c> (the quota less the requests of the last
    /// 60 s, this one included) and <c>X-Ratelimit-Reset</c> (epoch seconds when the oldest of them leaves the window); a
    /// request beyond the quota gets 429 with <c>Retry-After</c> (counted in <see cref="QuotaRefusals"/>) and is not
    /// counted. 0 turns it off.
    /// </summary>
    public void EmulateRateLimit(int perMinute)
    {
        lock (_gate)
        {
            _quota = perMinute;
            _quotaWindow.Clear();
        }
    }

    public void SetQuote(string symbol, string json)
    {
        lock (_gate)
        {
            _quotes[symbol] = json;
        }
    }

    public void SetTrade(string symbol, string json)
    {
        lock (_gate)
        {
            _trades[symbol] = json;
        }
    }

    public void AddNews(DateTime createdAtUtc, IReadOnlyList<string> symbols, string json)
    {
        lock (_gate)
        {
            _news.Add((DateTime.SpecifyKind(createdAtUtc, DateTimeKind.Utc), symbols, json));
        }
    }

    /// <summary>The next request (after the auth check) gets this answer, with these headers, instead of data.</summary>
    public void ForceNext(int status, string body, params (string Name, string Value)[] headers) => _forced.Enqueue((status, body, headers));

    /// <summary>Every later answer carries this header (e.g. <c>X-Ratelimit-Remaining</c>).</summary>
    public void SetResponseHeader(string name, string value) => _headers[name] = value;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static DateTime? ParseTime(string? text) =>
        string.IsNullOrEmpty(text)
            ? null
            : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime;

    private static int ParseInt(string? text, int fallback) =>
        string.IsNullOrEmpty(text) ? fallback : int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    private static string[] SplitSymbols(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Token(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes("offset:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static int Offset(string? token) =>
        string.IsNullOrEmpty(token)
            ? 0
            : int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)).AsSpan("offset:".Length), CultureInfo.InvariantCulture);

    private static string TokenJson(int next, int total) => next < total ? JsonSerializer.Serialize(Token(next)) : "null";

    private static Task Json(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    }

    private Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        FakeRequest logged;
        lock (_logGate)
        {
            // Numbered and logged together, so the log's order is the numbering's.
            var path = request.Path.Value ?? string.Empty;
            logged = new FakeRequest(path, query, request.QueryString.Value ?? string.Empty)
            {
                At = Clock?.GetUtcNow() ?? DateTimeOffset.UtcNow,
                BarsNumber = path == "/v2/stocks/bars" ? ++_barsRequests : 0,
            };
            _requests.Enqueue(logged);
        }

        var barsNumber = logged.BarsNumber;

        if (request.Headers["APCA-API-KEY-ID"] != KeyId || request.Headers["APCA-API-SECRET-KEY"] != SecretKey)
        {
            return Json(context, 401, """{"code":40110000,"message":"request is not authorized"}""");
        }

        foreach (var (name, value) in _headers)
        {
            context.Response.Headers[name] = value;
        }

        if (Quota(context, logged.At) is { } refused)
        {
            return refused;
        }

        FakeFault? fault;
        lock (_gate)
        {
            fault = _faults.FirstOrDefault(f => f.TryHit(logged, barsNumber));
        }

        if (fault is not null)
        {
            if (fault.Drop)
            {
                context.Abort();
                return Task.CompletedTask;
            }

            foreach (var (name, value) in fault.Headers)
            {
                context.Response.Headers[name] = value;
            }

            return Json(context, fault.Status, """{"code":50010000,"message":"injected failure"}""");
        }

        if (_forced.TryDequeue(out var forced))
        {
            foreach (var (name, value) in forced.Headers)
            {
                context.Response.Headers[name] = value;
            }

            return Json(context, forced.Status, forced.Body);
        }

        lock (_gate)
        {
            return request.Path.Value switch
            {
                "/v2/stocks/bars" => Json(context, 200, Bars(query)),
                "/v2/stocks/quotes/latest" => Json(context, 200, Latest("quotes", _quotes, query)),
                "/v2/stocks/trades/latest" => Json(context, 200, Latest("trades", _trades, query)),
                "/v1beta1/news" => Json(context, 200, News(query)),
                _ => Json(context, 404, """{"code":40410000,"message":"endpoint not found"}"""),
            };
        }
    }

    /// <summary><see cref="EmulateRateLimit"/>: sets the quota headers; a 429 answer when the quota is spent, else null.</summary>
    private Task? Quota(HttpContext context, DateTimeOffset now)
    {
        int remaining;
        DateTimeOffset reset;
        lock (_gate)
        {
            if (_quota <= 0)
            {
                return null;
            }

            while (_quotaWindow.TryPeek(out var oldest) && oldest <= now - TimeSpan.FromMinutes(1))
            {
                _quotaWindow.Dequeue();
            }

            var refused = _quotaWindow.Count >= _quota;
            if (!refused)
            {
                _quotaWindow.Enqueue(now);
            }

            remaining = _quota - _quotaWindow.Count;
            reset = _quotaWindow.Peek() + TimeSpan.FromMinutes(1);
            if (refused)
            {
                QuotaRefusals++;
            }

            context.Response.Headers["X-Ratelimit-Limit"] = _quota.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["X-Ratelimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["X-Ratelimit-Reset"] = CeilingSeconds(reset).ToString(CultureInfo.InvariantCulture);
            if (!refused)
            {
                return null;
            }

            var wait = (long)Math.Ceiling((reset - now).TotalSeconds);
            context.Response.Headers["Retry-After"] = Math.Max(wait, 1).ToString(CultureInfo.InvariantCulture);
        }

        return Json(context, 429, """{"code":42910000,"message":"rate limit exceeded"}""");
    }

    private static long CeilingSeconds(DateTimeOffset time)
    {
        var seconds = time.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(seconds) < time ? seconds + 1 : seconds;
    }

    private string Bars(Dictionary<string, string> query)
    {
        var symbols = SplitSymbols(query.GetValueOrDefault("symbols"));
        var start = ParseTime(query.GetValueOrDefault("start"));
        var end = ParseTime(query.GetValueOrDefault("end"));
        var indexed = symbols
            .Where(_series.ContainsKey)
            .SelectMany(s => _series[s].Select(b => (Symbol: s, b.T, b.Json)));
        var matching = _bars
            .Where(b => symbols.Contains(b.Symbol, StringComparer.Ordinal))
            .Concat(indexed)
            .Where(b => (start is null || b.T >= start) && (end is null || b.T <= end))
            .OrderBy(b => b.Symbol, StringComparer.Ordinal)
            .ThenBy(b => b.T)
            .ToList();
        var offset = Offset(query.GetValueOrDefault("page_token"));
        var size = Math.Min(PageSize, ParseInt(query.GetValueOrDefault("limit"), 1000));
        var page = matching.Skip(offset).Take(size).ToList();

        var json = new StringBuilder("{\"bars\":{");
        foreach (var (group, index) in page.GroupBy(b => b.Symbol).Select((g, i) => (g, i)))
        {
            json.Append(index == 0 ? string.Empty : ",").Append(JsonSerializer.Serialize(group.Key)).Append(":[");
            json.AppendJoin(',', group.Select(b => b.Json)).Append(']');
        }

        return json.Append("},\"next_page_token\":").Append(TokenJson(offset + page.Count, matching.Count)).Append(",\"currency\":\"USD\"}").ToString();
    }

    private static string Latest(string name, Dictionary<string, string> table, Dictionary<string, string> query)
    {
        var parts = SplitSymbols(query.GetValueOrDefault("symbols"))
            .Where(table.ContainsKey)
            .Select(s => JsonSerializer.Serialize(s) + ":" + table[s]);
        return "{\"" + name + "\":{" + string.Join(',', parts) + "}}";
    }

    private string News(Dictionary<string, string> query)
    {
        var symbols = SplitSymbols(query.GetValueOrDefault("symbols"));
        var start = ParseTime(query.GetValueOrDefault("start"));
        var end = ParseTime(query.GetValueOrDefault("end"));
        var matching = _news
            .Where(n => symbols.Length == 0 || n.Symbols.Any(s => symbols.Contains(s, StringComparer.Ordinal)))
            .Where(n => (start is null || n.CreatedAt >= start) && (end is null || n.CreatedAt <= end))
            .OrderByDescending(n => n.CreatedAt)
            .ToList();
        var offset = Offset(query.GetValueOrDefault("page_token"));
        var size = Math.Min(PageSize, ParseInt(query.GetValueOrDefault("limit"), 10));
        var page = matching.Skip(offset).Take(size).ToList();
        return "{\"news\":[" + string.Join(',', page.Select(n => n.Json)) + "],\"next_page_token\":" + TokenJson(offset + page.Count, matching.Count) + "}";
    }
}
