using System.Runtime.CompilerServices;

namespace Kiln.Server.Tests;

internal static class TestAssemblySetup
{
    /// <summary>Many in-process servers run at once here, and SQLite's "async" calls block a pool thread:
    /// with the default minimum (one thread per core) the pool starves and grows only slowly, which
    /// doubles the suite's wall-clock time on a two-core machine.</summary>
#pragma warning disable CA2255 // A test assembly is the place for a module initializer.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RaiseThreadPoolMinimum() => ThreadPool.SetMinThreads(Math.Max(32, Environment.ProcessorCount), Math.Max(32, Environment.ProcessorCount));
}
