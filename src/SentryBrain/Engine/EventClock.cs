using System.Globalization;
using SentryBrain.Events;

namespace SentryBrain.Engine;

/// <summary>
/// Guards the event-time clock against single bad timestamps (README "Input (wire format)", DESIGN "Event time").
/// <list type="bullet">
/// <item>An event later than the wall clock plus <c>FUTURE_TS_TOLERANCE_SEC</c>, or before 1970, is rejected.</item>
/// <item>An event more than <c>CLOCK_JUMP_CONFIRM_SEC</c> ahead of the clock is held back: it is accepted, with the
/// events held after it and in their order, once <c>CLOCK_JUMP_CONFIRM_EVENTS</c> further events confirm the new time
/// (none of them earlier than the jump minus the same margin). An event that continues near the old clock instead
/// rejects everything held. At the end of input one confirming event is enough; a jump that is the last event is rejected.</item>
/// <item>Late events (not after the clock) are accepted as before: they never move the clock.</item>
/// </list>
/// The first event has nothing to compare with and is accepted unless it is from the future.
/// Per event the work is a few comparisons; the wall clock is read only when an event is near or past it.
/// </summary>
public sealed class EventClock
{
    /// <summary>The earliest plausible event time: anything before is a broken timestamp, not old data.</summary>
    public static readonly DateTime Earliest = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly TimeProvider _wall;
    private readonly TimeSpan _tolerance;
    private readonly TimeSpan _jump;
    private readonly int _confirmEvents;
    private readonly List<HeldEvent> _held = [];
    private readonly List<HeldEvent> _released = [];
    private readonly List<(HeldEvent Held, string Reason)> _rejected = [];
    private DateTime _futureLimit = DateTime.MinValue;
    private DateTime _now;
    private bool _started;
    private int _confirmations;

    public EventClock(TimeProvider wall, TimeSpan futureTolerance, TimeSpan jumpConfirm, int confirmEvents)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(futureTolerance, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(jumpConfirm, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(confirmEvents, 1);
        _wall = wall;
        _tolerance = futureTolerance;
        _jump = jumpConfirm;
        _confirmEvents = confirmEvents;
    }

    public enum Verdict
    {
        /// <summary>Process the event now (it may be late: then it does not move the clock).</summary>
        Accept,

        /// <summary>The event's time is impossible (<see cref="Reason"/>): reject its line.</summary>
        Reject,

        /// <summary>The event is held back until the stream confirms or contradicts its time.</summary>
        Hold,

        /// <summary>The jump is confirmed: process <see cref="Released"/> in order (the current event is the last).</summary>
        Release,
    }

    /// <summary>An event held back, with where it came from (for its error line should it be rejected).</summary>
    public readonly record struct HeldEvent(MarketEvent Event, long Line, string? Context, object? Origin);

    /// <summary>The latest accepted event time (default until the first event).</summary>
    public DateTime Now => _now;

    /// <summary>Why the last event was rejected (<see cref="Verdict.Reject"/>).</summary>
    public string Reason { get; private set; } = string.Empty;

    /// <summary>Held events the stream contradicted during the last <see cref="Offer"/>, with why: reject each (in order), then handle the verdict.</summary>
    public IReadOnlyList<(HeldEvent Held, string Reason)> Rejected => _rejected;

    /// <summary>After <see cref="Verdict.Release"/>: the events to process, in arrival order (the current one last).</summary>
    public IReadOnlyList<HeldEvent> Released => _released;

    /// <summary>How many events are held back now (at most <c>CLOCK_JUMP_CONFIRM_EVENTS</c>).</summary>
    public int HeldCount => _held.Count;

    /// <summary>
    /// Decides what to do with an event. <paramref name="line"/>, <paramref name="context"/> and <paramref name="origin"/>
    /// are only kept when the event is held (they are read once, then). <see cref="Rejected"/> and <see cref="Released"/>
    /// are valid until the next call.
    /// </summary>
    public Verdict Offer(MarketEvent evt, long line, Func<string>? context = null, Func<object?>? origin = null)
    {
        if (_rejected.Count > 0 || _released.Count > 0)
        {
            _rejected.Clear();
            _released.Clear();
        }

        var ts = evt.Ts;
        if (ImpossibleTime(ts) is { } reason)
        {
            Reason = reason;
            return Verdict.Reject;
        }

        if (!_started)
        {
            _started = true;
            _now = ts;
            return Verdict.Accept;
        }

        if (_held.Count > 0)
        {
            var jumpTs = _held[0].Event.Ts;
            if (ts <= _now)
            {
                return Verdict.Accept; // late: neither confirms nor contradicts
            }

            if (ts - _now <= _jump || ts < jumpTs - _jump)
            {
                // The stream goes on near the old clock (or jumps somewhere else): the held jump was wrong.
                RejectHeld(atEnd: false);
            }
            else
            {
                _held.Add(new HeldEvent(evt, line, context?.Invoke(), origin?.Invoke()));
                if (++_confirmations < _confirmEvents)
                {
                    return Verdict.Hold;
                }

                Release();
                return Verdict.Release;
            }
        }

        if (ts - _now > _jump)
        {
            _held.Add(new HeldEvent(evt, line, context?.Invoke(), origin?.Invoke()));
            return Verdict.Hold;
        }

        if (ts > _now)
        {
            _now = ts;
        }

        return Verdict.Accept;
    }

    /// <summary>
    /// The end of input: nothing more can confirm or contradict the held events. A jump that at least one later event
    /// agreed with is released (<see cref="Verdict.Release"/>: process <see cref="Released"/>); a jump that is the
    /// last event is rejected (<see cref="Rejected"/>; the verdict is then <see cref="Verdict.Accept"/> with nothing to do).
    /// </summary>
    public Verdict Finish()
    {
        _rejected.Clear();
        _released.Clear();
        if (_held.Count == 0)
        {
            return Verdict.Accept;
        }

        if (_confirmations == 0)
        {
            RejectHeld(atEnd: true);
            return Verdict.Accept;
        }

        Release();
        return Verdict.Release;
    }

    private void Release()
    {
        foreach (var held in _held)
        {
            _now = held.Event.Ts > _now ? held.Event.Ts : _now;
        }

        _released.AddRange(_held);
        _held.Clear();
        _confirmations = 0;
    }

    private void RejectHeld(bool atEnd)
    {
        foreach (var held in _held)
        {
            var ts = held.Event.Ts;
            _rejected.Add((held, $"ts {Rfc3339.Format(ts)} jumps {Span(ts - _now)} ahead of the stream ({Rfc3339.Format(_now)}) and was not confirmed "
                + (atEnd ? "before the end of input" : $"by the events after it (a jump needs {_confirmEvents} more events near its time)")));
        }

        _held.Clear();
        _confirmations = 0;
    }

    private string? ImpossibleTime(DateTime ts)
    {
        if (ts < Earliest)
        {
            return $"ts {Rfc3339.Format(ts)} is before 1970: not a plausible event time";
        }

        if (ts <= _futureLimit)
        {
            return null;
        }

        // The wall clock only moves forward, so the cached limit is safe to keep until an event passes it.
        var wall = _wall.GetUtcNow().UtcDateTime;
        _futureLimit = wall > DateTime.MaxValue - _tolerance ? DateTime.MaxValue : wall + _tolerance;
        return ts <= _futureLimit ? null
            : $"ts {Rfc3339.Format(ts)} is in the future: later than the wall clock plus FUTURE_TS_TOLERANCE_SEC ({_tolerance.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s)";
    }

    private static string Span(TimeSpan span) => span.TotalDays >= 1 ? $"{span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture)} days"
        : span.TotalHours >= 1 ? $"{span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} h"
        : $"{span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min";
}
