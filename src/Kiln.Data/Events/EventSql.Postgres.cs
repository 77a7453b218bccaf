namespace Kiln.Data.Events;

/// <summary>The event log's texts on PostgreSQL: an event's id is its transaction's id times
/// <see cref="EventRows.PerTransaction"/> plus its place, and reads hand out only ids below the bound
/// (<see cref="EventLog"/>).</summary>
internal sealed partial class EventSql
{
    /// <summary>The oldest transaction id still in flight times <see cref="EventRows.PerTransaction"/>.</summary>
    private static readonly string Bound =
        $"(SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text) AS bigint) * {EventRows.PerTransaction})";

    private static readonly EventSql Postgres = new(
        add: new($"""
            INSERT INTO events ("Id", {EventRows.Columns})
            VALUES ({EventRows.PostgresTransactionId} * {EventRows.PerTransaction} + @Place, @At, @Kind, @ProjectId, @Project, @BuildId, @BuildNumber,
              @JobId, @Job, @Step, @Status, @FailureReason, @Actor)
            """),
        addForJob: new($"""
            INSERT INTO events ("Id", {EventRows.Columns})
            SELECT {EventRows.PostgresTransactionId} * {EventRows.PerTransaction} + @Place, @At, @Kind, j."ProjectId", p."Name", j."BuildId", b."Number", j."Id", j."Name", CAST(@Step AS integer),
              CAST(@Status AS varchar(20)), CAST(@FailureReason AS varchar(32)), COALESCE(CAST(@Actor AS varchar(200)), j."AgentName")
            FROM jobs AS j JOIN builds AS b ON b."Id" = j."BuildId" JOIN projects AS p ON p."Id" = j."ProjectId"
            WHERE j."Id" = @JobId
            """),
        page: new(PageText($""" AND "Id" < {Bound}""")),
        heldBack: new($"""SELECT EXISTS (SELECT 1 FROM events WHERE "Id" > @After AND "Id" >= {Bound})"""),
        lastId: new($"""SELECT COALESCE(MAX("Id"), 0) FROM events WHERE "Id" < {Bound}"""),
        newest: new($"""SELECT "Id" FROM events WHERE "Id" < {Bound} ORDER BY "Id" DESC LIMIT @Count"""));
}
