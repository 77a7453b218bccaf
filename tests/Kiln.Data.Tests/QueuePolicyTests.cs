using Kiln.Core.Builds;
using Kiln.Data.Queue;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Tests;

/// <summary>Queue policies of the lease: priority classes, FIFO within a class, fairness across
/// projects, and concurrency groups, on both databases.</summary>
public abstract class QueuePolicyTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private TestDatabase db = null!;

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync(this);

    public async Task DisposeAsync() => await db.DisposeAsync();

    [DatabaseFact]
    public async Task Manual_builds_lease_before_pushes_before_schedules_whatever_their_age()
    {
        var schedule = await SeedAsync("app", "nightly", QueueClass.Schedule);
        var push = await SeedAsync("app", "push", QueueClass.Push);
        var manual = await SeedAsync("app", "manual", QueueClass.Manual);

        Assert.Equal([manual, push, schedule], await LeaseAllAsync(3));
    }

    [DatabaseFact]
    public async Task Jobs_of_one_class_and_project_lease_oldest_first()
    {
        var p1 = await SeedAsync("app", "a", QueueClass.Push);
        var s1 = await SeedAsync("app", "b", QueueClass.Schedule);
        var p2 = await SeedAsync("app", "c", QueueClass.Push);
        var m1 = await SeedAsync("app", "d", QueueClass.Manual);
        var p3 = await SeedAsync("app", "e", QueueClass.Push);

        Assert.Equal([m1, p1, p2, p3, s1], await LeaseAllAsync(5));
    }

    [DatabaseFact]
    public async Task A_project_with_one_queued_job_is_not_starved_by_another_projects_backlog()
    {
        var backlog = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            backlog.Add(await SeedAsync("big", "j" + i, QueueClass.Push));
        }

        var small = await SeedAsync("small", "only", QueueClass.Push);

        var leased = await LeaseAllAsync(4);

        Assert.Contains(small, leased.Take(2));
        // The big project's own jobs still go oldest first.
        Assert.Equal(backlog.Take(3), leased.Where(id => id != small));
        await using var check = db.NewContext();
        // Both were served, so both projects' fair-share tags moved on.
        var shares = await check.FairShares.ToListAsync();
        Assert.Equal((await check.Projects.Select(p => p.Id).ToListAsync()).Order(), shares.Select(s => s.ProjectId).Order());
        Assert.All(shares, s => Assert.True(s.FinishTag > s.StartTag, $"project {s.ProjectId}: finish tag {s.FinishTag}, start tag {s.StartTag}"));
    }

    [DatabaseFact]
    public async Task Fairness_does_not_beat_priority()
    {
        await SeedAsync("big", "first", QueueClass.Push);
        await LeaseAllAsync(1); // big has leased recently, fresh has never leased
        var bigManual = await SeedAsync("big", "manual", QueueClass.Manual);
        var freshPush = await SeedAsync("fresh", "push", QueueClass.Push);

        Assert.Equal([bigManual, freshPush], await LeaseAllAsync(2));
    }

    [DatabaseFact]
    public async Task A_job_waits_while_a_running_job_holds_its_concurrency_group()
    {
        var first = await SeedAsync("app", "deploy", QueueClass.Manual, "1:prod");
        var second = await SeedAsync("app", "deploy", QueueClass.Manual, "1:prod");
        var otherGroup = await SeedAsync("app", "deploy-other", QueueClass.Push, "2:prod");
        var free = await SeedAsync("app", "test", QueueClass.Schedule);
        var queue = db.NewQueue();

        var held = await queue.TryLeaseAsync(1, "a", Lease, default);
        Assert.Equal(first, held?.Id);
        Assert.Equal(otherGroup, (await queue.TryLeaseAsync(1, "a", Lease, default))?.Id);
        Assert.Equal(free, (await queue.TryLeaseAsync(1, "a", Lease, default))?.Id);
        Assert.Null(await queue.TryLeaseAsync(1, "a", Lease, default));

        Assert.NotNull(await queue.CompleteAsync(held!.Id, held.LeaseToken!, JobStatus.Succeeded, null, default));

        Assert.Equal(second, (await queue.TryLeaseAsync(1, "a", Lease, default))?.Id);
    }

    [DatabaseFact]
    public async Task A_project_of_weight_four_gets_four_leases_for_every_one_of_a_weight_one_project()
    {
        // Weight 4, not 3: a quarter is exact in binary floating point, so ties stay ties.
        for (var i = 0; i < 20; i++)
        {
            await SeedAsync("heavy", "h" + i, QueueClass.Push);
            await SeedAsync("light", "l" + i, QueueClass.Push);
        }

        await SetProjectAsync("heavy", p => p.Weight = 4);

        var leased = await ProjectsOfAsync(await LeaseAllAsync(20));

        Assert.Equal(16, leased.Count(p => p == "heavy"));
        // Interleaved, not one block after the other: every window of five has the light project once.
        Assert.All(leased.Chunk(5), window => Assert.Single(window, p => p == "light"));
    }

    [DatabaseFact]
    public async Task A_project_that_was_idle_takes_turns_instead_of_cashing_in_credit()
    {
        for (var i = 0; i < 10; i++)
        {
            await SeedAsync("busy", "b" + i, QueueClass.Push);
        }

        await LeaseAllAsync(6); // busy alone: its tags move on, the idle project's stay at zero
        for (var i = 0; i < 4; i++)
        {
            await SeedAsync("late", "l" + i, QueueClass.Push);
        }

        var leased = await ProjectsOfAsync(await LeaseAllAsync(6));

        Assert.Equal(["late", "busy", "late", "busy", "late", "busy"], leased);
    }

    [DatabaseFact]
    public async Task A_job_in_its_cooldown_waits_until_the_cooldown_is_over()
    {
        var cooling = await SeedAsync("app", "push", QueueClass.Manual);
        var other = await SeedAsync("app", "later", QueueClass.Schedule);
        await using (var set = db.NewContext())
        {
            var until = db.Time.UtcNow.AddSeconds(30);
            await set.Jobs.Where(j => j.Id == cooling).ExecuteUpdateAsync(s => s.SetProperty(j => j.NotBefore, until));
        }

        Assert.Equal([other], await LeaseAllAsync(1));
        Assert.Null(await db.NewQueue().TryLeaseAsync(1, "a", Lease, default));

        db.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal([cooling], await LeaseAllAsync(1));
    }

    [DatabaseFact]
    public async Task A_project_at_its_running_build_limit_finishes_started_builds_before_starting_another()
    {
        var first = await db.SeedBuildAsync("app", ("compile", JobStatus.Queued, []), ("lint", JobStatus.Queued, []));
        var second = await db.SeedBuildAsync("app", ("compile", JobStatus.Queued, []));
        var elsewhere = await SeedAsync("other", "test", QueueClass.Manual);
        await SetProjectAsync("app", p => p.MaxRunningBuilds = 1);

        var queue = db.NewQueue();
        var compile = await queue.TryLeaseAsync(1, "a", Lease, default);
        Assert.Equal(first["compile"], compile?.Id);
        // The other project is not held back, and the running build may go on; the second build waits.
        Assert.Equal(elsewhere, (await queue.TryLeaseAsync(1, "a", Lease, default))?.Id);
        var lint = await queue.TryLeaseAsync(1, "a", Lease, default);
        Assert.Equal(first["lint"], lint?.Id);
        Assert.Null(await queue.TryLeaseAsync(1, "a", Lease, default));

        await queue.CompleteAsync(compile!.Id, compile.LeaseToken!, JobStatus.Succeeded, null, default);
        Assert.Null(await queue.TryLeaseAsync(1, "a", Lease, default));
        var completion = await queue.CompleteAsync(lint!.Id, lint.LeaseToken!, JobStatus.Succeeded, null, default);

        Assert.True(completion?.WorkFreed, "finishing a build of a limited project must wake the agents");
        Assert.Equal(second["compile"], (await queue.TryLeaseAsync(1, "a", Lease, default))?.Id);
    }

    [DatabaseFact]
    public async Task Claimants_racing_for_a_limited_projects_new_builds_start_no_more_than_the_limit()
    {
        for (var i = 0; i < 6; i++)
        {
            await SeedAsync("app", "build" + i, QueueClass.Manual);
        }

        await SetProjectAsync("app", p => p.MaxRunningBuilds = 2);

        // Six claimants at once, each a server of its own: the project row's lock (PostgreSQL) or the
        // write lock (SQLite) makes each claim see the builds the others started.
        var leased = await Task.WhenAll(Enumerable.Range(1, 6).Select(agent => Task.Run(async () =>
        {
            return await db.NewQueue().TryLeaseAsync(agent, "a" + agent, Lease, default);
        })));

        Assert.Equal(2, leased.Count(j => j is not null));
        await using var check = db.NewContext();
        Assert.Equal(2, await check.Builds.CountAsync(b => b.Status == BuildStatus.Running));
    }

    [DatabaseFact]
    public async Task Claimants_racing_for_one_concurrency_groups_jobs_run_one_and_leave_the_rest_queued()
    {
        var grouped = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            grouped.Add(await SeedAsync("app", "deploy" + i, QueueClass.Manual, "1:prod"));
        }

        var free = await SeedAsync("app", "test", QueueClass.Push);

        // Six claimants at once: the group's lock (PostgreSQL) or the write lock (SQLite) makes each claim
        // see the job another started; the claimants that lose the group take the free job or nothing.
        var leased = await Task.WhenAll(Enumerable.Range(1, 6).Select(agent => Task.Run(async () =>
        {
            return await db.NewQueue().TryLeaseAsync(agent, "a" + agent, Lease, default);
        })));

        var ids = leased.OfType<LeasedJob>().Select(j => j.Id).ToList();
        Assert.Equal(1, ids.Count(grouped.Contains));
        Assert.Contains(free, ids);
        Assert.Equal(2, ids.Count);
        await using var check = db.NewContext();
        Assert.Equal(1, await check.Jobs.CountAsync(j => j.ConcurrencyGroup == "1:prod" && j.Status == JobStatus.Running));
    }

    [DatabaseFact]
    public async Task A_retry_keeps_priority_and_concurrency_group()
    {
        var id = await SeedAsync("app", "deploy", QueueClass.Schedule, "1:prod");
        await using (var set = db.NewContext())
        {
            await set.Jobs.Where(j => j.Id == id).ExecuteUpdateAsync(s => s.SetProperty(j => j.RetryOn, "failed"));
        }

        await using var ctx = db.NewContext();
        var queue = db.NewQueue();
        var job = await queue.TryLeaseAsync(1, "a", Lease, default);
        await queue.CompleteAsync(job!.Id, job.LeaseToken!, JobStatus.Failed, null, default);

        await using var check = db.NewContext();
        var retry = await check.Jobs.SingleAsync(j => j.Attempt == 2);
        Assert.Equal(QueueClass.Schedule, retry.Priority);
        Assert.Equal("1:prod", retry.ConcurrencyGroup);
    }

    /// <summary>One build of <paramref name="project"/> with one queued job; returns the job's id.</summary>
    private async Task<long> SeedAsync(string project, string job, QueueClass priority, string? group = null)
    {
        var seeded = await db.SeedBuildAsync(project, (job, JobStatus.Queued, []));
        var id = seeded[job];
        await using var ctx = db.NewContext();
        await ctx.Jobs.Where(j => j.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Priority, priority).SetProperty(j => j.ConcurrencyGroup, group));
        return id;
    }

    private async Task SetProjectAsync(string name, Action<Entities.ProjectEntity> change)
    {
        await using var ctx = db.NewContext();
        change(await ctx.Projects.SingleAsync(p => p.Name == name));
        await ctx.SaveChangesAsync();
    }

    private async Task<List<string>> ProjectsOfAsync(List<long> jobIds)
    {
        await using var ctx = db.NewContext();
        var names = await ctx.Jobs.Where(j => jobIds.Contains(j.Id))
            .Select(j => new { j.Id, Project = j.Build!.Project!.Name })
            .ToDictionaryAsync(j => j.Id, j => j.Project);
        return jobIds.Select(id => names[id]).ToList();
    }

    /// <summary>Leases up to <paramref name="count"/> jobs, one agent lease each, and returns their ids in order.</summary>
    private async Task<List<long>> LeaseAllAsync(int count)
    {
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var job = await db.NewQueue().TryLeaseAsync(1, "a", Lease, default);
            Assert.NotNull(job);
            ids.Add(job.Id);
        }

        return ids;
    }
}

public sealed class QueuePolicyOnSqlite : QueuePolicyTests;

public sealed class QueuePolicyOnPostgres : QueuePolicyTests, IOnPostgres;
