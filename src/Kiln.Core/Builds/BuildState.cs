namespace Kiln.Core.Builds;

/// <summary>A build as its state machine sees it (<see cref="BuildDecisions"/>).</summary>
public sealed record BuildState(long Id, BuildStatus Status, DateTime? StartedAt, DateTime? FinishedAt);

/// <summary>The latest attempt of one job of a build as its state machine sees it
/// (<see cref="BuildDecisions"/>); earlier attempts are history and take no part.</summary>
public sealed record JobState(long Id, string Name, IReadOnlyList<string> Needs, JobStatus Status)
{
    /// <summary>Waits in <see cref="JobStatus.Manual"/> for a person once its needs are met.</summary>
    public bool Manual { get; init; }

    /// <summary>A failure counts as success for its dependents and for the build's outcome.</summary>
    public bool AllowFailure { get; init; }

    public bool CancelRequested { get; init; }

    public DateTime? StartedAt { get; init; }

    public FailureReason? FailureReason { get; init; }

    public string? Message { get; init; }

    /// <summary>Set when a decision queues the job.</summary>
    public DateTime? QueuedAt { get; init; }

    /// <summary>Set when a decision ends the job.</summary>
    public DateTime? FinishedAt { get; init; }

    /// <summary>The status its dependents and the build's outcome see: a job allowed to fail counts as succeeded.</summary>
    public JobStatus Effective => AllowFailure && Status is JobStatus.Failed or JobStatus.TimedOut ? JobStatus.Succeeded : Status;
}

/// <summary>One job that a decision changed: its status, or (a running job asked to cancel) its flag.</summary>
public sealed record JobChange(JobState Before, JobState After)
{
    public bool StatusChanged => Before.Status != After.Status;

    /// <summary>The job ended without running, so its steps are skipped.</summary>
    public bool EndedUnstarted => StatusChanged && StatusRules.IsTerminal(After.Status) && Before.Status != JobStatus.Running;
}

/// <summary>The build's own change: a status, start or finish.</summary>
public sealed record BuildChange(BuildState Before, BuildState After);

/// <summary>What a decision changed: the jobs (in the build's job order) and the build, if anything.</summary>
public sealed record BuildDecision(IReadOnlyList<JobChange> Jobs, BuildChange? Build)
{
    /// <summary>Some job became queued, so agents should be woken.</summary>
    public bool AnyQueued => Jobs.Any(j => j.StatusChanged && j.After.Status == JobStatus.Queued);

    /// <summary>Running jobs asked to cancel: their agents must be told.</summary>
    public IEnumerable<JobState> CancelRequested => Jobs.Where(j => !j.StatusChanged && j.After.CancelRequested && !j.Before.CancelRequested).Select(j => j.After);
}
