using Kiln.Core.Builds;
using Kiln.Data.Queue;

namespace Kiln.Data.Events;

/// <summary>The events of a lease: <c>job.started</c> for the job it claimed, and <c>build.started</c> if
/// the claim started the job's build, written by the lease's own statements, so they exist exactly when
/// the claim committed.</summary>
internal static class LeaseEvents
{
    private static readonly string Running = SqlText.Literal(JobStatus.Running);

    private const string Joined = """
        FROM jobs AS j JOIN builds AS b ON b."Id" = j."BuildId" JOIN projects AS p ON p."Id" = j."ProjectId"
        """;

    /// <summary>PostgreSQL: a clause of the lease's statement, after its <c>claimed(id, build)</c> and
    /// <c>started(id)</c> (the build it started, if any); <c>@Now</c> is now and <c>@AgentName</c> the agent's
    /// name (the statement reads the job's row as it was before the claim). The lease writes nothing else
    /// before, so its events take the transaction's first places.</summary>
    public static readonly string PostgresClause = $"""
        ,
        announced AS (
          INSERT INTO events ("Id", {EventRows.Columns})
          SELECT {EventRows.PostgresTransactionId} * {EventRows.PerTransaction} + e.place, @Now, e.kind, j."ProjectId", p."Name", j."BuildId", b."Number",
            CASE WHEN e.place = 0 THEN j."Id" END, CASE WHEN e.place = 0 THEN j."Name" END, NULL, {Running}, NULL, @AgentName
          FROM (SELECT 0 AS place, '{EventKinds.JobStarted}' AS kind, id FROM claimed
                UNION ALL
                SELECT 1, '{EventKinds.BuildStarted}', id FROM claimed WHERE EXISTS (SELECT 1 FROM started)) AS e
          JOIN jobs AS j ON j."Id" = e.id JOIN builds AS b ON b."Id" = j."BuildId" JOIN projects AS p ON p."Id" = j."ProjectId")
        """;

    /// <summary>SQLite, right after the claim. Arguments: the lease's (<see cref="LeaseRules.Leased"/>).</summary>
    public static readonly SqlStatement<LeasedArgs> SqliteJobStarted = new($"""
        INSERT INTO events ({EventRows.Columns})
        SELECT @Now, '{EventKinds.JobStarted}', j."ProjectId", p."Name", j."BuildId", b."Number", j."Id", j."Name", NULL, {Running}, NULL, j."AgentName"
        {Joined}
        WHERE j."Id" = @JobId AND j."LeaseToken" = @LeaseToken
        """);

    /// <summary>SQLite, right after the statement that starts the build (<c>changes()</c> counts the rows
    /// that one changed). Arguments as <see cref="SqliteJobStarted"/>'s.</summary>
    public static readonly SqlStatement<LeasedArgs> SqliteBuildStarted = new($"""
        INSERT INTO events ({EventRows.Columns})
        SELECT @Now, '{EventKinds.BuildStarted}', j."ProjectId", p."Name", j."BuildId", b."Number", NULL, NULL, NULL, {Running}, NULL, j."AgentName"
        {Joined}
        WHERE j."Id" = @JobId AND j."LeaseToken" = @LeaseToken AND changes() = 1
        """);
}
