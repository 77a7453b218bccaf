using System.Net;
using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.AgentProtocol;
using static Kiln.Server.Tests.KilnTestServer;

namespace Kiln.Server.Tests;

/// <summary>The lease reaper in the real host, with a 3 s lease and a 1 s reaper tick.</summary>
public sealed class LeaseExpiryTests
{
    [Fact]
    public async Task A_lease_kept_alive_by_heartbeats_survives_and_one_left_to_expire_makes_the_job_lost()
    {
        await using var server = await StartAsync("--Kiln:LeaseSeconds=3", "--Kiln:ReaperIntervalSeconds=1");
        var agent = await server.EnrollAgentAsync("agent-1");
        await server.CreateTaskProjectAsync("app");
        await server.TriggerAsync("app");
        var lease = await LeaseAsync(agent);
        Assert.Equal(3, lease.LeaseSeconds);

        // Renewed every second for longer than the lease: still running.
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(1000);
            Assert.False((await AgentProtocolTests.HeartbeatAsync(agent, lease)).CancelRequested);
        }

        Assert.Equal("running", (await server.GetJobAsync("app", 1, "build")).Status);

        // Then silence: the reaper ends the attempt as lost, and (by default, once) a new attempt is queued.
        var retried = await WaitForAsync(() => server.GetJobAsync("app", 1, "build"), j => j.Status != "running", TimeSpan.FromSeconds(15), "the lease to expire");
        Assert.Equal(("queued", 2), (retried.Status, retried.Attempt));
        var lost = Assert.Single(retried.PreviousAttempts!);
        Assert.Equal((lost.Id, 1, "lost", "agent_lost"), (lease.JobId, lost.Attempt, lost.Status, lost.FailureReason));
        Assert.Contains("agent-1", lost.Message, StringComparison.Ordinal);
        Assert.Contains("lease", lost.Message, StringComparison.Ordinal);

        // The second attempt is lost too: no retries left, so the job stays lost and the build fails.
        var second = await LeaseAsync(agent);
        Assert.Equal(retried.Id, second.JobId);
        var final = await WaitForAsync(() => server.GetJobAsync("app", 1, "build"), j => j.Status != "queued" && j.Status != "running", TimeSpan.FromSeconds(15), "the second lease to expire");
        Assert.Equal(("lost", "agent_lost", 2), (final.Status, final.FailureReason, final.Attempt));
        var build = await server.GetBuildAsync("app", 1);
        Assert.Equal(("failed", "skipped"), (build.Status, build.Jobs[1].Status));

        // The old lease is dead for every report.
        using (var beat = await agent.PostAsJsonAsync($"api/v1/agent/jobs/{lease.JobId}/heartbeat", new HeartbeatRequest(lease.LeaseToken), KilnJsonContext.Default.HeartbeatRequest))
        using (var log = await AppendLogAsync(agent, lease.JobId, lease.LeaseToken, 0, "late\n"))
        using (var step = await ReportStepAsync(agent, lease, 0, "succeeded", 0))
        using (var done = await CompleteAsync(agent, lease, "succeeded"))
        {
            await ProblemAsync(beat, HttpStatusCode.Conflict);
            await ProblemAsync(log, HttpStatusCode.Conflict);
            await ProblemAsync(step, HttpStatusCode.Conflict);
            await ProblemAsync(done, HttpStatusCode.Conflict);
        }

        var history = await server.GetJobAsync("app", 1, "build");
        Assert.Equal(("lost", 2), (history.Status, history.Attempt));
    }
}
