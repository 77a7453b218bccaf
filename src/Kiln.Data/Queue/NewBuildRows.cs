using Kiln.Core.Builds;
using Kiln.Data.Entities;

namespace Kiln.Data.Queue;

/// <summary>Inserts a new build with its jobs and steps, in plain SQL on the caller's transaction (the
/// enqueue of <see cref="SqlJobQueue"/>). The build takes its project's next number; the ids and numbers
/// the database assigns are written back into the entities, as EF Core would.</summary>
internal static class NewBuildRows
{
    private const string NextNumber = """
        UPDATE projects SET "NextBuildNumber" = "NextBuildNumber" + 1 WHERE "Id" = @p0
        RETURNING "NextBuildNumber" - 1
        """;

    private const string InsertBuild = """
        INSERT INTO builds ("ProjectId", "Number", "Status", "Event", "Ref", "Branch", "Tag", "Commit", "TriggeredBy",
          "InputsJson", "Error", "CancelRequested", "CreatedAt", "StartedAt", "FinishedAt")
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14)
        RETURNING "Id"
        """;

    private const string InsertJob = """
        INSERT INTO jobs ("BuildId", "ProjectId", "Ordinal", "Name", "Attempt", "IsLatest", "Status", "FailureReason", "Needs",
          "EnvJson", "TimeoutSeconds", "MatrixJson", "AllowFailure", "RunsOn", "RetryMax", "RetryOn", "Manual", "SpecJson",
          "Priority", "ConcurrencyGroup", "CancelRequested", "Message", "LogBytes", "NextLogSequence", "QueuedAt", "NotBefore",
          "AgentId", "AgentName", "LeaseToken", "LeaseExpiresAt", "StartedAt", "FinishedAt")
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17,
          @p18, @p19, @p20, @p21, @p22, @p23, @p24, @p25, @p26, @p27, @p28, @p29, @p30, @p31)
        RETURNING "Id"
        """;

    private const string InsertStep = """
        INSERT INTO steps ("JobId", "Index", "Name", "Run", "EnvJson", "TimeoutSeconds", "Condition", "ContinueOnError",
          "WorkingDirectory", "Shell", "Status", "ExitCode", "StartedAt", "FinishedAt")
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13)
        RETURNING "Id"
        """;

    public static async Task InsertAsync(QueueSession session, BuildEntity build, CancellationToken cancellationToken)
    {
        build.Number = await session.FirstOrDefaultAsync(NextNumber, [build.ProjectId], r => r.GetInt32(0), cancellationToken);
        build.Id = await session.FirstOrDefaultAsync(
            InsertBuild,
            [build.ProjectId, build.Number, StatusNames.ToWire(build.Status), build.Event, build.Ref, build.Branch, build.Tag, build.Commit,
                build.TriggeredBy, build.InputsJson, build.Error, build.CancelRequested, build.CreatedAt, build.StartedAt, build.FinishedAt],
            r => r.GetInt64(0),
            cancellationToken);
        foreach (var job in build.Jobs)
        {
            job.BuildId = build.Id;
            job.Id = await session.FirstOrDefaultAsync(
                InsertJob,
                [job.BuildId, job.ProjectId, job.Ordinal, job.Name, job.Attempt, job.IsLatest, StatusNames.ToWire(job.Status), job.FailureReason,
                    job.Needs, job.EnvJson, job.TimeoutSeconds, job.MatrixJson, job.AllowFailure, job.RunsOn, job.RetryMax, job.RetryOn,
                    job.Manual, job.SpecJson, job.Priority, job.ConcurrencyGroup, job.CancelRequested, job.Message, job.LogBytes,
                    job.NextLogSequence, job.QueuedAt, job.NotBefore, job.AgentId, job.AgentName, job.LeaseToken, job.LeaseExpiresAt,
                    job.StartedAt, job.FinishedAt],
                r => r.GetInt64(0),
                cancellationToken);
            foreach (var step in job.Steps)
            {
                step.JobId = job.Id;
                step.Id = await session.FirstOrDefaultAsync(
                    InsertStep,
                    [step.JobId, step.Index, step.Name, step.Run, step.EnvJson, step.TimeoutSeconds, step.Condition, step.ContinueOnError,
                        step.WorkingDirectory, step.Shell, StatusNames.ToWire(step.Status), step.ExitCode, step.StartedAt, step.FinishedAt],
                    r => r.GetInt64(0),
                    cancellationToken);
            }
        }
    }
}
