using Kiln.Core.Builds;
using Kiln.Data;
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
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var build = await db.Builds.Include(b => b.Jobs).ThenInclude(j => j.Steps)
            .SingleOrDefaultAsync(b => b.Project!.Name == project && b.Number == number, cancellationToken);
        if (build is null)
        {
            return null;
        }

        if (StatusRules.IsTerminal(build.Status))
        {
            return build.Id;
        }

        var now = time.UtcNow();
        build.CancelRequested = true;
        var running = new List<long>();
        foreach (var job in build.Jobs.Where(j => j.IsLatest))
        {
            if (job.Status == JobStatus.Running)
            {
                job.CancelRequested = true;
                running.Add(job.Id);
            }
            else if (!StatusRules.IsTerminal(job.Status))
            {
                job.Status = JobStatus.Canceled;
                job.FailureReason = JobRetry.CanceledByUser;
                job.FinishedAt = now;
                foreach (var step in job.Steps)
                {
                    step.Status = StepStatus.Skipped;
                }
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await BuildProgress.AdvanceAsync(db, build.Id, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        foreach (var jobId in running)
        {
            notifier.Notify(ChangeNotifier.Cancel(jobId));
        }

        notifier.Notify(ChangeNotifier.Build(build.Id));
        return build.Id;
    }
}
