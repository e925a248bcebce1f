using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using SentryBrain.Execution.Alpaca;

namespace SentryBrain.Market.Alpaca;

/// <summary>
/// Settings of the Alpaca market-data client. <paramref name="Feed"/> is <c>iex</c> (free plan) or <c>sip</c>;
/// <paramref name="Timeout"/> is per HTTP attempt (null: 30 s); <paramref name="MaxRetries"/> is how many times an
/// idempotent GET is repeated after 408, 425, 429, 5xx, a timeout or a network failure (<see cref="ReadRetryPolicy"/>). <see cref="ToString"/> never prints
/// the key or the secret.
/// </summary>
public sealed record AlpacaDataOptions(
    string KeyId,
    string SecretKey,
    Uri DataBaseUrl,
    string Feed = "iex",
    TimeSpan? Timeout = null,
    int MaxRetries = 2)
{
    /// <summary>Alpaca's market-data host (the same for paper and live accounts).</summary>
    public static readonly Uri DefaultDataBaseUrl = new("https://data.alpaca.markets/");

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"KeyId = ***, SecretKey = ***, DataBaseUrl = {Config.Urls.Redact(DataBaseUrl.ToString())}, Feed = {Feed}, ");
        builder.Append(CultureInfo.InvariantCulture, $"Timeout = {Timeout?.ToString() ?? "default"}, MaxRetries = {MaxRetries}");
        return true;
    }
}

/// <summary>One bar (<c>StockBar</c>): start time in UTC, OHLC, volume, trade count and VWAP.</summary>
public readonly record struct AlpacaBar(
    DateTime TimestampUtc,
    double Open,
    double High,
    double Low,
    double Close,
    double Volume,
    long TradeCount,
    double Vwap);

/// <summary>Latest NBBO quote (<c>StockQuote</c>). A price of 0 means no active bid/ask.</summary>
public sealed record AlpacaQuote(
    DateTime TimestampUtc,
    double BidPrice,
    double BidSize,
    string BidExchange,
    double AskPrice,
    double AskSize,
    string AskExchange,
    IReadOnlyList<string> Conditions,
    string Tape);

/// <summary>Latest trade (<c>StockTrade</c>).</summary>
public sealed record AlpacaTrade(
    DateTime TimestampUtc,
    double Price,
    double Size,
    string Exchange,
    long Id,
    IReadOnlyList<string> Conditions,
    string Tape);

/// <summary>A news article (<c>/v1beta1/news</c>), without its HTML content.</summary>
public sealed record AlpacaNewsArticle(
    long Id,
    string Headline,
    string Summary,
    string Author,
    string Source,
    DateTime CreatedAtUtc,
    DateTime UpdatedAtUtc,
    string? Url,
    IReadOnlyList<string> Symbols);

/// <summary>The historical-bars call, behind an interface so the bar cache can be tested without HTTP.</summary>
public interface IAlpacaBarsApi
{
    /// <summary>The data feed every request uses (<c>iex</c>, <c>sip</c>, …); part of the cache key.</summary>
    string Feed { get; }

    /// <summary>
    /// Bars of every symbol in [<paramref name="startUtc"/>, <paramref name="endUtc"/>], oldest first. Every requested
    /// symbol is a key of the result (empty list when Alpaca has no bars for it).
    /// </summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<AlpacaBar>>> GetBarsAsync(
        IReadOnlyList<string> symbols,
        string timeframe,
        DateTime startUtc,
        DateTime endUtc,
        string adjustment = "raw",
        CancellationToken cancellationToken = default);
}

/// <summary>
/// REST client of Alpaca's market-data API (<c>data.alpaca.markets</c>): historical bars, latest quotes and trades,
/// news. Every paginated call follows <c>next_page_token</c> until it is null. Failures become
/// <see cref="AlpacaApiException"/> whose message never contains the key id or the secret (server text is scrubbed
/// too). Symbols are trimmed and upper-cased; result dictionaries are case-insensitive. Thread-safe.
/// </summary>
/// <remarks>
/// Every HTTP attempt first takes a <see cref="RequestPriority.Data"/> token from a <see cref="RequestRateLimiter"/>
/// and reports the answer's <c>X-Ratelimit-*</c> headers and a 429's <c>Retry-After</c> back to it. Pass the trading
/// side's limiter to share one per-account bucket (then a data 429 also holds trading requests until Retry-After);
/// without one the client keeps its own bucket. Retries are the shared <see cref="ReadRetryPolicy"/> (every call here
/// is a GET): <see cref="AlpacaDataOptions.MaxRetries"/> retries after 408/425/429/5xx, timeouts and network
/// failures, capped jittered back-off, a Retry-After honoured exactly.
/// </remarks>
public sealed class AlpacaDataClient : IAlpacaBarsApi, IDisposable
{
    /// <summary>Bars asked per page (Alpaca's maximum).</summary>
    public const int BarsPageLimit = 10_000;

    /// <summary>News articles asked per page (Alpaca's maximum).</summary>
    public const int NewsPageLimit = 50;

    /// <summary>A runaway pagination (a server repeating tokens) stops here with an error.</summary>
    public const int MaxPages = 10_000;

    private readonly AlpacaDataOptions _options;
    private readonly HttpClient _http;
    private readonly RequestRateLimiter _limiter;
    private readonly bool _ownsLimiter;
    private readonly ReadRetryPolicy _retry;
    private readonly TimeProvider _time;

    /// <param name="options">Keys, host, feed, per-attempt timeout and retry count.</param>
    /// <param name="handler">Optional handler (tests); the caller keeps ownership of it.</param>
    /// <param name="limiter">A limiter shared with other clients of the same account; the caller keeps ownership. Null: a private 200/min bucket.</param>
    /// <param name="timeProvider">Clock of the retry back-off and of the private limiter (a fake one in tests).</param>
    public AlpacaDataClient(
        AlpacaDataOptions options,
        HttpMessageHandler? handler = null,
        RequestRateLimiter? limiter = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeyId, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.SecretKey, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Feed, nameof(options));
        ArgumentNullException.ThrowIfNull(options.DataBaseUrl, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options));
        if (!options.DataBaseUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("DataBaseUrl must be an absolute URI.", nameof(options));
        }

        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _retry = new ReadRetryPolicy(options.MaxRetries + 1, _time);
        _ownsLimiter = limiter is null;
        _limiter = limiter ?? new RequestRateLimiter(RequestRateLimiter.DefaultRequestsPerMinute, _time);
        var baseText = options.DataBaseUrl.AbsoluteUri;
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = new Uri(baseText.EndsWith('/') ? baseText : baseText + "/");
        _http.Timeout = options.Timeout ?? AlpacaDataOptions.DefaultTimeout;
        _http.DefaultRequestHeaders.Add("APCA-API-KEY-ID", options.KeyId);
        _http.DefaultRequestHeaders.Add("APCA-API-SECRET-KEY", options.SecretKey);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public string Feed => _options.Feed;

    /// <inheritdoc/>
    /// <remarks>
    /// <c>GET /v2/stocks/bars</c> with <c>symbols</c>, <c>timeframe</c> (<c>1Min</c>, <c>1Hour</c>, <c>1Day</c>…),
    /// RFC 3339 <c>start</c>/<c>end</c>, <c>limit</c>, <c>adjustment</c> (<c>raw|split|dividend|all</c>), the
    /// client's <c>feed</c> and <c>sort=asc</c>. A symbol's bars may continue on the next page: they are appended
    /// in page order.
    /// </remarks>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<AlpacaBar>>> GetBarsAsync(
        IReadOnlyList<string> symbols,
        string timeframe,
        DateTime startUtc,
        DateTime endUtc,
        string adjustment = "raw",
        CancellationToken cancellationToken = default)
    {
        var list = NormalizeSymbols(symbols, allowEmpty: false);
        ArgumentException.ThrowIfNullOrWhiteSpace(timeframe);
        ArgumentException.ThrowIfNullOrWhiteSpace(adjustment);
        CheckRange(startUtc, endUtc);

        var result = new Dictionary<string, List<AlpacaBar>>(StringComparer.OrdinalIgnoreCase);
        foreach (var symbol in list)
        {
            result[symbol] = [];
        }

        string? token = null;
        var pages = 0;
        do
        {
            var query = new Query()
                .Add("symbols", JoinSymbols(list))
                .Add("timeframe", timeframe.Trim())
                .Add("start", FormatRfc3339(startUtc))
                .Add("end", FormatRfc3339(endUtc))
                .Add("limit", BarsPageLimit.ToString(CultureInfo.InvariantCulture))
                .Add("adjustment", adjustment.Trim())
                .Add("feed", _options.Feed)
                .Add("sort", "asc")
                .Add("page_token", token);
            var page = await GetAsync("v2/stocks/bars", query, AlpacaJsonData.Default.BarsPageJson, cancellationToken)
                .ConfigureAwait(false);
            foreach (var (symbol, bars) in page.Bars ?? [])
            {
                if (bars is null)
                {
                    continue;
                }

                if (!result.TryGetValue(symbol, out var accumulated))
                {
                    accumulated = [];
                    result[symbol] = accumulated;
                }

                accumulated.AddRange(bars.Select(b => b.ToBar()));
            }

            token = NextToken("v2/stocks/bars", token, page.NextPageToken, ++pages);
        }
        while (token is not null);

        return result.ToDictionary(
            kv => kv.Key,
            kv => (IReadOnlyList<AlpacaBar>)kv.Value.ToArray(),
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary><c>GET /v2/stocks/quotes/latest</c> on the client's feed; symbols without a quote are absent.</summary>
    public async Task<IReadOnlyDictionary<string, AlpacaQuote>> GetLatestQuotesAsync(
        IReadOnlyList<string> symbols,
        CancellationToken cancellationToken = default)
    {
        var list = NormalizeSymbols(symbols, allowEmpty: false);
        var query = new Query().Add("symbols", JoinSymbols(list)).Add("feed", _options.Feed);
        var page = await GetAsync("v2/stocks/quotes/latest", query, AlpacaJsonData.Default.LatestQuotesJson, cancellationToken)
            .ConfigureAwait(false);
        var result = new Dictionary<string, AlpacaQuote>(StringComparer.OrdinalIgnoreCase);
        foreach (var (symbol, quote) in page.Quotes ?? [])
        {
            if (quote is not null)
            {
                result[symbol] = quote.ToQuote();
            }
        }

        return result;
    }

    /// <summary><c>GET /v2/stocks/trades/latest</c> on the client's feed; symbols without a trade are absent.</summary>
    public async Task<IReadOnlyDictionary<string, AlpacaTrade>> GetLatestTradesAsync(
        IReadOnlyList<string> symbols,
        CancellationToken cancellationToken = default)
    {
        var list = NormalizeSymbols(symbols, allowEmpty: false);
        var query = new Query().Add("symbols", JoinSymbols(list)).Add("feed", _options.Feed);
        var page = await GetAsync("v2/stocks/trades/latest", query, AlpacaJsonData.Default.LatestTradesJson, cancellationToken)
            .ConfigureAwait(false);
        var result = new Dictionary<string, AlpacaTrade>(StringComparer.OrdinalIgnoreCase);
        foreach (var (symbol, trade) in page.Trades ?? [])
        {
            if (trade is not null)
            {
                result[symbol] = trade.ToTrade();
            }
        }

        return result;
    }

    /// <summary>
    /// <c>GET /v1beta1/news</c>: up to <paramref name="limit"/> articles in [start, end], newest first
    /// (<c>sort=desc</c>), following <c>next_page_token</c> (at most <see cref="NewsPageLimit"/> per page). An empty
    /// symbol list means news of every symbol.
    /// </summary>
    public async Task<IReadOnlyList<AlpacaNewsArticle>> GetNewsAsync(
        IReadOnlyList<string> symbols,
        DateTime startUtc,
        DateTime endUtc,
        int limit = NewsPageLimit,
        CancellationToken cancellationToken = default)
    {
        var list = NormalizeSymbols(symbols, allowEmpty: true);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        CheckRange(startUtc, endUtc);

        var result = new List<AlpacaNewsArticle>();
        string? token = null;
        var pages = 0;
        do
        {
            var pageSize = Math.Min(limit - result.Count, NewsPageLimit);
            var query = new Query()
                .Add("symbols", list.Count == 0 ? null : JoinSymbols(list))
                .Add("start", FormatRfc3339(startUtc))
                .Add("end", FormatRfc3339(endUtc))
                .Add("sort", "desc")
                .Add("limit", pageSize.ToString(CultureInfo.InvariantCulture))
                .Add("page_token", token);
            var page = await GetAsync("v1beta1/news", query, AlpacaJsonData.Default.NewsPageJson, cancellationToken)
                .ConfigureAwait(false);
            foreach (var article in page.News ?? [])
            {
                if (article is not null && result.Count < limit)
                {
                    result.Add(article.ToArticle());
                }
            }

            token = result.Count >= limit ? null : NextToken("v1beta1/news", token, page.NextPageToken, ++pages);
        }
        while (token is not null);

        return result;
    }

    public void Dispose()
    {
        _http.Dispose();
        if (_ownsLimiter)
        {
            _limiter.Dispose();
        }
    }

    /// <summary>RFC 3339 in UTC (<c>2024-03-01T14:30:00Z</c>, fraction only when non-zero); Unspecified kind is taken as UTC.</summary>
    internal static string FormatRfc3339(DateTime time)
    {
        var utc = time.Kind switch
        {
            DateTimeKind.Local => time.ToUniversalTime(),
            _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        };
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
    }

    internal static List<string> NormalizeSymbols(IReadOnlyList<string> symbols, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var list = new List<string>(symbols.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in symbols)
        {
            if (string.IsNullOrWhiteSpace(raw))
            {
                throw new ArgumentException("Symbols must not be blank.", nameof(symbols));
            }

            var symbol = raw.Trim().ToUpperInvariant();
            if (seen.Add(symbol))
            {
                list.Add(symbol);
            }
        }

        if (list.Count == 0 && !allowEmpty)
        {
            throw new ArgumentException("At least one symbol is required.", nameof(symbols));
        }

        return list;
    }

    private static string JoinSymbols(List<string> symbols) => string.Join(',', symbols.Select(Uri.EscapeDataString));

    private static void CheckRange(DateTime startUtc, DateTime endUtc)
    {
        if (endUtc < startUtc)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"End {FormatRfc3339(endUtc)} is before start {FormatRfc3339(startUtc)}."),
                nameof(endUtc));
        }
    }

    private static string? NextToken(string path, string? previous, string? next, int pages)
    {
        if (string.IsNullOrEmpty(next))
        {
            return null;
        }

        if (next == previous || pages >= MaxPages)
        {
            throw new AlpacaApiException(200, null, $"Alpaca data GET /{path}: pagination does not end (next_page_token repeats or too many pages).");
        }

        return next;
    }

    /// <summary>One GET through the retry policy; each attempt waits for a rate-limit token.</summary>
    private async Task<T> GetAsync<T>(string path, Query query, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        var relative = new Uri(path + query.ToString(), UriKind.Relative);
        return await _retry.ExecuteReadAsync(ct => SendOnceAsync(path, relative, typeInfo, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One HTTP attempt. Timeouts and network failures become a null-status <see cref="AlpacaApiException"/> and
    /// error answers one with their status (and Retry-After), so the policy can tell transient from final.
    /// </summary>
    private async ValueTask<T> SendOnceAsync<T>(string path, Uri relative, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        await _limiter.AcquireAsync(RequestPriority.Data, cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(relative, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AlpacaApiException(null, null, Scrub($"Alpaca data GET /{path} timed out after {_http.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s."), ex);
        }
        catch (HttpRequestException ex)
        {
            throw new AlpacaApiException(null, null, Scrub($"Alpaca data GET /{path} failed: {ex.Message}"), ex);
        }

        using (response)
        {
            // The server's word on the quota reaches the (possibly shared) bucket before anything else can fail.
            AlpacaHttp.ReportRateLimit(_limiter, response, _time);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Error(path, response.StatusCode, body, AlpacaHttp.RetryAfterOf(response, _time));
            }

            try
            {
                return JsonSerializer.Deserialize(body, typeInfo)
                    ?? throw new AlpacaApiException((int)response.StatusCode, null, $"Alpaca data GET /{path}: empty JSON body.");
            }
            catch (JsonException ex)
            {
                throw new AlpacaApiException((int)response.StatusCode, null, Scrub($"Alpaca data GET /{path}: invalid JSON ({ex.Message})"));
            }
        }
    }

    private AlpacaApiException Error(string path, HttpStatusCode status, string body, TimeSpan? retryAfter)
    {
        int? code = null;
        string? message = null;
        try
        {
            var error = JsonSerializer.Deserialize(body, AlpacaJsonData.Default.ErrorJson);
            code = error?.Code;
            message = error?.Message;
        }
        catch (JsonException)
        {
            // Not Alpaca's {"code","message"}: fall back to the start of the text below.
        }

        if (string.IsNullOrWhiteSpace(message))
        {
            var text = body.Trim();
            message = text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
        }

        var hint = status == HttpStatusCode.Forbidden && _options.Feed != "iex"
            ? " (a free plan needs feed=iex, or SIP data ending at least 15 minutes ago)"
            : string.Empty;
        var codeText = code is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" (code {code})");
        var text2 = string.Create(
            CultureInfo.InvariantCulture,
            $"Alpaca data GET /{path} failed: HTTP {(int)status} {status}: {message}{codeText}{hint}");
        return new AlpacaApiException((int)status, code, Scrub(text2)) { RetryAfter = retryAfter };
    }

    /// <summary>Removes the key id and the secret from any text that may leave this class.</summary>
    private string Scrub(string text) => AlpacaHttp.Redact(text, _options.KeyId, _options.SecretKey);

    /// <summary>A query string built with invariant, escaped values; null values are left out.</summary>
    private sealed class Query
    {
        private readonly StringBuilder _text = new();

        public Query Add(string name, string? value)
        {
            if (value is null)
            {
                return this;
            }

            _text.Append(_text.Length == 0 ? '?' : '&').Append(name).Append('=');
            // Symbols arrive escaped and comma-joined: keep their commas readable.
            _text.Append(name == "symbols" ? value : Uri.EscapeDataString(value));
            return this;
        }

        public override string ToString() => _text.ToString();
    }
}

internal sealed class BarJson
{
    [JsonPropertyName("t")]
    [JsonRequired]
    public DateTimeOffset T { get; set; }

    [JsonPropertyName("o")]
    [JsonRequired]
    public double O { get; set; }

    [JsonPropertyName("h")]
    [JsonRequired]
    public double H { get; set; }

    [JsonPropertyName("l")]
    [JsonRequired]
    public double L { get; set; }

    [JsonPropertyName("c")]
    [JsonRequired]
    public double C { get; set; }

    [JsonPropertyName("v")]
    public double V { get; set; }

    [JsonPropertyName("n")]
    public long N { get; set; }

    [JsonPropertyName("vw")]
    public double Vw { get; set; }

    public AlpacaBar ToBar() => new(T.UtcDateTime, O, H, L, C, V, N, Vw);
}

internal sealed class BarsPageJson
{
    [JsonPropertyName("bars")]
    public Dictionary<string, List<BarJson>?>? Bars { get; set; }

    [JsonPropertyName("next_page_token")]
    public string? NextPageToken { get; set; }
}

internal sealed class QuoteJson
{
    [JsonPropertyName("t")]
    [JsonRequired]
    public DateTimeOffset T { get; set; }

    [JsonPropertyName("ap")]
    public double Ap { get; set; }

    [JsonPropertyName("as")]
    public double As { get; set; }

    [JsonPropertyName("ax")]
    public string? Ax { get; set; }

    [JsonPropertyName("bp")]
    public double Bp { get; set; }

    [JsonPropertyName("bs")]
    public double Bs { get; set; }

    [JsonPropertyName("bx")]
    public string? Bx { get; set; }

    [JsonPropertyName("c")]
    public List<string>? C { get; set; }

    [JsonPropertyName("z")]
    public string? Z { get; set; }

    public AlpacaQuote ToQuote() => new(T.UtcDateTime, Bp, Bs, Bx ?? string.Empty, Ap, As, Ax ?? string.Empty, C?.ToArray() ?? [], Z ?? string.Empty);
}

internal sealed class LatestQuotesJson
{
    [JsonPropertyName("quotes")]
    public Dictionary<string, QuoteJson?>? Quotes { get; set; }
}

internal sealed class TradeJson
{
    [JsonPropertyName("t")]
    [JsonRequired]
    public DateTimeOffset T { get; set; }

    [JsonPropertyName("p")]
    [JsonRequired]
    public double P { get; set; }

    [JsonPropertyName("s")]
    public double S { get; set; }

    [JsonPropertyName("x")]
    public string? X { get; set; }

    [JsonPropertyName("i")]
    public long I { get; set; }

    [JsonPropertyName("c")]
    public List<string>? C { get; set; }

    [JsonPropertyName("z")]
    public string? Z { get; set; }

    public AlpacaTrade ToTrade() => new(T.UtcDateTime, P, S, X ?? string.Empty, I, C?.ToArray() ?? [], Z ?? string.Empty);
}

internal sealed class LatestTradesJson
{
    [JsonPropertyName("trades")]
    public Dictionary<string, TradeJson?>? Trades { get; set; }
}

internal sealed class NewsJson
{
    [JsonPropertyName("id")]
    public long Id { get; set; }

    [JsonPropertyName("headline")]
    public string? Headline { get; set; }

    [JsonPropertyName("summary")]
    public string? Summary { get; set; }

    [JsonPropertyName("author")]
    public string? Author { get; set; }

    [JsonPropertyName("source")]
    public string? Source { get; set; }

    [JsonPropertyName("created_at")]
    public DateTimeOffset CreatedAt { get; set; }

    [JsonPropertyName("updated_at")]
    public DateTimeOffset UpdatedAt { get; set; }

    [JsonPropertyName("url")]
    public string? Url { get; set; }

    [JsonPropertyName("symbols")]
    public List<string>? Symbols { get; set; }

    public AlpacaNewsArticle ToArticle() => new(
        Id,
        Headline ?? string.Empty,
        Summary ?? string.Empty,
        Author ?? string.Empty,
        Source ?? string.Empty,
        CreatedAt.UtcDateTime,
        UpdatedAt.UtcDateTime,
        string.IsNullOrEmpty(Url) ? null : Url,
        Symbols?.ToArray() ?? []);
}

internal sealed class NewsPageJson
{
    [JsonPropertyName("news")]
    public List<NewsJson?>? News { get; set; }

    [JsonPropertyName("next_page_token")]
    public string? NextPageToken { get; set; }
}

internal sealed class ErrorJson
{
    [JsonPropertyName("code")]
    public int? Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

/// <summary>Source-generated JSON metadata of the market-data responses (numbers may also arrive as strings).</summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(BarsPageJson))]
[JsonSerializable(typeof(LatestQuotesJson))]
[JsonSerializable(typeof(LatestTradesJson))]
[JsonSerializable(typeof(NewsPageJson))]
[JsonSerializable(typeof(ErrorJson))]
internal sealed partial class AlpacaJsonData : JsonSerializerContext;
