using Kiln.Core.Triggers;
using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Kiln.Data.Events;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Tests;

/// <summary>Every state change the queue makes appends exactly one event of its kind in the same
/// transaction, and the log reads back in order from any id, once.</summary>
public abstract class EventLogTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private TestDatabase db = null!;

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync(this);

    public async Task DisposeAsync() => await db.DisposeAsync();

    private protected TestDatabase Db => db;

    private EventLog Log => new(db.QueueDatabase);

    /// <summary>Everything after <paramref name="after"/> once no event is held back (on PostgreSQL other
    /// tests' transactions on the same server hold the bound back now and then).</summary>
    private protected async Task<IReadOnlyList<EventRecord>> ReadSettledAsync(long after)
    {
        var page = await Log.ReadAsync(after, 1000, default);
        for (var i = 0; i < 200 && page.HeldBack; i++)
        {
            await Task.Delay(25);
            page = await Log.ReadAsync(after, 1000, default);
        }

        Assert.False(page.HeldBack);
        return page.Events;
    }

    [DatabaseFact]
    public async Task A_build_run_through_writes_one_event_per_change_in_order()
    {
        var seeded = await db.SeedBuildAsync("app", 1, ("a", JobStatus.Queued, []), ("b", JobStatus.Waiting, ["a"]));
        var queue = db.NewQueue();

        var a = (await queue.TryLeaseAsync(1, "agent-1", Lease, default))!;
        Assert.True(await queue.ReportStepAsync(a.Id, a.LeaseToken, 0, StepStatus.Running, null, db.Time.UtcNow, default));
        Assert.True(await queue.ReportStepAsync(a.Id, a.LeaseToken, 0, StepStatus.Running, null, db.Time.UtcNow, default)); // a resend: no change
        Assert.True(await queue.ReportStepAsync(a.Id, a.LeaseToken, 0, StepStatus.Succeeded, 0, db.Time.UtcNow, default));
        Assert.NotNull(await queue.CompleteAsync(a.Id, a.LeaseToken, JobStatus.Succeeded, null, default));
        Assert.Null(await queue.CompleteAsync(a.Id, a.LeaseToken, JobStatus.Succeeded, null, default)); // stale: nothing
        var b = (await queue.TryLeaseAsync(1, "agent-1", Lease, default))!;
        Assert.NotNull(await queue.CompleteAsync(b.Id, b.LeaseToken, JobStatus.Failed, "exit 1", default));

        var events = await ReadSettledAsync(0);
        Assert.Equal(
            [
                (EventKinds.JobStarted, "a", "running"), (EventKinds.BuildStarted, null, "running"),
                (EventKinds.StepStarted, "a", "running"), (EventKinds.StepFinished, "a", "succeeded"),
                (EventKinds.JobFinished, "a", "succeeded"), (EventKinds.JobQueued, "b", "queued"),
                (EventKinds.JobStarted, "b", "running"),
                (EventKinds.JobFinished, "b", "failed"), (EventKinds.BuildFinished, null, "failed"),
            ],
            events.Select(e => (e.Kind, e.Job, e.Status)));
        Assert.All(events, e => Assert.Equal(("app", seeded.BuildId, 1), (e.Project, e.BuildId!.Value, e.BuildNumber!.Value)));
        Assert.Equal("script", events.Single(e => e.Kind == EventKinds.JobFinished && e.Job == "b").FailureReason);
        Assert.Equal(0, events.Single(e => e.Kind == EventKinds.StepStarted).Step);
        Assert.All(events, e => Assert.Equal("agent-1", e.Actor));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Id < p.Second.Id));
    }

    [DatabaseFact]
    public async Task Enqueue_cancel_and_approve_write_their_events_with_the_actor()
    {
        var queue = db.NewQueue();
        var seeded = await db.SeedBuildAsync("app", ("m", JobStatus.Manual, []), ("w", JobStatus.Waiting, ["m"]));
        Assert.True(await queue.ApproveAsync(seeded["m"], "alice", default));
        Assert.False(await queue.ApproveAsync(seeded["m"], "alice", default));
        var outcome = await queue.CancelBuildAsync(seeded.BuildId, FailureReason.CanceledByUser, "bob", onlyIfNothingStarted: false, default);
        Assert.Equal(BuildStatus.Canceled, outcome!.BuildStatus);
        Assert.False((await queue.CancelBuildAsync(seeded.BuildId, FailureReason.CanceledByUser, "bob", false, default))!.Canceled);

        long projectId;
        await using (var ctx = db.NewContext())
        {
            projectId = (await ctx.Projects.SingleAsync()).Id;
        }

        var build = new BuildEntity { ProjectId = projectId, Status = BuildStatus.Queued, Event = TriggerEvent.Api, TriggeredBy = "carol", CreatedAt = db.Time.UtcNow };
        await queue.EnqueueAsync(build, default);

        var events = await ReadSettledAsync(0);
        Assert.Equal(
            [
                (EventKinds.JobQueued, "m", "queued", "alice", (string?)null),
                (EventKinds.BuildCanceling, null, "queued", "bob", "canceled_by_user"),
                (EventKinds.JobFinished, "m", "canceled", "bob", "canceled_by_user"),
                (EventKinds.JobFinished, "w", "canceled", "bob", "canceled_by_user"),
                (EventKinds.BuildFinished, null, "canceled", "bob", null),
                (EventKinds.BuildQueued, null, "queued", "carol", null),
            ],
            events.Select(e => (e.Kind, e.Job, e.Status, e.Actor, e.FailureReason)));
        Assert.Equal((build.Id, build.Number), (events[^1].BuildId!.Value, events[^1].BuildNumber!.Value));
    }

    [DatabaseFact]
    public async Task A_lost_job_writes_its_ending_the_agent_lost_and_its_retry()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []));
        var queue = db.NewQueue();
        var a = (await queue.TryLeaseAsync(1, "agent-1", Lease, default))!;
        Assert.NotNull(await queue.CompleteAsync(a.Id, a.LeaseToken, JobStatus.Lost, "gone", default));

        var events = (await ReadSettledAsync(0)).Skip(2).ToList();
        Assert.Equal([EventKinds.JobFinished, EventKinds.AgentLost, EventKinds.JobRetried], events.Select(e => e.Kind));
        Assert.Equal(["lost", "lost", "queued"], events.Select(e => e.Status));
        Assert.NotEqual(seeded["a"], events[2].JobId);
    }

    [DatabaseFact]
    public async Task A_reader_resuming_from_an_id_gets_every_later_event_once_in_order_under_concurrent_writers()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []));
        long projectId;
        await using (var ctx = db.NewContext())
        {
            projectId = (await ctx.Projects.SingleAsync()).Id;
        }

        const int Writers = 4, Each = 25;
        var seen = new List<EventRecord>();
        var done = false;
        var writers = Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var queue = db.NewQueue();
            for (var i = 0; i < Each; i++)
            {
                await queue.EnqueueAsync(new BuildEntity { ProjectId = projectId, Status = BuildStatus.Queued, Event = TriggerEvent.Api, TriggeredBy = $"w{w}", CreatedAt = db.Time.UtcNow }, default);
            }
        })));
        _ = writers.ContinueWith(_ => done = true, TaskScheduler.Default);
        long position = 0;
        while (true)
        {
            var finished = Volatile.Read(ref done);
            var page = await Log.ReadAsync(position, 7, default);
            seen.AddRange(page.Events);
            position = page.Events.Count > 0 ? page.Events[^1].Id : position;
            if (finished && page.Events.Count == 0 && !page.HeldBack)
            {
                break;
            }
        }

        await writers;
        Assert.Equal(Writers * Each, seen.Count);
        Assert.Equal(seen.Count, seen.Select(e => e.Id).Distinct().Count());
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Id < p.Second.Id));
        var resumed = await ReadSettledAsync(seen[40].Id);
        Assert.Equal(seen.Skip(41).Select(e => e.Id), resumed.Select(e => e.Id));
        Assert.NotEqual(0, seeded.BuildId);
    }

    [DatabaseFact]
    public async Task Retention_deletes_only_events_older_than_the_cutoff()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []), ("b", JobStatus.Queued, []));
        var queue = db.NewQueue();
        await queue.TryLeaseAsync(1, "agent-1", Lease, default);
        db.Time.Advance(TimeSpan.FromDays(2));
        await queue.TryLeaseAsync(1, "agent-1", Lease, default);

        Assert.Equal(2, await Log.DeleteBeforeAsync(db.Time.UtcNow.AddDays(-1), 100, default));
        var left = await ReadSettledAsync(0);
        Assert.Equal([seeded["b"]], left.Select(e => e.JobId!.Value));
        Assert.Equal(left[0].Id, await Log.LastIdAsync(default));
    }
}

public sealed class EventLogOnSqlite : EventLogTests;

public sealed class EventLogOnPostgres : EventLogTests, IOnPostgres
{
    /// <summary>A transaction that began writing first but commits last must not be skipped: its event
    /// is held back, and so is every later one, until it commits; then both come, in id order.</summary>
    [DatabaseFact]
    public async Task An_event_committed_after_a_later_one_is_handed_out_before_it_never_skipped()
    {
        var seeded = await Db.SeedBuildAsync("app", ("a", JobStatus.Queued, []));
        await using var early = new Npgsql.NpgsqlConnection(Db.ConnectionString);
        await early.OpenAsync();
        await using var tx = await early.BeginTransactionAsync();
        await using (var insert = new Npgsql.NpgsqlCommand(
            $"""INSERT INTO events ("Id", "At", "Kind") VALUES ({EventRows.PostgresTransactionId} * {EventRows.PerTransaction}, now(), 'test.early')""", early, tx))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var log = new EventLog(Db.QueueDatabase);
        var lease = await Db.NewQueue().TryLeaseAsync(1, "agent-1", TimeSpan.FromMinutes(1), default);
        Assert.NotNull(lease);

        var held = await log.ReadAsync(0, 100, default);
        Assert.Empty(held.Events);
        Assert.True(held.HeldBack);

        await tx.CommitAsync();
        var all = await ReadSettledAsync(0);
        Assert.Equal(["test.early", EventKinds.JobStarted, EventKinds.BuildStarted], all.Select(e => e.Kind));
        Assert.Equal(seeded["a"], all[1].JobId);
    }
}
