namespace Kiln.Core.Builds;

/// <summary>The status a build ends with, computed from its jobs.</summary>
public static class BuildOutcome
{
    /// <summary>
    /// Null while any job is not terminal. Otherwise: Error if any job is Error; else Canceled if any
    /// is Canceled; else Failed if any is Failed, TimedOut or Lost; else Succeeded. Skipped jobs alone
    /// do not fail a build, and a build with no jobs succeeds.
    /// </summary>
    public static BuildStatus? Aggregate(IEnumerable<JobStatus> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        bool error = false, canceled = false, failed = false;
        foreach (var job in jobs)
        {
            if (!StatusRules.IsTerminal(job))
            {
                return null;
            }

            error |= job == JobStatus.Error;
            canceled |= job == JobStatus.Canceled;
            failed |= job is JobStatus.Failed or JobStatus.TimedOut or JobStatus.Lost;
        }

        return error ? BuildStatus.Error
            : canceled ? BuildStatus.Canceled
            : failed ? BuildStatus.Failed
            : BuildStatus.Succeeded;
    }
}
