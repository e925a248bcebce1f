using System.Diagnostics;
using System.Text;

namespace SentryBrain.Tests.Redis;

/// <summary>The real CLI (<c>brain.dll</c> of this build) as a child process: journal lines collected from stdout, stderr kept for messages.</summary>
internal sealed class BrainProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _journal = [];
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _reading = new(initialState: true);

    private BrainProcess(Process process)
    {
        _process = process;
    }

    public static string CliPath()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var cli = Path.Combine(DocsTests.RepoRoot(), "src", "SentryBrain.Cli", "bin", configuration, "net10.0", "brain.dll");
        Assert.True(File.Exists(cli), "build the CLI first: " + cli);
        return cli;
    }

    /// <summary>Starts <c>brain &lt;args&gt;</c> in <paramref name="dir"/> with the given environment (and stdin from <paramref name="stdinFile"/> when set).</summary>
    public static BrainProcess Start(string dir, IReadOnlyDictionary<string, string> env, string? stdinFile, params string[] args)
        => Start(dir, env, stdinFile, openStdin: false, args);

    /// <summary>Starts <c>brain &lt;args&gt;</c> with stdin a pipe that stays open until <see cref="CloseInput"/>: write to it with <see cref="Send"/>.</summary>
    public static BrainProcess StartWithOpenInput(string dir, IReadOnlyDictionary<string, string> env, params string[] args)
        => Start(dir, env, stdinFile: null, openStdin: true, args);

    private static BrainProcess Start(string dir, IReadOnlyDictionary<string, string> env, string? stdinFile, bool openStdin, string[] args)
    {
        // Through env(1) with SIGINT and SIGQUIT back to their default: a suite started as a background job (`./test.sh &`,
        // nohup) passes them on ignored, and a process that starts with a signal ignored keeps ignoring it (POSIX; .NET
        // installs no handler then), so the signal tests would test how the suite was started, not the brain.
        var info = new ProcessStartInfo("env", ["--default-signal=INT,QUIT", "dotnet", CliPath(), .. args])
        {
            RedirectStandardInput = stdinFile is not null || openStdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir,
            UseShellExecute = false,
        };
        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        var brain = new BrainProcess(process);
        // Our own reader (not BeginOutputReadLine), so that a test can stop reading: see PauseOutput.
        _ = Task.Factory.StartNew(brain.ReadOutput, TaskCreationOptions.LongRunning);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (brain._stderr)
                {
                    brain._stderr.AppendLine(line);
                }
            }
        };
        process.BeginErrorReadLine();
        if (stdinFile is not null)
        {
            _ = Task.Run(async () =>
            {
                await using (var input = File.OpenRead(stdinFile))
                {
                    await input.CopyToAsync(process.StandardInput.BaseStream);
                }

                process.StandardInput.Close();
            });
        }

        return brain;
    }

    public int Id => _process.Id;

    private void ReadOutput()
    {
        try
        {
            while (_process.StandardOutput.ReadLine() is { } line)
            {
                _reading.Wait();
                lock (_journal)
                {
                    _journal.Add(line);
                }
            }
        }
        finally
        {
            _stdoutClosed.TrySetResult();
        }
    }

    /// <summary>
    /// Stops reading the process's stdout: once the pipe is full, its next journal write blocks (see
    /// <see cref="IsBlockedWritingOutput"/>), which holds it at a known point, between reading entries and acknowledging them.
    /// </summary>
    public void PauseOutput() => _reading.Reset();

    public void ResumeOutput() => _reading.Set();

    /// <summary>True while a thread of the process sleeps in a write to a full pipe (Linux: /proc/PID/task/*/wchan).</summary>
    public bool IsBlockedWritingOutput()
    {
        try
        {
            return Directory.GetDirectories($"/proc/{Id}/task").Any(task =>
                File.Exists(Path.Combine(task, "wchan")) && File.ReadAllText(Path.Combine(task, "wchan")).Contains("pipe_write", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false; // the process or thread ended while we looked
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Writes lines to the open stdin pipe (see <see cref="StartWithOpenInput"/>) and flushes them.</summary>
    public void Send(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            _process.StandardInput.Write(line + "\n");
        }

        _process.StandardInput.Flush();
    }

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Sends a POSIX signal (TERM, INT, …) with kill(1), as a service manager or a terminal would.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", name, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        Assert.True(kill.WaitForExit(30_000), "kill did not return");
        Assert.Equal(0, kill.ExitCode);
    }

    public bool HasExited => _process.HasExited;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public List<string> Journal()
    {
        lock (_journal)
        {
            return [.. _journal];
        }
    }

    public int JournalCount(string kind)
    {
        var needle = $"{{\"kind\":\"{kind}\"";
        lock (_journal)
        {
            return _journal.Count(l => l.StartsWith(needle, StringComparison.Ordinal));
        }
    }

    /// <summary>Waits for a normal exit (and the end of stdout); fails with stderr after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _stdoutClosed.Task.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"brain did not exit within {timeout.TotalSeconds} s; stderr:\n{Stderr}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no chance to flush, acknowledge or say goodbye.</summary>
    public void KillNine()
    {
        _process.Kill(entireProcessTree: false);
        Assert.True(_process.WaitForExit(30_000), "brain did not exit within 30 s of SIGKILL");
        ResumeOutput();
    }

    public void Dispose()
    {
        ResumeOutput();
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    public static async Task WaitUntil(Func<bool> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(120)), "timed out waiting for " + what());
            await Task.Delay(50);
        }
    }
}
