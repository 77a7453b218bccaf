using Kiln.Data.Queue;
using Kiln.Tests;
using Xunit.Abstractions;

namespace Kiln.Data.Tests;

/// <summary>The lease's statements on PostgreSQL stay on the plans they are written for (LeaseRules): on a
/// seeded queue of thousands of jobs (<see cref="QueueSeeder"/>), on the generic plan that the queue's own
/// connections make and keep, they read neither jobs nor builds whole, read each table through the index
/// meant for it, and touch a bounded number of buffers.</summary>
public sealed class PostgresLeasePlanTests(SeededPostgresQueue fixture, ITestOutputHelper output) : IClassFixture<SeededPostgresQueue>
{
    /// <summary>What Npgsql sends for <see cref="LeaseRules.Lease"/>'s parameters (SqlJobQueue's values).</summary>
    private static readonly string[] LeaseTypes = ["bigint", "bigint[]", "timestamptz", "integer", "text", "text", "timestamptz", "text"];

    /// <summary>As above for <see cref="LeaseRules.LeaseOne"/>, whose second parameter is one job's id (and no count).</summary>
    private static readonly string[] LeaseOneTypes = ["bigint", "bigint", "timestamptz", "text", "text", "timestamptz", "text"];

    /// <summary>The lease: the skip scan of projects and the walk of each project's jobs by the queued jobs'
    /// (project, priority, id) index, the runs-on values by theirs, the group and limit tests by theirs, the
    /// lock by primary key, the claim by the locked row's version.</summary>
    private static readonly (string, string)[] LeaseAccess =
    [
        ("jobs", "IX_jobs_ProjectId_Priority_Id"),
        ("h", "IX_jobs_ProjectId_Priority_Id"),
        ("jobs", "IX_jobs_RunsOn"),
        ("g", "IX_jobs_ConcurrencyGroup_Status"),
        ("r", "IX_builds_ProjectId_Status"),
        ("b", "PK_builds"),
        ("j", "PK_jobs"),
        ("c", "Tid Scan"),
    ];

    /// <summary>The guarded claim of one job: the job by primary key, the claim by row version, its group and
    /// its project's limit by their indexes.</summary>
    private static readonly (string, string)[] LeaseOneAccess =
    [
        ("j", "PK_jobs"),
        ("c", "Tid Scan"),
        ("g", "IX_jobs_ConcurrencyGroup_Status"),
        ("r", "IX_builds_ProjectId_Status"),
        ("b", "PK_builds"),
    ];

    // The ceilings leave what the seeded statements touch room to vary (vacuum state, leased jobs' index
    // entries not yet removed); the lease's cost grows with the projects that have queued jobs, not with
    // the jobs, so a plan that walks the queued jobs, or reads jobs for each candidate, passes it (as each
    // of the lease's jobs indexes dropped did: the theory below). The figures: docs/queue-performance.md,
    // "Plan guards".
    private const long LeaseBufferCeiling = 300;
    private const long LeaseOneBufferCeiling = 60;

    private TestDatabase Db => fixture.Db;

    [PostgresFact]
    public async Task The_lease_walks_the_queued_jobs_indexes_on_its_generic_plan()
    {
        var plan = await LeasePlanAsync();

        Assert.Empty(plan.Problems(LeaseAccess, LeaseBufferCeiling));
    }

    [PostgresFact]
    public async Task The_guarded_claim_of_one_job_finds_it_by_key_on_its_generic_plan()
    {
        var now = Db.Time.UtcNow;
        var plan = await PostgresPlan.ExplainAsync(Db.QueueDatabase, LeaseRules.Postgres.LeaseOne!, LeaseOneTypes,
            new LeaseOneArgs(fixture.Seeded.AgentId, fixture.Seeded.GroupedJobId, now, "queued", "plan-test-lease", now.AddMinutes(1), fixture.Seeded.AgentName));
        output.WriteLine($"{plan.Buffers()} buffers");

        Assert.Empty(plan.Problems(LeaseOneAccess, LeaseOneBufferCeiling));
    }

    /// <summary>The guard beyond the index names: without any of the indexes the lease walks, its plan reads
    /// jobs whole or touches more buffers than the ceiling allows. (In a transaction that is rolled back.)</summary>
    [PostgresTheory]
    [InlineData("IX_jobs_ProjectId_Priority_Id")]
    [InlineData("IX_jobs_RunsOn")]
    [InlineData("IX_jobs_ConcurrencyGroup_Status")]
    public async Task Without_an_index_it_walks_the_lease_scans_jobs_or_passes_its_buffer_ceiling(string index)
    {
        var plan = await LeasePlanAsync($"""DROP INDEX "{index}" """);

        Assert.True(plan.SequentialScans("jobs").Count > 0 || plan.Buffers() > LeaseBufferCeiling, $"{plan.Buffers()} buffers, no scan of jobs");
    }

    private async Task<PostgresPlan> LeasePlanAsync(string? beforeRun = null)
    {
        var now = Db.Time.UtcNow;
        var plan = await PostgresPlan.ExplainAsync(Db.QueueDatabase, LeaseRules.Postgres.Lease!, LeaseTypes,
            new LeaseArgs(fixture.Seeded.AgentId, Array.Empty<long>(), now, 8, "queued", "plan-test-lease", now.AddMinutes(1), fixture.Seeded.AgentName), beforeRun);
        output.WriteLine($"{plan.Buffers()} buffers");
        return plan;
    }
}
