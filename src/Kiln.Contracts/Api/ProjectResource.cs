namespace Kiln.Contracts.Api;

/// <summary>A project as the public API shows it. <c>Repo</c> is null for task-only projects. The queue
/// settings: <c>CooldownSeconds</c> a push build waits before it may start (0: none),
/// <c>MaxRunningBuilds</c> at most this many builds run at once (null: no limit), and <c>Weight</c> the
/// project's share of the agents against other projects with queued work (1 = equal).</summary>
public sealed record ProjectResource(
    string Name,
    string? Repo,
    string DefaultBranch,
    BuildSummary? LastBuild,
    DateTimeOffset CreatedAt,
    int CooldownSeconds,
    int? MaxRunningBuilds,
    int Weight);

/// <summary>The few fields of a build that lists and <c>lastBuild</c> need.</summary>
public sealed record BuildSummary(long Id, int Number, string Status, string? Ref, string? Commit, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>Body of <c>POST /api/v1/projects</c>: either <c>Repo</c> (repo-backed) or <c>Pipeline</c> (task-only YAML).
/// The queue settings are optional; null means the default (no cooldown, no limit, weight 1).</summary>
public sealed record CreateProjectRequest(
    string? Name,
    string? Repo,
    string? DefaultBranch,
    string? Pipeline,
    int? CooldownSeconds = null,
    int? MaxRunningBuilds = null,
    int? Weight = null);

/// <summary>The fields a <c>PATCH /api/v1/projects/{project}</c> body (a JSON merge patch, RFC 7396) may
/// set. A field left out stays as it is; <c>maxRunningBuilds: null</c> removes the limit. <c>pipeline</c>
/// replaces a task-only project's pipeline (a repository-backed one reads its own from the repository).</summary>
public static class ProjectPatchFields
{
    public const string DefaultBranch = "defaultBranch";
    public const string CooldownSeconds = "cooldownSeconds";
    public const string MaxRunningBuilds = "maxRunningBuilds";
    public const string Weight = "weight";
    public const string Pipeline = "pipeline";

    public static IReadOnlyList<string> All { get; } = [DefaultBranch, CooldownSeconds, MaxRunningBuilds, Weight, Pipeline];
}
