using System.Data.Common;
using System.Security.Cryptography;
using Kiln.Core.Builds;
using Kiln.Data.Configurations;
using Kiln.Data.Events;
using Kiln.Data.Entities;

namespace Kiln.Data.Queue;

/// <summary><see cref="IJobQueue"/> in plain SQL on a <see cref="QueueDatabase"/>. Leasing is a fenced claim:
/// pick the best leasable job (<see cref="LeaseRules"/>), then <c>UPDATE … WHERE</c> that job is still
/// leasable; only a job the update claimed is returned, read back with its steps in the same transaction.</summary>
public sealed partial class SqlJobQueue(QueueDatabase database, TimeProvider time, IEventSignal? signal = null) : IJobQueue
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
        signal?.Appended();
    }

    public async Task<LeasedJob?> TryLeaseAsync(long agentId, string agentName, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        LeasedJob? job;
        await using (var session = await database.OpenAsync(cancellationToken))
        {
            job = database.IsPostgres
                ? await TryLeaseOnPostgresAsync(session, agentId, agentName, leaseDuration, cancellationToken)
                : await TryLeaseOnSqliteAsync(session, agentId, agentName, leaseDuration, cancellationToken);
        }

        if (job is not null)
        {
            signal?.Appended();
        }

        return job;
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
                Sql.Candidates!.With(new(Sql.ListParameter(runnable), Sql.ListParameter(Array.Empty<long>()), now, 1)),
                NamedRows.Each<CandidateColumns, LeaseCandidate>(ReadCandidate), cancellationToken);
            if (candidate is null)
            {
                await session.RollbackAsync(cancellationToken);
                return null;
            }

            var token = NewLeaseToken();
            var leased = Sql.Leased(token, candidate.JobId, now);
            Statement[] claim =
            [
                Sql.Claim!.With(new(token, now + leaseDuration, agentId, agentName, now, candidate.JobId)),
                LeaseEvents.SqliteJobStarted.With(leased),
                Sql.StartBuild.With(leased),
                LeaseEvents.SqliteBuildStarted.With(leased),
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
                Sql.Lease!.With(
                    new(agentId, Sql.ListParameter(passedOver), now, CandidatesPerTry, QueuedName, token, now + leaseDuration, agentName),
                    NamedRows.Each<CandidateColumns>((r, c) => candidates.Add(ReadCandidate(r, c)))),
            ];
            await session.BeginAsync(cancellationToken);
            if (await CommitLeaseAsync(session, lease, Sql.Leased(token, pickedJob: null, now), cancellationToken) is { } job)
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
                LeaseRules.LockConcurrencyGroup.With(new(candidate.JobId), Statement.Ignore),
                LeaseRules.LockLimitedProject.With(new(candidate.ProjectId), Statement.Ignore),
                Sql.LeaseOne!.With(new(agentId, candidate.JobId, now, QueuedName, token, now + leaseDuration, agentName), Statement.Ignore),
            ];
            await session.BeginAsync(cancellationToken);
            if (await CommitLeaseAsync(session, guarded, Sql.Leased(token, candidate.JobId, now), cancellationToken) is { } guardedJob)
            {
                return guardedJob;
            }

            tries++;
        }

        return null;
    }

    /// <summary>Runs <paramref name="claim"/> (which claims a job with a lease token, if it can), reads the
    /// leased job by <paramref name="leased"/> (<see cref="LeaseRules.Leased"/>) and commits, in the
    /// session's open transaction: in one round trip on PostgreSQL. A failed claim commits no change. Then
    /// the project's fair-share tags advance, unsynced: a crash may lose that step, which costs a project
    /// one turn of fairness, and its fair-share row is not held locked while the disk syncs, so leases of
    /// one project's jobs do not queue behind each other's commits. Returns the leased job, or null if the
    /// claim took none.</summary>
    private async Task<LeasedJob?> CommitLeaseAsync(
        QueueSession session, IReadOnlyList<Statement> claim, LeasedArgs leased, CancellationToken cancellationToken)
    {
        var steps = new List<LeasedStep>();
        LeasedJob? job = null;
        await session.CommitWithAsync(
            [],
            [.. claim, Sql.LeasedJobWithSteps.With(leased, NamedRows.Each<LeasedJobColumns>((r, c) => ReadJobAndStep(r, c, ref job, steps)))],
            [Sql.AdvanceFairShare.With(leased)],
            cancellationToken);
        return job;
    }

    private static LeaseCandidate ReadCandidate(DbDataReader r, CandidateColumns c) =>
        new() { JobId = r.GetInt64(c.JobId), ProjectId = r.GetInt64(c.ProjectId), Row = r.GetStringOrNull(c.Row) };

    /// <summary>SQLite: the runs-on values of queued jobs that this agent can run: a job is for the agent
    /// when the agent's labels include all of its runs-on labels. The few distinct values are matched here,
    /// the rest in SQL. A paused agent runs nothing; an id with no agent row has no labels.</summary>
    private static async Task<List<string>> RunnableLabelSetsAsync(QueueSession session, long agentId, CancellationToken cancellationToken)
    {
        (string Labels, bool Paused)? agent = null;
        var runsOn = new List<string>();
        await session.BatchAsync(
            [
                QueueSql.AgentLabels.With(new(agentId), r => agent = (r.GetString(0), r.GetBoolean(1))),
                LeaseRules.RunsOnOfQueuedJobs.With(default, r => runsOn.Add(r.GetString(0))),
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
    private static void ReadJobAndStep(DbDataReader r, LeasedJobColumns c, ref LeasedJob? job, List<LeasedStep> steps)
    {
        job ??= ReadJob(r, c, steps);
        if (!r.IsDBNull(c.StepIndex))
        {
            steps.Add(new(
                r.GetInt32(c.StepIndex), r.GetString(c.StepName), r.GetString(c.Run), r.GetString(c.StepEnvJson), r.GetInt32OrNull(c.StepTimeoutSeconds),
                r.GetString(c.Condition), r.GetBoolean(c.ContinueOnError), r.GetStringOrNull(c.WorkingDirectory), r.GetStringOrNull(c.Shell)));
        }
    }

    private static LeasedJob ReadJob(DbDataReader r, LeasedJobColumns c, IReadOnlyList<LeasedStep> steps) => new(
        r.GetInt64(c.Id), r.GetInt64(c.BuildId), r.GetString(c.Name), r.GetInt32(c.Attempt), r.GetString(c.LeaseToken), r.GetDateTime(c.LeaseExpiresAt),
        r.GetInt32OrNull(c.TimeoutSeconds), r.GetString(c.EnvJson), r.GetString(c.MatrixJson), r.GetString(c.SpecJson),
        new LeasedBuild(r.GetInt32(c.Number), r.GetString(c.Event), r.GetStringOrNull(c.Ref), r.GetStringOrNull(c.Branch), r.GetStringOrNull(c.Tag),
            r.GetStringOrNull(c.Commit), r.GetString(c.TriggeredBy), r.GetString(c.InputsJson), r.GetString(c.ProjectName), r.GetStringOrNull(c.RepoUrl),
            r.GetInt32OrNull(c.PullRequest), r.GetStringOrNull(c.BaseBranch)),
        steps);

    private static string NewLeaseToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
}
