using System.Text.Json;
using SentryBrain.Events;
using SentryBrain.Execution;
using SentryBrain.Strategy;

namespace SentryBrain.Journal;

/// <summary>Counts that close a run; <c>events + rejected = lines</c>.</summary>
public sealed record RunSummary(long Lines, long Events, long Rejected, long Unknown, long Decisions, long Orders, long Fills, double ElapsedEventSeconds)
{
    /// <summary>Trades and quotes held back by the outlier guard (counted in <see cref="Events"/>).</summary>
    public long Outliers { get; init; }

    /// <summary>Market events skipped because they were further behind the stream clock than LATE_EVENT_TOLERANCE_SEC.</summary>
    public long Late { get; init; }
}

/// <summary>
/// Writes the NDJSON journal of ARCHITECTURE.md (decision, order, fill, reconcile, screen, error, entry, summary).
/// Output is a pure function of the input events (and of the active list, when one is used): timestamps are event
/// time and numbers use the shortest round-trip form, so a replay is byte-identical.
/// </summary>
public sealed class JournalWriter : IDisposable
{
    private static readonly JsonWriterOptions Options = new() { Indented = false, SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Stream _output;
    private readonly Utf8JsonWriter _writer;
    private readonly byte[] _tsBuffer = new byte[40];

    public JournalWriter(Stream output)
    {
        _output = output;
        _writer = new Utf8JsonWriter(output, Options);
    }

    public void Decision(DateTime ts, string symbol, in Decision decision)
    {
        var w = Begin("decision"u8);
        WriteTs(ts);
        w.WriteString("symbol"u8, symbol);
        w.WriteString("action"u8, Strategy.Decision.ActionName(decision.Action));
        w.WriteNumber("qty"u8, decision.Qty);
        w.WriteString("reason"u8, decision.Reason);
        w.WritePropertyName("signals"u8);
        w.WriteStartObject();
        var s = decision.Signals;
        WriteNullable("news"u8, s.News);
        WriteIfPresent("news_market"u8, s.NewsMarket);
        w.WriteNumber("momentum"u8, Round(s.Momentum));
        w.WriteNumber("social"u8, s.Social);
        WriteNullable("rsi"u8, s.Rsi);
        WriteNullable("rsi_score"u8, s.RsiScore);
        w.WriteNumber("positive_sources"u8, s.PositiveSources);
        w.WriteNumber("price"u8, s.Price);
        WriteIfPresent("pnl_pct"u8, s.PnlPct);
        WriteIfPresent("peak_pnl_pct"u8, s.PeakPnlPct);
        WriteIfPresent("stop_pct"u8, s.StopPct);
        WriteIfPresent("take_profit_pct"u8, s.TakeProfitPct);
        WriteIfPresent("atr_stop_pct"u8, s.AtrStopPct);
        WriteIfPresent("atr_pct"u8, s.AtrPct);
        WriteIfPresent("vwap_distance_pct"u8, s.VwapDistancePct);
        WriteIfPresent("z_score"u8, s.ZScore);
        WriteIfPresent("atr_percentile"u8, s.AtrPercentile);
        WriteIfPresent("technical_score"u8, s.TechnicalScore);
        WriteIfPresent("ofi"u8, s.Ofi);
        WriteIfPresent("prob_gain"u8, s.ProbGain);
        if (s.StructureOk is { } structure)
        {
            w.WriteBoolean("structure_ok"u8, structure);
        }

        if (s.MomentumOk is { } momentumOk)
        {
            w.WriteBoolean("momentum_ok"u8, momentumOk);
        }

        if (s.MacdAboveZero is { } macdAboveZero)
        {
            w.WriteBoolean("macd_above_zero"u8, macdAboveZero);
        }

        WriteIfPresent("regime"u8, s.Regime);
        WriteIfPresent("setup"u8, s.Setup);
        WriteIfPresent("conviction"u8, s.Conviction);
        WriteIfPresent("detail"u8, s.Detail);

        w.WriteEndObject();
        EndLine();
    }

    public void Order(DateTime ts, BrokerOrder order, string broker, string reason)
    {
        var w = Begin("order"u8);
        WriteTs(ts);
        w.WriteString("symbol"u8, order.Symbol);
        w.WriteString("side"u8, order.Side.Wire());
        w.WriteNumber("qty"u8, order.Qty);
        w.WriteString("type"u8, order.Type.Wire());
        if (order.LimitPrice is { } limit)
        {
            w.WriteNumber("limit_price"u8, limit);
        }
        else
        {
            w.WriteNull("limit_price"u8);
        }

        w.WriteString("client_order_id"u8, order.ClientOrderId);
        w.WriteString("status"u8, order.Status.Wire());
        w.WriteString("broker"u8, broker);
        w.WriteString("reason"u8, reason);
        WriteIfPresent("reject_reason"u8, order.RejectReason);

        EndLine();
    }

    public void Fill(Fill fill)
    {
        var w = Begin("fill"u8);
        WriteTs(fill.Ts);
        w.WriteString("client_order_id"u8, fill.ClientOrderId);
        w.WriteString("symbol"u8, fill.Symbol);
        w.WriteString("side"u8, fill.Side.Wire());
        w.WriteNumber("qty"u8, fill.Qty);
        w.WriteNumber("price"u8, fill.Price);
        EndLine();
    }

    /// <summary>A start-up reconciliation difference (the broker's state was adopted).</summary>
    public void Reconcile(DateTime ts, ReconciliationNote note)
    {
        var w = Begin("reconcile"u8);
        WriteTs(ts);
        w.WriteString("item"u8, note.Item);
        w.WriteString("symbol"u8, note.Symbol);
        WriteIfPresent("client_order_id"u8, note.ClientOrderId);
        WriteIfPresent("side"u8, note.Side);
        WriteIfPresent("local_qty"u8, note.LocalQty);
        WriteIfPresent("broker_qty"u8, note.BrokerQty);
        WriteIfPresent("status"u8, note.Status);
        EndLine();
    }

    /// <summary>
    /// A new active list (<c>screen</c>): where it came from (<c>file</c> | <c>discovery</c>), the list and what was
    /// added and removed, each sorted as given, and the reason per symbol when known (written in ordinal key order).
    /// </summary>
    public void Screen(DateTime ts, string source, IReadOnlyList<string> symbols, IReadOnlyList<string> added, IReadOnlyList<string> removed, IReadOnlyDictionary<string, string>? reasons)
    {
        var w = Begin("screen"u8);
        WriteTs(ts);
        w.WriteString("source"u8, source);
        WriteStrings("symbols"u8, symbols);
        WriteStrings("added"u8, added);
        WriteStrings("removed"u8, removed);
        if (reasons is { Count: > 0 })
        {
            w.WritePropertyName("reasons"u8);
            w.WriteStartObject();
            foreach (var symbol in reasons.Keys.Order(StringComparer.Ordinal))
            {
                w.WriteString(symbol, reasons[symbol]);
            }

            w.WriteEndObject();
        }

        EndLine();
    }

    public void Error(long line, string error)
    {
        var w = Begin("error"u8);
        w.WriteNumber("line"u8, line);
        w.WriteString("error"u8, error);
        EndLine();
    }

    /// <summary>Optional record of one consumed Redis entry (<c>consume --redis --journal-entries</c>), for audits of exactly-once delivery.</summary>
    public void Entry(string stream, string id)
    {
        var w = Begin("entry"u8);
        w.WriteString("stream"u8, stream);
        w.WriteString("id"u8, id);
        EndLine();
    }

    public void Summary(RunSummary s)
    {
        var w = Begin("summary"u8);
        w.WriteNumber("lines"u8, s.Lines);
        w.WriteNumber("events"u8, s.Events);
        w.WriteNumber("rejected"u8, s.Rejected);
        w.WriteNumber("unknown"u8, s.Unknown);
        w.WriteNumber("decisions"u8, s.Decisions);
        w.WriteNumber("orders"u8, s.Orders);
        w.WriteNumber("fills"u8, s.Fills);
        w.WriteNumber("elapsed_s"u8, Math.Round(s.ElapsedEventSeconds, 3));
        if (s.Outliers > 0)
        {
            w.WriteNumber("outliers"u8, s.Outliers); // only when there were any: a clean run keeps the summary's shape
        }

        if (s.Late > 0)
        {
            w.WriteNumber("late"u8, s.Late); // likewise only when there were any
        }
        EndLine();
    }

    public void Flush()
    {
        _writer.Flush();
        _output.Flush();
    }

    public void Dispose()
    {
        Flush();
        _writer.Dispose();
    }

    private static double Round(double x) => Math.Round(x, 6);

    /// <summary>Optional signals are written only when known, so each strategy's lines carry just what it used.</summary>
    private void WriteIfPresent(ReadOnlySpan<byte> name, double? value)
    {
        if (value is { } v)
        {
            _writer.WriteNumber(name, Round(v));
        }
    }

    private void WriteIfPresent(ReadOnlySpan<byte> name, decimal? value)
    {
        if (value is { } v)
        {
            _writer.WriteNumber(name, v);
        }
    }

    private void WriteIfPresent(ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            _writer.WriteString(name, value);
        }
    }

    private void WriteStrings(ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        _writer.WritePropertyName(name);
        _writer.WriteStartArray();
        for (var i = 0; i < values.Count; i++)
        {
            _writer.WriteStringValue(values[i]);
        }

        _writer.WriteEndArray();
    }

    private void WriteNullable(ReadOnlySpan<byte> name, double? value)
    {
        if (value is { } v)
        {
            _writer.WriteNumber(name, Round(v));
        }
        else
        {
            _writer.WriteNull(name);
        }
    }

    private void WriteTs(DateTime ts)
    {
        var n = Rfc3339.Format(ts, _tsBuffer);
        _writer.WriteString("ts"u8, _tsBuffer.AsSpan(0, n));
    }

    /// <summary>Starts a journal line: an object whose first property is its kind.</summary>
    /// <summary>
    /// A line of a kind the learning parts own (<c>rule</c>: a generated rule proposed, promoted or expired;
    /// <c>shadow</c>: a promotion check): <c>kind</c> and <c>ts</c>, then the fields <paramref name="body"/> writes.
    /// Call on the event loop only, like every journal line.
    /// </summary>
    public void Line(string kind, DateTime ts, Action<Utf8JsonWriter> body)
    {
        var w = Begin(System.Text.Encoding.UTF8.GetBytes(kind));
        WriteTs(ts);
        body(w);
        EndLine();
    }

    private Utf8JsonWriter Begin(ReadOnlySpan<byte> kind)
    {
        _writer.WriteStartObject();
        _writer.WriteString("kind"u8, kind);
        return _writer;
    }

    /// <summary>Closes the line's object and writes the newline.</summary>
    private void EndLine()
    {
        _writer.WriteEndObject();
        _writer.Flush();
        _output.WriteByte((byte)'\n');
        _writer.Reset(_output);
    }
}
