using System.Globalization;
using Microsoft.Data.Sqlite;
using SentryBrain.Storage;

namespace SentryBrain.Learning;

/// <summary>An open position of a ghost model or of live, as the shadow book keeps it (mutable, event loop only).</summary>
public sealed class ShadowPosition
{
    public DateTime EntryTs { get; set; }

    /// <summary>Shares held now (a ghost: all it bought).</summary>
    public long Qty { get; set; }

    /// <summary>Shares bought in total (adds included).</summary>
    public long Bought { get; set; }

    /// <summary>What the bought shares cost in total.</summary>
    public double Cost { get; set; }

    /// <summary>Average entry of the shares held (as a broker averages: adds re-weight it, sells leave it).</summary>
    public double AvgPrice { get; set; }

    /// <summary>P&amp;L realized by sells so far (live only: a ghost closes all at once).</summary>
    public double Pnl { get; set; }
}

/// <summary>
/// The shadow books' SQLite file (<c>SHADOW_DB_PATH</c>). A book belongs to one broker ledger (its session id, kept in
/// the broker's state store), so several brains, or a replay beside a live ledger, can share the file without touching
/// each other's books. A book holds open positions of every model and of live, their closed trades (the last
/// <see cref="ShadowBook.KeepTrades"/> per model) and marks (the last trading date checked for promotion). Written on
/// the event loop, only when a fill opens or closes something; every change of one fill is one transaction. Books not
/// written for <see cref="StaleAfter"/> (wall clock) are deleted when a new book starts. A file that is not a database
/// is moved aside to <c>&lt;path&gt;.corrupt</c> and a new one started.
/// </summary>
public sealed class ShadowStore : IDisposable
{
    private const int SchemaVersion = 1;

    private const string SchemaSql = """
        CREATE TABLE IF NOT EXISTS books (session TEXT PRIMARY KEY, created_wall TEXT NOT NULL, written_wall TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS meta (session TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (session, key));
        CREATE TABLE IF NOT EXISTS open_positions (
            session TEXT NOT NULL, model TEXT NOT NULL, symbol TEXT NOT NULL, entry_ts TEXT NOT NULL, qty INTEGER NOT NULL,
            bought INTEGER NOT NULL, cost REAL NOT NULL, avg_price REAL NOT NULL, pnl REAL NOT NULL, PRIMARY KEY (session, model, symbol));
        CREATE TABLE IF NOT EXISTS trades (
            id INTEGER PRIMARY KEY AUTOINCREMENT, session TEXT NOT NULL, model TEXT NOT NULL, symbol TEXT NOT NULL,
            entry_ts TEXT NOT NULL, exit_ts TEXT NOT NULL, qty INTEGER NOT NULL, cost REAL NOT NULL, pnl REAL NOT NULL, reason TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS trades_by_model ON trades (session, model, id);
        """;

    /// <summary>A book not written for this long (wall clock) is deleted when another book starts.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromDays(30);

    private const string TsFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private readonly SqliteConnection _connection;
    private readonly TimeProvider _wall;
    private SqliteTransaction? _tx;
    private string _session = string.Empty;

    private ShadowStore(SqliteConnection connection, string path, TimeProvider wall)
    {
        _connection = connection;
        Path = path;
        _wall = wall;
    }

    public string Path { get; }

    /// <summary>The book read and written (<see cref="Use"/>).</summary>
    public string Session => _session;

    /// <summary>
    /// Opens (creating when missing) the book at <paramref name="path"/> (<c>:memory:</c>: a throwaway one). A file
    /// SQLite calls not a database or corrupt is renamed to <c>&lt;path&gt;.corrupt</c> (its -wal/-shm too) and a new
    /// one created; <paramref name="movedAside"/> then says so.
    /// </summary>
    /// <exception cref="SqliteException">The file cannot be used (locked, no permission, newer schema).</exception>
    public static ShadowStore Open(string path, TimeProvider wall, out string? movedAside)
    {
        movedAside = null;
        try
        {
            return OpenOnce(path, wall);
        }
        catch (SqliteException ex) when (path != SqliteDatabase.MemoryPath && ex.SqliteErrorCode is 26 or 11)
        {
            var target = path + ".corrupt";
            foreach (var companion in (string[])["", "-wal", "-shm", "-journal"])
            {
                if (File.Exists(path + companion))
                {
                    File.Move(path + companion, target + companion, overwrite: true);
                }
            }

            movedAside = $"{path} was not a usable database ({ex.Message.Trim()}): moved to {target}, started a new one";
            return OpenOnce(path, wall);
        }
    }

    private static ShadowStore OpenOnce(string path, TimeProvider wall)
    {
        var connection = SqliteDatabase.OpenDatabase(path, SqliteJournal.WalNormalSync);
        try
        {
            try
            {
                SqliteDatabase.EnsureSchema(connection, SchemaSql, SchemaVersion, "Shadow database " + path);
            }
            catch (InvalidOperationException ex)
            {
                throw new SqliteException(ex.Message, 1);
            }

            return new ShadowStore(connection, path, wall);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads and writes the book of <paramref name="session"/> from now on; a new book is registered (and books not
    /// written for <see cref="StaleAfter"/> deleted). Returns whether the book existed.
    /// </summary>
    public bool Use(string session)
    {
        _session = session;
        if (Scalar("SELECT 1 FROM books WHERE session = $s", ("$s", session)) is not null)
        {
            return true;
        }

        var now = WallNow();
        var stale = Ts(_wall.GetUtcNow().UtcDateTime - StaleAfter);
        Batch(s =>
        {
            foreach (var table in (string[])["meta", "open_positions", "trades", "books"])
            {
                s.Execute($"DELETE FROM {table} WHERE session IN (SELECT session FROM books WHERE written_wall < $stale)", ("$stale", stale));
            }

            s.Execute("INSERT INTO books (session, created_wall, written_wall) VALUES ($s, $now, $now)", ("$s", session), ("$now", now));
        });
        return false;
    }

    /// <summary>Reads the book of <paramref name="session"/> without registering it (the read-only report).</summary>
    public void View(string session) => _session = session;

    /// <summary>The books in the file, the most recently written first (the report shows the first by default).</summary>
    public List<(string Session, string WrittenWall)> Books()
    {
        var books = new List<(string, string)>();
        using var cmd = Command("SELECT session, written_wall FROM books ORDER BY written_wall DESC, session");
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            books.Add((r.GetString(0), r.GetString(1)));
        }

        return books;
    }

    /// <summary>Opens an existing file read-only (the report); null when there is no such file.</summary>
    /// <exception cref="SqliteException">The file is not a shadow database SentryBrain can read.</exception>
    public static ShadowStore? OpenReadOnly(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        var connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA user_version";
            var version = Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (version != SchemaVersion)
            {
                throw new SqliteException(string.Create(CultureInfo.InvariantCulture, $"{path} is not a shadow database of this version (schema {version}, expected {SchemaVersion})"), 26);
            }

            return new ShadowStore(connection, path, TimeProvider.System);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="changes"/> in one transaction and marks the book written now.</summary>
    public void Batch(Action<ShadowStore> changes)
    {
        using var tx = _connection.BeginTransaction();
        _tx = tx;
        try
        {
            changes(this);
            Execute("UPDATE books SET written_wall = $now WHERE session = $s", ("$now", WallNow()), ("$s", _session));
            tx.Commit();
        }
        finally
        {
            _tx = null;
        }
    }

    public string? Meta(string key)
        => Scalar("SELECT value FROM meta WHERE session = $s AND key = $k", ("$s", _session), ("$k", key)) as string;

    public void SetMeta(string key, string value)
        => Execute("INSERT INTO meta (session, key, value) VALUES ($s, $k, $v) ON CONFLICT (session, key) DO UPDATE SET value = excluded.value", ("$s", _session), ("$k", key), ("$v", value));

    public void Save(string model, string symbol, ShadowPosition p)
        => Execute(
            """
            INSERT INTO open_positions (session, model, symbol, entry_ts, qty, bought, cost, avg_price, pnl) VALUES ($session, $m, $s, $ts, $q, $b, $c, $a, $p)
            ON CONFLICT (session, model, symbol) DO UPDATE SET entry_ts = excluded.entry_ts, qty = excluded.qty, bought = excluded.bought,
                cost = excluded.cost, avg_price = excluded.avg_price, pnl = excluded.pnl
            """,
            ("$session", _session), ("$m", model), ("$s", symbol), ("$ts", Ts(p.EntryTs)), ("$q", p.Qty), ("$b", p.Bought), ("$c", p.Cost), ("$a", p.AvgPrice), ("$p", p.Pnl));

    public void Delete(string model, string symbol)
        => Execute("DELETE FROM open_positions WHERE session = $session AND model = $m AND symbol = $s", ("$session", _session), ("$m", model), ("$s", symbol));

    /// <summary>Adds a closed trade and deletes the model's trades older than its last <paramref name="keep"/>.</summary>
    public void Add(ShadowTrade t, int keep)
    {
        Execute(
            "INSERT INTO trades (session, model, symbol, entry_ts, exit_ts, qty, cost, pnl, reason) VALUES ($session, $m, $s, $e, $x, $q, $c, $p, $r)",
            ("$session", _session), ("$m", t.Model), ("$s", t.Symbol), ("$e", Ts(t.EntryTs)), ("$x", Ts(t.ExitTs)), ("$q", t.Qty), ("$c", t.Cost), ("$p", t.Pnl), ("$r", t.Reason));
        Execute(
            "DELETE FROM trades WHERE session = $session AND model = $m AND id <= (SELECT id FROM trades WHERE session = $session AND model = $m ORDER BY id DESC LIMIT 1 OFFSET $k)",
            ("$session", _session), ("$m", t.Model), ("$k", keep));
    }

    public List<(string Model, string Symbol, ShadowPosition Position)> LoadOpen()
    {
        var open = new List<(string, string, ShadowPosition)>();
        using var cmd = Command("SELECT model, symbol, entry_ts, qty, bought, cost, avg_price, pnl FROM open_positions WHERE session = $s ORDER BY model, symbol", ("$s", _session));
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            open.Add((r.GetString(0), r.GetString(1), new ShadowPosition
            {
                EntryTs = ParseTs(r.GetString(2)),
                Qty = r.GetInt64(3),
                Bought = r.GetInt64(4),
                Cost = r.GetDouble(5),
                AvgPrice = r.GetDouble(6),
                Pnl = r.GetDouble(7),
            }));
        }

        return open;
    }

    /// <summary>Every kept trade, per model, oldest first.</summary>
    public Dictionary<string, List<ShadowTrade>> LoadTrades()
    {
        var trades = new Dictionary<string, List<ShadowTrade>>(StringComparer.Ordinal);
        using var cmd = Command("SELECT model, symbol, entry_ts, exit_ts, qty, cost, pnl, reason FROM trades WHERE session = $s ORDER BY id", ("$s", _session));
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var t = new ShadowTrade(r.GetString(0), r.GetString(1), ParseTs(r.GetString(2)), ParseTs(r.GetString(3)), r.GetInt64(4), r.GetDouble(5), r.GetDouble(6), r.GetString(7));
            if (!trades.TryGetValue(t.Model, out var list))
            {
                trades[t.Model] = list = [];
            }

            list.Add(t);
        }

        return trades;
    }

    public void Dispose() => _connection.Dispose();

    private string WallNow() => Ts(_wall.GetUtcNow().UtcDateTime);

    private static string Ts(DateTime utc) => utc.ToUniversalTime().ToString(TsFormat, CultureInfo.InvariantCulture);

    private static DateTime ParseTs(string text)
        => DateTime.ParseExact(text, TsFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.Transaction = _tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return cmd;
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        cmd.ExecuteNonQuery();
    }

    private object? Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        return cmd.ExecuteScalar();
    }
}
