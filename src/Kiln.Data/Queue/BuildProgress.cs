using Kiln.Core.Builds;
using Kiln.Data.Configurations;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Queue;

/// <summary>Moves a build forward after any of its jobs changed: releases or skips waiting jobs,
/// then derives the build's status. Runs inside the caller's transaction, so the job change and
/// its consequences commit together. The decisions are <see cref="Advance"/>'s, on rows read through
/// EF Core (cancel, supersede) or in plain SQL (a job's completion, <see cref="SqlJobQueue"/>).</summary>
public static class BuildProgress
{
    /// <returns>True if some job became queued (agents should be woken).</returns>
    public static async Task<bool> AdvanceAsync(KilnDbContext db, long buildId, DateTime now, CancellationToken cancellationToken)
    {
        var build = await db.Builds.Include(b => b.Jobs).SingleAsync(b => b.Id == buildId, cancellationToken);
        // Earlier attempts are history: only the latest attempt of each job counts (filtered in
        // memory, since rows already tracked would slip past a filtered Include).
        var changes = Advance(build, build.Jobs.Where(j => j.IsLatest).ToList(), now);
        foreach (var job in changes.Ended)
        {
            foreach (var step in await db.Steps.Where(s => s.JobId == job.Id).ToListAsync(cancellationToken))
            {
                step.Status = StepStatus.Skipped;
            }
        }

        return changes.AnyQueued;
    }

    /// <summary>As above in plain SQL (<see cref="SqlJobQueue"/>): the statements that read the build of job
    /// <paramref name="jobId"/> and its latest jobs into <paramref name="rows"/>, to run in the caller's
    /// transaction (after the job's own change, so they see it). On PostgreSQL the build row is locked,
    /// so two jobs of one build ending at once advance it one after the other.</summary>
    internal static IReadOnlyList<Statement> Reads(long jobId, bool postgres, BuildRows rows) =>
    [
        new(
            $"""
            SELECT b."Id", b."Status", b."StartedAt", b."FinishedAt", p."MaxRunningBuilds" IS NOT NULL
            FROM builds AS b JOIN projects AS p ON p."Id" = b."ProjectId"
            WHERE b."Id" = (SELECT "BuildId" FROM jobs WHERE "Id" = @p0)
            {(postgres ? "FOR UPDATE OF b" : "")}
            """,
            [jobId],
            r =>
            {
                rows.Build = new BuildEntity
                {
                    Id = r.GetInt64(0),
                    Event = "",
                    TriggeredBy = "",
                    Status = StatusConversions.ToBuild(r.GetString(1)),
                    StartedAt = r.GetDateTimeOrNull(2),
                    FinishedAt = r.GetDateTimeOrNull(3),
                };
                rows.ProjectHasLimit = r.GetBoolean(4);
            }),
        new(
            """
            SELECT "Id", "Name", "Needs", "Status", "Manual", "AllowFailure", "CancelRequested", "StartedAt", "FailureReason", "Message"
            FROM jobs WHERE "BuildId" = (SELECT "BuildId" FROM jobs WHERE "Id" = @p0) AND "IsLatest" = @p1 ORDER BY "Id"
            """,
            [jobId, true],
            r => rows.Jobs.Add(new JobEntity
            {
                Id = r.GetInt64(0),
                Name = r.GetString(1),
                Needs = r.GetString(2),
                Status = StatusConversions.ToJob(r.GetString(3)),
                Manual = r.GetBoolean(4),
                AllowFailure = r.GetBoolean(5),
                CancelRequested = r.GetBoolean(6),
                StartedAt = r.GetDateTimeOrNull(7),
                FailureReason = r.GetStringOrNull(8),
                Message = r.GetStringOrNull(9),
            })),
    ];

    /// <summary>Decides on the rows <see cref="Reads"/> read, stores the decisions in one batch with
    /// <paramref name="alsoRun"/>, and commits. Each job or build it changes must still have the status it
    /// was read with: on PostgreSQL a cancel may have changed a job since, and the write would overwrite it.
    /// Then it throws <see cref="ConcurrentChangeException"/> before committing, and the caller runs its
    /// transaction again. When no other job changes, the only such write is the build's, whose row
    /// <see cref="Reads"/> holds locked (SQLite: the write lock), so it cannot fail, and the commit goes
    /// with the writes in the same round trip.</summary>
    internal static async Task<SqlProgress> WriteAndCommitAsync(QueueSession session, BuildRows rows, DateTime now, IEnumerable<Statement> alsoRun, CancellationToken cancellationToken)
    {
        var build = rows.Build!;
        var (status, startedAt, finishedAt) = (build.Status, build.StartedAt, build.FinishedAt);
        var statusRead = rows.Jobs.ToDictionary(j => j.Id, j => j.Status);
        var changes = Advance(build, rows.Jobs, now);
        var guarded = changes.Changed.Select(job => new Statement(
            """
            UPDATE jobs SET "Status" = @p0, "Message" = @p1, "QueuedAt" = COALESCE(@p2, "QueuedAt"),
              "FinishedAt" = COALESCE(@p3, "FinishedAt"), "FailureReason" = @p4
            WHERE "Id" = @p5 AND "Status" = @p6
            """,
            [StatusNames.ToWire(job.Status), job.Message, job.QueuedAt, job.FinishedAt, job.FailureReason, job.Id, StatusNames.ToWire(statusRead[job.Id])])).ToList();
        var jobsChanged = guarded.Count > 0;
        if (build.Status != status || build.StartedAt != startedAt || build.FinishedAt != finishedAt)
        {
            guarded.Add(new(
                """UPDATE builds SET "Status" = @p0, "StartedAt" = @p1, "FinishedAt" = @p2 WHERE "Id" = @p3 AND "Status" = @p4""",
                [StatusNames.ToWire(build.Status), build.StartedAt, build.FinishedAt, build.Id, StatusNames.ToWire(status)]));
        }

        List<Statement> writes =
        [
            .. guarded,
            .. changes.Ended.Select(job => new Statement(
                $"""UPDATE steps SET "Status" = {SqlText.Literal(StepStatus.Skipped)} WHERE "JobId" = @p0""", [job.Id])),
            .. alsoRun,
        ];
        var affected = jobsChanged
            ? await session.BatchAsync(writes, cancellationToken)
            : await session.CommitWithAsync([], writes, [], cancellationToken);
        if (affected.Take(guarded.Count).Any(n => n != 1))
        {
            throw jobsChanged
                ? new ConcurrentChangeException($"A job or build {build.Id} changed while its progress was decided.")
                : new InvalidOperationException($"Build {build.Id} changed while this transaction held its row locked.");
        }

        if (jobsChanged)
        {
            await session.CommitAsync(cancellationToken);
        }

        return new SqlProgress(changes.AnyQueued, build.Status, rows.ProjectHasLimit);
    }

    /// <summary>The decisions, on rows in memory: sets the new status (and what goes with it) of each
    /// latest job whose needs are now decided, and the build's status. <paramref name="latestJobs"/> are
    /// the build's latest attempts, in id order.</summary>
    public static Changes Advance(BuildEntity build, IReadOnlyList<JobEntity> latestJobs, DateTime now)
    {
        var changed = new List<JobEntity>();
        var ended = new List<JobEntity>();
        var anyQueued = false;
        var nodes = latestJobs.Select(j => new JobNode(j.Name, SplitNeeds(j.Needs), Effective(j))).ToList();
        var byName = latestJobs.ToDictionary(j => j.Name);
        foreach (var (name, resolved) in DependencyResolver.Resolve(nodes))
        {
            var job = byName[name];
            // A manual job whose needs are met waits for a person instead of the queue.
            var newStatus = resolved == JobStatus.Queued && job.Manual ? JobStatus.Manual : resolved;
            job.Status = newStatus;
            changed.Add(job);
            if (newStatus == JobStatus.Skipped)
            {
                job.Message ??= "a job it needs did not succeed";
            }

            if (newStatus == JobStatus.Queued)
            {
                job.QueuedAt = now;
                anyQueued = true;
            }
            else if (StatusRules.IsTerminal(newStatus))
            {
                job.FinishedAt = now;
                job.FailureReason ??= JobRetry.ReasonFor(newStatus, job.CancelRequested);
                ended.Add(job);
            }
        }

        if (!StatusRules.IsTerminal(build.Status))
        {
            if (build.StartedAt is null && latestJobs.Any(j => j.StartedAt is not null))
            {
                build.StartedAt = latestJobs.Where(j => j.StartedAt is not null).Min(j => j.StartedAt);
                build.Status = BuildStatus.Running;
            }

            if (BuildOutcome.Aggregate(latestJobs.Select(Effective)) is { } outcome)
            {
                build.Status = outcome;
                build.FinishedAt = now;
            }
        }

        return new Changes(anyQueued, changed, ended);
    }

    /// <summary>A job allowed to fail counts as succeeded for its dependents and for the build's outcome.</summary>
    private static JobStatus Effective(JobEntity job) =>
        job.AllowFailure && job.Status is JobStatus.Failed or JobStatus.TimedOut ? JobStatus.Succeeded : job.Status;

    public static IReadOnlyList<string> SplitNeeds(string needs) =>
        needs.Length == 0 ? [] : needs.Split('\n');

    /// <summary>What <see cref="Advance"/> changed: whether a job became queued, the jobs whose status it
    /// set, and of those the ones that ended without running (their steps are skipped).</summary>
    public sealed record Changes(bool AnyQueued, IReadOnlyList<JobEntity> Changed, IReadOnlyList<JobEntity> Ended);

    /// <summary>What <see cref="Reads"/> read: the build, whether its project limits its running builds,
    /// and its latest jobs in id order.</summary>
    internal sealed class BuildRows
    {
        public BuildEntity? Build { get; set; }

        public bool ProjectHasLimit { get; set; }

        public List<JobEntity> Jobs { get; } = [];
    }

    /// <summary>A build advanced in plain SQL: whether a job became queued, the build's status now, and
    /// whether its project limits its running builds.</summary>
    internal sealed record SqlProgress(bool AnyQueued, BuildStatus Status, bool ProjectHasLimit);
}
