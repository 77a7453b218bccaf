namespace Kiln.Data.Queue;

/// <summary>A job just leased, with what an agent needs to run it: its own settings, its build's and
/// project's identity, and its steps in order.</summary>
public sealed record LeasedJob(
    long Id,
    long BuildId,
    string Name,
    int Attempt,
    string LeaseToken,
    DateTime LeaseExpiresAt,
    int? TimeoutSeconds,
    string EnvJson,
    string MatrixJson,
    string SpecJson,
    LeasedBuild Build,
    IReadOnlyList<LeasedStep> Steps);

/// <summary>The leased job's build and the name and repository of its project; a pull request's number
/// and base branch for <c>pull_request</c> builds.</summary>
public sealed record LeasedBuild(
    int Number,
    string Event,
    string? Ref,
    string? Branch,
    string? Tag,
    string? Commit,
    string TriggeredBy,
    string InputsJson,
    string ProjectName,
    string? RepoUrl,
    int? PullRequest = null,
    string? BaseBranch = null);

/// <summary>One step of a leased job.</summary>
public sealed record LeasedStep(
    int Index,
    string Name,
    string Run,
    string EnvJson,
    int? TimeoutSeconds,
    string Condition,
    bool ContinueOnError,
    string? WorkingDirectory,
    string? Shell);
