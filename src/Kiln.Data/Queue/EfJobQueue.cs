using System.Security.Cryptography;
using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Queue;

/// <summary><see cref="IJobQueue"/> on EF Core. Leasing is an optimistic claim: pick the oldest queued
/// job, then <c>UPDATE … WHERE id = @id AND status = 'queued'</c> and check the row count; a
/// competing server that claimed it first makes us try the next one.</summary>
public sealed class EfJobQueue(KilnDbContext db, TimeProvider time) : IJobQueue
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<JobEntity?> TryLeaseAsync(long agentId, string agentName, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var candidate = await db.Jobs.AsNoTracking()
                .Where(j => j.Status == JobStatus.Queued)
                .OrderBy(j => j.Id)
                .Select(j => (long?)j.Id)
                .FirstOrDefaultAsync(cancellationToken);
            if (candidate is not { } jobId)
            {
                return null;
            }

            var token = NewLeaseToken();
            var now = Now;
            var expires = now + leaseDuration;
            var claimed = await db.Jobs
                .Where(j => j.Id == jobId && j.Status == JobStatus.Queued)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(j => j.Status, JobStatus.Running)
                        .SetProperty(j => j.LeaseToken, token)
                        .SetProperty(j => j.LeaseExpiresAt, expires)
                        .SetProperty(j => j.AgentId, agentId)
                        .SetProperty(j => j.AgentName, agentName)
                        .SetProperty(j => j.StartedAt, now),
                    cancellationToken);
            if (claimed == 1)
            {
                // The build is running from its first leased job on; a crash here leaves it queued
                // with a running job, which the next job change corrects.
                var job = await db.Jobs.AsNoTracking().Include(j => j.Steps).Include(j => j.Build!).ThenInclude(b => b.Project)
                    .SingleAsync(j => j.Id == jobId, cancellationToken);
                await db.Builds
                    .Where(b => b.Id == job.BuildId && b.Status == BuildStatus.Queued)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BuildStatus.Running).SetProperty(b => b.StartedAt, now), cancellationToken);
                job.Steps.Sort((a, b) => a.Index.CompareTo(b.Index));
                return job;
            }
        }

        return null;
    }

    public async Task<(DateTime ExpiresAt, bool CancelRequested)?> RenewAsync(long jobId, string leaseToken, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var expires = Now + leaseDuration;
        var renewed = await db.Jobs
            .Where(j => j.Id == jobId && j.LeaseToken == leaseToken && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, expires), cancellationToken);
        if (renewed != 1)
        {
            return null;
        }

        var cancel = await db.Jobs.Where(j => j.Id == jobId).Select(j => j.CancelRequested).SingleAsync(cancellationToken);
        return (expires, cancel);
    }

    public async Task<bool> ReportStepAsync(long jobId, string leaseToken, int stepIndex, StepStatus status, int? exitCode, DateTime at, CancellationToken cancellationToken)
    {
        if (!await HoldsLeaseAsync(jobId, leaseToken, cancellationToken))
        {
            return false;
        }

        var step = await db.Steps.SingleOrDefaultAsync(s => s.JobId == jobId && s.Index == stepIndex, cancellationToken);
        if (step is null)
        {
            return false;
        }

        // A resent report of a state already recorded changes nothing.
        if (step.Status != status)
        {
            if (!StatusRules.CanTransition(step.Status, status))
            {
                return true;
            }

            step.Status = status;
            if (status == StepStatus.Running)
            {
                step.StartedAt = at;
            }
            else
            {
                step.StartedAt ??= at;
                step.FinishedAt = at;
                step.ExitCode = exitCode;
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        return true;
    }

    public async Task<JobCompletion?> CompleteAsync(long jobId, string leaseToken, JobStatus status, string? message, CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var job = await db.Jobs.Include(j => j.Steps)
            .SingleOrDefaultAsync(j => j.Id == jobId && j.LeaseToken == leaseToken && j.Status == JobStatus.Running, cancellationToken);
        if (job is null)
        {
            return null;
        }

        var now = Now;
        job.Status = status;
        job.Message = message;
        job.FailureReason = JobRetry.ReasonFor(status, job.CancelRequested);
        job.FinishedAt = now;
        job.LeaseToken = null;
        job.LeaseExpiresAt = null;
        // Steps the agent never reached end with the job.
        foreach (var step in job.Steps.Where(s => !StatusRules.IsTerminal(s.Status)))
        {
            step.Status = step.Status == StepStatus.Running ? FinalStepStatus(status) : StepStatus.Skipped;
            step.FinishedAt = now;
        }

        var retry = JobRetry.NextAttempt(job, now);
        if (retry is not null)
        {
            job.IsLatest = false;
            db.Jobs.Add(retry);
        }

        await db.SaveChangesAsync(cancellationToken);
        var released = await BuildProgress.AdvanceAsync(db, job.BuildId, now, cancellationToken) || retry is not null;
        await db.SaveChangesAsync(cancellationToken);
        var buildStatus = await db.Builds.Where(b => b.Id == job.BuildId).Select(b => b.Status).SingleAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new JobCompletion(job.BuildId, released, buildStatus);
    }

    public async Task<bool?> IsCancelRequestedAsync(long jobId, string leaseToken, CancellationToken cancellationToken)
    {
        var row = await db.Jobs.AsNoTracking()
            .Where(j => j.Id == jobId && j.LeaseToken == leaseToken && j.Status == JobStatus.Running)
            .Select(j => new { j.CancelRequested })
            .SingleOrDefaultAsync(cancellationToken);
        return row?.CancelRequested;
    }

    private Task<bool> HoldsLeaseAsync(long jobId, string leaseToken, CancellationToken cancellationToken) =>
        db.Jobs.AnyAsync(j => j.Id == jobId && j.LeaseToken == leaseToken && j.Status == JobStatus.Running, cancellationToken);

    private static StepStatus FinalStepStatus(JobStatus job) => job switch
    {
        JobStatus.Succeeded => StepStatus.Succeeded,
        JobStatus.Canceled => StepStatus.Canceled,
        JobStatus.TimedOut => StepStatus.TimedOut,
        _ => StepStatus.Failed,
    };

    private static string NewLeaseToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
}
