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
internal sealed class LeaseRules
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
            LeaseOne = new("""
                WITH top(job, project, rank) AS MATERIALIZED (
                  SELECT j."Id", j."ProjectId", 1 FROM jobs AS j WHERE j."Id" = @JobId)
                """ + PostgresTaken + PostgresClaim(guarded: true));
        }
        else
        {
            Candidates = new(pick + """

                SELECT job AS "JobId", project AS "ProjectId", '' AS "Row"
                FROM top ORDER BY rank
                """);
            Claim = new($"""
                UPDATE jobs AS c SET "Status" = {Running}, "LeaseToken" = @LeaseToken, "LeaseExpiresAt" = @LeaseExpiresAt,
                  "AgentId" = @AgentId, "AgentName" = @AgentName, "StartedAt" = @Now
                WHERE c."Id" = @JobId AND {Leasable("c", "@Now")}
                """);
        }
    }

    /// <summary>SQLite: each project's first leasable job, ranked by key lookups. (One per project is
    /// enough: SQLite has one writer at a time, so no other claim holds it.)</summary>
    private string SqliteRanked => $"""
        heads(project, id) AS MATERIALIZED (
          SELECT active.id, (SELECT h."Id" FROM jobs AS h
                  WHERE h."ProjectId" = active.id AND {HeadFilter("active.id")}
                  ORDER BY h."Priority", h."Id" LIMIT 1)
          FROM active WHERE active.id IS NOT NULL),
        ranked(job, project, priority, finish) AS (
          SELECT heads.id, heads.project,
            (SELECT j."Priority" FROM jobs AS j WHERE j."Id" = heads.id),
            (SELECT f."FinishTag" FROM fair_shares AS f WHERE f."ProjectId" = heads.project)
          FROM heads WHERE heads.id IS NOT NULL)
        """;

    /// <summary>PostgreSQL: each project's first leasable job, and the next few of the project whose
    /// first one ranks best (lateral joins), so that servers racing for that backlog find a job no other
    /// claim holds among the candidates at once. (Not the first few of every project: a lease then read
    /// and tested that many jobs of every project with queued work, and cost more the more projects had
    /// some; docs/queue-performance.md. A project's jobs all share its fair-share key, so the best job is some
    /// project's first; the runners-up then come from the best project, where another project's second
    /// job in a higher priority class could have ranked before them: that only decides which job a lease
    /// takes when a racing server holds the best one.) The agent's labels are matched here (<c>@AgentId</c>): a job is for the agent when its runs-on labels are all among the agent's; a
    /// paused agent runs nothing; an id with no agent row has no labels.</summary>
    private string PostgresRanked => $"""
        {PostgresRunnable}
        heads(job, project, priority, finish) AS MATERIALIZED (
          SELECT h."Id", h."ProjectId", h."Priority", f."FinishTag"
          FROM active
          CROSS JOIN LATERAL (SELECT h."Id", h."ProjectId", h."Priority" FROM jobs AS h
                  WHERE h."ProjectId" = active.id AND {HeadFilter("active.id")}
                  ORDER BY h."Priority", h."Id" LIMIT 1) AS h
          LEFT JOIN fair_shares AS f ON f."ProjectId" = active.id
          WHERE active.id IS NOT NULL),
        best(project, finish) AS MATERIALIZED (
          SELECT project, finish FROM heads CROSS JOIN v
          ORDER BY priority, {Key}, job LIMIT 1),
        ranked(job, project, priority, finish) AS (
          SELECT job, project, priority, finish FROM heads WHERE project <> (SELECT project FROM best)
          UNION ALL
          SELECT h."Id", h."ProjectId", h."Priority", best.finish
          FROM best
          CROSS JOIN LATERAL (SELECT h."Id", h."ProjectId", h."Priority" FROM jobs AS h
                  WHERE h."ProjectId" = best.project AND {HeadFilter("best.project")}
                  ORDER BY h."Priority", h."Id" LIMIT @Count) AS h)
        """;

    /// <summary>Whether job <c>h</c> of <paramref name="project"/> may be leased by this lease.</summary>
    private string HeadFilter(string project) =>
        $"""{(postgres ? PostgresRunsOnFilter : InList("h.\"RunsOn\"", "@Runnable"))} AND NOT {InList("h.\"Id\"", "@PassedOver")} AND {Leasable("h", "@Now", project: project)}""";

    /// <summary>A project's fair-share key: max(its finish tag, the largest start tag, <c>v.tag</c>).</summary>
    private const string Key = "CASE WHEN finish > v.tag THEN finish ELSE v.tag END";

    private const string PostgresRunsOnFilter = """h."RunsOn" = ANY(ARRAY(SELECT v FROM runnable))""";

    /// <summary>PostgreSQL: the runs-on values of queued jobs (a skip scan of the queued jobs' runs-on
    /// index) that the agent <c>@AgentId</c> can run. An <c>= ANY</c> over these few values keeps the planner
    /// walking each project's jobs in index order; a label test on every job made it expect to read many
    /// and sort them all instead.</summary>
    private static string PostgresRunnable => $"""
        {QueuedRunsOn},
        runnable(v) AS (
          SELECT v FROM runs
          WHERE v IS NOT NULL
            AND array_remove(string_to_array(v, ','), '') <@ COALESCE(
              (SELECT array_remove(string_to_array(a."Labels", ','), '') FROM agents AS a WHERE a."Id" = @AgentId), ARRAY[]::text[])
            AND NOT EXISTS (SELECT 1 FROM agents AS a WHERE a."Id" = @AgentId AND a."Paused")),
        """;

    /// <summary>PostgreSQL: the best of the candidates that is still queued and that no other transaction
    /// holds, locked until the lease's transaction ends (only that one: the others stay free for other
    /// servers). Materialized, so that it runs once, after the candidates are known. The status test is
    /// written so that no index can serve it (a parameter, <c>@QueuedStatus</c>, so no queued-only index matches,
    /// inside <c>IS TRUE</c>, so the (status, id) index does not either), leaving the primary key: on a
    /// fresh database PostgreSQL planned this lookup once as a walk of all queued jobs and once as a
    /// bitmap of them, kept for good with the generic plan. The lock re-checks the test on the newest row.
    /// The locked row's version (<c>ctid</c>) goes to the claim, which finds the row by it: nothing else
    /// can change the row while this transaction holds its lock.</summary>
    private static string PostgresTaken => """
        ,
        taken(id, row) AS MATERIALIZED (
          SELECT j."Id", j.ctid FROM jobs AS j
          WHERE j."Id" = ANY(ARRAY(SELECT job FROM top)) AND (j."Status" = @QueuedStatus) IS TRUE
          ORDER BY (SELECT rank FROM top WHERE top.job = j."Id") LIMIT 1
          FOR UPDATE OF j SKIP LOCKED)
        """;

    /// <summary>PostgreSQL: the claim of the job <see cref="PostgresTaken"/> locked, in the same statement,
    /// and its build's start. The claim finds the row by the version the lock returned, which no plan can
    /// turn into a scan (by id, a generic plan made on a fresh database walked every queued job through a
    /// queued-only index, whose filter the status test matches). The
    /// statement reads all tables as of its start, so where leasable depends on other jobs (a concurrency
    /// group) or builds (a project's running-build limit) it could miss a claim that another server
    /// committed meanwhile: unless <paramref name="guarded"/> (run after <see cref="LockConcurrencyGroup"/>
    /// and <see cref="LockLimitedProject"/>, and then testing again that the job is leasable), such a job
    /// is left locked but unclaimed (<see cref="Unguarded"/>). So is a job changed since the statement
    /// began (the lock found a newer version).
    /// Rows: <see cref="LeaseCandidate"/>, best first.</summary>
    private static string PostgresClaim(bool guarded) => $"""
        ,
        claimed(id, build) AS (
          UPDATE jobs AS c SET "Status" = {Running}, "LeaseToken" = @LeaseToken, "LeaseExpiresAt" = @LeaseExpiresAt,
            "AgentId" = @AgentId, "AgentName" = @AgentName, "StartedAt" = @Now
          WHERE c.ctid = (SELECT row FROM taken) AND {(guarded ? Leasable("c", "@Now") : Unguarded)}
          RETURNING c."Id", c."BuildId"),
        started(id) AS (
          UPDATE builds AS b SET "Status" = {BuildRunning}, "StartedAt" = @Now
          WHERE b."Id" = (SELECT build FROM claimed) AND b."Status" = {BuildQueued}
          RETURNING b."Id"){Events.LeaseEvents.PostgresClause}
        SELECT job AS "JobId", project AS "ProjectId",
          (SELECT CAST(row AS text) FROM taken WHERE taken.id = job) AS "Row"
        FROM top ORDER BY rank
        """;

    /// <summary>PostgreSQL: the claim's test without the locks of <see cref="LockConcurrencyGroup"/> and
    /// <see cref="LockLimitedProject"/>: the job has no concurrency group and its project no running-build
    /// limit. Nothing else needs testing again: the claim finds the job by the row version the lock
    /// returned, so it finds it only if that is the version the pick saw leasable, in the same statement
    /// and so as of the same moment.</summary>
    private const string Unguarded = """
        c."ConcurrencyGroup" IS NULL AND (SELECT l."MaxRunningBuilds" FROM projects AS l WHERE l."Id" = c."ProjectId") IS NULL
        """;

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

    /// <summary>PostgreSQL. If the project limits its running builds, locks its row
    /// until the lease commits, before the claim re-checks the limit, so two servers cannot both start a
    /// build past it. (Other projects' rows stay unlocked: leases of their jobs need not wait for each other.)</summary>
    public static SqlStatement<ProjectArgs> LockLimitedProject { get; } = new("""
        SELECT 1 FROM projects WHERE "Id" = @ProjectId AND "MaxRunningBuilds" IS NOT NULL FOR UPDATE
        """);

    /// <summary>PostgreSQL. Serializes claims within the job's concurrency group: two
    /// servers could each see the group free and claim different jobs of it; with this transaction-scoped
    /// advisory lock the second waits for the first to commit, and the claim's re-check then sees its
    /// running job. (Distinct groups that hash alike only wait for each other a moment.)</summary>
    public static SqlStatement<JobArgs> LockConcurrencyGroup { get; } = new("""
        SELECT pg_advisory_xact_lock(hashtext('kiln.concurrency:' || "ConcurrencyGroup")) FROM jobs
        WHERE "Id" = @JobId AND "ConcurrencyGroup" IS NOT NULL
        """);

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
