using System.Data.Common;
using Kiln.Data.Queue;

namespace Kiln.Data.Events;

/// <summary>Reads the event log in id order, for streams that resume from an id, and deletes old events.
/// <para>A reader that has handed out id N must never later find an event with a smaller id, or it would
/// skip it. On SQLite writers take turns and an event's id is drawn inside its transaction, so ids become
/// visible in order. On PostgreSQL transactions commit in any order, so ids drawn from a sequence could
/// become visible out of order. Instead an event's id is its transaction's id times
/// <see cref="EventRows.PerTransaction"/> plus its place (<see cref="EventRows"/>), and a read hands out
/// only events below the <em>bound</em>: the oldest transaction id still in flight (the snapshot's
/// <c>xmin</c>) times <see cref="EventRows.PerTransaction"/>. Every transaction below it has ended, so no
/// event below the bound can appear later; events at or above it wait (<see cref="EventPage.HeldBack"/>)
/// until the transactions before them end. A long-running writing transaction anywhere on the
/// PostgreSQL server therefore delays the stream (never loses or reorders it).</para></summary>
public sealed class EventLog(QueueDatabase database)
{
    /// <summary>Events after id <paramref name="after"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<EventPage> ReadAsync(long after, int limit, CancellationToken cancellationToken)
    {
        var events = new List<EventRecord>();
        var held = false;
        await using var session = await database.OpenAsync(cancellationToken);
        var sql = EventSql.For(database.IsPostgres);
        List<Statement> reads = [sql.Page.With(new(after, limit), NamedRows.Each<EventColumns>((r, c) => events.Add(Read(r, c))))];
        if (sql.HeldBack is { } heldBack)
        {
            reads.Add(heldBack.With(new(after), r => held = r.GetBoolean(0)));
        }

        await session.BatchAsync(reads, cancellationToken);
        return new EventPage(events, held && events.Count < limit);
    }

    /// <summary>The id after which a reader sees only events that commit from now on (and perhaps a
    /// few that committed just before, still held back).</summary>
    public async Task<long> LastIdAsync(CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        return await session.FirstOrDefaultAsync(EventSql.For(database.IsPostgres).LastId.With(default), r => r.GetInt64(0), cancellationToken);
    }

    /// <summary>The id after which a reader sees the last <paramref name="count"/> events that may be
    /// handed out now, then the ones after them.</summary>
    public async Task<long> BeforeLastAsync(int count, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var ids = await session.QueryAsync(EventSql.For(database.IsPostgres).Newest.With(new(count + 1)), r => r.GetInt64(0), cancellationToken);
        return ids.Count > count ? ids[^1] : 0;
    }

    /// <summary>Deletes the oldest events made before <paramref name="cutoff"/>, at most
    /// <paramref name="batch"/>, each batch a short transaction of its own, so readers and writers are
    /// not held up. Ids follow time closely (not exactly: they follow transactions), so it deletes the
    /// oldest run of events whose time is before the cutoff.</summary>
    /// <returns>How many it deleted (fewer than <paramref name="batch"/>: none older are left).</returns>
    public async Task<int> DeleteBeforeAsync(DateTime cutoff, int batch, CancellationToken cancellationToken)
    {
        await using var session = await database.OpenAsync(cancellationToken);
        var oldest = await session.QueryAsync(EventSql.Oldest.With(new(batch)), r => (Id: r.GetInt64(0), At: r.GetDateTime(1)), cancellationToken);
        var old = oldest.TakeWhile(e => e.At < cutoff).ToList();
        if (old.Count == 0)
        {
            return 0;
        }

        return await session.ExecuteAsync(EventSql.DeleteUpTo.With(new(old[^1].Id)), cancellationToken);
    }

    private static EventRecord Read(DbDataReader r, EventColumns c) => new(
        r.GetInt64(c.Id), DateTime.SpecifyKind(r.GetDateTime(c.At), DateTimeKind.Utc), r.GetString(c.Kind), r.GetInt64OrNull(c.ProjectId), r.GetStringOrNull(c.Project),
        r.GetInt64OrNull(c.BuildId), r.GetInt32OrNull(c.BuildNumber), r.GetInt64OrNull(c.JobId), r.GetStringOrNull(c.Job), r.GetInt32OrNull(c.Step),
        r.GetStringOrNull(c.Status), r.GetStringOrNull(c.FailureReason), r.GetStringOrNull(c.Actor));
}

/// <summary>A page of the event log. <see cref="HeldBack"/>: later events exist that cannot be handed
/// out yet (PostgreSQL: a transaction that began before them is still running); read again shortly.</summary>
public sealed record EventPage(IReadOnlyList<EventRecord> Events, bool HeldBack);

/// <summary>One event as read (<see cref="Entities.EventEntity"/>).</summary>
public sealed record EventRecord(
    long Id,
    DateTime At,
    string Kind,
    long? ProjectId,
    string? Project,
    long? BuildId,
    int? BuildNumber,
    long? JobId,
    string? Job,
    int? Step,
    string? Status,
    string? FailureReason,
    string? Actor);
