using System.Security.Cryptography;
using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Queue;

/// <summary><see cref="IJobQueue"/> on EF Core. Leasing is a fenced claim: pick the best leasable job
/// (<see cref="LeaseRules"/>), then <c>UPDATE … WHERE id = @id AND status = 'queued'</c> with the same
/// rules re-checked, and check the row count. On SQLite (one writer at a time) the transaction takes
/// the write lock at once, so the pick and the claim are serialized with every other writer. On
/// PostgreSQL the pick is locked with <c>FOR UPDATE SKIP LOCKED</c> in the claim's transaction, so racing
/// servers take different jobs instead of colliding on the same one; if the process dies before the
/// commit, the lock goes with the connection and the job stays queued.</summary>
public sealed class EfJobQueue(KilnDbContext db, TimeProvider time) : IJobQueue
{
    private const string NpgsqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";

    /// <summary>Candidates read per try; on PostgreSQL the first that no other server holds is taken.</summary>
    private const int CandidatesPerTry = 8;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private bool IsPostgres => db.Database.ProviderName == NpgsqlProvider;

    private LeaseRules Sql => IsPostgres ? LeaseRules.Postgres : LeaseRules.Sqlite;

    public async Task<JobEntity?> TryLeaseAsync(long agentId, string agentName, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var runnable = await RunnableLabelSetsAsync(agentId, cancellationToken);
        var passedOver = new List<long>();
        // A lost claim race counts as a try; passing over jobs that other servers hold locked does not
        // (the passed-over set only grows, so that ends), up to a bound for safety.
        for (int tries = 0, rounds = 0; tries < 5 && rounds < 100 && runnable.Count > 0; rounds++)
        {
            var now = Now;
            // One transaction per try: the pick, the claim, the project's fair-share tags and the build's
            // start commit together. If the process dies before the commit, nothing changed.
            await using var claim = await db.Database.BeginTransactionAsync(cancellationToken);
            var candidates = await db.Database.SqlQueryRaw<LeaseCandidate>(
                    Sql.Candidates, Sql.ListParameter(runnable), Sql.ListParameter(passedOver), now, CandidatesPerTry)
                .ToListAsync(cancellationToken);
            if (candidates.Count == 0)
            {
                return null;
            }

            var candidate = IsPostgres ? await LockFirstFreeAsync(candidates, cancellationToken) : candidates[0];
            if (candidate is null)
            {
                // Other servers are claiming all of them right now; look behind them.
                passedOver.AddRange(candidates.Select(c => c.JobId));
                await claim.RollbackAsync(cancellationToken);
                continue;
            }

            if (IsPostgres)
            {
                await LockConcurrencyGroupAsync(candidate.JobId, cancellationToken);
            }

            // Advancing the project's tags first also locks its row on PostgreSQL, so two servers cannot
            // both start a build past the project's limit: the claim below re-checks it after the lock.
            await db.Database.ExecuteSqlRawAsync(LeaseRules.AdvanceFairShare, [now, candidate.ProjectId], cancellationToken);
            var token = NewLeaseToken();
            var claimed = await db.Database.ExecuteSqlRawAsync(
                Sql.Claim, [token, now + leaseDuration, agentId, agentName, now, candidate.JobId], cancellationToken);
            if (claimed != 1)
            {
                await claim.RollbackAsync(cancellationToken);
                tries++;
                continue;
            }

            // The build is running from its first leased job on.
            await db.Builds
                .Where(b => b.Id == candidate.BuildId && b.Status == BuildStatus.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BuildStatus.Running).SetProperty(b => b.StartedAt, now), cancellationToken);
            await claim.CommitAsync(cancellationToken);

            var job = await db.Jobs.AsNoTracking().Include(j => j.Steps).Include(j => j.Build!).ThenInclude(b => b.Project)
                .SingleAsync(j => j.Id == candidate.JobId, cancellationToken);
            job.Steps.Sort((a, b) => a.Index.CompareTo(b.Index));
            return job;
        }

        return null;
    }

    /// <summary>The runs-on values of queued jobs that this agent can run: a job is for the agent when
    /// the agent's labels include all of its runs-on labels. The few distinct values are matched here,
    /// the rest in SQL. A paused agent runs nothing; an id with no agent row has no labels.</summary>
    private async Task<List<string>> RunnableLabelSetsAsync(long agentId, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.AsNoTracking().Where(a => a.Id == agentId).Select(a => new { a.Labels, a.Paused }).SingleOrDefaultAsync(cancellationToken);
        if (agent?.Paused == true)
        {
            return [];
        }

        var labels = (agent?.Labels ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var runsOn = await db.Database.SqlQueryRaw<string>(LeaseRules.RunsOnOfQueuedJobs).ToListAsync(cancellationToken);
        return runsOn.Where(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries).All(labels.Contains)).ToList();
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
        var build = await db.Builds.Where(b => b.Id == job.BuildId)
            .Select(b => new { b.Status, b.Project!.MaxRunningBuilds })
            .SingleAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        // A freed concurrency group, or a build ending under its project's limit, lets queued jobs go too.
        var freed = released || job.ConcurrencyGroup is not null || (StatusRules.IsTerminal(build.Status) && build.MaxRunningBuilds is not null);
        return new JobCompletion(job.BuildId, freed, build.Status);
    }

    public async Task<bool?> IsCancelRequestedAsync(long jobId, string leaseToken, CancellationToken cancellationToken)
    {
        var row = await db.Jobs.AsNoTracking()
            .Where(j => j.Id == jobId && j.LeaseToken == leaseToken && j.Status == JobStatus.Running)
            .Select(j => new { j.CancelRequested })
            .SingleOrDefaultAsync(cancellationToken);
        return row?.CancelRequested;
    }

    /// <summary>PostgreSQL: the first of the candidates (in their order) that is still queued and that no
    /// other transaction holds, locked until the caller's transaction ends (only that one: the others
    /// stay free for other servers).</summary>
    private async Task<LeaseCandidate?> LockFirstFreeAsync(List<LeaseCandidate> candidates, CancellationToken cancellationToken)
    {
        var queued = StatusNames.ToWire(JobStatus.Queued);
        var ids = candidates.Select(c => c.JobId).ToArray();
        var free = await db.Database.SqlQuery<long>($"""
            SELECT "Id" AS "Value" FROM jobs WHERE "Id" = ANY({ids}) AND "Status" = {queued}
            ORDER BY array_position({ids}, "Id") LIMIT 1
            FOR UPDATE SKIP LOCKED
            """).ToListAsync(cancellationToken);
        return candidates.FirstOrDefault(c => free.Contains(c.JobId));
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
