namespace Kiln.Contracts.Api;

/// <summary>A build with its jobs (DESIGN.md's resource shape). <c>Error</c> says why a build ended <c>error</c>.
/// <c>Trigger</c> says who and what made it; <c>NotBefore</c> is set while it is scheduled for a later time.</summary>
public sealed record BuildResource(
    long Id,
    string Project,
    int Number,
    string Status,
    string Event,
    string? Ref,
    string? Branch,
    string? Tag,
    string? Commit,
    string TriggeredBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    IReadOnlyDictionary<string, string> Inputs,
    IReadOnlyList<JobResource> Jobs,
    BuildTriggerResource? Trigger = null,
    DateTimeOffset? NotBefore = null);

/// <summary>Who and what made a build: the forge-verified actor (or user), the event, the forge and its
/// delivery id for a webhook, the pull request's number and base branch, and why a build was made
/// <c>skipped</c>.</summary>
public sealed record BuildTriggerResource(
    string Actor,
    string Event,
    string? Forge,
    string? DeliveryId,
    int? PullRequest,
    string? BaseBranch,
    string? SkipReason);

/// <summary>A job of a build (its latest attempt). <c>FailureReason</c> is one of script, timeout,
/// canceled_by_user, superseded, agent_lost, infrastructure when the job ended other than succeeded. <c>Message</c> says why a job ended the way it did when Kiln knows more than the status (an agent lost, a checkout that failed).
/// <c>QueuedSeconds</c> is how long the job waited in the queue before an agent took it (null until then).</summary>
public sealed record JobResource(
    long Id,
    string Name,
    string Status,
    IReadOnlyDictionary<string, string>? Matrix,
    IReadOnlyList<string> Needs,
    string? Agent,
    DateTimeOffset? QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    long LogBytes,
    IReadOnlyList<StepResource> Steps,
    string? Message = null,
    int Attempt = 1,
    string? FailureReason = null,
    IReadOnlyList<JobAttemptResource>? PreviousAttempts = null,
    double? QueuedSeconds = null);

/// <summary>An earlier attempt of a job (a retry or rerun replaced it); its log stays readable by its <c>id</c>.</summary>
public sealed record JobAttemptResource(long Id, int Attempt, string Status, string? FailureReason, string? Message, string? Agent, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

public sealed record StepResource(string Name, string Status, int? ExitCode, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

/// <summary>Body of <c>POST /api/v1/projects/{project}/builds</c>. <c>Ref</c> defaults to the project's default
/// branch. <c>Event</c> is <c>api</c> (the default) or <c>manual</c> (a person: the CLI and the UI send it).</summary>
public sealed record CreateBuildRequest(string? Ref, IReadOnlyDictionary<string, string>? Inputs, string? Event = null);
