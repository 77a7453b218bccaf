using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Kiln.Execution;

/// <summary>
/// Kills every process that belongs to a job, including those that left the step's process
/// group (<c>setsid</c>, <c>nohup … &amp;</c>, double forks, daemons).
/// </summary>
/// <remarks>
/// <para>The technique is Jenkins' "ProcessTreeKiller": every step is started with
/// <c>KILN_JOB_COOKIE=&lt;cookie&gt;</c> in its environment, and every descendant inherits it
/// however it detaches, because the environment is copied at fork and exec. The sweeper scans
/// <c>/proc/*/environ</c> (the environment each process was exec'd with) for that exact
/// entry and SIGKILLs each match, never the current process, repeating a few rounds until none
/// is found, since a process may fork while the sweep runs. A process that clears its own
/// environment (<c>env -i</c>) escapes; that is the technique's known limit.</para>
/// <para>With <see cref="TryBecomeSubreaper"/> the agent adopts its orphaned descendants instead of
/// init. .NET reaps only the children it started, so the sweeper reaps (waitpid, WNOHANG) the
/// killed processes whose parent is the current process, and nothing else. Call it after the
/// job's steps have returned: a step's main process is reaped by its executor.</para>
/// </remarks>
public sealed class ProcessTreeSweeper(TimeProvider timeProvider, ILogger<ProcessTreeSweeper> logger)
{
    /// <summary>The environment variable that marks a job's processes.</summary>
    public const string CookieVariable = "KILN_JOB_COOKIE";

    private const int MaxRounds = 5;
    private static readonly TimeSpan RoundPause = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ReapTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Makes the current process the "child subreaper" (prctl PR_SET_CHILD_SUBREAPER), so orphaned
    /// descendants are reparented to it instead of init. Returns false where unsupported.
    /// </summary>
    public static bool TryBecomeSubreaper()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return LibC.Prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Kills every process whose environment holds this job's cookie; returns how many were killed.</summary>
    public async Task<int> KillJobProcessesAsync(string jobCookie, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobCookie);
        if (jobCookie.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A job cookie cannot contain NUL.", nameof(jobCookie));
        }

        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        byte[] entry = Encoding.UTF8.GetBytes($"{CookieVariable}={jobCookie}");
        int self = Environment.ProcessId;
        var killed = new HashSet<int>();
        var children = new List<int>();
        for (int round = 0; round < MaxRounds; round++)
        {
            ct.ThrowIfCancellationRequested();
            List<int> found = Find(entry, self);
            if (found.Count == 0)
            {
                break;
            }

            foreach (int pid in found)
            {
                bool child = ProcStat.TryRead(pid)?.ParentId == self;
                if (LibC.Kill(pid, LibC.SIGKILL) == 0 && killed.Add(pid) && child)
                {
                    children.Add(pid);
                }
            }

            await Task.Delay(RoundPause, timeProvider, ct);
        }

        await ReapAsync(children, ct);
        if (killed.Count > 0)
        {
            logger.LogInformation("Killed {Count} leftover processes of job cookie {Cookie}", killed.Count, jobCookie);
        }

        return killed.Count;
    }

    /// <summary>The processes whose environment holds <paramref name="entry"/>. It reads /proc in place
    /// (see <see cref="ProcStat.TryRead"/>): one small file per process, on every job's end.</summary>
    private static List<int> Find(byte[] entry, int self)
    {
        var found = new List<int>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid == self)
            {
                continue;
            }

            byte[] environment;
            try
            {
                environment = File.ReadAllBytes(Path.Combine(directory, "environ"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (HasEntry(environment, entry))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    /// <summary>True if the NUL-separated environment block holds exactly this NAME=VALUE entry.</summary>
    internal static bool HasEntry(ReadOnlySpan<byte> environment, ReadOnlySpan<byte> entry)
    {
        int offset = 0;
        while (true)
        {
            int at = environment[offset..].IndexOf(entry);
            if (at < 0)
            {
                return false;
            }

            int start = offset + at;
            int end = start + entry.Length;
            if ((start == 0 || environment[start - 1] == 0) && (end == environment.Length || environment[end] == 0))
            {
                return true;
            }

            offset = start + 1;
        }
    }

    /// <summary>Reaps the killed children (they are ours when we are a subreaper); gives up after a short while.</summary>
    private async Task ReapAsync(List<int> children, CancellationToken ct)
    {
        long started = timeProvider.GetTimestamp();
        while (children.Count > 0)
        {
            children.RemoveAll(pid =>
            {
                int result = LibC.WaitPid(pid, out _, LibC.WNOHANG);
                return result == pid || (result < 0 && Marshal.GetLastPInvokeError() == LibC.ECHILD);
            });
            if (children.Count == 0 || timeProvider.GetElapsedTime(started) > ReapTimeout)
            {
                break;
            }

            await Task.Delay(RoundPause, timeProvider, ct);
        }

        if (children.Count > 0)
        {
            logger.LogWarning("Could not reap {Count} killed processes", children.Count);
        }
    }
}
