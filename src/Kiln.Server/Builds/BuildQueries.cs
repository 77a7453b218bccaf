using Kiln.Core.Triggers;
using System.Text.Json;
using Kiln.Contracts.Api;
using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Data.Queue;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Builds;

/// <summary>Reads builds and jobs for the API, in DESIGN.md's resource shapes.</summary>
public sealed class BuildQueries(KilnDbContext db)
{
    /// <summary>Builds with their project, every attempt of their jobs and the jobs' steps, read-only.</summary>
    private IQueryable<BuildEntity> BuildsWithJobs =>
        db.Builds.AsNoTracking()
            .Include(b => b.Project)
            .Include(b => b.Jobs).ThenInclude(j => j.Steps)
            .AsSplitQuery();

    public async Task<BuildResource?> GetAsync(string project, int number, CancellationToken cancellationToken)
    {
        var build = await BuildsWithJobs
            .SingleOrDefaultAsync(b => b.Project!.Name == project && b.Number == number, cancellationToken);
        return build is null ? null : ToResource(build);
    }

    public async Task<BuildResource?> GetByIdAsync(long buildId, CancellationToken cancellationToken)
    {
        var build = await BuildsWithJobs
            .SingleOrDefaultAsync(b => b.Id == buildId, cancellationToken);
        return build is null ? null : ToResource(build);
    }

    /// <summary>The running builds of every project, oldest first.</summary>
    public async Task<IReadOnlyList<BuildResource>> RunningAsync(int limit, CancellationToken cancellationToken) =>
        (await BuildsWithJobs.Where(b => b.Status == BuildStatus.Running).OrderBy(b => b.Id).Take(limit).ToListAsync(cancellationToken))
            .Select(ToResource).ToList();

    /// <summary>The latest builds of every project, newest first.</summary>
    public async Task<IReadOnlyList<BuildResource>> RecentAsync(int limit, CancellationToken cancellationToken) =>
        (await BuildsWithJobs.OrderByDescending(b => b.Id).Take(limit).ToListAsync(cancellationToken))
            .Select(ToResource).ToList();

    public async Task<IReadOnlyList<BuildResource>?> ListAsync(string project, int limit, CancellationToken cancellationToken)
    {
        var projectId = await db.Projects.Where(p => p.Name == project).Select(p => (long?)p.Id).SingleOrDefaultAsync(cancellationToken);
        if (projectId is null)
        {
            return null;
        }

        var builds = await BuildsWithJobs
            .Where(b => b.ProjectId == projectId)
            .OrderByDescending(b => b.Number)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return builds.Select(ToResource).ToList();
    }

    /// <summary>Finds a job of a build by name, or by id when <paramref name="job"/> is a number.</summary>
    public async Task<JobEntity?> FindJobAsync(string project, int number, string job, CancellationToken cancellationToken)
    {
        var buildId = await db.Builds.Where(b => b.Project!.Name == project && b.Number == number).Select(b => (long?)b.Id).SingleOrDefaultAsync(cancellationToken);
        if (buildId is null)
        {
            return null;
        }

        var jobs = db.Jobs.AsNoTracking().Include(j => j.Steps).Where(j => j.BuildId == buildId);
        return await jobs.SingleOrDefaultAsync(j => j.Name == job && j.IsLatest, cancellationToken)
            ?? (long.TryParse(job, out var id) ? await jobs.SingleOrDefaultAsync(j => j.Id == id, cancellationToken) : null);
    }

    /// <summary>A job (the latest attempt for a name; any attempt for an id) with its earlier attempts.</summary>
    public async Task<JobResource?> GetJobAsync(string project, int number, string job, CancellationToken cancellationToken)
    {
        var found = await FindJobAsync(project, number, job, cancellationToken);
        if (found is null)
        {
            return null;
        }

        var previous = await db.Jobs.AsNoTracking()
            .Where(j => j.BuildId == found.BuildId && j.Name == found.Name && j.Attempt < found.Attempt)
            .OrderBy(j => j.Attempt)
            .ToListAsync(cancellationToken);
        return ToResource(found, previous);
    }

    public static BuildResource ToResource(BuildEntity b) => new(
        b.Id,
        b.Project!.Name,
        b.Number,
        StatusNames.ToWire(b.Status),
        b.Event.ToWire(),
        b.Ref,
        b.Branch,
        b.Tag,
        b.Commit,
        b.TriggeredBy,
        b.CreatedAt.AsUtc(),
        b.StartedAt.AsUtc(),
        b.FinishedAt.AsUtc(),
        b.Error,
        JsonSerializer.Deserialize<Dictionary<string, string>>(b.InputsJson) ?? [],
        b.Jobs.Where(j => j.IsLatest).OrderBy(j => j.Ordinal)
            .Select(j => ToResource(j, b.Jobs.Where(o => o.Name == j.Name && !o.IsLatest).OrderBy(o => o.Attempt).ToList()))
            .ToList(),
        new BuildTriggerResource(b.TriggeredBy, b.Event.ToWire(), b.Forge?.ToWire(), b.DeliveryId, b.PullRequest, b.BaseBranch, b.SkipReason));

    public static JobResource ToResource(JobEntity j, IReadOnlyList<JobEntity>? previous = null) => new(
        j.Id,
        j.Name,
        StatusNames.ToWire(j.Status),
        JsonSerializer.Deserialize<Dictionary<string, string>>(j.MatrixJson) is { Count: > 0 } matrix ? matrix : null,
        JobEntity.SplitNeeds(j.Needs),
        j.AgentName,
        j.QueuedAt.AsUtc(),
        j.StartedAt.AsUtc(),
        j.FinishedAt.AsUtc(),
        j.LogBytes,
        j.Steps.OrderBy(s => s.Index)
            .Select(s => new StepResource(s.Name, StatusNames.ToWire(s.Status), s.ExitCode, s.StartedAt.AsUtc(), s.FinishedAt.AsUtc()))
            .ToList(),
        j.Message,
        j.Attempt,
        StatusNames.ToWire(j.FailureReason),
        previous?.Select(p => new JobAttemptResource(p.Id, p.Attempt, StatusNames.ToWire(p.Status), StatusNames.ToWire(p.FailureReason), p.Message, p.AgentName, p.StartedAt.AsUtc(), p.FinishedAt.AsUtc())).ToList() ?? [],
        j.StartedAt - j.QueuedAt is { } waited ? waited.TotalSeconds : null);
}
