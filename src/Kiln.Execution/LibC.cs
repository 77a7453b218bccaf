using System.Runtime.InteropServices;

namespace Kiln.Execution;

/// <summary>The few libc calls .NET does not expose: process groups, reaping, subreaping.</summary>
internal static partial class LibC
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int ESRCH = 3;
    public const int ECHILD = 10;
    public const int WNOHANG = 1;
    public const int PR_SET_CHILD_SUBREAPER = 36;

    private const string Library = "libc.so.6";

    /// <summary>kill(2): a negative pid signals the process group -pid.</summary>
    [LibraryImport(Library, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    /// <summary>waitpid(2).</summary>
    [LibraryImport(Library, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);

    /// <summary>prctl(2) with all five arguments spelled out.</summary>
    [LibraryImport(Library, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
