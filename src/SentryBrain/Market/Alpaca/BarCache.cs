using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SentryBrain.Execution.Alpaca;
using SentryBrain.Market.Bars;
using SentryBrain.Storage;

namespace SentryBrain.Market.Alpaca;

/// <summary>What one cached bar request is keyed by: one symbol of a multi-symbol request, with its exact range.</summary>
public sealed record BarCacheKey(string Symbol, string Timeframe, string Adjustment, string Feed, DateTime StartUtc, DateTime EndUtc)
{
    /// <summary>Symbol upper-cased, adjustment lower-cased, texts trimmed, times as UTC.</summary>
    public BarCacheKey Normalize() => new(
        Symbol.Trim().ToUpperInvariant(),
        Timeframe.Trim(),
        Adjustment.Trim().ToLowerInvariant(),
        Feed.Trim().ToLowerInvariant(),
        AsUtc(StartUtc),
        AsUtc(EndUtc));

    internal static DateTime AsUtc(DateTime time) =>
        time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc);
}

/// <summary>
/// On-disk SQLite cache of historical bars keyed by (symbol, timeframe, adjustment, feed, start, end): a second
/// request for the same range is answered from the file without any HTTP request, and the file survives restarts.
/// Only <em>settled</em> ranges are stored (see <see cref="SettledAtUtc"/>): a range that may still gain or change
/// bars (its end is in the future, or its last bar is still forming) is always fetched again. An empty answer is
/// cached too, so a symbol without data is not asked for again. Thread-safe (one connection behind a lock).
/// </summary>
public sealed class BarCache : IDisposable
{
    /// <summary>Path that keeps the cache in memory only (tests).</summary>
    public const string MemoryPath = SqliteDatabase.MemoryPath;

    private const int SchemaVersion = 1;

    /// <summary>Late prints and corrections after a bar's end (SIP data is also 15 minutes delayed on free plans).</summary>
    private static readonly TimeSpan IntradaySettle = TimeSpan.FromMinutes(15);

    private const string SchemaSql = """
        CREATE TABLE IF NOT EXISTS bar_ranges (
            id INTEGER PRIMARY KEY,
            symbol TEXT NOT NULL,
            timeframe TEXT NOT NULL,
            adjustment TEXT NOT NULL,
            feed TEXT NOT NULL,
            start_utc_ticks INTEGER NOT NULL,
            end_utc_ticks INTEGER NOT NULL,
            start_utc TEXT NOT NULL,
            end_utc TEXT NOT NULL,
            fetched_utc TEXT NOT NULL,
            UNIQUE (symbol, timeframe, adjustment, feed, start_utc_ticks, end_utc_ticks)
        );
        CREATE TABLE IF NOT EXISTS bars (
            range_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            t_utc_ticks INTEGER NOT NULL,
            o REAL NOT NULL,
            h REAL NOT NULL,
            l REAL NOT NULL,
            c REAL NOT NULL,
            v REAL NOT NULL,
            n INTEGER NOT NULL,
            vw REAL NOT NULL,
            PRIMARY KEY (range_id, seq)
        ) WITHOUT ROWID;
        """;

    private const string KeyWhere = """
        symbol = $symbol AND timeframe = $timeframe AND adjustment = $adjustment AND feed = $feed
        AND start_utc_ticks = $start AND end_utc_ticks = $end
        """;

    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    private BarCache(SqliteConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
    }

    /// <summary>Opens (creating directory, file and schema when missing) the cache at <paramref name="path"/>.</summary>
    public static BarCache Open(string path, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var connection = SqliteDatabase.OpenDatabase(path, SqliteJournal.WalNormalSync);
        try
        {
            SqliteDatabase.EnsureSchema(connection, SchemaSql, SchemaVersion, "Bar cache " + path);
            return new BarCache(connection, time ?? TimeProvider.System);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The instant after which no bar of a range ending at <paramref name="endUtc"/> can still change. Day-based
    /// timeframes (<c>1Day</c>, <c>nDay</c>): bars start at New York midnight, so the last bar is final at the New York
    /// midnight that ends the day (n days) containing the end. Minutes/hours: end + one bar + 15 minutes. Weeks and
    /// months (and unknown timeframes): end + the bar length + one day, conservatively.
    /// </summary>
    public static DateTime SettledAtUtc(string timeframe, DateTime endUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(timeframe);
        var end = BarCacheKey.AsUtc(endUtc);
        var tf = timeframe.Trim();
        var digits = 0;
        while (digits < tf.Length && char.IsAsciiDigit(tf[digits]))
        {
            digits++;
        }

        var count = digits == 0 ? 1 : int.Parse(tf.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture);
        var unit = tf[digits..].ToUpperInvariant();
        return unit switch
        {
            "MIN" or "T" => end + TimeSpan.FromMinutes(count) + IntradaySettle,
            "HOUR" or "H" => end + TimeSpan.FromHours(count) + IntradaySettle,
            "DAY" or "D" => NewYorkTime.ToUtc(NewYorkTime.TradingDate(end).AddDays(count), TimeOnly.MinValue),
            "WEEK" or "W" => end + TimeSpan.FromDays(7 * count) + TimeSpan.FromDays(1),
            _ => end + TimeSpan.FromDays(31 * Math.Max(count, 1)) + TimeSpan.FromDays(1),
        };
    }

    /// <summary>The cached bars of <paramref name="key"/>, oldest first; false when the range was never stored.</summary>
    public bool TryGet(BarCacheKey key, [NotNullWhen(true)] out IReadOnlyList<AlpacaBar>? bars)
    {
        ArgumentNullException.ThrowIfNull(key);
        var k = key.Normalize();
        lock (_gate)
        {
            long rangeId;
            using (var find = _connection.CreateCommand())
            {
                find.CommandText = "SELECT id FROM bar_ranges WHERE " + KeyWhere;
                BindKey(find, k);
                var id = find.ExecuteScalar();
                if (id is null or DBNull)
                {
                    bars = null;
                    return false;
                }

                rangeId = Convert.ToInt64(id, CultureInfo.InvariantCulture);
            }

            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT t_utc_ticks, o, h, l, c, v, n, vw FROM bars WHERE range_id = $id ORDER BY seq";
            select.Parameters.AddWithValue("$id", rangeId);
            using var reader = select.ExecuteReader();
            var list = new List<AlpacaBar>();
            while (reader.Read())
            {
                list.Add(new AlpacaBar(
                    new DateTime(reader.GetInt64(0), DateTimeKind.Utc),
                    reader.GetDouble(1),
                    reader.GetDouble(2),
                    reader.GetDouble(3),
                    reader.GetDouble(4),
                    reader.GetDouble(5),
                    reader.GetInt64(6),
                    reader.GetDouble(7)));
            }

            bars = list;
            return true;
        }
    }

    /// <summary>Stores (replacing) the bars of <paramref name="key"/> in one transaction.</summary>
    public void Put(BarCacheKey key, IReadOnlyList<AlpacaBar> bars) => PutMany([(key, bars)]);

    /// <summary>Stores (replacing) several ranges in one transaction: a screen's thousands of symbols cost one commit, not one each.</summary>
    public void PutMany(IReadOnlyList<(BarCacheKey Key, IReadOnlyList<AlpacaBar> Bars)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            foreach (var (key, bars) in entries)
            {
                ArgumentNullException.ThrowIfNull(key);
                ArgumentNullException.ThrowIfNull(bars);
                PutInTransaction(tx, key.Normalize(), bars);
            }

            tx.Commit();
        }
    }

    private void PutInTransaction(SqliteTransaction tx, BarCacheKey k, IReadOnlyList<AlpacaBar> bars)
    {
        using (var delete = _connection.CreateCommand())
        {
            delete.Transaction = tx;
            delete.CommandText = "DELETE FROM bars WHERE range_id IN (SELECT id FROM bar_ranges WHERE " + KeyWhere + ");"
                + "DELETE FROM bar_ranges WHERE " + KeyWhere + ";";
            BindKey(delete, k);
            delete.ExecuteNonQuery();
        }

        long rangeId;
        using (var insert = _connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT INTO bar_ranges (symbol, timeframe, adjustment, feed, start_utc_ticks, end_utc_ticks, start_utc, end_utc, fetched_utc)
                VALUES ($symbol, $timeframe, $adjustment, $feed, $start, $end, $startText, $endText, $fetched);
                SELECT last_insert_rowid();
                """;
            BindKey(insert, k);
            insert.Parameters.AddWithValue("$startText", AlpacaDataClient.FormatRfc3339(k.StartUtc));
            insert.Parameters.AddWithValue("$endText", AlpacaDataClient.FormatRfc3339(k.EndUtc));
            insert.Parameters.AddWithValue("$fetched", AlpacaDataClient.FormatRfc3339(_time.GetUtcNow().UtcDateTime));
            rangeId = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        using (var bar = _connection.CreateCommand())
        {
            bar.Transaction = tx;
            bar.CommandText = "INSERT INTO bars (range_id, seq, t_utc_ticks, o, h, l, c, v, n, vw) VALUES ($id, $seq, $t, $o, $h, $l, $c, $v, $n, $vw)";
            var names = new[] { "$id", "$seq", "$t", "$o", "$h", "$l", "$c", "$v", "$n", "$vw" };
            foreach (var name in names)
            {
                bar.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
            }

            bar.Prepare();
            for (var i = 0; i < bars.Count; i++)
            {
                var b = bars[i];
                bar.Parameters["$id"].Value = rangeId;
                bar.Parameters["$seq"].Value = i;
                bar.Parameters["$t"].Value = BarCacheKey.AsUtc(b.TimestampUtc).Ticks;
                bar.Parameters["$o"].Value = b.Open;
                bar.Parameters["$h"].Value = b.High;
                bar.Parameters["$l"].Value = b.Low;
                bar.Parameters["$c"].Value = b.Close;
                bar.Parameters["$v"].Value = b.Volume;
                bar.Parameters["$n"].Value = b.TradeCount;
                bar.Parameters["$vw"].Value = b.Vwap;
                bar.ExecuteNonQuery();
            }
        }
    }

    /// <summary>
    /// Bars of <paramref name="symbols"/> through the cache: symbols whose exact range is cached cost nothing; the
    /// others are fetched in one multi-symbol request (paginated by <paramref name="api"/>) and stored when the
    /// range is settled. Result keys are upper-case, case-insensitive, one per requested symbol.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<AlpacaBar>>> GetBarsAsync(
        IAlpacaBarsApi api,
        IReadOnlyList<string> symbols,
        string timeframe,
        DateTime startUtc,
        DateTime endUtc,
        string adjustment = "raw",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentException.ThrowIfNullOrWhiteSpace(timeframe);
        ArgumentException.ThrowIfNullOrWhiteSpace(adjustment);
        var list = AlpacaDataClient.NormalizeSymbols(symbols, allowEmpty: false);
        var result = new Dictionary<string, IReadOnlyList<AlpacaBar>>(StringComparer.OrdinalIgnoreCase);
        var misses = new List<string>();
        foreach (var symbol in list)
        {
            if (TryGet(new BarCacheKey(symbol, timeframe, adjustment, api.Feed, startUtc, endUtc), out var cached))
            {
                result[symbol] = cached;
            }
            else
            {
                misses.Add(symbol);
            }
        }

        if (misses.Count == 0)
        {
            return result;
        }

        var fetched = await api.GetBarsAsync(misses, timeframe, startUtc, endUtc, adjustment, cancellationToken).ConfigureAwait(false);
        var settled = _time.GetUtcNow().UtcDateTime >= SettledAtUtc(timeframe, endUtc);
        var store = new List<(BarCacheKey, IReadOnlyList<AlpacaBar>)>(settled ? misses.Count : 0);
        foreach (var symbol in misses)
        {
            var bars = fetched.TryGetValue(symbol, out var got) ? got : [];
            result[symbol] = bars;
            if (settled)
            {
                store.Add((new BarCacheKey(symbol, timeframe, adjustment, api.Feed, startUtc, endUtc), bars));
            }
        }

        if (store.Count > 0)
        {
            PutMany(store);
        }

        return result;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    private static void BindKey(SqliteCommand command, BarCacheKey k)
    {
        command.Parameters.AddWithValue("$symbol", k.Symbol);
        command.Parameters.AddWithValue("$timeframe", k.Timeframe);
        command.Parameters.AddWithValue("$adjustment", k.Adjustment);
        command.Parameters.AddWithValue("$feed", k.Feed);
        command.Parameters.AddWithValue("$start", k.StartUtc.Ticks);
        command.Parameters.AddWithValue("$end", k.EndUtc.Ticks);
    }
}

/// <summary>
/// Daily bars from Alpaca (<c>1Day</c>, through the <see cref="BarCache"/>) to warm indicators up. For a date
/// <c>before</c> it asks [New York midnight of <c>before − 400</c> days, New York midnight of <c>before</c> − 1 s]
/// (400 calendar days ≈ 275 sessions, enough for a 200-day SMA) and keeps only bars whose New York date is strictly
/// before <c>before</c>: no look-ahead even if the server returned more. Adjustment defaults to <c>split</c>, like the
/// split-adjusted <c>close</c> of the CSV source. <see cref="Load"/> is synchronous over the async client (via
/// <see cref="Task.Run(Func{Task})"/>, so no synchronization context can deadlock it): it is called once per symbol
/// at start. Call <see cref="PrefetchAsync"/> first to fetch every symbol in one multi-symbol request. An Alpaca
/// error is reported once per call and treated as no history, so one failure never stops trading.
/// </summary>
public sealed class CachedBarSource(
    IAlpacaBarsApi api,
    BarCache cache,
    string adjustment = "split",
    Action<string>? reportError = null) : IDailyBarSource
{
    /// <summary>Calendar days of history asked for.</summary>
    public const int LookbackDays = 400;

    public const string Timeframe = "1Day";

    /// <summary>The UTC range asked for <paramref name="before"/>.</summary>
    public static (DateTime StartUtc, DateTime EndUtc) RangeFor(DateOnly before) =>
        (NewYorkTime.ToUtc(before.AddDays(-LookbackDays), TimeOnly.MinValue),
         NewYorkTime.ToUtc(before, TimeOnly.MinValue).AddSeconds(-1));

    public IReadOnlyList<DailyBar> Load(string symbol, DateOnly before)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        var (startUtc, endUtc) = RangeFor(before);
        try
        {
            var bars = Task.Run(() => cache.GetBarsAsync(api, [symbol], Timeframe, startUtc, endUtc, adjustment))
                .GetAwaiter()
                .GetResult();
            return bars.TryGetValue(symbol.Trim(), out var list) ? ToDaily(list, before) : [];
        }
        catch (AlpacaApiException ex)
        {
            reportError?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{symbol}: {ex.Message}"));
            return [];
        }
    }

    /// <summary>Fills the cache for all <paramref name="symbols"/> with one multi-symbol (paginated) request.</summary>
    public Task PrefetchAsync(IReadOnlyList<string> symbols, DateOnly before, CancellationToken cancellationToken = default)
    {
        var (startUtc, endUtc) = RangeFor(before);
        return cache.GetBarsAsync(api, symbols, Timeframe, startUtc, endUtc, adjustment, cancellationToken);
    }

    internal static IReadOnlyList<DailyBar> ToDaily(IReadOnlyList<AlpacaBar> bars, DateOnly before)
    {
        var byDate = new SortedDictionary<DateOnly, DailyBar>();
        foreach (var b in bars)
        {
            var date = NewYorkTime.TradingDate(b.TimestampUtc);
            if (date < before)
            {
                byDate[date] = new DailyBar(date, b.Open, b.High, b.Low, b.Close, b.Volume);
            }
        }

        return [.. byDate.Values];
    }
}
