using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.AgentProtocol;
using Kiln.Contracts.Api;
using Microsoft.AspNetCore.Builder;
using static Kiln.Server.Tests.KilnTestServer;

namespace Kiln.Server.Tests;

/// <summary>A server restart grants running jobs a fresh lease: its own downtime does not count against agents.</summary>
public sealed class LeaseGraceTests
{
    // A 6 s lease leaves slack on a loaded 2-core machine between the restart and the checks below.
    private static readonly string[] Settings = ["--Kiln:LeaseSeconds=6", "--Kiln:ReaperIntervalSeconds=1"];

    [Fact]
    public async Task A_job_whose_lease_ran_out_while_the_server_was_down_is_still_running_after_the_restart_and_its_lease_still_works()
    {
        var first = await StartAsync(Settings);
        var dataDir = first.DataDir;
        var adminToken = first.AdminToken;
        var agentClient = await first.EnrollAgentAsync("agent-1");
        var agentToken = agentClient.DefaultRequestHeaders.Authorization!.Parameter!;
        await first.CreateTaskProjectAsync("app");
        await first.TriggerAsync("app");
        var lease = await LeaseAsync(agentClient);

        // Down, not disposed through the harness (that would delete the data folder): for longer than the lease.
        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await first.App.StopAsync(stopping.Token);
        }

        await first.App.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(7));

        var second = Build(dataDir, Settings);
        try
        {
            Assert.Null(await ServerHost.PrepareAsync(second, CancellationToken.None));
            await second.StartAsync();
            var url = new Uri(second.Urls.First().TrimEnd('/') + "/");
            using var admin = Client(url, adminToken);
            using var agent = Client(url, agentToken);

            // Two reaper ticks after the start, well past the old expiry: the job is still the agent's.
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            Assert.Equal("running", (await GetJobAsync(admin)).Status);

            var beat = await AgentProtocolTests.HeartbeatAsync(agent, lease);
            Assert.False(beat.CancelRequested);
            using (var step = await ReportStepAsync(agent, lease, 0, "succeeded", 0))
            using (var done = await CompleteAsync(agent, lease, "succeeded"))
            {
                await ExpectAsync(step, HttpStatusCode.OK);
                await ExpectAsync(done, HttpStatusCode.OK);
            }

            var job = await GetJobAsync(admin);
            Assert.Equal(("succeeded", 1), (job.Status, job.Attempt));
            Assert.Empty(job.PreviousAttempts ?? []);
        }
        finally
        {
            using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                await second.StopAsync(stopping.Token);
            }

            await second.DisposeAsync();
            DeleteDataDir(dataDir);
        }
    }

    private static HttpClient Client(Uri url, string token)
    {
        var http = new HttpClient(new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<JobResource> GetJobAsync(HttpClient admin)
    {
        using var response = await admin.GetAsync("api/v1/projects/app/builds/1/jobs/build");
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.JobResource))!;
    }
}
