namespace Kiln.Contracts.Api;

/// <summary>A project as the public API shows it. <c>Repo</c> is null for task-only projects. The queue
/// settings: <c>CooldownSeconds</c> a push build waits before it may start (0: none),
/// <c>MaxRunningBuilds</c> at most this many builds run at once (null: no limit), and <c>Weight</c> the
/// project's share of the agents against other projects with queued work (1 = equal). <c>Triggers</c>
/// holds the webhook, polling and commit-status settings; secrets only show whether they are set.</summary>
public sealed record ProjectResource(
    string Name,
    string? Repo,
    string DefaultBranch,
    BuildSummary? LastBuild,
    DateTimeOffset CreatedAt,
    int CooldownSeconds,
    int? MaxRunningBuilds,
    int Weight,
    ProjectTriggerSettings? Triggers = null);

/// <summary>A project's trigger settings as shown: <c>WebhookSecretSet</c> and <c>StatusTokenSet</c> say
/// whether the write-only secrets are set; <c>AllowedActors</c> null means anyone's pushes build;
/// <c>PollInterval</c> a duration such as <c>5m</c>, null for no polling; <c>Forge</c> and <c>ForgeApiUrl</c>
/// where statuses and hooks go (null: told from the repository URL).</summary>
public sealed record ProjectTriggerSettings(
    bool WebhookSecretSet,
    IReadOnlyList<string>? AllowedActors,
    string ForkPullRequests,
    string? PollInterval,
    string? Forge,
    string? ForgeApiUrl,
    bool StatusTokenSet,
    bool StatusPerJob,
    bool PullRequestComments);

/// <summary>The few fields of a build that lists and <c>lastBuild</c> need.</summary>
public sealed record BuildSummary(long Id, int Number, string Status, string? Ref, string? Commit, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>Body of <c>POST /api/v1/projects</c>: either <c>Repo</c> (repo-backed) or <c>Pipeline</c> (task-only YAML).
/// The settings are optional; null means the default (no cooldown, no limit, weight 1, no webhook secret,
/// anyone's pushes, forks build without secrets, no polling, no commit statuses).</summary>
public sealed record CreateProjectRequest(
    string? Name,
    string? Repo,
    string? DefaultBranch,
    string? Pipeline,
    int? CooldownSeconds = null,
    int? MaxRunningBuilds = null,
    int? Weight = null,
    string? WebhookSecret = null,
    IReadOnlyList<string>? AllowedActors = null,
    string? ForkPullRequests = null,
    string? PollInterval = null,
    string? Forge = null,
    string? ForgeApiUrl = null,
    string? StatusToken = null,
    bool? StatusPerJob = null,
    bool? PullRequestComments = null);

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
    public const string WebhookSecret = "webhookSecret";
    public const string AllowedActors = "allowedActors";
    public const string ForkPullRequests = "forkPullRequests";
    public const string PollInterval = "pollInterval";
    public const string Forge = "forge";
    public const string ForgeApiUrl = "forgeApiUrl";
    public const string StatusToken = "statusToken";
    public const string StatusPerJob = "statusPerJob";
    public const string PullRequestComments = "pullRequestComments";

    public static IReadOnlyList<string> All { get; } =
    [
        DefaultBranch, CooldownSeconds, MaxRunningBuilds, Weight, Pipeline, WebhookSecret, AllowedActors, ForkPullRequests,
        PollInterval, Forge, ForgeApiUrl, StatusToken, StatusPerJob, PullRequestComments,
    ];
}
