using Kiln.Core.Builds;

namespace Kiln.Data.Queue;

/// <summary>Failure reasons and automatic retries. A job that ends other than succeeded gets a typed
/// reason; if its retry policy covers the ending (by default one retry when its agent was lost,
/// never silently for a failing script), a new attempt row is queued beside it and the old one
/// stays, with its own log, as history.</summary>
public static class JobRetry
{
    public const string Script = "script";
    public const string Timeout = "timeout";
    public const string CanceledByUser = "canceled_by_user";
    public const string Superseded = "superseded";
    public const string AgentLost = "agent_lost";
    public const string Infrastructure = "infrastructure";

    public static string? ReasonFor(JobStatus status, bool cancelRequested) => status switch
    {
        JobStatus.Failed => Script,
        JobStatus.TimedOut => Timeout,
        JobStatus.Canceled => cancelRequested ? CanceledByUser : Infrastructure,
        JobStatus.Lost => AgentLost,
        JobStatus.Error => Infrastructure,
        _ => null,
    };

    /// <summary>Whether a job's retry policy covers its ending with <paramref name="status"/>: the status is
    /// one of its <c>retry.on</c> values, nobody asked to cancel it, and attempts are left.</summary>
    public static bool Covers(JobStatus status, string retryOn, bool cancelRequested, int attempt, int retryMax) =>
        retryOn.Split(',', StringSplitOptions.RemoveEmptyEntries).Contains(StatusNames.ToWire(status))
        && !cancelRequested && attempt <= retryMax;

    /// <summary>Queues attempt N+1 of job <paramref name="jobId"/>: a copy of its definition and steps,
    /// queued now, which becomes the latest attempt; the old row stays, with its own log, as history.</summary>
    internal static async Task QueueNextAttemptAsync(QueueSession session, long jobId, DateTime now, CancellationToken cancellationToken)
    {
        var next = await session.FirstOrDefaultAsync(
            $"""
            INSERT INTO jobs ("BuildId", "ProjectId", "Ordinal", "Name", "Attempt", "IsLatest", "Status", "Needs", "EnvJson",
              "TimeoutSeconds", "MatrixJson", "AllowFailure", "RunsOn", "RetryMax", "RetryOn", "Manual", "SpecJson", "Priority",
              "ConcurrencyGroup", "CancelRequested", "LogBytes", "NextLogSequence", "QueuedAt")
            SELECT "BuildId", "ProjectId", "Ordinal", "Name", "Attempt" + 1, "IsLatest", {SqlText.Literal(JobStatus.Queued)}, "Needs", "EnvJson",
              "TimeoutSeconds", "MatrixJson", "AllowFailure", "RunsOn", "RetryMax", "RetryOn", "Manual", "SpecJson", "Priority",
              "ConcurrencyGroup", "CancelRequested", 0, 0, @p0
            FROM jobs WHERE "Id" = @p1
            RETURNING "Id"
            """,
            [now, jobId], r => r.GetInt64(0), cancellationToken);
        await session.ExecuteAsync(
            $"""
            INSERT INTO steps ("JobId", "Index", "Name", "Run", "EnvJson", "TimeoutSeconds", "Condition", "ContinueOnError",
              "WorkingDirectory", "Shell", "Status")
            SELECT @p0, "Index", "Name", "Run", "EnvJson", "TimeoutSeconds", "Condition", "ContinueOnError",
              "WorkingDirectory", "Shell", {SqlText.Literal(StepStatus.Pending)}
            FROM steps WHERE "JobId" = @p1
            """,
            [next, jobId], cancellationToken);
        await session.ExecuteAsync("""UPDATE jobs SET "IsLatest" = @p0 WHERE "Id" = @p1""", [false, jobId], cancellationToken);
    }
}
