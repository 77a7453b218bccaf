using Kiln.Core.Triggers;
using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Data.Queue;
using Microsoft.EntityFrameworkCore;

/// <summary>Fills a migrated Kiln database with a year of history: finished builds (1–3 jobs of 1–3
/// steps each, some failed or canceled, a few with a retried job) spread over the given projects, then
/// per project a tail of builds still queued (two queued jobs and one waiting on them). Rows go in
/// with keys set here, by <see cref="BulkInsert"/> on <see cref="KilnDbContext"/>'s connection, a few
/// thousand builds per transaction; the random numbers are seeded, so every run writes the same rows.</summary>
internal static class ScaleSeeder
{
    private const int BuildsPerTransaction = 5000;
    private static readonly string[] JobNames = ["build", "test", "lint"];
    private static readonly string[] Events = ["push", "push", "push", "pull_request", "manual", "schedule"];
    private static readonly DateTime Start = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <param name="finished">Finished builds per project name, in the order to write them.</param>
    /// <param name="queuedPerProject">Builds still queued at the end of each project.</param>
    public static async Task SeedAsync(DbContextOptions<KilnDbContext> options, IReadOnlyList<(string Project, int Builds)> finished, int queuedPerProject)
    {
        var random = new Random(42);
        var ids = await NextIdsAsync(options);
        foreach (var (name, count) in finished)
        {
            await using var db = new KilnDbContext(options);
            var projectId = await db.Projects.Where(p => p.Name == name).Select(p => p.Id).SingleAsync();
            var all = count + queuedPerProject;
            for (var first = 1; first <= all; first += BuildsPerTransaction)
            {
                var builds = new List<BuildEntity>(BuildsPerTransaction);
                for (var number = first; number <= Math.Min(first + BuildsPerTransaction - 1, all); number++)
                {
                    // Each project's builds spread over the year, so the projects interleave.
                    var created = Start.AddMinutes((365 * 24 * 60.0 * (number - 1) / all) + random.NextDouble());
                    builds.Add(number <= count ? Finished(random, projectId, number, created) : Queued(random, projectId, number, created));
                }

                var (jobs, steps) = ids.Assign(builds);
                await using var tx = await db.Database.BeginTransactionAsync();
                await BulkInsert.InsertAsync(db, builds);
                await BulkInsert.InsertAsync(db, jobs);
                await BulkInsert.InsertAsync(db, steps);
                await tx.CommitAsync();
            }

            await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(s => s.SetProperty(p => p.NextBuildNumber, all + 1));
        }

        await using var context = new KilnDbContext(options);
        if (context.Database.IsNpgsql())
        {
            // Explicit keys leave the identity sequences behind; the server's next insert needs them past the rows.
            foreach (var table in new[] { "builds", "jobs", "steps" })
            {
#pragma warning disable EF1002 // Table names from the list above, not input.
                await context.Database.ExecuteSqlRawAsync($"SELECT setval(pg_get_serial_sequence('{table}', 'Id'), (SELECT max(\"Id\") FROM {table}))");
#pragma warning restore EF1002
            }
        }
    }

    private static async Task<Ids> NextIdsAsync(DbContextOptions<KilnDbContext> options)
    {
        await using var db = new KilnDbContext(options);
        return new Ids(
            (await db.Builds.MaxAsync(b => (long?)b.Id) ?? 0) + 1,
            (await db.Jobs.MaxAsync(j => (long?)j.Id) ?? 0) + 1,
            (await db.Steps.MaxAsync(s => (long?)s.Id) ?? 0) + 1);
    }

    /// <summary>The next free key of each table; gives rows their keys and foreign keys.</summary>
    private sealed class Ids(long build, long job, long step)
    {
        public (List<JobEntity> Jobs, List<StepEntity> Steps) Assign(List<BuildEntity> builds)
        {
            var jobs = new List<JobEntity>();
            var steps = new List<StepEntity>();
            foreach (var b in builds)
            {
                b.Id = build++;
                foreach (var j in b.Jobs)
                {
                    (j.Id, j.BuildId) = (job++, b.Id);
                    jobs.Add(j);
                    foreach (var s in j.Steps)
                    {
                        (s.Id, s.JobId) = (step++, j.Id);
                        steps.Add(s);
                    }
                }
            }

            return (jobs, steps);
        }
    }

    private static BuildEntity Finished(Random random, long projectId, int number, DateTime created)
    {
        var ev = Events[random.Next(Events.Length)];
        var roll = random.Next(100);
        var status = roll < 85 ? BuildStatus.Succeeded : roll < 95 ? BuildStatus.Failed : BuildStatus.Canceled;
        var started = created.AddSeconds(1 + random.Next(5));
        var build = NewBuild(random, projectId, number, ev, created);
        build.Status = status;
        build.StartedAt = started;
        var at = started;
        var jobCount = 1 + random.Next(3);
        for (var j = 0; j < jobCount; j++)
        {
            var lastJob = j == jobCount - 1;
            var jobStatus = !lastJob ? JobStatus.Succeeded : status switch
            {
                BuildStatus.Failed => JobStatus.Failed,
                BuildStatus.Canceled => JobStatus.Canceled,
                _ => JobStatus.Succeeded,
            };
            var job = NewJob(random, projectId, j, ev);
            if (random.Next(100) < 3)
            {
                // An attempt the agent lost, replaced by a retry.
                var lost = NewJob(random, projectId, j, ev);
                lost.IsLatest = false;
                Finish(random, lost, JobStatus.Lost, ref at);
                build.Jobs.Add(lost);
                job.Attempt = 2;
            }

            Finish(random, job, jobStatus, ref at);
            build.Jobs.Add(job);
        }

        build.FinishedAt = at;
        return build;
    }

    /// <summary>Not started: "build" and "test" queued, "deploy" waiting for both; some need a label or hold a concurrency group.</summary>
    private static BuildEntity Queued(Random random, long projectId, int number, DateTime created)
    {
        var build = NewBuild(random, projectId, number, "push", created);
        build.Status = BuildStatus.Queued;
        for (var j = 0; j < 3; j++)
        {
            var job = NewJob(random, projectId, j, "push");
            job.Name = j == 2 ? "deploy" : JobNames[j];
            job.Status = j == 2 ? JobStatus.Waiting : JobStatus.Queued;
            job.Needs = j == 2 ? "build\ntest" : "";
            job.QueuedAt = j == 2 ? null : created;
            job.RunsOn = random.Next(4) == 0 ? "linux,docker" : "";
            job.ConcurrencyGroup = j == 1 && random.Next(4) == 0 ? ConcurrencyGroups.Scope(projectId, "integration") : null;
            foreach (var step in job.Steps)
            {
                step.Status = StepStatus.Pending;
            }

            build.Jobs.Add(job);
        }

        return build;
    }

    private static BuildEntity NewBuild(Random random, long projectId, int number, string ev, DateTime created) => new()
    {
        ProjectId = projectId,
        Number = number,
        Event = TriggerEvents.Parse(ev),
        Ref = "refs/heads/main",
        Branch = "main",
        Commit = Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + "01234567",
        TriggeredBy = ev is "manual" ? "alice" : ev,
        CreatedAt = created,
    };

    private static JobEntity NewJob(Random random, long projectId, int ordinal, string ev)
    {
        var job = new JobEntity
        {
            ProjectId = projectId,
            Ordinal = ordinal,
            Name = JobNames[ordinal],
            Needs = ordinal == 0 ? "" : JobNames[ordinal - 1],
            Priority = QueueClasses.For(TriggerEvents.Parse(ev)),
            EnvJson = """{"CI":"true"}""",
        };
        var steps = 1 + random.Next(3);
        for (var s = 0; s < steps; s++)
        {
            job.Steps.Add(new StepEntity { Index = s, Name = $"step {s + 1}", Run = $"make {job.Name}-{s + 1}" });
        }

        return job;
    }

    /// <summary>Runs the job's steps in sequence from <paramref name="at"/>: all succeed, except that the
    /// last one ends as the job did.</summary>
    private static void Finish(Random random, JobEntity job, JobStatus status, ref DateTime at)
    {
        job.Status = status;
        job.FailureReason = status switch
        {
            JobStatus.Failed => FailureReason.Script,
            JobStatus.Canceled => FailureReason.CanceledByUser,
            JobStatus.Lost => FailureReason.AgentLost,
            _ => null,
        };
        job.AgentName = $"agent-{random.Next(1, 5)}";
        job.QueuedAt = at;
        job.StartedAt = at = at.AddSeconds(random.Next(1, 20));
        job.LogBytes = random.Next(1_000, 200_000);
        foreach (var step in job.Steps)
        {
            var last = step == job.Steps[^1];
            step.StartedAt = at;
            step.FinishedAt = at = at.AddSeconds(random.Next(1, 120));
            (step.Status, step.ExitCode) = !last ? (StepStatus.Succeeded, 0) : status switch
            {
                JobStatus.Succeeded => (StepStatus.Succeeded, 0),
                JobStatus.Failed => (StepStatus.Failed, 1),
                _ => (StepStatus.Canceled, (int?)null),
            };
        }

        job.FinishedAt = at;
    }
}
