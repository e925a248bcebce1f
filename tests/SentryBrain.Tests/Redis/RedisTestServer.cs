using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SentryBrain.Streams;
using StackExchange.Redis;

namespace SentryBrain.Tests.Redis;

/// <summary>
/// The real redis-server the Redis tests run against. <c>./test.sh</c> starts one and exports its address in
/// SENTRYBRAIN_TEST_REDIS ("required" when it could not: the tests then fail, they never skip). Run without test.sh,
/// the tests start their own redis-server from PATH, and fail when there is none.
/// </summary>
internal static class RedisTestServer
{
    private static readonly Lazy<string> Shared = new(StartShared, LazyThreadSafetyMode.ExecutionAndPublication);
    private static RedisProcess? _own;

    /// <summary>host:port of the shared server.</summary>
    public static string Address => Shared.Value;

    /// <summary>A fresh stream name, so tests sharing the server never see each other's entries.</summary>
    public static string UniqueStream(string what) => $"test:{what}:{Guid.NewGuid():N}";

    public static ConnectionMultiplexer Connect() => RedisConnection.Connect(Address);

    private static string StartShared()
    {
        var configured = Environment.GetEnvironmentVariable("SENTRYBRAIN_TEST_REDIS");
        if (configured is { Length: > 0 } && configured != "required")
        {
            return configured;
        }

        if (configured == "required")
        {
            throw new InvalidOperationException("test.sh could not start redis-server (see its output): the Redis tests need a real server");
        }

        _own = RedisProcess.Start(persistent: null);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _own.Dispose();
        return _own.Address;
    }
}

/// <summary>
/// A redis-server child process on a loopback port of its own (for tests that restart their own server). The port is
/// not found free and then bound (another process could take it in between): redis-server is started on a random
/// candidate port and, when it cannot bind there or the server answering is not the one started, on another one.
/// </summary>
internal sealed partial class RedisProcess : IDisposable
{
    private const int Attempts = 20;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private Process _process;

    private RedisProcess(Process process, int port, string? dir)
    {
        _process = process;
        Port = port;
        Dir = dir;
    }

    public int Port { get; }

    public string? Dir { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Starts redis-server; <paramref name="persistent"/> is a data folder for an fsync-always AOF (null = no persistence).</summary>
    public static RedisProcess Start(string? persistent)
    {
        var failures = new List<string>();
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var port = Random.Shared.Next(20_000, 60_000);
            var process = Launch(port, persistent);
            var outcome = WaitUntilReady(process, port);
            if (outcome is null)
            {
                return new RedisProcess(process, port, persistent);
            }

            failures.Add($"port {port}: {outcome}");
            Stop(process);
        }

        throw new InvalidOperationException($"redis-server could not be started on any of {Attempts} loopback ports: " + string.Join("; ", failures));
    }

    /// <summary>Starts the server again on the same port and data directory (after <see cref="Kill"/>).</summary>
    public void StartAgain()
    {
        var failures = new List<string>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            _process.Dispose();
            _process = Launch(Port, Dir);
            var outcome = WaitUntilReady(_process, Port);
            if (outcome is null)
            {
                return;
            }

            failures.Add(outcome);
            Stop(_process);
        }

        throw new InvalidOperationException($"redis-server could not be started again on port {Port}: " + string.Join("; ", failures));
    }

    /// <summary>Stops the server (SIGKILL: what a crash or a pulled cable looks like).</summary>
    public void Kill() => Stop(_process);

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            Assert.True(process.WaitForExit(30_000), "redis-server did not exit within 30 s of SIGKILL");
        }
    }

    private static Process Launch(int port, string? dir)
    {
        var args = new List<string> { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty };
        if (dir is null)
        {
            args.AddRange(["--appendonly", "no"]);
        }
        else
        {
            args.AddRange(["--appendonly", "yes", "--appendfsync", "always", "--dir", dir]);
        }

        var info = new ProcessStartInfo("redis-server", args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        try
        {
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed (apt-get install -y redis-server, or run ./test.sh): " + ex.Message, ex);
        }
    }

    /// <summary>
    /// Null once the server that answers on <paramref name="port"/> is <paramref name="process"/> itself (its
    /// <c>process_id</c> in INFO server); otherwise why not: it exited (the port was taken), or another server answers.
    /// </summary>
    private static string? WaitUntilReady(Process process, int port)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ReadyTimeout)
        {
            if (process.HasExited)
            {
                return $"redis-server exited at start (code {process.ExitCode}; port taken?)";
            }

            var pid = ServerProcessId(port);
            if (pid is { } id)
            {
                return id == process.Id ? null : $"another redis-server (pid {id}) answers on this port";
            }

            Thread.Sleep(20);
        }

        return $"no answer to INFO within {ReadyTimeout.TotalSeconds:0} s";
    }

    /// <summary>The process_id the server on <paramref name="port"/> reports, or null when nothing answers (yet).</summary>
    private static int? ServerProcessId(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            using var stream = client.GetStream();
            stream.ReadTimeout = 5_000;
            stream.Write("INFO server\r\n"u8);
            var text = new System.Text.StringBuilder();
            var buffer = new byte[4096];
            while (true)
            {
                var match = ProcessIdLine().Match(text.ToString());
                if (match.Success)
                {
                    return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                }

                var n = stream.Read(buffer);
                if (n == 0 || text.Length > 64 * 1024 || (text.Length > 0 && text[0] == '-'))
                {
                    return null; // closed, or an error such as -LOADING: not ready yet
                }

                text.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (SocketException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"process_id:(\d+)\r\n")]
    private static partial System.Text.RegularExpressions.Regex ProcessIdLine();
}
