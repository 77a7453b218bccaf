using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Data.Queue;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Builds;

/// <summary>Cancels builds through the queue (<see cref="IJobQueue.CancelBuildAsync"/>): jobs not yet
/// started end <c>canceled</c> at once; running jobs are flagged and their agents told (they stop the
/// step and report <c>canceled</c>).</summary>
public sealed class BuildCanceler(KilnDbContext db, IJobQueue queue, ChangeNotifier notifier)
{
    /// <returns>The build's id, or null if there is no such build.</returns>
    public async Task<long?> CancelAsync(string project, int number, string actor, CancellationToken cancellationToken)
    {
        var buildId = await db.Builds.AsNoTracking()
            .Where(b => b.Project!.Name == project && b.Number == number)
            .Select(b => (long?)b.Id)
            .SingleOrDefaultAsync(cancellationToken);
        if (buildId is null)
        {
            return null;
        }

        await CancelAsync(buildId.Value, FailureReason.CanceledByUser, actor, onlyIfNothingStarted: false, cancellationToken);
        return buildId;
    }

    /// <summary>Cancels build <paramref name="buildId"/> and wakes whoever waits on it: the agents of its
    /// running jobs, the build's followers, and the queue if a build slot was freed.</summary>
    public async Task<CancelOutcome?> CancelAsync(long buildId, FailureReason reason, string actor, bool onlyIfNothingStarted, CancellationToken cancellationToken)
    {
        var outcome = await queue.CancelBuildAsync(buildId, reason, actor, onlyIfNothingStarted, cancellationToken);
        if (outcome is not { Canceled: true })
        {
            return outcome;
        }

        foreach (var jobId in outcome.RunningJobs)
        {
            notifier.Notify(ChangeNotifier.Cancel(jobId));
        }

        notifier.Notify(ChangeNotifier.Build(buildId));
        if (StatusRules.IsTerminal(outcome.BuildStatus))
        {
            notifier.Notify(ChangeNotifier.Work);
        }

        return outcome;
    }
}
