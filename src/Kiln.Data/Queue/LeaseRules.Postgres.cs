namespace Kiln.Data.Queue;

/// <summary>PostgreSQL's texts of <see cref="LeaseRules"/>: the lease is one statement that picks, locks
/// (<c>FOR UPDATE SKIP LOCKED</c>) and claims (<see cref="LeaseRules.Lease"/>), and one that claims a single
/// job after the locks its claim needs (<see cref="LeaseRules.LeaseOne"/>).</summary>
internal sealed partial class LeaseRules
{
    /// <summary>The one job of <see cref="LeaseOne"/> as the only candidate, then the lock and the guarded claim.</summary>
    private static string PostgresLeaseOne => """
        WITH top(job, project, rank) AS MATERIALIZED (
          SELECT j."Id", j."ProjectId", 1 FROM jobs AS j WHERE j."Id" = @JobId)
        """ + PostgresTaken + PostgresClaim(guarded: true);

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
}
