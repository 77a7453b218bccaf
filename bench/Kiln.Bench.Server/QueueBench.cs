using System.Diagnostics;
using System.Globalization;
using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Data.Queue;
using Kiln.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

/// <summary>Queue operations alone: N jobs enqueued (one build row each), leased and completed by one
/// agent through <see cref="EfJobQueue"/> on a fresh SQLite file. Counts each enqueue, lease and
/// complete as one operation.</summary>
internal static class QueueBench
{
    public static async Task<bool> RunAsync(int jobs)
    {
        // A first, smaller round pays for JIT compilation and EF Core's query compilation, which a
        // running server has long paid for; only the second round counts.
        await RunOnceAsync(Math.Min(jobs, 300), report: false);
        return await RunOnceAsync(jobs, report: true);
    }

    private static async Task<bool> RunOnceAsync(int jobs, bool report)
    {
        var dir = Directory.CreateTempSubdirectory("kiln-bench-queue-").FullName;
        try
        {
            var options = new DbContextOptionsBuilder<KilnDbContext>();
            options.UseKilnSqlite(SqliteDatabase.ConnectionString(dir));
            await using (var setup = new KilnDbContext(options.Options))
            {
                await SqliteDatabase.PrepareAsync(setup, CancellationToken.None);
                await setup.Database.MigrateAsync();
                setup.Projects.Add(new ProjectEntity { Name = "bench", DefaultBranch = "main", PipelineYaml = "", CreatedAt = DateTime.UtcNow });
                setup.Agents.Add(new AgentEntity { Name = "bench-agent", CreatedAt = DateTime.UtcNow });
                await setup.SaveChangesAsync();
            }

            // Pooled contexts, as the server registers them.
            var pool = new PooledDbContextFactory<KilnDbContext>(options.Options);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            for (var i = 1; i <= jobs; i++)
            {
                await using var db = await pool.CreateDbContextAsync();
                db.Builds.Add(new BuildEntity
                {
                    ProjectId = 1,
                    Number = i,
                    Event = "api",
                    TriggeredBy = "bench",
                    Status = BuildStatus.Queued,
                    CreatedAt = DateTime.UtcNow,
                    Jobs = [new JobEntity { ProjectId = 1, Name = "job", Status = JobStatus.Queued, QueuedAt = DateTime.UtcNow, Steps = [new StepEntity { Index = 0, Name = "s", Run = "true" }] }],
                });
                await db.SaveChangesAsync();
            }

            var enqueued = clock.Elapsed;
            var leases = new List<(long Id, string Token)>(jobs);
            for (var i = 0; i < jobs; i++)
            {
                await using var db = await pool.CreateDbContextAsync();
                var job = await new EfJobQueue(db, TimeProvider.System).TryLeaseAsync(1, "bench-agent", TimeSpan.FromSeconds(30), CancellationToken.None)
                    ?? throw new InvalidOperationException("the queue ran dry early");
                leases.Add((job.Id, job.LeaseToken!));
            }

            var leased = clock.Elapsed;
            foreach (var (id, token) in leases)
            {
                await using var db = await pool.CreateDbContextAsync();
                _ = await new EfJobQueue(db, TimeProvider.System).CompleteAsync(id, token, JobStatus.Succeeded, null, CancellationToken.None)
                    ?? throw new InvalidOperationException("a completion was refused");
            }

            var total = clock.Elapsed;
            var opsPerSecond = 3 * jobs / total.TotalSeconds;
            var cpuPerOp = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / (3 * jobs);
            if (!report)
            {
                return true;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"queue (SQLite): {jobs} jobs: enqueue {jobs / enqueued.TotalSeconds:0}/s, lease {jobs / (leased - enqueued).TotalSeconds:0}/s, complete {jobs / (total - leased).TotalSeconds:0}/s; {opsPerSecond:0} ops/s overall (target ≥ 2,000); {cpuPerOp:0.00} ms of CPU per operation"));
            return opsPerSecond >= 2000;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
