namespace Kiln.Core.Builds;

/// <summary>
/// Which statuses are final and which changes of status are allowed. A status never
/// "transitions" to itself: <c>CanTransition(s, s)</c> is false, so a repeated report can be told
/// apart from a real change.
/// </summary>
public static class StatusRules
{
    /// <summary>
    /// Succeeded, Failed, Canceled, TimedOut, Lost, Skipped and Error are terminal. Lost is terminal
    /// (the build can end on it) yet may still go back to Queued when the job is retried.
    /// </summary>
    public static bool IsTerminal(JobStatus s) => s is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Canceled
        or JobStatus.TimedOut or JobStatus.Lost or JobStatus.Skipped or JobStatus.Error;

    public static bool IsTerminal(BuildStatus s) => s is BuildStatus.Succeeded or BuildStatus.Failed
        or BuildStatus.Canceled or BuildStatus.Error or BuildStatus.Skipped;

    public static bool IsTerminal(StepStatus s) => s is StepStatus.Succeeded or StepStatus.Failed
        or StepStatus.Canceled or StepStatus.TimedOut or StepStatus.Skipped;

    /// <summary>
    /// Waiting → Queued | Manual | Skipped | Canceled; Manual → Queued | Skipped | Canceled;
    /// Queued → Running | Canceled | Error; Running → Succeeded | Failed | Canceled | TimedOut | Lost | Error;
    /// Lost → Queued (retry). Every other terminal status is final.
    /// </summary>
    public static bool CanTransition(JobStatus from, JobStatus to) => from switch
    {
        JobStatus.Waiting => to is JobStatus.Queued or JobStatus.Manual or JobStatus.Skipped or JobStatus.Canceled,
        JobStatus.Manual => to is JobStatus.Queued or JobStatus.Skipped or JobStatus.Canceled,
        JobStatus.Queued => to is JobStatus.Running or JobStatus.Canceled or JobStatus.Error,
        JobStatus.Running => to is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Canceled
            or JobStatus.TimedOut or JobStatus.Lost or JobStatus.Error,
        JobStatus.Lost => to is JobStatus.Queued,
        _ => false,
    };

    /// <summary>
    /// Queued → Running | Succeeded | Canceled | Error (a build whose every job was skipped ends
    /// without running); Running → Succeeded | Failed | Canceled | Error. Terminal statuses are final.
    /// </summary>
    public static bool CanTransition(BuildStatus from, BuildStatus to) => from switch
    {
        BuildStatus.Queued => to is BuildStatus.Running or BuildStatus.Succeeded or BuildStatus.Canceled or BuildStatus.Error,
        BuildStatus.Running => to is BuildStatus.Succeeded or BuildStatus.Failed or BuildStatus.Canceled or BuildStatus.Error,
        _ => false,
    };

    /// <summary>
    /// Pending → Running | Skipped | Canceled; Running → Succeeded | Failed | Canceled | TimedOut.
    /// Terminal statuses are final.
    /// </summary>
    public static bool CanTransition(StepStatus from, StepStatus to) => from switch
    {
        StepStatus.Pending => to is StepStatus.Running or StepStatus.Skipped or StepStatus.Canceled,
        StepStatus.Running => to is StepStatus.Succeeded or StepStatus.Failed or StepStatus.Canceled or StepStatus.TimedOut,
        _ => false,
    };
}
