using Kiln.Core.Builds;

namespace Kiln.Data.Queue;

/// <summary>Automatic retries: if a job's retry policy covers its ending
/// (<see cref="FailureReasons.RetryCovers"/>: by default one retry when its agent was lost, never
/// silently for a failing script), a new attempt row is queued beside it and the old one stays, with
/// its own log, as history.</summary>
internal static class JobRetry
{
    /// <summary>Queues attempt N+1 of job <paramref name="jobId"/>: a copy of its definition and steps,
    /// queued now, which becomes the latest attempt; the old row stays, with its own log, as history.</summary>
    /// <returns>The new attempt's id.</returns>
    internal static async Task<long> QueueNextAttemptAsync(QueueSession session, long jobId, DateTime now, CancellationToken cancellationToken)
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
        return next;
    }
}
