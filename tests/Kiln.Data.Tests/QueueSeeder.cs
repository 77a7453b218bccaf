using Kiln.Core.Triggers;
using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Kiln.Data.Queue;

namespace Kiln.Data.Tests;

/// <summary>What a busy install's queue holds, for the plan tests: <see cref="Projects"/> projects, each with
/// <see cref="FinishedPerProject"/> finished builds of history, two running builds (one in the project
/// that limits its running builds to one) whose running job holds the project's "integration" concurrency
/// group, and <see cref="QueuedPerProject"/> queued builds of two queued jobs and a waiting one; a
/// quarter of the queued "test" jobs want the busy group, a quarter need the labels "linux,docker", and
/// the last project's newest builds are in their cooldown. Rows go in through the queue's own enqueue,
/// so they are what a server writes. The last build is manual, so its jobs are the first class.</summary>
internal static class QueueSeeder
{
    public const int Projects = 10;
    public const int FinishedPerProject = 100;
    public const int QueuedPerProject = 150;

    /// <summary>The project whose running builds are limited (to one, which runs).</summary>
    private const int Limited = Projects - 1;

    /// <summary>The project whose newest builds wait for their cooldown.</summary>
    private const int Cooling = Projects - 2;

    public static async Task<SeededQueue> SeedAsync(TestDatabase db)
    {
        var now = db.Time.UtcNow;
        long agentId;
        var projectIds = new List<long>();
        await using (var ctx = db.NewContext())
        {
            var agent = ctx.Agents.Add(new AgentEntity { Name = "agent-1", Labels = "linux,docker,x64", CreatedAt = now }).Entity;
            var projects = Enumerable.Range(0, Projects).Select(p => ctx.Projects.Add(new ProjectEntity
            {
                Name = $"p{p:D2}",
                DefaultBranch = "main",
                CreatedAt = now,
                MaxRunningBuilds = p == Limited ? 1 : null,
                FairShare = new(),
            }).Entity).ToList();
            await ctx.SaveChangesAsync();
            agentId = agent.Id;
            projectIds.AddRange(projects.Select(p => p.Id));
        }

        var queue = db.NewQueue();
        var lease = 0;
        foreach (var (projectId, p) in projectIds.Select((id, p) => (id, p)))
        {
            var group = ConcurrencyGroups.Scope(projectId, "integration");
            for (var n = 0; n < FinishedPerProject; n++)
            {
                await queue.EnqueueAsync(Finished(projectId, agentId, n % 5 == 0 ? "schedule" : "push", now.AddHours(-1 - n)), default);
            }

            for (var n = 0; n < (p == Limited ? 1 : 2); n++)
            {
                var build = Pending(projectId, "push", now.AddMinutes(-30), group, n, notBefore: null);
                build.Status = BuildStatus.Running;
                build.StartedAt = now.AddMinutes(-20);
                var running = build.Jobs[0];
                (running.Status, running.StartedAt, running.AgentId, running.AgentName) = (JobStatus.Running, build.StartedAt, agentId, "agent-1");
                (running.LeaseToken, running.LeaseExpiresAt) = ($"seeded-lease-{++lease}", now.AddMinutes(1));
                running.ConcurrencyGroup = n == 0 ? group : null;
                running.Steps[0].Status = StepStatus.Running;
                await queue.EnqueueAsync(build, default);
            }

            for (var n = 0; n < QueuedPerProject; n++)
            {
                var ev = n % 7 == 0 ? "schedule" : p == 0 && n == QueuedPerProject - 1 ? "manual" : "push";
                var cooling = p == Cooling && n >= QueuedPerProject - 20 ? now.AddMinutes(5) : (DateTime?)null;
                await queue.EnqueueAsync(Pending(projectId, ev, now.AddMinutes(-10).AddSeconds(n), group, n, cooling), default);
            }
        }

        return new SeededQueue(agentId, "agent-1", projectIds, await GroupedJobAsync(db, projectIds[0]));
    }

    /// <summary>A queued job of <paramref name="projectId"/> that wants the group its running job holds: the
    /// kind of job the one-statement lease leaves to <see cref="LeaseRules.LeaseOne"/>.</summary>
    private static async Task<long> GroupedJobAsync(TestDatabase db, long projectId)
    {
        await using var ctx = db.NewContext();
        return ctx.Jobs.Where(j => j.ProjectId == projectId && j.Status == JobStatus.Queued && j.ConcurrencyGroup != null)
            .OrderBy(j => j.Id).Select(j => j.Id).First();
    }

    private static BuildEntity Finished(long projectId, long agentId, string ev, DateTime created)
    {
        var build = NewBuild(projectId, ev, created);
        (build.Status, build.StartedAt, build.FinishedAt) = (BuildStatus.Succeeded, created.AddSeconds(5), created.AddMinutes(5));
        foreach (var (name, ordinal) in new[] { ("build", 0), ("test", 1), ("lint", 2) })
        {
            var job = NewJob(projectId, ev, name, ordinal);
            (job.Status, job.QueuedAt, job.StartedAt, job.FinishedAt) = (JobStatus.Succeeded, created, build.StartedAt, build.FinishedAt);
            (job.AgentId, job.AgentName, job.LogBytes, job.NextLogSequence) = (agentId, "agent-1", 4096, 2);
            foreach (var step in job.Steps)
            {
                (step.Status, step.ExitCode, step.StartedAt, step.FinishedAt) = (StepStatus.Succeeded, 0, build.StartedAt, build.FinishedAt);
            }

            build.Jobs.Add(job);
        }

        return build;
    }

    /// <summary>Not started: "build" and "test" queued, "deploy" waiting for both.</summary>
    private static BuildEntity Pending(long projectId, string ev, DateTime created, string group, int n, DateTime? notBefore)
    {
        var build = NewBuild(projectId, ev, created);
        build.Status = BuildStatus.Queued;
        foreach (var (name, ordinal) in new[] { ("build", 0), ("test", 1), ("deploy", 2) })
        {
            var job = NewJob(projectId, ev, name, ordinal);
            var waits = name == "deploy";
            (job.Status, job.Needs, job.QueuedAt, job.NotBefore) = (waits ? JobStatus.Waiting : JobStatus.Queued, waits ? "build\ntest" : "", waits ? null : created, notBefore);
            job.RunsOn = name == "test" && n % 4 == 1 ? "linux,docker" : "";
            job.ConcurrencyGroup = name == "test" && n % 4 == 2 ? group : null;
            build.Jobs.Add(job);
        }

        return build;
    }

    private static BuildEntity NewBuild(long projectId, string ev, DateTime created) => new()
    {
        ProjectId = projectId,
        Event = TriggerEvents.Parse(ev),
        Ref = "refs/heads/main",
        Branch = "main",
        Commit = "0123456789abcdef0123456789abcdef01234567",
        TriggeredBy = ev,
        CreatedAt = created,
    };

    private static JobEntity NewJob(long projectId, string ev, string name, int ordinal) => new()
    {
        ProjectId = projectId,
        Ordinal = ordinal,
        Name = name,
        Priority = QueueClasses.For(TriggerEvents.Parse(ev)),
        EnvJson = """{"CI":"true"}""",
        Steps =
        [
            new StepEntity { Index = 0, Name = "prepare", Run = $"make {name}-deps", Status = StepStatus.Pending },
            new StepEntity { Index = 1, Name = name, Run = $"make {name}", Status = StepStatus.Pending },
        ],
    };
}

/// <summary>What <see cref="QueueSeeder"/> made that the plan tests need: the agent that leases, the projects
/// in order, and a queued job whose concurrency group a running job holds.</summary>
internal sealed record SeededQueue(long AgentId, string AgentName, IReadOnlyList<long> ProjectIds, long GroupedJobId);
