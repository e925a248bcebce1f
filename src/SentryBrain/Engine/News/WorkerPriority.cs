using System.Runtime.InteropServices;

namespace SentryBrain.Engine.News;

/// <summary>
/// Lowers the calling thread's CPU priority (Linux: nice +10 for this thread only; no privilege needed): a model that
/// keeps a core busy then yields to the event loop when cores are scarce, instead of halving its throughput.
/// .NET's <see cref="Thread.Priority"/> does nothing on Linux. Elsewhere, or if the call fails, nothing changes.
/// </summary>
internal static class WorkerPriority
{
    private const int PrioProcess = 0;
    private const int Nice = 10;

    public static bool LowerCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return SetPriority(PrioProcess, GetTid(), Nice) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // DllImport rather than LibraryImport: these blittable signatures need no marshalling and no unsafe code.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();

    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int prio);
#pragma warning restore SYSLIB1054
}
