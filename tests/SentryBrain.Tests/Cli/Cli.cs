using System.Diagnostics;
using SentryBrain.Tests.Redis;

namespace SentryBrain.Tests.Cli;

/// <summary>What one run of the CLI printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string All => Stdout + Stderr;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the real CLI (<c>brain.dll</c> of this build) to its end as a child process, in a given folder and environment.</summary>
internal static class BrainCli
{
    /// <summary>Variables that must not leak into the child from the test's own environment (a developer's keys or Redis).</summary>
    private static readonly string[] Scrubbed =
    [
        "APCA_API_KEY_ID", "APCA_API_SECRET_KEY", "ALPACA_API_KEY_ID", "ALPACA_API_SECRET_KEY", "APCA_API_BASE_URL",
        "ALPACA_DATA_BASE_URL", "ALPACA_LIVE", "REDIS_URL", "REDIS_ADDR", "NO_COLOR", "PAPER_DB_PATH",
    ];

    public static CliResult Run(string workingDirectory, IReadOnlyDictionary<string, string>? env, params string[] args)
        => Run(workingDirectory, env, TimeSpan.FromSeconds(120), args);

    public static CliResult Run(string workingDirectory, IReadOnlyDictionary<string, string>? env, TimeSpan timeout, params string[] args)
        => RunWithInput(workingDirectory, env, string.Empty, timeout, args);

    /// <summary>As <see cref="Run(string, IReadOnlyDictionary{string, string}?, string[])"/>, with <paramref name="stdin"/> as standard input.</summary>
    public static CliResult RunWithInput(string workingDirectory, IReadOnlyDictionary<string, string>? env, string stdin, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [BrainProcess.CliPath(), .. args])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
        };
        foreach (var name in Scrubbed)
        {
            info.Environment.Remove(name);
        }

        // Any HTTP(S) request that escapes a test goes to a closed port, never to the internet.
        info.Environment["HTTPS_PROXY"] = "http://127.0.0.1:9";
        info.Environment["HTTP_PROXY"] = "http://127.0.0.1:9";
        info.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            process.WaitForExit(10_000);
            Assert.Fail($"brain {string.Join(' ', args)} did not end within {timeout.TotalSeconds} s; stderr so far:\n{stderr.Result}");
        }

        process.WaitForExit();
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A fresh, empty working folder (no .env, no data/ or reports/ of the repository); deleted by <see cref="TempFolder.Dispose"/>.</summary>
    public static TempFolder NewFolder() => new();
}

internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("sb-cli-").FullName;

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a test that failed may have left a process holding a file
        }
    }
}
