using Kiln.Contracts.Api;
using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Builds;

/// <summary>Lets a person release a <c>manual</c> job to the queue.</summary>
public sealed class JobApprover(KilnDbContext db, BuildQueries queries, ChangeNotifier notifier, TimeProvider time)
{
    public async Task<(JobResource? Job, ProblemHttpResult? Problem)> ApproveAsync(string project, int number, string job, CancellationToken cancellationToken)
    {
        var found = await queries.FindJobAsync(project, number, job, cancellationToken);
        if (found is null)
        {
            return (null, Problems.NotFound($"Build {project}#{number} has no job '{job}'."));
        }

        // Fenced on the status, so two approvals (or an approval racing a cancel) change it once.
        var now = time.UtcNow();
        var changed = await db.Jobs.Where(j => j.Id == found.Id && j.Status == JobStatus.Manual)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Queued).SetProperty(j => j.QueuedAt, now), cancellationToken);
        if (changed == 0)
        {
            return (null, Problems.Conflict($"Job '{found.Name}' of {project}#{number} is {StatusNames.ToWire(found.Status)}, not waiting for approval."));
        }

        notifier.Notify(ChangeNotifier.Work);
        return (await queries.GetJobAsync(project, number, found.Name, cancellationToken), null);
    }
}
