using Kiln.Core.Builds;
using Kiln.Data.Entities;

namespace Kiln.Data.Queue;

/// <summary>The durable job queue with fenced leases, and the one path by which a build, a job or a step
/// changes state: every method is one transaction, which appends an event for each change it makes
/// (<see cref="Events.EventRows"/>), so the event log holds every change that committed and no other.
/// A lease is (job id, token, expiry). Renew, report and complete only succeed with the current
/// token of a job that is still running; otherwise they return false/null and change nothing,
/// so a job given away after its agent was presumed lost is never reported twice.</summary>
public interface IJobQueue
{
    /// <summary>Inserts a new build with its jobs and steps, numbered with its project's next build number,
    /// in one transaction: its queued jobs can be leased from the commit on, and a crash before it leaves
    /// nothing. The assigned ids and number are set on the entities.</summary>
    Task EnqueueAsync(BuildEntity build, CancellationToken cancellationToken);

    /// <summary>Takes the next queued job for the agent, or null if none is queued: the best priority
    /// class first (manual/api, then forge events, then schedules), within it fair share between projects
    /// by weight (so one project's backlog cannot starve another), then that project's oldest job.
    /// A job whose concurrency group another running job holds is passed over until that job ends.
    /// If the process dies after the commit, the job stays running under this lease until the lease expires.</summary>
    Task<LeasedJob?> TryLeaseAsync(long agentId, string agentName, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Extends the lease; null if the token is stale. Also returns whether cancel was requested.</summary>
    Task<(DateTime ExpiresAt, bool CancelRequested)?> RenewAsync(long jobId, string leaseToken, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Records a step's start or end. False if the token is stale.</summary>
    Task<bool> ReportStepAsync(long jobId, string leaseToken, int stepIndex, StepStatus status, int? exitCode, DateTime at, CancellationToken cancellationToken);

    /// <summary>Ends the job and moves its build forward in the same transaction. False if the token is stale.</summary>
    Task<JobCompletion?> CompleteAsync(long jobId, string leaseToken, JobStatus status, string? message, CancellationToken cancellationToken);

    /// <summary>Cancels build <paramref name="buildId"/> for <paramref name="reason"/> (canceled_by_user or
    /// superseded): jobs not started end canceled at once, running ones are asked to cancel (their agents
    /// report the ending). With <paramref name="onlyIfNothingStarted"/>, a build any of whose jobs started
    /// is left alone. Null if there is no such build.</summary>
    Task<CancelOutcome?> CancelBuildAsync(long buildId, FailureReason reason, string actor, bool onlyIfNothingStarted, CancellationToken cancellationToken);

    /// <summary>Releases a <c>manual</c> job to the queue. False if the job is not waiting for approval
    /// (so two approvals, or an approval racing a cancel, change it once).</summary>
    Task<bool> ApproveAsync(long jobId, string actor, CancellationToken cancellationToken);

    /// <summary>Whether a person asked to cancel the job (null if the token is stale).</summary>
    Task<bool?> IsCancelRequestedAsync(long jobId, string leaseToken, CancellationToken cancellationToken);
}

/// <summary>What completing a job set off: whether queued work may have become leasable (jobs released
/// or retried, a concurrency group or a project's running-build slot freed), and the build's status now.</summary>
public sealed record JobCompletion(long BuildId, bool WorkFreed, BuildStatus BuildStatus);

/// <summary>What a cancel did: whether it canceled anything, the running jobs whose agents must be told,
/// and the build's status now.</summary>
public sealed record CancelOutcome(long BuildId, bool Canceled, IReadOnlyList<long> RunningJobs, BuildStatus BuildStatus);
