using System.Net;
using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.AgentProtocol;
using Kiln.Contracts.Api;
using static Kiln.Server.Tests.KilnTestServer;

namespace Kiln.Server.Tests;

/// <summary>Remote agents: registration, hello, label matching, pause, the agents API and removal.</summary>
public sealed class AgentRegistrationTests
{
    private const string GpuPipeline = """
        jobs:
          train:
            runs-on: [gpu]
            steps:
              - run: echo training
        """;

    [Fact]
    public async Task Register_needs_a_live_registration_token_and_a_free_name()
    {
        await using var server = await StartAsync();
        var registrationToken = await TokenApiTests.CreateTokenAsync(server.Admin, new CreateTokenRequest(null, "agent-registration", null, null));
        var registration = registrationToken.Token;

        using (var anonymous = await PostRegisterAsync(server.Client(null), "box-1"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var bogus = await PostRegisterAsync(server.Client("kiln_not-a-token"), "box-1"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, bogus.StatusCode);
        }

        using (var userToken = await PostRegisterAsync(server.Admin, "box-1"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, userToken.StatusCode);
        }

        var first = await RegisterAsync(server, registration, "box-1", ["linux", "docker"]);
        var agent = server.Client(first.Token);
        using (var lease = await agent.PostAsJsonAsync("api/v1/agent/lease", new LeaseRequest(0), KilnJsonContext.Default.LeaseRequest))
        {
            Assert.Equal(HttpStatusCode.NoContent, lease.StatusCode);
        }

        // The agent's token is not a registration token.
        using (var agentRegisters = await PostRegisterAsync(agent, "box-2"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, agentRegisters.StatusCode);
        }

        // Another registration token may not take the name; the same one may (a lost identity file), which retires the old token.
        var other = (await TokenApiTests.CreateTokenAsync(server.Admin, new CreateTokenRequest(null, "agent-registration", null, null))).Token;
        using (var taken = await PostRegisterAsync(server.Client(other), "box-1"))
        {
            await ProblemAsync(taken, HttpStatusCode.Conflict);
        }

        await server.EnrollAgentAsync("the-local-one");
        using (var local = await PostRegisterAsync(server.Client(registration), "the-local-one"))
        {
            await ProblemAsync(local, HttpStatusCode.Conflict);
        }

        var again = await RegisterAsync(server, registration, "box-1", ["linux"]);
        Assert.Equal(first.AgentId, again.AgentId);
        using (var old = await agent.PostAsJsonAsync("api/v1/agent/lease", new LeaseRequest(0), KilnJsonContext.Default.LeaseRequest))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        }

        using (var invalid = await PostRegisterAsync(server.Client(registration), "no spaces please"))
        {
            await ProblemAsync(invalid, HttpStatusCode.UnprocessableEntity);
        }

        // A revoked registration token registers nothing more; the agents it made keep working.
        Assert.Contains(await ListTokensAsync(server), t => t.Kind == "agent" && t.Agent == "box-1");
        using (var revoke = await server.Admin.DeleteAsync($"api/v1/tokens/{registrationToken.Id}"))
        {
            await ExpectAsync(revoke, HttpStatusCode.NoContent);
        }

        using (var revoked = await PostRegisterAsync(server.Client(registration), "box-3"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        }

        using var stillWorks = await server.Client(again.Token).PostAsJsonAsync("api/v1/agent/lease", new LeaseRequest(0), KilnJsonContext.Default.LeaseRequest);
        Assert.Equal(HttpStatusCode.NoContent, stillWorks.StatusCode);
    }

    [Fact]
    public async Task A_job_that_runs_on_gpu_goes_only_to_an_agent_with_that_label_and_a_paused_agent_gets_204_at_once()
    {
        await using var server = await StartAsync();
        var registration = (await TokenApiTests.CreateTokenAsync(server.Admin, new CreateTokenRequest(null, "agent-registration", null, null))).Token;
        var plain = server.Client((await RegisterAsync(server, registration, "plain", ["linux"])).Token);
        var gpuAgent = await RegisterAsync(server, registration, "gpu", ["linux", "gpu"]);
        var gpu = server.Client(gpuAgent.Token);
        await server.CreateTaskProjectAsync("ml", GpuPipeline);
        await server.TriggerAsync("ml");

        using (var none = await plain.PostAsJsonAsync("api/v1/agent/lease", new LeaseRequest(1), KilnJsonContext.Default.LeaseRequest))
        {
            Assert.Equal(HttpStatusCode.NoContent, none.StatusCode);
        }

        using (var pause = await server.Admin.PostAsync("api/v1/agents/gpu/pause", null))
        {
            await ExpectAsync(pause, HttpStatusCode.OK);
            Assert.Equal("paused", (await pause.Content.ReadFromJsonAsync(KilnJsonContext.Default.AgentResource))!.Status);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var paused = await gpu.PostAsJsonAsync("api/v1/agent/lease", new LeaseRequest(20), KilnJsonContext.Default.LeaseRequest))
        {
            Assert.Equal(HttpStatusCode.NoContent, paused.StatusCode);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"a paused agent waited {clock.Elapsed.TotalSeconds:0.0} s for a 204");
        using (var resume = await server.Admin.PostAsync($"api/v1/agents/{gpuAgent.AgentId}/resume", null))
        {
            await ExpectAsync(resume, HttpStatusCode.OK);
        }

        var lease = await LeaseAsync(gpu);
        Assert.Equal("train", lease.JobName);
        Assert.Equal(["gpu"], lease.Requirements!.RunsOn);

        using (var beat = await gpu.PostAsJsonAsync($"api/v1/agent/jobs/{lease.JobId}/heartbeat", new HeartbeatRequest(lease.LeaseToken, 123_456_789, 0.75), KilnJsonContext.Default.HeartbeatRequest))
        {
            await ExpectAsync(beat, HttpStatusCode.OK);
        }

        var agents = await ListAgentsAsync(server);
        var busy = agents.Single(a => a.Name == "gpu");
        Assert.Equal(("busy", 123_456_789L, 0.75), (busy.Status, busy.FreeDiskBytes, busy.LoadAverage));
        Assert.Equal(["linux", "gpu"], busy.Labels);
        Assert.Equal(new AgentJobResource("ml", 1, "train"), Assert.Single(busy.RunningJobs));
        Assert.Equal("idle", agents.Single(a => a.Name == "plain").Status);
    }

    [Fact]
    public async Task Hello_replaces_labels_and_slots_and_a_removed_agent_is_refused_while_its_job_runs_to_lease_expiry()
    {
        await using var server = await StartAsync("--Kiln:LeaseSeconds=3", "--Kiln:ReaperIntervalSeconds=1");
        var registration = (await TokenApiTests.CreateTokenAsync(server.Admin, new CreateTokenRequest(null, "agent-registration", null, null))).Token;
        var registered = await RegisterAsync(server, registration, "box", []);
        var agent = server.Client(registered.Token);
        using (var hello = await agent.PostAsJsonAsync("api/v1/agent/hello", new AgentHelloRequest(["gpu", "linux"], 4, "9.9.9", "linux-x64"), KilnJsonContext.Default.AgentHelloRequest))
        {
            await ExpectAsync(hello, HttpStatusCode.OK);
            var answer = (await hello.Content.ReadFromJsonAsync(KilnJsonContext.Default.AgentHelloResponse))!;
            Assert.Equal((registered.AgentId, "box", false, 3), (answer.AgentId, answer.Name, answer.Paused, answer.LeaseSeconds));
        }

        var listed = (await ListAgentsAsync(server)).Single();
        Assert.Equal((4, "9.9.9", "linux-x64", "idle"), (listed.Slots, listed.Version, listed.Os, listed.Status));
        Assert.Equal(["gpu", "linux"], listed.Labels);

        await server.CreateTaskProjectAsync("ml", GpuPipeline);
        await server.TriggerAsync("ml");
        var lease = await LeaseAsync(agent);
        using (var remove = await server.Admin.DeleteAsync("api/v1/agents/box"))
        {
            await ExpectAsync(remove, HttpStatusCode.NoContent);
        }

        using (var refused = await agent.PostAsJsonAsync($"api/v1/agent/jobs/{lease.JobId}/heartbeat", new HeartbeatRequest(lease.LeaseToken), KilnJsonContext.Default.HeartbeatRequest))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        Assert.Empty(await ListAgentsAsync(server));
        var lost = await WaitForAsync(() => server.GetJobAsync("ml", 1, "train"), j => j.Attempt == 2, TimeSpan.FromSeconds(20), "the lost job's retry");
        Assert.Equal(("lost", "agent_lost"), (lost.PreviousAttempts![0].Status, lost.PreviousAttempts[0].FailureReason));
    }

    internal static async Task<RegisterAgentResponse> RegisterAsync(KilnTestServer server, string registrationToken, string name, string[] labels)
    {
        using var response = await server.Client(registrationToken).PostAsJsonAsync("api/v1/agent/register", new RegisterAgentRequest(name, labels, 1, "1.0.0", "linux-x64"), KilnJsonContext.Default.RegisterAgentRequest);
        await ExpectAsync(response, HttpStatusCode.OK);
        var registered = (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.RegisterAgentResponse))!;
        Assert.Equal(name, registered.Name);
        Assert.StartsWith("kiln_", registered.Token, StringComparison.Ordinal);
        return registered;
    }

    private static Task<HttpResponseMessage> PostRegisterAsync(HttpClient client, string name) =>
        client.PostAsJsonAsync("api/v1/agent/register", new RegisterAgentRequest(name, ["linux"], 1, "1.0.0", "linux-x64"), KilnJsonContext.Default.RegisterAgentRequest);

    private static async Task<List<AgentResource>> ListAgentsAsync(KilnTestServer server)
    {
        using var response = await server.Admin.GetAsync("api/v1/agents");
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.ListAgentResource))!;
    }

    private static async Task<List<TokenResource>> ListTokensAsync(KilnTestServer server)
    {
        using var response = await server.Admin.GetAsync("api/v1/tokens");
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.ListTokenResource))!;
    }
}
