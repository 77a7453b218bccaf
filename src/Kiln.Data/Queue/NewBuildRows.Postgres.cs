namespace Kiln.Data.Queue;

/// <summary>PostgreSQL's texts of <see cref="NewBuildRows"/>: each row finds its parent as the last value this
/// session drew from the parent table's identity sequence (<c>currval</c>), and the number is taken in a
/// transaction of its own and kept in a session setting for the insert.</summary>
internal sealed partial class NewBuildRows
{
    /// <summary>PostgreSQL: the session setting that carries the number taken to the build's insert.</summary>
    private const string NumberSetting = "kiln.build_number";

    private static readonly NewBuildRows Postgres = new(
        takeNumber: $"""
            WITH n(number) AS (
              UPDATE projects SET "NextBuildNumber" = "NextBuildNumber" + 1 WHERE "Id" = @BuildProject
              RETURNING "NextBuildNumber" - 1)
            SELECT number, set_config('{NumberSetting}', CAST(number AS text), FALSE) FROM n
            """,
        takenNumber: $"""CAST(current_setting('{NumberSetting}') AS integer)""",
        thisBuild: """currval('"builds_Id_seq"')""",
        thisJob: """currval('"jobs_Id_seq"')""",
        postgres: true);
}
