using System.Runtime.InteropServices;

namespace Kiln.Execution;

/// <summary>The few libc calls .NET does not expose: process groups, reaping, subreaping, posix_spawn.</summary>
internal static partial class LibC
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int ECHILD = 10;
    public const int WNOHANG = 1;
    public const int PR_SET_CHILD_SUBREAPER = 36;
    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000;

    /// <summary>posix_spawnattr flags (glibc): reset the signals in the default set to SIG_DFL.</summary>
    public const short POSIX_SPAWN_SETSIGDEF = 0x04;

    /// <summary>Set the child's signal mask.</summary>
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;

    /// <summary>glibc (2.26 and later): the child calls setsid(), leading its own session and process group.</summary>
    public const short POSIX_SPAWN_SETSID = 0x80;

    /// <summary>Bytes reserved for a <c>posix_spawn_file_actions_t</c> (80 on glibc x86-64 and arm64).</summary>
    public const int FileActionsSize = 256;

    /// <summary>Bytes reserved for a <c>posix_spawnattr_t</c> (336 on glibc x86-64 and arm64).</summary>
    public const int SpawnAttrSize = 512;

    /// <summary>Bytes reserved for a <c>sigset_t</c> (128 on glibc).</summary>
    public const int SigSetSize = 128;

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

    /// <summary>pipe2(2); <paramref name="fds"/> points at two ints.</summary>
    [LibraryImport(Library, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(nint fds, int flags);

    /// <summary>close(2).</summary>
    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>posix_spawn(3): returns 0 or an error number (not errno), exec failures included.</summary>
    [LibraryImport(Library, EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PosixSpawn(out int pid, string path, nint fileActions, nint attributes, nint argv, nint envp);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(nint fileActions);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(nint fileActions);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(nint fileActions, int fd, int newFd);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_addopen", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FileActionsAddOpen(nint fileActions, int fd, string path, int flags, int mode);

    /// <summary>glibc 2.29 and later.</summary>
    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_addchdir_np", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FileActionsAddChdir(nint fileActions, string path);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_init")]
    public static partial int SpawnAttrInit(nint attributes);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_destroy")]
    public static partial int SpawnAttrDestroy(nint attributes);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setflags")]
    public static partial int SpawnAttrSetFlags(nint attributes, short flags);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int SpawnAttrSetSigMask(nint attributes, nint sigset);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int SpawnAttrSetSigDefault(nint attributes, nint sigset);

    [LibraryImport(Library, EntryPoint = "sigemptyset")]
    public static partial int SigEmptySet(nint sigset);

    [LibraryImport(Library, EntryPoint = "sigfillset")]
    public static partial int SigFillSet(nint sigset);
}
