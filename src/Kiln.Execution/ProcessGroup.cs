using System.Runtime.InteropServices;

namespace Kiln.Execution;

/// <summary>Signals a step's process group, whose id is the pid of the step's main process.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class ProcessGroup
{
    /// <summary>
    /// Sends <paramref name="signal"/> to the group led by <paramref name="leader"/>. The child calls
    /// <c>setsid()</c> before its exec, so the group exists once the spawn returned; should it be
    /// gone while the leader is not yet reaped, signals the leader alone.
    /// </summary>
    public static void Signal(StepProcess leader, int signal)
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
