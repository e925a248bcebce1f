using System.Globalization;
using Microsoft.Data.Sqlite;
using SentryBrain.Storage;

namespace SentryBrain.Execution.Paper;

/// <summary>An order as loaded from the ledger, with its insertion sequence (SQLite rowid).</summary>
internal readonly record struct LedgerOrder(long Seq, BrokerOrder Order);

/// <summary>The whole ledger as read at open time.</summary>
internal sealed record LedgerState(
    double Cash,
    double StartingCash,
    DateTime? LastEventTs,
    IReadOnlyList<LedgerOrder> Orders,
    IReadOnlyList<BrokerPosition> Positions);

/// <summary>
/// SQLite persistence of the paper broker: schema, prepared statements and the on-disk formats.
/// Timestamps are ISO-8601 UTC text with 7 fractional digits (exact round trip of DateTime ticks, sorts lexically);
/// enums are stored in Alpaca's wire vocabulary; prices and cash are REAL.
/// Not thread-safe: owned by one <see cref="PaperBroker"/>.
/// </summary>
internal sealed class PaperLedger : IDisposable
{
    internal const string MemoryPath = SqliteDatabase.MemoryPath;
    private const int SchemaVersion = 1;
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private const string SchemaSql = """
        CREATE TABLE IF NOT EXISTS account (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            cash REAL NOT NULL,
            starting_cash REAL NOT NULL,
            last_event_ts TEXT
        );
        CREATE TABLE IF NOT EXISTS orders (
            client_order_id TEXT PRIMARY KEY,
            symbol TEXT NOT NULL,
            side TEXT NOT NULL,
            qty INTEGER NOT NULL,
            type TEXT NOT NULL,
            limit_price REAL,
            status TEXT NOT NULL,
            filled_qty INTEGER NOT NULL,
            filled_avg_price REAL NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            reason TEXT NOT NULL,
            reject_reason TEXT
        );
        CREATE INDEX IF NOT EXISTS orders_status ON orders (status);
        CREATE TABLE IF NOT EXISTS fills (
            id INTEGER PRIMARY KEY,
            client_order_id TEXT NOT NULL,
            symbol TEXT NOT NULL,
            side TEXT NOT NULL,
            qty INTEGER NOT NULL,
            price REAL NOT NULL,
            ts TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS fills_order ON fills (client_order_id);
        CREATE TABLE IF NOT EXISTS positions (
            symbol TEXT PRIMARY KEY,
            qty INTEGER NOT NULL,
            avg_entry_price REAL NOT NULL
        );
        CREATE TABLE IF NOT EXISTS brain_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """;

    private const string InsertAccountSql =
        "INSERT INTO account (id, cash, starting_cash, last_event_ts) VALUES (1, $cash, $cash, NULL) ON CONFLICT (id) DO NOTHING";

    private const string SelectAccountSql = "SELECT cash, starting_cash, last_event_ts FROM account WHERE id = 1";

    private const string SelectOrdersSql = """
        SELECT rowid, client_order_id, symbol, side, qty, type, limit_price, status, filled_qty, filled_avg_price, created_at, reject_reason
        FROM orders ORDER BY rowid
        """;

    private const string SelectPositionsSql = "SELECT symbol, qty, avg_entry_price FROM positions ORDER BY symbol";

    private const string InsertOrderSql = """
        INSERT INTO orders (client_order_id, symbol, side, qty, type, limit_price, status, filled_qty, filled_avg_price, created_at, updated_at, reason, reject_reason)
        VALUES ($id, $symbol, $side, $qty, $type, $limit, $status, $filled_qty, $filled_avg, $created, $updated, $reason, $reject)
        """;

    private const string UpdateOrderSql = """
        UPDATE orders SET status = $status, filled_qty = $filled_qty, filled_avg_price = $filled_avg, updated_at = $updated, reject_reason = $reject
        WHERE client_order_id = $id
        """;

    private const string InsertFillSql = """
        INSERT INTO fills (client_order_id, symbol, side, qty, price, ts) VALUES ($id, $symbol, $side, $qty, $price, $ts)
        """;

    private const string UpdateAccountSql =
        "UPDATE account SET cash = $cash, last_event_ts = COALESCE($ts, last_event_ts) WHERE id = 1";

    private const string UpsertPositionSql = """
        INSERT INTO positions (symbol, qty, avg_entry_price) VALUES ($symbol, $qty, $avg)
        ON CONFLICT (symbol) DO UPDATE SET qty = excluded.qty, avg_entry_price = excluded.avg_entry_price
        """;

    private const string DeletePositionSql = "DELETE FROM positions WHERE symbol = $symbol";

    private const string UpdateEventTsSql = "UPDATE account SET last_event_ts = $ts WHERE id = 1";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insertOrder;
    private readonly SqliteCommand _updateOrder;
    private readonly SqliteCommand _insertFill;
    private readonly SqliteCommand _updateAccount;
    private readonly SqliteCommand _upsertPosition;
    private readonly SqliteCommand _deletePosition;
    private readonly SqliteCommand _updateEventTs;
    private readonly SqliteCommand _selectState;
    private readonly SqliteCommand _upsertState;

    private PaperLedger(SqliteConnection connection)
    {
        _connection = connection;
        _insertOrder = Command(InsertOrderSql, "$id", "$symbol", "$side", "$qty", "$type", "$limit", "$status", "$filled_qty", "$filled_avg", "$created", "$updated", "$reason", "$reject");
        _updateOrder = Command(UpdateOrderSql, "$id", "$status", "$filled_qty", "$filled_avg", "$updated", "$reject");
        _insertFill = Command(InsertFillSql, "$id", "$symbol", "$side", "$qty", "$price", "$ts");
        _updateAccount = Command(UpdateAccountSql, "$cash", "$ts");
        _upsertPosition = Command(UpsertPositionSql, "$symbol", "$qty", "$avg");
        _deletePosition = Command(DeletePositionSql, "$symbol");
        _updateEventTs = Command(UpdateEventTsSql, "$ts");
        _selectState = Command("SELECT value FROM brain_state WHERE key = $key", "$key");
        _upsertState = Command("INSERT INTO brain_state (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", "$key", "$value");
    }

    public string? LoadState(string key)
    {
        _selectState.Parameters[0].Value = key;
        _selectState.Transaction = null;
        return _selectState.ExecuteScalar() as string;
    }

    public void SaveState(string key, string value)
    {
        _upsertState.Parameters[0].Value = key;
        _upsertState.Parameters[1].Value = value;
        Run(_upsertState, null);
    }

    /// <summary>Opens (creating directory, file and schema when missing) the ledger at <paramref name="dbPath"/>.</summary>
    public static PaperLedger Open(string dbPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dbPath);
        var connection = SqliteDatabase.OpenDatabase(dbPath, SqliteJournal.WalNormalSync);
        try
        {
            SqliteDatabase.EnsureSchema(connection, SchemaSql, SchemaVersion, "Paper ledger " + dbPath);
            return new PaperLedger(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Creates the account row on first use, then reads everything the broker mirrors in memory.</summary>
    public LedgerState Load(double startingCash)
    {
        using var tx = _connection.BeginTransaction();
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;

        cmd.CommandText = InsertAccountSql;
        cmd.Parameters.AddWithValue("$cash", startingCash);
        cmd.ExecuteNonQuery();
        cmd.Parameters.Clear();

        double cash;
        double starting;
        DateTime? lastEventTs;
        cmd.CommandText = SelectAccountSql;
        using (var reader = cmd.ExecuteReader())
        {
            if (!reader.Read())
            {
                throw new InvalidOperationException("Paper ledger has no account row.");
            }

            cash = reader.GetDouble(0);
            starting = reader.GetDouble(1);
            lastEventTs = reader.IsDBNull(2) ? null : ParseTs(reader.GetString(2));
        }

        var orders = new List<LedgerOrder>();
        cmd.CommandText = SelectOrdersSql;
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                var order = new BrokerOrder(
                    ClientOrderId: reader.GetString(1),
                    Symbol: reader.GetString(2),
                    Side: ParseSide(reader.GetString(3)),
                    Qty: reader.GetInt64(4),
                    Type: ParseType(reader.GetString(5)),
                    LimitPrice: reader.IsDBNull(6) ? null : reader.GetDouble(6),
                    Status: ParseStatus(reader.GetString(7)),
                    FilledQty: reader.GetInt64(8),
                    FilledAvgPrice: reader.GetDouble(9),
                    CreatedAt: ParseTs(reader.GetString(10)),
                    RejectReason: reader.IsDBNull(11) ? null : reader.GetString(11));
                orders.Add(new LedgerOrder(reader.GetInt64(0), order));
            }
        }

        var positions = new List<BrokerPosition>();
        cmd.CommandText = SelectPositionsSql;
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                positions.Add(new BrokerPosition(reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2)));
            }
        }

        tx.Commit();
        return new LedgerState(cash, starting, lastEventTs, orders, positions);
    }

    public SqliteTransaction BeginTransaction() => _connection.BeginTransaction();

    public void InsertOrder(SqliteTransaction tx, BrokerOrder order, string reason, DateTime updatedAt)
    {
        var p = _insertOrder.Parameters;
        p[0].Value = order.ClientOrderId;
        p[1].Value = order.Symbol;
        p[2].Value = order.Side.Wire();
        p[3].Value = order.Qty;
        p[4].Value = order.Type.Wire();
        p[5].Value = order.LimitPrice is { } limit ? limit : DBNull.Value;
        p[6].Value = order.Status.Wire();
        p[7].Value = order.FilledQty;
        p[8].Value = order.FilledAvgPrice;
        p[9].Value = FormatTs(order.CreatedAt);
        p[10].Value = FormatTs(updatedAt);
        p[11].Value = reason;
        p[12].Value = order.RejectReason ?? (object)DBNull.Value;
        Run(_insertOrder, tx);
    }

    public void UpdateOrder(SqliteTransaction tx, BrokerOrder order, DateTime updatedAt)
    {
        var p = _updateOrder.Parameters;
        p[0].Value = order.ClientOrderId;
        p[1].Value = order.Status.Wire();
        p[2].Value = order.FilledQty;
        p[3].Value = order.FilledAvgPrice;
        p[4].Value = FormatTs(updatedAt);
        p[5].Value = order.RejectReason ?? (object)DBNull.Value;
        if (Run(_updateOrder, tx) != 1)
        {
            throw new InvalidOperationException($"Paper ledger has no order '{order.ClientOrderId}' to update.");
        }
    }

    public void InsertFill(SqliteTransaction tx, Fill fill)
    {
        var p = _insertFill.Parameters;
        p[0].Value = fill.ClientOrderId;
        p[1].Value = fill.Symbol;
        p[2].Value = fill.Side.Wire();
        p[3].Value = fill.Qty;
        p[4].Value = fill.Price;
        p[5].Value = FormatTs(fill.Ts);
        Run(_insertFill, tx);
    }

    /// <summary>Writes cash, and the latest event time when given (free ride on a transaction that commits anyway).</summary>
    public void UpdateAccount(SqliteTransaction tx, double cash, DateTime? lastEventTs)
    {
        var p = _updateAccount.Parameters;
        p[0].Value = cash;
        p[1].Value = lastEventTs is { } ts ? FormatTs(ts) : DBNull.Value;
        Run(_updateAccount, tx);
    }

    /// <summary>Upserts a position row, or deletes it when <paramref name="qty"/> is 0.</summary>
    public void SetPosition(SqliteTransaction tx, string symbol, long qty, double avgEntryPrice)
    {
        if (qty == 0)
        {
            _deletePosition.Parameters[0].Value = symbol;
            Run(_deletePosition, tx);
            return;
        }

        var p = _upsertPosition.Parameters;
        p[0].Value = symbol;
        p[1].Value = qty;
        p[2].Value = avgEntryPrice;
        Run(_upsertPosition, tx);
    }

    /// <summary>Autocommitted single-row update of last_event_ts.</summary>
    public void UpdateLastEventTs(DateTime ts)
    {
        _updateEventTs.Parameters[0].Value = FormatTs(ts);
        Run(_updateEventTs, null);
    }

    public void Dispose()
    {
        _insertOrder.Dispose();
        _updateOrder.Dispose();
        _insertFill.Dispose();
        _updateAccount.Dispose();
        _upsertPosition.Dispose();
        _deletePosition.Dispose();
        _updateEventTs.Dispose();
        _connection.Dispose();
    }

    /// <summary>Renames the ledger and its -wal/-shm/-journal companions to <c>&lt;path&gt;.&lt;suffix&gt;.bak[-wal|-shm|-journal]</c>.</summary>
    public static void Archive(string dbPath, string suffix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dbPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(suffix);
        if (dbPath == MemoryPath)
        {
            throw new ArgumentException("An in-memory ledger cannot be archived.", nameof(dbPath));
        }

        if (suffix.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0
            || suffix.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || suffix.Contains(Path.AltDirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Archive suffix '{suffix}' is not a valid file name part.", nameof(suffix));
        }

        string[] companions = ["", "-wal", "-shm", "-journal"];
        var target = $"{dbPath}.{suffix}.bak";
        foreach (var companion in companions)
        {
            if (File.Exists(dbPath + companion) && File.Exists(target + companion))
            {
                throw new IOException($"Archive target '{target + companion}' already exists.");
            }
        }

        foreach (var companion in companions)
        {
            if (File.Exists(dbPath + companion))
            {
                File.Move(dbPath + companion, target + companion);
            }
        }
    }

    internal static string FormatTs(DateTime utc) => utc.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    internal static DateTime ParseTs(string text) =>
        DateTime.ParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static OrderSide ParseSide(string wire) => wire switch
    {
        "buy" => OrderSide.Buy,
        "sell" => OrderSide.Sell,
        _ => throw new InvalidDataException($"Unknown order side '{wire}' in paper ledger."),
    };

    private static OrderType ParseType(string wire) => wire switch
    {
        "market" => OrderType.Market,
        "limit" => OrderType.Limit,
        _ => throw new InvalidDataException($"Unknown order type '{wire}' in paper ledger."),
    };

    private static OrderStatus ParseStatus(string wire) => wire switch
    {
        "new" => OrderStatus.New,
        "partially_filled" => OrderStatus.PartiallyFilled,
        "filled" => OrderStatus.Filled,
        "canceled" => OrderStatus.Canceled,
        "expired" => OrderStatus.Expired,
        "rejected" => OrderStatus.Rejected,
        _ => throw new InvalidDataException($"Unknown order status '{wire}' in paper ledger."),
    };

    private static int Run(SqliteCommand cmd, SqliteTransaction? tx)
    {
        // Microsoft.Data.Sqlite requires the command to name the connection's current transaction (or none).
        cmd.Transaction = tx;
        return cmd.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params string[] parameterNames)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var name in parameterNames)
        {
            cmd.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
        }

        return cmd;
    }
}
