using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Kiln.Data;
using Kiln.Data.Postgres;
using Kiln.Data.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

/// <summary>Listings on a big database: 100,000 finished builds (most in one project) and a queue of a
/// few hundred jobs, seeded straight into the database of a real server, then
/// <c>GET …/projects/{big}/builds</c> (the default page) and <c>GET /api/v1/queue</c> timed over HTTP.
/// On SQLite always; on PostgreSQL too when <c>KILN_BENCH_POSTGRES</c> holds a server's connection
/// string (a database <c>kiln_bench_&lt;guid&gt;</c> is made there and dropped at the end).</summary>
internal static class ScaleBench
{
    public const string PostgresVariable = "KILN_BENCH_POSTGRES";
    private const string BigProject = "scale-big";
    private const int SmallProjects = 9;
    private const int QueuedPerProject = 20;
    /// <summary>Requests before the timed ones. Fewer leave the timed ones measuring the JIT: .NET compiles
    /// each method quickly first and again optimised once it is hot, in the background, which took a
    /// few hundred requests here (with far fewer, the timed ones still measured it: bench/README.md).</summary>
    private const int WarmUp = 1000;
    /// <summary>The first requests after the start, reported apart as the cold figure.</summary>
    private const int Cold = 20;
    private const int Requests = 200;
    private const double TargetMs = 20;
    private const string Pipeline = "jobs:\n  build: { steps: [make build] }\n  test:\n    needs: [build]\n    steps: [make test]\n";

    /// <summary><c>BENCH_KEEP=1</c> keeps the data folders and the PostgreSQL database, to look at the queries afterwards.</summary>
    private static bool Keep => Environment.GetEnvironmentVariable("BENCH_KEEP") == "1";

    public static async Task<IReadOnlyList<(string Name, bool Met)>> RunAsync(string kiln, int builds)
    {
        var results = new List<(string Name, bool Met)> { ("scale (SQLite)", await RunOnAsync(kiln, builds, null)) };
        if (Environment.GetEnvironmentVariable(PostgresVariable) is not { Length: > 0 } server)
        {
            Console.WriteLine($"scale (PostgreSQL): skipped, {PostgresVariable} is not set");
            return results;
        }

        var database = await CreateDatabaseAsync(server);
        try
        {
            results.Add(("scale (PostgreSQL)", await RunOnAsync(kiln, builds, database)));
        }
        finally
        {
            if (Keep)
            {
                Console.WriteLine($"scale (PostgreSQL): kept the database: {database}");
            }
            else
            {
                await DropDatabaseAsync(server, database);
            }
        }

        return results;
    }

    private static async Task<bool> RunOnAsync(string kiln, int builds, string? postgres)
    {
        var label = postgres is null ? "SQLite" : "PostgreSQL";
        var dir = Directory.CreateTempSubdirectory("kiln-bench-scale-").FullName;
        try
        {
            var launch = new ServerLaunch(Path.Combine(dir, "data"), ServerBench.NewToken(), 0,
                postgres is null ? [] : ["--db", "postgres", "--db-connection", postgres]);
            var projects = Split(builds);
            // The first start migrates the database, makes the admin token and the projects; the rows
            // then go straight into the database, the server stopped.
            await using (var first = await ServerBench.StartAsync(kiln, launch))
            {
                foreach (var (name, _) in projects)
                {
                    await first.CreateProjectAsync(name, Pipeline);
                }
            }

            var clock = Stopwatch.StartNew();
            var options = Options(launch.Data, postgres);
            await ScaleSeeder.SeedAsync(options, projects, QueuedPerProject);
            await using (var db = new KilnDbContext(options))
            {
                if (postgres is not null)
                {
                    // What autovacuum would do within a minute of such a load; SQLite gets no statistics
                    // because Kiln never runs ANALYZE there.
                    await db.Database.ExecuteSqlRawAsync("ANALYZE");
                }

                var seconds = clock.Elapsed.TotalSeconds;
                var (b, j, s) = (await db.Builds.CountAsync(), await db.Jobs.CountAsync(), await db.Steps.CountAsync());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scale ({label}): seeded {b:N0} builds, {j:N0} jobs, {s:N0} steps in {seconds:0.0} s"));
            }

            await using var server = await ServerBench.StartAsync(kiln, launch);
            var list = await MeasureAsync(server, $"api/v1/projects/{BigProject}/builds");
            var queue = await MeasureAsync(server, "api/v1/queue");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scale ({label}): GET …/projects/{BigProject}/builds ({list}); GET /api/v1/queue ({queue}); target p95 < {TargetMs} ms each"));
            return list.P95 < TargetMs && queue.P95 < TargetMs;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            if (Keep)
            {
                Console.WriteLine($"scale ({label}): kept the data folder: {dir}/data");
            }
            else
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>Most builds in one project, 2% of them in each of nine others.</summary>
    private static List<(string Project, int Builds)> Split(int builds)
    {
        var small = builds / 50;
        var list = new List<(string, int)> { (BigProject, builds - (SmallProjects * small)) };
        list.AddRange(Enumerable.Range(2, SmallProjects).Select(i => ($"scale-{i}", small)));
        return list;
    }

    private static DbContextOptions<KilnDbContext> Options(string data, string? postgres)
    {
        var options = new DbContextOptionsBuilder<KilnDbContext>();
        _ = postgres is null ? options.UseKilnSqlite(SqliteDatabase.ConnectionString(data)) : options.UseKilnPostgres(postgres);
        return options.Options;
    }

    /// <summary>Sequential GETs: <see cref="WarmUp"/> not counted (the first <see cref="Cold"/> of them
    /// reported apart), then <see cref="Requests"/> timed from sending the request to the last byte of the
    /// body; also the server's CPU time per timed request.</summary>
    private static async Task<Timings> MeasureAsync(ServerBench server, string path)
    {
        var cold = new List<double>(Cold);
        var samples = new List<double>(Requests);
        var items = 0;
        var bytes = 0;
        var cpu = TimeSpan.Zero;
        for (var i = 0; i < WarmUp + Requests; i++)
        {
            if (i == WarmUp)
            {
                cpu = server.CpuTime;
            }

            var clock = Stopwatch.StartNew();
            using var response = await server.Http.GetAsync(new Uri(path, UriKind.Relative));
            var body = await response.Content.ReadAsByteArrayAsync();
            var ms = clock.Elapsed.TotalMilliseconds;
            response.EnsureSuccessStatusCode();
            if (i >= WarmUp)
            {
                samples.Add(ms);
            }
            else if (i < Cold)
            {
                cold.Add(ms);
            }

            if (i == 0)
            {
                using var json = JsonDocument.Parse(body);
                (items, bytes) = (json.RootElement.GetArrayLength(), body.Length);
            }
        }

        var cpuPerRequest = (server.CpuTime - cpu).TotalMilliseconds / Requests;
        samples.Sort();
        cold.Sort();
        return new Timings(items, bytes, Percentile(samples, 0.5), Percentile(samples, 0.95), Percentile(samples, 0.99), samples[^1], cpuPerRequest, Percentile(cold, 0.5), Percentile(cold, 0.95));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Ceiling(sorted.Count * p) - 1];

    private static async Task<string> CreateDatabaseAsync(string server)
    {
        var name = "kiln_bench_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    private static async Task DropDatabaseAsync(string server, string database)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(database).Database} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed record Timings(int Items, int Bytes, double Median, double P95, double P99, double Max, double ServerCpu, double ColdMedian, double ColdP95)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Items} items, {Bytes / 1024.0:0} KiB: median {Median:0.0} ms, p95 {P95:0.0} ms, p99 {P99:0.0} ms, max {Max:0.0} ms; server CPU {ServerCpu:0.0} ms a request; first {Cold} after the start: median {ColdMedian:0.0} ms, p95 {ColdP95:0.0} ms");
    }
}
