namespace Kiln.Data.Queue;

/// <summary>SQLite's texts of <see cref="NewBuildRows"/>: each row finds its parent by the parent's unique
/// key, and the number is taken in the build's own transaction (one writer at a time anyway).</summary>
internal sealed partial class NewBuildRows
{
    /// <summary>SQLite: the number just taken.</summary>
    private const string TakenNumber = """(SELECT "NextBuildNumber" - 1 FROM projects WHERE "Id" = @BuildProject)""";

    private const string SqliteThisBuild = $"""(SELECT "Id" FROM builds WHERE "ProjectId" = @BuildProject AND "Number" = {TakenNumber})""";

    private static readonly NewBuildRows Sqlite = new(
        takeNumber: """
            UPDATE projects SET "NextBuildNumber" = "NextBuildNumber" + 1 WHERE "Id" = @BuildProject
            RETURNING "NextBuildNumber" - 1
            """,
        // The project row is locked until the commit, so the number just taken is this build's.
        takenNumber: TakenNumber,
        thisBuild: SqliteThisBuild,
        thisJob: $"""(SELECT "Id" FROM jobs WHERE "BuildId" = {SqliteThisBuild} AND "Name" = @JobName AND "Attempt" = @JobAttempt)""",
        postgres: false);
}
