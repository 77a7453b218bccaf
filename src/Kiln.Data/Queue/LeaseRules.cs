using System.Linq.Expressions;
using Kiln.Core.Builds;
using Kiln.Data.Entities;

namespace Kiln.Data.Queue;

/// <summary>Which queued jobs may be leased now, and in which order. The pick and the fenced claim's
/// re-check use the same predicate, so they cannot drift apart.</summary>
internal static class LeaseRules
{
    /// <summary>A queued job that nothing holds back: its cooldown is over, no running job holds its
    /// concurrency group, and its project is under its running-build limit (a job of a build that is
    /// already running always may go on, or a limit could stall a build halfway).</summary>
    public static Expression<Func<JobEntity, bool>> Leasable(KilnDbContext db, DateTime now) =>
        j => j.Status == JobStatus.Queued
            && (j.NotBefore == null || j.NotBefore <= now)
            && (j.ConcurrencyGroup == null || !db.Jobs.Any(r => r.ConcurrencyGroup == j.ConcurrencyGroup && r.Status == JobStatus.Running))
            && (db.Projects.Any(p => p.Id == j.ProjectId
                    && (p.MaxRunningBuilds == null || db.Builds.Count(b => b.ProjectId == p.Id && b.Status == BuildStatus.Running) < p.MaxRunningBuilds))
                || db.Builds.Any(b => b.Id == j.BuildId && b.Status == BuildStatus.Running));

    /// <summary>Leasable jobs with one of the <paramref name="runnable"/> runs-on values, best first:
    /// priority class; then fairness between projects; then the oldest job. Only each project's first
    /// leasable job is a candidate, found by walking the (status, project, priority, id) index, so a
    /// lease costs the same with 10 or 10,000 queued jobs.
    /// <para>Fairness is start-time fair queueing: a project's key is max(its finish tag, the largest
    /// start tag of any project), so a project that was idle starts level with the busiest one instead of
    /// cashing in credit, and a lease advances its project's tags by 1/weight (<see cref="EfJobQueue"/>).</para></summary>
    /// <param name="passedOver">Jobs to leave out: those another server held locked at the last try.</param>
    public static IQueryable<LeaseCandidate> Candidates(KilnDbContext db, IReadOnlyCollection<string> runnable, IReadOnlyCollection<long> passedOver, DateTime now)
    {
        var leasable = Leasable(db, now);
        var heads = db.Jobs
            .Where(j => j.Status == JobStatus.Queued)
            .Select(j => j.ProjectId)
            .Distinct()
            .Select(projectId => db.Jobs
                .Where(j => j.ProjectId == projectId && runnable.Contains(j.RunsOn) && !passedOver.Contains(j.Id))
                .Where(leasable)
                .OrderBy(j => j.Priority).ThenBy(j => j.Id)
                .Select(j => (long?)j.Id)
                .FirstOrDefault());
        return db.Jobs
            .Where(j => heads.Contains(j.Id))
            .Join(db.Projects, j => j.ProjectId, p => p.Id, (j, p) => new { j.Id, j.BuildId, j.ProjectId, j.Priority, p.FairFinishTag, VirtualTime = db.Projects.Max(q => q.FairStartTag) })
            .OrderBy(x => x.Priority)
            .ThenBy(x => x.FairFinishTag > x.VirtualTime ? x.FairFinishTag : x.VirtualTime)
            .ThenBy(x => x.Id)
            .Select(x => new LeaseCandidate(x.Id, x.BuildId, x.ProjectId));
    }
}

/// <summary>A job the lease may claim, with what the claim updates besides it.</summary>
internal sealed record LeaseCandidate(long JobId, long BuildId, long ProjectId);
