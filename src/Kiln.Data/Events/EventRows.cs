using Kiln.Data.Queue;

namespace Kiln.Data.Events;

/// <summary>The statements that append one transaction's events, to run in that transaction, after the
/// changes they describe. On SQLite an event's id is the next of the table's AUTOINCREMENT: writers take
/// turns, so ids grow in commit order. On PostgreSQL it is the transaction's id times
/// <see cref="PerTransaction"/> plus the event's place in it, so ids grow with the order in which
/// transactions began to write, and <see cref="EventLog"/> hands out only ids that no transaction still
/// running can come before. One instance per try of a transaction (it counts the events' places).</summary>
internal sealed class EventRows(bool postgres)
{
    /// <summary>PostgreSQL: events one transaction may write. A cancel of a build of 50,000 jobs writes one
    /// per job; more is refused with an error rather than reusing an id.</summary>
    public const int PerTransaction = 65536;

    /// <summary>PostgreSQL: the id of the current transaction (assigned on its first write, or here).</summary>
    public const string PostgresTransactionId = "CAST(CAST(pg_current_xact_id() AS text) AS bigint)";

    /// <summary>The event columns after the id, in the order every insert here lists them.</summary>
    public const string Columns = """
        "At", "Kind", "ProjectId", "Project", "BuildId", "BuildNumber", "JobId", "Job", "Step", "Status", "FailureReason", "Actor"
        """;

    private int next;

    /// <summary><c>INSERT INTO events (</c> with the id column on PostgreSQL.</summary>
    public string InsertInto => postgres ? $"""INSERT INTO events ("Id", {Columns})""" : $"INSERT INTO events ({Columns})";

    /// <summary>The id expression of the event at <paramref name="place"/> (an SQL expression) in its
    /// transaction, followed by a comma; empty on SQLite.</summary>
    public string IdValue(string place) => postgres ? $"{PostgresTransactionId} * {PerTransaction} + {place}, " : "";

    /// <summary>An event whose values are all known (<see cref="EventSql.Add"/>).</summary>
    public Statement Add(EventValues e) => EventSql.For(postgres).Add.With(EventArgs.Of(e, Place()));

    /// <summary>An event about job <paramref name="jobId"/> (<see cref="EventSql.AddForJob"/>); <paramref name="actor"/>
    /// null means the job's agent. Nothing if there is no such job.</summary>
    public Statement AddForJob(string kind, long jobId, DateTime at, string? status, int? step = null, string? failureReason = null, string? actor = null) =>
        EventSql.For(postgres).AddForJob.With(new(jobId, at, kind, step, status, failureReason, actor, Place()));

    /// <summary>Takes the next place for a statement that writes its events itself; on PostgreSQL its id is
    /// <see cref="IdValue"/> of it.</summary>
    public int Place()
    {
        if (next >= PerTransaction)
        {
            throw new InvalidOperationException($"A transaction may append at most {PerTransaction} events.");
        }

        return next++;
    }
}

/// <summary>The values of one event (<see cref="Entities.EventEntity"/>).</summary>
internal sealed record EventValues(
    string Kind,
    DateTime At,
    long? ProjectId,
    string? Project,
    long? BuildId,
    int? BuildNumber,
    long? JobId = null,
    string? Job = null,
    int? Step = null,
    string? Status = null,
    string? FailureReason = null,
    string? Actor = null);
