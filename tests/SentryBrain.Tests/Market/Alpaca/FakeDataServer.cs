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
}

/// <summary>
/// In-process fake of Alpaca's market-data REST API on 127.0.0.1 (random port): <c>/v2/stocks/bars</c>
/// (sorted by symbol then time, <see cref="PageSize"/> bars per page, <c>next_page_token</c>),
/// <c>/v2/stocks/quotes/latest</c>, <c>/v2/stocks/trades/latest</c> and <c>/v1beta1/news</c>. Data lives in in-memory
/// tables of raw JSON objects, so tests control the exact wire text. Every request is logged; a wrong or missing key
/// pair gets 401 like Alpaca.
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
        _requests.Enqueue(new FakeRequest(request.Path.Value ?? string.Empty, query, request.QueryString.Value ?? string.Empty));

        if (request.Headers["APCA-API-KEY-ID"] != KeyId || request.Headers["APCA-API-SECRET-KEY"] != SecretKey)
        {
            return Json(context, 401, """{"code":40110000,"message":"request is not authorized"}""");
        }

        foreach (var (name, value) in _headers)
        {
            context.Response.Headers[name] = value;
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

    private string Bars(Dictionary<string, string> query)
    {
        var symbols = SplitSymbols(query.GetValueOrDefault("symbols"));
        var start = ParseTime(query.GetValueOrDefault("start"));
        var end = ParseTime(query.GetValueOrDefault("end"));
        var matching = _bars
            .Where(b => symbols.Contains(b.Symbol, StringComparer.Ordinal))
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
