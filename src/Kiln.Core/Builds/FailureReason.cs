namespace Kiln.Core.Builds;

/// <summary>Why a job ended other than succeeded. Wire names are the snake_case of the member
/// (<c>canceled_by_user</c>, see <see cref="StatusNames"/>).</summary>
public enum FailureReason
{
    /// <summary>A step's command failed.</summary>
    Script,

    /// <summary>The job or one of its steps ran past its timeout.</summary>
    Timeout,

    /// <summary>A person canceled the build.</summary>
    CanceledByUser,

    /// <summary>A newer build made this one pointless (same branch, or <c>concurrency.cancel-in-progress</c>).</summary>
    Superseded,

    /// <summary>The agent stopped renewing its lease.</summary>
    AgentLost,

    /// <summary>Kiln or the infrastructure failed, not the user's commands.</summary>
    Infrastructure,
}

/// <summary>The reason that goes with a job's ending.</summary>
public static class FailureReasons
{
    /// <summary>The reason for a job that ended <paramref name="status"/>; null for one that did not fail.</summary>
    public static FailureReason? For(JobStatus status, bool cancelRequested) => status switch
    {
        JobStatus.Failed => FailureReason.Script,
        JobStatus.TimedOut => FailureReason.Timeout,
        JobStatus.Canceled => cancelRequested ? FailureReason.CanceledByUser : FailureReason.Infrastructure,
        JobStatus.Lost => FailureReason.AgentLost,
        JobStatus.Error => FailureReason.Infrastructure,
        _ => null,
    };

    /// <summary>Whether a job's retry policy covers its ending with <paramref name="status"/>: the status is
    /// one of its <c>retry.on</c> values (wire names, comma-separated), nobody asked to cancel it, and
    /// attempts are left.</summary>
    public static bool RetryCovers(JobStatus status, string retryOn, bool cancelRequested, int attempt, int retryMax) =>
        retryOn.Split(',', StringSplitOptions.RemoveEmptyEntries).Contains(StatusNames.ToWire(status))
        && !cancelRequested && attempt <= retryMax;
}
