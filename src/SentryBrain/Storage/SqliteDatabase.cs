using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SentryBrain.Storage;

/// <summary>How a file database journals its commits (in-memory databases ignore it).</summary>
internal enum SqliteJournal
{
    /// <summary>SQLite's defaults: rollback journal, synchronous FULL.</summary>
    Default,

    /// <summary>WAL, synchronous FULL: readers never block the writer, every commit is fsynced.</summary>
    Wal,

    /// <summary>WAL + synchronous NORMAL: commits are atomic and survive a process crash; only fsync-per-commit is skipped.</summary>
    WalNormalSync,
}

/// <summary>The one way SentryBrain opens its SQLite files (paper ledger, bar cache, order intents, brain state).</summary>
internal static class SqliteDatabase
{
    /// <summary>The path of a private in-memory database.</summary>
    public const string MemoryPath = ":memory:";

    /// <summary>
    /// Opens <paramref name="path"/> read-write, creating the file and its directory when missing, unpooled so that
    /// disposing the connection really closes the file (restart, archive, temp-dir cleanup), with the
    /// <paramref name="journal"/> mode applied to file databases. Lock waits are Microsoft.Data.Sqlite's default
    /// (busy retries up to the 30 s command timeout).
    /// </summary>
    public static SqliteConnection OpenDatabase(string path, SqliteJournal journal = SqliteJournal.WalNormalSync)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var inMemory = path == MemoryPath;
        if (!inMemory && Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } directory)
        {
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // One exception type for "this database cannot be opened", and the message says which file.
                throw new SqliteException($"SQLite database {path}: cannot create its folder {directory}: {ex.Message}", 14 /* SQLITE_CANTOPEN */);
            }
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            if (!inMemory && journal != SqliteJournal.Default)
            {
                Execute(connection, null, "PRAGMA journal_mode = WAL");
                if (journal == SqliteJournal.WalNormalSync)
                {
                    Execute(connection, null, "PRAGMA synchronous = NORMAL");
                }
            }

            return connection;
        }
        catch (SqliteException ex) when (!inMemory && !ex.Message.Contains(path, StringComparison.Ordinal))
        {
            connection.Dispose();
            throw new SqliteException($"SQLite database {path}: {ex.Message}", ex.SqliteErrorCode, ex.SqliteExtendedErrorCode);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="schemaSql"/> (idempotent DDL) in one transaction. With a <paramref name="version"/>, first
    /// refuses a file whose <c>PRAGMA user_version</c> is newer (written by a newer SentryBrain), then records it.
    /// </summary>
    /// <param name="what">Names the database in the error, e.g. "Bar cache /data/bars.db".</param>
    /// <exception cref="InvalidOperationException">The file's schema version is newer than <paramref name="version"/>.</exception>
    public static void EnsureSchema(SqliteConnection connection, string schemaSql, int? version = null, string what = "Database")
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(schemaSql);
        using var tx = connection.BeginTransaction();
        if (version is { } supported)
        {
            using var read = connection.CreateCommand();
            read.Transaction = tx;
            read.CommandText = "PRAGMA user_version";
            var current = Convert.ToInt32(read.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (current > supported)
            {
                throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"{what} has schema version {current}, newer than supported {supported}."));
            }
        }

        Execute(connection, tx, schemaSql);
        if (version is { } v)
        {
            Execute(connection, tx, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {v}"));
        }

        tx.Commit();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
