using System.Data.Common;
using Kiln.Data.Queue;

namespace Kiln.Data.Events;

/// <summary>The event log's statements, with their argument records (<see cref="SqlStatement{TArgs}"/>):
/// the appends of <see cref="EventRows"/> and the reads of <see cref="EventLog"/>. The texts that differ
/// (PostgreSQL draws an event's id from its transaction's, and reads only below the bound) are in
/// EventSql.Sqlite.cs and EventSql.Postgres.cs, one instance per database (<see cref="For"/>).</summary>
internal sealed partial class EventSql
{
    /// <summary>The event columns as read, id first (<see cref="EventColumns"/>).</summary>
    private const string ReadColumns = """
        "Id", "At", "Kind", "ProjectId", "Project", "BuildId", "BuildNumber", "JobId", "Job", "Step", "Status", "FailureReason", "Actor"
        """;

    private EventSql(
        SqlStatement<EventArgs> add, SqlStatement<JobEventArgs> addForJob, SqlStatement<PageArgs> page, SqlStatement<AfterArgs>? heldBack,
        SqlStatement<NoArgs> lastId, SqlStatement<CountArgs> newest)
    {
        Add = add;
        AddForJob = addForJob;
        Page = page;
        HeldBack = heldBack;
        LastId = lastId;
        Newest = newest;
    }

    public static EventSql For(bool postgres) => postgres ? Postgres : Sqlite;

    /// <summary>An event whose values are all known.</summary>
    public SqlStatement<EventArgs> Add { get; }

    /// <summary>An event about job <c>@JobId</c>, whose project, build and name are read from its row; a
    /// null <c>@Actor</c> means the job's agent. Nothing if there is no such job.</summary>
    public SqlStatement<JobEventArgs> AddForJob { get; }

    /// <summary>The events after <c>@After</c> that may be handed out, oldest first, at most <c>@Limit</c>
    /// (<see cref="EventColumns"/>).</summary>
    public SqlStatement<PageArgs> Page { get; }

    /// <summary>PostgreSQL: whether events after <c>@After</c> exist that may not be handed out yet; null on SQLite.</summary>
    public SqlStatement<AfterArgs>? HeldBack { get; }

    /// <summary>The largest id that may be handed out, 0 if none.</summary>
    public SqlStatement<NoArgs> LastId { get; }

    /// <summary>The ids of the newest <c>@Count</c> events that may be handed out, newest first.</summary>
    public SqlStatement<CountArgs> Newest { get; }

    /// <summary>The oldest <c>@Count</c> events' ids and times.</summary>
    public static SqlStatement<CountArgs> Oldest { get; } = new("""SELECT "Id", "At" FROM events ORDER BY "Id" LIMIT @Count""");

    public static SqlStatement<UpToArgs> DeleteUpTo { get; } = new("""DELETE FROM events WHERE "Id" <= @UpTo""");

    private static string PageText(string bound) =>
        $"""SELECT {ReadColumns} FROM events WHERE "Id" > @After{bound} ORDER BY "Id" LIMIT @Limit""";
}

/// <summary>The values of one event and its place in its transaction (used on PostgreSQL only).</summary>
internal readonly record struct EventArgs(
    DateTime At, string Kind, long? ProjectId, string? Project, long? BuildId, int? BuildNumber, long? JobId, string? Job, int? Step,
    string? Status, string? FailureReason, string? Actor, int Place) : ISqlArgs<EventArgs>
{
    public static IReadOnlyList<string> Names { get; } =
    [
        nameof(At), nameof(Kind), nameof(ProjectId), nameof(Project), nameof(BuildId), nameof(BuildNumber), nameof(JobId), nameof(Job),
        nameof(Step), nameof(Status), nameof(FailureReason), nameof(Actor), nameof(Place),
    ];

    public static EventArgs Of(EventValues e, int place) =>
        new(e.At, e.Kind, e.ProjectId, e.Project, e.BuildId, e.BuildNumber, e.JobId, e.Job, e.Step, e.Status, e.FailureReason, e.Actor, place);

    public object?[] Values() => [At, Kind, ProjectId, Project, BuildId, BuildNumber, JobId, Job, Step, Status, FailureReason, Actor, Place];
}

internal readonly record struct JobEventArgs(
    long JobId, DateTime At, string Kind, int? Step, string? Status, string? FailureReason, string? Actor, int Place) : ISqlArgs<JobEventArgs>
{
    public static IReadOnlyList<string> Names { get; } =
        [nameof(JobId), nameof(At), nameof(Kind), nameof(Step), nameof(Status), nameof(FailureReason), nameof(Actor), nameof(Place)];

    public object?[] Values() => [JobId, At, Kind, Step, Status, FailureReason, Actor, Place];
}

internal readonly record struct PageArgs(long After, int Limit) : ISqlArgs<PageArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(After), nameof(Limit)];

    public object?[] Values() => [After, Limit];
}

internal readonly record struct AfterArgs(long After) : ISqlArgs<AfterArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(After)];

    public object?[] Values() => [After];
}

internal readonly record struct CountArgs(int Count) : ISqlArgs<CountArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(Count)];

    public object?[] Values() => [Count];
}

internal readonly record struct UpToArgs(long UpTo) : ISqlArgs<UpToArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(UpTo)];

    public object?[] Values() => [UpTo];
}

/// <summary>The columns of <see cref="EventSql.Page"/>.</summary>
internal readonly record struct EventColumns(
    int Id, int At, int Kind, int ProjectId, int Project, int BuildId, int BuildNumber, int JobId, int Job, int Step, int Status, int FailureReason, int Actor)
    : IResultColumns<EventColumns>
{
    public static EventColumns Of(DbDataReader reader) => new(
        reader.GetOrdinal("Id"), reader.GetOrdinal("At"), reader.GetOrdinal("Kind"), reader.GetOrdinal("ProjectId"), reader.GetOrdinal("Project"),
        reader.GetOrdinal("BuildId"), reader.GetOrdinal("BuildNumber"), reader.GetOrdinal("JobId"), reader.GetOrdinal("Job"), reader.GetOrdinal("Step"),
        reader.GetOrdinal("Status"), reader.GetOrdinal("FailureReason"), reader.GetOrdinal("Actor"));
}
