using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SentryBrain.Rules;
using SentryBrain.Tests.Redis;

namespace SentryBrain.Tests.Engine;

/// <summary>
/// Issue 10, break 7: SIGTERM/SIGINT during <c>./brain consume</c>, with stdin a pipe that stays open and idle.
/// The real CLI runs as a child process; the signal comes from kill(1).
/// </summary>
public sealed class ConsumeShutdownTests : IDisposable
{
    /// <summary>Monday 2026-03-02 10:00 ET: regular session.</summary>
    private static readonly DateTime T0 = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(120);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "consume-shutdown-" + Guid.NewGuid().ToString("N"));

    public ConsumeShutdownTests()
    {
        Directory.CreateDirectory(_dir);
    }

    private string Ledger => Path.Combine(_dir, "paper.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Signal_WhileStdinIsOpenAndIdle_FinishesTheRun_WritesTheSummary_AndPersistsTheLedger(string signal)
    {
        const int Trades = 20;
        using var brain = BrainProcess.StartWithOpenInput(_dir, Env(), "consume", "--ledger", Ledger);
        brain.Send(TradeLines(Trades));
        brain.Send(["this is not json"]); // its error line (line 21) shows that everything before it was processed
        await BrainProcess.WaitUntil(() => brain.JournalCount("error") == 1, () => "the error line of line 21; stderr:\n" + brain.Stderr, Generous);

        brain.Signal(signal); // stdin stays open: the brain is waiting in a read
        var exit = await brain.WaitForExit(Generous);

        Assert.True(exit == 0, $"exit code {exit}; stderr:\n{brain.Stderr}");
        var journal = brain.Journal();
        using var summary = JsonDocument.Parse(journal[^1]);
        var s = summary.RootElement;
        Assert.Equal("summary", s.GetProperty("kind").GetString());
        Assert.Equal(Trades + 1, s.GetProperty("lines").GetInt64());
        Assert.Equal(Trades, s.GetProperty("events").GetInt64());
        Assert.Equal(1, s.GetProperty("rejected").GetInt64());
        Assert.Equal(Trades - 1, s.GetProperty("elapsed_s").GetDouble()); // one trade a second

        // The final write happened: last_event_ts is written at the first event and then at most once a minute
        // during the run, so only the clean stop stores the last trade's time; the risk snapshot is there too.
        using var ledger = new SqliteConnection($"Data Source={Ledger};Mode=ReadOnly;Pooling=False");
        ledger.Open();
        Assert.Equal(T0.AddSeconds(Trades - 1), Read<DateTime>(ledger, "SELECT last_event_ts FROM account WHERE id = 1"));
        var risk = Read<string>(ledger, $"SELECT value FROM brain_state WHERE key = '{RiskSnapshot.StateKey}'");
        Assert.Contains("2026-03-02", risk, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondSignal_WhileTheStopIsBlockedOnTheLedger_EndsTheProcessAtOnce()
    {
        using var brain = BrainProcess.StartWithOpenInput(_dir, Env(), "consume", "--ledger", Ledger);
        brain.Send([.. TradeLines(5), "this is not json"]);
        await BrainProcess.WaitUntil(() => brain.JournalCount("error") == 1, () => "the error line; stderr:\n" + brain.Stderr, Generous);

        // Another process holds the ledger's write lock: the clean stop's final write waits for it (up to the
        // 30 s busy timeout), which is what a stop stuck on a slow disk or a busy broker looks like.
        using var holder = new SqliteConnection($"Data Source={Ledger};Pooling=False");
        holder.Open();
        using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }

        brain.Signal("TERM");
        await BrainProcess.WaitUntil(() => brain.Stderr.Contains("SIGTERM", StringComparison.Ordinal), () => "the first signal's message; stderr:\n" + brain.Stderr, Generous);
        brain.Signal("TERM");

        // The lock is held until after the exit, so the stop cannot have completed on its own: the process ended by
        // the second signal (128 + 15), before any summary.
        var exit = await brain.WaitForExit(Generous);
        Assert.True(exit == 143, $"exit code {exit}; stderr:\n{brain.Stderr}");
        Assert.DoesNotContain(brain.Journal(), l => l.StartsWith("{\"kind\":\"summary\"", StringComparison.Ordinal));
    }

    private Dictionary<string, string> Env() => new(StringComparer.Ordinal)
    {
        ["LOG_LEVEL"] = "INFO",
        ["TRADE_PAPER"] = "true",
        ["PAPER_DB_PATH"] = Ledger,
        ["APCA_API_KEY_ID"] = string.Empty,
        ["APCA_API_SECRET_KEY"] = string.Empty,
    };

    private static IEnumerable<string> TradeLines(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var ts = T0.AddSeconds(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var price = (100 + (i * 0.01)).ToString("0.00", CultureInfo.InvariantCulture);
            yield return $"{{\"type\":\"trade\",\"ts\":\"{ts}\",\"payload\":{{\"symbol\":\"ACME\",\"price\":{price},\"size\":100}}}}";
        }
    }

    private static T Read<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        Assert.True(value is not null and not DBNull, "no value for " + sql);
        return value is string text && typeof(T) == typeof(DateTime)
            ? (T)(object)DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)
            : (T)value;
    }
}
