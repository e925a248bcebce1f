using System.Runtime.CompilerServices;

namespace SentryBrain.Tests.Learning;

/// <summary>
/// The test process runs in a fresh temporary working folder, removed when it exits. The consumer's defaults write
/// relative paths when they see fills (EXPERIENCE_BUFFER_PATH <c>data/experience_buffer.jsonl</c>, and the learning
/// loop's other files under <c>data/</c>), and many in-process tests run <see cref="Engine.ConsumeRunner"/> with the
/// default configuration: without this they would all append to one shared file in the build output folder. Tests
/// find their fixtures from <see cref="AppContext.BaseDirectory"/> (<see cref="DocsTests.RepoRoot"/>), never from the
/// working folder, and child processes get their own working folder.
/// </summary>
internal static class TestWorkingDirectory
{
#pragma warning disable CA2255 // a module initializer is the one place that runs before any test in this assembly
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void MoveToATemporaryFolder()
    {
        var folder = Directory.CreateTempSubdirectory("sb-tests-cwd-").FullName;
        Directory.SetCurrentDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.SetCurrentDirectory(Path.GetTempPath());
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // best effort: a file still open by a test that failed
            }
            catch (UnauthorizedAccessException)
            {
                // best effort
            }
        };
    }
}
