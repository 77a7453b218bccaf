using System.Data.Common;
using System.Security.Cryptography;
using Kiln.Core.Builds;
using Kiln.Data.Configurations;
using Kiln.Data.Entities;

namespace Kiln.Data.Queue;

/// <summary><see cref="IJobQueue"/> in plain SQL on a <see cref="QueueDatabase"/>. Leasing is a fenced claim:
/// pick the best leasable job (<see cref="LeaseRules"/>), then <c>UPDATE … WHERE</c> that job is still
/// leasable; only a job the update claimed is returned, read back with its steps in the same transaction.</summary>
public sealed class SqlJobQueue(QueueDatabase database, TimeProvider time) : IJobQueue
{
    /// <summary>Candidates read per try; on PostgreSQL the first that no other server holds is taken.</summary>
    private const int CandidatesPerTry = 8;

    private static readonly string Running = SqlText.Literal(JobStatus.Running);

    private static readonly string QueuedName = StatusNames.ToWire(JobStatus.Queued);

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private LeaseRules Sql => database.Rules;

    public async Task EnqueueAsync(BuildEntity build, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        await session.BeginAsync(cancellationToken);
        await NewBuildRows.InsertAndCommitAsync(session, database.IsPostgres, build, cancellationToken);
    }

    public async Task<LeasedJob?> TryLeaseAsync(long agentId, string agentName, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        return database.IsPostgres
            ? await TryLeaseOnPostgresAsync(session, agentId, agentName, leaseDuration, cancellationToken)
            : await TryLeaseOnSqliteAsync(session, agentId, agentName, leaseDuration, cancellationToken);
    }

    /// <summary>SQLite has one writer at a time: the transaction takes the write lock at once, so the pick
    /// and the claim are serialized with every other writer, and the best candidate is always free.</summary>
    private async Task<LeasedJob?> TryLeaseOnSqliteAsync(
        QueueSession session, long agentId, string agentName, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var runnable = await RunnableLabelSetsAsync(session, agentId, cancellationToken);
        if (runnable.Count == 0)
        {
            return null;
        }

        for (var tries = 0; tries < 5; tries++)
        {
            var now = Now;
            await session.BeginAsync(cancellationToken);
            var candidate = await session.FirstOrDefaultAsync(
                Sql.Candidates!, [Sql.ListParameter(runnable), Sql.ListParameter(Array.Empty<long>()), now, 1], ReadCandidate, cancellationToken);
            if (candidate is null)
            {
                await session.RollbackAsync(cancellationToken);
                return null;
            }

            var token = NewLeaseToken();
            var leased = Sql.LeasedKey(token, candidate.JobId);
            Statement[] claim =
            [
                new(Sql.Claim!, [token, now + leaseDuration, agentId, agentName, now, candidate.JobId]),
                new(Sql.StartBuild, [now, .. leased]),
            ];
            if (await CommitLeaseAsync(session, claim, leased, cancellationToken) is { } job)
            {
                return job;
            }
        }

        return null;
    }

    /// <summary>One round trip a try in the usual case (<see cref="LeaseRules.Lease"/>): the pick locks the
    /// best job no other server holds (<c>FOR UPDATE SKIP LOCKED</c>), claims it and commits, so racing
    /// servers take different jobs instead of colliding on the same one, and the job is held locked only
    /// while the server works. If the process dies before the commit, the lock goes with the connection
    /// and the job stays queued.</summary>
    private async Task<LeasedJob?> TryLeaseOnPostgresAsync(
        QueueSession session, long agentId, string agentName, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var passedOver = new List<long>();
        // A lost claim counts as a try; passing over jobs that other servers hold locked does not (the
        // passed-over set only grows, so that ends), up to a bound for safety.
        for (int tries = 0, rounds = 0; tries < 5 && rounds < 100; rounds++)
        {
            var now = Now;
            var token = NewLeaseToken();
            var candidates = new List<LeaseCandidate>();
            Statement[] lease =
            [
                new(Sql.Lease!, [agentId, Sql.ListParameter(passedOver), now, CandidatesPerTry, QueuedName, token, now + leaseDuration, agentName], r => candidates.Add(ReadCandidate(r))),
            ];
            await session.BeginAsync(cancellationToken);
            if (await CommitLeaseAsync(session, lease, Sql.LeasedKey(token, pickedJob: null), cancellationToken) is { } job)
            {
                return job;
            }

            if (candidates.Count == 0)
            {
                return null;
            }

            if (candidates.FirstOrDefault(c => c.Taken) is not { } candidate)
            {
                // Other servers are claiming all of them right now; look behind them.
                passedOver.AddRange(candidates.Select(c => c.JobId));
                continue;
            }

            // The lease locked a job but left it: its claim needs the lock of its concurrency group or, if
            // its project limits running builds, of the project's row (so that two servers cannot both
            // start a build past the limit), or the job changed as the lease ran. Take those locks, then
            // claim that job, in one round trip: the claim's statement starts after the locks are held and
            // so sees every claim committed before.
            now = Now;
            token = NewLeaseToken();
            Statement[] guarded =
            [
                new(LeaseRules.LockConcurrencyGroup, [candidate.JobId], Statement.Ignore),
                new(LeaseRules.LockLimitedProject, [candidate.ProjectId], Statement.Ignore),
                new(Sql.LeaseOne!, [agentId, candidate.JobId, now, CandidatesPerTry, QueuedName, token, now + leaseDuration, agentName], Statement.Ignore),
            ];
            await session.BeginAsync(cancellationToken);
            if (await CommitLeaseAsync(session, guarded, Sql.LeasedKey(token, candidate.JobId), cancellationToken) is { } guardedJob)
            {
                return guardedJob;
            }

            tries++;
        }

        return null;
    }

    /// <summary>Runs <paramref name="claim"/> (which claims a job with a lease token, if it can), reads the
    /// leased job by <paramref name="leased"/> (<see cref="LeaseRules.LeasedKey"/>) and commits, in the
    /// session's open transaction: in one round trip on PostgreSQL. A failed claim commits no change. Then
    /// the project's fair-share tags advance, unsynced: a crash may lose that step, which costs a project
    /// one turn of fairness, and its fair-share row is not held locked while the disk syncs, so leases of
    /// one project's jobs do not queue behind each other's commits. Returns the leased job, or null if the
    /// claim took none.</summary>
    private async Task<LeasedJob?> CommitLeaseAsync(
        QueueSession session, IReadOnlyList<Statement> claim, object[] leased, CancellationToken cancellationToken)
    {
        var steps = new List<LeasedStep>();
        LeasedJob? job = null;
        await session.CommitWithAsync(
            [],
            [.. claim, new(Sql.LeasedJobWithSteps, leased, r => ReadJobAndStep(r, ref job, steps))],
            [new(Sql.AdvanceFairShare, leased)],
            cancellationToken);
        return job;
    }

    private static LeaseCandidate ReadCandidate(DbDataReader r) =>
        new() { JobId = r.GetInt64(0), ProjectId = r.GetInt64(1), Row = r.GetStringOrNull(2) };

    /// <summary>SQLite: the runs-on values of queued jobs that this agent can run: a job is for the agent
    /// when the agent's labels include all of its runs-on labels. The few distinct values are matched here,
    /// the rest in SQL. A paused agent runs nothing; an id with no agent row has no labels.</summary>
    private static async Task<List<string>> RunnableLabelSetsAsync(QueueSession session, long agentId, CancellationToken cancellationToken)
    {
        (string Labels, bool Paused)? agent = null;
        var runsOn = new List<string>();
        await session.BatchAsync(
            [
                new("""SELECT "Labels", "Paused" FROM agents WHERE "Id" = @p0""", [agentId], r => agent = (r.GetString(0), r.GetBoolean(1))),
                new(LeaseRules.RunsOnOfQueuedJobs, [], r => runsOn.Add(r.GetString(0))),
            ],
            cancellationToken);
        if (agent?.Paused == true)
        {
            return [];
        }

        var labels = (agent?.Labels ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        return runsOn.Where(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries).All(labels.Contains)).ToList();
    }

    /// <summary>A row of <see cref="LeaseRules.LeasedJobWithSteps"/>: the job the first time, and its step
    /// unless it has none.</summary>
    private static void ReadJobAndStep(DbDataReader r, ref LeasedJob? job, List<LeasedStep> steps)
    {
        job ??= ReadJob(r, steps);
        if (!r.IsDBNull(StepColumn))
        {
            steps.Add(new(
                r.GetInt32(StepColumn), r.GetString(StepColumn + 1), r.GetString(StepColumn + 2), r.GetString(StepColumn + 3), r.GetInt32OrNull(StepColumn + 4),
                r.GetString(StepColumn + 5), r.GetBoolean(StepColumn + 6), r.GetStringOrNull(StepColumn + 7), r.GetStringOrNull(StepColumn + 8)));
        }
    }

    private const int StepColumn = 20;

    private static LeasedJob ReadJob(DbDataReader r, IReadOnlyList<LeasedStep> steps) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt32(3), r.GetString(4), r.GetDateTime(5), r.GetInt32OrNull(6), r.GetString(7), r.GetString(8), r.GetString(9),
        new LeasedBuild(r.GetInt32(10), r.GetString(11), r.GetStringOrNull(12), r.GetStringOrNull(13), r.GetStringOrNull(14), r.GetStringOrNull(15), r.GetString(16), r.GetString(17), r.GetString(18), r.GetStringOrNull(19)),
        steps);

    public async Task<(DateTime ExpiresAt, bool CancelRequested)?> RenewAsync(long jobId, string leaseToken, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var expires = Now + leaseDuration;
        await using var session = await database.OpenAsync(cancellationToken);
        var cancel = await session.FirstOrDefaultAsync(
            $"""
            UPDATE jobs SET "LeaseExpiresAt" = @p0 WHERE "Id" = @p1 AND "LeaseToken" = @p2 AND "Status" = {Running}
            RETURNING "CancelRequested"
            """,
            [expires, jobId, leaseToken], r => (bool?)r.GetBoolean(0), cancellationToken);
        return cancel is { } c ? (expires, c) : null;
    }

    public async Task<bool> ReportStepAsync(long jobId, string leaseToken, int stepIndex, StepStatus status, int? exitCode, DateTime at, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        await session.BeginAsync(cancellationToken);
        // On PostgreSQL the job row is share-locked, so a completion waits for the report and not the
        // other way round (it would then find the job ended and the lease stale).
        var current = await session.FirstOrDefaultAsync(
            $"""
            SELECT s."Status" FROM steps AS s JOIN jobs AS j ON j."Id" = s."JobId"
            WHERE s."JobId" = @p0 AND s."Index" = @p1 AND j."LeaseToken" = @p2 AND j."Status" = {Running}
            {(database.IsPostgres ? "FOR SHARE OF j" : "")}
            """,
            [jobId, stepIndex, leaseToken], r => (StepStatus?)StatusConversions.ToStep(r.GetString(0)), cancellationToken);
        if (current is null)
        {
            return false;
        }

        // A resent report of a state already recorded changes nothing, nor does one the step is past.
        if (current != status && StatusRules.CanTransition(current.Value, status))
        {
            await session.ExecuteAsync(
                status == StepStatus.Running
                    ? """UPDATE steps SET "Status" = @p0, "StartedAt" = @p1, "ExitCode" = @p2 WHERE "JobId" = @p3 AND "Index" = @p4"""
                    : """UPDATE steps SET "Status" = @p0, "StartedAt" = COALESCE("StartedAt", @p1), "FinishedAt" = @p1, "ExitCode" = @p2 WHERE "JobId" = @p3 AND "Index" = @p4""",
                [StatusNames.ToWire(status), at, status == StepStatus.Running ? null : exitCode, jobId, stepIndex], cancellationToken);
        }

        await session.CommitAsync(cancellationToken);
        return true;
    }

    public Task<JobCompletion?> CompleteAsync(long jobId, string leaseToken, JobStatus status, string? message, CancellationToken cancellationToken) =>
        ConflictRetry.RunAsync(ct => CompleteOnceAsync(jobId, leaseToken, status, message, ct), beforeRetry: () => { }, cancellationToken);

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
            new(
                $"""
                UPDATE jobs SET "Status" = @p0, "Message" = @p1, "FinishedAt" = @p2, "LeaseToken" = NULL, "LeaseExpiresAt" = NULL
                WHERE "Id" = @p3 AND "LeaseToken" = @p4 AND "Status" = {Running}
                RETURNING "BuildId", "CancelRequested", "FailureReason", "RetryOn", "RetryMax", "Attempt", "ConcurrencyGroup"
                """,
                [StatusNames.ToWire(status), message, now, jobId, leaseToken],
                r => ended = new EndedJob(r.GetInt64(0), r.GetBoolean(1), r.GetStringOrNull(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5), r.GetStringOrNull(6))),
            new(
                $"""
                UPDATE steps SET "Status" = CASE WHEN "Status" = {SqlText.Literal(StepStatus.Running)} THEN @p0 ELSE {SqlText.Literal(StepStatus.Skipped)} END,
                  "FinishedAt" = @p1
                WHERE "JobId" = @p2 AND "Status" IN ({SqlText.Literal(StepStatus.Pending)}, {SqlText.Literal(StepStatus.Running)})
                """,
                [StatusNames.ToWire(FinalStepStatus(status)), now, jobId]),
            .. BuildProgress.Reads(jobId, database.IsPostgres, rows),
        ];
        await session.BatchAsync(end, cancellationToken);
        if (ended is null)
        {
            await session.RollbackAsync(cancellationToken);
            return null;
        }

        var retried = JobRetry.Covers(status, ended.RetryOn, ended.CancelRequested, ended.Attempt, ended.RetryMax);
        if (retried)
        {
            // Rare: queue the next attempt, then read the build's latest jobs again, which now include it.
            await JobRetry.QueueNextAttemptAsync(session, jobId, now, cancellationToken);
            rows = new BuildProgress.BuildRows();
            await session.BatchAsync(BuildProgress.Reads(jobId, database.IsPostgres, rows), cancellationToken);
        }

        // A job canceled because a newer build superseded it keeps saying so.
        var reason = JobRetry.ReasonFor(status, ended.CancelRequested);
        reason = reason is not null && ended.FailureReason == JobRetry.Superseded ? JobRetry.Superseded : reason;
        Statement[] reasonUpdate = reason == ended.FailureReason ? [] : [new("""UPDATE jobs SET "FailureReason" = @p0 WHERE "Id" = @p1""", [reason, jobId])];
        var progress = await BuildProgress.WriteAndCommitAsync(session, rows, now, reasonUpdate, cancellationToken);
        // A freed concurrency group, or a build ending under its project's limit, lets queued jobs go too.
        var freed = progress.AnyQueued || retried || ended.ConcurrencyGroup is not null
            || (StatusRules.IsTerminal(progress.Status) && progress.ProjectHasLimit);
        return new JobCompletion(ended.BuildId, freed, progress.Status);
    }

    public async Task<bool?> IsCancelRequestedAsync(long jobId, string leaseToken, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        return await session.FirstOrDefaultAsync(
            $"""SELECT "CancelRequested" FROM jobs WHERE "Id" = @p0 AND "LeaseToken" = @p1 AND "Status" = {Running}""",
            [jobId, leaseToken], r => (bool?)r.GetBoolean(0), cancellationToken);
    }

    private static StepStatus FinalStepStatus(JobStatus job) => job switch
    {
        JobStatus.Succeeded => StepStatus.Succeeded,
        JobStatus.Canceled => StepStatus.Canceled,
        JobStatus.TimedOut => StepStatus.TimedOut,
        _ => StepStatus.Failed,
    };

    private static string NewLeaseToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();



    /// <summary>What completing needs to know of the job it just ended.</summary>
    private sealed record EndedJob(long BuildId, bool CancelRequested, string? FailureReason, string RetryOn, int RetryMax, int Attempt, string? ConcurrencyGroup);
}
