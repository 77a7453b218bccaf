using System.Security.Cryptography;
using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Queue;

/// <summary><see cref="IJobQueue"/> on EF Core. Leasing is a fenced claim: pick the next queued job
/// (priority class, then the project that leased longest ago, then the oldest job; skipping jobs whose
/// concurrency group a running job holds), then <c>UPDATE … WHERE id = @id AND status = 'queued'</c> and check the row count.
/// On SQLite (one writer at a time) the pick is optimistic: a competing server that claimed the job
/// first makes us try the next one. On PostgreSQL the pick is <c>SELECT … FOR UPDATE SKIP LOCKED</c>
/// in the claim's transaction, so racing servers take different jobs instead of colliding on the
/// oldest; if the process dies before the commit, the lock goes with the connection and the job
/// stays queued.</summary>
public sealed class EfJobQueue(KilnDbContext db, TimeProvider time) : IJobQueue
{
    private const string NpgsqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private bool IsPostgres => db.Database.ProviderName == NpgsqlProvider;

    public async Task<JobEntity?> TryLeaseAsync(long agentId, string agentName, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        // Label matching: a job is for this agent when the agent's labels include all of its runs-on
        // labels. The few distinct runs-on values of queued jobs are matched here, the rest in SQL.
        // A paused agent takes nothing. An id with no agent row has no labels.
        var agent = await db.Agents.AsNoTracking().Where(a => a.Id == agentId).Select(a => new { a.Labels, a.Paused }).SingleOrDefaultAsync(cancellationToken);
        if (agent?.Paused == true)
        {
            return null;
        }

        var labels = (agent?.Labels ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var runsOn = await db.Jobs.AsNoTracking().Where(j => j.Status == JobStatus.Queued).Select(j => j.RunsOn).Distinct().ToListAsync(cancellationToken);
        var runnable = runsOn.Where(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries).All(labels.Contains)).ToList();
        for (var attempt = 0; attempt < 5 && runnable.Count > 0; attempt++)
        {
            // One transaction per try: the pick, the claim and the project's LastLeasedAt commit together.
            // On SQLite it takes the write lock at once (BEGIN IMMEDIATE), so the pick and the claim are
            // serialized with every other writer. If the process dies before the commit, nothing changed.
            await using var claim = await db.Database.BeginTransactionAsync(cancellationToken);
            var candidate = IsPostgres
                ? await LockNextQueuedAsync(runnable, cancellationToken)
                : await NextQueued(runnable).Select(j => (long?)j.Id).FirstOrDefaultAsync(cancellationToken);
            if (candidate is not { } jobId)
            {
                return null;
            }

            if (IsPostgres)
            {
                await LockConcurrencyGroupAsync(jobId, cancellationToken);
            }

            var token = NewLeaseToken();
            var now = Now;
            var expires = now + leaseDuration;
            // Fenced claim: still queued, and (re-checked here, after the group lock on PostgreSQL)
            // no running job holds its concurrency group.
            var claimed = await db.Jobs
                .Where(j => j.Id == jobId && j.Status == JobStatus.Queued)
                .Where(j => j.ConcurrencyGroup == null || !db.Jobs.Any(r => r.ConcurrencyGroup == j.ConcurrencyGroup && r.Status == JobStatus.Running))
                .ExecuteUpdateAsync(
                    s => s.SetProperty(j => j.Status, JobStatus.Running)
                        .SetProperty(j => j.LeaseToken, token)
                        .SetProperty(j => j.LeaseExpiresAt, expires)
                        .SetProperty(j => j.AgentId, agentId)
                        .SetProperty(j => j.AgentName, agentName)
                        .SetProperty(j => j.StartedAt, now),
                    cancellationToken);
            if (claimed != 1)
            {
                continue;
            }

            var projectId = await db.Jobs.Where(j => j.Id == jobId).Select(j => j.Build!.ProjectId).SingleAsync(cancellationToken);
            await db.Projects.Where(p => p.Id == projectId)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.LastLeasedAt, now), cancellationToken);
            await claim.CommitAsync(cancellationToken);

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
        try
        {
            return await CompleteOnceAsync(jobId, leaseToken, status, message, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone else ended the job between our read and our write (the reaper, or a second report
            // racing the first): the lease is no longer the caller's, exactly as if it had been stale.
            db.ChangeTracker.Clear();
            return null;
        }
    }

    private async Task<JobCompletion?> CompleteOnceAsync(long jobId, string leaseToken, JobStatus status, string? message, CancellationToken cancellationToken)
    {
        // Rows tracked by an earlier call may be stale (claims are ExecuteUpdates that bypass the
        // tracker); read them afresh so the concurrency check compares with what is stored.
        db.ChangeTracker.Clear();
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
        // A job canceled because a newer build superseded it keeps saying so.
        var reason = JobRetry.ReasonFor(status, job.CancelRequested);
        job.FailureReason = reason is not null && job.FailureReason == JobRetry.Superseded ? JobRetry.Superseded : reason;
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

    /// <summary>Queued jobs with one of these runs-on values whose concurrency group no running job
    /// holds, in lease order: priority class; then fairness (the job's project that leased longest ago,
    /// never-leased first); then the project's oldest job. SQLite path; PostgreSQL's
    /// <see cref="LockNextQueuedAsync"/> must keep the same filter and order.</summary>
    private IQueryable<JobEntity> NextQueued(List<string> runnable) =>
        db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Queued && runnable.Contains(j.RunsOn))
            .Where(j => j.ConcurrencyGroup == null || !db.Jobs.Any(r => r.ConcurrencyGroup == j.ConcurrencyGroup && r.Status == JobStatus.Running))
            .OrderBy(j => j.Priority)
            .ThenBy(j => j.Build!.Project!.LastLeasedAt != null)
            .ThenBy(j => j.Build!.Project!.LastLeasedAt)
            .ThenBy(j => j.Id);

    /// <summary>PostgreSQL: the next queued job (same filter and order as <see cref="NextQueued"/>)
    /// that no other transaction holds, locked until the caller's transaction ends (table and column
    /// names as in the migrations).</summary>
    private async Task<long?> LockNextQueuedAsync(List<string> runnable, CancellationToken cancellationToken)
    {
        var queued = StatusNames.ToWire(JobStatus.Queued);
        var running = StatusNames.ToWire(JobStatus.Running);
        var runsOn = runnable.ToArray();
        var ids = await db.Database.SqlQuery<long>($"""
            SELECT j."Id" AS "Value" FROM jobs AS j
            JOIN builds AS b ON b."Id" = j."BuildId"
            JOIN projects AS p ON p."Id" = b."ProjectId"
            WHERE j."Status" = {queued} AND j."RunsOn" = ANY({runsOn})
              AND (j."ConcurrencyGroup" IS NULL OR NOT EXISTS (
                SELECT 1 FROM jobs AS r WHERE r."ConcurrencyGroup" = j."ConcurrencyGroup" AND r."Status" = {running}))
            ORDER BY j."Priority", p."LastLeasedAt" NULLS FIRST, j."Id"
            LIMIT 1
            FOR UPDATE OF j SKIP LOCKED
            """).ToListAsync(cancellationToken);
        return ids is [var id] ? id : null;
    }

    /// <summary>PostgreSQL: serializes claims within one concurrency group. Two servers could each see
    /// the group free and claim different jobs of it; with this transaction-scoped advisory lock the
    /// second waits for the first to commit, and the claim's re-check then sees its running job.
    /// (Distinct groups that hash alike only wait for each other a moment.)</summary>
    private async Task LockConcurrencyGroupAsync(long jobId, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"""
            SELECT pg_advisory_xact_lock(hashtext('kiln.concurrency:' || "ConcurrencyGroup")) FROM jobs
            WHERE "Id" = {jobId} AND "ConcurrencyGroup" IS NOT NULL
            """, cancellationToken);

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
