namespace Kiln.Data.Events;

/// <summary>The event log's texts on SQLite: an event's id is the next of the table's AUTOINCREMENT
/// (writers take turns, so ids grow in commit order), and every committed event may be handed out.</summary>
internal sealed partial class EventSql
{
    private static readonly EventSql Sqlite = new(
        add: new($"""
            INSERT INTO events ({EventRows.Columns})
            VALUES (@At, @Kind, @ProjectId, @Project, @BuildId, @BuildNumber, @JobId, @Job, @Step, @Status, @FailureReason, @Actor)
            """),
        addForJob: new($"""
            INSERT INTO events ({EventRows.Columns})
            SELECT @At, @Kind, j."ProjectId", p."Name", j."BuildId", b."Number", j."Id", j."Name", CAST(@Step AS integer),
              CAST(@Status AS varchar(20)), CAST(@FailureReason AS varchar(32)), COALESCE(CAST(@Actor AS varchar(200)), j."AgentName")
            FROM jobs AS j JOIN builds AS b ON b."Id" = j."BuildId" JOIN projects AS p ON p."Id" = j."ProjectId"
            WHERE j."Id" = @JobId
            """),
        page: new(PageText("")),
        heldBack: null,
        lastId: new("""SELECT COALESCE(MAX("Id"), 0) FROM events"""),
        newest: new("""SELECT "Id" FROM events ORDER BY "Id" DESC LIMIT @Count"""));
}
