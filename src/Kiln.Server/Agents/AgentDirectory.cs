using System.Globalization;
using Kiln.Contracts.Api;
using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Server.AgentApi;
using Kiln.Server.Auth;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Agents;

/// <summary>The agents as people see and manage them. An agent is <c>offline</c> when it has not been seen
/// (lease poll, heartbeat, hello) for two lease times. Agents are found by id or, failing that, by name.</summary>
public sealed class AgentDirectory(KilnDbContext db, TokenCache tokens, TimeProvider time, IOptions<KilnServerOptions> options)
{
    public async Task<IReadOnlyList<AgentResource>> ListAsync(CancellationToken cancellationToken)
    {
        var agents = await db.Agents.AsNoTracking().OrderBy(a => a.Name).ToListAsync(cancellationToken);
        return await ToResourcesAsync(agents, cancellationToken);
    }

    public async Task<AgentResource?> GetAsync(string idOrName, CancellationToken cancellationToken) =>
        await FindAsync(idOrName, cancellationToken) is { } agent ? (await ToResourcesAsync([agent], cancellationToken))[0] : null;

    /// <summary>A paused agent finishes what it runs and takes nothing new until resumed; null if there is no such agent.</summary>
    public async Task<AgentResource?> SetPausedAsync(string idOrName, bool paused, CancellationToken cancellationToken)
    {
        if (await FindAsync(idOrName, cancellationToken) is not { } agent)
        {
            return null;
        }

        await db.Agents.Where(a => a.Id == agent.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Paused, paused), cancellationToken);
        agent.Paused = paused;
        return (await ToResourcesAsync([agent], cancellationToken))[0];
    }

    /// <summary>Deletes the agent and, with it, its tokens: its next request is refused. Jobs it runs keep
    /// their lease until it expires, then the reaper marks them lost (and retries them as their policy says).</summary>
    public async Task<bool> RemoveAsync(string idOrName, CancellationToken cancellationToken)
    {
        if (await FindAsync(idOrName, cancellationToken) is not { } agent)
        {
            return false;
        }

        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.ApiTokens.Where(t => t.AgentId == agent.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Agents.Where(a => a.Id == agent.Id).ExecuteDeleteAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        tokens.Invalidate();
        return true;
    }

    private async Task<AgentEntity?> FindAsync(string idOrName, CancellationToken cancellationToken)
    {
        if (long.TryParse(idOrName, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken) is { } byId)
        {
            return byId;
        }

        return await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Name == idOrName, cancellationToken);
    }

    private async Task<IReadOnlyList<AgentResource>> ToResourcesAsync(IReadOnlyList<AgentEntity> agents, CancellationToken cancellationToken)
    {
        var ids = agents.Select(a => a.Id).ToList();
        var running = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Running && j.AgentId != null && ids.Contains(j.AgentId.Value))
            .OrderBy(j => j.Id)
            .Select(j => new { AgentId = j.AgentId!.Value, Project = j.Build!.Project!.Name, Build = j.Build!.Number, j.Name })
            .ToListAsync(cancellationToken);
        var onlineSince = time.UtcNow() - TimeSpan.FromSeconds(2 * options.Value.LeaseSeconds);
        return agents.Select(a =>
        {
            var jobs = running.Where(j => j.AgentId == a.Id).Select(j => new AgentJobResource(j.Project, j.Build, j.Name)).ToList();
            var status = a.LastSeenAt is not { } seen || seen < onlineSince ? "offline"
                : a.Paused ? "paused"
                : jobs.Count > 0 ? "busy"
                : "idle";
            return new AgentResource(a.Id, a.Name, AgentRegistration.SplitLabels(a.Labels), a.Slots, a.Version, a.Os, status,
                a.LastSeenAt.AsUtc(), jobs, a.FreeDiskBytes, a.LoadAverage);
        }).ToList();
    }
}
