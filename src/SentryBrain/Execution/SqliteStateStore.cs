using Microsoft.Data.Sqlite;
using SentryBrain.Storage;

namespace SentryBrain.Execution;

/// <summary>A durable key/value table (<c>brain_state</c>) for brokers without their own ledger.</summary>
public sealed class SqliteStateStore : IStateStore, IDisposable
{
    private readonly SqliteConnection _connection;

    public SqliteStateStore(string path)
    {
        _connection = SqliteDatabase.OpenDatabase(path, SqliteJournal.Wal);
        try
        {
            SqliteDatabase.EnsureSchema(_connection, "CREATE TABLE IF NOT EXISTS brain_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);");
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    public string? Load(string key)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT value FROM brain_state WHERE key = $key";
        cmd.Parameters.AddWithValue("$key", key);
        return cmd.ExecuteScalar() as string;
    }

    public void Save(string key, string value)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "INSERT INTO brain_state (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        cmd.Parameters.AddWithValue("$key", key);
        cmd.Parameters.AddWithValue("$value", value);
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();
}
