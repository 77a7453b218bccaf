using System.Data.Common;
using System.Security.Cryptography;
using Kiln.Core.Builds;
using Kiln.Data.Configurations;
using Kiln.Data.Entities;

namespace Kiln.Data.Queue;

/// <summary><see cref="IJobQueue"/> in plain SQL on a <see cref="QueueDatabase"/>. Leasing is a fenced claim:
/// pick the best leasable job (<see cref="LeaseRules"/>), then <c>UPDATE … WHERE id = @id AND status = 'queued'</c> with the same
/// rules re-checked, and check the row count. On SQLite (one writer at a time) the transaction takes
/// the write lock at once, so the pick and the claim are serialized with every other writer. On
/// PostgreSQL the pick is locked with <c>FOR UPDATE SKIP LOCKED</c> in the claim's transaction, so racing
/// servers take different jobs instead of colliding on the same one; if the process dies before the
/// commit, the lock goes with the connection and the job stays queued.</summary>
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
        // Which jobs are for this agent: PostgreSQL matches the agent's labels in the candidates' query
        // itself, saving a round trip; SQLite, which has no arrays, is given the runs-on values it can run.
        object runsOn = agentId;
        if (!database.IsPostgres)
        {
            var runnable = await RunnableLabelSetsAsync(session, agentId, cancellationToken);
            if (runnable.Count == 0)
            {
                return null;
            }

            runsOn = Sql.ListParameter(runnable);
        }

        var passedOver = new List<long>();
        // A lost claim race counts as a try; passing over jobs that other servers hold locked does not
        // (the passed-over set only grows, so that ends), up to a bound for safety.
        for (int tries = 0, rounds = 0; tries < 5 && rounds < 100; rounds++)
        {
            var now = Now;
            // One transaction per try, in two round trips on PostgreSQL: the pick (which locks the job it
            // takes), then the claim with the project's fair-share tags, the build's start and the commit.
            // If the process dies before the commit, nothing changed.
            await session.BeginAsync(cancellationToken);
            var candidates = new List<LeaseCandidate>();
            List<Statement> pick =
            [
                new(
                    Sql.Candidates,
                    [runsOn, Sql.ListParameter(passedOver), now, database.IsPostgres ? CandidatesPerTry : 1, QueuedName],
                    r => candidates.Add(new LeaseCandidate { JobId = r.GetInt64(0), BuildId = r.GetInt64(1), ProjectId = r.GetInt64(2), Row = r.GetStringOrNull(3) })),
            ];
            if (database.IsPostgres)
            {
                pick.Insert(0, new(LeaseRules.GenericPlans, [], Statement.Ignore));
            }

            await session.BatchAsync(pick, cancellationToken);
            if (candidates.Count == 0)
            {
                return null;
            }

            if (candidates.FirstOrDefault(c => c.Taken) is not { } candidate)
            {
                // Other servers are claiming all of them right now; look behind them.
                passedOver.AddRange(candidates.Select(c => c.JobId));
                await session.RollbackAsync(cancellationToken);
                continue;
            }

            // One round trip on PostgreSQL. The concurrency group's lock and, if the project limits its
            // running builds, the project's (so two servers cannot both start a build past the limit); then
            // the claim, which re-checks both after the locks; the build's start if the claim took the job;
            // the leased job as the agent needs it; the commit. A failed claim commits no change. Then the
            // project's fair-share tags advance, unsynced: a crash may lose that step, which costs a project
            // one turn of fairness, and the project's row is not held locked while the disk syncs, so leases
            // of one project's jobs do not queue behind each other's commits.
            var token = NewLeaseToken();
            var steps = new List<LeasedStep>();
            LeasedJob? job = null;
            var claimJob = new Statement(Sql.Claim, [token, now + leaseDuration, agentId, agentName, now, candidate.JobId, candidate.Row]);
            List<Statement> claim =
            [
                claimJob,
                new(LeaseRules.StartBuild, [now, candidate.BuildId, candidate.JobId, token]),
                new(StepsOfLeasedJob, [candidate.JobId], r => steps.Add(ReadStep(r))),
                new(LeasedJobRow, [candidate.JobId, token], r => job = ReadJob(r, steps)),
            ];
            if (database.IsPostgres)
            {
                claim.InsertRange(0, [
                    new(LeaseRules.LockConcurrencyGroup, [candidate.JobId], Statement.Ignore),
                    new(LeaseRules.LockLimitedProject, [candidate.ProjectId], Statement.Ignore),
                ]);
            }

            var affected = await session.CommitWithAsync(
                [], claim, [new(LeaseRules.AdvanceFairShare, [now, candidate.ProjectId, candidate.JobId, token])], cancellationToken);
            if (affected[claim.IndexOf(claimJob)] == 1)
            {
                return job;
            }

            tries++;
        }

        return null;
    }

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

    private const string StepsOfLeasedJob = """
        SELECT "Index", "Name", "Run", "EnvJson", "TimeoutSeconds", "Condition", "ContinueOnError", "WorkingDirectory", "Shell"
        FROM steps WHERE "JobId" = @p0 ORDER BY "Index"
        """;

    /// <summary>The job as claimed: no row if the claim in the same batch failed.</summary>
    private const string LeasedJobRow = """
        SELECT j."Id", j."BuildId", j."Name", j."Attempt", j."LeaseToken", j."LeaseExpiresAt", j."TimeoutSeconds", j."EnvJson", j."MatrixJson", j."SpecJson",
          b."Number", b."Event", b."Ref", b."Branch", b."Tag", b."Commit", b."TriggeredBy", b."InputsJson", p."Name", p."RepoUrl"
        FROM jobs AS j JOIN builds AS b ON b."Id" = j."BuildId" JOIN projects AS p ON p."Id" = b."ProjectId"
        WHERE j."Id" = @p0 AND j."LeaseToken" = @p1
        """;

    private static LeasedStep ReadStep(DbDataReader r) =>
        new(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32OrNull(4), r.GetString(5), r.GetBoolean(6), r.GetStringOrNull(7), r.GetStringOrNull(8));

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
