using Kiln.Data.Queue;

namespace Kiln.Data.Tests;

/// <summary>The lease's statements on SQLite stay on the plans they are written for (LeaseRules): on a seeded
/// queue of thousands of jobs (<see cref="QueueSeeder"/>), without statistics (the server never runs
/// <c>ANALYZE</c>), they scan neither jobs nor builds and search each through the index meant for it.</summary>
public sealed class SqliteLeasePlanTests(SeededSqliteQueue fixture) : IClassFixture<SeededSqliteQueue>
{
    private const string RowId = "INTEGER PRIMARY KEY";

    /// <summary>The runs-on values the seeded agent can run, as SqlJobQueue passes them.</summary>
    private static readonly string[] Runnable = ["", "linux,docker"];

    /// <summary>The candidates: the skip scan of the projects with queued jobs and the walk of each project's
    /// jobs, both on the queued jobs' (status, project, priority, id) index and keyed by the project (searched
    /// by the status alone it would walk every queued job); the group and limit tests by their indexes; the
    /// ranking's lookups by row id.</summary>
    private static readonly (string, string, string?)[] CandidateSearches =
    [
        ("jobs", "IX_jobs_Status_ProjectId_Priority_Id", "Status=? AND ProjectId>?"),
        ("h", "IX_jobs_Status_ProjectId_Priority_Id", "Status=? AND ProjectId=?"),
        ("g", "IX_jobs_ConcurrencyGroup_Status", "ConcurrencyGroup=?"),
        ("r", "IX_builds_ProjectId_Status", "ProjectId=? AND Status=?"),
        ("b", RowId, null),
        ("j", RowId, null),
    ];

    /// <summary>The claim: the job by row id, its group and its project's limit by their indexes.</summary>
    private static readonly (string, string, string?)[] ClaimSearches =
    [
        ("c", RowId, null),
        ("g", "IX_jobs_ConcurrencyGroup_Status", "ConcurrencyGroup=?"),
        ("r", "IX_builds_ProjectId_Status", "ProjectId=? AND Status=?"),
        ("b", RowId, null),
    ];

    private TestDatabase Db => fixture.Db;

    [Fact]
    public async Task The_lease_candidates_walk_each_projects_queued_jobs_by_index()
    {
        var rules = LeaseRules.Sqlite;
        var plan = await SqlitePlan.ExplainAsync(Db.QueueDatabase, rules.Candidates!,
            new SqliteCandidatesArgs(rules.ListParameter(Runnable), rules.ListParameter(Array.Empty<long>()), Db.Time.UtcNow, 1));

        Assert.Empty(plan.Problems(CandidateSearches));
    }

    [Fact]
    public async Task The_claim_finds_its_job_by_row_id_and_checks_it_by_index()
    {
        var now = Db.Time.UtcNow;
        var plan = await SqlitePlan.ExplainAsync(Db.QueueDatabase, LeaseRules.Sqlite.Claim!,
            new SqliteClaimArgs("plan-test-lease", now.AddMinutes(1), fixture.Seeded.AgentId, fixture.Seeded.AgentName, now, fixture.Seeded.GroupedJobId));

        Assert.Empty(plan.Problems(ClaimSearches));
    }
}
