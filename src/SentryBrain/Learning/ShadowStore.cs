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
/// The shadow book's SQLite file (<c>SHADOW_DB_PATH</c>): open positions of every model and of live, their closed
/// trades (the last <see cref="ShadowBook.KeepTrades"/> per model) and two marks (the broker session the book belongs
/// to, the last trading date checked for promotion). Written on the event loop, only when a fill closes or opens
/// something; every change of one fill is one transaction. A file that is not a database is moved aside to
/// <c>&lt;path&gt;.corrupt</c> and a new one started.
/// </summary>
public sealed class ShadowStore : IDisposable
{
    private const int SchemaVersion = 1;

    private const string SchemaSql = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS open_positions (
            model TEXT NOT NULL, symbol TEXT NOT NULL, entry_ts TEXT NOT NULL, qty INTEGER NOT NULL, bought INTEGER NOT NULL,
            cost REAL NOT NULL, avg_price REAL NOT NULL, pnl REAL NOT NULL, PRIMARY KEY (model, symbol));
        CREATE TABLE IF NOT EXISTS trades (
            id INTEGER PRIMARY KEY AUTOINCREMENT, model TEXT NOT NULL, symbol TEXT NOT NULL, entry_ts TEXT NOT NULL,
            exit_ts TEXT NOT NULL, qty INTEGER NOT NULL, cost REAL NOT NULL, pnl REAL NOT NULL, reason TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS trades_by_model ON trades (model, id);
        """;

    private const string TsFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private readonly SqliteConnection _connection;
    private SqliteTransaction? _tx;

    private ShadowStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    public string Path { get; }

    /// <summary>
    /// Opens (creating when missing) the book at <paramref name="path"/> (<c>:memory:</c>: a throwaway one). A file
    /// SQLite calls not a database or corrupt is renamed to <c>&lt;path&gt;.corrupt</c> (its -wal/-shm too) and a new
    /// one created; <paramref name="movedAside"/> then says so.
    /// </summary>
    /// <exception cref="SqliteException">The file cannot be used (locked, no permission, newer schema).</exception>
    public static ShadowStore Open(string path, out string? movedAside)
    {
        movedAside = null;
        try
        {
            return OpenOnce(path);
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
            return OpenOnce(path);
        }
    }

    private static ShadowStore OpenOnce(string path)
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

            return new ShadowStore(connection, path);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
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

            return new ShadowStore(connection, path);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="changes"/> in one transaction.</summary>
    public void Batch(Action<ShadowStore> changes)
    {
        using var tx = _connection.BeginTransaction();
        _tx = tx;
        try
        {
            changes(this);
            tx.Commit();
        }
        finally
        {
            _tx = null;
        }
    }

    public string? Meta(string key)
        => Scalar("SELECT value FROM meta WHERE key = $k", ("$k", key)) as string;

    public void SetMeta(string key, string value)
        => Execute("INSERT INTO meta (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", ("$k", key), ("$v", value));

    /// <summary>Forgets every position, trade and mark (the book of another broker session).</summary>
    public void Clear()
        => Execute("DELETE FROM open_positions; DELETE FROM trades; DELETE FROM meta;");

    public void Save(string model, string symbol, ShadowPosition p)
        => Execute(
            """
            INSERT INTO open_positions (model, symbol, entry_ts, qty, bought, cost, avg_price, pnl) VALUES ($m, $s, $ts, $q, $b, $c, $a, $p)
            ON CONFLICT (model, symbol) DO UPDATE SET entry_ts = excluded.entry_ts, qty = excluded.qty, bought = excluded.bought,
                cost = excluded.cost, avg_price = excluded.avg_price, pnl = excluded.pnl
            """,
            ("$m", model), ("$s", symbol), ("$ts", Ts(p.EntryTs)), ("$q", p.Qty), ("$b", p.Bought), ("$c", p.Cost), ("$a", p.AvgPrice), ("$p", p.Pnl));

    public void Delete(string model, string symbol)
        => Execute("DELETE FROM open_positions WHERE model = $m AND symbol = $s", ("$m", model), ("$s", symbol));

    /// <summary>Adds a closed trade and deletes the model's trades older than its last <paramref name="keep"/>.</summary>
    public void Add(ShadowTrade t, int keep)
    {
        Execute(
            "INSERT INTO trades (model, symbol, entry_ts, exit_ts, qty, cost, pnl, reason) VALUES ($m, $s, $e, $x, $q, $c, $p, $r)",
            ("$m", t.Model), ("$s", t.Symbol), ("$e", Ts(t.EntryTs)), ("$x", Ts(t.ExitTs)), ("$q", t.Qty), ("$c", t.Cost), ("$p", t.Pnl), ("$r", t.Reason));
        Execute(
            "DELETE FROM trades WHERE model = $m AND id <= (SELECT id FROM trades WHERE model = $m ORDER BY id DESC LIMIT 1 OFFSET $k)",
            ("$m", t.Model), ("$k", keep));
    }

    public List<(string Model, string Symbol, ShadowPosition Position)> LoadOpen()
    {
        var open = new List<(string, string, ShadowPosition)>();
        using var cmd = Command("SELECT model, symbol, entry_ts, qty, bought, cost, avg_price, pnl FROM open_positions ORDER BY model, symbol");
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
        using var cmd = Command("SELECT model, symbol, entry_ts, exit_ts, qty, cost, pnl, reason FROM trades ORDER BY id");
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
