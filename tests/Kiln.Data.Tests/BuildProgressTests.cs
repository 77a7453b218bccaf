using Kiln.Core.Builds;
using Kiln.Data.Queue;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Tests;

public abstract class BuildProgressTests : IAsyncLifetime
{
    private TestDatabase db = null!;

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync(this);

    public async Task DisposeAsync() => await db.DisposeAsync();

    [DatabaseFact]
    public async Task A_started_job_makes_a_queued_build_running_from_the_earliest_start()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Running, []), ("b", JobStatus.Running, []), ("c", JobStatus.Waiting, ["a"]));
        var earliest = db.Time.UtcNow.AddSeconds(-30);
        await SetJobAsync(seeded["a"], JobStatus.Running, db.Time.UtcNow.AddSeconds(-10));
        await SetJobAsync(seeded["b"], JobStatus.Running, earliest);

        var released = await AdvanceAsync(seeded.BuildId);

        Assert.False(released);
        var build = await ReadBuildAsync(seeded.BuildId);
        Assert.Equal(BuildStatus.Running, build.Status);
        Assert.Equal(earliest, build.StartedAt);
        Assert.Null(build.FinishedAt);
    }

    [DatabaseFact]
    public async Task A_build_with_nothing_started_stays_queued()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []), ("b", JobStatus.Waiting, ["a"]));

        Assert.False(await AdvanceAsync(seeded.BuildId));

        var build = await ReadBuildAsync(seeded.BuildId);
        Assert.Equal(BuildStatus.Queued, build.Status);
        Assert.Null(build.StartedAt);
    }

    [DatabaseFact]
    public async Task Releasing_a_waiting_job_is_reported_and_stamps_its_queue_time()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Running, []), ("b", JobStatus.Waiting, ["a"]));
        await SetJobAsync(seeded["a"], JobStatus.Succeeded, db.Time.UtcNow.AddSeconds(-5));

        Assert.True(await AdvanceAsync(seeded.BuildId));

        await using var check = db.NewContext();
        var b = await check.Jobs.SingleAsync(j => j.Id == seeded["b"]);
        Assert.Equal(JobStatus.Queued, b.Status);
        Assert.Equal(db.Time.UtcNow, b.QueuedAt);
        Assert.Equal(BuildStatus.Running, (await ReadBuildAsync(seeded.BuildId)).Status);
    }

    [DatabaseFact]
    public async Task All_jobs_succeeded_or_skipped_succeeds_the_build()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Running, []), ("b", JobStatus.Skipped, []));
        await SetJobAsync(seeded["a"], JobStatus.Succeeded, db.Time.UtcNow.AddSeconds(-5));

        await AdvanceAsync(seeded.BuildId);

        var build = await ReadBuildAsync(seeded.BuildId);
        Assert.Equal(BuildStatus.Succeeded, build.Status);
        Assert.Equal(db.Time.UtcNow.AddSeconds(-5), build.StartedAt);
        Assert.Equal(db.Time.UtcNow, build.FinishedAt);
    }

    [DatabaseTheory]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.TimedOut)]
    [InlineData(JobStatus.Lost)]
    public async Task A_failed_job_fails_the_build_once_every_job_has_ended(JobStatus failure)
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Running, []), ("b", JobStatus.Running, []), ("c", JobStatus.Waiting, ["a"]));
        await SetJobAsync(seeded["a"], failure, db.Time.UtcNow.AddSeconds(-5));
        await SetJobAsync(seeded["b"], JobStatus.Running, db.Time.UtcNow.AddSeconds(-5));

        await AdvanceAsync(seeded.BuildId);

        // "b" still runs: the build is not over yet, though "c" can never run.
        Assert.Equal(BuildStatus.Running, (await ReadBuildAsync(seeded.BuildId)).Status);
        await using (var check = db.NewContext())
        {
            Assert.Equal(JobStatus.Skipped, (await check.Jobs.SingleAsync(j => j.Id == seeded["c"])).Status);
        }

        await SetJobAsync(seeded["b"], JobStatus.Succeeded, db.Time.UtcNow.AddSeconds(-5));
        await AdvanceAsync(seeded.BuildId);

        var build = await ReadBuildAsync(seeded.BuildId);
        Assert.Equal(BuildStatus.Failed, build.Status);
        Assert.Equal(db.Time.UtcNow, build.FinishedAt);
    }

    [DatabaseFact]
    public async Task A_build_already_ended_keeps_its_status()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Succeeded, []));
        await using (var ctx = db.NewContext())
        {
            await ctx.Builds.ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BuildStatus.Canceled));
        }

        await AdvanceAsync(seeded.BuildId);

        Assert.Equal(BuildStatus.Canceled, (await ReadBuildAsync(seeded.BuildId)).Status);
    }

    /// <summary>Reads the build and its latest jobs, decides with <see cref="BuildDecisions.Advance"/> and
    /// stores the decision, as the queue does in its transaction.</summary>
    private async Task<bool> AdvanceAsync(long buildId)
    {
        await using var ctx = db.NewContext();
        var build = await ctx.Builds.Include(b => b.Jobs).SingleAsync(b => b.Id == buildId);
        var latest = build.Jobs.Where(j => j.IsLatest).OrderBy(j => j.Id).ToList();
        var decision = BuildDecisions.Advance(
            new BuildState(build.Id, build.Status, build.StartedAt, build.FinishedAt),
            latest.Select(j => new JobState(j.Id, j.Name, Entities.JobEntity.SplitNeeds(j.Needs), j.Status)
            {
                Manual = j.Manual,
                AllowFailure = j.AllowFailure,
                CancelRequested = j.CancelRequested,
                StartedAt = j.StartedAt,
                FailureReason = j.FailureReason,
                Message = j.Message,
            }).ToList(),
            db.Time.UtcNow);
        foreach (var change in decision.Jobs)
        {
            var job = latest.Single(j => j.Id == change.After.Id);
            (job.Status, job.Message, job.FailureReason) = (change.After.Status, change.After.Message, change.After.FailureReason);
            job.QueuedAt = change.After.QueuedAt ?? job.QueuedAt;
            job.FinishedAt = change.After.FinishedAt ?? job.FinishedAt;
        }

        if (decision.Build is { } b)
        {
            (build.Status, build.StartedAt, build.FinishedAt) = (b.After.Status, b.After.StartedAt, b.After.FinishedAt);
        }

        await ctx.SaveChangesAsync();
        return decision.AnyQueued;
    }

    private async Task SetJobAsync(long jobId, JobStatus status, DateTime startedAt)
    {
        await using var ctx = db.NewContext();
        await ctx.Jobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, status).SetProperty(j => j.StartedAt, startedAt));
    }

    private async Task<Entities.BuildEntity> ReadBuildAsync(long buildId)
    {
        await using var ctx = db.NewContext();
        return await ctx.Builds.AsNoTracking().SingleAsync(b => b.Id == buildId);
    }
}

public sealed class BuildProgressOnSqlite : BuildProgressTests;

public sealed class BuildProgressOnPostgres : BuildProgressTests, IOnPostgres;
