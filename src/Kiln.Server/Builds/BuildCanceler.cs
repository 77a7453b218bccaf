using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Data.Queue;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Builds;

/// <summary>Cancels a build: jobs not yet started end <c>canceled</c> at once; running jobs are
/// flagged and their agents told (they stop the step and report <c>canceled</c>).</summary>
public sealed class BuildCanceler(KilnDbContext db, ChangeNotifier notifier, TimeProvider time)
{
    /// <returns>The build's id, or null if there is no such build.</returns>
    public async Task<long?> CancelAsync(string project, int number, CancellationToken cancellationToken)
    {
        var (buildId, running) = await ConflictRetry.RunAsync(db, async ct =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var build = await db.Builds.Include(b => b.Jobs).ThenInclude(j => j.Steps)
                .SingleOrDefaultAsync(b => b.Project!.Name == project && b.Number == number, ct);
            if (build is null || StatusRules.IsTerminal(build.Status))
            {
                return (build?.Id, new List<long>());
            }

            var now = time.UtcNow();
            var flagged = CancelJobs(build, JobRetry.CanceledByUser, now);
            await db.SaveChangesAsync(ct);
            await BuildProgress.AdvanceAsync(db, build.Id, now, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return ((long?)build.Id, flagged);
        }, cancellationToken);
        if (buildId is null)
        {
            return null;
        }

        foreach (var jobId in running)
        {
            notifier.Notify(ChangeNotifier.Cancel(jobId));
        }

        notifier.Notify(ChangeNotifier.Build(buildId.Value));
        return buildId;
    }

    /// <summary>Marks a build (loaded with its jobs and their steps, tracked) canceled for
    /// <paramref name="reason"/>: jobs not yet started end <c>canceled</c>; running jobs are flagged
    /// (a <c>superseded</c> one keeps that reason when its agent reports it canceled). The caller saves,
    /// advances the build (<see cref="BuildProgress.AdvanceAsync"/>) and tells the agents of the
    /// returned running jobs.</summary>
    internal static List<long> CancelJobs(BuildEntity build, string reason, DateTime now)
    {
        build.CancelRequested = true;
        var running = new List<long>();
        foreach (var job in build.Jobs.Where(j => j.IsLatest))
        {
            if (job.Status == JobStatus.Running)
            {
                job.CancelRequested = true;
                if (reason == JobRetry.Superseded)
                {
                    job.FailureReason = reason;
                }

                running.Add(job.Id);
            }
            else if (!StatusRules.IsTerminal(job.Status))
            {
                job.Status = JobStatus.Canceled;
                job.FailureReason = reason;
                job.FinishedAt = now;
                foreach (var step in job.Steps)
                {
                    step.Status = StepStatus.Skipped;
                }
            }
        }

        return running;
    }
}
