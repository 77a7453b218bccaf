using System.Runtime;

/// <summary>Waits for the JIT to go quiet. Tiered compilation compiles a method again, optimized, in the
/// background once it has run often, for a while after a workload starts (a bench's warm-up round, EF
/// Core's migrations of each round's fresh database). A server that has run for a while has long done
/// so; on a 2-core machine those compilations would otherwise take CPU from the database during the
/// measurement.</summary>
internal static class JitSettling
{
    /// <summary>True once no method was compiled for half a second; false if the JIT was still busy after
    /// 30 seconds (the figures then say so).</summary>
    public static async Task<bool> WaitAsync()
    {
        var quietSince = TimeSpan.Zero;
        var count = JitInfo.GetCompiledMethodCount();
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(30); waited += Step)
        {
            await Task.Delay(Step);
            var now = JitInfo.GetCompiledMethodCount();
            quietSince = now == count ? quietSince + Step : TimeSpan.Zero;
            count = now;
            if (quietSince >= TimeSpan.FromMilliseconds(500))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);
}
