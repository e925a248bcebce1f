using System.Runtime.CompilerServices;

namespace SentryBrain.Tests;

internal static class ThreadPoolSetup
{
    /// <summary>
    /// Many tests block a thread while they wait for background work (fake servers, the order manager, child
    /// processes). On a 2-core machine the pool starts with 2 workers and adds more only about twice a second, so
    /// timers and HTTP continuations would run late and turn timing-dependent behaviour (a rate limiter's release
    /// order) into noise. Enough workers up front keeps the tests about the code, not about the pool.
    /// </summary>
#pragma warning disable CA2255 // a module initializer is the one place that runs before any test in this assembly
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RaiseMinimumWorkers()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
