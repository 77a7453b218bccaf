using Kiln.Core.Triggers;
using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Kiln.Data.Postgres;
using Kiln.Data.Queue;
using Kiln.Data.Sqlite;
using Kiln.Tests;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kiln.Data.Tests;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public DateTime UtcNow => now.UtcDateTime;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}

/// <summary>A fresh, migrated database owned by one test: a SQLite file in its own temp folder, or a
/// PostgreSQL database of its own (<see cref="TestPostgres"/>), dropped at the end.</summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly string connectionString;
    private readonly string? sqliteDirectory;
    private readonly Npgsql.NpgsqlDataSource? postgresSource;
    private readonly QueueDatabase queueDatabase;

    private TestDatabase(string connectionString, string? sqliteDirectory)
    {
        this.connectionString = connectionString;
        this.sqliteDirectory = sqliteDirectory;
        if (sqliteDirectory is null)
        {
            postgresSource = PostgresDatabase.CreateDataSource(connectionString);
            queueDatabase = PostgresDatabase.CreateQueueDatabase(connectionString);
        }
        else
        {
            queueDatabase = SqliteDatabase.CreateQueueDatabase(connectionString);
        }
    }

    public bool IsPostgres => sqliteDirectory is null;

    public string ConnectionString => connectionString;

    public ManualTime Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A database for the test class: PostgreSQL when it implements <see cref="IOnPostgres"/>.</summary>
    public static Task<TestDatabase> CreateAsync(object testClass) => CreateAsync(testClass is IOnPostgres);

    /// <summary>A database of the kind given, for a fixture that several tests read.</summary>
    public static Task<TestDatabase> CreateAsync(bool postgres) => postgres ? CreatePostgresAsync() : CreateSqliteAsync();

    private static async Task<TestDatabase> CreateSqliteAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kiln-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return await MigratedAsync(new TestDatabase(SqliteDatabase.ConnectionString(dir), dir));
    }

    private static async Task<TestDatabase> CreatePostgresAsync() =>
        await MigratedAsync(new TestDatabase(await TestPostgres.CreateDatabaseAsync(), null));

    private static async Task<TestDatabase> MigratedAsync(TestDatabase db)
    {
        await using var ctx = db.NewContext();
        await ctx.Database.MigrateAsync();
        return db;
    }

    /// <summary>A new context on its own connection, with <paramref name="interceptors"/> if any; dispose it.</summary>
    public KilnDbContext NewContext(params IInterceptor[] interceptors)
    {
        var options = new DbContextOptionsBuilder<KilnDbContext>().AddInterceptors(interceptors);
        if (IsPostgres)
        {
            options.UseKilnPostgres(connectionString);
        }
        else
        {
            options.UseKilnSqlite(connectionString);
        }

        return new KilnDbContext(options.Options);
    }

    /// <summary>The queue's connections to this database (one for all callers, as in a server).</summary>
    public QueueDatabase QueueDatabase => queueDatabase;

    /// <summary>The job queue on this database, as a server has it (one queue database for all callers).</summary>
    public SqlJobQueue NewQueue() => new(queueDatabase, Time);

    /// <summary>Seeds a project (once) and one queued build with the given jobs, ids in the order given,
    /// each with two pending steps "s0" and "s1".</summary>
    public async Task<SeededBuild> SeedBuildAsync(string project, params (string Name, JobStatus Status, string[] Needs)[] jobs) =>
        await SeedBuildAsync(project, 2, jobs);

    /// <summary>As above with <paramref name="stepsPerJob"/> pending steps "s0", "s1", … per job.</summary>
    public async Task<SeededBuild> SeedBuildAsync(string project, int stepsPerJob, params (string Name, JobStatus Status, string[] Needs)[] jobs)
    {
        await using var ctx = NewContext();
        var p = await ctx.Projects.SingleOrDefaultAsync(x => x.Name == project)
            ?? ctx.Projects.Add(new ProjectEntity { Name = project, DefaultBranch = "main", CreatedAt = Time.UtcNow, FairShare = new() }).Entity;
        var number = p.NextBuildNumber++;
        var build = new BuildEntity
        {
            Project = p,
            Number = number,
            Status = BuildStatus.Queued,
            Event = TriggerEvent.Manual,
            TriggeredBy = "test",
            CreatedAt = Time.UtcNow,
        };
        ctx.Builds.Add(build);
        await ctx.SaveChangesAsync();

        // One save per job so ids follow the order given.
        var ids = new Dictionary<string, long>();
        for (var i = 0; i < jobs.Length; i++)
        {
            var (name, status, needs) = jobs[i];
            var job = new JobEntity
            {
                BuildId = build.Id,
                ProjectId = build.ProjectId,
                Ordinal = i,
                Name = name,
                Status = status,
                Needs = string.Join('\n', needs),
                QueuedAt = status == JobStatus.Queued ? Time.UtcNow : null,
            };
            // Steps inserted in reverse so an unordered read would come back wrong.
            for (var s = stepsPerJob - 1; s >= 0; s--)
            {
                job.Steps.Add(new StepEntity { Index = s, Name = "s" + s, Run = "echo " + s, Status = StepStatus.Pending });
            }

            ctx.Jobs.Add(job);
            await ctx.SaveChangesAsync();
            ids[name] = job.Id;
        }

        return new SeededBuild(build.Id, ids);
    }

    public async ValueTask DisposeAsync()
    {
        await queueDatabase.DisposeAsync();
        if (postgresSource is not null)
        {
            await postgresSource.DisposeAsync();
            await TestPostgres.DropDatabaseAsync(connectionString);
            return;
        }

        using (var connection = new SqliteConnection(connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        try
        {
            Directory.Delete(sqliteDirectory!, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

internal sealed record SeededBuild(long BuildId, IReadOnlyDictionary<string, long> Jobs)
{
    public long this[string job] => Jobs[job];
}
