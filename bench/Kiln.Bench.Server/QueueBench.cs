using Kiln.Core.Triggers;
using System.Diagnostics;
using System.Globalization;
using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Data.Postgres;
using Kiln.Data.Queue;
using Kiln.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

/// <summary>Queue operations alone, through <see cref="SqlJobQueue"/> on one <see cref="QueueDatabase"/> as the server
/// uses them, on a fresh database: N jobs enqueued (a build with one job and one step each), then leased,
/// then completed, each phase by <c>workers</c> concurrent callers (a server serves many agents at once;
/// 1 gives the sequential figure). Counts each enqueue, lease and complete as one operation. A warm-up
/// round, then <see cref="Rounds"/> measured ones, each after <see cref="WarmUpJobs"/> unmeasured jobs on
/// its fresh database and once the JIT has settled (<see cref="JitSettling"/>). Runs on SQLite, and on
/// PostgreSQL when <c>KILN_BENCH_POSTGRES</c> holds a connection string to a server where it may create a
/// database.</summary>
internal static class QueueBench
{
    public static async Task<bool> RunAsync(int jobs, int workers, int projects)
    {
        var shape = new Shape(jobs, workers, projects);
        var met = await RunOnDatabaseAsync("SQLite", _ => SqliteOptionsAsync(), shape);
        if (Environment.GetEnvironmentVariable("KILN_BENCH_POSTGRES") is { Length: > 0 } postgres)
        {
            met &= await RunOnDatabaseAsync("PostgreSQL", name => PostgresOptionsAsync(postgres, name), shape);
        }

        return met;
    }

    /// <summary>Measured rounds per database: the figure is their median, as a single round on a shared
    /// machine strays too far from one run to the next (bench/README.md).</summary>
    private const int Rounds = 5;

    private static async Task<bool> RunOnDatabaseAsync(string name, Func<string, Task<BenchDatabase>> create, Shape shape)
    {
        // A first round of the same size pays for JIT compilation (tiered: methods are compiled again,
        // optimized, once they run often), EF Core's query compilation and Npgsql's statement preparation,
        // which a running server has long paid for; only the rounds after it count.
        await RunOnceAsync(name, create, shape, report: false);
        var rates = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            rates.Add(await RunOnceAsync(name, create, shape, report: true));
        }

        rates.Sort();
        var median = rates[Rounds / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"queue ({name}, {shape}): median of {Rounds} rounds {median:0} ops/s (range {rates[0]:0}–{rates[^1]:0}; target ≥ 2,000)"));
        return median >= 2000;
    }

    /// <summary>Jobs each round runs through the queue before it is measured.</summary>
    private const int WarmUpJobs = 100;

    /// <summary>One round on a fresh database; returns its operations per second.</summary>
    private static async Task<double> RunOnceAsync(string name, Func<string, Task<BenchDatabase>> create, Shape shape, bool report)
    {
        await using var database = await create("kiln_bench_" + Guid.NewGuid().ToString("N")[..12]);
        await using (var setup = new KilnDbContext(database.Options))
        {
            await setup.Database.MigrateAsync();
            for (var p = 1; p <= shape.Projects; p++)
            {
                setup.Projects.Add(new ProjectEntity { Name = "bench-" + p, DefaultBranch = "main", PipelineYaml = "", CreatedAt = DateTime.UtcNow, FairShare = new() });
            }

            setup.Agents.Add(new AgentEntity { Name = "bench-agent", CreatedAt = DateTime.UtcNow });
            await setup.SaveChangesAsync();
        }

        var queue = new SqlJobQueue(database.Queue, TimeProvider.System);
        var jobs = shape.Jobs;
        // The fresh database's connections are new: warm them up as a running server's are (each
        // connection plans its statements once, and the database server caches the new database's catalog
        // per connection), so that the round measures the queue, not connection setup.
        await RunPhasesAsync(queue, shape with { Jobs = WarmUpJobs });
        var settled = await JitSettling.WaitAsync();
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var databaseCpu = name == "PostgreSQL" ? LocalPostgresCpu.Read() : null;
        var (enqueued, leased, total) = await RunPhasesAsync(queue, shape);
        var opsPerSecond = 3 * jobs / total.TotalSeconds;
        var cpuPerOp = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / (3 * jobs);
        var jitDuring = System.Runtime.JitInfo.GetCompilationTime() - jit;
        var databaseCpuPerOp = (LocalPostgresCpu.Read() - databaseCpu)?.TotalMilliseconds / (3 * jobs);
        if (report)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"queue ({name}, {shape}): {jobs} jobs: enqueue {jobs / enqueued.TotalSeconds:0}/s, lease {jobs / (leased - enqueued).TotalSeconds:0}/s, complete {jobs / (total - leased).TotalSeconds:0}/s; {opsPerSecond:0} ops/s overall; {cpuPerOp:0.00} ms of CPU per operation{(databaseCpuPerOp is { } d ? $" (PostgreSQL's processes: {d:0.00} ms)" : "")}; JIT {(settled ? "settled" : "still busy")} before, {jitDuring.TotalMilliseconds:0} ms during"));
        }

        return opsPerSecond;
    }

    /// <summary>Enqueues the shape's jobs, spread over its projects in turn, then leases them, then completes them, each phase by
    /// concurrent callers; returns when each phase ended, from the start.</summary>
    private static async Task<(TimeSpan Enqueued, TimeSpan Leased, TimeSpan Total)> RunPhasesAsync(SqlJobQueue queue, Shape shape)
    {
        var (jobs, parallel) = (shape.Jobs, new ParallelOptions { MaxDegreeOfParallelism = shape.Workers });
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs), parallel, async (i, ct) =>
            await queue.EnqueueAsync(new BuildEntity
            {
                ProjectId = 1 + i % shape.Projects,
                Event = TriggerEvent.Api,
                TriggeredBy = "bench",
                Status = BuildStatus.Queued,
                CreatedAt = DateTime.UtcNow,
                Jobs = [new JobEntity { ProjectId = 1 + i % shape.Projects, Name = "job", Status = JobStatus.Queued, QueuedAt = DateTime.UtcNow, Steps = [new StepEntity { Index = 0, Name = "s", Run = "true" }] }],
            }, ct));

        var enqueued = clock.Elapsed;
        var leases = new System.Collections.Concurrent.ConcurrentBag<(long Id, string Token)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs), parallel, async (_, ct) =>
        {
            var job = await queue.TryLeaseAsync(1, "bench-agent", TimeSpan.FromSeconds(30), ct)
                ?? throw new InvalidOperationException("the queue ran dry early");
            leases.Add((job.Id, job.LeaseToken!));
        });

        var leased = clock.Elapsed;
        if (leases.Select(l => l.Id).Distinct().Count() != jobs)
        {
            throw new InvalidOperationException("a job was leased twice");
        }

        await Parallel.ForEachAsync(leases, parallel, async (lease, ct) =>
        {
            _ = await queue.CompleteAsync(lease.Id, lease.Token, JobStatus.Succeeded, null, ct)
                ?? throw new InvalidOperationException("a completion was refused");
        });

        return (enqueued, leased, clock.Elapsed);
    }

    private static async Task<BenchDatabase> SqliteOptionsAsync()
    {
        var dir = Directory.CreateTempSubdirectory("kiln-bench-queue-").FullName;
        var options = new DbContextOptionsBuilder<KilnDbContext>().UseKilnSqlite(SqliteDatabase.ConnectionString(dir)).Options;
        await using (var db = new KilnDbContext((DbContextOptions<KilnDbContext>)options))
        {
            await SqliteDatabase.PrepareAsync(db, CancellationToken.None);
        }

        var queue = SqliteDatabase.CreateQueueDatabase(SqliteDatabase.ConnectionString(dir));
        return new BenchDatabase((DbContextOptions<KilnDbContext>)options, queue, async () =>
        {
            await queue.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        });
    }

    private static async Task<BenchDatabase> PostgresOptionsAsync(string server, string name)
    {
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await command.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        var dataSource = PostgresDatabase.CreateDataSource(connectionString);
        var options = new DbContextOptionsBuilder<KilnDbContext>().UseKilnPostgres(dataSource).Options;
        var queue = PostgresDatabase.CreateQueueDatabase(connectionString);
        return new BenchDatabase((DbContextOptions<KilnDbContext>)options, queue, async () =>
        {
            await queue.DisposeAsync();
            await dataSource.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            await command.ExecuteNonQueryAsync();
        });
    }

    /// <summary>A round's size: its jobs, the concurrent callers of each phase, and the projects the jobs
    /// are spread over (each has its fair-share row; one project leasing alone never writes it).</summary>
    private sealed record Shape(int Jobs, int Workers, int Projects)
    {
        public override string ToString() =>
            $"{Workers} worker{(Workers == 1 ? "" : "s")}{(Projects == 1 ? "" : $", {Projects} projects")}";
    }

    private sealed record BenchDatabase(DbContextOptions<KilnDbContext> Options, QueueDatabase Queue, Func<Task> Drop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Drop();
    }
}
