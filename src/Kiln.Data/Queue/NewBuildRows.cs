using Kiln.Core.Builds;
using Kiln.Data.Entities;

namespace Kiln.Data.Queue;

/// <summary>Inserts a new build with its jobs and steps, in plain SQL on the caller's transaction (the
/// enqueue of <see cref="SqlJobQueue"/>), in one round trip on PostgreSQL: each row finds its parent's
/// id by its unique key (the build by project and the number just taken, a job by build, name and
/// attempt) instead of waiting for the parent's insert to return it. The build takes its project's
/// next number; the ids and number the database assigns are written back into the entities, as EF
/// Core would.</summary>
internal static class NewBuildRows
{
    private const string NextNumber = """
        UPDATE projects SET "NextBuildNumber" = "NextBuildNumber" + 1 WHERE "Id" = @p0
        RETURNING "NextBuildNumber" - 1
        """;

    /// <summary>The number just taken (the project row is locked until the commit, so it is this build's).</summary>
    private const string TakenNumber = """(SELECT "NextBuildNumber" - 1 FROM projects WHERE "Id" = @p0)""";

    private const string ThisBuild = $"""(SELECT "Id" FROM builds WHERE "ProjectId" = @p0 AND "Number" = {TakenNumber})""";

    private const string InsertBuild = $"""
        INSERT INTO builds ("ProjectId", "Number", "Status", "Event", "Ref", "Branch", "Tag", "Commit", "TriggeredBy",
          "InputsJson", "Error", "CancelRequested", "CreatedAt", "StartedAt", "FinishedAt")
        VALUES (@p0, {TakenNumber}, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13)
        RETURNING "Id"
        """;

    private const string InsertJob = $"""
        INSERT INTO jobs ("BuildId", "ProjectId", "Ordinal", "Name", "Attempt", "IsLatest", "Status", "FailureReason", "Needs",
          "EnvJson", "TimeoutSeconds", "MatrixJson", "AllowFailure", "RunsOn", "RetryMax", "RetryOn", "Manual", "SpecJson",
          "Priority", "ConcurrencyGroup", "CancelRequested", "Message", "LogBytes", "NextLogSequence", "QueuedAt", "NotBefore",
          "AgentId", "AgentName", "LeaseToken", "LeaseExpiresAt", "StartedAt", "FinishedAt")
        VALUES ({ThisBuild}, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17,
          @p18, @p19, @p20, @p21, @p22, @p23, @p24, @p25, @p26, @p27, @p28, @p29, @p30, @p31)
        RETURNING "Id"
        """;

    private const string InsertStep = $"""
        INSERT INTO steps ("JobId", "Index", "Name", "Run", "EnvJson", "TimeoutSeconds", "Condition", "ContinueOnError",
          "WorkingDirectory", "Shell", "Status", "ExitCode", "StartedAt", "FinishedAt")
        VALUES ((SELECT "Id" FROM jobs WHERE "BuildId" = {ThisBuild} AND "Name" = @p1 AND "Attempt" = @p14),
          @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p15)
        RETURNING "Id"
        """;

    public static async Task InsertAsync(QueueSession session, BuildEntity build, CancellationToken cancellationToken)
    {
        var jobIds = new List<long>();
        var stepIds = new List<long>();
        List<Statement> inserts =
        [
            new(NextNumber, [build.ProjectId], r => build.Number = r.GetInt32(0)),
            new(
                InsertBuild,
                [build.ProjectId, StatusNames.ToWire(build.Status), build.Event, build.Ref, build.Branch, build.Tag, build.Commit,
                    build.TriggeredBy, build.InputsJson, build.Error, build.CancelRequested, build.CreatedAt, build.StartedAt, build.FinishedAt],
                r => build.Id = r.GetInt64(0)),
        ];
        foreach (var job in build.Jobs)
        {
            inserts.Add(new(
                InsertJob,
                [build.ProjectId, job.ProjectId, job.Ordinal, job.Name, job.Attempt, job.IsLatest, StatusNames.ToWire(job.Status), job.FailureReason,
                    job.Needs, job.EnvJson, job.TimeoutSeconds, job.MatrixJson, job.AllowFailure, job.RunsOn, job.RetryMax, job.RetryOn,
                    job.Manual, job.SpecJson, job.Priority, job.ConcurrencyGroup, job.CancelRequested, job.Message, job.LogBytes,
                    job.NextLogSequence, job.QueuedAt, job.NotBefore, job.AgentId, job.AgentName, job.LeaseToken, job.LeaseExpiresAt,
                    job.StartedAt, job.FinishedAt],
                r => jobIds.Add(r.GetInt64(0))));
            inserts.AddRange(job.Steps.Select(step => new Statement(
                InsertStep,
                [build.ProjectId, job.Name, step.Index, step.Name, step.Run, step.EnvJson, step.TimeoutSeconds, step.Condition, step.ContinueOnError,
                    step.WorkingDirectory, step.Shell, StatusNames.ToWire(step.Status), step.ExitCode, step.StartedAt, job.Attempt, step.FinishedAt],
                r => stepIds.Add(r.GetInt64(0)))));
        }

        await session.BatchAsync(inserts, cancellationToken);
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
