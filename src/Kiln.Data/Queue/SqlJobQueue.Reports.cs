using Kiln.Core.Builds;
using Kiln.Data.Configurations;
using Kiln.Data.Events;

namespace Kiln.Data.Queue;

/// <summary>The agent's reports on a leased job: renewals, step changes, the job's end.</summary>
public sealed partial class SqlJobQueue
{
    public async Task<(DateTime ExpiresAt, bool CancelRequested)?> RenewAsync(long jobId, string leaseToken, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var expires = Now + leaseDuration;
        await using var session = await database.OpenAsync(cancellationToken);
        var cancel = await session.FirstOrDefaultAsync(
            QueueSql.Renew.With(new(expires, jobId, leaseToken)), r => (bool?)r.GetBoolean(0), cancellationToken);
        return cancel is { } c ? (expires, c) : null;
    }

    public async Task<bool> ReportStepAsync(long jobId, string leaseToken, int stepIndex, StepStatus status, int? exitCode, DateTime at, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        await session.BeginAsync(cancellationToken);
        // On PostgreSQL the job row is share-locked, so a completion waits for the report and not the
        // other way round (it would then find the job ended and the lease stale).
        var current = await session.FirstOrDefaultAsync(
            QueueSql.For(database.IsPostgres).StepOfLease.With(new(jobId, stepIndex, leaseToken)),
            r => (StepStatus?)StatusConversions.ToStep(r.GetString(0)), cancellationToken);
        if (current is null)
        {
            return false;
        }

        // A resent report of a state already recorded changes nothing, nor does one the step is past.
        if (current == status || !StatusRules.CanTransition(current.Value, status))
        {
            await session.RollbackAsync(cancellationToken);
            return true;
        }

        var wire = StatusNames.ToWire(status);
        var events = new EventRows(database.IsPostgres);
        await session.CommitWithAsync(
            [],
            [
                (status == StepStatus.Running ? QueueSql.StepStarted : QueueSql.StepEnded)
                    .With(new(wire, at, status == StepStatus.Running ? null : exitCode, jobId, stepIndex)),
                events.AddForJob(status == StepStatus.Running ? EventKinds.StepStarted : EventKinds.StepFinished, jobId, Now, wire, step: stepIndex),
            ],
            [],
            cancellationToken);
        signal?.Appended();
        return true;
    }

    public async Task<JobCompletion?> CompleteAsync(long jobId, string leaseToken, JobStatus status, string? message, CancellationToken cancellationToken)
    {
        var completion = await ConflictRetry.RunAsync(ct => CompleteOnceAsync(jobId, leaseToken, status, message, ct), beforeRetry: () => { }, cancellationToken);
        if (completion is not null)
        {
            signal?.Appended();
        }

        return completion;
    }

    private async Task<JobCompletion?> CompleteOnceAsync(long jobId, string leaseToken, JobStatus status, string? message, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var session = await database.OpenAsync(cancellationToken);
        await session.BeginAsync(cancellationToken);
        // One round trip on PostgreSQL: the fence (only the lease's holder ends a running job, once; on
        // PostgreSQL the row stays locked until the commit, so the reaper or a second report racing this
        // one finds it ended), the steps the agent never reached ending with the job, and what the build
        // needs to move on. If the fence fails, all of it is rolled back.
        EndedJob? ended = null;
        var rows = new BuildProgress.BuildRows();
        List<Statement> end =
        [
            QueueSql.EndJob.With(
                new(StatusNames.ToWire(status), message, now, jobId, leaseToken),
                NamedRows.Each<EndedColumns>((r, c) => ended = new EndedJob(
                    r.GetInt64(c.BuildId), r.GetBoolean(c.CancelRequested), StatusConversions.ToReason(r.GetStringOrNull(c.FailureReason)), r.GetString(c.RetryOn),
                    r.GetInt32(c.RetryMax), r.GetInt32(c.Attempt), r.GetStringOrNull(c.ConcurrencyGroup), r.GetString(c.Name), r.GetStringOrNull(c.AgentName)))),
            QueueSql.EndSteps.With(new(StatusNames.ToWire(FinalStepStatus(status)), now, jobId)),
            .. BuildProgress.Reads(ofJob: true, jobId, database.IsPostgres, rows),
        ];
        await session.BatchAsync(end, cancellationToken);
        if (ended is null)
        {
            await session.RollbackAsync(cancellationToken);
            return null;
        }

        var events = new EventRows(database.IsPostgres);
        // A job canceled because a newer build superseded it keeps saying so.
        var reason = FailureReasons.For(status, ended.CancelRequested);
        reason = reason is not null && ended.FailureReason == FailureReason.Superseded ? FailureReason.Superseded : reason;
        List<Statement> own =
        [
            .. reason == ended.FailureReason ? [] : new[] { QueueSql.SetFailureReason.With(new(StatusNames.ToWire(reason), jobId)) },
            events.Add(rows.JobEvent(EventKinds.JobFinished, new JobState(jobId, ended.Name, [], status) { FailureReason = reason }, now, ended.AgentName)),
        ];
        if (status == JobStatus.Lost)
        {
            own.Add(events.Add(rows.JobEvent(EventKinds.AgentLost, new JobState(jobId, ended.Name, [], status) { FailureReason = reason }, now, ended.AgentName)));
        }

        var retried = FailureReasons.RetryCovers(status, ended.RetryOn, ended.CancelRequested, ended.Attempt, ended.RetryMax);
        if (retried)
        {
            // Rare: queue the next attempt, then read the build's latest jobs again, which now include it.
            var next = await JobRetry.QueueNextAttemptAsync(session, jobId, now, cancellationToken);
            rows = new BuildProgress.BuildRows();
            await session.BatchAsync(BuildProgress.Reads(ofJob: true, jobId, database.IsPostgres, rows), cancellationToken);
            own.Add(events.Add(rows.JobEvent(EventKinds.JobRetried, new JobState(next, ended.Name, [], JobStatus.Queued), now, ended.AgentName)));
        }

        var decision = BuildDecisions.Advance(rows.Build!, rows.Jobs, now);
        var progress = await BuildProgress.WriteAndCommitAsync(session, rows, decision, events, ended.AgentName, now, own, cancellationToken);
        // A freed concurrency group, or a build ending under its project's limit, lets queued jobs go too.
        var freed = progress.AnyQueued || retried || ended.ConcurrencyGroup is not null
            || (StatusRules.IsTerminal(progress.Status) && progress.ProjectHasLimit);
        return new JobCompletion(ended.BuildId, freed, progress.Status);
    }

    public async Task<bool?> IsCancelRequestedAsync(long jobId, string leaseToken, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        return await session.FirstOrDefaultAsync(
            QueueSql.CancelRequestedOfLease.With(new(jobId, leaseToken)), r => (bool?)r.GetBoolean(0), cancellationToken);
    }

    private static StepStatus FinalStepStatus(JobStatus job) => job switch
    {
        JobStatus.Succeeded => StepStatus.Succeeded,
        JobStatus.Canceled => StepStatus.Canceled,
        JobStatus.TimedOut => StepStatus.TimedOut,
        _ => StepStatus.Failed,
    };

    /// <summary>What completing needs to know of the job it just ended.</summary>
    private sealed record EndedJob(
        long BuildId, bool CancelRequested, FailureReason? FailureReason, string RetryOn, int RetryMax, int Attempt, string? ConcurrencyGroup, string Name, string? AgentName);
}
