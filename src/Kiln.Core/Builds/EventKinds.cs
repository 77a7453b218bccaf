namespace Kiln.Core.Builds;

/// <summary>The kinds of the event log's entries: one per state change, named for what changed.</summary>
public static class EventKinds
{
    /// <summary>A build was made and waits for agents (a build made already ended, <c>error</c>, is only <see cref="BuildFinished"/>).</summary>
    public const string BuildQueued = "build.queued";

    /// <summary>The build's first job was leased.</summary>
    public const string BuildStarted = "build.started";

    /// <summary>A person (or a newer build, failure reason <c>superseded</c>) asked to cancel the build.</summary>
    public const string BuildCanceling = "build.canceling";

    /// <summary>Every job ended; the status is the build's outcome.</summary>
    public const string BuildFinished = "build.finished";

    /// <summary>A job's needs were met (or a person approved it) and it waits for an agent.</summary>
    public const string JobQueued = "job.queued";

    /// <summary>A job's needs were met and it waits for a person to approve it.</summary>
    public const string JobManual = "job.manual";

    /// <summary>An agent leased the job.</summary>
    public const string JobStarted = "job.started";

    /// <summary>The job ended: succeeded, failed, canceled, timed out, lost, skipped or error.</summary>
    public const string JobFinished = "job.finished";

    /// <summary>A new attempt of a job that ended was queued (its <c>retry</c> policy); the event names the new attempt.</summary>
    public const string JobRetried = "job.retried";

    public const string StepStarted = "step.started";

    public const string StepFinished = "step.finished";

    /// <summary>An agent stopped renewing the lease of the job named: the job ended <c>lost</c>.</summary>
    public const string AgentLost = "agent.lost";

    /// <summary>Every kind, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        BuildQueued, BuildStarted, BuildCanceling, BuildFinished, JobQueued, JobManual, JobStarted, JobFinished, JobRetried,
        StepStarted, StepFinished, AgentLost,
    ];

    /// <summary>The kind of a job's change to <paramref name="status"/>; null for a status with no event of its own.</summary>
    public static string? ForJob(JobStatus status) => status switch
    {
        JobStatus.Queued => JobQueued,
        JobStatus.Manual => JobManual,
        JobStatus.Running => JobStarted,
        _ when StatusRules.IsTerminal(status) => JobFinished,
        _ => null,
    };
}
