using System.Text.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>A real <c>kiln server --agents 0</c> with real <c>kiln agent</c> processes registered through
/// <c>kiln token create --agent</c>: label matching, <c>kiln agents</c>, restarts, and an agent killed mid-step
/// (that one on SQLite and on PostgreSQL, since losing a lease and retrying the job is the database's work).</summary>
public sealed class RemoteAgentTests
{
    [Fact]
    public async Task A_registered_agent_runs_the_job_for_its_label_is_listed_busy_then_idle_and_reuses_its_identity()
    {
        await using var server = await KilnServerProcess.StartNewAsync(agents: 0);
        var token = await CreateRegistrationTokenAsync(server);
        await server.Api.CreateTaskProjectAsync("remote", """
            jobs:
              hello:
                runs-on: [e2e]
                steps:
                  - run: sleep 3; echo "from $KILN_JOB on the remote agent"
            """);
        await using var agent = KilnAgentProcess.Start(server, "e2e-box", token, "--labels", "e2e");
        await WaitForAgentAsync(server, agent, a => a.Status == "idle");

        await server.Api.TriggerBuildAsync("remote");
        var busy = await WaitForAgentAsync(server, agent, a => a.Status == "busy");
        Assert.Equal(new AgentJobResource("remote", 1, "hello"), Assert.Single(busy.RunningJobs));
        Assert.Contains("e2e", busy.Labels);
        Assert.Contains("linux", busy.Labels);

        var build = await server.Api.WaitForFinishedAsync("remote", 1, TimeSpan.FromSeconds(60));
        Assert.True(build.Status == "succeeded", $"{JsonSerializer.Serialize(build, KilnJsonContext.Default.BuildResource)}\n--- agent ---\n{agent.Output}");
        Assert.Equal("e2e-box", build.Jobs[0].Agent);
        Assert.Contains("from hello on the remote agent", await server.Api.GetLogAsync("remote", 1, "hello"), StringComparison.Ordinal);

        var idle = await WaitForAgentAsync(server, agent, a => a.Status == "idle");
        Assert.NotNull(idle.FreeDiskBytes);
        var table = await server.RunCliAsync("agents");
        Expect.ExitCode(0, table, server);
        Assert.Contains(table.Stdout.Split('\n'), line => line.Contains("e2e-box", StringComparison.Ordinal) && line.Contains("idle", StringComparison.Ordinal));

        var identityFile = Path.Combine(agent.WorkDir, "agent.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(identityFile));
        var log = await File.ReadAllTextAsync(Path.Combine(agent.WorkDir, "agent.log"));
        Assert.Contains("level=info", log, StringComparison.Ordinal);
        Assert.Contains("JobId=", log, StringComparison.Ordinal);

        // A graceful stop, then a start without the registration token: the saved identity is used, with new labels.
        Assert.Equal(0, await agent.StopAsync());
        var identity = await File.ReadAllTextAsync(identityFile);
        agent.StartAgain();
        var again = await WaitForAgentAsync(server, agent, a => a.Status == "idle" && a.LastSeenAt > idle.LastSeenAt);
        Assert.Equal(idle.Id, again.Id);
        Assert.Equal(identity, await File.ReadAllTextAsync(identityFile));
        Assert.Single(await ListAgentsAsync(server));
    }

    [Theory]
    [InlineData(KilnDatabase.Sqlite)]
    [PostgresData]
    public async Task A_job_whose_agent_is_killed_is_lost_and_its_second_attempt_succeeds_on_another_agent(KilnDatabase db)
    {
        var sleep = ProcessTable.UniqueSleep(30);
        await using var server = await KilnServerProcess.StartNewAsync(
            new Dictionary<string, string> { ["KILN_LEASE_SECONDS"] = "3", ["KILN_REAPER_INTERVAL_SECONDS"] = "1" }, agents: 0, db);
        try
        {
            var token = await CreateRegistrationTokenAsync(server);
            await server.Api.CreateTaskProjectAsync("fragile", $$"""
                jobs:
                  work:
                    runs-on: [e2e]
                    steps:
                      - run: if [ "$KILN_JOB_ATTEMPT" = 1 ]; then sleep {{sleep}}; fi; echo done
                """);
            await using var first = KilnAgentProcess.Start(server, "doomed", token, "--labels", "e2e");
            await server.Api.TriggerBuildAsync("fragile");
            await server.Api.WaitForBuildAsync("fragile", 1, b => b.Jobs[0].Steps[0].Status == "running", TimeSpan.FromSeconds(30), "running its step");
            Assert.True(await ProcessTable.WaitUntilPresentAsync("sleep " + sleep, TimeSpan.FromSeconds(15)), first.Output);

            first.KillHard();
            var retried = await server.Api.WaitForBuildAsync("fragile", 1, b => b.Jobs[0].Attempt == 2, TimeSpan.FromSeconds(30), "given a second attempt");
            var lost = Assert.Single(retried.Jobs[0].PreviousAttempts!);
            Assert.Equal((1, "lost", "agent_lost", "doomed"), (lost.Attempt, lost.Status, lost.FailureReason, lost.Agent));
            Assert.Equal("queued", retried.Jobs[0].Status);

            await using var second = KilnAgentProcess.Start(server, "rescuer", token, "--labels", "e2e");
            var build = await server.Api.WaitForFinishedAsync("fragile", 1, TimeSpan.FromSeconds(60));
            Assert.True(build.Status == "succeeded", $"{JsonSerializer.Serialize(build, KilnJsonContext.Default.BuildResource)}\n--- agent ---\n{second.Output}");
            Assert.Equal((2, "succeeded", "rescuer"), (build.Jobs[0].Attempt, build.Jobs[0].Status, build.Jobs[0].Agent));
            Assert.Contains("done", await server.Api.GetLogAsync("fragile", 1, "work"), StringComparison.Ordinal);

            // The CLI shows both attempts, and each attempt's own log.
            var status = await server.RunCliAsync("status", "fragile#1");
            Assert.True(status.ExitCode == 0, status.Output);
            Assert.Contains("work (attempt 1)", status.Stdout, StringComparison.Ordinal);
            Assert.Contains("agent_lost", status.Stdout, StringComparison.Ordinal);
            Assert.Contains("work (attempt 2)", status.Stdout, StringComparison.Ordinal);
            var secondLog = await server.RunCliAsync("logs", "fragile#1", "--job", "work", "--attempt", "2");
            // (The log also shows the command, which has "echo done" in it: look for the output line.)
            Assert.Contains("done", secondLog.Stdout.Split('\n'));
            var firstLog = await server.RunCliAsync("logs", "fragile#1", "--job", "work", "--attempt", "1");
            Assert.True(firstLog.ExitCode == 0, firstLog.Output);
            Assert.DoesNotContain("done", firstLog.Stdout.Split('\n'));
            var missing = await server.RunCliAsync("logs", "fragile#1", "--job", "work", "--attempt", "3");
            Assert.True(missing.ExitCode == 4 && missing.Stderr.Contains("no attempt 3", StringComparison.Ordinal), missing.Output);

            // Not seen for two lease times: offline.
            await WaitForAgentAsync(server, first, a => a.Status == "offline");
        }
        finally
        {
            ProcessTable.KillAll("sleep " + sleep);
        }
    }

    [Fact]
    public async Task An_agent_with_a_bad_token_or_no_server_exits_3_with_a_message()
    {
        await using var server = await KilnServerProcess.StartNewAsync(agents: 0);
        await using var refused = KilnAgentProcess.Start(server, "nope", "kiln_not-a-registration-token");
        Assert.Equal(3, await refused.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("refused the registration token", refused.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(refused.WorkDir, "agent.json")));

        var noToken = await server.RunCliAsync("agent", "--server", server.Url, "--work", server.ScratchPath("no-token"));
        Assert.Equal(2, noToken.ExitCode);
        Assert.Contains("registration token", noToken.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string> CreateRegistrationTokenAsync(KilnServerProcess server)
    {
        var created = await server.RunCliAsync("token", "create", "--agent", "--name", "e2e");
        Expect.ExitCode(0, created, server);
        var lines = created.Stdout.TrimEnd('\n').Split('\n');
        Assert.StartsWith("kiln_", lines[^1], StringComparison.Ordinal);
        return lines[^1];
    }

    private static async Task<List<AgentResource>> ListAgentsAsync(KilnServerProcess server)
    {
        var listed = await server.RunCliAsync("agents", "--json");
        Expect.ExitCode(0, listed, server);
        return JsonSerializer.Deserialize(listed.Stdout, KilnJsonContext.Default.ListAgentResource)!;
    }

    private static async Task<AgentResource> WaitForAgentAsync(KilnServerProcess server, KilnAgentProcess agent, Func<AgentResource, bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var found = (await ListAgentsAsync(server)).SingleOrDefault(a => a.Name == agent.Name);
            if (found is not null && condition(found))
            {
                return found;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Fail($"agent {agent.Name} did not reach the expected state; last: {(found is null ? "not listed" : JsonSerializer.Serialize(found, KilnJsonContext.Default.AgentResource))}\n--- agent ---\n{agent.Output}\n{Expect.ServerTail(server)}");
            }

            await Task.Delay(200);
        }
    }
}
