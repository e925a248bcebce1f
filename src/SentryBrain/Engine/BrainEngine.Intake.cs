using SentryBrain.Events;

namespace SentryBrain.Engine;

/// <summary>
/// Lines in: parsing, the clock rule (<see cref="EventClock"/>: events from the future, unconfirmed jumps, held
/// lines), stale events, and the error line of every rejected line with its number and origin.
/// </summary>
public sealed partial class BrainEngine
{
    /// <summary>Called after a rejected line is journaled, with its number and reason (the Redis consumer dead-letters the entry).</summary>
    public Action<long, string>? LineRejected { get; set; }

    /// <summary>Where the current line came from, appended to error lines (the Redis consumer names the entry id); null for stdin.</summary>
    public Func<string>? LineContext { get; set; }

    /// <summary>Called when the current line is held back by the clock rule (<see cref="EventClock"/>): a token for where it came from.</summary>
    public Func<object?>? HeldLineOrigin { get; set; }

    /// <summary>While <see cref="LineRejected"/> runs for a line held back earlier: its <see cref="HeldLineOrigin"/> token (else null).</summary>
    public object? RejectedLineOrigin { get; private set; }

    /// <summary>Handles one input line (1-based numbering is kept by the engine).</summary>
    public void ProcessLine(ReadOnlySpan<byte> line)
    {
        _lines++;
        if (line.IsEmpty || line.Trim((byte)' ').IsEmpty)
        {
            Reject("empty line");
            return;
        }

        var evt = _parser.Parse(line, out var error);
        if (evt is null)
        {
            Reject(error ?? "unreadable");
            return;
        }

        Process(evt);
    }

    /// <summary>Journals an unexpected failure while processing the current line (already counted as an event).</summary>
    public void ReportInternalError(Exception ex) => _journal.Error(_lines, "internal error: " + ex.GetType().Name + ": " + ex.Message);

    /// <summary>Counts a line that never reached the parser (too long).</summary>
    public void RejectTooLong()
    {
        _lines++;
        Reject($"line longer than {LineReader.DefaultMaxLineBytes} bytes");
    }

    /// <summary>Handles one event, after the clock rule (<see cref="EventClock"/>) has checked its time.</summary>
    public void Process(MarketEvent evt)
    {
        var verdict = _clock.Offer(evt, _lines, LineContext, HeldLineOrigin);
        ApplyClockDecisions();
        if (verdict == EventClock.Verdict.Accept)
        {
            Apply(evt);
        }
        else if (verdict == EventClock.Verdict.Reject)
        {
            Reject(_clock.Reason);
        }
    }

    /// <summary>
    /// A market event further behind the clock than LATE_EVENT_TOLERANCE_SEC (a re-sent or duplicated stream, a
    /// quote delayed for minutes) describes a market that is gone: acting on it would stop out or fill at a price that
    /// no longer exists. Positions and orders lines are broker hints, not prices, and always count.
    /// </summary>
    private bool IsStale(MarketEvent evt)
        => evt is TradeEvent or QuoteEvent or NewsEvent or VolatilityEvent && _now - evt.Ts > _lateTolerance;

    /// <summary>Held events the clock has just decided: the rejected ones get their error lines, the released ones are processed in order.</summary>
    private void ApplyClockDecisions()
    {
        for (var i = 0; i < _clock.Rejected.Count; i++)
        {
            RejectHeld(_clock.Rejected[i].Held, _clock.Rejected[i].Reason);
        }

        for (var i = 0; i < _clock.Released.Count; i++)
        {
            Apply(_clock.Released[i].Event);
        }
    }

    private void Reject(string error)
    {
        _rejected++;
        _journal.Error(_lines, LineContext is null ? error : error + " (" + LineContext() + ")");
        LineRejected?.Invoke(_lines, error);
    }

    private void RejectHeld(EventClock.HeldEvent held, string error)
    {
        _rejected++;
        _journal.Error(held.Line, held.Context is null ? error : error + " (" + held.Context + ")");
        RejectedLineOrigin = held.Origin;
        try
        {
            LineRejected?.Invoke(held.Line, error);
        }
        finally
        {
            RejectedLineOrigin = null;
        }
    }
}
