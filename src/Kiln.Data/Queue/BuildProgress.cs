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
        // Earlier attempts are history: only the latest attempt of each job counts (filtered in
        // memory, since rows already tracked would slip past a filtered Include).
        var jobs = build.Jobs.Where(j => j.IsLatest).ToList();
        var anyQueued = false;
        var nodes = jobs.Select(j => new JobNode(j.Name, SplitNeeds(j.Needs), Effective(j))).ToList();
        var byName = jobs.ToDictionary(j => j.Name);
        foreach (var (name, resolved) in DependencyResolver.Resolve(nodes))
        {
            var job = byName[name];
            // A manual job whose needs are met waits for a person instead of the queue.
            var newStatus = resolved == JobStatus.Queued && job.Manual ? JobStatus.Manual : resolved;
            job.Status = newStatus;
            if (newStatus == JobStatus.Skipped)
            {
                job.Message ??= "a job it needs did not succeed";
            }

            if (newStatus == JobStatus.Queued)
            {
                job.QueuedAt = now;
                anyQueued = true;
            }
            else if (StatusRules.IsTerminal(newStatus))
            {
                job.FinishedAt = now;
                job.FailureReason ??= JobRetry.ReasonFor(newStatus, job.CancelRequested);
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

        if (build.StartedAt is null && jobs.Any(j => j.StartedAt is not null))
        {
            build.StartedAt = jobs.Where(j => j.StartedAt is not null).Min(j => j.StartedAt);
            build.Status = BuildStatus.Running;
        }

        if (BuildOutcome.Aggregate(jobs.Select(Effective)) is { } outcome)
        {
            build.Status = outcome;
            build.FinishedAt = now;
        }

        return anyQueued;
    }

    /// <summary>A job allowed to fail counts as succeeded for its dependents and for the build's outcome.</summary>
    private static JobStatus Effective(JobEntity job) =>
        job.AllowFailure && job.Status is JobStatus.Failed or JobStatus.TimedOut ? JobStatus.Succeeded : job.Status;

    public static IReadOnlyList<string> SplitNeeds(string needs) =>
        needs.Length == 0 ? [] : needs.Split('\n');
}
