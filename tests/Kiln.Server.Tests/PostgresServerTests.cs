using System.Diagnostics;
using System.Net;
using Kiln.Server.Infrastructure;
using Kiln.Tests;
using Microsoft.Extensions.DependencyInjection;
using static Kiln.Server.Tests.KilnTestServer;

namespace Kiln.Server.Tests;

/// <summary>The real server composition on PostgreSQL (<c>--Kiln:Db=postgres</c>), each test on a
/// database of its own; skipped without <c>KILN_TEST_POSTGRES</c> unless <c>CI=true</c>.</summary>
public sealed class PostgresServerTests : IAsyncLifetime
{
    private string connectionString = "";

    private string[] PostgresArgs(params string[] more) => ["--Kiln:Db=postgres", "--Kiln:DbConnection=" + connectionString, .. more];

    public async Task InitializeAsync()
    {
        if (TestPostgres.SkipReason is null)
        {
            connectionString = await TestPostgres.CreateDatabaseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (connectionString.Length > 0)
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }

    [PostgresFact]
    public async Task A_task_build_runs_to_success_on_postgres()
    {
        await using var server = await StartAsync(PostgresArgs());
        var agent = await server.EnrollAgentAsync();
        await server.CreateTaskProjectAsync("app");
        var build = await server.TriggerAsync("app");
        Assert.Equal("queued", build.Status);

        var first = await LeaseAsync(agent, waitSeconds: 5);
        Assert.Equal("build", first.JobName);
        await RunAsync(agent, first, steps: 1);
        var second = await LeaseAsync(agent, waitSeconds: 5);
        Assert.Equal("test", second.JobName);
        await RunAsync(agent, second, steps: 2);

        var done = await server.GetBuildAsync("app", 1);
        Assert.Equal("succeeded", done.Status);
        Assert.All(done.Jobs, j => Assert.Equal("succeeded", j.Status));
        // timestamptz round trip: the instants come back unshifted.
        var now = TimeProvider.System.GetUtcNow();
        Assert.InRange(done.CreatedAt, now.AddMinutes(-1), now);
        Assert.InRange(done.FinishedAt!.Value, done.CreatedAt, now);
        using var log = await server.Admin.GetAsync("api/v1/projects/app/builds/1/jobs/test/log");
        await ExpectAsync(log, HttpStatusCode.OK);
        Assert.Equal("step 0\nstep 1\n", await log.Content.ReadAsStringAsync());
    }

    [PostgresFact]
    public async Task An_agent_polling_one_server_gets_a_job_created_through_another_at_once()
    {
        var adminToken = "kiln_pg_" + Guid.NewGuid().ToString("N");
        await using var a = await StartAsync(PostgresArgs("--Kiln:BootstrapAdminToken=" + adminToken));
        await using var b = await JoinAsync(adminToken, PostgresArgs("--Kiln:BootstrapAdminToken=" + adminToken));
        await a.App.Services.GetRequiredService<PostgresChangeListener>().Listening.WaitAsync(TimeSpan.FromSeconds(10));
        var agent = await a.EnrollAgentAsync();
        await b.CreateTaskProjectAsync("app");
        var polling = LeaseAsync(agent, waitSeconds: 25);
        await Task.Delay(500);
        Assert.False(polling.IsCompleted, "the long poll answered although nothing was queued");

        var clock = Stopwatch.StartNew();
        var build = await b.TriggerAsync("app");
        var lease = await polling.WaitAsync(TimeSpan.FromSeconds(20));

        // Without LISTEN/NOTIFY server A would only find the job when the 25 s poll ran out; the bound
        // is far from both that and the usual few milliseconds, so a loaded machine does not flake it.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"the job created on B reached the poll on A after {clock.Elapsed.TotalSeconds:0.##} s");
        Assert.Equal((build.Jobs[0].Id, "build"), (lease.JobId, lease.JobName));
    }

    [PostgresFact]
    public async Task An_event_committed_through_one_server_reaches_a_stream_of_another_within_a_second()
    {
        var adminToken = "kiln_pg_" + Guid.NewGuid().ToString("N");
        await using var a = await StartAsync(PostgresArgs("--Kiln:BootstrapAdminToken=" + adminToken));
        await using var b = await JoinAsync(adminToken, PostgresArgs("--Kiln:BootstrapAdminToken=" + adminToken));
        await b.App.Services.GetRequiredService<PostgresChangeListener>().Listening.WaitAsync(TimeSpan.FromSeconds(10));
        await a.CreateTaskProjectAsync("app");
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/events");
        using var response = await b.Admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await Task.Delay(300);

        var clock = Stopwatch.StartNew();
        await a.TriggerAsync("app");
        var frame = await EventStreamTests.NextFrameAsync(reader).WaitAsync(TimeSpan.FromSeconds(10));
        var elapsed = clock.Elapsed;

        Assert.Equal("build.queued", frame.Event);
        // A wake-up through NOTIFY takes milliseconds; the poll that backs it up runs every second.
        Assert.True(elapsed < TimeSpan.FromSeconds(1.5), $"the event reached server B's stream after {elapsed.TotalSeconds:0.##} s");
    }

    private static async Task RunAsync(HttpClient agent, Kiln.Contracts.AgentProtocol.JobLease lease, int steps)
    {
        var log = "";
        for (var i = 0; i < steps; i++)
        {
            using (var started = await ReportStepAsync(agent, lease, i, "running"))
            {
                await ExpectAsync(started, HttpStatusCode.OK);
            }

            log += $"step {i}\n";
            using (var ended = await ReportStepAsync(agent, lease, i, "succeeded", 0))
            {
                await ExpectAsync(ended, HttpStatusCode.OK);
            }
        }

        using (var chunk = await AppendLogAsync(agent, lease.JobId, lease.LeaseToken, 0, log))
        {
            Assert.True(chunk.IsSuccessStatusCode, $"log append: {(int)chunk.StatusCode}");
        }

        using var complete = await CompleteAsync(agent, lease, "succeeded");
        Assert.True(complete.IsSuccessStatusCode, $"complete: {(int)complete.StatusCode} {await complete.Content.ReadAsStringAsync()}");
    }
}
