using System.Globalization;
using SentryBrain.Market.Alpaca;

namespace SentryBrain.Execution.Alpaca;

/// <summary>
/// <c>brain paper-order</c>: one paper BUY to verify the Alpaca connection. A DAY limit 5 bps above the latest ask
/// (marketable, bounded), or a market order when no quote is available; then waits briefly for its status.
/// It is a paper-trading smoke test: it never sends anything to the live endpoint, whatever <c>ALPACA_LIVE</c> says.
/// Exit 0 when Alpaca accepted the order, 1 with one clear line otherwise.
/// </summary>
public static class PaperOrder
{
    private static readonly string[] AcceptedStatuses = ["new", "accepted", "pending_new", "partially_filled", "filled", "done_for_day"];

    public static async Task<int> RunAsync(
        IReadOnlyDictionary<string, string> env,
        string symbol,
        decimal qty,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken = default)
    {
        // Checked before anything else (keys, the ALPACA_LIVE opt-in of AlpacaOptions): no setting makes this command
        // send to the live host, so no message may suggest one.
        if (env.TryGetValue("APCA_API_BASE_URL", out var baseUrl) && !Config.Urls.HasUserInfo(baseUrl)
            && Uri.TryCreate(baseUrl.Trim(), UriKind.Absolute, out var parsedBase) && AlpacaOptions.IsLiveHost(parsedBase))
        {
            await error.WriteLineAsync(
                "paper-order: APCA_API_BASE_URL points at LIVE trading (api.alpaca.markets), and paper-order never sends orders to the live host, "
                + "with or without ALPACA_LIVE; unset APCA_API_BASE_URL or set it to https://paper-api.alpaca.markets.").ConfigureAwait(false);
            return 1;
        }

        if (AlpacaOptions.UserInfoProblem("ALPACA_DATA_BASE_URL", env.GetValueOrDefault("ALPACA_DATA_BASE_URL")) is { } dataProblem)
        {
            await error.WriteLineAsync("paper-order: " + dataProblem).ConfigureAwait(false);
            return 1;
        }

        AlpacaOptions options;
        try
        {
            options = AlpacaOptions.FromConfig(env, TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException ex)
        {
            await error.WriteLineAsync("paper-order: " + ex.Message).ConfigureAwait(false);
            return 1;
        }

        symbol = symbol.Trim().ToUpperInvariant();
        var limit = await LatestAskAsync(env, options, symbol, cancellationToken).ConfigureAwait(false) is { } ask
            ? Math.Ceiling(ask * 1.0005m * 100) / 100
            : (decimal?)null;
        var clientOrderId = string.Create(CultureInfo.InvariantCulture, $"sb-paper-order-{DateTime.UtcNow:yyyyMMddTHHmmssfff}-{symbol}");
        var request = new AlpacaOrderRequest(clientOrderId, symbol, qty, "buy", limit is null ? "market" : "limit", "day", LimitPrice: limit);

        using var client = new AlpacaTradingClient(options);
        using var limiter = new RequestRateLimiter();
        var submitter = new IdempotentOrderSubmitter(client, new InMemoryOrderIntentStore(), limiter, new ReadRetryPolicy());
        try
        {
            var order = await submitter.SubmitAsync(request, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < 10 && order.Status is "pending_new" or "accepted"; i++)
            {
                await Task.Delay(300, cancellationToken).ConfigureAwait(false);
                order = await client.GetOrderAsync(order.Id, cancellationToken).ConfigureAwait(false) ?? order;
            }

            var price = order.LimitPrice is { } lp ? " limit " + lp.ToString(CultureInfo.InvariantCulture) : " market";
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{order.Status}: BUY {qty} {symbol}{price} (client_order_id {order.ClientOrderId}, id {order.Id}) at {Config.Urls.Redact(options.TradingBaseUrl.ToString())}")).ConfigureAwait(false);
            if (AcceptedStatuses.Contains(order.Status))
            {
                return 0;
            }

            await error.WriteLineAsync($"paper-order: Alpaca did not accept the order (status {order.Status}).").ConfigureAwait(false);
            return 1;
        }
        catch (AlpacaApiException ex)
        {
            var why = ex.StatusCode switch
            {
                401 or 403 => "Alpaca refused the keys or the order (" + ex.StatusCode + "): " + ex.Message,
                null => "could not reach Alpaca at " + Config.Urls.Redact(options.TradingBaseUrl.ToString()) + ": " + ex.Message,
                _ => "Alpaca answered " + ex.StatusCode + ": " + ex.Message,
            };
            await error.WriteLineAsync("paper-order: " + why).ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The latest ask from the data API, or null (no quote, no data access, network failure).</summary>
    private static async Task<decimal?> LatestAskAsync(IReadOnlyDictionary<string, string> env, AlpacaOptions options, string symbol, CancellationToken cancellationToken)
    {
        var dataUrl = env.TryGetValue("ALPACA_DATA_BASE_URL", out var raw) && Uri.TryCreate(raw, UriKind.Absolute, out var parsed)
            ? parsed
            : new Uri("https://data.alpaca.markets");
        var feed = env.TryGetValue("ALPACA_DATA_FEED", out var f) && f is "sip" or "iex" ? f : "iex";
        try
        {
            using var data = new AlpacaDataClient(new AlpacaDataOptions(options.KeyId, options.SecretKey, dataUrl, feed, TimeSpan.FromSeconds(5), MaxRetries: 0));
            var quotes = await data.GetLatestQuotesAsync([symbol], cancellationToken).ConfigureAwait(false);
            return quotes.TryGetValue(symbol, out var q) && q.AskPrice > 0 ? (decimal)q.AskPrice : null;
        }
        catch (AlpacaApiException)
        {
            return null; // no quote: a market order instead
        }
    }
}
