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
/// other's disk writes. The build's synced commit syncs the number's too; a failed insert leaves a gap.</para>
/// <para>The texts of each database are in NewBuildRows.Sqlite.cs and NewBuildRows.Postgres.cs.</para></summary>
internal sealed partial class NewBuildRows
{
    private readonly SqlStatement<ProjectArgs> takeNumber;
    private readonly SqlStatement<NewBuildArgs> insertBuild;
    private readonly SqlStatement<NewJobArgs> insertJob;
    private readonly SqlStatement<NewStepArgs> insertStep;
    private readonly SqlStatement<BuildEventArgs> insertEvent;
    private readonly bool postgres;

    /// <summary>PostgreSQL: the number is taken in a transaction of its own whose commit does not wait for the disk.</summary>
    private bool NumberUnsynced => postgres;

    private NewBuildRows(string takeNumber, string takenNumber, string thisBuild, string thisJob, bool postgres)
    {
        this.postgres = postgres;
        this.takeNumber = new(takeNumber.Replace("@BuildProject", "@ProjectId", StringComparison.Ordinal));
        insertBuild = new($"""
            INSERT INTO builds ("ProjectId", "Number", "Status", "Event", "Ref", "Branch", "Tag", "Commit", "TriggeredBy",
              "InputsJson", "Error", "CancelRequested", "CreatedAt", "StartedAt", "FinishedAt", "Forge", "DeliveryId", "PullRequest",
              "BaseBranch", "SkipReason", "FromFork")
            VALUES (@BuildProject, {takenNumber}, @Status, @Event, @Ref, @Branch, @Tag, @Commit, @TriggeredBy, @InputsJson, @Error, @CancelRequested,
              @CreatedAt, @StartedAt, @FinishedAt, @Forge, @DeliveryId, @PullRequest, @BaseBranch, @SkipReason, @FromFork)
            RETURNING "Id"
            """);
        insertJob = new($"""
            INSERT INTO jobs ("BuildId", "ProjectId", "Ordinal", "Name", "Attempt", "IsLatest", "Status", "FailureReason", "Needs",
              "EnvJson", "TimeoutSeconds", "MatrixJson", "AllowFailure", "RunsOn", "RetryMax", "RetryOn", "Manual", "SpecJson",
              "Priority", "ConcurrencyGroup", "CancelRequested", "Message", "LogBytes", "NextLogSequence", "QueuedAt", "NotBefore",
              "AgentId", "AgentName", "LeaseToken", "LeaseExpiresAt", "StartedAt", "FinishedAt")
            VALUES ({thisBuild}, @ProjectId, @Ordinal, @Name, @Attempt, @IsLatest, @Status, @FailureReason, @Needs, @EnvJson, @TimeoutSeconds,
              @MatrixJson, @AllowFailure, @RunsOn, @RetryMax, @RetryOn, @Manual, @SpecJson, @Priority, @ConcurrencyGroup, @CancelRequested, @Message,
              @LogBytes, @NextLogSequence, @QueuedAt, @NotBefore, @AgentId, @AgentName, @LeaseToken, @LeaseExpiresAt, @StartedAt, @FinishedAt)
            RETURNING "Id"
            """);
        insertStep = new($"""
            INSERT INTO steps ("JobId", "Index", "Name", "Run", "EnvJson", "TimeoutSeconds", "Condition", "ContinueOnError",
              "WorkingDirectory", "Shell", "Status", "ExitCode", "StartedAt", "FinishedAt")
            VALUES ({thisJob}, @Index, @Name, @Run, @EnvJson, @TimeoutSeconds, @Condition, @ContinueOnError, @WorkingDirectory, @Shell, @Status,
              @ExitCode, @StartedAt, @FinishedAt)
            RETURNING "Id"
            """);
        // The build's event (build.queued, or build.finished for a build made already ended), with the
        // project's name read from its row.
        insertEvent = new($"""
            {new Events.EventRows(postgres).InsertInto}
            SELECT {new Events.EventRows(postgres).IdValue("@Place")}@At, @Kind, p."Id", p."Name", {thisBuild}, {takenNumber},
              NULL, NULL, NULL, @Status, NULL, @Actor
            FROM projects AS p WHERE p."Id" = @BuildProject
            """);
    }

    public static Task InsertAndCommitAsync(QueueSession session, bool postgres, BuildEntity build, CancellationToken cancellationToken) =>
        (postgres ? Postgres : Sqlite).InsertAsync(session, build, cancellationToken);

    /// <summary>The inserts' texts, for the test that holds their column lists to the model (a new column
    /// they miss would silently be left at its default).</summary>
    internal static (string Build, string Job, string Step) InsertTexts(bool postgres)
    {
        var rows = postgres ? Postgres : Sqlite;
        return (rows.insertBuild.Sql, rows.insertJob.Sql, rows.insertStep.Sql);
    }

    private async Task InsertAsync(QueueSession session, BuildEntity build, CancellationToken cancellationToken)
    {
        var jobIds = new List<long>();
        var stepIds = new List<long>();
        var number = takeNumber.With(new(build.ProjectId), r => build.Number = r.GetInt32(0));
        List<Statement> inserts =
        [
            insertBuild.With(
                new(build.ProjectId, StatusNames.ToWire(build.Status), build.Event.ToWire(), build.Ref, build.Branch, build.Tag, build.Commit,
                    build.TriggeredBy, build.InputsJson, build.Error, build.CancelRequested, build.CreatedAt, build.StartedAt, build.FinishedAt,
                    build.Forge?.ToWire(), build.DeliveryId, build.PullRequest, build.BaseBranch, build.SkipReason, build.FromFork),
                r => build.Id = r.GetInt64(0)),
        ];
        var events = new Events.EventRows(postgres);
        inserts.Add(insertEvent.With(new(
            build.ProjectId, build.CreatedAt, StatusRules.IsTerminal(build.Status) ? EventKinds.BuildFinished : EventKinds.BuildQueued,
            StatusNames.ToWire(build.Status), build.TriggeredBy, events.Place())));
        // Each job's steps right after it: on PostgreSQL a step's job is the last one inserted.
        foreach (var job in build.Jobs)
        {
            inserts.Add(insertJob.With(
                new(build.ProjectId, job.ProjectId, job.Ordinal, job.Name, job.Attempt, job.IsLatest, StatusNames.ToWire(job.Status),
                    StatusNames.ToWire(job.FailureReason), job.Needs, job.EnvJson, job.TimeoutSeconds, job.MatrixJson, job.AllowFailure, job.RunsOn,
                    job.RetryMax, job.RetryOn, job.Manual, job.SpecJson, (int)job.Priority, job.ConcurrencyGroup, job.CancelRequested, job.Message,
                    job.LogBytes, job.NextLogSequence, job.QueuedAt, job.NotBefore, job.AgentId, job.AgentName, job.LeaseToken, job.LeaseExpiresAt,
                    job.StartedAt, job.FinishedAt),
                r => jobIds.Add(r.GetInt64(0))));
            inserts.AddRange(job.Steps.Select(step => insertStep.With(
                new(build.ProjectId, job.Name, job.Attempt, step.Index, step.Name, step.Run, step.EnvJson, step.TimeoutSeconds, step.Condition,
                    step.ContinueOnError, step.WorkingDirectory, step.Shell, StatusNames.ToWire(step.Status), step.ExitCode, step.StartedAt, step.FinishedAt),
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
