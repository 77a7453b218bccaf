using Kiln.Core.Builds;

namespace Kiln.Data.Queue;

/// <summary>The texts of <see cref="QueueSql"/> that are SQLite's own. SQLite has one writer at a time and
/// the queue's transactions take the write lock at once, so no read needs a row lock.</summary>
internal sealed partial class QueueSql
{
    private static readonly QueueSql Sqlite = new(
        stepOfLease: new($"""
            SELECT s."Status" FROM steps AS s JOIN jobs AS j ON j."Id" = s."JobId"
            WHERE s."JobId" = @JobId AND s."Index" = @StepIndex AND j."LeaseToken" = @LeaseToken AND j."Status" = {SqlText.Literal(JobStatus.Running)}
            """),
        buildOfJob: new($"""
            SELECT b."Id", b."Status", b."StartedAt", b."FinishedAt", p."MaxRunningBuilds" IS NOT NULL AS "HasLimit", b."ProjectId", p."Name", b."Number"
            FROM builds AS b JOIN projects AS p ON p."Id" = b."ProjectId"
            WHERE b."Id" = {BuildProgress.BuildOfJob}
            """),
        thisBuild: new($"""
            SELECT b."Id", b."Status", b."StartedAt", b."FinishedAt", p."MaxRunningBuilds" IS NOT NULL AS "HasLimit", b."ProjectId", p."Name", b."Number"
            FROM builds AS b JOIN projects AS p ON p."Id" = b."ProjectId"
            WHERE b."Id" = {BuildProgress.ThisBuild}
            """));
}
