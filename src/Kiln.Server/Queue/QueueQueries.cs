using Kiln.Contracts.Api;
using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Data.Queue;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Queue;

/// <summary>The queue as people see it: every job not started yet, in lease order, with the reason it
/// waits, so a job no agent can ever take says so instead of waiting silently. (Lease order here is
/// priority class, then id; the per-project fair share of the real lease depends on the moment.)</summary>
public sealed class QueueQueries(KilnDbContext db, TimeProvider time, IOptions<KilnServerOptions> options)
{
    private const int Limit = 1000;

    public async Task<IReadOnlyList<QueuedJobResource>> ListAsync(CancellationToken cancellationToken)
    {
        var now = time.UtcNow();
        var onlineSince = now - TimeSpan.FromSeconds(2 * options.Value.LeaseSeconds);
        var agents = await db.Agents.AsNoTracking()
            .Where(a => !a.Paused && a.LastSeenAt >= onlineSince)
            .Select(a => new { a.Id, a.Labels, a.Slots })
            .ToListAsync(cancellationToken);
        var busy = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Running && j.AgentId != null)
            .GroupBy(j => j.AgentId)
            .Select(g => new { AgentId = g.Key!.Value, Count = g.Count() })
            .ToDictionaryAsync(g => g.AgentId, g => g.Count, cancellationToken);
        var jobs = await db.Jobs.AsNoTracking()
            .Where(j => j.IsLatest && (j.Status == JobStatus.Queued || j.Status == JobStatus.Waiting || j.Status == JobStatus.Manual))
            .OrderBy(j => j.Status == JobStatus.Queued ? 0 : 1).ThenBy(j => j.Priority).ThenBy(j => j.Id)
            .Take(Limit)
            .Select(j => new
            {
                j.Id, j.Name, j.Attempt, j.Status, j.RunsOn, j.Needs, j.QueuedAt, j.NotBefore, j.BuildId, j.ProjectId, j.ConcurrencyGroup,
                Created = j.Build!.CreatedAt, Build = j.Build!.Number, BuildStarted = j.Build!.Status == BuildStatus.Running, Project = j.Build!.Project!.Name,
            })
            .ToListAsync(cancellationToken);
        var fullProjects = await ProjectsAtLimitAsync(jobs.Where(j => !j.BuildStarted).Select(j => j.ProjectId).Distinct().ToList(), cancellationToken);
        var busyGroups = await BusyGroupsAsync(jobs.Where(j => j.Status == JobStatus.Queued && j.ConcurrencyGroup != null).Select(j => j.ConcurrencyGroup!).Distinct().ToList(), cancellationToken);
        var pendingNeeds = await PendingNeedsAsync(jobs.Where(j => j.Status == JobStatus.Waiting).Select(j => j.BuildId).Distinct().ToList(), cancellationToken);

        return jobs.Select(j =>
        {
            var labels = Split(j.RunsOn);
            var since = j.QueuedAt ?? j.Created;
            var reason = j.Status switch
            {
                JobStatus.Manual => "waiting for a person to approve it",
                JobStatus.Waiting => "waiting on needs: " + string.Join(", ", JobEntity.SplitNeeds(j.Needs).Where(n => pendingNeeds.Contains((j.BuildId, n)))),
                _ when j.NotBefore is { } until && until > now => $"cooldown until {until.AsUtc():yyyy-MM-ddTHH:mm:ssZ}",
                _ when j.ConcurrencyGroup is { } g && busyGroups.TryGetValue(g, out var holder) =>
                    $"concurrency group {ConcurrencyGroups.Name(g)} is busy ({holder})",
                _ when !j.BuildStarted && fullProjects.TryGetValue(j.ProjectId, out var limit) =>
                    $"project limit: {limit} running build{(limit == 1 ? "" : "s")}",
                _ => QueuedReason(labels, agents.Select(a => (Split(a.Labels), a.Slots - busy.GetValueOrDefault(a.Id))).ToList()),
            };
            return new QueuedJobResource(j.Id, j.Project, j.Build, j.Name, j.Attempt, StatusNames.ToWire(j.Status), labels, since.AsUtc(), (now - since).TotalSeconds, reason);
        }).ToList();
    }

    private static string QueuedReason(IReadOnlyList<string> wanted, IReadOnlyList<(IReadOnlyList<string> Labels, int FreeSlots)> agents)
    {
        var able = agents.Where(a => wanted.All(a.Labels.Contains)).ToList();
        if (able.Count == 0)
        {
            return wanted.Count == 0 ? "no agent is online" : $"no agent with labels {string.Join(", ", wanted)}";
        }

        return able.Any(a => a.FreeSlots > 0) ? "next for an agent" : "all agents that can run it are busy";
    }

    /// <summary>Of these projects, those running as many builds as their <c>maxRunningBuilds</c> allows, with that limit.</summary>
    private async Task<Dictionary<long, int>> ProjectsAtLimitAsync(IReadOnlyList<long> projectIds, CancellationToken cancellationToken)
    {
        var rows = await db.Projects.AsNoTracking()
            .Where(p => projectIds.Contains(p.Id) && p.MaxRunningBuilds != null
                && db.Builds.Count(b => b.ProjectId == p.Id && b.Status == BuildStatus.Running) >= p.MaxRunningBuilds)
            .Select(p => new { p.Id, Limit = p.MaxRunningBuilds!.Value })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Id, r => r.Limit);
    }

    /// <summary>Of these concurrency groups, those a running job holds, each with the build holding it as <c>project#N</c>.</summary>
    private async Task<Dictionary<string, string>> BusyGroupsAsync(IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        if (groups.Count == 0)
        {
            return [];
        }

        var rows = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Running && j.ConcurrencyGroup != null && groups.Contains(j.ConcurrencyGroup))
            .Select(j => new { Group = j.ConcurrencyGroup!, Project = j.Build!.Project!.Name, j.Build!.Number })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.Group, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => $"{r.Project}#{r.Number}").First(), StringComparer.Ordinal);
    }

    /// <summary>(build, job name) of latest attempts that have not succeeded yet, for "waiting on needs".</summary>
    private async Task<HashSet<(long, string)>> PendingNeedsAsync(IReadOnlyList<long> buildIds, CancellationToken cancellationToken)
    {
        var rows = await db.Jobs.AsNoTracking()
            .Where(j => buildIds.Contains(j.BuildId) && j.IsLatest && j.Status != JobStatus.Succeeded)
            .Select(j => new { j.BuildId, j.Name })
            .ToListAsync(cancellationToken);
        return rows.Select(r => (r.BuildId, r.Name)).ToHashSet();
    }

    private static IReadOnlyList<string> Split(string labels) => labels.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
