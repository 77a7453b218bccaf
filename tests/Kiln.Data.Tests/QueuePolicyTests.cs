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
        var schedule = await SeedAsync("app", "nightly", QueuePriority.Schedule);
        var push = await SeedAsync("app", "push", QueuePriority.Push);
        var manual = await SeedAsync("app", "manual", QueuePriority.Manual);

        Assert.Equal([manual, push, schedule], await LeaseAllAsync(3));
    }

    [DatabaseFact]
    public async Task Jobs_of_one_class_and_project_lease_oldest_first()
    {
        var p1 = await SeedAsync("app", "a", QueuePriority.Push);
        var s1 = await SeedAsync("app", "b", QueuePriority.Schedule);
        var p2 = await SeedAsync("app", "c", QueuePriority.Push);
        var m1 = await SeedAsync("app", "d", QueuePriority.Manual);
        var p3 = await SeedAsync("app", "e", QueuePriority.Push);

        Assert.Equal([m1, p1, p2, p3, s1], await LeaseAllAsync(5));
    }

    [DatabaseFact]
    public async Task A_project_with_one_queued_job_is_not_starved_by_another_projects_backlog()
    {
        var backlog = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            backlog.Add(await SeedAsync("big", "j" + i, QueuePriority.Push));
        }

        var small = await SeedAsync("small", "only", QueuePriority.Push);

        var leased = await LeaseAllAsync(4);

        Assert.Contains(small, leased.Take(2));
        // The big project's own jobs still go oldest first.
        Assert.Equal(backlog.Take(3), leased.Where(id => id != small));
        await using var check = db.NewContext();
        Assert.All(await check.Projects.ToListAsync(), p => Assert.Equal(db.Time.UtcNow, p.LastLeasedAt));
    }

    [DatabaseFact]
    public async Task Fairness_does_not_beat_priority()
    {
        await SeedAsync("big", "first", QueuePriority.Push);
        await LeaseAllAsync(1); // big has leased recently, fresh has never leased
        var bigManual = await SeedAsync("big", "manual", QueuePriority.Manual);
        var freshPush = await SeedAsync("fresh", "push", QueuePriority.Push);

        Assert.Equal([bigManual, freshPush], await LeaseAllAsync(2));
    }

    [DatabaseFact]
    public async Task A_job_waits_while_a_running_job_holds_its_concurrency_group()
    {
        var first = await SeedAsync("app", "deploy", QueuePriority.Manual, "1:prod");
        var second = await SeedAsync("app", "deploy", QueuePriority.Manual, "1:prod");
        var otherGroup = await SeedAsync("app", "deploy-other", QueuePriority.Push, "2:prod");
        var free = await SeedAsync("app", "test", QueuePriority.Schedule);
        await using var ctx = db.NewContext();
        var queue = new EfJobQueue(ctx, db.Time);

        var held = await queue.TryLeaseAsync(1, "a", Lease, default);
        Assert.Equal(first, held?.Id);
        Assert.Equal(otherGroup, (await queue.TryLeaseAsync(1, "a", Lease, default))?.Id);
        Assert.Equal(free, (await queue.TryLeaseAsync(1, "a", Lease, default))?.Id);
        Assert.Null(await queue.TryLeaseAsync(1, "a", Lease, default));

        Assert.NotNull(await queue.CompleteAsync(held!.Id, held.LeaseToken!, JobStatus.Succeeded, null, default));

        Assert.Equal(second, (await queue.TryLeaseAsync(1, "a", Lease, default))?.Id);
    }

    [DatabaseFact]
    public async Task A_retry_keeps_priority_and_concurrency_group()
    {
        var id = await SeedAsync("app", "deploy", QueuePriority.Schedule, "1:prod");
        await using (var set = db.NewContext())
        {
            await set.Jobs.Where(j => j.Id == id).ExecuteUpdateAsync(s => s.SetProperty(j => j.RetryOn, "failed"));
        }

        await using var ctx = db.NewContext();
        var queue = new EfJobQueue(ctx, db.Time);
        var job = await queue.TryLeaseAsync(1, "a", Lease, default);
        await queue.CompleteAsync(job!.Id, job.LeaseToken!, JobStatus.Failed, null, default);

        await using var check = db.NewContext();
        var retry = await check.Jobs.SingleAsync(j => j.Attempt == 2);
        Assert.Equal(QueuePriority.Schedule, retry.Priority);
        Assert.Equal("1:prod", retry.ConcurrencyGroup);
    }

    /// <summary>One build of <paramref name="project"/> with one queued job; returns the job's id.</summary>
    private async Task<long> SeedAsync(string project, string job, int priority, string? group = null)
    {
        var seeded = await db.SeedBuildAsync(project, (job, JobStatus.Queued, []));
        var id = seeded[job];
        await using var ctx = db.NewContext();
        await ctx.Jobs.Where(j => j.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Priority, priority).SetProperty(j => j.ConcurrencyGroup, group));
        return id;
    }

    /// <summary>Leases up to <paramref name="count"/> jobs, one agent lease each, and returns their ids in order.</summary>
    private async Task<List<long>> LeaseAllAsync(int count)
    {
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            await using var ctx = db.NewContext();
            var job = await new EfJobQueue(ctx, db.Time).TryLeaseAsync(1, "a", Lease, default);
            Assert.NotNull(job);
            ids.Add(job.Id);
        }

        return ids;
    }
}

public sealed class QueuePolicyOnSqlite : QueuePolicyTests;

public sealed class QueuePolicyOnPostgres : QueuePolicyTests, IOnPostgres;
