using Kiln.Core.Builds;

namespace Kiln.Data.Queue;

/// <summary>The texts of <see cref="QueueSql"/> that are PostgreSQL's own: the reads that lock what they
/// read, since several servers change the same rows at once.</summary>
internal sealed partial class QueueSql
{
    private static readonly QueueSql Postgres = new(
        // The job row is share-locked, so a completion waits for the step report and not the other way
        // round (it would then find the job ended and the lease stale).
        stepOfLease: new($"""
            SELECT s."Status" FROM steps AS s JOIN jobs AS j ON j."Id" = s."JobId"
            WHERE s."JobId" = @JobId AND s."Index" = @StepIndex AND j."LeaseToken" = @LeaseToken AND j."Status" = {SqlText.Literal(JobStatus.Running)}
            FOR SHARE OF j
            """),
        // The build row is locked, so two changes of one build advance it one after the other.
        buildOfJob: new($"""
            SELECT b."Id", b."Status", b."StartedAt", b."FinishedAt", p."MaxRunningBuilds" IS NOT NULL AS "HasLimit", b."ProjectId", p."Name", b."Number"
            FROM builds AS b JOIN projects AS p ON p."Id" = b."ProjectId"
            WHERE b."Id" = {BuildProgress.BuildOfJob}
            FOR UPDATE OF b
            """),
        thisBuild: new($"""
            SELECT b."Id", b."Status", b."StartedAt", b."FinishedAt", p."MaxRunningBuilds" IS NOT NULL AS "HasLimit", b."ProjectId", p."Name", b."Number"
            FROM builds AS b JOIN projects AS p ON p."Id" = b."ProjectId"
            WHERE b."Id" = {BuildProgress.ThisBuild}
            FOR UPDATE OF b
            """));
}
