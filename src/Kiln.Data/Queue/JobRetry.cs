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
        var next = await session.FirstOrDefaultAsync(QueueSql.CopyJobForRetry.With(new(now, jobId)), r => r.GetInt64(0), cancellationToken);
        await session.ExecuteAsync(QueueSql.CopyStepsForRetry.With(new(next, jobId)), cancellationToken);
        await session.ExecuteAsync(QueueSql.SetLatest.With(new(false, jobId)), cancellationToken);
        return next;
    }
}
