using Kiln.Core.Triggers;
using System.Text.RegularExpressions;
using Kiln.Contracts.Api;
using Kiln.Core.Builds;
using Kiln.Core.Pipelines;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Projects;

/// <summary>Why a project could not be added or changed: a message, and the pipeline problems if any.</summary>
public sealed record ProjectRejection(string Message, IReadOnlyList<string> Errors);

public sealed partial class ProjectService(KilnDbContext db, GitMirror mirror, ChangeNotifier notifier, TimeProvider time)
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();

    public async Task<(ProjectResource? Project, ProjectRejection? Rejection)> AddAsync(CreateProjectRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || !NamePattern().IsMatch(request.Name))
        {
            return Reject($"'name' must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit; got '{request.Name}'.");
        }

        var branch = string.IsNullOrWhiteSpace(request.DefaultBranch) ? "main" : request.DefaultBranch.Trim();
        ForkPolicy? fork = null;
        int? pollSeconds = null;
        Forge? forge = null;
        var settings = new[]
        {
            ProjectSettings.CheckDefaultBranch(branch),
            request.CooldownSeconds is { } cooldown ? ProjectSettings.CheckCooldownSeconds(cooldown) : null,
            ProjectSettings.CheckMaxRunningBuilds(request.MaxRunningBuilds),
            request.Weight is { } weight ? ProjectSettings.CheckWeight(weight) : null,
            request.WebhookSecret is { } secret ? ProjectSettings.CheckWebhookSecret(secret) : null,
            request.AllowedActors is { } actors ? ProjectSettings.CheckAllowedActors(actors) : null,
            request.ForkPullRequests is { } forkText ? ProjectSettings.CheckForkPullRequests(forkText, out fork) : null,
            request.PollInterval is { } poll ? ProjectSettings.CheckPollInterval(poll, out pollSeconds) : null,
            request.Forge is { } forgeText ? ProjectSettings.CheckForge(forgeText, out forge) : null,
            request.ForgeApiUrl is { } apiUrl ? ProjectSettings.CheckForgeApiUrl(apiUrl) : null,
            request.StatusToken is { } token ? ProjectSettings.CheckStatusToken(token) : null,
        }.OfType<string>().ToList();
        if (settings.Count > 0)
        {
            return (null, new ProjectRejection(string.Join(" ", settings), settings.Count > 1 ? settings : []));
        }

        var hasRepo = !string.IsNullOrWhiteSpace(request.Repo);
        var hasPipeline = request.Pipeline is not null;
        if (hasRepo == hasPipeline)
        {
            return Reject("Give exactly one of 'repo' (a git URL or absolute path) or 'pipeline' (the YAML of a task-only project).");
        }

        if (await db.Projects.AnyAsync(p => p.Name == request.Name, cancellationToken))
        {
            return Reject($"A project named '{request.Name}' already exists.");
        }

        if (hasPipeline && CheckPipeline(request.Pipeline!) is { } invalid)
        {
            return (null, invalid);
        }

        var repo = request.Repo?.Trim();
        if (repo is not null)
        {
            if (!LooksLikeUrl(repo) && !Path.IsPathRooted(repo))
            {
                return Reject($"'repo' must be a git URL or an absolute path; got '{repo}'.");
            }

            if (await mirror.CheckReadableAsync(repo, cancellationToken) is { } complaint)
            {
                return Reject($"The repository '{repo}' cannot be read: {complaint}");
            }
        }

        var project = new ProjectEntity
        {
            FairShare = new(),
            Name = request.Name,
            RepoUrl = repo,
            DefaultBranch = branch,
            PipelineYaml = request.Pipeline,
            CreatedAt = time.UtcNow(),
            CooldownSeconds = request.CooldownSeconds ?? 0,
            MaxRunningBuilds = request.MaxRunningBuilds,
            Weight = request.Weight ?? 1,
            WebhookSecret = request.WebhookSecret,
            AllowedActors = JoinActors(request.AllowedActors),
            ForkPullRequests = fork ?? ForkPolicy.BuildWithoutSecrets,
            PollIntervalSeconds = pollSeconds,
            Forge = forge,
            ForgeApiUrl = request.ForgeApiUrl,
            StatusToken = request.StatusToken,
            StatusPerJob = request.StatusPerJob ?? false,
            PullRequestComments = request.PullRequestComments ?? false,
        };
        db.Projects.Add(project);
        await db.SaveChangesAsync(cancellationToken);
        string? cloneError;
        try
        {
            cloneError = repo is null ? null : await mirror.CreateAsync(project.Id, repo, cancellationToken);
        }
        catch (GitUnavailableException)
        {
            // git went missing since the check above: no half-added project either.
            await RemoveRowAsync(project);
            throw;
        }

        if (cloneError is not null)
        {
            // No half-added project: the row goes if its mirror could not be made.
            await RemoveRowAsync(project);
            return Reject($"The repository '{repo}' could not be mirrored: {cloneError}");
        }

        return (ToResource(project, null), null);

        static (ProjectResource?, ProjectRejection?) Reject(string message) => (null, new ProjectRejection(message, []));
    }

    public async Task<IReadOnlyList<ProjectResource>> ListAsync(CancellationToken cancellationToken)
    {
        var projects = await db.Projects.AsNoTracking().OrderBy(p => p.Name).ToListAsync(cancellationToken);
        var result = new List<ProjectResource>(projects.Count);
        foreach (var p in projects)
        {
            result.Add(ToResource(p, await LastBuildAsync(p.Id, cancellationToken)));
        }

        return result;
    }

    public async Task<ProjectResource?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Name == name, cancellationToken);
        return project is null ? null : ToResource(project, await LastBuildAsync(project.Id, cancellationToken));
    }

    /// <summary>Applies a checked patch; null when there is no such project. A new pipeline is refused for a
    /// repository-backed project and checked like a new project's; when it is refused nothing changes.</summary>
    public async Task<(ProjectResource? Project, ProjectRejection? Rejection)?> UpdateAsync(string name, ProjectPatch patch, CancellationToken cancellationToken)
    {
        var project = await db.Projects.SingleOrDefaultAsync(p => p.Name == name, cancellationToken);
        if (project is null)
        {
            return null;
        }

        if (patch.Pipeline is { } yaml)
        {
            if (project.RepoUrl is not null)
            {
                return (null, new ProjectRejection(
                    $"'pipeline' cannot be set for '{name}': it is a repository-backed project, whose pipeline is read from .kiln.yml in the repository at the commit being built. Change .kiln.yml there instead.", []));
            }

            if (CheckPipeline(yaml) is { } invalid)
            {
                return (null, invalid);
            }

            // Builds already made keep the plan they were made with; the next one reads this.
            project.PipelineYaml = yaml;
        }

        var queueSettings = (project.CooldownSeconds, project.MaxRunningBuilds, project.Weight);
        project.DefaultBranch = patch.DefaultBranch ?? project.DefaultBranch;
        project.CooldownSeconds = patch.CooldownSeconds ?? project.CooldownSeconds;
        project.MaxRunningBuilds = patch.MaxRunningBuilds is { } limit ? limit.Value : project.MaxRunningBuilds;
        project.Weight = patch.Weight ?? project.Weight;
        project.WebhookSecret = patch.WebhookSecret is { } secret ? secret.Value : project.WebhookSecret;
        project.AllowedActors = patch.AllowedActors is { } actors ? JoinActors(actors.Value) : project.AllowedActors;
        project.ForkPullRequests = patch.ForkPullRequests ?? project.ForkPullRequests;
        project.PollIntervalSeconds = patch.PollIntervalSeconds is { } poll ? poll.Value : project.PollIntervalSeconds;
        project.Forge = patch.Forge is { } forge ? forge.Value : project.Forge;
        project.ForgeApiUrl = patch.ForgeApiUrl is { } apiUrl ? apiUrl.Value : project.ForgeApiUrl;
        project.StatusToken = patch.StatusToken is { } token ? token.Value : project.StatusToken;
        project.StatusPerJob = patch.StatusPerJob ?? project.StatusPerJob;
        project.PullRequestComments = patch.PullRequestComments ?? project.PullRequestComments;
        // Only the columns that changed are written, so a lease updating the project's fair-share tags
        // at the same time loses nothing.
        await db.SaveChangesAsync(cancellationToken);
        if (queueSettings != (project.CooldownSeconds, project.MaxRunningBuilds, project.Weight))
        {
            // A raised or removed limit can make a queued job leasable now: wake the waiting agents.
            notifier.Notify(ChangeNotifier.Work);
        }

        return (ToResource(project, await LastBuildAsync(project.Id, cancellationToken)), null);
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        var project = await db.Projects.SingleOrDefaultAsync(p => p.Name == name, cancellationToken);
        if (project is null)
        {
            return false;
        }

        db.Projects.Remove(project);
        await db.SaveChangesAsync(cancellationToken);
        mirror.Remove(project.Id);
        return true;
    }

    /// <summary>A task-only project's pipeline, checked alike when it is added and when it is replaced;
    /// errors are <c>pipeline:line:column: message</c>.</summary>
    private static ProjectRejection? CheckPipeline(string yaml)
    {
        var parsed = PipelineParser.Parse(yaml, "pipeline");
        return parsed.Success ? null : new ProjectRejection("The pipeline is not valid.", parsed.Errors.Select(e => e.ToString()).ToList());
    }

    private async Task RemoveRowAsync(ProjectEntity project)
    {
        db.Projects.Remove(project);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private async Task<BuildSummary?> LastBuildAsync(long projectId, CancellationToken cancellationToken)
    {
        var b = await db.Builds.AsNoTracking()
            .Where(b => b.ProjectId == projectId)
            .OrderByDescending(b => b.Number)
            .FirstOrDefaultAsync(cancellationToken);
        return b is null ? null : new BuildSummary(b.Id, b.Number, StatusNames.ToWire(b.Status), b.Ref, b.Commit, b.CreatedAt.AsUtc(), b.FinishedAt.AsUtc());
    }

    private static ProjectResource ToResource(ProjectEntity p, BuildSummary? last) =>
        new(p.Name, p.RepoUrl, p.DefaultBranch, last, p.CreatedAt.AsUtc(), p.CooldownSeconds, p.MaxRunningBuilds, p.Weight,
            new ProjectTriggerSettings(
                p.WebhookSecret is not null,
                SplitActors(p.AllowedActors),
                p.ForkPullRequests.ToWire(),
                p.PollIntervalSeconds is { } poll ? DurationParser.FormatSeconds(poll) : null,
                p.Forge?.ToWire(),
                p.ForgeApiUrl,
                p.StatusToken is not null,
                p.StatusPerJob,
                p.PullRequestComments));

    /// <summary>The stored form of <c>allowedActors</c>: one name per line; null (or none) for anyone.</summary>
    private static string? JoinActors(IReadOnlyList<string>? actors) => actors is { Count: > 0 } ? string.Join('\n', actors.Distinct(StringComparer.Ordinal)) : null;

    /// <summary>The names of <c>allowedActors</c> as stored; null for anyone.</summary>
    public static IReadOnlyList<string>? SplitActors(string? stored) => stored?.Split('\n');

    private static bool LooksLikeUrl(string repo) =>
        repo.Contains("://", StringComparison.Ordinal) || Regex.IsMatch(repo, @"^[\w.-]+@[\w.-]+:");
}
