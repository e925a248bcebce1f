using System.Globalization;
using SentryBrain.Execution.Alpaca;

using SentryBrain.Tests.TestKit;

namespace SentryBrain.Tests.Execution.Alpaca;

public sealed class IdempotentOrderSubmitterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "order-intents-tests-" + Guid.NewGuid().ToString("N"));
    private readonly TimerTrackingTimeProvider _time = new();
    private readonly ScriptedAlpacaOrderApi _api = new();
    private readonly InMemoryOrderIntentStore _store = new();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Accepted_then_timeout_returns_the_accepted_order_after_one_post()
    {
        _api.Script(PostBehaviour.AcceptThenTimeout);
        var request = Request("brain-0001");

        var order = await NewSubmitter().SubmitAsync(request, CancellationToken.None);

        var only = Assert.Single(_api.Orders.Values);
        Assert.Equal(only, order);
        Assert.Equal(["brain-0001"], _api.Posts);
        Assert.Equal(["brain-0001"], _api.Lookups);
        Assert.Empty(_store.Unacknowledged());
        Assert.Equal(order, _store.AcknowledgedOrder("brain-0001"));
    }

    [Fact]
    public async Task Server_error_before_acceptance_posts_again_only_after_lookup_finds_nothing()
    {
        _api.Script(PostBehaviour.Fail500, PostBehaviour.Succeed);

        var order = await NewSubmitter().SubmitAsync(Request("brain-0002"), CancellationToken.None);

        Assert.Equal(order, Assert.Single(_api.Orders.Values));
        Assert.Equal(["brain-0002", "brain-0002"], _api.Posts);
        Assert.Equal(["brain-0002"], _api.Lookups);
        Assert.Empty(_store.Unacknowledged());
    }

    [Fact]
    public async Task Duplicate_client_order_id_returns_the_existing_order_without_a_second_post()
    {
        var existing = _api.Accept(Request("brain-0003"));
        _api.Script(PostBehaviour.Duplicate422);

        var order = await NewSubmitter().SubmitAsync(Request("brain-0003"), CancellationToken.None);

        Assert.Equal(existing, order);
        Assert.Single(_api.Orders);
        Assert.Equal(["brain-0003"], _api.Posts);
        Assert.Equal(["brain-0003"], _api.Lookups);
        Assert.Equal(existing, _store.AcknowledgedOrder("brain-0003"));
    }

    [Fact]
    public async Task Resubmitting_an_order_alpaca_already_has_returns_it_via_the_duplicate_answer()
    {
        var submitter = NewSubmitter();
        var first = await submitter.SubmitAsync(Request("brain-0004"), CancellationToken.None);

        var second = await submitter.SubmitAsync(Request("brain-0004"), CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Single(_api.Orders);
    }

    [Fact]
    public async Task Duplicate_answer_without_a_findable_order_is_rethrown()
    {
        _api.Script(PostBehaviour.Duplicate422);

        var error = await Assert.ThrowsAsync<AlpacaApiException>(
            () => NewSubmitter().SubmitAsync(Request("brain-0005"), CancellationToken.None));

        Assert.Equal(IdempotentOrderSubmitter.DuplicateClientOrderIdCode, error.Code);
        Assert.Single(_api.Posts);
    }

    [Fact]
    public async Task Insufficient_buying_power_throws_after_one_post_and_keeps_the_intent_unacknowledged()
    {
        _api.Script(PostBehaviour.Reject403);
        var request = Request("brain-0006");

        var error = await Assert.ThrowsAsync<AlpacaApiException>(
            () => NewSubmitter().SubmitAsync(request, CancellationToken.None));

        Assert.Equal(403, error.StatusCode);
        Assert.Equal(["brain-0006"], _api.Posts);
        Assert.Empty(_api.Lookups);
        Assert.Empty(_api.Orders);
        Assert.Equal([request], _store.Unacknowledged());
    }

    [Fact]
    public async Task Invalid_order_422_is_rethrown_without_retry()
    {
        _api.Script(PostBehaviour.Invalid422);

        var error = await Assert.ThrowsAsync<AlpacaApiException>(
            () => NewSubmitter().SubmitAsync(Request("brain-0007"), CancellationToken.None));

        Assert.Equal(422, error.StatusCode);
        Assert.Single(_api.Posts);
        Assert.Empty(_api.Lookups);
    }

    [Fact]
    public async Task Resends_stop_at_the_limit_and_every_resend_follows_a_lookup()
    {
        _api.Script(PostBehaviour.Fail500, PostBehaviour.Fail500, PostBehaviour.Fail500, PostBehaviour.Succeed);

        var error = await Assert.ThrowsAsync<AlpacaApiException>(
            () => NewSubmitter(maxResends: 2).SubmitAsync(Request("brain-0008"), CancellationToken.None));

        Assert.Equal(500, error.StatusCode);
        Assert.Equal(3, _api.Posts.Count);
        Assert.Equal(3, _api.Lookups.Count);
        Assert.Equal(["POST", "GET", "POST", "GET", "POST", "GET"], _api.Calls);
        Assert.Empty(_api.Orders);
        Assert.Single(_store.Unacknowledged());
    }

    [Fact]
    public async Task Intent_is_recorded_before_the_post()
    {
        var request = Request("brain-0009");
        var recordedAtPost = false;
        _api.BeforePost = r => recordedAtPost = _store.Unacknowledged().Contains(r);

        await NewSubmitter().SubmitAsync(request, CancellationToken.None);

        Assert.True(recordedAtPost);
    }

    [Fact]
    public async Task Transient_lookup_failure_is_retried_by_the_read_policy()
    {
        _api.Script(PostBehaviour.AcceptThenTimeout);
        _api.FailNextLookup(new AlpacaApiException(503, null, "unavailable"));

        var task = NewSubmitter().SubmitAsync(Request("brain-0010"), CancellationToken.None);
        var delays = await ReadRetryPolicyTests.DriveAsync(_time, task);
        var order = await task;

        Assert.Single(delays);
        Assert.InRange(delays[0], TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(299));
        Assert.Equal(["brain-0010", "brain-0010"], _api.Lookups);
        Assert.Single(_api.Posts);
        Assert.Equal(order, Assert.Single(_api.Orders.Values));
    }

    [Fact]
    public async Task Submit_waits_for_a_submit_token_before_posting()
    {
        using var limiter = new RequestRateLimiter(3, _time);
        for (var i = 0; i < 3; i++)
        {
            await limiter.AcquireAsync(RequestPriority.Data, CancellationToken.None);
        }

        var task = NewSubmitter(limiter).SubmitAsync(Request("brain-0011"), CancellationToken.None);
        Assert.False(task.IsCompleted);
        Assert.Empty(_api.Posts);
        Assert.Single(_store.Unacknowledged());

        // Three requests in this minute already: the submit's token comes when the first of them is 60 s old.
        _time.Advance(TimeSpan.FromSeconds(60) - TimeSpan.FromMilliseconds(1));
        Assert.False(task.IsCompleted);
        Assert.Empty(_api.Posts);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await task;

        Assert.Single(_api.Posts);
    }

    [Fact]
    public async Task Restart_recovers_an_accepted_but_unacknowledged_intent_and_reports_an_unsent_one()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "intents.db");
        var accepted = Request("brain-0012");
        var neverSent = Request("brain-0013") with { LimitPrice = 190.55m, Type = "limit" };

        // First process: the POST reaches Alpaca, then the process dies (kill -9) before the acknowledgement.
        _api.Script(PostBehaviour.AcceptThenHang);
        var beforeCrash = new SqliteOrderIntentStore(path, _time);
        var abandoned = NewSubmitter(store: beforeCrash).SubmitAsync(accepted, CancellationToken.None);
        Assert.False(abandoned.IsCompleted);
        beforeCrash.RecordIntent(neverSent);

        // Second process: a fresh store on the same file, a fresh submitter.
        var afterRestart = new SqliteOrderIntentStore(path, _time);
        Assert.Equal([accepted, neverSent], afterRestart.Unacknowledged());
        var result = await NewSubmitter(store: afterRestart).RecoverAsync(CancellationToken.None);

        var order = Assert.Single(result.Acknowledged);
        Assert.Equal("brain-0012", order.ClientOrderId);
        Assert.Equal([neverSent], result.Unsent);
        Assert.Single(_api.Orders);
        Assert.Equal(["brain-0012"], _api.Posts);
        Assert.Equal(["brain-0012", "brain-0013"], _api.Lookups);

        // A third look at the file: the acknowledgement is durable, the unsent intent is still waiting.
        var third = new SqliteOrderIntentStore(path, _time);
        Assert.Equal([neverSent], third.Unacknowledged());
        Assert.Equal(order, third.AcknowledgedOrder("brain-0012"));
    }

    [Fact]
    public void Sqlite_store_records_an_intent_once()
    {
        Directory.CreateDirectory(_dir);
        var store = new SqliteOrderIntentStore(Path.Combine(_dir, "once.db"), _time);
        var request = Request("brain-0014");

        store.RecordIntent(request);
        store.RecordIntent(request with { Qty = 99 });

        Assert.Equal([request], store.Unacknowledged());
    }

    [Fact]
    public void In_memory_store_records_an_intent_once_and_acknowledges_it()
    {
        var request = Request("brain-0015");

        _store.RecordIntent(request);
        _store.RecordIntent(request);
        Assert.Equal([request], _store.Unacknowledged());

        var order = _api.Accept(request);
        _store.RecordAcknowledged(request.ClientOrderId, order);
        Assert.Empty(_store.Unacknowledged());
    }

    private static AlpacaOrderRequest Request(string clientOrderId)
        => new(clientOrderId, "AAPL", 10m, "buy", "market", "day");

    private IdempotentOrderSubmitter NewSubmitter(
        RequestRateLimiter? limiter = null,
        IOrderIntentStore? store = null,
        int maxResends = IdempotentOrderSubmitter.DefaultMaxResends)
        => new(
            _api,
            store ?? _store,
            limiter ?? new RequestRateLimiter(200, _time),
            new ReadRetryPolicy(4, _time, new Random(11)),
            maxResends);
}

internal enum PostBehaviour
{
    /// <summary>Stores the order and returns it (a duplicate client_order_id gets the 422 Alpaca would send).</summary>
    Succeed,

    /// <summary>Stores the order, then the answer is lost: a timeout (outcome unknown).</summary>
    AcceptThenTimeout,

    /// <summary>Stores the order, then never answers: the process dies while waiting.</summary>
    AcceptThenHang,

    /// <summary>500 without storing anything.</summary>
    Fail500,

    /// <summary>422 with code 40010001 (client_order_id must be unique), without storing.</summary>
    Duplicate422,

    /// <summary>422 with code 42210000 (invalid order).</summary>
    Invalid422,

    /// <summary>403 insufficient buying power.</summary>
    Reject403,
}

/// <summary>An Alpaca stand-in whose answer to each POST is scripted; records every POST and lookup.</summary>
internal sealed class ScriptedAlpacaOrderApi : IAlpacaOrderApi
{
    private readonly Queue<PostBehaviour> _script = new();
    private readonly Queue<Exception> _lookupFailures = new();
    private int _nextId;

    public Dictionary<string, AlpacaOrder> Orders { get; } = new(StringComparer.Ordinal);

    public List<string> Posts { get; } = [];

    public List<string> Lookups { get; } = [];

    public List<string> Calls { get; } = [];

    public Action<AlpacaOrderRequest>? BeforePost { get; set; }

    public void Script(params PostBehaviour[] behaviours)
    {
        foreach (var behaviour in behaviours)
        {
            _script.Enqueue(behaviour);
        }
    }

    public void FailNextLookup(Exception error) => _lookupFailures.Enqueue(error);

    /// <summary>Stores an order as Alpaca would on accepting the request.</summary>
    public AlpacaOrder Accept(AlpacaOrderRequest request)
    {
        var created = new DateTime(2026, 11, 25, 14, 30, 0, DateTimeKind.Utc);
        var order = new AlpacaOrder(
            "ord-" + (++_nextId).ToString(CultureInfo.InvariantCulture),
            request.ClientOrderId,
            request.Symbol,
            request.Side,
            request.Type,
            request.TimeInForce,
            "accepted",
            request.Qty,
            0m,
            null,
            request.LimitPrice,
            request.StopPrice,
            created,
            created,
            null);
        Orders.Add(request.ClientOrderId, order);
        return order;
    }

    public Task<AlpacaOrder> SubmitOrderAsync(AlpacaOrderRequest request, CancellationToken cancellationToken)
    {
        Posts.Add(request.ClientOrderId);
        Calls.Add("POST");
        BeforePost?.Invoke(request);
        var behaviour = _script.Count > 0 ? _script.Dequeue() : PostBehaviour.Succeed;
        switch (behaviour)
        {
            case PostBehaviour.Succeed:
                if (Orders.ContainsKey(request.ClientOrderId))
                {
                    throw Duplicate();
                }

                return Task.FromResult(Accept(request));
            case PostBehaviour.AcceptThenTimeout:
                Accept(request);
                throw new AlpacaApiException(null, null, "The request timed out.");
            case PostBehaviour.AcceptThenHang:
                Accept(request);
                return new TaskCompletionSource<AlpacaOrder>().Task;
            case PostBehaviour.Fail500:
                throw new AlpacaApiException(500, null, "internal server error");
            case PostBehaviour.Duplicate422:
                throw Duplicate();
            case PostBehaviour.Invalid422:
                throw new AlpacaApiException(422, 42210000, "qty must be > 0");
            case PostBehaviour.Reject403:
                throw new AlpacaApiException(403, 40310000, "insufficient buying power");
            default:
                throw new InvalidOperationException("Unknown behaviour " + behaviour);
        }
    }

    public Task<AlpacaOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        Lookups.Add(clientOrderId);
        Calls.Add("GET");
        if (_lookupFailures.Count > 0)
        {
            throw _lookupFailures.Dequeue();
        }

        return Task.FromResult(Orders.GetValueOrDefault(clientOrderId));
    }

    private static AlpacaApiException Duplicate()
        => new(422, IdempotentOrderSubmitter.DuplicateClientOrderIdCode, "client_order_id must be unique");
}
