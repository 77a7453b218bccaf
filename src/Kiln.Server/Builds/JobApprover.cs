using Kiln.Contracts.Api;
using Kiln.Core.Builds;
using Kiln.Data.Queue;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Builds;

/// <summary>Lets a person release a <c>manual</c> job to the queue.</summary>
public sealed class JobApprover(IJobQueue queue, BuildQueries queries, ChangeNotifier notifier)
{
    public async Task<(JobResource? Job, ProblemHttpResult? Problem)> ApproveAsync(string project, int number, string job, string actor, CancellationToken cancellationToken)
    {
        var found = await queries.FindJobAsync(project, number, job, cancellationToken);
        if (found is null)
        {
            return (null, Problems.NotFound($"Build {project}#{number} has no job '{job}'."));
        }

        if (!await queue.ApproveAsync(found.Id, actor, cancellationToken))
        {
            return (null, Problems.Conflict($"Job '{found.Name}' of {project}#{number} is {StatusNames.ToWire(found.Status)}, not waiting for approval."));
        }

        notifier.Notify(ChangeNotifier.Work);
        return (await queries.GetJobAsync(project, number, found.Name, cancellationToken), null);
    }
}
