using System.ComponentModel;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Kiln.Execution;

/// <summary>
/// A step's main process, started with glibc's <c>posix_spawn</c> straight into the program
/// (bash, by default): one exec per step, no launcher programs in between.
/// </summary>
/// <remarks>
/// <para>The child calls <c>setsid()</c> before exec (<see cref="LibC.POSIX_SPAWN_SETSID"/>), so its
/// pid is the id of its own session and process group, which <see cref="ProcessGroup"/> signals.
/// stdin is <c>/dev/null</c>; stdout and stderr are the write end of one pipe, so their order is
/// kept, and <see cref="Output"/> is its read end. Every signal is reset to its default and none is
/// blocked (the .NET runtime ignores SIGPIPE, which a child must not inherit). glibc's posix_spawn
/// reports a failed exec (a missing program) as its return value, which <see cref="Start"/> throws
/// as <see cref="Win32Exception"/>.</para>
/// <para>.NET reaps only the children it started itself, so this class reaps its own: one thread
/// blocks in <c>waitpid</c> for the pid until the process ends, which is when <see cref="Exited"/>
/// completes. Nothing else may wait for the pid (the sweeper reaps only the processes it killed
/// and never a step's main process, which the executor waits for before the sweep).</para>
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed class StepProcess : IDisposable
{
    private StepProcess(int pid, Stream output)
    {
        Id = pid;
        Output = output;
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reaper = new Thread(() => exited.SetResult(Reap(pid))) { IsBackground = true, Name = "kiln-step-reaper" };
        reaper.Start();
        Exited = exited.Task;
    }

    /// <summary>The pid, which is also the process group and session id.</summary>
    public int Id { get; }

    /// <summary>The read end of the process's stdout and stderr.</summary>
    public Stream Output { get; }

    /// <summary>Completes with the exit code once the process has ended and been reaped:
    /// its exit status, or 128 + the signal that killed it (as a shell reports it).</summary>
    public Task<int> Exited { get; }

    public bool HasExited => Exited.IsCompleted;

    /// <summary>Starts <paramref name="arguments"/>[0] (looked up in the <c>PATH</c> of
    /// <paramref name="environment"/> when it has no slash) in <paramref name="workingDirectory"/>.</summary>
    public static StepProcess Start(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        ArgumentOutOfRangeException.ThrowIfZero(arguments.Count);
        string program = Resolve(arguments[0], environment.GetValueOrDefault("PATH"));
        nint argv = 0, envp = 0, fds = 0, actions = 0, attributes = 0, signals = 0;
        bool actionsReady = false, attributesReady = false;
        int readEnd = -1, writeEnd = -1;
        try
        {
            argv = StringArray(arguments);
            envp = StringArray(environment.Select(e => e.Key + "=" + e.Value).ToList());
            fds = Marshal.AllocHGlobal(2 * sizeof(int));
            if (LibC.Pipe2(fds, LibC.O_CLOEXEC) != 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "pipe2 failed");
            }

            readEnd = Marshal.ReadInt32(fds);
            writeEnd = Marshal.ReadInt32(fds, sizeof(int));

            actions = Zeroed(LibC.FileActionsSize);
            Check(LibC.FileActionsInit(actions), "posix_spawn_file_actions_init");
            actionsReady = true;
            Check(LibC.FileActionsAddOpen(actions, 0, "/dev/null", LibC.O_RDONLY, 0), "posix_spawn_file_actions_addopen");
            Check(LibC.FileActionsAddDup2(actions, writeEnd, 1), "posix_spawn_file_actions_adddup2");
            Check(LibC.FileActionsAddDup2(actions, writeEnd, 2), "posix_spawn_file_actions_adddup2");
            Check(LibC.FileActionsAddChdir(actions, workingDirectory), "posix_spawn_file_actions_addchdir_np");

            attributes = Zeroed(LibC.SpawnAttrSize);
            Check(LibC.SpawnAttrInit(attributes), "posix_spawnattr_init");
            attributesReady = true;
            signals = Zeroed(LibC.SigSetSize);
            Check(LibC.SigFillSet(signals) == 0 ? 0 : -1, "sigfillset");
            Check(LibC.SpawnAttrSetSigDefault(attributes, signals), "posix_spawnattr_setsigdefault");
            Check(LibC.SigEmptySet(signals) == 0 ? 0 : -1, "sigemptyset");
            Check(LibC.SpawnAttrSetSigMask(attributes, signals), "posix_spawnattr_setsigmask");
            Check(LibC.SpawnAttrSetFlags(attributes, LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGDEF | LibC.POSIX_SPAWN_SETSIGMASK), "posix_spawnattr_setflags");

            int error = LibC.PosixSpawn(out int pid, program, actions, attributes, argv, envp);
            if (error != 0)
            {
                throw new Win32Exception(error, $"could not start '{program}': {new Win32Exception(error).Message}");
            }

            _ = LibC.Close(writeEnd);
            writeEnd = -1;
            var output = new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(readEnd, ownsHandle: true));
            readEnd = -1;
            return new StepProcess(pid, output);
        }
        finally
        {
            if (actionsReady)
            {
                _ = LibC.FileActionsDestroy(actions);
            }

            if (attributesReady)
            {
                _ = LibC.SpawnAttrDestroy(attributes);
            }

            foreach (int fd in new[] { readEnd, writeEnd })
            {
                if (fd >= 0)
                {
                    _ = LibC.Close(fd);
                }
            }

            FreeStringArray(argv);
            FreeStringArray(envp);
            Marshal.FreeHGlobal(fds);
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attributes);
            Marshal.FreeHGlobal(signals);
        }
    }

    /// <summary>Waits for the end of the process, or until <paramref name="cancellationToken"/>.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => Exited.WaitAsync(cancellationToken);

    public void Dispose() => Output.Dispose();

    /// <summary>Blocks until the process ends; its exit code, or 128 + signal.</summary>
    private static int Reap(int pid)
    {
        while (true)
        {
            if (LibC.WaitPid(pid, out int status, 0) == pid)
            {
                int signal = status & 0x7f;
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
            {
                // ECHILD: someone else reaped it; nothing tells its status any more.
                return 128 + LibC.SIGKILL;
            }
        }
    }

    /// <summary>A program name without a slash, looked up in <paramref name="path"/> as execvp would.</summary>
    private static string Resolve(string program, string? path)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return program;
        }

        foreach (string directory in (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return program;
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
        {
            throw new Win32Exception(result > 0 ? result : Marshal.GetLastPInvokeError(), call + " failed");
        }
    }

    private static nint Zeroed(int bytes)
    {
        nint block = Marshal.AllocHGlobal(bytes);
        for (int i = 0; i < bytes; i += sizeof(long))
        {
            Marshal.WriteInt64(block, i, 0);
        }

        return block;
    }

    /// <summary>A NULL-terminated array of NUL-terminated UTF-8 strings, as argv and envp are.</summary>
    private static nint StringArray(IReadOnlyList<string> values)
    {
        nint array = Zeroed((values.Count + 1) * nint.Size);
        for (int i = 0; i < values.Count; i++)
        {
            Marshal.WriteIntPtr(array, i * nint.Size, Marshal.StringToCoTaskMemUTF8(values[i]));
        }

        return array;
    }

    private static void FreeStringArray(nint array)
    {
        if (array == 0)
        {
            return;
        }

        for (int i = 0; ; i++)
        {
            nint value = Marshal.ReadIntPtr(array, i * nint.Size);
            if (value == 0)
            {
                break;
            }

            Marshal.FreeCoTaskMem(value);
        }

        Marshal.FreeHGlobal(array);
    }
}
