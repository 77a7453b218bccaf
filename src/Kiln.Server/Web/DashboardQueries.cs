using Kiln.Contracts.Api;
using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Web;

/// <summary>The dashboard's messages: the events worth a person's attention.</summary>
public sealed class DashboardQueries(KilnDbContext db)
{
    private static readonly string[] MessageKinds = [EventKinds.BuildQueued, EventKinds.BuildStarted, EventKinds.BuildFinished, EventKinds.BuildCanceling, EventKinds.AgentLost];

    /// <summary>The latest events that matter to people (builds queued, started, ended, canceled; agents lost), newest first.</summary>
    public async Task<IReadOnlyList<EventResource>> MessagesAsync(int limit, CancellationToken cancellationToken) =>
        (await db.Events.AsNoTracking().Where(e => MessageKinds.Contains(e.Kind)).OrderByDescending(e => e.Id).Take(limit).ToListAsync(cancellationToken))
            .Select(e => new EventResource(e.Id, e.At.AsUtc(), e.Kind, e.Project, e.BuildNumber, e.BuildId, e.Job, e.JobId, e.Step, e.Status, e.FailureReason, e.Actor))
            .ToList();
}
