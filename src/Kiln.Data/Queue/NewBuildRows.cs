using Kiln.Core.Triggers;
using Kiln.Core.Builds;
using Kiln.Data.Entities;

namespace Kiln.Data.Queue;

/// <summary>Inserts a new build with its jobs and steps, in plain SQL, and commits the caller's transaction
/// (the enqueue of <see cref="SqlJobQueue"/>): one round trip on PostgreSQL, the commit included. Each row
/// finds its parent's id without waiting for the parent's insert to return it: on SQLite by the parent's
/// unique key (the build by project and number, a job by build, name and attempt); on PostgreSQL as the
/// last value this session drew from the parent table's identity sequence (<c>currval</c>: the parent was
/// inserted just before), which no plan can turn into a scan. The build takes its project's next number;
/// the ids and number the database assigns are written back into the entities, as EF Core would.
/// <para>On SQLite the number is taken in the same transaction (one writer at a time anyway). On
/// PostgreSQL it is taken in a transaction of its own whose commit does not wait for the disk (<see
/// cref="QueueSession.CommitWithAsync"/>),
/// and kept in a session setting for the insert: the project's row is then locked only for that one
/// update, not until the build's commit has synced, so enqueues for one project do not queue behind each
/// other's disk writes. The build's synced commit syncs the number's too; a failed insert leaves a gap.</para></summary>
internal sealed class NewBuildRows
{
    private static readonly NewBuildRows Sqlite = new(
        takeNumber: """
            UPDATE projects SET "NextBuildNumber" = "NextBuildNumber" + 1 WHERE "Id" = @p0
            RETURNING "NextBuildNumber" - 1
            """,
        // The project row is locked until the commit, so the number just taken is this build's.
        takenNumber: TakenNumber,
        thisBuild: SqliteThisBuild,
        thisJob: $"""(SELECT "Id" FROM jobs WHERE "BuildId" = {SqliteThisBuild} AND "Name" = @p1 AND "Attempt" = @p14)""",
        postgres: false);

    private static readonly NewBuildRows Postgres = new(
        takeNumber: $"""
            WITH n(number) AS (
              UPDATE projects SET "NextBuildNumber" = "NextBuildNumber" + 1 WHERE "Id" = @p0
              RETURNING "NextBuildNumber" - 1)
            SELECT number, set_config('{NumberSetting}', CAST(number AS text), FALSE) FROM n
            """,
        takenNumber: $"""CAST(current_setting('{NumberSetting}') AS integer)""",
        thisBuild: """currval('"builds_Id_seq"')""",
        thisJob: """currval('"jobs_Id_seq"')""",
        postgres: true);

    /// <summary>SQLite: the number just taken.</summary>
    private const string TakenNumber = """(SELECT "NextBuildNumber" - 1 FROM projects WHERE "Id" = @p0)""";

    private const string SqliteThisBuild = $"""(SELECT "Id" FROM builds WHERE "ProjectId" = @p0 AND "Number" = {TakenNumber})""";

    /// <summary>PostgreSQL: the session setting that carries the number taken to the build's insert.</summary>
    private const string NumberSetting = "kiln.build_number";

    private readonly string takeNumber;
    private readonly string insertBuild;
    private readonly string insertJob;
    private readonly string insertStep;
    private readonly string insertEvent;
    private readonly bool postgres;

    /// <summary>PostgreSQL: the number is taken in a transaction of its own whose commit does not wait for the disk.</summary>
    private bool NumberUnsynced => postgres;

    private NewBuildRows(string takeNumber, string takenNumber, string thisBuild, string thisJob, bool postgres)
    {
        this.postgres = postgres;
        this.takeNumber = takeNumber;
        insertBuild = $"""
            INSERT INTO builds ("ProjectId", "Number", "Status", "Event", "Ref", "Branch", "Tag", "Commit", "TriggeredBy",
              "InputsJson", "Error", "CancelRequested", "CreatedAt", "StartedAt", "FinishedAt", "Forge", "DeliveryId", "PullRequest",
              "BaseBranch", "SkipReason", "FromFork")
            VALUES (@p0, {takenNumber}, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18, @p19)
            RETURNING "Id"
            """;
        insertJob = $"""
            INSERT INTO jobs ("BuildId", "ProjectId", "Ordinal", "Name", "Attempt", "IsLatest", "Status", "FailureReason", "Needs",
              "EnvJson", "TimeoutSeconds", "MatrixJson", "AllowFailure", "RunsOn", "RetryMax", "RetryOn", "Manual", "SpecJson",
              "Priority", "ConcurrencyGroup", "CancelRequested", "Message", "LogBytes", "NextLogSequence", "QueuedAt", "NotBefore",
              "AgentId", "AgentName", "LeaseToken", "LeaseExpiresAt", "StartedAt", "FinishedAt")
            VALUES ({thisBuild}, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17,
              @p18, @p19, @p20, @p21, @p22, @p23, @p24, @p25, @p26, @p27, @p28, @p29, @p30, @p31)
            RETURNING "Id"
            """;
        insertStep = $"""
            INSERT INTO steps ("JobId", "Index", "Name", "Run", "EnvJson", "TimeoutSeconds", "Condition", "ContinueOnError",
              "WorkingDirectory", "Shell", "Status", "ExitCode", "StartedAt", "FinishedAt")
            VALUES ({thisJob}, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p15)
            RETURNING "Id"
            """;
        // The build's event (build.queued, or build.finished for a build made already ended), with the
        // project's name read from its row. Parameters: project id, now, kind, status, actor, its place.
        insertEvent = $"""
            {new Events.EventRows(postgres).InsertInto}
            SELECT {new Events.EventRows(postgres).IdValue("@p5")}@p1, @p2, p."Id", p."Name", {thisBuild}, {takenNumber},
              NULL, NULL, NULL, @p3, NULL, @p4
            FROM projects AS p WHERE p."Id" = @p0
            """;
    }

    public static Task InsertAndCommitAsync(QueueSession session, bool postgres, BuildEntity build, CancellationToken cancellationToken) =>
        (postgres ? Postgres : Sqlite).InsertAsync(session, build, cancellationToken);

    /// <summary>The inserts' texts, for the test that holds their column lists to the model (a new column
    /// they miss would silently be left at its default).</summary>
    internal static (string Build, string Job, string Step) InsertTexts(bool postgres)
    {
        var rows = postgres ? Postgres : Sqlite;
        return (rows.insertBuild, rows.insertJob, rows.insertStep);
    }

    private async Task InsertAsync(QueueSession session, BuildEntity build, CancellationToken cancellationToken)
    {
        var jobIds = new List<long>();
        var stepIds = new List<long>();
        var number = new Statement(takeNumber, [build.ProjectId], r => build.Number = r.GetInt32(0));
        List<Statement> inserts =
        [
            new(
                insertBuild,
                [build.ProjectId, StatusNames.ToWire(build.Status), build.Event.ToWire(), build.Ref, build.Branch, build.Tag, build.Commit,
                    build.TriggeredBy, build.InputsJson, build.Error, build.CancelRequested, build.CreatedAt, build.StartedAt, build.FinishedAt,
                    build.Forge?.ToWire(), build.DeliveryId, build.PullRequest, build.BaseBranch, build.SkipReason, build.FromFork],
                r => build.Id = r.GetInt64(0)),
        ];
        var events = new Events.EventRows(postgres);
        inserts.Add(new(
            insertEvent,
            [build.ProjectId, build.CreatedAt, StatusRules.IsTerminal(build.Status) ? EventKinds.BuildFinished : EventKinds.BuildQueued,
                StatusNames.ToWire(build.Status), build.TriggeredBy, events.Place()]));
        // Each job's steps right after it: on PostgreSQL a step's job is the last one inserted.
        foreach (var job in build.Jobs)
        {
            inserts.Add(new(
                insertJob,
                [build.ProjectId, job.ProjectId, job.Ordinal, job.Name, job.Attempt, job.IsLatest, StatusNames.ToWire(job.Status), StatusNames.ToWire(job.FailureReason),
                    job.Needs, job.EnvJson, job.TimeoutSeconds, job.MatrixJson, job.AllowFailure, job.RunsOn, job.RetryMax, job.RetryOn,
                    job.Manual, job.SpecJson, (int)job.Priority, job.ConcurrencyGroup, job.CancelRequested, job.Message, job.LogBytes,
                    job.NextLogSequence, job.QueuedAt, job.NotBefore, job.AgentId, job.AgentName, job.LeaseToken, job.LeaseExpiresAt,
                    job.StartedAt, job.FinishedAt],
                r => jobIds.Add(r.GetInt64(0))));
            inserts.AddRange(job.Steps.Select(step => new Statement(
                insertStep,
                [build.ProjectId, job.Name, step.Index, step.Name, step.Run, step.EnvJson, step.TimeoutSeconds, step.Condition, step.ContinueOnError,
                    step.WorkingDirectory, step.Shell, StatusNames.ToWire(step.Status), step.ExitCode, step.StartedAt, job.Attempt, step.FinishedAt],
                r => stepIds.Add(r.GetInt64(0)))));
        }

        await session.CommitWithAsync(NumberUnsynced ? [number] : [], NumberUnsynced ? inserts : [number, .. inserts], [], cancellationToken);
        var steps = 0;
        for (var j = 0; j < build.Jobs.Count; j++)
        {
            var job = build.Jobs[j];
            (job.Id, job.BuildId) = (jobIds[j], build.Id);
            foreach (var step in job.Steps)
            {
                (step.Id, step.JobId) = (stepIds[steps++], job.Id);
            }
        }
    }
}
