using Kiln.Core.Builds;
using Kiln.Data.Configurations;
using Kiln.Data.Events;

namespace Kiln.Data.Queue;

/// <summary>Moves a build forward in the queue's transaction after any of its jobs changed: reads the build
/// and its latest jobs (<see cref="Reads"/>), lets <see cref="BuildDecisions"/> decide, then writes the
/// decision with its events and commits (<see cref="WriteAndCommitAsync"/>), so the change, its
/// consequences and their events commit together.</summary>
internal static class BuildProgress
{
    /// <summary>The statements that read the build (of job <paramref name="key"/> if <paramref name="ofJob"/>, else
    /// build <paramref name="key"/>) and its latest jobs into <paramref name="rows"/>, to run in the caller's
    /// transaction (after its own change, so they see it). On PostgreSQL the build row is locked, so two
    /// changes of one build advance it one after the other.</summary>
    public static IReadOnlyList<Statement> Reads(bool ofJob, long key, bool postgres, BuildRows rows)
    {
        var sql = QueueSql.For(postgres);
        var args = new BuildKeyArgs(key);
        return
        [
            (ofJob ? sql.BuildOfJob : sql.ThisBuild).With(args, NamedRows.Each<BuildColumns>((r, c) =>
            {
                rows.Build = new BuildState(r.GetInt64(c.Id), StatusConversions.ToBuild(r.GetString(c.Status)), r.GetDateTimeOrNull(c.StartedAt), r.GetDateTimeOrNull(c.FinishedAt));
                rows.ProjectHasLimit = r.GetBoolean(c.HasLimit);
                rows.ProjectId = r.GetInt64(c.ProjectId);
                rows.ProjectName = r.GetString(c.Name);
                rows.Number = r.GetInt32(c.Number);
            })),
            (ofJob ? QueueSql.JobsOfBuildOfJob : QueueSql.JobsOfThisBuild).With(args, NamedRows.Each<JobStateColumns>((r, c) =>
                rows.Jobs.Add(new JobState(r.GetInt64(c.Id), r.GetString(c.Name), Entities.JobEntity.SplitNeeds(r.GetString(c.Needs)), StatusConversions.ToJob(r.GetString(c.Status)))
                {
                    Manual = r.GetBoolean(c.Manual),
                    AllowFailure = r.GetBoolean(c.AllowFailure),
                    CancelRequested = r.GetBoolean(c.CancelRequested),
                    StartedAt = r.GetDateTimeOrNull(c.StartedAt),
                    FailureReason = StatusConversions.ToReason(r.GetStringOrNull(c.FailureReason)),
                    Message = r.GetStringOrNull(c.Message),
                }))),
        ];
    }

    /// <summary>The build of job <c>@Key</c>, an SQL expression.</summary>
    public const string BuildOfJob = """(SELECT "BuildId" FROM jobs WHERE "Id" = @Key)""";

    /// <summary>Build <c>@Key</c> itself.</summary>
    public const string ThisBuild = "@Key";

    /// <summary>Stores <paramref name="decision"/> (made on <paramref name="rows"/>) and its events in one
    /// batch with <paramref name="alsoRun"/>, and commits. Each job or build it changes must still have the
    /// status it was read with: on PostgreSQL a cancel may have changed a job since, and the write would
    /// overwrite it. Then it throws <see cref="ConcurrentChangeException"/> before committing, and the
    /// caller runs its transaction again. When no job changes, the only such write is the build's, whose
    /// row <see cref="Reads"/> holds locked (SQLite: the write lock), so it cannot fail, and the commit
    /// goes with the writes in the same round trip.</summary>
    public static async Task<SqlProgress> WriteAndCommitAsync(
        QueueSession session, BuildRows rows, BuildDecision decision, EventRows events, string? actor, DateTime now,
        IEnumerable<Statement> alsoRun, CancellationToken cancellationToken)
    {
        var build = rows.Build!;
        var guarded = decision.Jobs.Select(change => change.StatusChanged
            ? QueueSql.ChangeJobStatus.With(new(
                StatusNames.ToWire(change.After.Status), change.After.Message, change.After.QueuedAt, change.After.FinishedAt,
                StatusNames.ToWire(change.After.FailureReason), change.After.Id, StatusNames.ToWire(change.Before.Status)))
            : QueueSql.AskJobToCancel.With(new(
                change.After.CancelRequested, StatusNames.ToWire(change.After.FailureReason), change.After.Id, StatusNames.ToWire(change.Before.Status))))
            .ToList();
        var jobsChanged = guarded.Count > 0;
        if (decision.Build is { } buildChange)
        {
            var after = buildChange.After;
            guarded.Add(QueueSql.ChangeBuildStatus.With(new(
                StatusNames.ToWire(after.Status), after.StartedAt, after.FinishedAt, build.Id, StatusNames.ToWire(buildChange.Before.Status))));
        }

        List<Statement> writes =
        [
            .. guarded,
            .. decision.Jobs.Where(j => j.EndedUnstarted).Select(job => QueueSql.SkipSteps.With(new(job.After.Id))),
            .. alsoRun,
            .. EventsOf(rows, decision, events, actor, now),
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

        return new SqlProgress(decision.AnyQueued, decision.Build?.After.Status ?? build.Status, rows.ProjectHasLimit);
    }

    /// <summary>One event per change of status the decision made: a job's, then the build's start and end.</summary>
    private static IEnumerable<Statement> EventsOf(BuildRows rows, BuildDecision decision, EventRows events, string? actor, DateTime now)
    {
        foreach (var change in decision.Jobs.Where(j => j.StatusChanged))
        {
            if (EventKinds.ForJob(change.After.Status) is { } kind)
            {
                yield return events.Add(rows.JobEvent(kind, change.After, now, actor));
            }
        }

        if (decision.Build is { } build)
        {
            if (build.Before.StartedAt is null && build.After.StartedAt is not null)
            {
                yield return events.Add(rows.BuildEvent(EventKinds.BuildStarted, BuildStatus.Running, now, actor));
            }

            if (StatusRules.IsTerminal(build.After.Status))
            {
                yield return events.Add(rows.BuildEvent(EventKinds.BuildFinished, build.After.Status, now, actor));
            }
        }
    }

    /// <summary>What <see cref="Reads"/> read: the build, its project and whether that limits its running
    /// builds, and its latest jobs in id order.</summary>
    internal sealed class BuildRows
    {
        public BuildState? Build { get; set; }

        public bool ProjectHasLimit { get; set; }

        public long ProjectId { get; set; }

        public string ProjectName { get; set; } = "";

        public int Number { get; set; }

        public List<JobState> Jobs { get; } = [];

        public EventValues BuildEvent(string kind, BuildStatus status, DateTime at, string? actor, FailureReason? reason = null) =>
            new(kind, at, ProjectId, ProjectName, Build!.Id, Number, Status: StatusNames.ToWire(status), FailureReason: StatusNames.ToWire(reason), Actor: actor);

        public EventValues JobEvent(string kind, JobState job, DateTime at, string? actor) =>
            new(kind, at, ProjectId, ProjectName, Build!.Id, Number, job.Id, job.Name, Status: StatusNames.ToWire(job.Status),
                FailureReason: StatusNames.ToWire(job.FailureReason), Actor: actor);
    }

    /// <summary>A build advanced: whether a job became queued, the build's status now, and whether its
    /// project limits its running builds.</summary>
    internal sealed record SqlProgress(bool AnyQueued, BuildStatus Status, bool ProjectHasLimit);
}
