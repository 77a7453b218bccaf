namespace Kiln.Data.Queue;

/// <summary>SQLite's texts of <see cref="LeaseRules"/>: the caller picks the best candidate
/// (<see cref="LeaseRules.Candidates"/>), then claims it (<see cref="LeaseRules.Claim"/>), in one transaction
/// that holds the write lock, so the best candidate is always free.</summary>
internal sealed partial class LeaseRules
{
    /// <summary>The candidates' rows, after the pick.</summary>
    private const string SqliteCandidates = """

        SELECT job AS "JobId", project AS "ProjectId", '' AS "Row"
        FROM top ORDER BY rank
        """;

    /// <summary>The claim of the picked job, if it is still leasable.</summary>
    private static string SqliteClaim => $"""
        UPDATE jobs AS c SET "Status" = {Running}, "LeaseToken" = @LeaseToken, "LeaseExpiresAt" = @LeaseExpiresAt,
          "AgentId" = @AgentId, "AgentName" = @AgentName, "StartedAt" = @Now
        WHERE c."Id" = @JobId AND {Leasable("c", "@Now")}
        """;

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
}
