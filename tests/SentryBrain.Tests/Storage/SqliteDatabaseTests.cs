using Microsoft.Data.Sqlite;
using SentryBrain.Storage;
using SentryBrain.Tests.Cli;

namespace SentryBrain.Tests.Storage;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-sqlite-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Theory]
    [InlineData((int)SqliteJournal.WalNormalSync, "wal", 1L)]
    [InlineData((int)SqliteJournal.Wal, "wal", 2L)]
    [InlineData((int)SqliteJournal.Default, "delete", 2L)]
    public void OpenDatabase_CreatesTheDirectory_AndAppliesTheJournalMode(int journalMode, string mode, long synchronous)
    {
        var journal = (SqliteJournal)journalMode; // the enum is internal: a public test method cannot take it

        var path = Path.Combine(_dir, "nested", "db.sqlite");

        using (var connection = SqliteDatabase.OpenDatabase(path, journal))
        {
            Assert.Equal(mode, Scalar(connection, "PRAGMA journal_mode"));
            Assert.Equal(synchronous, Scalar(connection, "PRAGMA synchronous"));
        }

        Assert.True(File.Exists(path));
        File.Delete(path); // unpooled: disposing really closed the file
    }

    [Fact]
    public void EnsureSchema_RecordsTheVersion_IsIdempotent_AndRefusesANewerFile()
    {
        var path = Path.Combine(_dir, "versioned.db");
        const string schema = "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY);";
        using (var connection = SqliteDatabase.OpenDatabase(path))
        {
            SqliteDatabase.EnsureSchema(connection, schema, 2, "Test db");
            SqliteDatabase.EnsureSchema(connection, schema, 2, "Test db");
            Assert.Equal(2L, Scalar(connection, "PRAGMA user_version"));
        }

        using var again = SqliteDatabase.OpenDatabase(path);
        var ex = Assert.Throws<InvalidOperationException>(() => SqliteDatabase.EnsureSchema(again, schema, 1, "Test db"));
        Assert.Equal("Test db has schema version 2, newer than supported 1.", ex.Message);
    }

    [Fact]
    public void MemoryDatabase_Opens_WithoutTouchingTheDisk()
    {
        using var connection = SqliteDatabase.OpenDatabase(SqliteDatabase.MemoryPath);
        SqliteDatabase.EnsureSchema(connection, "CREATE TABLE IF NOT EXISTS t (k TEXT);", 1);
        Assert.Equal("memory", Scalar(connection, "PRAGMA journal_mode"));
        Assert.False(File.Exists(SqliteDatabase.MemoryPath));
    }

    [Fact]
    public void OpenError_ForAPathThatIsAFolder_NamesThePath()
    {
        var path = Path.Combine(_dir, "a-folder.db");
        Directory.CreateDirectory(path);

        var ex = Assert.ThrowsAny<Exception>(() => SqliteDatabase.OpenDatabase(path).Dispose());

        Assert.IsType<SqliteException>(ex); // callers (Startup.IsBrokerFailure) rely on the type
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenError_ForADirectoryThatCannotBeCreated_NamesTheDatabasePath()
    {
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "plain-file");
        File.WriteAllText(file, "not a folder");
        var path = Path.Combine(file, "ledger", "paper.db"); // its "directory" is under a regular file

        var ex = Assert.ThrowsAny<Exception>(() => SqliteDatabase.OpenDatabase(path).Dispose());

        Assert.IsType<SqliteException>(ex);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsumeWithALedgerThatCannotBeOpened_SaysWhichFile_AndExits3()
    {
        using var dir = BrainCli.NewFolder();
        Directory.CreateDirectory(dir["ledger.db"]);

        const string trade = "{\"type\":\"trade\",\"ts\":\"2026-03-02T14:40:23Z\",\"payload\":{\"symbol\":\"ACME\",\"price\":100,\"size\":10}}\n";

        var result = BrainCli.RunWithInput(dir.Path, null, trade, TimeSpan.FromSeconds(60), "consume", "--ledger", dir["ledger.db"]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains(dir["ledger.db"], result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
