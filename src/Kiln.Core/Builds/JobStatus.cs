namespace Kiln.Core.Builds;

/// <summary>The status of a job. Wire names are the snake_case of the member (see <see cref="StatusNames"/>).</summary>
public enum JobStatus
{
    /// <summary>Its needs are not met yet.</summary>
    Waiting,

    /// <summary>Awaits a person to start it.</summary>
    Manual,
    Queued,
    Running,
    Succeeded,
    Failed,
    Canceled,
    TimedOut,

    /// <summary>Its agent vanished; the job may be queued again (retry).</summary>
    Lost,
    Skipped,

    /// <summary>Kiln or the infrastructure failed, not the user's commands.</summary>
    Error,
}
