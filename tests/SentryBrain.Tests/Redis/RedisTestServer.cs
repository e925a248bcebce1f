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

/// <summary>A redis-server child process on a free loopback port (for tests that restart their own server).</summary>
internal sealed class RedisProcess : IDisposable
{
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
    public static RedisProcess Start(string? persistent, int? port = null)
    {
        var p = port ?? FreePort();
        var process = Launch(p, persistent);
        var server = new RedisProcess(process, p, persistent);
        server.WaitUntilReady();
        return server;
    }

    /// <summary>Stops the server (SIGKILL: what a crash or a pulled cable looks like) and starts it again on the same port and data.</summary>
    public void Restart(TimeSpan downFor)
    {
        Kill();
        Thread.Sleep(downFor);
        StartAgain();
    }

    /// <summary>Starts the server again on the same port and data directory (after <see cref="Kill"/>).</summary>
    public void StartAgain()
    {
        _process = Launch(Port, Dir);
        WaitUntilReady();
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
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

    private void WaitUntilReady()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                using var stream = client.GetStream();
                stream.Write("PING\r\n"u8);
                var buffer = new byte[64];
                var n = stream.Read(buffer);
                if (System.Text.Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }
            catch (IOException)
            {
            }

            Assert.False(_process.HasExited, "redis-server exited at start (port taken?)");
            Thread.Sleep(50);
        }

        throw new InvalidOperationException("redis-server did not answer PING within 30 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
