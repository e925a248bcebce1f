using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// Typed client for Alpaca's trading REST API. One call is exactly one HTTP request: no retries here (POSTs must never
/// be resent blindly; reconcile by <c>client_order_id</c>). Non-2xx answers become <see cref="AlpacaApiException"/>
/// with the status and Alpaca's error code; timeouts, connection failures and unreadable 2xx bodies become an
/// <see cref="AlpacaApiException"/> with a null status (<see cref="AlpacaApiException.OutcomeUnknown"/>).
/// Cancelling the caller's token throws <see cref="OperationCanceledException"/> as usual.
/// No message ever contains the key or the secret.
/// </summary>
public sealed class AlpacaTradingClient : IAlpacaOrderApi, IDisposable
{
    private const string KeyHeader = "APCA-API-KEY-ID";
    private const string SecretHeader = "APCA-API-SECRET-KEY";
    private const int MaxErrorTextLength = 300;

    private readonly AlpacaOptions _options;
    private readonly HttpClient _http;
    private readonly string _baseUrl;

    /// <param name="options">Keys, base URL and the per-request timeout.</param>
    /// <param name="handler">Optional handler (tests); the caller keeps ownership of it.</param>
    /// <param name="limiter">The account's rate limiter, fed with every response's rate-limit headers (optional).</param>
    public AlpacaTradingClient(AlpacaOptions options, HttpMessageHandler? handler = null, RequestRateLimiter? limiter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeyId, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.SecretKey, nameof(options));
        ArgumentNullException.ThrowIfNull(options.TradingBaseUrl, nameof(options));
        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Timeout must be positive.");
        }

        _options = options;
        _baseUrl = options.TradingBaseUrl.AbsoluteUri.TrimEnd('/');
        HttpMessageHandler inner = handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var ownsInner = handler is null;
        if (limiter is not null)
        {
            inner = new RateLimitFeedbackHandler(limiter) { InnerHandler = inner };
        }

        _http = new HttpClient(inner, disposeHandler: ownsInner);
        _http.Timeout = Timeout.InfiniteTimeSpan; // the per-request timeout is ours, so it can be told apart from cancellation
    }

    /// <summary><c>GET /v2/account</c>.</summary>
    public async Task<AlpacaAccount> GetAccountAsync(CancellationToken cancellationToken) =>
        await SendRequiredAsync(HttpMethod.Get, "/v2/account", null, AlpacaJsonContext.Default.AlpacaAccount, cancellationToken);

    /// <summary><c>POST /v2/orders</c>. A null-status exception means the order may or may not exist: look it up by client_order_id.</summary>
    public async Task<AlpacaOrder> SubmitOrderAsync(AlpacaOrderRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.Serialize(AlpacaOrderRequestWire.From(request), AlpacaJsonContext.Default.AlpacaOrderRequestWire);
        return await SendRequiredAsync(HttpMethod.Post, "/v2/orders", body, AlpacaJsonContext.Default.AlpacaOrder, cancellationToken);
    }

    /// <summary><c>GET /v2/orders/{id}</c>; null when Alpaca has no such order (404).</summary>
    public Task<AlpacaOrder?> GetOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        return SendAsync(HttpMethod.Get, "/v2/orders/" + Uri.EscapeDataString(orderId), null, AlpacaJsonContext.Default.AlpacaOrder, true, cancellationToken);
    }

    /// <summary><c>GET /v2/orders:by_client_order_id</c>; null when Alpaca has no such order (404).</summary>
    public Task<AlpacaOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientOrderId);
        var path = "/v2/orders:by_client_order_id?client_order_id=" + Uri.EscapeDataString(clientOrderId);
        return SendAsync(HttpMethod.Get, path, null, AlpacaJsonContext.Default.AlpacaOrder, true, cancellationToken);
    }

    /// <summary><c>GET /v2/orders?status=open&amp;limit=500</c>.</summary>
    public async Task<IReadOnlyList<AlpacaOrder>> ListOpenOrdersAsync(CancellationToken cancellationToken) =>
        await SendRequiredAsync(HttpMethod.Get, "/v2/orders?status=open&limit=500", null, AlpacaJsonContext.Default.ListAlpacaOrder, cancellationToken);

    /// <summary><c>DELETE /v2/orders/{id}</c>. 422 (not cancelable, e.g. already filled) throws.</summary>
    public Task CancelOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        return SendAsync<object>(HttpMethod.Delete, "/v2/orders/" + Uri.EscapeDataString(orderId), null, null, false, cancellationToken);
    }

    /// <summary><c>DELETE /v2/orders</c>: per-order results (HTTP status of each cancel).</summary>
    public async Task<IReadOnlyList<AlpacaCancelResult>> CancelAllOrdersAsync(CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Delete, "/v2/orders", null, AlpacaJsonContext.Default.ListAlpacaCancelResult, false, cancellationToken)
        ?? [];

    /// <summary><c>GET /v2/positions</c>.</summary>
    public async Task<IReadOnlyList<AlpacaPosition>> ListPositionsAsync(CancellationToken cancellationToken) =>
        await SendRequiredAsync(HttpMethod.Get, "/v2/positions", null, AlpacaJsonContext.Default.ListAlpacaPosition, cancellationToken);

    /// <summary><c>DELETE /v2/positions/{symbol}</c>: closes by market order and returns that order. 403 while bracket legs hold the shares.</summary>
    public async Task<AlpacaOrder> ClosePositionAsync(string symbol, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        return await SendRequiredAsync(HttpMethod.Delete, "/v2/positions/" + Uri.EscapeDataString(symbol), null, AlpacaJsonContext.Default.AlpacaOrder, cancellationToken);
    }

    /// <summary><c>GET /v2/clock</c>.</summary>
    public async Task<AlpacaClock> GetClockAsync(CancellationToken cancellationToken) =>
        await SendRequiredAsync(HttpMethod.Get, "/v2/clock", null, AlpacaJsonContext.Default.AlpacaClock, cancellationToken);

    /// <summary><c>GET /v2/calendar?start=&amp;end=</c> (inclusive dates).</summary>
    public async Task<IReadOnlyList<AlpacaCalendarDay>> GetCalendarAsync(DateOnly start, DateOnly end, CancellationToken cancellationToken)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"/v2/calendar?start={start:yyyy-MM-dd}&end={end:yyyy-MM-dd}");
        return await SendRequiredAsync(HttpMethod.Get, path, null, AlpacaJsonContext.Default.ListAlpacaCalendarDay, cancellationToken);
    }

    /// <summary><c>GET /v2/assets?status=active&amp;asset_class=us_equity</c>: every active US equity (one call, no paging).</summary>
    public async Task<IReadOnlyList<AlpacaAsset>> ListActiveEquitiesAsync(CancellationToken cancellationToken) =>
        await SendRequiredAsync(HttpMethod.Get, "/v2/assets?status=active&asset_class=us_equity", null, AlpacaJsonContext.Default.ListAlpacaAsset, cancellationToken);

    /// <summary><c>GET /v2/assets/{symbol}</c>; null when Alpaca does not know the symbol (404).</summary>
    public Task<AlpacaAsset?> GetAssetAsync(string symbol, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        return SendAsync(HttpMethod.Get, "/v2/assets/" + Uri.EscapeDataString(symbol), null, AlpacaJsonContext.Default.AlpacaAsset, true, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Like <see cref="SendAsync{T}"/> but an empty 2xx body is an error (outcome unknown).</summary>
    private async Task<T> SendRequiredAsync<T>(
        HttpMethod method,
        string pathAndQuery,
        string? jsonBody,
        JsonTypeInfo<T> type,
        CancellationToken cancellationToken)
        where T : class =>
        await SendAsync(method, pathAndQuery, jsonBody, type, false, cancellationToken)
        ?? throw new AlpacaApiException(null, null, $"Alpaca {method.Method} {pathAndQuery}: empty response body (outcome unknown).");

    /// <summary>
    /// Sends one request. Returns null for 204, an empty body, a null <paramref name="type"/> (body ignored) or, when
    /// <paramref name="notFoundIsNull"/>, a 404.
    /// </summary>
    private async Task<T?> SendAsync<T>(
        HttpMethod method,
        string pathAndQuery,
        string? jsonBody,
        JsonTypeInfo<T>? type,
        bool notFoundIsNull,
        CancellationToken cancellationToken)
        where T : class
    {
        var what = method.Method + " " + pathAndQuery;
        using var request = new HttpRequestMessage(method, new Uri(_baseUrl + pathAndQuery, UriKind.Absolute));
        request.Headers.TryAddWithoutValidation(KeyHeader, _options.KeyId);
        request.Headers.TryAddWithoutValidation(SecretHeader, _options.SecretKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await ToApiExceptionAsync(what, response, timeout.Token);
            }

            if (type is null || response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0)
            {
                return null;
            }

            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            T? result;
            try
            {
                result = await JsonSerializer.DeserializeAsync(stream, type, timeout.Token);
            }
            catch (JsonException ex)
            {
                throw new AlpacaApiException(null, null, $"Alpaca {what}: unreadable response body (outcome unknown).", Sanitize(ex));
            }

            return result;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var ms = (long)_options.Timeout.TotalMilliseconds;
            throw new AlpacaApiException(null, null, $"Alpaca {what} timed out after {ms} ms (outcome unknown).", Sanitize(ex));
        }
        catch (HttpRequestException ex)
        {
            var detail = ex.HttpRequestError == HttpRequestError.Unknown ? "connection dropped" : ex.HttpRequestError.ToString();
            throw new AlpacaApiException(null, null, $"Alpaca {what}: connection failed ({detail}; outcome unknown).", Sanitize(ex));
        }
        catch (IOException ex)
        {
            throw new AlpacaApiException(null, null, $"Alpaca {what}: connection failed while reading the response (outcome unknown).", Sanitize(ex));
        }
    }

    private async Task<AlpacaApiException> ToApiExceptionAsync(string what, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        int? code = null;
        string? message = null;
        try
        {
            var body = JsonSerializer.Deserialize(text, AlpacaJsonContext.Default.AlpacaErrorBody);
            code = body?.Code;
            message = body?.Message;
        }
        catch (JsonException)
        {
            // not JSON (proxy page, empty body): fall back to the raw text below
        }

        if (string.IsNullOrWhiteSpace(message))
        {
            message = string.IsNullOrWhiteSpace(text) ? response.ReasonPhrase ?? "no body" : text.Trim();
        }

        if (message.Length > MaxErrorTextLength)
        {
            message = message[..MaxErrorTextLength] + "…";
        }

        var codeText = code is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" (code {code})");
        var full = string.Create(CultureInfo.InvariantCulture, $"Alpaca {what} failed: HTTP {status}{codeText}: {Redact(message)}");
        return new AlpacaApiException(status, code, full) { RetryAfter = AlpacaHttp.RetryAfterOf(response) };
    }

    /// <summary>Keeps the original exception unless its text mentions the key or the secret; then replaces it by a redacted copy.</summary>
    private Exception Sanitize(Exception ex)
    {
        var text = ex.ToString();
        return Redact(text) == text ? ex : new HttpRequestException(Redact(ex.GetType().Name + ": " + ex.Message));
    }

    private string Redact(string text) => AlpacaHttp.Redact(text, _options.KeyId, _options.SecretKey);
}
