using Kiln.Contracts.Api;
using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Server.Builds;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Web;

/// <summary>What the dashboard shows across projects: the running builds, the latest builds, and the
/// events worth a person's attention.</summary>
public sealed class DashboardQueries(KilnDbContext db)
{
    private static readonly string[] MessageKinds = [EventKinds.BuildQueued, EventKinds.BuildStarted, EventKinds.BuildFinished, EventKinds.BuildCanceling, EventKinds.AgentLost];

    public async Task<IReadOnlyList<BuildResource>> RunningAsync(CancellationToken cancellationToken) =>
        (await WithJobs().Where(b => b.Status == BuildStatus.Running).OrderBy(b => b.Id).Take(50).ToListAsync(cancellationToken))
            .Select(BuildQueries.ToResource).ToList();

    public async Task<IReadOnlyList<BuildResource>> RecentAsync(int limit, CancellationToken cancellationToken) =>
        (await WithJobs().OrderByDescending(b => b.Id).Take(limit).ToListAsync(cancellationToken))
            .Select(BuildQueries.ToResource).ToList();

    /// <summary>The latest events that matter to people (builds queued, started, ended, canceled; agents lost), newest first.</summary>
    public async Task<IReadOnlyList<EventResource>> MessagesAsync(int limit, CancellationToken cancellationToken) =>
        (await db.Events.AsNoTracking().Where(e => MessageKinds.Contains(e.Kind)).OrderByDescending(e => e.Id).Take(limit).ToListAsync(cancellationToken))
            .Select(e => new EventResource(e.Id, e.At.AsUtc(), e.Kind, e.Project, e.BuildNumber, e.BuildId, e.Job, e.JobId, e.Step, e.Status, e.FailureReason, e.Actor))
            .ToList();

    /// <summary>The newest event's id, from which a page's live stream starts, so that nothing between the
    /// page's rendering and its stream's opening is missed.</summary>
    public async Task<long> LastEventIdAsync(CancellationToken cancellationToken) =>
        await db.Events.MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;

    private IQueryable<Data.Entities.BuildEntity> WithJobs() =>
        db.Builds.AsNoTracking().Include(b => b.Project).Include(b => b.Jobs).ThenInclude(j => j.Steps).AsSplitQuery();
}
