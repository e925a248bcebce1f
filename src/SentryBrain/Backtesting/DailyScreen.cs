using SentryBrain.Screening;

namespace SentryBrain.Backtesting;

/// <summary>
/// <c>backtest --screen N</c>: every simulated morning the universe is screened as <c>./brain screen</c> would have
/// screened it then, and only the day's list may be bought.
/// </summary>
/// <param name="TopN">Names kept per day.</param>
/// <param name="Criteria">What qualifies (<see cref="ScreenCriteria.From"/> the configuration's SCREENER_*).</param>
/// <param name="FallbackTop">
/// A day where nothing qualifies takes the best-scored names anyway (<c>--fallback top</c>); off, it keeps the previous
/// list, as the live active-symbols file is kept when a screen finds nothing.
/// </param>
/// <param name="LookbackDays">
/// Calendar days of bars before the morning a screen sees (<c>SCREENER_LOOKBACK_DAYS</c>): what the live screen fetches,
/// so a symbol whose bars stopped weeks ago is not scored on its stale last move.
/// </param>
/// <param name="Universe">Where the symbols came from (<c>--universe</c>, or "--symbols"), for the report.</param>
/// <param name="UniverseSize">Symbols the universe named, with or without data.</param>
/// <param name="WithoutData">Universe symbols left out because the data source has no bars for them.</param>
public sealed record BacktestScreen(
    int TopN,
    ScreenCriteria Criteria,
    bool FallbackTop = false,
    int LookbackDays = 35,
    string Universe = "--symbols",
    int UniverseSize = 0,
    IReadOnlyList<string>? WithoutData = null);

/// <summary>How a day's list came about.</summary>
public enum ScreenDayKind
{
    /// <summary>The day's own screen: its qualified names.</summary>
    Screened,

    /// <summary>Nothing qualified; <c>--fallback top</c> took the best-scored names.</summary>
    Fallback,

    /// <summary>Nothing qualified; the previous list stays (<see cref="ScreenDay.ListedOn"/> says from when).</summary>
    Kept,

    /// <summary>Nothing qualified and there was no list yet: nothing may be bought.</summary>
    Empty,
}

/// <summary>
/// One simulated morning's screen: the list in force that day (best first) with each name's score, Z, volume ratio
/// and reason as of the day it was screened, and how many symbols were scored and qualified this morning.
/// </summary>
public sealed record ScreenDay(
    DateOnly Date,
    ScreenDayKind Kind,
    IReadOnlyList<ScreenScore> List,
    DateOnly? ListedOn,
    int Scored,
    int Qualified,
    int TooLittleHistory);

/// <summary>
/// The backtest's daily screen. On day t it scores every screened symbol with <see cref="ScreenScoring.Score"/> on the
/// symbol's bars strictly before t (no look-ahead: day t's own bar is not known on day t's morning), ranks them and
/// selects the top N exactly as the live screen does. Each symbol's last <see cref="ScreenCriteria.MinBars"/> bars sit
/// in a ring (the scoring reads only that tail), so a day costs O(symbols × MinBars) copies into two scratch buffers
/// and no per-bar array; bars enter the ring lazily, so warm-up days cost nothing until the first screen.
/// </summary>
internal sealed class DailyScreen
{
    private readonly BarPanel _panel;
    private readonly BacktestScreen _settings;
    private readonly int[] _screened;
    private readonly int _window;
    private readonly double[] _ringClose;
    private readonly double[] _ringVolume;
    private readonly int[] _ringDay;
    private readonly int[] _ringCount;
    private readonly int[] _ringNext;
    private readonly double[] _closes;
    private readonly double[] _volumes;
    private readonly bool[] _listed;
    private readonly List<ScreenDay> _days = [];
    private readonly List<ScreenScore> _scores;
    private IReadOnlyList<ScreenScore> _list = [];
    private DateOnly? _listedOn;
    private int _observed;

    /// <param name="panel">The bars.</param>
    /// <param name="settings">Top N, criteria, fallback, lookback.</param>
    /// <param name="screened">Whether each panel symbol is screened (data-only symbols such as a regime-only SPY are not).</param>
    public DailyScreen(BarPanel panel, BacktestScreen settings, IReadOnlyList<bool> screened)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.TopN, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.LookbackDays, 1);
        settings.Criteria.Validate();
        _panel = panel;
        _settings = settings;
        _screened = [.. Enumerable.Range(0, panel.Symbols.Length).Where(s => screened[s])];
        _window = settings.Criteria.MinBars;
        var n = panel.Symbols.Length;
        _ringClose = new double[n * _window];
        _ringVolume = new double[n * _window];
        _ringDay = new int[n * _window];
        _ringCount = new int[n];
        _ringNext = new int[n];
        _closes = new double[_window];
        _volumes = new double[_window];
        _listed = new bool[n];
        _scores = new List<ScreenScore>(_screened.Length);
    }

    public IReadOnlyList<ScreenDay> Days => _days;

    /// <summary>Symbol <paramref name="s"/> is on the list in force today: it may be bought.</summary>
    public bool IsListed(int s) => _listed[s];

    /// <summary>Day <paramref name="t"/>'s morning screen, from the bars of days before t; call once per day, in order.</summary>
    public ScreenDay Run(int t)
    {
        ObserveUpTo(t);
        var date = _panel.Dates[t];
        var oldest = date.AddDays(-_settings.LookbackDays);
        _scores.Clear();
        var tooLittle = 0;
        foreach (var s in _screened)
        {
            var count = Gather(s, oldest, out var lastDate);
            var score = ScreenScoring.Score(_panel.Symbols[s], _closes.AsSpan(0, count), _volumes.AsSpan(0, count), _settings.Criteria, null, lastDate);
            tooLittle += score.Status == ScreenStatus.TooLittleHistory ? 1 : 0;
            _scores.Add(score);
        }

        var ranked = ScreenScoring.Rank(_scores);
        var (selected, fallback) = ScreenScoring.Select(ranked, _settings.TopN, _settings.FallbackTop);
        var qualified = ranked.Count(r => r.Status == ScreenStatus.Qualified);
        ScreenDayKind kind;
        if (selected.Length > 0)
        {
            foreach (var held in _list)
            {
                _listed[_panel.IndexOf(held.Symbol)] = false;
            }

            _list = selected;
            _listedOn = date;
            foreach (var name in _list)
            {
                _listed[_panel.IndexOf(name.Symbol)] = true;
            }

            kind = fallback ? ScreenDayKind.Fallback : ScreenDayKind.Screened;
        }
        else
        {
            kind = _list.Count > 0 ? ScreenDayKind.Kept : ScreenDayKind.Empty;
        }

        var day = new ScreenDay(date, kind, _list, _listedOn, ranked.Length, qualified, tooLittle);
        _days.Add(day);
        return day;
    }

    /// <summary>Puts the bars of days [observed, t) into the rings.</summary>
    private void ObserveUpTo(int t)
    {
        for (; _observed < t; _observed++)
        {
            foreach (var s in _screened)
            {
                if (!_panel.HasBar(s, _observed))
                {
                    continue;
                }

                var slot = (s * _window) + _ringNext[s];
                _ringClose[slot] = _panel.Close[s][_observed];
                _ringVolume[slot] = _panel.Volume[s][_observed];
                _ringDay[slot] = _observed;
                _ringNext[s] = (_ringNext[s] + 1) % _window;
                _ringCount[s] = Math.Min(_ringCount[s] + 1, _window);
            }
        }
    }

    /// <summary>Copies symbol s's ring, oldest first, into the scratch buffers, skipping bars dated before <paramref name="oldest"/>.</summary>
    private int Gather(int s, DateOnly oldest, out DateOnly? lastDate)
    {
        var count = _ringCount[s];
        var first = (_ringNext[s] - count + _window) % _window;
        var k = 0;
        lastDate = null;
        for (var i = 0; i < count; i++)
        {
            var slot = (s * _window) + ((first + i) % _window);
            var day = _panel.Dates[_ringDay[slot]];
            if (day < oldest)
            {
                continue;
            }

            _closes[k] = _ringClose[slot];
            _volumes[k] = _ringVolume[slot];
            lastDate = day;
            k++;
        }

        return k;
    }
}
