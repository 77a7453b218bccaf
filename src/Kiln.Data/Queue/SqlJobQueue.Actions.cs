using Kiln.Core.Builds;
using Kiln.Data.Events;

namespace Kiln.Data.Queue;

/// <summary>What people (and newer builds) do to builds and jobs: cancel, approve.</summary>
public sealed partial class SqlJobQueue
{
    public async Task<CancelOutcome?> CancelBuildAsync(long buildId, FailureReason reason, string actor, bool onlyIfNothingStarted, CancellationToken cancellationToken)
    {
        var outcome = await ConflictRetry.RunAsync(ct => CancelOnceAsync(buildId, reason, actor, onlyIfNothingStarted, ct), beforeRetry: () => { }, cancellationToken);
        if (outcome is { Canceled: true })
        {
            signal?.Appended();
        }

        return outcome;
    }

    /// <summary>On PostgreSQL a lease may claim a job between the read and the write: the guarded write
    /// then fails (<see cref="ConcurrentChangeException"/>) and the whole cancel runs again, sees the job
    /// running and asks its agent to cancel.</summary>
    private async Task<CancelOutcome?> CancelOnceAsync(long buildId, FailureReason reason, string actor, bool onlyIfNothingStarted, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var session = await database.OpenAsync(cancellationToken);
        await session.BeginAsync(cancellationToken);
        var rows = new BuildProgress.BuildRows();
        await session.BatchAsync(BuildProgress.Reads(ofJob: false, buildId, database.IsPostgres, rows), cancellationToken);
        if (rows.Build is not { } build)
        {
            await session.RollbackAsync(cancellationToken);
            return null;
        }

        if (StatusRules.IsTerminal(build.Status) || (onlyIfNothingStarted && rows.Jobs.Any(j => j.StartedAt is not null)))
        {
            await session.RollbackAsync(cancellationToken);
            return new CancelOutcome(buildId, false, [], build.Status);
        }

        var events = new EventRows(database.IsPostgres);
        Statement[] asked =
        [
            QueueSql.AskBuildToCancel.With(new(true, buildId)),
            events.Add(rows.BuildEvent(EventKinds.BuildCanceling, build.Status, now, actor, reason)),
        ];
        var decision = BuildDecisions.Cancel(build, rows.Jobs, reason, now);
        var progress = await BuildProgress.WriteAndCommitAsync(session, rows, decision, events, actor, now, asked, cancellationToken);
        return new CancelOutcome(buildId, true, decision.CancelRequested.Select(j => j.Id).ToList(), progress.Status);
    }

    public async Task<bool> ApproveAsync(long jobId, string actor, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var session = await database.OpenAsync(cancellationToken);
        await session.BeginAsync(cancellationToken);
        // Fenced on the status, so two approvals (or an approval racing a cancel) change it once.
        var changed = await session.ExecuteAsync(QueueSql.Approve.With(new(now, jobId)), cancellationToken);
        if (changed != 1)
        {
            await session.RollbackAsync(cancellationToken);
            return false;
        }

        var events = new EventRows(database.IsPostgres);
        await session.CommitWithAsync([], [events.AddForJob(EventKinds.JobQueued, jobId, now, StatusNames.ToWire(JobStatus.Queued), actor: actor)], [], cancellationToken);
        signal?.Appended();
        return true;
    }
}
