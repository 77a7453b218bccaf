using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Kiln.Execution;

/// <summary>Signals a step's process group, whose id is the pid of the step's main process.</summary>
internal static class ProcessGroup
{
    /// <summary>
    /// Sends <paramref name="signal"/> to the group led by <paramref name="leader"/>. If the group
    /// does not exist yet (the child has not reached <c>setsid()</c>), signals the leader alone.
    /// </summary>
    public static void Signal(Process leader, int signal)
    {
        if (LibC.Kill(-leader.Id, signal) == 0)
        {
            return;
        }

        if (Marshal.GetLastPInvokeError() == LibC.ESRCH && !leader.HasExited)
        {
            _ = LibC.Kill(leader.Id, signal);
        }
    }
}
