using Kiln.Core.Builds;
using Kiln.Data.Entities;

namespace Kiln.Data.Queue;

/// <summary>The durable job queue with fenced leases. Every method is one transaction.
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

    /// <summary>Whether a person asked to cancel the job (null if the token is stale).</summary>
    Task<bool?> IsCancelRequestedAsync(long jobId, string leaseToken, CancellationToken cancellationToken);
}

/// <summary>What completing a job set off: whether queued work may have become leasable (jobs released
/// or retried, a concurrency group or a project's running-build slot freed), and the build's status now.</summary>
public sealed record JobCompletion(long BuildId, bool WorkFreed, BuildStatus BuildStatus);
