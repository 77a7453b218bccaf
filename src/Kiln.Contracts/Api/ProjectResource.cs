namespace Kiln.Contracts.Api;

/// <summary>A project as the public API shows it. <c>Repo</c> is null for task-only projects.</summary>
public sealed record ProjectResource(
    string Name,
    string? Repo,
    string DefaultBranch,
    BuildSummary? LastBuild,
    DateTimeOffset CreatedAt);

/// <summary>The few fields of a build that lists and <c>lastBuild</c> need.</summary>
public sealed record BuildSummary(long Id, int Number, string Status, string? Ref, string? Commit, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>Body of <c>POST /api/v1/projects</c>: either <c>Repo</c> (repo-backed) or <c>Pipeline</c> (task-only YAML).</summary>
public sealed record CreateProjectRequest(string? Name, string? Repo, string? DefaultBranch, string? Pipeline);
