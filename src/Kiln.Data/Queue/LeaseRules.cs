using Kiln.Core.Builds;

namespace Kiln.Data.Queue;

/// <summary>The SQL of the lease: which queued jobs may be leased now, in which order, and the fenced
/// claim. Plain SQL rather than LINQ: it is the largest query Kiln runs per lease, and translating its
/// expression tree took longer than running it; LINQ also has no recursive queries. One instance per
/// database. The texts differ where PostgreSQL, shared by several servers, locks the job it picks in the
/// same statement, matches the agent's labels in SQL (saving a round trip), and passes lists as arrays.
/// <para>Leasable: queued, past its cooldown (<c>NotBefore</c>), no running job holding its concurrency
/// group, and its project under its running-build limit (a job of a build that already runs always may
/// go on, or a limit could stall a build halfway). The pick and the claim's re-check use the same text,
/// so they cannot drift apart.</para>
/// <para>Order: priority class; then fair share between projects; then the oldest job. Each project's
/// first leasable job is a candidate (on PostgreSQL also the next few of the best project's), found by walking the queued jobs' (project, priority,
/// id) index (on SQLite led by the status) from a skip scan of the projects with queued jobs, and the heads are ranked by key lookups
/// (a join back to jobs tempts PostgreSQL into scanning them all), so a lease's cost grows with the
/// projects that have queued jobs, not with the jobs (held by the plan tests, Kiln.Data.Tests'
/// PostgresLeasePlanTests and SqliteLeasePlanTests). Fair share is start-time fair queueing: a project's key is max(its finish tag,
/// the largest start tag of any project), so a project that was idle starts level with the busiest one
/// instead of cashing in credit, and a lease advances its project's tags by 1/weight
/// (<see cref="AdvanceFairShare"/>).</para></summary>
internal sealed partial class LeaseRules
{
    private static readonly string Queued = SqlText.Literal(JobStatus.Queued);
    private static readonly string Running = SqlText.Literal(JobStatus.Running);
    private static readonly string BuildRunning = SqlText.Literal(BuildStatus.Running);
    private static readonly string BuildQueued = SqlText.Literal(BuildStatus.Queued);

    public static readonly LeaseRules Sqlite = new(postgres: false);
    public static readonly LeaseRules Postgres = new(postgres: true);

    private readonly bool postgres;

    private LeaseRules(bool postgres)
    {
        this.postgres = postgres;
        var pick = $"""
            WITH RECURSIVE active(id) AS (
              SELECT MIN("ProjectId") FROM jobs WHERE "Status" = {Queued}
              UNION ALL
              SELECT (SELECT MIN("ProjectId") FROM jobs WHERE "Status" = {Queued} AND "ProjectId" > active.id)
              FROM active WHERE active.id IS NOT NULL),
            v(tag) AS (SELECT COALESCE(MAX("StartTag"), 0) FROM fair_shares),
            {(postgres ? PostgresRanked : SqliteRanked)},
            top(job, project, rank) AS MATERIALIZED (
              SELECT job, project, ROW_NUMBER() OVER (ORDER BY priority, {Key}, job)
              FROM ranked CROSS JOIN v
              ORDER BY 3 LIMIT @Count)
            """;
        if (postgres)
        {
            Lease = new(pick + PostgresTaken + PostgresClaim(guarded: false));
            LeaseOne = new(PostgresLeaseOne);
        }
        else
        {
            Candidates = new(pick + SqliteCandidates);
            Claim = new(SqliteClaim);
        }
    }

    /// <summary>Whether job <c>h</c> of <paramref name="project"/> may be leased by this lease.</summary>
    private string HeadFilter(string project) =>
        $"""{(postgres ? PostgresRunsOnFilter : InList("h.\"RunsOn\"", "@Runnable"))} AND NOT {InList("h.\"Id\"", "@PassedOver")} AND {Leasable("h", "@Now", project: project)}""";

    /// <summary>A project's fair-share key: max(its finish tag, the largest start tag, <c>v.tag</c>).</summary>
    private const string Key = "CASE WHEN finish > v.tag THEN finish ELSE v.tag END";

    /// <summary>SQLite (<see cref="SqliteCandidatesArgs"/>; how many is 1: SQLite has one writer at a time, so
    /// every candidate is free). Rows: <see cref="LeaseCandidate"/> (<see cref="CandidateColumns"/>).</summary>
    public SqlStatement<SqliteCandidatesArgs>? Candidates { get; }

    /// <summary>SQLite. Changes one row if the job was still leasable.</summary>
    public SqlStatement<SqliteClaimArgs>? Claim { get; }

    /// <summary>PostgreSQL, the lease in one statement: the candidates; the best that no other server
    /// holds, locked; its claim, with its build's start, if that needs no other lock
    /// (<see cref="PostgresClaim"/>). Rows: <see cref="LeaseCandidate"/>, best first (<see cref="CandidateColumns"/>).</summary>
    public SqlStatement<LeaseArgs>? Lease { get; }

    /// <summary>PostgreSQL: <see cref="Lease"/> of one job, the one the lease left unclaimed, after the
    /// locks its claim needs. Arguments as <see cref="Lease"/>'s, with the job's id in place of the ids
    /// to pass over and the count.</summary>
    public SqlStatement<LeaseOneArgs>? LeaseOne { get; }

    /// <summary>Arguments: <see cref="Leased"/>. Advances the fair-share tags of the project of the
    /// job just leased (none if the claim took none). Start tag := max(finish tag, largest start tag);
    /// finish tag := that + 1/weight. The project's fair-share row is made with the project
    /// (<see cref="Entities.ProjectEntity.FairShare"/>), so this is a plain update of a narrow row.
    /// Not when the project is the only one with queued jobs and already the leader, served since
    /// (its start tag the largest, its finish tag past it): the update would move its key and the
    /// largest start tag together, changing no order, and a lone project's leases then write nothing
    /// here (nor wait for each other's writes of this one row).</summary>
    public SqlStatement<LeasedArgs> AdvanceFairShare => field ??= new($"""
        UPDATE fair_shares SET
          "StartTag" = CASE WHEN "FinishTag" > v.tag THEN "FinishTag" ELSE v.tag END,
          "FinishTag" = CASE WHEN "FinishTag" > v.tag THEN "FinishTag" ELSE v.tag END
            + 1.0 / CAST((SELECT w."Weight" FROM projects AS w WHERE w."Id" = fair_shares."ProjectId") AS DOUBLE PRECISION)
        FROM (SELECT MAX("StartTag") AS tag FROM fair_shares) AS v
        WHERE "ProjectId" = {LeasedJobs("ProjectId")}
          AND NOT ("StartTag" >= v.tag AND "FinishTag" > "StartTag"
            AND (SELECT MIN(o."ProjectId") FROM jobs AS o WHERE o."Status" = {Queued}) = "ProjectId"
            AND (SELECT MAX(o."ProjectId") FROM jobs AS o WHERE o."Status" = {Queued}) = "ProjectId")
        """);

    /// <summary>Arguments: <see cref="Leased"/>. The job just leased, as the agent needs it, once per
    /// step, in order, the step's columns last (a job with no steps: one row, with nulls there); no row
    /// if the claim took none.</summary>
    public SqlStatement<LeasedArgs> LeasedJobWithSteps => field ??= new($"""
        SELECT j."Id", j."BuildId", j."Name", j."Attempt", j."LeaseToken", j."LeaseExpiresAt", j."TimeoutSeconds", j."EnvJson", j."MatrixJson", j."SpecJson",
          b."Number", b."Event", b."Ref", b."Branch", b."Tag", b."Commit", b."TriggeredBy", b."InputsJson", p."Name" AS "ProjectName", p."RepoUrl",
          b."PullRequest", b."BaseBranch",
          s."Index" AS "StepIndex", s."Name" AS "StepName", s."Run", s."EnvJson" AS "StepEnvJson", s."TimeoutSeconds" AS "StepTimeoutSeconds",
          s."Condition", s."ContinueOnError", s."WorkingDirectory", s."Shell"
        FROM jobs AS j JOIN builds AS b ON b."Id" = j."BuildId" JOIN projects AS p ON p."Id" = b."ProjectId"
          LEFT JOIN steps AS s ON s."JobId" = j."Id"
        WHERE {IsLeased("j")}
        ORDER BY s."Index"
        """);

    /// <summary>SQLite. Arguments: <see cref="Leased"/>. The build of the job just leased is
    /// running from its first leased job on.</summary>
    public SqlStatement<LeasedArgs> StartBuild => field ??= new($"""
        UPDATE builds SET "Status" = {BuildRunning}, "StartedAt" = @Now
        WHERE "Id" = {LeasedJobs("BuildId")} AND "Status" = {BuildQueued}
        """);

    /// <summary>How the statements after a claim find the job it took (and the time of the lease): on
    /// PostgreSQL by its lease token, by which the claim's statement, which picks the job itself, left it (an
    /// index holds leased jobs' tokens); on SQLite, where the caller picked the job, by its id and the lease
    /// token, so that they find nothing if the claim failed.</summary>
    public LeasedArgs Leased(string token, long? pickedJob, DateTime now) =>
        postgres || pickedJob is not null
            ? new(token, pickedJob, now)
            : throw new ArgumentNullException(nameof(pickedJob), "SQLite finds the leased job by its id");

    /// <summary>Whether <paramref name="job"/> is the job just leased (<see cref="Leased"/>).</summary>
    private string IsLeased(string job) => postgres
        ? $"""{job}."LeaseToken" = @LeaseToken"""
        : $"""{job}."Id" = @JobId AND {job}."LeaseToken" = @LeaseToken""";

    private string LeasedJobs(string column) => $"""(SELECT t."{column}" FROM jobs AS t WHERE {IsLeased("t")})""";

    /// <summary>The distinct runs-on values of queued jobs, by a skip scan of the queued jobs' runs-on index.</summary>
    public static SqlStatement<NoArgs> RunsOnOfQueuedJobs { get; } = new($"""
        WITH RECURSIVE {QueuedRunsOn}
        SELECT v AS "Value" FROM runs WHERE v IS NOT NULL
        """);

    private static string QueuedRunsOn => $"""
        runs(v) AS (
          SELECT MIN("RunsOn") FROM jobs WHERE "Status" = {Queued}
          UNION ALL
          SELECT (SELECT MIN("RunsOn") FROM jobs WHERE "Status" = {Queued} AND "RunsOn" > runs.v) FROM runs WHERE runs.v IS NOT NULL)
        """;

    /// <summary>A list as one parameter: an array on PostgreSQL; on SQLite the values each between line
    /// feeds (which neither runs-on labels nor ids contain), found with <c>instr</c>. (An <c>IN</c> over
    /// <c>json_each</c> made SQLite build a Bloom filter on every lease, which cost more than the rest.)</summary>
    public object ListParameter<T>(IReadOnlyCollection<T> values) =>
        postgres ? values.ToArray() : "\n" + string.Join("\n", values) + "\n";

    private string InList(string column, string parameter) =>
        postgres ? $"({column} = ANY({parameter}))" : $"(instr({parameter}, char(10) || {column} || char(10)) > 0)";

    /// <summary>Each check is a key lookup per job, written as a scalar subquery: PostgreSQL may turn an
    /// <c>EXISTS</c> into a hash of every running build or job, built on each lease, whose cost grows with
    /// the work running (it did so once an array filter made it expect to scan many jobs). The project's
    /// limit comes first: most projects have none, and then the build is not looked up. The group's
    /// running test is wrapped in <c>IS TRUE</c> so that only the group's index can serve it: a generic plan
    /// made on a fresh database once read all running jobs through the (status, id) index instead. Where
    /// the jobs are one project's (<paramref name="project"/>, the pick's walk of each project), the limit
    /// names the project, not the job's column, so it is checked once per project instead of per job.</summary>
    private static string Leasable(string job, string now, string? project = null) => $"""
        {job}."Status" = {Queued}
        AND ({job}."NotBefore" IS NULL OR {job}."NotBefore" <= {now})
        AND ({job}."ConcurrencyGroup" IS NULL OR (SELECT COUNT(*) FROM jobs AS g
          WHERE g."ConcurrencyGroup" = {job}."ConcurrencyGroup" AND (g."Status" = {Running}) IS TRUE) = 0)
        AND ((SELECT l."MaxRunningBuilds" IS NULL
                OR (SELECT COUNT(*) FROM builds AS r WHERE r."ProjectId" = l."Id" AND r."Status" = {BuildRunning}) < l."MaxRunningBuilds"
              FROM projects AS l WHERE l."Id" = {project ?? $"{job}.\"ProjectId\""})
          OR (SELECT b."Status" FROM builds AS b WHERE b."Id" = {job}."BuildId") = {BuildRunning})
        """;
}

/// <summary>A job the lease may claim, and its project.</summary>
internal sealed class LeaseCandidate
{
    public long JobId { get; init; }
    public long ProjectId { get; init; }

    /// <summary>On PostgreSQL the job's row version (its <c>ctid</c>) if this lease locked it, else null; on
    /// SQLite, where every candidate is free, empty.</summary>
    public string? Row { get; init; }

    /// <summary>Free for this lease to claim (on PostgreSQL: locked by it).</summary>
    public bool Taken => Row is not null;
}
