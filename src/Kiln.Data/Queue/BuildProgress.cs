using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Queue;

/// <summary>Moves a build forward after any of its jobs changed: releases or skips waiting jobs,
/// then derives the build's status. Runs inside the caller's transaction, so the job change and
/// its consequences commit together.</summary>
public static class BuildProgress
{
    /// <returns>True if some job became queued (agents should be woken).</returns>
    public static async Task<bool> AdvanceAsync(KilnDbContext db, long buildId, DateTime now, CancellationToken cancellationToken)
    {
        var build = await db.Builds.Include(b => b.Jobs).SingleAsync(b => b.Id == buildId, cancellationToken);
        var anyQueued = false;
        var nodes = build.Jobs.Select(j => new JobNode(j.Name, SplitNeeds(j.Needs), j.Status)).ToList();
        foreach (var (name, newStatus) in DependencyResolver.Resolve(nodes))
        {
            var job = build.Jobs.Single(j => j.Name == name);
            job.Status = newStatus;
            if (newStatus == JobStatus.Queued)
            {
                job.QueuedAt = now;
                anyQueued = true;
            }
            else if (StatusRules.IsTerminal(newStatus))
            {
                job.FinishedAt = now;
                foreach (var step in await db.Steps.Where(s => s.JobId == job.Id).ToListAsync(cancellationToken))
                {
                    step.Status = StepStatus.Skipped;
                }
            }
        }

        if (StatusRules.IsTerminal(build.Status))
        {
            return anyQueued;
        }

        if (build.StartedAt is null && build.Jobs.Any(j => j.StartedAt is not null))
        {
            build.StartedAt = build.Jobs.Where(j => j.StartedAt is not null).Min(j => j.StartedAt);
            build.Status = BuildStatus.Running;
        }

        if (BuildOutcome.Aggregate(build.Jobs.Select(j => j.Status)) is { } outcome)
        {
            build.Status = outcome;
            build.FinishedAt = now;
        }

        return anyQueued;
    }

    public static IReadOnlyList<string> SplitNeeds(string needs) =>
        needs.Length == 0 ? [] : needs.Split('\n');
}
