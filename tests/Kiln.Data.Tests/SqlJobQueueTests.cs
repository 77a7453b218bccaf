using Kiln.Core.Triggers;
using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Kiln.Data.Queue;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Tests;

public abstract class SqlJobQueueTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private static readonly string[] JobNames = ["build", "test"];
    private TestDatabase db = null!;

    private protected TestDatabase Db => db;

    private protected static TimeSpan LeaseTime => Lease;

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync(this);

    public async Task DisposeAsync() => await db.DisposeAsync();

    [DatabaseFact]
    public async Task Lease_takes_the_oldest_queued_job_and_marks_it_running_under_a_token()
    {
        var seeded = await db.SeedBuildAsync("app",
            ("later", JobStatus.Waiting, ["first"]),
            ("first", JobStatus.Queued, []),
            ("second", JobStatus.Queued, []));
        var leasedAt = db.Time.UtcNow;

        var job = await db.NewQueue().TryLeaseAsync(7, "agent-7", Lease, default);

        Assert.NotNull(job);
        Assert.Equal(seeded["first"], job.Id);
        Assert.Matches("^[0-9a-f]{32}$", job.LeaseToken);
        Assert.Equal(leasedAt + Lease, job.LeaseExpiresAt);
        Assert.Equal(["s0", "s1"], job.Steps.Select(s => s.Name));
        Assert.Equal("app", job.Build.ProjectName);
        Assert.Equal(seeded.BuildId, job.BuildId);

        await using var check = db.NewContext();
        var stored = await check.Jobs.SingleAsync(j => j.Id == job.Id);
        Assert.Equal(JobStatus.Running, stored.Status);
        Assert.Equal(job.LeaseToken, stored.LeaseToken);
        Assert.Equal(leasedAt + Lease, stored.LeaseExpiresAt);
        Assert.Equal(7, stored.AgentId);
        Assert.Equal("agent-7", stored.AgentName);
        Assert.Equal(leasedAt, stored.StartedAt);
        Assert.Equal(JobStatus.Queued, (await check.Jobs.SingleAsync(j => j.Id == seeded["second"])).Status);
        Assert.Equal(JobStatus.Waiting, (await check.Jobs.SingleAsync(j => j.Id == seeded["later"])).Status);
        var build = await check.Builds.SingleAsync(b => b.Id == seeded.BuildId);
        Assert.Equal(BuildStatus.Running, build.Status);
        Assert.Equal(leasedAt, build.StartedAt);
    }

    [DatabaseFact]
    public async Task Saving_a_job_read_before_a_lease_claimed_it_fails_instead_of_overwriting_running()
    {
        var seeded = await db.SeedBuildAsync("app", ("only", JobStatus.Queued, []));
        await using var stale = db.NewContext();
        var job = await stale.Jobs.SingleAsync(j => j.Id == seeded["only"]);
        Assert.NotNull(await db.NewQueue().TryLeaseAsync(7, "agent-7", Lease, default));

        // A cancel that read the job while it was queued must not turn the running job into canceled.
        job.Status = JobStatus.Canceled;
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => stale.SaveChangesAsync());

        await using var check = db.NewContext();
        Assert.Equal(JobStatus.Running, (await check.Jobs.SingleAsync(j => j.Id == seeded["only"])).Status);
    }

    [DatabaseFact]
    public async Task Successive_leases_take_the_next_job_then_none_when_the_queue_is_empty()
    {
        var older = await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []), ("b", JobStatus.Queued, []));
        var newer = await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []));
        var queue = db.NewQueue();

        var first = await queue.TryLeaseAsync(1, "x", Lease, default);
        var second = await queue.TryLeaseAsync(1, "x", Lease, default);
        var third = await queue.TryLeaseAsync(2, "y", Lease, default);
        var none = await queue.TryLeaseAsync(2, "y", Lease, default);

        Assert.Equal(older["a"], first?.Id);
        Assert.Equal(older["b"], second?.Id);
        Assert.Equal(newer["a"], third?.Id);
        Assert.Null(none);
        Assert.NotEqual(first!.LeaseToken, second!.LeaseToken);
    }

    [DatabaseFact]
    public async Task Lease_on_an_empty_queue_returns_null()
    {
        await db.SeedBuildAsync("app", ("w", JobStatus.Waiting, ["x"]), ("done", JobStatus.Succeeded, []));

        Assert.Null(await db.NewQueue().TryLeaseAsync(1, "x", Lease, default));
    }

    [DatabaseFact]
    public async Task Lease_gives_a_job_only_to_an_agent_with_all_its_runs_on_labels_and_none_to_a_paused_agent()
    {
        var seeded = await db.SeedBuildAsync("app", ("gpu", JobStatus.Queued, []), ("gpu-arm", JobStatus.Queued, []), ("any", JobStatus.Queued, []));
        long plain, gpuBox, sleepy;
        await using (var ctx = db.NewContext())
        {
            await ctx.Jobs.Where(j => j.Id == seeded["gpu"]).ExecuteUpdateAsync(u => u.SetProperty(j => j.RunsOn, "gpu"));
            await ctx.Jobs.Where(j => j.Id == seeded["gpu-arm"]).ExecuteUpdateAsync(u => u.SetProperty(j => j.RunsOn, "gpu,arm"));
            var agents = new[]
            {
                new AgentEntity { Name = "plain", Labels = "linux", CreatedAt = db.Time.UtcNow },
                new AgentEntity { Name = "gpu-box", Labels = "linux,gpu", CreatedAt = db.Time.UtcNow },
                new AgentEntity { Name = "sleepy", Labels = "linux,gpu,arm", Paused = true, CreatedAt = db.Time.UtcNow },
            };
            ctx.Agents.AddRange(agents);
            await ctx.SaveChangesAsync();
            (plain, gpuBox, sleepy) = (agents[0].Id, agents[1].Id, agents[2].Id);
        }

        var queue = db.NewQueue();
        Assert.Null(await queue.TryLeaseAsync(sleepy, "sleepy", Lease, default));
        // The oldest jobs need a GPU: the plain agent passes them over for the one it can run.
        Assert.Equal(seeded["any"], (await queue.TryLeaseAsync(plain, "plain", Lease, default))?.Id);
        Assert.Null(await queue.TryLeaseAsync(plain, "plain", Lease, default));
        // No agent row: no labels.
        Assert.Null(await queue.TryLeaseAsync(999, "ghost", Lease, default));
        Assert.Equal(seeded["gpu"], (await queue.TryLeaseAsync(gpuBox, "gpu-box", Lease, default))?.Id);
        Assert.Null(await queue.TryLeaseAsync(gpuBox, "gpu-box", Lease, default));
        Assert.Null(await queue.TryLeaseAsync(sleepy, "sleepy", Lease, default));
    }

    [DatabaseFact]
    public async Task Racing_enqueues_for_one_project_take_consecutive_numbers_once_each_with_their_own_jobs_and_steps()
    {
        await db.SeedBuildAsync("app", ("done", JobStatus.Succeeded, []));
        long projectId;
        await using (var ctx = db.NewContext())
        {
            projectId = (await ctx.Projects.SingleAsync()).Id;
        }

        var queue = db.NewQueue();
        var builds = Enumerable.Range(0, 24).Select(i => new BuildEntity
        {
            ProjectId = projectId,
            Event = TriggerEvent.Api,
            TriggeredBy = "racer-" + i,
            Status = BuildStatus.Queued,
            CreatedAt = db.Time.UtcNow,
            Jobs = [.. JobNames.Select(name => new JobEntity
            {
                ProjectId = projectId,
                Name = name,
                Status = JobStatus.Queued,
                QueuedAt = db.Time.UtcNow,
                Steps = [new StepEntity { Index = 0, Name = "s0", Run = $"{name} {i} 0" }, new StepEntity { Index = 1, Name = "s1", Run = $"{name} {i} 1" }],
            })],
        }).ToList();

        await Parallel.ForEachAsync(builds, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (build, ct) => await queue.EnqueueAsync(build, ct));

        // The seeded build took number 1.
        Assert.Equal(Enumerable.Range(2, builds.Count), builds.Select(b => b.Number).Order());
        await using var check = db.NewContext();
        var stored = await check.Builds.Where(b => b.TriggeredBy.StartsWith("racer-")).Include(b => b.Jobs).ThenInclude(j => j.Steps).ToListAsync();
        Assert.Equal(builds.Count, stored.Count);
        Assert.All(builds, b =>
        {
            var row = stored.Single(r => r.Id == b.Id);
            Assert.Equal((b.Number, b.TriggeredBy), (row.Number, row.TriggeredBy));
            var i = b.TriggeredBy["racer-".Length..];
            Assert.Equal(JobNames, row.Jobs.OrderBy(j => j.Id).Select(j => j.Name));
            Assert.All(row.Jobs, job =>
            {
                Assert.Equal(b.Jobs.Single(j => j.Name == job.Name).Id, job.Id);
                Assert.Equal([$"{job.Name} {i} 0", $"{job.Name} {i} 1"], job.Steps.OrderBy(s => s.Index).Select(s => s.Run));
                Assert.Equal(b.Jobs.Single(j => j.Name == job.Name).Steps.Select(s => s.Id).Order(), job.Steps.Select(s => s.Id).Order());
            });
        });
        Assert.Equal(builds.Count + 2, (await check.Projects.SingleAsync()).NextBuildNumber);
    }

    [DatabaseFact]
    public async Task Enqueue_stores_a_jobs_failure_reason_by_its_wire_name()
    {
        // A build made already ended (all skipped) carries its jobs' reasons; the enum must be stored as
        // its name ("infrastructure"), not as its number, or reading the row back fails.
        await using (var ctx = db.NewContext())
        {
            ctx.Projects.Add(new ProjectEntity { Name = "app", DefaultBranch = "main", CreatedAt = db.Time.UtcNow, FairShare = new() });
            await ctx.SaveChangesAsync();
        }

        await using var setup = db.NewContext();
        var projectId = (await setup.Projects.SingleAsync()).Id;
        var build = new BuildEntity
        {
            ProjectId = projectId,
            Event = TriggerEvent.Api,
            TriggeredBy = "test",
            Status = BuildStatus.Error,
            CreatedAt = db.Time.UtcNow,
            FinishedAt = db.Time.UtcNow,
            Jobs = [new JobEntity { ProjectId = projectId, Name = "a", Status = JobStatus.Error, FailureReason = FailureReason.Infrastructure, Message = "no agent" }],
        };

        await db.NewQueue().EnqueueAsync(build, default);

        await using var check = db.NewContext();
        Assert.Equal(FailureReason.Infrastructure, (await check.Jobs.SingleAsync(j => j.Id == build.Jobs[0].Id)).FailureReason);
        Assert.Equal(
            "infrastructure",
            await check.Database.SqlQuery<string>($"SELECT \"FailureReason\" AS \"Value\" FROM jobs").SingleAsync());
    }

    [DatabaseFact]
    public async Task Two_contexts_leasing_at_once_never_get_the_same_job()
    {
        await db.SeedBuildAsync("app", ("only", JobStatus.Queued, []));

        var results = await Task.WhenAll(
            Task.Run(() => db.NewQueue().TryLeaseAsync(1, "a", Lease, default)),
            Task.Run(() => db.NewQueue().TryLeaseAsync(2, "b", Lease, default)));

        var winners = results.Where(r => r is not null).ToList();
        Assert.Single(winners);
        await using var check = db.NewContext();
        var stored = await check.Jobs.SingleAsync();
        Assert.Equal(winners[0]!.LeaseToken, stored.LeaseToken);
        Assert.Equal(results[0] is not null ? 1 : 2, stored.AgentId);
    }

    [DatabaseFact]
    public async Task Four_claimants_racing_for_one_projects_backlog_take_every_job_exactly_once()
    {
        const int jobCount = 40;
        await db.SeedBuildAsync("app", 0, Enumerable.Range(0, jobCount).Select(i => ("j" + i, JobStatus.Queued, Array.Empty<string>())).ToArray());

        // Each claimant leases until the queue is empty; none may come back empty-handed while jobs are
        // left (on PostgreSQL they skip each other's locked rows instead of waiting or giving up).
        var perClaimant = await Task.WhenAll(Enumerable.Range(1, 4).Select(agent => Task.Run(async () =>
        {
            var mine = new List<long>();
            while (true)
            {
                var job = await db.NewQueue().TryLeaseAsync(agent, "a" + agent, Lease, default);
                if (job is null)
                {
                    return mine;
                }

                mine.Add(job.Id);
            }
        })));

        var all = perClaimant.SelectMany(ids => ids).ToList();
        Assert.Equal(jobCount, all.Count);
        Assert.Equal(jobCount, all.Distinct().Count());
        await using var check = db.NewContext();
        Assert.Equal(0, await check.Jobs.CountAsync(j => j.Status == JobStatus.Queued));
    }

    [DatabaseFact]
    public async Task Two_contexts_leasing_in_lockstep_split_the_queue_without_overlap()
    {
        const int jobCount = 30;
        await db.SeedBuildAsync("app", 0, Enumerable.Range(0, jobCount).Select(i => ("j" + i, JobStatus.Queued, Array.Empty<string>())).ToArray());
        var a = db.NewQueue();
        var b = db.NewQueue();
        var leased = new List<LeasedJob>();

        while (true)
        {
            var round = await Task.WhenAll(
                Task.Run(() => a.TryLeaseAsync(1, "a", Lease, default)),
                Task.Run(() => b.TryLeaseAsync(2, "b", Lease, default)));
            var got = round.OfType<LeasedJob>().ToList();
            if (got.Count == 0)
            {
                break;
            }

            leased.AddRange(got);
        }

        Assert.Equal(jobCount, leased.Count);
        Assert.Equal(jobCount, leased.Select(j => j.Id).Distinct().Count());
        await using var check = db.NewContext();
        var stored = await check.Jobs.ToDictionaryAsync(j => j.Id);
        Assert.All(leased, j => Assert.Equal(j.LeaseToken, stored[j.Id].LeaseToken));
    }

    [DatabaseFact]
    public async Task Many_racing_agents_each_job_is_leased_exactly_once()
    {
        const int jobCount = 24;
        await db.SeedBuildAsync("app", 0, Enumerable.Range(0, jobCount).Select(i => ("j" + i, JobStatus.Queued, Array.Empty<string>())).ToArray());

        var agents = Enumerable.Range(1, 4).Select(agent => Task.Run(async () =>
        {
            var queue = db.NewQueue();
            var mine = new List<(long Id, string Token)>();
            while (await queue.TryLeaseAsync(agent, "agent-" + agent, Lease, default) is { } job)
            {
                mine.Add((job.Id, job.LeaseToken!));
            }

            return (Agent: agent, Jobs: mine);
        })).ToList();
        var all = (await Task.WhenAll(agents)).SelectMany(a => a.Jobs.Select(j => (a.Agent, j.Id, j.Token))).ToList();

        Assert.Equal(jobCount, all.Count);
        Assert.Equal(jobCount, all.Select(j => j.Id).Distinct().Count());
        await using var check = db.NewContext();
        var stored = await check.Jobs.ToDictionaryAsync(j => j.Id);
        Assert.All(all, j =>
        {
            Assert.Equal(JobStatus.Running, stored[j.Id].Status);
            Assert.Equal(j.Token, stored[j.Id].LeaseToken);
            Assert.Equal(j.Agent, stored[j.Id].AgentId);
        });
    }

    [DatabaseFact]
    public async Task Renew_with_the_current_token_extends_the_expiry_from_now()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []));
        var queue = db.NewQueue();
        var job = await queue.TryLeaseAsync(1, "x", Lease, default);
        db.Time.Advance(TimeSpan.FromSeconds(45));

        var renewed = await queue.RenewAsync(job!.Id, job.LeaseToken!, Lease, default);

        var expected = db.Time.UtcNow + Lease;
        Assert.Equal((expected, false), renewed);
        await using var check = db.NewContext();
        Assert.Equal(expected, (await check.Jobs.SingleAsync(j => j.Id == seeded["a"])).LeaseExpiresAt);
    }

    [DatabaseFact]
    public async Task Renew_reports_a_requested_cancel()
    {
        await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []));
        var queue = db.NewQueue();
        var job = await queue.TryLeaseAsync(1, "x", Lease, default);
        await using (var other = db.NewContext())
        {
            await other.Jobs.ExecuteUpdateAsync(s => s.SetProperty(j => j.CancelRequested, true));
        }

        var renewed = await queue.RenewAsync(job!.Id, job.LeaseToken!, Lease, default);

        Assert.True(renewed?.CancelRequested);
        Assert.True(await queue.IsCancelRequestedAsync(job.Id, job.LeaseToken!, default));
    }

    [DatabaseFact]
    public async Task Renew_with_a_wrong_token_returns_null_and_keeps_the_expiry()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []));
        var queue = db.NewQueue();
        var job = await queue.TryLeaseAsync(1, "x", Lease, default);
        var originalExpiry = job!.LeaseExpiresAt;
        db.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Null(await queue.RenewAsync(job.Id, "0123456789abcdef0123456789abcdef", Lease, default));
        Assert.Null(await queue.IsCancelRequestedAsync(job.Id, "0123456789abcdef0123456789abcdef", default));

        await using var check = db.NewContext();
        Assert.Equal(originalExpiry, (await check.Jobs.SingleAsync(j => j.Id == seeded["a"])).LeaseExpiresAt);
    }

    [DatabaseFact]
    public async Task Report_step_with_the_current_token_records_start_and_end()
    {
        await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []));
        var queue = db.NewQueue();
        var job = await queue.TryLeaseAsync(1, "x", Lease, default);
        var started = db.Time.UtcNow.AddSeconds(1);
        var ended = db.Time.UtcNow.AddSeconds(5);

        Assert.True(await queue.ReportStepAsync(job!.Id, job.LeaseToken!, 0, StepStatus.Running, null, started, default));
        Assert.True(await queue.ReportStepAsync(job.Id, job.LeaseToken!, 0, StepStatus.Failed, 3, ended, default));
        // A resend of the same end changes nothing and is still accepted.
        Assert.True(await queue.ReportStepAsync(job.Id, job.LeaseToken!, 0, StepStatus.Failed, 3, ended.AddSeconds(9), default));

        await using var check = db.NewContext();
        var step = await check.Steps.SingleAsync(s => s.JobId == job.Id && s.Index == 0);
        Assert.Equal(StepStatus.Failed, step.Status);
        Assert.Equal(3, step.ExitCode);
        Assert.Equal(started, step.StartedAt);
        Assert.Equal(ended, step.FinishedAt);
        Assert.Equal(StepStatus.Pending, (await check.Steps.SingleAsync(s => s.JobId == job.Id && s.Index == 1)).Status);
    }

    [DatabaseFact]
    public async Task Report_step_and_complete_with_a_stale_token_are_refused_and_change_nothing()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []), ("b", JobStatus.Waiting, ["a"]));
        var queue = db.NewQueue();
        var job = await queue.TryLeaseAsync(1, "x", Lease, default);
        Assert.True(await queue.ReportStepAsync(job!.Id, job.LeaseToken!, 0, StepStatus.Running, null, db.Time.UtcNow, default));
        const string stale = "ffffffffffffffffffffffffffffffff";

        Assert.False(await queue.ReportStepAsync(job.Id, stale, 0, StepStatus.Succeeded, 0, db.Time.UtcNow, default));
        Assert.False(await queue.ReportStepAsync(job.Id, stale, 1, StepStatus.Running, null, db.Time.UtcNow, default));
        Assert.Null(await queue.CompleteAsync(job.Id, stale, JobStatus.Succeeded, null, default));

        await using var check = db.NewContext();
        var stored = await check.Jobs.Include(j => j.Steps).SingleAsync(j => j.Id == seeded["a"]);
        Assert.Equal(JobStatus.Running, stored.Status);
        Assert.Equal(job.LeaseToken, stored.LeaseToken);
        Assert.Null(stored.FinishedAt);
        Assert.Equal(StepStatus.Running, stored.Steps.Single(s => s.Index == 0).Status);
        Assert.Null(stored.Steps.Single(s => s.Index == 0).ExitCode);
        Assert.Equal(StepStatus.Pending, stored.Steps.Single(s => s.Index == 1).Status);
        Assert.Equal(JobStatus.Waiting, (await check.Jobs.SingleAsync(j => j.Id == seeded["b"])).Status);
        Assert.Equal(BuildStatus.Running, (await check.Builds.SingleAsync()).Status);
    }

    [DatabaseFact]
    public async Task A_job_given_away_fences_out_its_previous_holder()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []));
        var oldAgent = db.NewQueue();
        var newAgent = db.NewQueue();
        var first = await oldAgent.TryLeaseAsync(1, "old", Lease, default);
        // The lease expired and was put back in the queue (what the lease reaper does).
        db.Time.Advance(Lease + TimeSpan.FromSeconds(1));
        await using (var reaper = db.NewContext())
        {
            await reaper.Jobs.ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Queued).SetProperty(j => j.LeaseToken, (string?)null));
        }

        var second = await newAgent.TryLeaseAsync(2, "new", Lease, default);

        Assert.Equal(seeded["a"], second?.Id);
        Assert.NotEqual(first!.LeaseToken, second!.LeaseToken);
        Assert.Null(await oldAgent.RenewAsync(first.Id, first.LeaseToken!, Lease, default));
        Assert.False(await oldAgent.ReportStepAsync(first.Id, first.LeaseToken!, 0, StepStatus.Running, null, db.Time.UtcNow, default));
        Assert.Null(await oldAgent.CompleteAsync(first.Id, first.LeaseToken!, JobStatus.Failed, "late", default));
        Assert.NotNull(await newAgent.CompleteAsync(second.Id, second.LeaseToken!, JobStatus.Succeeded, null, default));

        await using var check = db.NewContext();
        var stored = await check.Jobs.SingleAsync();
        Assert.Equal(JobStatus.Succeeded, stored.Status);
        Assert.Equal(2, stored.AgentId);
        Assert.Null(stored.Message);
    }

    [DatabaseFact]
    public async Task Complete_releases_waiting_dependents_whose_needs_all_succeeded()
    {
        var seeded = await db.SeedBuildAsync("app",
            ("compile", JobStatus.Queued, []),
            ("lint", JobStatus.Queued, []),
            ("test", JobStatus.Waiting, ["compile"]),
            ("package", JobStatus.Waiting, ["compile", "lint"]),
            ("deploy", JobStatus.Waiting, ["test"]));
        var queue = db.NewQueue();
        var compile = await queue.TryLeaseAsync(1, "x", Lease, default);
        Assert.True(await queue.ReportStepAsync(compile!.Id, compile.LeaseToken!, 0, StepStatus.Running, null, db.Time.UtcNow, default));
        db.Time.Advance(TimeSpan.FromSeconds(10));

        var completion = await queue.CompleteAsync(compile.Id, compile.LeaseToken!, JobStatus.Succeeded, null, default);

        Assert.Equal(new JobCompletion(seeded.BuildId, true, BuildStatus.Running), completion);
        await using var check = db.NewContext();
        var jobs = await check.Jobs.Include(j => j.Steps).ToDictionaryAsync(j => j.Name);
        Assert.Equal(JobStatus.Succeeded, jobs["compile"].Status);
        Assert.Null(jobs["compile"].LeaseToken);
        Assert.Null(jobs["compile"].LeaseExpiresAt);
        Assert.Equal(db.Time.UtcNow, jobs["compile"].FinishedAt);
        // The step that was running ends with the job; the one never reached is skipped.
        Assert.Equal(StepStatus.Succeeded, jobs["compile"].Steps.Single(s => s.Index == 0).Status);
        Assert.Equal(StepStatus.Skipped, jobs["compile"].Steps.Single(s => s.Index == 1).Status);
        Assert.Equal(JobStatus.Queued, jobs["test"].Status);
        Assert.Equal(db.Time.UtcNow, jobs["test"].QueuedAt);
        Assert.Equal(JobStatus.Waiting, jobs["package"].Status);
        Assert.Equal(JobStatus.Waiting, jobs["deploy"].Status);
        Assert.Equal(JobStatus.Queued, jobs["lint"].Status);
        Assert.Equal(BuildStatus.Running, (await check.Builds.SingleAsync()).Status);

        // The released job is now leasable after the one queued before it.
        Assert.Equal(seeded["lint"], (await queue.TryLeaseAsync(1, "x", Lease, default))?.Id);
        Assert.Equal(seeded["test"], (await queue.TryLeaseAsync(1, "x", Lease, default))?.Id);
    }

    [DatabaseFact]
    public async Task Complete_with_failure_skips_dependents_transitively_and_fails_the_build()
    {
        var seeded = await db.SeedBuildAsync("app",
            ("compile", JobStatus.Queued, []),
            ("test", JobStatus.Waiting, ["compile"]),
            ("deploy", JobStatus.Waiting, ["test"]));
        var queue = db.NewQueue();
        var compile = await queue.TryLeaseAsync(1, "x", Lease, default);
        Assert.True(await queue.ReportStepAsync(compile!.Id, compile.LeaseToken!, 0, StepStatus.Running, null, db.Time.UtcNow, default));
        db.Time.Advance(TimeSpan.FromSeconds(3));

        var completion = await queue.CompleteAsync(compile.Id, compile.LeaseToken!, JobStatus.Failed, "exit 1", default);

        Assert.Equal(new JobCompletion(seeded.BuildId, false, BuildStatus.Failed), completion);
        await using var check = db.NewContext();
        var jobs = await check.Jobs.Include(j => j.Steps).ToDictionaryAsync(j => j.Name);
        Assert.Equal(JobStatus.Failed, jobs["compile"].Status);
        Assert.Equal("exit 1", jobs["compile"].Message);
        Assert.Equal(StepStatus.Failed, jobs["compile"].Steps.Single(s => s.Index == 0).Status);
        Assert.Equal(StepStatus.Skipped, jobs["compile"].Steps.Single(s => s.Index == 1).Status);
        foreach (var name in new[] { "test", "deploy" })
        {
            Assert.Equal(JobStatus.Skipped, jobs[name].Status);
            Assert.Equal(db.Time.UtcNow, jobs[name].FinishedAt);
            Assert.All(jobs[name].Steps, s => Assert.Equal(StepStatus.Skipped, s.Status));
        }

        var build = await check.Builds.SingleAsync();
        Assert.Equal(BuildStatus.Failed, build.Status);
        Assert.Equal(db.Time.UtcNow, build.FinishedAt);
        Assert.Null(await queue.TryLeaseAsync(1, "x", Lease, default));
    }

    [DatabaseFact]
    public async Task Completing_the_last_job_succeeds_the_build()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []), ("b", JobStatus.Waiting, ["a"]));
        var queue = db.NewQueue();
        var a = await queue.TryLeaseAsync(1, "x", Lease, default);
        Assert.Equal(BuildStatus.Running, (await queue.CompleteAsync(a!.Id, a.LeaseToken!, JobStatus.Succeeded, null, default))?.BuildStatus);
        var b = await queue.TryLeaseAsync(1, "x", Lease, default);
        db.Time.Advance(TimeSpan.FromMinutes(2));

        var completion = await queue.CompleteAsync(b!.Id, b.LeaseToken!, JobStatus.Succeeded, null, default);

        Assert.Equal(new JobCompletion(seeded.BuildId, false, BuildStatus.Succeeded), completion);
        await using var check = db.NewContext();
        var build = await check.Builds.SingleAsync();
        Assert.Equal(BuildStatus.Succeeded, build.Status);
        Assert.Equal(db.Time.UtcNow, build.FinishedAt);
    }

    [DatabaseFact]
    public async Task Complete_is_fenced_a_second_complete_with_the_same_token_returns_null()
    {
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Queued, []));
        var queue = db.NewQueue();
        var job = await queue.TryLeaseAsync(1, "x", Lease, default);
        Assert.NotNull(await queue.CompleteAsync(job!.Id, job.LeaseToken!, JobStatus.Succeeded, null, default));
        db.Time.Advance(TimeSpan.FromSeconds(5));

        Assert.Null(await queue.CompleteAsync(job.Id, job.LeaseToken!, JobStatus.Failed, "again", default));
        Assert.Null(await queue.RenewAsync(job.Id, job.LeaseToken!, Lease, default));
        Assert.False(await queue.ReportStepAsync(job.Id, job.LeaseToken!, 0, StepStatus.Running, null, db.Time.UtcNow, default));

        await using var check = db.NewContext();
        var stored = await check.Jobs.SingleAsync(j => j.Id == seeded["a"]);
        Assert.Equal(JobStatus.Succeeded, stored.Status);
        Assert.Null(stored.Message);
        Assert.Equal(BuildStatus.Succeeded, (await check.Builds.SingleAsync()).Status);
    }
}

public sealed class SqlJobQueueOnSqlite : SqlJobQueueTests;

public sealed class SqlJobQueueOnPostgres : SqlJobQueueTests, IOnPostgres
{
    [DatabaseFact]
    public async Task A_completion_does_not_overwrite_a_dependent_job_a_concurrent_cancel_changed()
    {
        var seeded = await Db.SeedBuildAsync("app", ("a", JobStatus.Queued, []), ("b", JobStatus.Waiting, ["a"]));
        var queue = Db.NewQueue();
        var job = await queue.TryLeaseAsync(1, "x", LeaseTime, default);
        Assert.NotNull(job);

        // A cancel has changed "b" but not committed yet; the completion decides on the "b" it can see
        // (waiting, so: queued) and its write waits for the cancel's row lock.
        await using var cancel = Db.NewContext();
        await using var tx = await cancel.Database.BeginTransactionAsync();
        var b = seeded["b"];
        await cancel.Database.ExecuteSqlAsync($"UPDATE jobs SET \"Status\" = 'canceled' WHERE \"Id\" = {b}");
        var completion = Task.Run(() => queue.CompleteAsync(job.Id, job.LeaseToken, JobStatus.Succeeded, null, default));
        await using (var watch = Db.NewContext())
        {
            var waiting = System.Diagnostics.Stopwatch.StartNew();
            while (await watch.Database.SqlQuery<int>(
                $"SELECT COUNT(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").SingleAsync() == 0)
            {
                Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(20), "the completion never waited for the cancel's lock");
                await Task.Delay(20);
            }
        }

        await tx.CommitAsync();

        Assert.NotNull(await completion.WaitAsync(TimeSpan.FromSeconds(30)));
        await using var check = Db.NewContext();
        Assert.Equal(JobStatus.Canceled, (await check.Jobs.SingleAsync(j => j.Id == b)).Status);
        Assert.Equal(JobStatus.Succeeded, (await check.Jobs.SingleAsync(j => j.Id == job.Id)).Status);
    }

    [DatabaseFact]
    public async Task Lease_skips_a_queued_job_another_transaction_has_locked_instead_of_waiting()
    {
        var seeded = await Db.SeedBuildAsync("app", ("first", JobStatus.Queued, []), ("second", JobStatus.Queued, []));
        await using var holder = Db.NewContext();
        await using var tx = await holder.Database.BeginTransactionAsync();
        var firstId = seeded["first"];
        await holder.Database.ExecuteSqlAsync($"SELECT 1 FROM jobs WHERE \"Id\" = {firstId} FOR UPDATE");

        var job = await Db.NewQueue().TryLeaseAsync(1, "x", LeaseTime, default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(seeded["second"], job?.Id);
        await tx.RollbackAsync();
        Assert.Equal(firstId, (await Db.NewQueue().TryLeaseAsync(1, "x", LeaseTime, default))?.Id);
    }
}
